import { z } from "zod";
import { commonContributors } from "../../common/contributors.js";
import { executableFile, textFile } from "../../files.js";
import { BASE_IMAGES } from "../../models/images.js";
import { ACTIONS } from "../../models/workflow.js";
import { commonShape } from "../../parameters.js";
import { definePreset } from "../../preset.js";
import * as t from "./templates.js";

export const staticFrontend = definePreset({
  id: "static-frontend",
  name: "Static frontend",
  description: "A single-page site served by a hardened, non-root nginx; content-hashed assets, no bundler.",
  version: "1.0.0",
  componentType: "website",
  parameters: z.strictObject(commonShape),
  contributors: [
    {
      id: "site",
      contribute: (d) => [
        textFile("src/index.html", t.indexHtml(d.parameters.name, d.parameters.description)),
        textFile("src/assets/app.js", t.appJs(d.parameters.name)),
        textFile("src/assets/style.css", t.styleCss()),
        executableFile("scripts/build.mjs", t.buildMjs()),
        textFile("test/build.test.mjs", t.buildTest()),
        textFile("nginx.conf", t.nginxConf(d.parameters.port)),
        textFile(
          "package.json",
          `${JSON.stringify(
            {
              name: d.parameters.name,
              version: "0.1.0",
              private: true,
              type: "module",
              engines: { node: ">=24" },
              scripts: { build: "node scripts/build.mjs", test: "node --test" },
            },
            null,
            2,
          )}\n`,
        ),
        textFile(".dockerignore", "dist/\nnode_modules/\n.git/\n.github/\n*.md\n"),
      ],
    },
    {
      id: "site-models",
      customize({ gitignore, workflow, dockerfile, readme }, d) {
        const port = d.parameters.port;
        gitignore.add("Build output", "dist/", "node_modules/").add("OS", ".DS_Store");
        workflow.step(
          { uses: ACTIONS.setupNode, with: { "node-version": "24" } },
          { name: "Test", run: "npm test" },
          { name: "Build", run: "npm run build" },
        );
        dockerfile
          .stage({
            name: "build",
            from: BASE_IMAGES.node24Slim,
            instructions: [
              "WORKDIR /app",
              "COPY package.json ./",
              "COPY scripts ./scripts",
              "COPY src ./src",
              "COPY test ./test",
              "RUN node --test && node scripts/build.mjs",
            ],
          })
          .stage({
            from: BASE_IMAGES.nginxUnprivileged,
            instructions: [
              "COPY nginx.conf /etc/nginx/nginx.conf",
              "COPY --from=build /app/dist /usr/share/nginx/html",
              "USER 101:101",
              `EXPOSE ${port}`,
              'CMD ["nginx", "-p", "/usr/share/nginx/", "-c", "/etc/nginx/nginx.conf", "-g", "daemon off;"]',
            ],
          });
        readme.section({
          id: "run",
          title: "Run locally",
          order: 10,
          body: [
            "Edit `src/`; `npm run build` writes `dist/` with content-hashed assets (no dependencies).",
            "",
            "```sh",
            "npm test && npm run build",
            `docker build -t ${d.parameters.name} . && docker run --rm -p ${port}:${port} ${d.parameters.name}`,
            `curl -i localhost:${port}/healthz`,
            "```",
            "",
            "`nginx.conf` runs as a non-root user on an unprivileged port, sends no version token, serves",
            "`index.html` for client-side routes, caches `/assets/` forever (their names change with their",
            "content; a missing asset's 404 is `no-store`, never cached) and revalidates `index.html` on",
            "every load.",
          ].join("\n"),
        });
      },
    },
    ...commonContributors("website"),
  ],
});
