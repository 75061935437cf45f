import { initPlatform } from "@slipway/core";
import { defineCommand } from "citty";
import { EXIT, out } from "../format.js";

export const initCommand = defineCommand({
  meta: {
    name: "init",
    description:
      "Write a commented starter platform repository (platform.yaml, services/hello.yaml, README, .gitignore); never overwrites a file",
  },
  args: {
    dir: { type: "positional", description: "Directory to create it in", default: ".", required: false },
    domain: {
      type: "string",
      description: "The platform's domain (default: example.com)",
      valueHint: "domain",
    },
    owner: {
      type: "string",
      description: "GitHub user or organisation (default: example)",
      valueHint: "login",
    },
    repo: {
      type: "string",
      description: "The platform repository's URL (default: https://github.com/<owner>/platform.git)",
      valueHint: "url",
    },
  },
  run({ args }) {
    const { files } = initPlatform(args.dir, {
      ...(args.domain !== undefined ? { domain: args.domain } : {}),
      ...(args.owner !== undefined ? { owner: args.owner } : {}),
      ...(args.repo !== undefined ? { repo: args.repo } : {}),
    });
    for (const f of files) out(`+ ${f}\n`);
    const cd = args.dir === "." ? "" : `cd ${args.dir} && `;
    out(`created a platform repository in ${args.dir}: edit platform.yaml, then run '${cd}slipway synth'\n`);
    return EXIT.ok;
  },
});
