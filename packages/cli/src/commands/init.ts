import { join } from "node:path";
import { initPlatform } from "@slipway/core";
import { defineCommand } from "citty";
import { EXIT, out } from "../format.js";
import { selfCommand } from "../invocation.js";

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
    const self = selfCommand();
    // `npm run` runs in the repository root, whatever the shell's directory: name the config instead.
    const next =
      self === "npm run slipway --"
        ? `${self} synth --config ${join(args.dir, "platform.yaml")}`
        : `${args.dir === "." ? "" : `cd ${args.dir} && `}${self} synth`;
    out(
      `created a platform repository in ${args.dir}: edit platform.yaml (github.owner, git.repoURL, domain), then run '${next}'\n`,
    );
    return EXIT.ok;
  },
});
