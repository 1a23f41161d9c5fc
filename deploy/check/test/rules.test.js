// Each rule catches what it is for: a rendered overlay, broken in memory one way, must make
// that rule report it (and the unbroken rendering passes every rule: overlays.test.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { renderOverlay } from '../render.js';
import { RULES, durationSeconds, flagValue } from '../rules.js';

const find = (objects, kind, name) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} is in the rendering`);
  return found;
};
const worker = (objects) => find(objects, 'Deployment', 'pixfleet-worker');
const workerPod = (objects) => worker(objects).spec.template;
const workerContainer = (objects) => workerPod(objects).spec.containers[0];
const jobPod = (objects) => find(objects, 'ScaledJob', 'pixfleet-worker').spec.jobTargetRef.template;
const jobContainer = (objects) => jobPod(objects).spec.containers[0];
const pgbouncerConfig = (objects) => find(objects, 'ConfigMap', 'pixfleet-pgbouncer').data;
const setArg = (container, name, value) => {
  container.args = container.args.filter((a) => !a.startsWith(`${name}=`) && a !== name);
  container.args.push(`${name}=${value}`);
};

// [rule, overlay, what is broken, break it, what the rule must say]
const CASES = [
  ['selectorsMatchLabels', 'short-tasks', 'a Deployment selecting other pods',
    (o) => { worker(o).spec.selector.matchLabels['app.kubernetes.io/component'] = 'workers'; },
    /Deployment pixfleet-worker: spec.selector does not match/],
  ['selectorsMatchLabels', 'short-tasks', 'a PDB selecting no pod',
    (o) => { find(o, 'PodDisruptionBudget', 'pixfleet-worker').spec.selector.matchLabels['app.kubernetes.io/name'] = 'pixfleat'; },
    /PodDisruptionBudget pixfleet-worker: spec.selector matches no pod/],
  ['selectorsMatchLabels', 'short-tasks', 'a NetworkPolicy selecting no pod',
    (o) => { find(o, 'NetworkPolicy', 'pixfleet-worker').spec.podSelector.matchLabels['app.kubernetes.io/component'] = 'wrker'; },
    /NetworkPolicy pixfleet-worker: spec.podSelector matches no pod/],
  ['selectorsMatchLabels', 'short-tasks', 'a Service selecting no pod',
    (o) => { find(o, 'Service', 'pixfleet-pgbouncer').spec.selector['app.kubernetes.io/name'] = 'pg-bouncer'; },
    /Service pixfleet-pgbouncer: spec.selector matches no pod/],
  ['selectorsMatchLabels', 'short-tasks', "a Service's target port that no pod has",
    (o) => { find(o, 'Service', 'pixfleet-pgbouncer').spec.ports[0].targetPort = 'pgbouncer'; },
    /targetPort pgbouncer is no container port/],
  ['containersHaveResources', 'short-tasks', 'a worker without a memory limit',
    (o) => { delete workerContainer(o).resources.limits; },
    /Deployment pixfleet-worker container worker: no resources.limits.memory/],
  ['containersHaveResources', 'long-tasks', 'the migration Job without a CPU request',
    (o) => { delete find(o, 'Job', 'pixfleet-migrate').spec.template.spec.containers[0].resources.requests.cpu; },
    /Job pixfleet-migrate container migrate: no resources.requests.cpu/],
  ['containersHaveProbes', 'short-tasks', 'a worker Deployment without readiness',
    (o) => { delete workerContainer(o).readinessProbe; },
    /Deployment pixfleet-worker container worker: no readinessProbe/],
  ['containersHaveProbes', 'short-tasks', 'pgbouncer without liveness',
    (o) => { delete find(o, 'Deployment', 'pixfleet-pgbouncer').spec.template.spec.containers[0].livenessProbe; },
    /Deployment pixfleet-pgbouncer container pgbouncer: no livenessProbe/],
  ['containersHaveProbes', 'long-tasks', 'a ScaledJob worker without liveness',
    (o) => { delete jobContainer(o).livenessProbe; },
    /ScaledJob pixfleet-worker container worker: no livenessProbe/],
  ['containersHaveProbes', 'short-tasks', 'a probe on a port the container does not declare',
    (o) => { workerContainer(o).livenessProbe.httpGet.port = 'http'; },
    /livenessProbe uses port http, which it does not declare/],
  ['containersHaveProbes', 'short-tasks', 'the migration Job without a deadline',
    (o) => { delete find(o, 'Job', 'pixfleet-migrate').spec.activeDeadlineSeconds; },
    /Job pixfleet-migrate: a Job without activeDeadlineSeconds/],
  ['containersAreLockedDown', 'short-tasks', 'a worker allowed to run as root',
    (o) => { delete workerPod(o).spec.securityContext.runAsNonRoot; delete workerContainer(o).securityContext.runAsNonRoot; },
    /container worker: runAsNonRoot is not true/],
  ['containersAreLockedDown', 'short-tasks', 'pgbouncer as uid 0',
    (o) => { find(o, 'Deployment', 'pixfleet-pgbouncer').spec.template.spec.securityContext.runAsUser = 0; },
    /container pgbouncer: no non-zero runAsUser/],
  ['containersAreLockedDown', 'long-tasks', 'a writable root filesystem',
    (o) => { jobContainer(o).securityContext.readOnlyRootFilesystem = false; },
    /ScaledJob pixfleet-worker container worker: readOnlyRootFilesystem is not true/],
  ['containersAreLockedDown', 'short-tasks', 'a capability kept',
    (o) => { workerContainer(o).securityContext.capabilities = { drop: ['NET_RAW'] }; },
    /capabilities.drop lacks ALL/],
  ['containersAreLockedDown', 'short-tasks', 'no seccomp profile',
    (o) => { delete find(o, 'Job', 'pixfleet-migrate').spec.template.spec.securityContext.seccompProfile; },
    /container migrate: seccompProfile is not RuntimeDefault/],
  ['containersAreLockedDown', 'short-tasks', 'privilege escalation allowed',
    (o) => { delete workerContainer(o).securityContext.allowPrivilegeEscalation; },
    /allowPrivilegeEscalation is not false/],
  ['gracePeriodsNest', 'short-tasks', 'a termination grace period under the worker\'s',
    (o) => { workerPod(o).spec.terminationGracePeriodSeconds = 20; },
    /terminationGracePeriodSeconds 20 is not above --grace-period 25 s/],
  ['gracePeriodsNest', 'short-tasks', 'the default 30 s with a 30-s worker grace period',
    (o) => { delete workerPod(o).spec.terminationGracePeriodSeconds; setArg(workerContainer(o), '--grace-period', '30s'); },
    /terminationGracePeriodSeconds 30 is not above --grace-period 30 s/],
  ['gracePeriodsNest', 'short-tasks', 'a worker grace period shorter than a typical task',
    (o) => { setArg(workerContainer(o), '--grace-period', '500ms'); },
    /--grace-period 0.5 s is not above a typical task/],
  ['gracePeriodsNest', 'long-tasks', 'a Job deadline under the task time limit',
    (o) => { setArg(jobContainer(o), '--timeout-ms', '3600000'); },
    /activeDeadlineSeconds 2400 is not above --timeout-ms \(3600 s\)/],
  ['clientsFitPgbouncer', 'short-tasks', 'more workers than pgbouncer takes clients',
    (o) => { find(o, 'ScaledObject', 'pixfleet-worker').spec.maxReplicaCount = 201; },
    /maxReplicaCount 201 x 1 connections = 201 > pgbouncer max_client_conn 200/],
  ['clientsFitPgbouncer', 'long-tasks', 'workers with three connections each',
    (o) => { jobPod(o).metadata.annotations['pixfleet.io/db-connections-per-pod'] = '3'; },
    /ScaledJob pixfleet-worker: maxReplicaCount 100 x 3 connections = 300 > pgbouncer max_client_conn 200/],
  ['clientsFitPgbouncer', 'short-tasks', 'a KEDA default max with a small pgbouncer',
    (o) => { delete find(o, 'ScaledObject', 'pixfleet-worker').spec.maxReplicaCount; pgbouncerConfig(o).MAX_CLIENT_CONN = '50'; },
    /maxReplicaCount 100 x 1 connections = 100 > pgbouncer max_client_conn 50/],
  ['clientsFitPgbouncer', 'short-tasks', 'worker pods that do not say how many connections they open',
    (o) => { delete workerPod(o).metadata.annotations['pixfleet.io/db-connections-per-pod']; },
    /do not declare pixfleet.io\/db-connections-per-pod/],
  ['poolFitsPostgres', 'short-tasks', 'a pool over PostgreSQL\'s max_connections',
    (o) => { Object.assign(pgbouncerConfig(o), { DEFAULT_POOL_SIZE: '45', MAX_DB_CONNECTIONS: '0' }); },
    /2 replicas x 50 server connections > PostgreSQL max_connections 100 - 3 reserved/],
  ['poolFitsPostgres', 'gke', 'more pgbouncer replicas',
    (o) => { find(o, 'Deployment', 'pixfleet-pgbouncer').spec.replicas = 4; },
    /4 replicas x 25 server connections > PostgreSQL max_connections 100 - 3 reserved/],
  ['poolFitsPostgres', 'short-tasks', 'a smaller PostgreSQL',
    (o) => { find(o, 'Deployment', 'pixfleet-pgbouncer').metadata.annotations['pixfleet.io/postgresql-max-connections'] = '50'; },
    /2 replicas x 25 server connections > PostgreSQL max_connections 50 - 3 reserved/],
  ['scaleTargetIsWorkerDeployment', 'short-tasks', 'a scale target that does not exist',
    (o) => { find(o, 'ScaledObject', 'pixfleet-worker').spec.scaleTargetRef.name = 'pixfleet-workers'; },
    /scaleTargetRef pixfleet-workers names no Deployment/],
  ['scaleTargetIsWorkerDeployment', 'short-tasks', 'scaling pgbouncer instead of the workers',
    (o) => { find(o, 'ScaledObject', 'pixfleet-worker').spec.scaleTargetRef.name = 'pixfleet-pgbouncer'; },
    /its target pixfleet-pgbouncer runs no pixfleet worker/],
  ['scaledJobRunsOneTask', 'long-tasks', 'a Job worker without --max-tasks',
    (o) => { jobContainer(o).args = jobContainer(o).args.filter((a) => a !== '--max-tasks' && a !== '1'); },
    /ScaledJob pixfleet-worker: no container runs `worker --max-tasks 1`/],
  ['scaledJobRunsOneTask', 'long-tasks', 'a Job worker taking ten tasks',
    (o) => { jobContainer(o).args[jobContainer(o).args.indexOf('--max-tasks') + 1] = '10'; },
    /no container runs `worker --max-tasks 1`/],
  ['workersAreWired', 'short-tasks', 'worker pods without the agreed component label',
    (o) => { workerPod(o).metadata.labels['app.kubernetes.io/component'] = 'consumer'; },
    /pod label app.kubernetes.io\/component is not worker/],
  ['workersAreWired', 'short-tasks', '--pod-deletion-cost without POD_NAMESPACE',
    (o) => { workerContainer(o).env = workerContainer(o).env.filter((e) => e.name !== 'POD_NAMESPACE'); },
    /--pod-deletion-cost without POD_NAME\/POD_NAMESPACE/],
  ['workersAreWired', 'short-tasks', '--pod-deletion-cost with a Role that cannot patch',
    (o) => { find(o, 'Role', 'pixfleet-worker-pod-deletion-cost').rules[0].verbs = ['get']; },
    /ServiceAccount pixfleet-worker may not get and patch pods/],
  ['workersAreWired', 'short-tasks', '--pod-deletion-cost without a token',
    (o) => { workerPod(o).spec.automountServiceAccountToken = false; },
    /--pod-deletion-cost without a service account token/],
  ['secretReferencesAreKnown', 'short-tasks', 'a misspelt Secret',
    (o) => { workerContainer(o).env.find((e) => e.name === 'PIXFLEET_DB').valueFrom.secretKeyRef.name = 'pixfleet-db'; },
    /unknown Secret pixfleet-db/],
  ['secretReferencesAreKnown', 'long-tasks', 'a key the Secret does not have',
    (o) => { find(o, 'TriggerAuthentication', 'pixfleet-rabbitmq-management').spec.secretTargetRef[0].key = 'host'; },
    /TriggerAuthentication pixfleet-rabbitmq-management: Secret pixfleet-amqp-management has no key host/],
  ['pixfleetImagesAgree', 'long-tasks', 'a ScaledJob image the transformer missed',
    (o) => { jobContainer(o).image = 'pixfleet'; },
    /image pixfleet has no tag/],
  ['pixfleetImagesAgree', 'short-tasks', 'two versions in one overlay',
    (o) => { find(o, 'Job', 'pixfleet-migrate').spec.template.spec.containers[0].image = 'pixfleet:0.0.9'; },
    /pixfleet containers run different images: pixfleet:0.1.0, pixfleet:0.0.9|different images: pixfleet:0.0.9, pixfleet:0.1.0/],
];

test('every rule has a case that breaks it', () => {
  const covered = new Set(CASES.map(([rule]) => rule));
  assert.deepEqual(Object.keys(RULES).filter((r) => !covered.has(r)), []);
});

for (const [rule, overlay, what, breakIt, said] of CASES) {
  test(`${rule} catches ${what} (${overlay})`, () => {
    const objects = renderOverlay(overlay);
    breakIt(objects);
    const problems = RULES[rule](objects);
    assert.match(problems.join('\n'), said);
  });
}

test('flags and durations are read as pixfleet reads them', () => {
  const cases = [
    [['worker', '--grace-period=25s'], '--grace-period', '25s'],
    [['worker', '--max-tasks', '1'], '--max-tasks', '1'],
    [['worker'], '--max-tasks', undefined],
  ];
  for (const [args, name, value] of cases) assert.equal(flagValue(args, name), value);
  const durations = [['25s', 25], ['500ms', 0.5], ['2m', 120], ['1h', 3600], ['30', 30], ['soon', NaN]];
  for (const [text, seconds] of durations) assert.equal(durationSeconds(text), seconds, text);
});
