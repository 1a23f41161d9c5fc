// Renders a kustomize folder of deploy/ with `kubectl kustomize` (offline: no cluster is asked)
// and returns its objects as plain JavaScript values, in the order kustomize prints them.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const DEPLOY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OVERLAYS = ['short-tasks', 'long-tasks', 'gke'];

export function renderYaml(folder) {
  return execFileSync('kubectl', ['kustomize', join(DEPLOY_DIR, folder)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
}

export function parseObjects(text) {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`YAML: ${doc.errors[0].message}`);
      return doc.toJS();
    })
    .filter((object) => object !== null);
}

// A rendering is cached per folder: every test of an overlay reads the same objects.
const cache = new Map();
export function renderOverlay(name) {
  if (!cache.has(name)) cache.set(name, parseObjects(renderYaml(join('overlays', name))));
  return structuredClone(cache.get(name));
}
