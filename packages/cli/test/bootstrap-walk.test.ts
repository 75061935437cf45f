import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KubeClient } from "../../core/src/check/server.js";
import { passwordEnv } from "../../core/src/components/postgres/sql.js";
import { startApiServer, type TestApiServer, writeKubeconfig } from "../../core/test/helpers/apiserver.js";
import { freePort } from "../../core/test/helpers/net.js";
import { startPostgres, type TestPostgres } from "../../core/test/helpers/postgres.js";
import { CHARTS_DIR, tool } from "../../core/test/helpers/tools.js";
import {
  localServerConfig,
  startVaultServer,
  type TestVault,
  type TestVaultServer,
  vaultRequest,
} from "../../core/test/helpers/vault.js";
import { type Attrs, TerraformStandIn, type TfJson } from "../../core/test/helpers/vault-terraform.js";
import { repo, slipway } from "./_slipway.js";

/**
 * `slipway bootstrap` walked end to end on the real tools this machine has, for examples/homelab
 * (rendered tree copied to a temporary directory, so `tofu init` writes nothing into the repository):
 *
 * | step | here |
 * |---|---|
 * | k3s | **real** kube-apiserver + etcd (no kubelet: no pod ever runs) |
 * | argocd | **real** `helm upgrade --install` of the pinned argo-cd chart (offline copy) into that API server |
 * | root-app | **real** server-side apply of argocd/root.yaml |
 * | (Argo CD syncing the namespaces) | *simulated*: the test creates the rendered Namespaces |
 * | vault-running … vault-unseal | **real** Vault server from the *rendered* raft config (paths and listener rewritten), real init, real Secret, real unseal |
 * | vault-config, vault-database | `tofu init` runs for real and **fails** (providers cannot be built here); the test then applies the same roots with the Vault stand-in (docs/check.md) and reruns `--apply`, which continues |
 * | kv-seed | **real** (`vault kv put` through the CLI) |
 * | postgres-ready | *simulated*: an ESO-equivalent login (real Kubernetes auth: a TokenRequest token reviewed by the real API server) reads the KV secrets, the test sets them on a real PostgreSQL, runs the rendered provisioning SQL, and writes the StatefulSet/Job status a kubelet would |
 * | the service | **real**: the notes service account's token logs in to Vault's `db-notes` role, reads `database/creds/notes` from the real database engine and logs in to the real PostgreSQL |
 */

const example = join(repo, "examples/homelab");
const toolsBin = dirname(tool("vault"));
/** The pinned argo-cd chart, offline (CI: ../shared/charts, as `check --render-charts` uses). */
const ARGO_CHART = join(CHARTS_DIR, "argo-cd");

describe("slipway bootstrap walks examples/homelab on real Vault, PostgreSQL, kube-apiserver, helm and tofu", () => {
  let kube: TestApiServer;
  let pg: TestPostgres;
  let vault: TestVaultServer;
  let dir: string;
  let repoDir: string;
  let initFile: string;
  let env: NodeJS.ProcessEnv;
  let api: KubeClient;
  let superPassword: string;
  /** What the first (root token) apply of vault/terraform created, by address. */
  let baseState: Map<string, Attrs>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "slipway-bootstrap-"));
    repoDir = join(dir, "repo");
    cpSync(example, repoDir, { recursive: true });
    initFile = join(dir, "config", "vault-init.json");
    [kube, pg] = await Promise.all([startApiServer(), startPostgres()]);
    superPassword = pg.superuserPassword;
    api = new KubeClient(kube.server);

    // The rendered server configuration, with only what differs outside a pod rewritten.
    const values = parse(readFileSync(join(repoDir, "k8s/helm/values/vault.yaml"), "utf8"));
    const [port, clusterPort] = [await freePort(), await freePort()];
    const dataDir = join(dir, "vault-data");
    mkdirSync(dataDir);
    const config = localServerConfig(values.server.ha.raft.config as string, { port, clusterPort, dataDir });
    expect(config).toContain('storage "raft"');
    const home = join(dir, "vault-home");
    mkdirSync(home);
    vault = await startVaultServer({ config, port, clusterPort, home });

    const kubeconfig = join(dir, "kubeconfig");
    writeKubeconfig(kubeconfig, kube);
    // tofu with no way to install providers (none can be built here): init fails fast, offline.
    const mirror = join(dir, "empty-mirror");
    mkdirSync(mirror);
    writeFileSync(
      join(dir, "tofurc"),
      `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`,
    );
    env = {
      PATH: "/usr/bin:/bin",
      HOME: dir,
      NO_COLOR: "1",
      KUBECONFIG: kubeconfig,
      TF_CLI_CONFIG_FILE: join(dir, "tofurc"),
    };
  }, 180_000);

  afterAll(async () => {
    api?.close();
    await vault?.stop();
    await kube?.stop();
    pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const config = () => join(repoDir, "platform.yaml");
  const flags = (init = initFile) => [
    "--config",
    config(),
    "--init-file",
    init,
    "--vault",
    join(toolsBin, "vault"),
    "--helm",
    join(toolsBin, "helm"),
    "--helm-chart",
    join(ARGO_CHART, readdirOne(ARGO_CHART)),
    "--tofu",
    join(toolsBin, "tofu"),
  ];
  const withVault = () => ({ ...env, VAULT_ADDR: vault.addr });
  const apply = (e: NodeJS.ProcessEnv = withVault(), init = initFile) =>
    slipway(["bootstrap", "--apply", ...flags(init)], { env: e, timeout: 300_000 });
  const status = (e: NodeJS.ProcessEnv = withVault()) => {
    const r = slipway(["bootstrap", "status", "--format", "json", ...flags()], { env: e, timeout: 120_000 });
    const report = JSON.parse(r.stdout) as {
      at?: string;
      steps: { id: string; state: string; failed?: { describe: string; fix: string; detail?: string } }[];
    };
    return { ...r, report, state: (id: string) => report.steps.find((s) => s.id === id) };
  };
  const rootToken = () => (JSON.parse(readFileSync(initFile, "utf8")) as { root_token: string }).root_token;
  const vaultApi = (token = rootToken()) => vaultRequest(vault.addr, token);
  const send = async (method: string, path: string, body?: unknown, type = "application/json") => {
    const r = await api.send(method, path, body === undefined ? undefined : JSON.stringify(body), type);
    return r;
  };
  /** A service account token for audience `vault`, minted by the real API server (TokenRequest). */
  async function saToken(namespace: string, name: string): Promise<string> {
    const sa = await send("POST", `/api/v1/namespaces/${namespace}/serviceaccounts`, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name },
    });
    expect([201, 409], sa.message).toContain(sa.status);
    const t = await send("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { audiences: ["vault"], expirationSeconds: 600 },
    });
    expect(t.status, t.message).toBe(201);
    return (t.body as { status: { token: string } }).status.token;
  }
  /** `auth/kubernetes/login` as External Secrets does it; Vault reviews the token with the API server. */
  async function login(role: string, jwt: string): Promise<string> {
    const r = await vaultRequest(vault.addr, "")("POST", "auth/kubernetes/login", { role, jwt });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.auth.client_token as string;
  }
  /** The rendered roots under `dir` (file → JSON). */
  const roots = (root: string): Record<string, TfJson> => {
    const out: Record<string, TfJson> = {};
    const walk = (d: string) => {
      for (const f of readdirAll(join(repoDir, d))) {
        if (f.endsWith(".tf.json")) out[`${d}/${f}`] = JSON.parse(readFileSync(join(repoDir, d, f), "utf8"));
      }
    };
    walk(root);
    return out;
  };
  const asTestVault = (token: string): TestVault => ({
    addr: vault.addr,
    rootToken: token,
    version: "",
    request: vaultApi(token),
    log: vault.log,
    stop: async () => {},
  });

  it("prints the plan by default, --print still works, and K3s is the first step with --disable=traefik", () => {
    const plan = slipway(["bootstrap", "--config", config()], { env });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('INSTALL_K3S_EXEC="server --disable=traefik"');
    expect(plan.stdout.indexOf("## 1. k3s")).toBeGreaterThan(0);
    const alias = slipway(["bootstrap", "--print", "--config", config()], { env });
    expect(alias.stdout).toBe(plan.stdout);
    const bad = slipway(["bootstrap", "sideways", "--config", config()], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown action "sideways"');
  });

  it("status on a fresh cluster: K3s done, at argocd; exit 1", () => {
    const s = status(env);
    expect(s.code).toBe(1);
    expect(s.state("k3s")?.state).toBe("done");
    expect(s.report.at).toBe("argocd");
    expect(s.state("vault-running")?.failed?.detail).toBe("VAULT_ADDR is not set");
  });

  it("a K3s with its bundled Traefik is reported at the first step, with the fix", async () => {
    const crd = await send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "helmcharts.helm.cattle.io" },
      spec: {
        group: "helm.cattle.io",
        names: { kind: "HelmChart", plural: "helmcharts", singular: "helmchart", listKind: "HelmChartList" },
        scope: "Namespaced",
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    });
    expect(crd.status, crd.message).toBe(201);
    let created = 0;
    for (let i = 0; i < 50 && created !== 201; i++) {
      created = (
        await send("POST", "/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts", {
          apiVersion: "helm.cattle.io/v1",
          kind: "HelmChart",
          metadata: { name: "traefik", namespace: "kube-system" },
          spec: { chart: "traefik" },
        })
      ).status;
      if (created !== 201) await new Promise((r) => setTimeout(r, 200));
    }
    expect(created).toBe(201);
    const s = status(env);
    expect(s.report.at).toBe("k3s");
    expect(s.state("k3s")?.failed?.fix).toContain("--disable=traefik");
    const a = apply(env);
    expect(a.code).toBe(1);
    expect(a.stdout).toContain("stopped at k3s");
    expect(a.stdout).toContain("kubectl -n kube-system delete helmchart traefik traefik-crd");
    // What the fix does (K3s's helm-controller uninstalls it): the object goes.
    expect(
      (await send("DELETE", "/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/traefik")).ok,
    ).toBe(true);
  });

  it("--apply installs Argo CD with helm and applies the root app, then stops where Vault is not reachable", async () => {
    // Helm waits for the chart's pre-install hook Job (redis-secret-init). Simulated kubelet: the
    // test marks each Job in argocd Complete while the real helm waits for it.
    const a = await slipwayWhile(["bootstrap", "--apply", ...flags()], env, async () => {
      const jobs = await send("GET", "/apis/batch/v1/namespaces/argocd/jobs");
      for (const j of (jobs.body as { items?: { metadata: { name: string } }[] }).items ?? []) {
        await send(
          "PATCH",
          `/apis/batch/v1/namespaces/argocd/jobs/${j.metadata.name}/status`,
          {
            status: jobComplete(),
          },
          "application/merge-patch+json",
        );
      }
    });
    expect(a.stderr).toContain("✓ k3s: already done");
    expect(a.stderr).toContain("→ argocd: Install Argo CD");
    expect(a.stderr).toContain("→ root-app: Apply the root app-of-apps");
    expect(a.code).toBe(1);
    expect(a.stdout).toContain(
      "stopped at vault-running: vault-running: Vault answers at VAULT_ADDR — not yet",
    );
    expect(a.stdout).toContain("kubectl -n vault port-forward svc/vault 8200");
    const release = await send(
      "GET",
      "/api/v1/namespaces/argocd/secrets?labelSelector=owner%3Dhelm%2Cname%3Dargocd",
    );
    expect((release.body as { items: unknown[] }).items).toHaveLength(1);
    const server = await send("GET", "/apis/apps/v1/namespaces/argocd/deployments/argocd-server");
    expect(server.status).toBe(200);
    const root = await send("GET", "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/root");
    expect((root.body as { spec: { project: string } }).spec.project).toBe("default");
    expect(status(env).report.at).toBe("vault-running");
  }, 300_000);

  it("without the vault CLI, --apply stops with the install hint (exit 1), changing nothing", () => {
    const noVault = flags().filter((f, i, a) => f !== "--vault" && a[i - 1] !== "--vault");
    const r = slipway(["bootstrap", "--apply", ...noVault], { env: withVault(), timeout: 120_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "stopped at vault-running: vault-running needs the vault CLI, not found on PATH",
    );
    expect(r.stdout).toContain("https://developer.hashicorp.com/vault/install");
  });

  it("--apply initialises and unseals the real Vault, stores the unseal Secret, then tofu fails on vault-config", async () => {
    // Simulated: Argo CD's `namespaces` Application creating the rendered Namespaces.
    for (const f of readdirAll(join(repoDir, "k8s/helm/manifests/namespaces"))) {
      const ns = parse(readFileSync(join(repoDir, "k8s/helm/manifests/namespaces", f), "utf8"));
      if (ns?.kind !== "Namespace") continue;
      const r = await send("POST", "/api/v1/namespaces", ns);
      expect([201, 409]).toContain(r.status);
    }
    const a = apply();
    expect(a.stderr, a.stdout).toContain("→ vault-init");
    expect(a.stderr).toContain("✓ vault-unseal-secret: done");
    expect(a.stderr, a.stdout).toContain("✓ vault-unseal: done");
    expect(a.stderr).toContain("→ vault-config");
    expect(a.code).toBe(1);
    expect(a.stdout).toMatch(
      /stopped at vault-config: vault-config: tofu -chdir=vault\/terraform init failed \(1\)/,
    );
    expect(statSync(initFile).mode & 0o777).toBe(0o600);
    const init = JSON.parse(readFileSync(initFile, "utf8"));
    expect(init.unseal_keys_b64).toHaveLength(5);
    const secret = await send("GET", "/api/v1/namespaces/vault/secrets/vault-unseal");
    const keys = (secret.body as { data: Record<string, string> }).data;
    expect(Object.keys(keys).sort()).toEqual(["key-1", "key-2", "key-3"]);
    expect(Buffer.from(keys["key-1"] ?? "", "base64").toString()).toBe(init.unseal_keys_b64[0]);
    const health = await (await fetch(`${vault.addr}/v1/sys/health`)).json();
    expect(health).toMatchObject({ initialized: true, sealed: false });
    const s = status();
    expect(s.report.at).toBe("vault-config");
    expect(s.state("vault-config")?.failed?.detail).toContain("sys/policies/acl/");
  }, 300_000);

  it("after vault/terraform is applied (stand-in), a rerun skips what is done and seeds KV, then waits for PostgreSQL", async () => {
    const tf = new TerraformStandIn(asTestVault(rootToken()), {
      skip: {
        "vault_kv_secret_v2.pki_root_ca": "jsonencode(…): an expression the stand-in does not evaluate",
      },
    });
    const applied = await tf.apply(roots("vault/terraform"), (f) => !f.includes("/database/"));
    expect(applied).toContain("vault_policy.slipway-terraform");
    baseState = tf.state;
    // Simulated: in its pod Vault reviews tokens with its service account and the cluster's CA.
    const cfg = await vaultApi()("POST", "auth/kubernetes/config", {
      kubernetes_host: kube.server.url,
      kubernetes_ca_cert: kube.server.ca,
      token_reviewer_jwt: kube.server.token,
    });
    expect(cfg.status).toBe(204);
    const a = apply();
    for (const id of [
      "k3s",
      "argocd",
      "root-app",
      "vault-running",
      "vault-init",
      "vault-unseal-secret",
      "vault-unseal",
      "vault-config",
    ]) {
      expect(a.stderr).toContain(`✓ ${id}: already done`);
    }
    expect(a.stderr).toContain("✓ kv-seed: done");
    expect(a.code).toBe(1);
    expect(a.stdout).toContain("stopped at postgres-ready");
    const admin = await vaultApi()("GET", "kv/data/postgres/admin");
    expect(admin.body.data.data.username).toBe("postgres");
    expect(admin.body.data.data.password.length).toBeGreaterThanOrEqual(32);
    expect(status().report.at).toBe("postgres-ready");
  }, 300_000);

  it("PostgreSQL comes up from what External Secrets reads with its own role (ESO and kubelet simulated)", async () => {
    // ESO-equivalent: the real Kubernetes login of external-secrets/external-secrets, its KV reads.
    const eso = await login("external-secrets", await saToken("external-secrets", "external-secrets"));
    const kv = async (path: string) => {
      const r = await vaultApi(eso)("GET", `kv/data/${path}`);
      expect(r.status, path).toBe(200);
      return r.body.data.data as Record<string, string>;
    };
    const admin = await kv("postgres/admin");
    // Every database owner the platform declares (ZITADEL's, Backstage's), as the Job's env has them.
    const owners = ["backstage", "zitadel"];
    const ownerEnv: Record<string, string> = {};
    for (const name of owners)
      ownerEnv[passwordEnv({ name })] = (await kv(`postgres/${name}`)).password as string;
    // The postgres image's POSTGRES_PASSWORD from that Secret.
    const set = pg.psql(["-c", `alter role ${admin.username} password '${admin.password}'`]);
    expect(set.status, set.stderr).toBe(0);
    superPassword = admin.password as string;
    // The provisioning Job: the rendered SQL, with the owner passwords ESO delivered.
    const sqlFile = readdirAll(join(repoDir, "k8s/helm/manifests/postgres")).find((f) =>
      f.startsWith("configmap-"),
    );
    const cm = parse(readFileSync(join(repoDir, "k8s/helm/manifests/postgres", sqlFile ?? ""), "utf8"));
    const prov = pg.psql([], {
      password: superPassword,
      input: cm.data["provision.sql"],
      env: ownerEnv,
    });
    expect(prov.stderr).not.toMatch(/ERROR/);
    expect(prov.status).toBe(0);
    // Kubelet-equivalent: the StatefulSet and Job exist and report what running pods would.
    for (const f of readdirAll(join(repoDir, "k8s/helm/manifests/postgres"))) {
      const o = parse(readFileSync(join(repoDir, "k8s/helm/manifests/postgres", f), "utf8"));
      if (o.kind !== "StatefulSet" && o.kind !== "Job") continue;
      const base = o.kind === "Job" ? "/apis/batch/v1" : "/apis/apps/v1";
      const plural = o.kind === "Job" ? "jobs" : "statefulsets";
      const c = await send("POST", `${base}/namespaces/database/${plural}`, o);
      expect(c.status, c.message).toBe(201);
      const st =
        o.kind === "Job"
          ? jobComplete()
          : { replicas: 1, readyReplicas: 1, currentReplicas: 1, updatedReplicas: 1, availableReplicas: 1 };
      const p = await send(
        "PATCH",
        `${base}/namespaces/database/${plural}/${o.metadata.name}/status`,
        { status: st },
        "application/merge-patch+json",
      );
      expect(p.status, p.message).toBe(200);
    }
    expect(status().state("postgres-ready")?.state).toBe("done");
  }, 120_000);

  it("the database root applies with a slipway-terraform token (stand-in); without the ADR 0002 rules that token fails", async () => {
    const a = apply();
    expect(a.stderr).toContain("✓ postgres-ready: already done");
    expect(a.stdout).toMatch(
      /stopped at vault-database: vault-database: tofu -chdir=vault\/terraform\/database init failed/,
    );
    expect(status().report.at).toBe("vault-database");

    const mint = async (policies: string[]) => {
      const r = await vaultApi()("POST", "auth/token/create", { policies, ttl: "1h" });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.auth.client_token as string;
    };
    const token = await mint(["slipway-terraform"]);
    // The rendered policy with the two rules ADR 0002 lacked backed out, as the ADR had it.
    const rendered = (await vaultApi()("GET", "sys/policies/acl/slipway-terraform")).body.data
      .policy as string;
    const old = rendered
      .split("\n\n")
      .filter((b) => !b.includes('"auth/token/create"') && !b.includes('"kv/data/cert-manager/root-ca"'))
      .join("\n\n");
    expect(old).not.toBe(rendered);
    expect((await vaultApi()("PUT", "sys/policies/acl/adr-0002-as-was", { policy: old })).status).toBe(204);
    const oldToken = await mint(["adr-0002-as-was"]);
    const caWrite = (t: string) =>
      vaultApi(t)("POST", "kv/data/cert-manager/root-ca", {
        data: { certificate: "-----BEGIN CERTIFICATE-----" },
      });
    const child = (t: string) => vaultApi(t)("POST", "auth/token/create", { ttl: "20m" });
    // What the provider does on every apply (a child token) and what pki.tf.json writes.
    expect((await child(oldToken)).status).toBe(403);
    expect((await caWrite(oldToken)).status).toBe(403);
    expect((await child(token)).status).toBe(200);
    expect((await caWrite(token)).status).toBe(200);

    // Every resource of both roots, sent again with that token: the policy covers what they manage.
    const rewrite = (address: string, attrs: Attrs): Attrs => {
      if (address.startsWith("vault_kubernetes_auth_backend_config.")) {
        return { ...attrs, kubernetes_host: kube.server.url };
      }
      if (!address.startsWith("vault_database_secret_backend_connection.")) return attrs;
      const url = (attrs.postgresql.connection_url as string).replace(/@[^/]+\//, `@${pg.host}:${pg.port}/`);
      return { ...attrs, postgresql: { ...attrs.postgresql, connection_url: url } };
    };
    const all = { ...roots("vault/terraform"), ...roots("vault/terraform/database") };
    // Mounts and auth methods that exist: Terraform reads them and changes nothing (enabling
    // again is an error in Vault). That the token may create them is asked of Vault instead.
    const existing: Record<string, string> = {};
    const mountPaths: string[] = [];
    for (const [file, j] of Object.entries(all)) {
      if (file.includes("/database/")) continue;
      for (const [type, prefix] of [
        ["vault_mount", "sys/mounts/"],
        ["vault_auth_backend", "sys/auth/"],
      ] as const) {
        for (const [name, attrs] of Object.entries(j.resource?.[type] ?? {})) {
          existing[`${type}.${name}`] = "exists";
          mountPaths.push(`${prefix}${attrs.path}`);
        }
      }
    }
    const caps = await vaultApi(token)("POST", "sys/capabilities-self", { paths: mountPaths });
    for (const p of mountPaths) {
      expect(caps.body.data[p], p).toEqual(
        expect.arrayContaining(p.startsWith("sys/auth/") ? ["create", "sudo"] : ["create", "update"]),
      );
    }
    const tf = new TerraformStandIn(asTestVault(token), {
      rewrite,
      skip: {
        "vault_kv_secret_v2.pki_root_ca": "jsonencode(…): written above with the same token",
      },
    });
    // What exists is in the state, as Terraform's would be: read, not created again.
    for (const address of [...Object.keys(existing), ...PKI_EXISTING]) {
      const attrs = baseState.get(address);
      if (attrs) tf.state.set(address, attrs);
    }
    const applied = await tf.apply(all);
    expect(applied).toContain("vault_database_secret_backend_connection.notes");
    expect(applied).toContain("vault_policy.slipway-terraform");
    // The stand-in overwrote the reviewer config with its own CA: restore the real one (simulated pod).
    await vaultApi()("POST", "auth/kubernetes/config", {
      kubernetes_host: kube.server.url,
      kubernetes_ca_cert: kube.server.ca,
      token_reviewer_jwt: kube.server.token,
    });

    const again = apply();
    expect(again.stderr).toContain("✓ vault-database: already done");
    expect(again.code).toBe(1);
    expect(again.stdout).toContain("stopped at kv-user");
    expect(again.stdout).toContain("vault kv put -mount=kv cloudflare/tunnel token=<…>");
    expect(status().report.at).toBe("kv-user");
  }, 300_000);

  it("done when: the notes service reads dynamic credentials from the real database engine and logs in to PostgreSQL", async () => {
    const token = await login("db-notes", await saToken("notes", "notes"));
    const creds = await vaultApi(token)("GET", "database/creds/notes");
    expect(creds.status, JSON.stringify(creds.body)).toBe(200);
    const { username, password } = creds.body.data as { username: string; password: string };
    expect(username).toMatch(/^v-kubernet-notes-/);
    const r = pg.psql(["-qtA", "-c", "create table t(id int); select current_user || ' ' || session_user"], {
      user: username,
      password,
      database: "notes",
    });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(`notes ${username}`);
    // The service's token reads nothing else.
    expect((await vaultApi(token)("GET", "kv/data/postgres/admin")).status).toBe(403);
  });

  it("a rerun is idempotent: every step already done, no secret rewritten", async () => {
    const before = (await vaultApi()("GET", "kv/metadata/postgres/admin")).body.data.current_version;
    const a = apply();
    expect(a.stderr).not.toContain("→");
    expect(a.stdout).toContain("stopped at kv-user");
    expect((await vaultApi()("GET", "kv/metadata/postgres/admin")).body.data.current_version).toBe(before);
  }, 300_000);

  it("a restarted Vault is sealed: status says so, and the rendered postStart hook unseals it with the stored keys", async () => {
    await vault.restart();
    const s = status();
    expect(s.report.at).toBe("vault-unseal");
    expect(s.state("vault-unseal")?.failed).toMatchObject({
      describe: "Vault is unsealed",
      detail: "sealed",
    });
    // The Vault pod's hook: the rendered script, the Secret bootstrap stored as its mounted files.
    const values = parse(readFileSync(join(repoDir, "k8s/helm/values/vault.yaml"), "utf8"));
    const [sh, flag, script] = values.server.postStart as string[];
    const keysDir = join(dir, "unseal");
    mkdirSync(keysDir);
    const secret = await send("GET", "/api/v1/namespaces/vault/secrets/vault-unseal");
    for (const [k, v] of Object.entries((secret.body as { data: Record<string, string> }).data)) {
      writeFileSync(join(keysDir, k), Buffer.from(v, "base64"));
    }
    const run = spawnSync(
      sh as string,
      [flag as string, (script as string).replaceAll("/vault/unseal", keysDir)],
      {
        env: { PATH: `${toolsBin}:/usr/bin:/bin`, VAULT_ADDR: vault.addr, HOME: dir },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(0);
    expect(await (await fetch(`${vault.addr}/v1/sys/health`)).json()).toMatchObject({ sealed: false });
    expect(status().report.at).toBe("kv-user");
  }, 120_000);

  it("a sealed Vault with no init file at hand: --apply stops at vault-unseal with what to do", async () => {
    await vault.restart();
    const r = apply({ ...withVault(), VAULT_TOKEN: rootToken() }, join(dir, "elsewhere.json"));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("stopped at vault-unseal: vault-unseal: no unseal keys in");
    expect(r.stdout).toContain("unseal with the keys you kept");
  }, 120_000);
});

/** PKI resources Terraform never re-creates (that would replace the CA): kept from the first apply. */
const PKI_EXISTING = [
  "vault_pki_secret_backend_root_cert.root",
  "vault_pki_secret_backend_intermediate_cert_request.intermediate",
  "vault_pki_secret_backend_root_sign_intermediate.intermediate",
  "vault_pki_secret_backend_intermediate_set_signed.intermediate",
];

/** The status a Job controller writes when its pod succeeded. */
function jobComplete() {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  return {
    startTime: now,
    completionTime: now,
    succeeded: 1,
    conditions: [
      { type: "SuccessCriteriaMet", status: "True", lastTransitionTime: now, lastProbeTime: now },
      { type: "Complete", status: "True", lastTransitionTime: now, lastProbeTime: now },
    ],
  };
}

/** The CLI run asynchronously, calling `meanwhile` every 500 ms until it exits. */
async function slipwayWhile(
  args: string[],
  env: NodeJS.ProcessEnv,
  meanwhile: () => Promise<void>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    join(repo, "node_modules/.bin/node"),
    [join(repo, "packages/cli/bin/slipway.js"), ...args],
    {
      cwd: repo,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<number | null>((r) => child.on("close", (c) => r(c)));
  let finished = false;
  void done.then(() => {
    finished = true;
  });
  while (!finished) {
    await meanwhile().catch(() => {});
    await new Promise((r) => setTimeout(r, 500));
  }
  return { code: await done, stdout, stderr };
}

function readdirAll(d: string): string[] {
  return readdirSync(d).sort();
}

function readdirOne(d: string): string {
  const [v] = readdirAll(d);
  if (!v) throw new Error(`no chart version under ${d}`);
  return v;
}
