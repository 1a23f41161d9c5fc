// The KEDA objects the overlays render are accepted as they are by `pixfleet scale --check`
// (the same parser `pixfleet scale` and `pixfleet simulate` run): the KEDA object alone, and the
// whole render as kubectl printed it (pixfleet picks the one ScaledObject or ScaledJob out of
// it). PIXFLEET_BIN names the binary (ctest sets it to the build's); without it this test is
// skipped, saying so.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { renderYaml } from '../render.js';

const binary = process.env.PIXFLEET_BIN;

// The document of `kind` exactly as kubectl printed it.
function renderedDocument(overlay, kind) {
  const documents = renderYaml(join('overlays', overlay)).split(/^---\n/m);
  const found = documents.filter((d) => new RegExp(`^kind: ${kind}$`, 'm').test(d));
  assert.equal(found.length, 1, `one ${kind} in ${overlay}`);
  return found[0];
}

const cases = [
  ['short-tasks', 'ScaledObject', [
    'ScaledObject pixfleet-worker: 0 to 100 replicas of pixfleet-worker, polling every 15 s, cooldown 120 s, the HPA behavior of the file',
    'trigger 0: queue pixfleet, protocol http, QueueLength value 200, active above 0; host from the TriggerAuthentication pixfleet-rabbitmq-management in a cluster, pixfleet\'s environment here',
  ]],
  ['gke', 'ScaledObject', ['ScaledObject pixfleet-worker: 0 to 100 replicas of pixfleet-worker']],
  ['long-tasks', 'ScaledJob', [
    'ScaledJob pixfleet-worker: at most 100 jobs, polling every 15 s, strategy default',
    'trigger 0: queue pixfleet, protocol http, QueueLength value 1, active above 0',
  ]],
];

function checkAccepts(yaml, said) {
  const dir = mkdtempSync(join(tmpdir(), 'pixfleet-deploy-check-'));
  try {
    const file = join(dir, 'rendered.yaml');
    writeFileSync(file, yaml);
    const run = spawnSync(binary, ['scale', '--check', '--scaledobject', file], { encoding: 'utf8', timeout: 30000 });
    assert.equal(run.status, 0, run.stderr);
    for (const line of said) assert.ok(run.stdout.includes(line), `${line}\n--- not in:\n${run.stdout}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [overlay, kind, said] of cases) {
  const skip = binary ? false : 'PIXFLEET_BIN is not set';
  test(`pixfleet scale --check accepts the ${kind} of ${overlay} as rendered`, { skip }, () => {
    checkAccepts(renderedDocument(overlay, kind), said);
  });
  test(`pixfleet scale --check accepts the whole render of ${overlay}`, { skip }, () => {
    checkAccepts(renderYaml(join('overlays', overlay)), said);
  });
}
