/**
 * The cdk8s 2 program bench/synth compares Slipway against:
 *   node bench/synth/cdk8s-app.ts <repo> <outdir>
 * One Chart per service holding the same objects Slipway renders for it, synthesized with
 * FOLDER_PER_CHART_FILE_PER_RESOURCE (a folder per chart, a file per object: Slipway's layout).
 * Like Slipway, it reads services/*.yaml from the generated repository.
 */
import { ApiObject, App, Chart, YamlOutputType } from "cdk8s";

// Run as .ts (type stripping) or as the .mjs that bench/synth/run.ts strips it to; the type comes
// from the `.js` name that TypeScript maps to the same source.
const { readServices, serviceObjects } = (await import(
  new URL(import.meta.url.endsWith(".ts") ? "./objects.ts" : "./objects.mjs", import.meta.url).href
)) as typeof import("./objects.js");

const [repo, outdir] = process.argv.slice(2);
if (repo === undefined || outdir === undefined) {
  process.stderr.write("usage: node bench/synth/cdk8s-app.ts <repo> <outdir>\n");
  process.exit(2);
}

const app = new App({ outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
for (const s of readServices(repo)) {
  const chart = new Chart(app, s.name);
  for (const o of serviceObjects(s)) new ApiObject(chart, `${o.kind}-${o.metadata.name}`, o);
}
app.synth();
