import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { policies } from "../check/policies/index.js";
import { components } from "../components/index.js";
import { errorReference } from "../docs/errors.js";
import { componentReference, specReference } from "../docs/reference.js";
import { jsonSchemas } from "./json-schema.js";

// `npm run gen`: rewrites packages/core/schemas/*.schema.json from the zod schemas and the
// registered components. CI regenerates and fails on a diff; the golden test does the same offline.
const dir = join(import.meta.dirname, "../../schemas");
mkdirSync(dir, { recursive: true });
for (const f of jsonSchemas(components)) {
  writeFileSync(join(dir, f.path), f.content);
  process.stdout.write(`wrote packages/core/schemas/${f.path}\n`);
}

// The component reference lives with the docs; same source, same staleness test.
const reference = join(import.meta.dirname, "../../../../docs/reference/components.md");
mkdirSync(join(reference, ".."), { recursive: true });
writeFileSync(reference, componentReference(components));
process.stdout.write("wrote docs/reference/components.md\n");

const specRef = join(import.meta.dirname, "../../../../docs/reference/services.md");
writeFileSync(specRef, specReference(components));
process.stdout.write("wrote docs/reference/services.md\n");

const errorsRef = join(import.meta.dirname, "../../../../docs/reference/errors.md");
writeFileSync(errorsRef, errorReference(policies));
process.stdout.write("wrote docs/reference/errors.md\n");
