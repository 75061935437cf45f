import { z } from "zod";
import { commonContributors } from "../../common/contributors.js";
import { textFile } from "../../files.js";
import { BASE_IMAGES } from "../../models/images.js";
import { ACTIONS } from "../../models/workflow.js";
import { commonShape } from "../../parameters.js";
import { definePreset } from "../../preset.js";
import { formatJson as json } from "../../text.js";
import { projectLockfile } from "./lockfile.js";
import { nodeServicePackageJson } from "./manifest.js";
import * as t from "./templates.js";

const compilerOptions = {
  target: "es2024",
  lib: ["es2024"],
  module: "nodenext",
  moduleResolution: "nodenext",
  types: ["node"],
  strict: true,
  noUncheckedIndexedAccess: true,
  // Node runs the sources directly (type stripping) in tests and `npm run dev`; tsc builds dist/.
  erasableSyntaxOnly: true,
  verbatimModuleSyntax: true,
  rewriteRelativeImportExtensions: true,
  skipLibCheck: true,
  noEmit: true,
};

export const nodeService = definePreset({
  id: "node-service",
  name: "Node.js service (TypeScript)",
  description: "TypeScript on Node 24: HTTP server with health endpoints, OIDC login, OpenTelemetry, tests.",
  version: "1.0.0",
  componentType: "service",
  parameters: z.strictObject(commonShape),
  contributors: [
    {
      id: "node-sources",
      contribute: (d) => [
        textFile("src/config.ts", t.configTs(d.parameters.name, d.parameters.port)),
        textFile("src/app.ts", t.appTs()),
        textFile("src/oidc.ts", t.oidcTs()),
        textFile("src/telemetry.ts", t.telemetryTs()),
        textFile("src/server.ts", t.serverTs()),
        textFile("test/app.test.ts", t.appTestTs()),
      ],
    },
    {
      id: "node-build",
      contribute: (d) => [
        textFile("package.json", json(nodeServicePackageJson(d.parameters.name))),
        textFile("package-lock.json", projectLockfile(d.parameters.name)),
        textFile("tsconfig.json", json({ compilerOptions, include: ["src", "test"] })),
        textFile(
          "tsconfig.build.json",
          json({
            extends: "./tsconfig.json",
            compilerOptions: { noEmit: false, rootDir: "src", outDir: "dist", sourceMap: true },
            include: ["src"],
          }),
        ),
        textFile(
          "biome.json",
          json({
            $schema: "./node_modules/@biomejs/biome/configuration_schema.json",
            vcs: { enabled: true, clientKind: "git", useIgnoreFile: true },
            files: { includes: ["src/**", "test/**"] },
            formatter: { enabled: true, indentStyle: "space", indentWidth: 2, lineWidth: 120 },
            linter: { enabled: true, rules: { preset: "recommended" } },
          }),
        ),
        textFile(".node-version", "24\n"),
        // npm refuses to install on a Node older than `engines` says instead of failing later.
        textFile(".npmrc", "engine-strict=true\n"),
        textFile("scripts/require-node.mjs", t.requireNodeMjs()),
        textFile(".dockerignore", "node_modules/\ndist/\n.git/\n.github/\n*.md\n"),
      ],
    },
    {
      id: "node-models",
      customize({ gitignore, workflow, dockerfile, readme, env }, d) {
        const port = d.parameters.port;
        gitignore.add("Node", "node_modules/", "dist/", "coverage/", "*.log").add("OS", ".DS_Store");
        workflow.step(
          { uses: ACTIONS.setupNode, with: { "node-version-file": ".node-version", cache: "npm" } },
          { run: "npm ci" },
          { run: "npm run lint" },
          { run: "npm test" },
          { run: "npm run build" },
        );
        workflow.updateEcosystems.add("npm");
        dockerfile
          .stage({
            name: "build",
            from: BASE_IMAGES.node24Slim,
            instructions: [
              "WORKDIR /app",
              "COPY package.json package-lock.json ./",
              "RUN npm ci",
              "COPY tsconfig.json tsconfig.build.json ./",
              "COPY src ./src",
              "RUN npm run build && npm prune --omit=dev",
            ],
          })
          .stage({
            from: BASE_IMAGES.node24Slim,
            instructions: [
              "ENV NODE_ENV=production",
              "WORKDIR /app",
              "COPY --from=build /app/package.json ./",
              "COPY --from=build /app/node_modules ./node_modules",
              "COPY --from=build /app/dist ./dist",
              // The image's `node` user, by id so Kubernetes can verify runAsNonRoot.
              "USER 1000:1000",
              `ENV PORT=${port}`,
              `EXPOSE ${port}`,
              'CMD ["node", "dist/server.js"]',
            ],
          });
        env.add(
          { name: "PORT", description: "HTTP port", default: String(port) },
          {
            name: "PUBLIC_URL",
            description: "URL users reach the service at (OIDC redirect base; https makes cookies Secure)",
            default: `http://localhost:${port}`,
          },
          { name: "OIDC_ISSUER_URL", description: "OIDC issuer; unset disables login", default: "" },
          { name: "OIDC_CLIENT_ID", description: "OIDC client id registered for this service" },
          { name: "OIDC_CLIENT_SECRET", description: "OIDC client secret" },
          {
            name: "OTEL_EXPORTER_OTLP_ENDPOINT",
            description: "OTLP endpoint; unset disables telemetry",
            default: "",
          },
        );
        readme.section({
          id: "run",
          title: "Run locally",
          order: 10,
          body: [
            "Needs Node 24 (`.node-version`): on older Node `npm ci` stops with `EBADENGINE` (`.npmrc` sets",
            "`engine-strict`) and `npm test`/`npm run dev` stop with a message saying so.",
            "",
            "```sh",
            "npm ci",
            "npm run dev          # node --watch, runs the TypeScript sources directly",
            `curl -s localhost:${port}/healthz`,
            "npm run lint && npm test && npm run build && npm start",
            "```",
            "",
            "Without `OIDC_ISSUER_URL` login is disabled and `/api/me` answers anonymously; with it,",
            "`/login` runs the authorization code flow (PKCE, state, nonce) against the issuer and",
            "`<PUBLIC_URL>/auth/callback` is the redirect URI. On the platform the Deployment sets",
            "`PUBLIC_URL=https://<subdomain>.<domain>`, exactly the origin of the redirect URI the platform",
            "registers for the service's client, and an https `PUBLIC_URL` makes the session cookie `Secure`",
            "(always `HttpOnly; SameSite=Lax; Path=/`). In the image (`NODE_ENV=production`) login without",
            "`PUBLIC_URL` refuses to start. `/readyz` turns ready once the issuer's discovery document was",
            "fetched.",
          ].join("\n"),
        });
        readme.section({
          id: "otel",
          title: "Observability",
          order: 40,
          body: [
            "`src/telemetry.ts` starts the OpenTelemetry Node SDK when `OTEL_EXPORTER_OTLP_ENDPOINT` is set",
            "(the platform points it at its collector); each request is a server span. The other standard",
            "`OTEL_*` variables configure protocol, sampling and resource attributes.",
          ].join("\n"),
        });
      },
    },
    ...commonContributors("service"),
  ],
});
