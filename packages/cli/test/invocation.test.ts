import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { selfCommand } from "../src/invocation.js";
import { repo, slipway } from "./_slipway.js";

/** `init`'s next step names a command that works where the user typed `slipway init`. */
describe("selfCommand", () => {
  const work = mkdtempSync(join(tmpdir(), "slipway-invocation-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const bin = join(repo, "packages/cli/bin/slipway.js");

  it("slipway when the slipway on PATH is this CLI (a global install links to its bin)", () => {
    const global = join(work, "global");
    mkdirSync(global);
    symlinkSync(bin, join(global, "slipway"));
    expect(selfCommand({ PATH: `${global}:/usr/bin` }, bin)).toBe("slipway");
  });

  it("not when another slipway comes first on PATH; then npx under npx, else node <bin>", () => {
    const other = join(work, "other");
    mkdirSync(other);
    writeFileSync(join(other, "slipway"), "#!/bin/sh\n");
    chmodSync(join(other, "slipway"), 0o755);
    expect(selfCommand({ PATH: other, npm_command: "exec" }, bin)).toBe("npx @slipway/cli");
    expect(selfCommand({ PATH: other }, bin)).toBe(`node ${bin}`);
    expect(selfCommand({ PATH: "" }, bin)).toBe(`node ${bin}`);
  });

  it("npm run slipway -- in this repository, with the config path (npm runs in the root)", () => {
    expect(selfCommand({ npm_lifecycle_event: "slipway" }, bin)).toBe("npm run slipway --");
    const dir = join(work, "p");
    const r = slipway(["init", dir], {
      env: { PATH: "/usr/bin:/bin", NO_COLOR: "1", npm_lifecycle_event: "slipway" },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`then run 'npm run slipway -- synth --config ${join(dir, "platform.yaml")}'`);
  });
});
