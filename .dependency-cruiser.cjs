// Module boundaries of packages/*/src, checked by `npm run lint:deps` (part of `npm run lint`; .ci/run
// runs it after biome).
// Why each rule, and why these exceptions: docs/adr/0016-module-boundaries.md.

// One regular expression for a list: dependency-cruiser joins the lists of from/to itself, not those
// of viaOnly.
const any = (list) => list.map((re) => `(${re})`).join("|");

const SRC = "^packages/[^/]+/src/";
const CORE = "^packages/core/src/";
const COMPONENTS = `${CORE}components/`;
const CONTRACT = `${COMPONENTS}[^/]+/contract\\.ts$`;

// Type-only knots of the pipeline, erased at runtime (the no-circular-at-runtime rule has no
// exceptions): the error catalogue derives the policy codes from the registered policies, which
// report through it; the platform schema is built from the components' config schemas, and a
// component's types name the parsed spec.
const TYPE_KNOTS = [`${CORE}errors\\.ts$`, `${CORE}config/schema\\.ts$`];

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular-at-runtime",
      severity: "error",
      comment: "A cycle of value imports: module evaluation order decides what is undefined. No exceptions.",
      from: { path: SRC },
      to: {
        circular: true,
        dependencyTypesNot: ["type-only"],
        viaOnly: { dependencyTypesNot: ["type-only"] },
      },
    },
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle of imports, type-only ones included: the modules can only be understood together.",
      from: { path: SRC },
      to: { circular: true, viaOnly: { pathNot: any(TYPE_KNOTS) } },
    },
    {
      name: "component-via-contract",
      severity: "error",
      comment: "A component uses another only through that component's contract.ts.",
      from: { path: `${COMPONENTS}([^/]+)/` },
      to: { path: COMPONENTS, pathNot: [`${COMPONENTS}$1/`, CONTRACT] },
    },
    {
      name: "contract-is-light",
      severity: "error",
      comment:
        "A contract imports only render/, config/, the errors and other contracts: never a component's internals or index.ts, its own included.",
      from: { path: CONTRACT },
      to: {
        path: "^packages/",
        pathNot: [`${CORE}(render|config)/`, `${CORE}(diagnostics|errors)\\.ts$`, CONTRACT],
      },
    },
    {
      name: "pipeline-via-contract",
      severity: "error",
      comment: "Core outside components/ uses a component only through its contract.ts.",
      from: { path: CORE, pathNot: COMPONENTS },
      to: { path: COMPONENTS, pathNot: [CONTRACT, `${COMPONENTS}index\\.ts$`] },
    },
    {
      name: "registry-from-composition-roots",
      severity: "error",
      comment:
        "The component list is read by the composition roots only: synth, init, the schema generator and the package API.",
      from: {
        path: CORE,
        pathNot: [
          `${CORE}(index|synth)\\.ts$`,
          `${CORE}init/init\\.ts$`,
          `${CORE}config/gen-schemas\\.ts$`,
          COMPONENTS,
        ],
      },
      to: { path: `${COMPONENTS}index\\.ts$` },
    },
    {
      name: "no-reaching-into-packages",
      severity: "error",
      comment: "A package uses another through its name and exports (@slipway/core), never through its src/.",
      from: { path: "^packages/([^/]+)/src/" },
      to: { path: SRC, pathNot: "^packages/$1/src/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "Every relative import resolves: an unresolved one would be an edge this check cannot see.",
      from: { path: SRC },
      to: { couldNotResolve: true, path: "^[.]" },
    },
  ],
  options: {
    // typescript 7 has no JavaScript API for dependency-cruiser to parse with; swc parses TypeScript
    // and reports `import type` too, as dependencyType "type-only" (tsPreCompilationDeps, which
    // asks for tsc, is not needed for that).
    parser: "swc",
    // Another package is reached through its built dist/ (package exports): not cruised.
    exclude: { path: "^packages/[^/]+/dist/" },
    doNotFollow: { path: "node_modules" },
  },
};
