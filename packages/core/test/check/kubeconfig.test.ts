import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { apiServerFromKubeconfig } from "../../src/check/kubeconfig.js";
import { InputError } from "../../src/diagnostics.js";
import { toYaml } from "../../src/render/yaml.js";

const dir = mkdtempSync(join(tmpdir(), "slipway-kubeconfig-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kubeconfig = (user: Record<string, unknown>) => {
  const path = join(dir, "config");
  writeFileSync(
    path,
    toYaml({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "c",
      contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
      clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:6443" } }],
      users: [{ name: "u", user }],
    }),
  );
  return path;
};

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics.map((d) => `${d.code} ${d.location?.file}`);
    throw e;
  }
  return [];
};

describe("apiServerFromKubeconfig", () => {
  it("reads a tokenFile relative to the kubeconfig", () => {
    writeFileSync(join(dir, "token"), "abc\n");
    expect(apiServerFromKubeconfig({ path: kubeconfig({ tokenFile: "token" }) }).token).toBe("abc");
  });

  // Like a missing certificate file: the kubeconfig's fault (exit 2 with a code), not an internal error.
  it.each([
    ["tokenFile", { tokenFile: "missing-token" }],
    ["client-certificate", { "client-certificate": "missing.crt" }],
  ])("a %s that cannot be read is SW_KUBECONFIG at the kubeconfig", (_, user) => {
    const path = kubeconfig(user);
    expect(codeOf(() => apiServerFromKubeconfig({ path }))).toEqual([`SW_KUBECONFIG ${path}`]);
  });
});
