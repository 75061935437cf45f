import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { placeholderDiagnostics } from "../../src/check/placeholders.js";
import { initPlatform } from "../../src/init/init.js";
import { prepare } from "../../src/synth.js";

/** `check` flags what `slipway init` writes when not told otherwise (issue 11, part 4). */
describe("placeholder owner, repository and domain", () => {
  const work = mkdtempSync(join(tmpdir(), "slipway-placeholders-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const diagnosticsOf = (name: string, opts: Parameters<typeof initPlatform>[1]) => {
    const dir = join(work, name);
    initPlatform(dir, opts);
    const { spec } = prepare(join(dir, "platform.yaml"));
    return placeholderDiagnostics(spec.platform, spec.configFile);
  };

  it("warns at each placeholder init wrote, in platform.yaml at its line and column, with a hint", () => {
    const found = diagnosticsOf("default", {});
    expect(found.map((d) => [d.code, d.severity, d.path.join(".")])).toEqual([
      ["SW_CHECK_PLACEHOLDER", "warning", "spec.github.owner"],
      ["SW_CHECK_PLACEHOLDER", "warning", "spec.git.repoURL"],
      ["SW_CHECK_PLACEHOLDER", "warning", "spec.domain"],
    ]);
    for (const d of found) {
      expect(d.location?.file).toMatch(/platform\.yaml$/);
      expect(d.location?.line).toBeGreaterThan(1);
      expect(d.location?.col).toBeGreaterThan(1);
      expect(d.hint).toMatch(/slipway init --(owner|repo|domain)/);
    }
  });

  it("says nothing once they are the user's own", () => {
    expect(
      diagnosticsOf("own", {
        owner: "meirongdev",
        repo: "https://github.com/meirongdev/homelab.git",
        domain: "meirong.dev",
      }),
    ).toEqual([]);
  });

  it("a repository of the placeholder owner alone is flagged too", () => {
    const found = diagnosticsOf("repo", {
      owner: "meirongdev",
      domain: "meirong.dev",
      repo: "https://github.com/example/x.git",
    });
    expect(found.map((d) => d.path.join("."))).toEqual(["spec.git.repoURL"]);
  });
});
