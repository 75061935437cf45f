import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { renderPlatform } from "../src/index.js";

/**
 * Rendering is pure (DESIGN.md): the same platform repository renders byte-identical files in the
 * same order, however often it is rendered and in whatever order its service files were created.
 */

const workdir = mkdtempSync(join(tmpdir(), "slipway-determinism-"));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?$/);
const envName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/);
// Env values are free text: they go through the YAML emitter's quoting and literal blocks.
const envValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("on", "yes", "0755", "1:20", "", " x", "a: b", "line1\nline2\n", "🚀", "null"),
);

const serviceArb = fc.record({
  subdomain: fc.option(label, { nil: undefined }),
  exposure: fc.constantFrom("public", "internal"),
  replicas: fc.integer({ min: 0, max: 20 }),
  port: fc.integer({ min: 1, max: 65535 }),
  tag: fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}$/),
  env: fc.dictionary(envName, envValue, { maxKeys: 4 }),
  secret: fc.boolean(),
});

const platformArb = fc.record({
  name: label,
  domain: fc.tuple(label, fc.constantFrom("dev", "net", "io")).map(([a, b]) => `${a}.${b}`),
  owner: fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/),
  services: fc.uniqueArray(fc.tuple(label, serviceArb), {
    minLength: 0,
    maxLength: 8,
    selector: ([name]) => name,
  }),
});

type GeneratedPlatform = typeof platformArb extends fc.Arbitrary<infer T> ? T : never;

let repoCount = 0;

/** Writes platform.yaml and services/*.yaml; service files are created in `order`. */
function writeRepo(p: GeneratedPlatform, order: readonly number[]): string {
  const root = join(workdir, `repo-${repoCount++}`);
  mkdirSync(join(root, "services"), { recursive: true });
  writeFileSync(
    join(root, "platform.yaml"),
    stringify({
      apiVersion: "slipway.dev/v1alpha1",
      kind: "Platform",
      metadata: { name: p.name },
      spec: {
        domain: p.domain,
        git: { repoURL: `https://github.com/${p.owner}/${p.name}.git`, revision: "main" },
        github: { owner: p.owner },
        cluster: { distribution: "k3s", nodes: [{ name: "node-1", cpu: 4, memory: "16Gi" }] },
        components: Object.fromEntries(
          ["argocd", "gateway", "cloudflare", "vault", "external-secrets", "postgres", "observability"].map(
            (id) => [id, { enabled: true }],
          ),
        ),
      },
    }),
  );
  // Subdomains must be unique: keep the first claim of each.
  const claimed = new Set<string>();
  for (const i of order) {
    const [label, s] = p.services[i] as GeneratedPlatform["services"][number];
    const name = `svc-${label}`;
    const subdomain = s.subdomain !== undefined && !claimed.has(s.subdomain) ? s.subdomain : undefined;
    if (subdomain !== undefined) claimed.add(subdomain);
    writeFileSync(
      join(root, "services", `${name}.yaml`),
      stringify({
        apiVersion: "slipway.dev/v1alpha1",
        kind: "Service",
        metadata: { name },
        spec: {
          image: `ghcr.io/${p.owner}/${name}:${s.tag}`,
          port: s.port,
          ...(subdomain !== undefined ? { subdomain } : {}),
          exposure: s.exposure,
          replicas: s.replicas,
          env: s.env,
          ...(s.secret ? { secrets: [{ env: "API_TOKEN", key: `${name}/api`, property: "token" }] } : {}),
        },
      }),
    );
  }
  return root;
}

/** Everything rendered, in rendering order: paths, contents and the Applications. */
function renderAll(root: string) {
  const session = renderPlatform(join(root, "platform.yaml"));
  const files = [...session.files].map((f) => ({ path: f.path, content: f.content, owner: f.owner }));
  return { files, apps: session.apps.map((a) => ({ name: a.spec.name, owner: a.owner, wave: a.wave })) };
}

describe("synth is deterministic", () => {
  it("renders byte-identical files in the same order, twice and whatever the service file order", () => {
    fc.assert(
      fc.property(
        platformArb.chain((p) =>
          fc.tuple(
            fc.constant(p),
            fc.shuffledSubarray(
              p.services.map((_, i) => i),
              { minLength: p.services.length, maxLength: p.services.length },
            ),
          ),
        ),
        ([p, shuffled]) => {
          // Subdomain claims follow creation order; make the winners order-independent first.
          const seen = new Set<string>();
          const services = p.services.map(([l, s]) => {
            if (s.subdomain === undefined || seen.has(s.subdomain))
              return [l, { ...s, subdomain: undefined }];
            seen.add(s.subdomain);
            return [l, s];
          }) as GeneratedPlatform["services"];
          const platform = { ...p, services };
          const inOrder = writeRepo(
            platform,
            services.map((_, i) => i),
          );
          const reordered = writeRepo(platform, shuffled);
          const first = renderAll(inOrder);
          expect(first.files.length).toBeGreaterThan(0);
          expect(renderAll(inOrder)).toEqual(first);
          expect(renderAll(reordered)).toEqual(first);
          rmSync(inOrder, { recursive: true, force: true });
          rmSync(reordered, { recursive: true, force: true });
        },
      ),
      { numRuns: 30 },
    );
  });
});
