import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { check } from "../../src/check/check.js";
import { allowedDifference, ENVIRONMENT_DIFFERENCES } from "../../src/render/environments.js";
import { renderPlatform } from "../../src/synth.js";
import { SCHEMA_DIR } from "../check/helpers.js";
import { exampleVariant } from "../helpers/example-variant.js";

const ACCOUNT = "123456789012";
/** The example platform on each distribution, with every distribution-specific setting in use. */
const CLUSTERS: Record<string, Record<string, unknown>> = {
  k3s: { distribution: "k3s" },
  kubeadm: { distribution: "kubeadm", storageClass: "longhorn" },
  eks: {
    distribution: "eks",
    aws: {
      region: "eu-west-1",
      ingress: {
        type: "nlb",
        certificateArn: `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
      },
      vaultIam: { mode: "irsa", roleArn: `arn:aws:iam::${ACCOUNT}:role/vault-unseal` },
    },
  },
};

function render(cluster: Record<string, unknown>) {
  const session = renderPlatform(exampleVariant(cluster));
  const files = [...session.files];
  return { files, apps: session.apps, tree: new Map(files.map((f) => [f.path, f.content])) };
}

type Leaf = { path: (string | number)[]; value: unknown };

/** Every leaf of a parsed document, with its path. */
function leaves(v: unknown, path: (string | number)[] = [], out: Leaf[] = []): Leaf[] {
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) leaves(x, [...path, i], out);
  } else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) leaves(x, [...path, k], out);
  } else out.push({ path, value: v });
  return out;
}

/** The paths at which two files differ: document index first, then the path inside it. */
function differingPaths(a: string, b: string): (string | number)[][] {
  const docs = (s: string) => parseAllDocuments(s).map((d) => d.toJS() as unknown);
  const [da, db] = [docs(a), docs(b)];
  const out: (string | number)[][] = [];
  for (let i = 0; i < Math.max(da.length, db.length); i++) {
    const la = new Map(leaves(da[i]).map((l) => [JSON.stringify(l.path), l.value]));
    const lb = new Map(leaves(db[i]).map((l) => [JSON.stringify(l.path), l.value]));
    for (const k of new Set([...la.keys(), ...lb.keys()])) {
      if (JSON.stringify(la.get(k)) !== JSON.stringify(lb.get(k))) out.push(JSON.parse(k));
    }
  }
  return out;
}

/** Every difference between two trees, as `file path` strings, each with the allow-list entry admitting it. */
function differences(a: Map<string, string>, b: Map<string, string>) {
  const out: { at: string; allowed: ReturnType<typeof allowedDifference> }[] = [];
  for (const file of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const [ca, cb] = [a.get(file), b.get(file)];
    if (ca === cb) continue;
    if (ca === undefined || cb === undefined || !/\.ya?ml$/.test(file)) {
      out.push({ at: file, allowed: allowedDifference(file, undefined) });
      continue;
    }
    for (const p of differingPaths(ca, cb)) {
      out.push({ at: `${file} ${p.join(".")}`, allowed: allowedDifference(file, p) });
    }
  }
  return out;
}

describe("one platform on K3s, kubeadm and EKS", () => {
  const rendered = Object.fromEntries(Object.entries(CLUSTERS).map(([d, c]) => [d, render(c)]));
  const trees = Object.fromEntries(Object.entries(rendered).map(([d, r]) => [d, r.tree]));
  const k3s = trees.k3s as Map<string, string>;
  const pairs = [
    ["k3s", "kubeadm"],
    ["k3s", "eks"],
    ["kubeadm", "eks"],
  ] as const;
  const all = pairs.flatMap(([x, y]) =>
    differences(trees[x] as Map<string, string>, trees[y] as Map<string, string>),
  );

  it("differs only where the allow-list says, each difference for a reason", () => {
    expect(all.filter((d) => !d.allowed).map((d) => d.at)).toEqual([]);
  });

  it("uses every allow-list entry: none is stale", () => {
    const used = new Set(all.map((d) => d.allowed));
    expect(ENVIRONMENT_DIFFERENCES.filter((e) => !used.has(e)).map((e) => `${e.file} ${e.path}`)).toEqual([]);
  });

  it.each(Object.keys(CLUSTERS))(
    "passes check on %s: schemas (values of Traefik and Vault too) and policies",
    async (d) => {
      const r = rendered[d] as ReturnType<typeof render>;
      const { diagnostics, stats } = await check(
        { files: r.files, apps: r.apps },
        { schemaDir: SCHEMA_DIR, kubernetesVersion: "1.32" },
      );
      expect(
        diagnostics
          .filter((x) => x.severity === "error")
          .map((x) => `${x.location?.file} ${x.code} ${x.message}`),
      ).toEqual([]);
      expect(stats.unvalidatedKinds).toEqual([]);
    },
  );

  it("renders the storage each distribution needs", () => {
    const sc = (t: Map<string, string>) =>
      parseAllDocuments(t.get("k8s/helm/values/vault.yaml") ?? "")[0]?.toJS().server.dataStorage.storageClass;
    expect(sc(k3s)).toBe("local-path");
    expect(sc(trees.kubeadm as Map<string, string>)).toBe("longhorn");
    expect(sc(trees.eks as Map<string, string>)).toBe("gp3");
    const eks = trees.eks as Map<string, string>;
    const gp3 = [...eks.entries()].find(([p]) => p.startsWith("k8s/helm/manifests/storage/"));
    expect(gp3?.[0]).toBe("k8s/helm/manifests/storage/storageclass-gp3.yaml");
    expect(parseAllDocuments(gp3?.[1] ?? "")[0]?.toJS()).toMatchObject({
      kind: "StorageClass",
      provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true" },
      volumeBindingMode: "WaitForFirstConsumer",
    });
    expect([...k3s.keys()].some((p) => p.includes("/storage"))).toBe(false);
  });
});
