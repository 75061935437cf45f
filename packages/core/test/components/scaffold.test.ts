import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { computeBudget } from "../../src/check/budget.js";
import { check } from "../../src/check/check.js";
import { components } from "../../src/components/index.js";
import { OTEL_COLLECTOR } from "../../src/components/otel/contract.js";
import { RELOADER_ANNOTATION } from "../../src/components/reloader/contract.js";
import {
  SCAFFOLD_CONTAINER_PORT,
  SCAFFOLD_DEFAULT_TAG,
  SCAFFOLD_UID,
} from "../../src/components/scaffold/config.js";
import { scaffold } from "../../src/components/scaffold/index.js";
import { InputError } from "../../src/diagnostics.js";
import type { K8sObject } from "../../src/render/k8s.js";
import { renderPlatform } from "../../src/synth.js";
import { expectStrictlyValid, renderComponents, writePlatform } from "../helpers/component-fixture.js";
import { diagnosticsOf } from "../helpers/diagnostics.js";
import { crdValidator, SCHEMA_DIR, validationErrors } from "../helpers/strict-schema.js";

type Obj = K8sObject & { spec: any };

const GATEWAY_CRD = "gateway-api/v1.6.1";
const REPO_ROOT = join(import.meta.dirname, "../../../..");

const ON = { scaffold: { enabled: true }, identity: { enabled: true } };

describe("scaffold component", () => {
  const tree = renderComponents(ON);
  const objects = (tree.objects("k8s/helm/manifests/scaffold/") as Obj[]).filter(
    (o) => o.kind !== "Kustomization",
  );
  const byKind = (kind: string) => objects.find((o) => o.kind === kind) as Obj;
  const deployment = byKind("Deployment");
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const env = (name: string) => (container.env as { name: string }[]).find((e) => e.name === name) as any;

  it("is off by default and needs the gateway, identity and external-secrets", () => {
    expect(scaffold.enabledByDefault).toBe(false);
    expect(scaffold.dependsOn).toEqual(["gateway", "identity", "external-secrets"]);
    expect(renderComponents({}).session.apps.some((a) => a.owner === "scaffold")).toBe(false);
  });

  it("renders one platform Application in namespace scaffold, after identity", () => {
    const apps = tree.session.apps.filter((a) => a.owner === "scaffold");
    expect(apps.map((a) => [a.spec.name, a.spec.project, a.spec.namespace])).toEqual([
      ["scaffold", "platform", "scaffold"],
    ]);
    expect(tree.session.plan.namespaces.get("scaffold")?.project).toBe("platform");
    const wave = (n: string) =>
      Number(
        tree.read<Obj>(`argocd/applications/${n}.yaml`).metadata.annotations?.[
          "argocd.argoproj.io/sync-wave"
        ],
      );
    expect(wave("scaffold")).toBeGreaterThan(wave("zitadel"));
    expect(objects.map((o) => o.kind).sort()).toEqual([
      "Deployment",
      "ExternalSecret",
      "Service",
      "ServiceAccount",
    ]);
  });

  it("every object validates strictly against its CRD or core schema", () => {
    expectStrictlyValid(objects);
  });

  it("declares its OIDC client, which identity's Terraform creates and writes to Vault", () => {
    expect(tree.session.plan.oidcClients.find((c) => c.owner === "scaffold")).toEqual({
      name: "slipway-scaffold",
      namespace: "scaffold",
      redirectUris: ["https://scaffold.example.dev/auth/callback"],
      postLogoutRedirectUris: ["https://scaffold.example.dev/"],
      vaultPath: "identity/clients/slipway-scaffold",
      owner: "scaffold",
    });
    const clients = tree.files.get("identity/terraform/clients.tf.json") ?? "";
    expect(clients).toContain("slipway-scaffold");
    expect(clients).toContain("https://scaffold.example.dev/auth/callback");
  });

  it("gets OIDC_* and the cookie key from one ExternalSecret, the issuer from identity's contract", () => {
    const es = byKind("ExternalSecret");
    expect(es.metadata.annotations).toEqual({ "argocd.argoproj.io/sync-wave": "-1" });
    expect(es.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "vault-backend" });
    expect(es.spec.data).toEqual([
      {
        secretKey: "OIDC_CLIENT_ID",
        remoteRef: { key: "identity/clients/slipway-scaffold", property: "client_id" },
      },
      {
        secretKey: "OIDC_CLIENT_SECRET",
        remoteRef: { key: "identity/clients/slipway-scaffold", property: "client_secret" },
      },
      {
        secretKey: "SCAFFOLD_COOKIE_SECRET",
        remoteRef: { key: "scaffold/session", property: "cookieSecret" },
      },
      { secretKey: "SCAFFOLD_GIT_TOKEN", remoteRef: { key: "scaffold/git", property: "token" } },
    ]);
    expect(es.spec.target).toMatchObject({
      name: "scaffold",
      template: {
        engineVersion: "v2",
        mergePolicy: "Merge",
        data: { OIDC_ISSUER_URL: "https://auth.example.dev" },
      },
    });
    for (const key of [
      "OIDC_ISSUER_URL",
      "OIDC_CLIENT_ID",
      "OIDC_CLIENT_SECRET",
      "SCAFFOLD_COOKIE_SECRET",
      "SCAFFOLD_GIT_TOKEN",
    ]) {
      expect(env(key), key).toEqual({ name: key, valueFrom: { secretKeyRef: { name: "scaffold", key } } });
    }
    // What `slipway serve` reads: its public URL (callback = <base>/auth/callback) and the default owner.
    expect(env("SCAFFOLD_BASE_URL")?.value).toBe("https://scaffold.example.dev");
    expect(env("SCAFFOLD_DEFAULT_OWNER")?.value).toBe("example");
    // Create repository: pushes to the owner's GitHub, registers on a branch of the platform repository.
    expect(env("SCAFFOLD_PUSH_TARGET")?.value).toBe("https://github.com/example/{name}.git");
    expect(env("SCAFFOLD_PLATFORM_REPO")?.value).toBe("https://github.com/example/platform.git");
    expect(env("SCAFFOLD_TRUST_PROXY")?.value).toBe("loopback,uniquelocal");
    const keycloak = renderComponents({ ...ON, identity: { enabled: true, provider: "keycloak" } });
    const kes = keycloak
      .objects("k8s/helm/manifests/scaffold/")
      .find((o) => o.kind === "ExternalSecret") as Obj;
    expect(kes.spec.target.template.data.OIDC_ISSUER_URL).toBe("https://auth.example.dev/realms/platform");
  });

  it("is routed by the gateway from its namespace, with a ReferenceGrant, and gets public DNS", () => {
    const traefik = tree.objects("k8s/helm/manifests/traefik/") as Obj[];
    const route = traefik.find(
      (o) => o.kind === "HTTPRoute" && o.spec.hostnames.includes("scaffold.example.dev"),
    );
    expect(route?.metadata.namespace).toBe("traefik");
    expect(route?.spec.rules[0].backendRefs[0]).toMatchObject({
      name: "scaffold",
      namespace: "scaffold",
      port: 80,
    });
    const grant = traefik.find((o) => o.kind === "ReferenceGrant" && o.metadata.namespace === "scaffold");
    expect(grant?.spec).toEqual({
      from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "traefik" }],
      to: [{ group: "", kind: "Service", name: "scaffold" }],
    });
    expect(
      validationErrors(
        crdValidator(
          `${GATEWAY_CRD}/gateway.networking.k8s.io_referencegrants.yaml`,
          grant?.apiVersion ?? "",
          "ReferenceGrant",
        ),
        grant,
      ),
    ).toEqual([]);
    expect(byKind("Service").spec.ports).toEqual([
      { name: "http", port: 80, targetPort: "http", protocol: "TCP", appProtocol: "http" },
    ]);
    expect(tree.files.get("cloudflare/terraform/dns.tf.json")).toContain("scaffold.example.dev");
  });

  it("runs its pinned image non-root, read-only, probed, within the seed's 256 MB", () => {
    const version = JSON.parse(
      readFileSync(join(REPO_ROOT, "packages/scaffold/package.json"), "utf8"),
    ).version;
    expect(SCAFFOLD_DEFAULT_TAG).toBe(version);
    expect(container.image).toBe("ghcr.io/example/slipway-scaffold");
    expect(tree.read<any>("k8s/helm/manifests/scaffold/kustomization.yaml").images).toEqual([
      { name: "ghcr.io/example/slipway-scaffold", newTag: version },
    ]);
    const tagged = renderComponents({ ...ON, scaffold: { enabled: true, tag: "0.2.0" } });
    expect(tagged.read<any>("k8s/helm/manifests/scaffold/kustomization.yaml").images[0].newTag).toBe("0.2.0");
    expect(() => renderComponents({ ...ON, scaffold: { enabled: true, tag: "latest" } })).toThrow(InputError);
    expect(
      diagnosticsOf(() => renderComponents({ ...ON, scaffold: { enabled: true, tag: "latest" } })),
    ).toEqual([["SW_SPEC_VALUE", ["spec", "components", "scaffold", "tag"]]]);

    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsUser: 10001,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(pod.volumes[0]).toMatchObject({ name: "tmp", emptyDir: {} });
    expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(container.livenessProbe.httpGet).toMatchObject({ path: "/healthz", port: "http" });
    expect(container.startupProbe.httpGet).toMatchObject({ path: "/healthz", port: "http" });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: "/readyz", port: "http" });
    expect(container.resources).toEqual({
      requests: { cpu: "50m", memory: "96Mi" },
      limits: { memory: "256Mi" },
    });
    // A fresh session: the budget iterates the session's file stream, which the fixture consumed.
    const session = renderPlatform(writePlatform(ON), components);
    const budget = computeBudget(session).components.find((c) => c.component === "scaffold");
    expect(budget?.requests).toEqual({ cpuMillis: 50, memoryBytes: 96 * 2 ** 20 });
    expect(budget?.limits.memoryBytes).toBe(256 * 2 ** 20);
  });

  it("exports OTLP to the platform collector only when otel is enabled", () => {
    expect(env("OTEL_EXPORTER_OTLP_ENDPOINT")).toBeUndefined();
    const t = renderComponents({ ...ON, otel: { enabled: true, environment: "homelab" } });
    const d = t.objects("k8s/helm/manifests/scaffold/").find((o) => o.kind === "Deployment") as Obj;
    const e = Object.fromEntries(d.spec.template.spec.containers[0].env.map((x: any) => [x.name, x.value]));
    expect(e).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: OTEL_COLLECTOR.http,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_SERVICE_NAME: "scaffold",
      OTEL_RESOURCE_ATTRIBUTES:
        "service.namespace=scaffold,deployment.environment=homelab,deployment.environment.name=homelab,service.version=0.1.0",
    });
  });

  it("asks Reloader to roll it when its Secret changes, when Reloader is enabled", () => {
    expect(deployment.spec.template.metadata.annotations).toBeUndefined();
    const t = renderComponents({ ...ON, reloader: { enabled: true } });
    const d = t.objects("k8s/helm/manifests/scaffold/").find((o) => o.kind === "Deployment") as Obj;
    expect(d.spec.template.metadata.annotations).toEqual({ [RELOADER_ANNOTATION]: "scaffold" });
    // The annotation a reload writes is not drift for its Application.
    const app = t.read<Obj>("argocd/applications/scaffold.yaml");
    expect(app.spec.ignoreDifferences).toEqual([
      {
        group: "apps",
        kind: "Deployment",
        name: "scaffold",
        namespace: "scaffold",
        jsonPointers: ["/spec/template/metadata/annotations/reloader.stakater.com~1last-reloaded-from"],
      },
    ]);
    expect(app.spec.syncPolicy.syncOptions).toEqual(["RespectIgnoreDifferences=true"]);
    expect(tree.read<Obj>("argocd/applications/scaffold.yaml").spec.ignoreDifferences).toBeUndefined();
  });

  it("refuses a service in its namespace", () => {
    const config = writePlatform(ON, {
      tools: { image: "ghcr.io/example/tools:1.0.0", port: 8080, namespace: "scaffold" },
    });
    try {
      renderPlatform(config, components);
      expect.unreachable();
    } catch (e) {
      // The spec rule reserving platform namespaces reports it, located in the service file.
      const ds = (e as InputError).diagnostics;
      expect(ds.map((d) => [d.code, d.path])).toEqual([
        ["SW_SPEC_RESERVED_NAMESPACE", ["spec", "namespace"]],
      ]);
      expect(ds[0]?.location?.file).toMatch(/services\/tools\.yaml$/);
    }
  });

  it("passes slipway check (strict schemas and every policy) with otel and reloader", async () => {
    const t = renderComponents({ ...ON, otel: { enabled: true }, reloader: { enabled: true } });
    const r = await check(
      {
        files: [...t.files].map(([path, content]) => ({ path, content, owner: "test" })),
        apps: t.session.apps,
      },
      { schemaDir: SCHEMA_DIR, kubernetesVersion: "1.32" },
    );
    expect(r.diagnostics.map((d) => `${d.code} ${d.location?.file}: ${d.message}`)).toEqual([]);
  });
});

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const out: { op: string; args: string }[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = "";
    const m = /^(\S+)\s*(.*)$/.exec(full);
    if (m) out.push({ op: (m[1] as string).toUpperCase(), args: m[2] as string });
  }
  return out;
}

/** `COPY [--flag=…] src… dest` (or JSON form) → flags and sources. */
function copyArgs(args: string): { flags: Map<string, string>; sources: string[] } {
  const flags = new Map<string, string>();
  let rest = args;
  for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(rest); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    flags.set(m[1] as string, m[2] as string);
    rest = rest.slice(m[0].length);
  }
  const parts = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  return { flags, sources: parts.slice(0, -1) };
}

/** A .dockerignore pattern as a regex over paths (`**` any depth, `*` within a segment). */
function ignoreRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+|\/+$/g, "")
    .split("")
    .map((c) => (/[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c))
    .join("")
    .replace(/\*\*\//g, "\u0000")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]")
    .replace(/\u0000/g, "(?:.*/)?");
  // A pattern matching a directory excludes everything under it.
  return new RegExp(`^${body}(?:/.*)?$`);
}

describe("packages/scaffold/Dockerfile", () => {
  const dockerfile = readFileSync(join(REPO_ROOT, "packages/scaffold/Dockerfile"), "utf8");
  const ins = instructions(dockerfile);
  const froms = ins
    .filter((i) => i.op === "FROM")
    .map((i) => i.args.split(/\s+/).filter((a) => !a.startsWith("--")));
  const stageNames = froms.map((f) => (f[1]?.toUpperCase() === "AS" ? f[2] : undefined));
  const lastFrom = ins.map((i) => i.op).lastIndexOf("FROM");
  const final = ins.slice(lastFrom);

  it("is multi-stage: a named builder and a runtime stage copying from it", () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(stageNames[0]).toBe("builder");
    const fromStages = final
      .filter((i) => i.op === "COPY")
      .map((i) => copyArgs(i.args).flags.get("from"))
      .filter((x) => x !== undefined);
    expect(fromStages.length).toBeGreaterThan(0);
    for (const s of fromStages) expect(stageNames).toContain(s);
    // The builder compiles with tsc -b and prunes dev dependencies; the runtime stage installs no
    // npm package (only git, from Debian: see the next test).
    const builderRuns = ins
      .slice(0, lastFrom)
      .filter((i) => i.op === "RUN")
      .map((i) => i.args)
      .join("\n");
    expect(builderRuns).toMatch(/npm (ci|install)\b/);
    expect(builderRuns).toMatch(/tsc -b/);
    expect(builderRuns).toMatch(/npm prune --omit=dev/);
    expect(final.filter((i) => i.op === "RUN").some((i) => /\b(npm|npx|yarn|pnpm)\b/.test(i.args))).toBe(
      false,
    );
  });

  it("pins every base image to a full Node 24 version (or a digest)", () => {
    for (const [image] of froms) {
      if (stageNames.includes(image)) continue;
      expect(image).toMatch(/^node:24\.\d+\.\d+(-[a-z0-9]+)*(@sha256:[a-f0-9]{64})?$|@sha256:[a-f0-9]{64}$/);
    }
  });

  it("runs as the non-root UID of the Deployment, listening where the probes look", () => {
    const users = final.filter((i) => i.op === "USER").map((i) => i.args);
    expect(users.at(-1)).toMatch(new RegExp(`^${SCAFFOLD_UID}(:${SCAFFOLD_UID})?$`));
    expect(final.map((i) => i.op).lastIndexOf("USER")).toBeLessThan(
      final.map((i) => i.op).lastIndexOf("CMD"),
    );
    expect(final.find((i) => i.op === "EXPOSE")?.args).toBe(String(SCAFFOLD_CONTAINER_PORT));
    const cmd = JSON.parse(final.filter((i) => i.op === "CMD").at(-1)?.args ?? "null") as string[];
    // Node's own flags may come between `node` and the script (bench/scaffold tuned the heap).
    expect(cmd[0]).toBe("node");
    expect(cmd.slice(1, cmd.indexOf("packages/cli/bin/slipway.js")).every((a) => a.startsWith("--"))).toBe(
      true,
    );
    expect(cmd.slice(cmd.indexOf("packages/cli/bin/slipway.js"))).toEqual([
      "packages/cli/bin/slipway.js",
      "serve",
      "--host",
      "0.0.0.0",
      "--port",
      String(SCAFFOLD_CONTAINER_PORT),
    ]);
  });

  it("has git in the runtime stage: Create repository clones and pushes with it", () => {
    const runs = final.filter((i) => i.op === "RUN").map((i) => i.args);
    expect(runs.some((r) => /apt-get install\b.*\bgit\b/.test(r))).toBe(true);
  });

  it("takes no build arguments and carries no secrets", () => {
    expect(ins.filter((i) => i.op === "ARG")).toEqual([]);
    const risky = /(token|secret|passw(or)?d|api[_-]?key|credential|_auth)/i;
    for (const i of ins.filter((x) => x.op === "ENV" || x.op === "LABEL")) expect(i.args).not.toMatch(risky);
    expect(dockerfile).not.toMatch(/--mount=type=secret|\.npmrc|ghp_[A-Za-z0-9]|npm_[A-Za-z0-9]{36}/);
  });

  it("copies only paths that exist in the repository and that .dockerignore sends", () => {
    const ignore = readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("!"))
      .map(ignoreRegex);
    const sources = ins
      .filter((i) => i.op === "COPY" || i.op === "ADD")
      .map((i) => copyArgs(i.args))
      .filter((c) => !c.flags.has("from"))
      .flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect(existsSync(join(REPO_ROOT, src)), src).toBe(true);
      expect(
        ignore.some((r) => r.test(src.replace(/\/+$/, ""))),
        `${src} is excluded by .dockerignore`,
      ).toBe(false);
    }
    expect(ins.some((i) => i.op === "ADD")).toBe(false);
    // Every workspace is built, and the runtime stage gets each one's dist.
    const workspaces = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"))
      .workspaces as string[];
    for (const ws of workspaces) {
      expect(sources).toContain(`${ws}/src`);
      expect(sources.some((s) => s.startsWith(`${ws}/package.json`))).toBe(true);
      expect(final.some((i) => i.op === "COPY" && i.args.includes(`/app/${ws}/dist `))).toBe(true);
    }
    // .dockerignore keeps secrets and local state out of the context.
    for (const p of [
      ".env",
      "packages/scaffold/.env.local",
      "node_modules/x",
      "packages/core/dist/index.js",
    ]) {
      expect(
        ignore.some((r) => r.test(p)),
        p,
      ).toBe(true);
    }
  });
});
