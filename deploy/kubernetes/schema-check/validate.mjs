// Validates Kubernetes objects against the OpenAPI schemas bundled in kubernetes-models (no cluster, no network):
// wrong types are errors; unknown fields and enum values are not checked (the schemas allow extra properties).
// Reads the YAML files named on the command line, or stdin. KubernetesSchemaIT runs it in mvn verify on the
// builds it writes to proxy/target/k8s-rendered (docs/DEPLOY.md):
//   npm ci && node validate.mjs ../../../proxy/target/k8s-rendered/*.yaml
import fs from "node:fs";
import * as yaml from "js-yaml";

// The API groups these manifests use, and where kubernetes-models keeps each group's classes.
const MODULES = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};

const inputs = process.argv.length > 2
  ? process.argv.slice(2).map((f) => [f, fs.readFileSync(f, "utf8")])
  : [["stdin", fs.readFileSync(0, "utf8")]];
let failed = 0;
let checked = 0;
for (const [source, text] of inputs) {
  for (const doc of yaml.loadAll(text)) {
    if (!doc) continue;
    const where = `${source}: ${doc.kind}/${doc.metadata?.name}`;
    const module = MODULES[doc.apiVersion];
    if (!module) {
      console.error(`${where}: apiVersion ${doc.apiVersion} has no schema here`);
      failed++;
      continue;
    }
    const Model = (await import(module))[doc.kind];
    if (!Model) {
      console.error(`${where}: no kind ${doc.kind} in ${doc.apiVersion}`);
      failed++;
      continue;
    }
    try {
      new Model(doc).validate();
      checked++;
    } catch (e) {
      console.error(`${where}: ${e.message}`);
      failed++;
    }
  }
}
console.log(`${checked} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
