// Every overlay renders with `kubectl kustomize`, every object validates against its schema,
// and every cross-object rule holds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { DEPLOY_DIR, OVERLAYS, kustomizations, parseObjects, renderOverlay, renderYaml } from '../render.js';
import { RULES } from '../rules.js';
import { validateObject } from '../schemas.js';

async function schemaProblems(objects) {
  return (await Promise.all(objects.map(validateObject))).flat();
}

for (const overlay of OVERLAYS) {
  describe(`overlay ${overlay}`, () => {
    test('every rendered object validates against its schema', async () => {
      const objects = renderOverlay(overlay);
      assert.ok(objects.length > 10, `only ${objects.length} objects rendered`);
      assert.deepEqual(await schemaProblems(objects), []);
    });
    for (const [name, rule] of Object.entries(RULES)) {
      test(`rule ${name} holds`, () => {
        assert.deepEqual(rule(renderOverlay(overlay)), []);
      });
    }
  });
}

test('every kustomization under deploy/ is found, the overlays among them', () => {
  const found = kustomizations();
  for (const folder of ['base', ...OVERLAYS.map((o) => join('overlays', o))]) {
    assert.ok(found.includes(folder), `${folder} in ${found}`);
  }
});

// The base and whatever other folders hold a kustomization (deploy/monitoring, ...): each
// renders, and each of its objects validates against a schema.
for (const folder of kustomizations().filter((f) => !f.startsWith('overlays'))) {
  test(`${folder} renders and every object validates against its schema`, async () => {
    const objects = parseObjects(renderYaml(folder));
    assert.ok(objects.length > 0, `${folder} rendered nothing`);
    assert.deepEqual(await schemaProblems(objects), []);
  });
}

test('what each overlay scales with', () => {
  const kinds = (overlay) => renderOverlay(overlay).map((o) => `${o.kind}/${o.metadata.name}`);
  for (const overlay of ['short-tasks', 'gke']) {
    assert.ok(kinds(overlay).includes('ScaledObject/pixfleet-worker'), overlay);
    assert.ok(kinds(overlay).includes('Deployment/pixfleet-worker'), overlay);
    assert.ok(!kinds(overlay).some((k) => k.startsWith('ScaledJob/')), overlay);
  }
  const long = kinds('long-tasks');
  assert.ok(long.includes('ScaledJob/pixfleet-worker'));
  for (const gone of ['Deployment/pixfleet-worker', 'PodDisruptionBudget/pixfleet-worker',
    'Role/pixfleet-worker-pod-deletion-cost', 'RoleBinding/pixfleet-worker-pod-deletion-cost']) {
    assert.ok(!long.includes(gone), gone);
  }
});

test('the gke overlay stores on GCS, runs workers on Spot nodes and uses Workload Identity', () => {
  const objects = renderOverlay('gke');
  const worker = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'pixfleet-worker');
  const env = worker.spec.template.spec.containers[0].env;
  const values = (name) => env.filter((e) => e.name === name).map((e) => e.value);
  assert.deepEqual(values('AWS_ENDPOINT_URL'), ['https://storage.googleapis.com']);
  assert.deepEqual(values('AWS_REGION'), ['auto']);
  assert.ok(worker.spec.template.spec.tolerations.some((t) => t.key === 'cloud.google.com/gke-spot'));
  const accounts = objects.filter((o) => o.kind === 'ServiceAccount');
  assert.equal(accounts.length, 2);
  for (const account of accounts) {
    assert.match(account.metadata.annotations['iam.gke.io/gcp-service-account'], /@PROJECT_ID\.iam\.gserviceaccount\.com$/);
  }
});

test('the recipe ConfigMap holds recipes/std3.yaml unchanged', () => {
  const recipe = renderOverlay('short-tasks').find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'pixfleet-recipe');
  const std3 = readFileSync(join(DEPLOY_DIR, '..', 'recipes', 'std3.yaml'), 'utf8');
  assert.equal(recipe.data['recipe.yaml'], std3);
});
