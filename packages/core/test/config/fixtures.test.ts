import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { type Diagnostic, formatPath, prepare, SlipwayError } from "../../src/index.js";

/**
 * The fixture matrix (issue 2, item 3): every invalid case names the code, the file, the YAML path
 * and the `line:col` of each problem it must produce — nothing more, nothing less. Valid cases
 * must load and resolve with zero diagnostics. `prepare()` runs the whole front half of synth, so
 * problems raised by the dependency graph (cycles) are covered too.
 */
const base = join(import.meta.dirname, "../fixtures/spec");

interface Expected {
  readonly code: string;
  /** File relative to the case directory; omitted when the problem has no location. */
  readonly file?: string;
  readonly path: string;
  readonly at?: string;
  /** The key or value a "did you mean" hint must name. */
  readonly suggest?: string;
}

const P = "platform.yaml";
const WEB = "services/web.yaml";

const invalid: Record<string, readonly Expected[]> = {
  "yaml-syntax": [{ code: "SW_YAML_SYNTAX", file: P, path: "", at: "8:3" }],
  "duplicate-key": [{ code: "SW_YAML_DUPLICATE_KEY", file: P, path: "", at: "8:3" }],
  "tab-indentation": [{ code: "SW_YAML_SYNTAX", file: P, path: "", at: "11:1" }],
  "multiple-documents": [{ code: "SW_YAML_SYNTAX", file: P, path: "", at: "18:1" }],
  "not-a-mapping": [{ code: "SW_SPEC_NOT_MAPPING", file: P, path: "", at: "2:1" }],
  "empty-file": [{ code: "SW_SPEC_EMPTY", file: P, path: "", at: "1:1" }],
  "missing-platform": [{ code: "SW_CONFIG_NOT_FOUND", path: "" }],
  "wrong-api-version": [{ code: "SW_SPEC_API_VERSION", file: P, path: "apiVersion", at: "2:13" }],
  "wrong-kind": [{ code: "SW_SPEC_KIND", file: P, path: "kind", at: "3:7" }],
  "service-wrong-kind": [{ code: "SW_SPEC_KIND", file: WEB, path: "kind", at: "3:7" }],
  "wrong-type-port": [{ code: "SW_SPEC_TYPE", file: WEB, path: "spec.port", at: "8:9" }],
  "wrong-type-enabled": [
    { code: "SW_SPEC_TYPE", file: P, path: "spec.components.gateway.enabled", at: "20:16" },
  ],
  "wrong-type-cpu": [{ code: "SW_SPEC_TYPE", file: P, path: "spec.cluster.nodes[0].cpu", at: "16:14" }],
  "empty-value": [{ code: "SW_SPEC_TYPE", file: WEB, path: "spec.port", at: "8:8" }],
  "unknown-component-key": [
    {
      code: "SW_SPEC_UNKNOWN_KEY",
      file: P,
      path: "spec.components.gateway.enabeld",
      at: "20:7",
      suggest: "enabled",
    },
  ],
  "unknown-component": [
    { code: "SW_SPEC_UNKNOWN_KEY", file: P, path: "spec.components.gatway", at: "19:5", suggest: "gateway" },
  ],
  "unknown-service-key": [
    { code: "SW_SPEC_UNKNOWN_KEY", file: WEB, path: "spec.replcias", at: "9:3", suggest: "replicas" },
  ],
  "enum-value": [
    { code: "SW_SPEC_VALUE", file: P, path: "spec.cluster.distribution", at: "13:19", suggest: "k3s" },
  ],
  // kubeadm ships no provisioner: no StorageClass to default to (ADR 0014).
  "kubeadm-without-storage-class": [
    { code: "SW_SPEC_STORAGE_CLASS_REQUIRED", file: P, path: "spec.cluster.distribution", at: "13:19" },
  ],
  "aws-not-eks": [{ code: "SW_SPEC_AWS_NOT_EKS", file: P, path: "spec.cluster.aws", at: "19:7" }],
  "bad-domain": [{ code: "SW_SPEC_FORMAT", file: P, path: "spec.domain", at: "7:11" }],
  "bad-repo-url": [{ code: "SW_SPEC_FORMAT", file: P, path: "spec.git.repoURL", at: "9:14" }],
  "image-latest": [{ code: "SW_SPEC_IMAGE_LATEST", file: WEB, path: "spec.image", at: "7:10" }],
  "update-constraint-exact": [
    { code: "SW_SPEC_UPDATE_CONSTRAINT_EXACT", file: WEB, path: "spec.updateConstraint", at: "7:21" },
  ],
  "update-constraint-equals": [
    { code: "SW_SPEC_FORMAT", file: WEB, path: "spec.updateConstraint", at: "7:21" },
  ],
  "update-constraint-unused": [
    { code: "SW_SPEC_UPDATE_CONSTRAINT_UNUSED", file: WEB, path: "spec.updateConstraint", at: "7:21" },
  ],
  "image-untagged": [{ code: "SW_SPEC_IMAGE_UNPINNED", file: WEB, path: "spec.image", at: "7:10" }],
  "bad-memory-quantity": [
    { code: "SW_SPEC_FORMAT", file: WEB, path: "spec.resources.requests.memory", at: "10:35" },
  ],
  "bad-cpu-quantity": [
    { code: "SW_SPEC_FORMAT", file: WEB, path: "spec.resources.requests.cpu", at: "11:12" },
  ],
  // Missing fields point at the mapping that lacks them.
  "missing-nodes": [{ code: "SW_SPEC_REQUIRED", file: P, path: "spec.cluster.nodes", at: "12:3" }],
  "missing-image": [{ code: "SW_SPEC_REQUIRED", file: WEB, path: "spec.image", at: "6:1" }],
  "empty-nodes": [{ code: "SW_SPEC_RANGE", file: P, path: "spec.cluster.nodes", at: "14:12" }],
  "port-out-of-range": [{ code: "SW_SPEC_RANGE", file: WEB, path: "spec.port", at: "8:9" }],
  "bad-env-name": [{ code: "SW_SPEC_FORMAT", file: WEB, path: "spec.env.log-format", at: "11:5" }],
  "duplicate-service-name": [
    { code: "SW_SPEC_DUPLICATE_NAME", file: "services/web.yml", path: "metadata.name", at: "5:9" },
  ],
  "duplicate-subdomain": [
    { code: "SW_SPEC_DUPLICATE_SUBDOMAIN", file: WEB, path: "spec.subdomain", at: "9:14" },
  ],
  // spec.access (SSO groups, ADR 0012): roles name declared groups, groups name declared services.
  "access-unknown-group": [
    { code: "SW_ACCESS_UNKNOWN_GROUP", file: P, path: "spec.access.vault.admin[0]", at: "29:15" },
  ],
  "access-unknown-service": [
    { code: "SW_ACCESS_UNKNOWN_SERVICE", file: P, path: "spec.access.groups[0].services[1]", at: "26:13" },
  ],
  "access-needs-identity": [{ code: "SW_ACCESS_NEEDS_IDENTITY", file: P, path: "spec.access", at: "18:3" }],
  "depends-on-unknown": [
    { code: "SW_SPEC_UNKNOWN_SERVICE", file: WEB, path: "spec.dependsOn[0]", at: "10:7" },
  ],
  // The invalid service's own error explains it; web's reference to it is not reported again.
  "depends-on-invalid-service": [
    { code: "SW_SPEC_RANGE", file: "services/api.yaml", path: "spec.port", at: "8:9" },
  ],
  "depends-on-cycle": [
    { code: "SW_DEP_CYCLE", file: "services/api.yaml", path: "spec.dependsOn", at: "9:14" },
  ],
  "component-dependency-disabled": [
    { code: "SW_DEP_DISABLED", file: P, path: "spec.components.cloudflare", at: "20:16" },
  ],
  "reloader-disabled": [
    {
      code: "SW_SPEC_RELOADER_DISABLED",
      file: P,
      path: "spec.components.dynamic-db.restartOnRotation",
      at: "21:26",
    },
  ],
  "file-name-mismatch": [{ code: "SW_SPEC_FILENAME_MISMATCH", file: WEB, path: "metadata.name", at: "5:9" }],
  "capability-disabled": [{ code: "SW_SPEC_CAPABILITY_DISABLED", file: WEB, path: "spec.auth", at: "9:9" }],
  "reserved-namespace": [
    { code: "SW_SPEC_RESERVED_NAMESPACE", file: WEB, path: "spec.namespace", at: "9:14" },
  ],
  "reserved-namespace-by-name": [
    {
      code: "SW_SPEC_RESERVED_NAMESPACE",
      file: "services/monitoring.yaml",
      path: "metadata.name",
      at: "5:9",
    },
  ],
};

function diagnosticsOf(dir: string): readonly Diagnostic[] {
  try {
    prepare(join(dir, "platform.yaml"));
    return [];
  } catch (e) {
    if (e instanceof SlipwayError) return e.diagnostics;
    throw e;
  }
}

const casesIn = (kind: string) => readdirSync(join(base, kind)).sort();

describe("spec fixture matrix", () => {
  it("has an expectation for every invalid fixture and a fixture for every expectation", () => {
    expect(casesIn("invalid")).toEqual(Object.keys(invalid).sort());
    expect(casesIn("invalid").length).toBeGreaterThanOrEqual(22);
    expect(casesIn("valid").length).toBeGreaterThanOrEqual(5);
  });

  describe.each(Object.entries(invalid))("invalid/%s", (name, expected) => {
    const dir = join(base, "invalid", name);
    it("reports exactly the expected problems at their positions", () => {
      const actual = diagnosticsOf(dir).map((d) => ({
        code: d.code,
        ...(d.location ? { file: relative(dir, d.location.file) } : {}),
        path: formatPath(d.path),
        ...(d.location ? { at: `${d.location.line}:${d.location.col}` } : {}),
      }));
      expect(actual).toEqual(expected.map(({ suggest: _, ...e }) => e));
    });
    it("gives every problem a hint, naming the likely intended spelling when there is one", () => {
      const ds = diagnosticsOf(dir);
      expect(ds.length).toBeGreaterThan(0);
      ds.forEach((d, i) => {
        expect(d.hint, d.code).toBeTruthy();
        const suggest = expected[i]?.suggest;
        if (suggest) expect(d.hint).toContain(`'${suggest}'`);
      });
    });
  });

  it.each(casesIn("valid"))("valid/%s loads with zero diagnostics", (name) => {
    expect(diagnosticsOf(join(base, "valid", name))).toEqual([]);
  });
});
