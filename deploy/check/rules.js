// Cross-object rules over one rendered overlay: what the schemas cannot see because it spans
// objects or follows from pixfleet's own behaviour. Each rule is a pure function from the list
// of objects to a list of problems (empty: it holds); rules.test.js feeds each a broken copy.
import { describe } from './schemas.js';

// The longest mean task of README's std3 runs (bench/simulate_vs_real.sh: 0.42-1.35 s): the
// "typical task" the worker's grace period must exceed.
export const TYPICAL_TASK_SECONDS = 1.35;
// `pixfleet worker` defaults (src/cli/worker_command.cc), used when a flag is not given.
const DEFAULT_GRACE_SECONDS = 25;
const DEFAULT_TIMEOUT_MS = 120000;
// The names the parts of the deployment agree on (docs/deploy.md, "Secrets").
export const KNOWN_SECRET_KEYS = {
  'pixfleet-amqp': ['url'],
  'pixfleet-database': ['url'],
  'pixfleet-storage': ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  'pixfleet-postgresql': ['DB_USER', 'DB_PASSWORD'],
  'pixfleet-amqp-management': ['url'],
};
export const WORKER_LABELS = {
  'app.kubernetes.io/name': 'pixfleet',
  'app.kubernetes.io/component': 'worker',
};
const DB_CONNECTIONS_ANNOTATION = 'pixfleet.io/db-connections-per-pod';
const PG_MAX_ANNOTATION = 'pixfleet.io/postgresql-max-connections';
const PG_RESERVED_ANNOTATION = 'pixfleet.io/postgresql-superuser-reserved-connections';

// --- reading objects ------------------------------------------------------------------------

// Every pod template with what owns it: {owner, template, job} (job: the Job spec around it).
export function podTemplates(objects) {
  const found = [];
  for (const object of objects) {
    const spec = object.spec ?? {};
    switch (object.kind) {
      case 'Deployment':
      case 'StatefulSet':
      case 'DaemonSet':
      case 'ReplicaSet':
        found.push({ owner: object, template: spec.template ?? {}, job: null });
        break;
      case 'Job':
        found.push({ owner: object, template: spec.template ?? {}, job: spec });
        break;
      case 'CronJob':
        found.push({ owner: object, template: spec.jobTemplate?.spec?.template ?? {}, job: spec.jobTemplate?.spec ?? {} });
        break;
      case 'ScaledJob':
        found.push({ owner: object, template: spec.jobTargetRef?.template ?? {}, job: spec.jobTargetRef ?? {} });
        break;
      default:
        break;
    }
  }
  return found;
}

function containersOf(template) {
  const spec = template.spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

function where(pod, container) {
  return `${describe(pod.owner)} container ${container?.name ?? '(unnamed)'}`;
}

function labelsMatch(selector, labels) {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels?.[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = labels !== undefined && key in labels;
    if (operator === 'In' && !(has && values.includes(labels[key]))) return false;
    if (operator === 'NotIn' && has && values.includes(labels[key])) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

// A worker is a container running `pixfleet worker` (the image's ENTRYPOINT is pixfleet).
function isWorker(container) {
  return (container.args ?? [])[0] === 'worker';
}

// The value of --name in args, written `--name=value` or `--name value`; undefined if absent.
export function flagValue(args, name) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
  }
  return undefined;
}

// pixfleet's durations: 25s, 500ms, 2m, 1h (a bare number is seconds).
export function durationSeconds(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(text));
  if (!match) return NaN;
  const scale = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] ?? 's'];
  return Number(match[1]) * scale;
}

function byKindName(objects, kind, name) {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name);
}

function intOf(text) {
  const value = Number(text);
  return Number.isInteger(value) ? value : NaN;
}

// --- the rules ------------------------------------------------------------------------------

// Deployments select their own pods; PDBs, NetworkPolicies and Services select some pods of
// the overlay (a selector that matches nothing protects or routes nothing), and a Service's
// named target port exists on the pods it selects.
export function selectorsMatchLabels(objects) {
  const problems = [];
  const pods = podTemplates(objects);
  const matching = (selector) => pods.filter((p) => labelsMatch(selector, p.template.metadata?.labels));
  for (const object of objects) {
    const spec = object.spec ?? {};
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(object.kind)) {
      if (!labelsMatch(spec.selector, spec.template?.metadata?.labels)) {
        problems.push(`${describe(object)}: spec.selector does not match its pod template's labels`);
      }
    } else if (object.kind === 'PodDisruptionBudget' && matching(spec.selector).length === 0) {
      problems.push(`${describe(object)}: spec.selector matches no pod of the overlay`);
    } else if (object.kind === 'NetworkPolicy' && matching(spec.podSelector).length === 0) {
      problems.push(`${describe(object)}: spec.podSelector matches no pod of the overlay`);
    } else if (object.kind === 'Service' && spec.selector) {
      const selected = matching({ matchLabels: spec.selector });
      if (selected.length === 0) problems.push(`${describe(object)}: spec.selector matches no pod of the overlay`);
      for (const port of spec.ports ?? []) {
        if (typeof port.targetPort !== 'string') continue;
        const named = selected.some((p) =>
          containersOf(p.template).some((c) => (c.ports ?? []).some((cp) => cp.name === port.targetPort)));
        if (selected.length > 0 && !named) {
          problems.push(`${describe(object)}: targetPort ${port.targetPort} is no container port of its pods`);
        }
      }
    }
  }
  return problems;
}

// Every container asks for CPU and memory and has a memory limit (a CPU limit is a choice:
// base/worker-deployment.yaml says why the worker has none).
export function containersHaveResources(objects) {
  const problems = [];
  for (const pod of podTemplates(objects)) {
    for (const container of containersOf(pod.template)) {
      const resources = container.resources ?? {};
      for (const [path, value] of [
        ['requests.cpu', resources.requests?.cpu],
        ['requests.memory', resources.requests?.memory],
        ['limits.memory', resources.limits?.memory],
      ]) {
        if (value === undefined) problems.push(`${where(pod, container)}: no resources.${path}`);
      }
    }
  }
  return problems;
}

// Long-running pods (Deployments and the like) have liveness and readiness probes; a
// ScaledJob's worker has liveness only (nothing routes to a Job's pod, readiness would mean
// nothing); other Jobs (the migration) run one command with no endpoint, so they need no
// probe but must have activeDeadlineSeconds. A probe's named port exists.
export function containersHaveProbes(objects) {
  const problems = [];
  for (const pod of podTemplates(objects)) {
    const kind = pod.owner.kind;
    for (const container of pod.template.spec?.containers ?? []) {
      const ports = new Set((container.ports ?? []).map((p) => p.name));
      const probes = ['startupProbe', 'livenessProbe', 'readinessProbe'].filter((p) => container[p]);
      for (const probe of probes) {
        const port = container[probe].httpGet?.port ?? container[probe].tcpSocket?.port;
        if (typeof port === 'string' && !ports.has(port)) {
          problems.push(`${where(pod, container)}: ${probe} uses port ${port}, which it does not declare`);
        }
      }
      const needed = pod.job === null ? ['livenessProbe', 'readinessProbe'] : kind === 'ScaledJob' ? ['livenessProbe'] : [];
      for (const probe of needed) {
        if (!container[probe]) problems.push(`${where(pod, container)}: no ${probe}`);
      }
    }
    if (pod.job !== null && kind !== 'CronJob' && !(pod.job.activeDeadlineSeconds > 0)) {
      problems.push(`${describe(pod.owner)}: a Job without activeDeadlineSeconds`);
    }
  }
  return problems;
}

// Every container runs as a non-root user, cannot gain privileges, has a read-only root
// filesystem, no capabilities, and the RuntimeDefault seccomp profile (pod or container).
export function containersAreLockedDown(objects) {
  const problems = [];
  for (const pod of podTemplates(objects)) {
    const podContext = pod.template.spec?.securityContext ?? {};
    for (const container of containersOf(pod.template)) {
      const context = container.securityContext ?? {};
      const nonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
      const user = context.runAsUser ?? podContext.runAsUser;
      const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
      const say = (what) => problems.push(`${where(pod, container)}: ${what}`);
      if (nonRoot !== true) say('runAsNonRoot is not true');
      if (user === undefined || user === 0) say('no non-zero runAsUser');
      if (context.allowPrivilegeEscalation !== false) say('allowPrivilegeEscalation is not false');
      if (context.readOnlyRootFilesystem !== true) say('readOnlyRootFilesystem is not true');
      if (!(context.capabilities?.drop ?? []).includes('ALL')) say('capabilities.drop lacks ALL');
      if (context.capabilities?.add?.length) say(`adds capabilities ${context.capabilities.add}`);
      if (seccomp !== 'RuntimeDefault') say('seccompProfile is not RuntimeDefault');
    }
  }
  return problems;
}

// terminationGracePeriodSeconds > the worker's --grace-period > a typical task; a Job's
// activeDeadlineSeconds > the worker's --timeout-ms (a task may use all of it).
export function gracePeriodsNest(objects) {
  const problems = [];
  for (const pod of podTemplates(objects)) {
    for (const container of pod.template.spec?.containers ?? []) {
      if (!isWorker(container)) continue;
      const args = container.args ?? [];
      const grace = durationSeconds(flagValue(args, '--grace-period') ?? DEFAULT_GRACE_SECONDS);
      const termination = pod.template.spec?.terminationGracePeriodSeconds ?? 30;
      if (!(termination > grace)) {
        problems.push(`${where(pod, container)}: terminationGracePeriodSeconds ${termination} is not above --grace-period ${grace} s`);
      }
      if (!(grace > TYPICAL_TASK_SECONDS)) {
        problems.push(`${where(pod, container)}: --grace-period ${grace} s is not above a typical task (${TYPICAL_TASK_SECONDS} s)`);
      }
      if (pod.job !== null) {
        const timeout = Number(flagValue(args, '--timeout-ms') ?? DEFAULT_TIMEOUT_MS) / 1000;
        if (!(pod.job.activeDeadlineSeconds > timeout)) {
          problems.push(`${describe(pod.owner)}: activeDeadlineSeconds ${pod.job.activeDeadlineSeconds} is not above --timeout-ms (${timeout} s)`);
        }
      }
    }
  }
  return problems;
}

function pgbouncerSettings(objects) {
  const config = byKindName(objects, 'ConfigMap', 'pixfleet-pgbouncer')?.data ?? {};
  const deployment = byKindName(objects, 'Deployment', 'pixfleet-pgbouncer');
  return { config, deployment };
}

// Worker pods at most x result-store connections each <= one pgbouncer's max_client_conn
// (the Service may send every client to the same replica).
export function clientsFitPgbouncer(objects) {
  const problems = [];
  const { config } = pgbouncerSettings(objects);
  const maxClients = intOf(config.MAX_CLIENT_CONN);
  if (Number.isNaN(maxClients)) return ['ConfigMap pixfleet-pgbouncer: no integer MAX_CLIENT_CONN'];
  const scaled = objects.filter((o) => o.kind === 'ScaledObject' || o.kind === 'ScaledJob');
  for (const scaler of scaled) {
    const template = scaler.kind === 'ScaledJob'
      ? scaler.spec?.jobTargetRef?.template
      : byKindName(objects, scaler.spec?.scaleTargetRef?.kind ?? 'Deployment', scaler.spec?.scaleTargetRef?.name)?.spec?.template;
    const perPod = intOf(template?.metadata?.annotations?.[DB_CONNECTIONS_ANNOTATION]);
    if (Number.isNaN(perPod)) {
      problems.push(`${describe(scaler)}: its pods do not declare ${DB_CONNECTIONS_ANNOTATION}`);
      continue;
    }
    const max = scaler.spec?.maxReplicaCount ?? 100;  // KEDA's default for both kinds
    if (max * perPod > maxClients) {
      problems.push(`${describe(scaler)}: maxReplicaCount ${max} x ${perPod} connections = ${max * perPod} > pgbouncer max_client_conn ${maxClients}`);
    }
  }
  return problems;
}

// Every pgbouncer replica's server connections, (default_pool_size + reserve_pool_size) capped
// by max_db_connections, fit PostgreSQL's max_connections less the superuser reserve.
export function poolFitsPostgres(objects) {
  const { config, deployment } = pgbouncerSettings(objects);
  if (!deployment) return ['no Deployment pixfleet-pgbouncer'];
  const annotations = deployment.metadata?.annotations ?? {};
  const maxConnections = intOf(annotations[PG_MAX_ANNOTATION]);
  const reserved = intOf(annotations[PG_RESERVED_ANNOTATION] ?? '3');  // PostgreSQL's default
  if (Number.isNaN(maxConnections)) return [`${describe(deployment)}: no integer ${PG_MAX_ANNOTATION}`];
  const pool = intOf(config.DEFAULT_POOL_SIZE ?? '20') + intOf(config.RESERVE_POOL_SIZE ?? '0');
  const cap = intOf(config.MAX_DB_CONNECTIONS ?? '0');
  const perReplica = cap > 0 ? Math.min(pool, cap) : pool;
  const replicas = deployment.spec?.replicas ?? 1;
  if (Number.isNaN(perReplica) || replicas * perReplica > maxConnections - reserved) {
    return [`pgbouncer: ${replicas} replicas x ${perReplica} server connections > PostgreSQL max_connections ${maxConnections} - ${reserved} reserved`];
  }
  return [];
}

// A ScaledObject scales a Deployment of the overlay, and that Deployment runs workers.
export function scaleTargetIsWorkerDeployment(objects) {
  const problems = [];
  for (const scaler of objects.filter((o) => o.kind === 'ScaledObject')) {
    const ref = scaler.spec?.scaleTargetRef ?? {};
    const target = byKindName(objects, ref.kind ?? 'Deployment', ref.name);
    if (!target || target.kind !== 'Deployment') {
      problems.push(`${describe(scaler)}: scaleTargetRef ${ref.name} names no Deployment of the overlay`);
    } else if (!(target.spec?.template?.spec?.containers ?? []).some(isWorker)) {
      problems.push(`${describe(scaler)}: its target ${ref.name} runs no pixfleet worker`);
    }
  }
  return problems;
}

// A ScaledJob's pod runs `pixfleet worker --max-tasks 1`: one Job, one task.
export function scaledJobRunsOneTask(objects) {
  const problems = [];
  for (const pod of podTemplates(objects).filter((p) => p.owner.kind === 'ScaledJob')) {
    const containers = pod.template.spec?.containers ?? [];
    const ok = containers.some((c) => isWorker(c) && flagValue(c.args ?? [], '--max-tasks') === '1');
    if (!ok) problems.push(`${describe(pod.owner)}: no container runs \`worker --max-tasks 1\``);
  }
  return problems;
}

// Worker pods carry the labels every part selects on, and those that set their own
// pod-deletion cost have POD_NAME/POD_NAMESPACE and a Role allowing get and patch on pods.
export function workersAreWired(objects) {
  const problems = [];
  for (const pod of podTemplates(objects)) {
    const workers = (pod.template.spec?.containers ?? []).filter(isWorker);
    if (workers.length === 0) continue;
    const labels = pod.template.metadata?.labels ?? {};
    for (const [key, value] of Object.entries(WORKER_LABELS)) {
      if (labels[key] !== value) problems.push(`${describe(pod.owner)}: pod label ${key} is not ${value}`);
    }
    for (const container of workers.filter((c) => (c.args ?? []).includes('--pod-deletion-cost'))) {
      const env = new Map((container.env ?? []).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]));
      if (env.get('POD_NAME') !== 'metadata.name' || env.get('POD_NAMESPACE') !== 'metadata.namespace') {
        problems.push(`${where(pod, container)}: --pod-deletion-cost without POD_NAME/POD_NAMESPACE from the pod's metadata`);
      }
      const account = pod.template.spec?.serviceAccountName ?? 'default';
      if (pod.template.spec?.automountServiceAccountToken === false) {
        problems.push(`${where(pod, container)}: --pod-deletion-cost without a service account token`);
      }
      const granted = objects.some((binding) => binding.kind === 'RoleBinding'
        && (binding.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === account)
        && (byKindName(objects, 'Role', binding.roleRef?.name)?.rules ?? []).some((rule) =>
          (rule.resources ?? []).includes('pods') && ['get', 'patch'].every((v) => rule.verbs?.includes(v))));
      if (!granted) problems.push(`${where(pod, container)}: ServiceAccount ${account} may not get and patch pods`);
    }
  }
  return problems;
}

// Secrets are referenced by the agreed names and keys (a typo would leave a pod pending with
// CreateContainerConfigError on the cluster, found here instead).
export function secretReferencesAreKnown(objects) {
  const problems = [];
  const check = (owner, name, key) => {
    if (!(name in KNOWN_SECRET_KEYS)) problems.push(`${owner}: unknown Secret ${name}`);
    else if (key !== undefined && !KNOWN_SECRET_KEYS[name].includes(key)) problems.push(`${owner}: Secret ${name} has no key ${key}`);
  };
  for (const pod of podTemplates(objects)) {
    for (const container of containersOf(pod.template)) {
      for (const env of container.env ?? []) {
        const ref = env.valueFrom?.secretKeyRef;
        if (ref) check(where(pod, container), ref.name, ref.key);
      }
      for (const from of container.envFrom ?? []) {
        if (from.secretRef) check(where(pod, container), from.secretRef.name, undefined);
      }
    }
  }
  for (const auth of objects.filter((o) => o.kind === 'TriggerAuthentication')) {
    for (const ref of auth.spec?.secretTargetRef ?? []) check(describe(auth), ref.name, ref.key);
  }
  return problems;
}

// Every pixfleet container runs the same image, set by kustomize's `images:` (an image left as
// the bare name `pixfleet` escaped the transformer: a custom kind it does not know).
export function pixfleetImagesAgree(objects) {
  const images = new Set();
  const problems = [];
  for (const pod of podTemplates(objects)) {
    for (const container of containersOf(pod.template)) {
      const image = container.image ?? '';
      if (!/(^|\/)pixfleet(:|@|$)/.test(image)) continue;
      if (!/[:@]/.test(image.split('/').pop())) problems.push(`${where(pod, container)}: image ${image} has no tag`);
      images.add(image);
    }
  }
  if (images.size > 1) problems.push(`pixfleet containers run different images: ${[...images].join(', ')}`);
  return problems;
}

export const RULES = {
  selectorsMatchLabels,
  containersHaveResources,
  containersHaveProbes,
  containersAreLockedDown,
  gracePeriodsNest,
  clientsFitPgbouncer,
  poolFitsPostgres,
  scaleTargetIsWorkerDeployment,
  scaledJobRunsOneTask,
  workersAreWired,
  secretReferencesAreKnown,
  pixfleetImagesAgree,
};
