// Validates a rendered object against the schema of its apiVersion and kind, as published in
// the npm packages kubernetes-models (Kubernetes' own OpenAPI), @kubernetes-models/keda and
// @kubernetes-models/prometheus-operator (the projects' CRDs). An object of a kind none of
// them has is an error, not a pass: an unchecked object must not look checked.
// Their schemas, like the API server's, allow unknown fields: a misspelt optional field is not
// caught here (the rules in rules.js read the fields that matter by name).

// Where each package keeps a model: <package>/<group>/<version>/<Kind> (core: <package>/v1/<Kind>).
const PACKAGES = [
  'kubernetes-models',
  '@kubernetes-models/keda',
  '@kubernetes-models/prometheus-operator',
];

async function findModel(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return null;
  if (!/^[A-Za-z0-9.\-/]+$/.test(apiVersion) || !/^[A-Za-z0-9]+$/.test(kind)) return null;
  for (const pkg of PACKAGES) {
    let module;
    try {
      module = await import(`${pkg}/${apiVersion}/${kind}`);
    } catch (error) {
      if (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
        continue;
      }
      throw error;
    }
    const model = module[kind];
    // The packages also export sub-types (v1/Affinity): only a top-level kind counts.
    if (model && model.apiVersion === apiVersion && model.kind === kind) return model;
  }
  return null;
}

export function describe(object) {
  return `${object?.kind ?? '(no kind)'} ${object?.metadata?.name ?? '(no name)'}`;
}

// Resolves to a list of problems (empty: valid).
export async function validateObject(object) {
  const model = await findModel(object?.apiVersion, object?.kind);
  if (model === null) {
    return [`${describe(object)}: no schema for apiVersion ${object?.apiVersion} kind ${object?.kind}`];
  }
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [`${describe(object)}: ${error.message}`];
  }
}
