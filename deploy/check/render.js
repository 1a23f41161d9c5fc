// Renders a kustomize folder of deploy/ with `kubectl kustomize` (offline: no cluster is asked)
// and returns its objects as plain JavaScript values, in the order kustomize prints them.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const DEPLOY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OVERLAYS = ['short-tasks', 'long-tasks', 'gke'];

// Every folder under deploy/ with a kustomization.yaml (base, overlays, and those other parts
// add, such as deploy/monitoring), relative to deploy/; node_modules is not searched.
export function kustomizations(dir = DEPLOY_DIR) {
  const found = existsSync(join(dir, 'kustomization.yaml')) ? [relative(DEPLOY_DIR, dir)] : [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'node_modules') {
      found.push(...kustomizations(join(dir, entry.name)));
    }
  }
  return found.sort();
}

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
