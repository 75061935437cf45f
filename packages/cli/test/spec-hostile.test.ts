import { describe, expect, it } from "vitest";
import { put, snapshot, tempDir } from "../../core/test/write/helpers.js";
import { HELLO, slipway, writeTinyPlatform } from "./_slipway.js";

// Issue 16 (low): hostile spec files through the real binary. Each exited 70 ("internal error")
// or echoed raw escape sequences to the terminal before the input limits and escaping.

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function run(service: string) {
  const root = tempDir("slipway-hostile-");
  writeTinyPlatform(root, { hello: service });
  const before = snapshot(root);
  const r = slipway(["synth"], { cwd: root });
  expect(snapshot(root)).toEqual(before);
  return r;
}

describe("slipway synth on hostile spec files", () => {
  it.each([
    [
      "deep flow nesting (8.5 KB)",
      "SW_SPEC_TOO_DEEP",
      `${HELLO}  env: ${"[".repeat(4200)}${"]".repeat(4200)}\n`,
    ],
    ["deep block nesting on one line", "SW_SPEC_TOO_DEEP", `${"- ".repeat(4000)}x\n`],
    [
      "an alias bomb",
      "SW_SPEC_ALIAS",
      `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${"*a, ".repeat(9)}*a]\nc: &c [${"*b, ".repeat(9)}*b]\nd: &d [${"*c, ".repeat(9)}*c]\n${HELLO}`,
    ],
    ["an undefined alias", "SW_SPEC_ALIAS", HELLO.replace("port: 8080", "port: *nope")],
    [
      "a 1.1 MB value",
      "SW_SPEC_TOO_LARGE",
      HELLO.replace("subdomain: hello", `subdomain: ${"x".repeat(1_100_000)}`),
    ],
  ])("%s exits 2 with %s located in the file, the tree untouched", (_, code, service) => {
    const r = run(service);
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^services/hello\\.yaml:\\d+:\\d+: error ${code}: `, "m"));
    expect(r.stderr).toContain("hint:");
    expect(r.stderr.length).toBeLessThan(5000);
  });

  it("a corrupt file just under the size limit (256 KiB) reports its first errors in seconds, not minutes", () => {
    const started = performance.now();
    const r = run(`${HELLO}${'  - ]:{"x\n\t[: &\n'.repeat(15_000)}`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SW_YAML_MORE_ERRORS");
    expect(r.stderr.match(/error SW_YAML_SYNTAX/g)?.length).toBeLessThanOrEqual(20);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("escape sequences and control characters in keys and values are shown escaped, never raw", () => {
    const hostile = HELLO.replace(
      "port: 8080",
      'port: "80\\e[2J\\u009b31m"\n  \x1b]0;pwned\x07key: 1\n  sub\rdomain: x',
    );
    const r = run(hostile);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SW_SPEC_TYPE|SW_SPEC_UNKNOWN_KEY/);
    expect(r.stderr).toContain("\\u001b");
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });

  it("a file name with an escape sequence is shown escaped", () => {
    const root = tempDir("slipway-hostile-");
    writeTinyPlatform(root, {});
    put(root, { "services/\x1b[2Jx.yaml": "a: [1\n" });
    const r = slipway(["synth"], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("services/\\u001b[2Jx.yaml:");
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });
});
