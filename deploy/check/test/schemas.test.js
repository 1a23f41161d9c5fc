// The schema check itself: it passes a valid object of each package's kinds, and fails a kind
// it has no schema for and an object its schema refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { validateObject } from '../schemas.js';

const cases = [
  { name: 'a valid ConfigMap', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } }, fails: null },
  {
    name: 'a valid PodMonitor (prometheus-operator)',
    object: { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'p' },
      spec: { selector: { matchLabels: { a: 'b' } }, podMetricsEndpoints: [{ port: 'metrics' }] } },
    fails: null,
  },
  { name: 'a kind no package has', object: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }, fails: /no schema for apiVersion example.com\/v1 kind Widget/ },
  { name: 'a known kind at an unknown version', object: { apiVersion: 'apps/v1beta9', kind: 'Deployment', metadata: { name: 'd' } }, fails: /no schema/ },
  { name: 'a sub-type is no kind', object: { apiVersion: 'v1', kind: 'Affinity', metadata: { name: 'a' } }, fails: /no schema/ },
  { name: 'an object without kind', object: { apiVersion: 'v1', metadata: { name: 'x' } }, fails: /no schema/ },
  {
    name: 'a Deployment whose replicas is a string',
    object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { replicas: 'two', selector: {}, template: {} } },
    fails: /replicas must be integer/,
  },
  {
    name: 'a container resource that is no quantity',
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { memory: 'lots' } } }] } },
    fails: /memory must match format "quantity"/,
  },
  {
    name: 'a ScaledObject without scaleTargetRef (KEDA CRD)',
    object: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 's' },
      spec: { triggers: [{ type: 'rabbitmq', metadata: {} }] } },
    fails: /spec must have required property scaleTargetRef/,
  },
  {
    name: 'a PrometheusRule whose groups is not a list',
    object: { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r' }, spec: { groups: 'x' } },
    fails: /groups must be array/,
  },
];

for (const { name, object, fails } of cases) {
  test(name, async () => {
    const problems = await validateObject(object);
    if (fails === null) assert.deepEqual(problems, []);
    else assert.match(problems.join('\n'), fails);
  });
}
