/**
 * Generates a platform repository with N services for bench/synth:
 *   node bench/synth/generate.ts <N> <dir>
 * The platform is the homelab example's (every baseline component enabled); services vary the way
 * real ones do: most public with a subdomain, some internal, every third with a secret, every fifth
 * with a database, a few env vars each. Deterministic: the same N gives the same files.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [nArg, dir] = process.argv.slice(2);
const n = Number(nArg);
if (!Number.isInteger(n) || n < 0 || dir === undefined) {
  process.stderr.write("usage: node bench/synth/generate.ts <N> <dir>\n");
  process.exit(2);
}

rmSync(dir, { recursive: true, force: true });
mkdirSync(join(dir, "services"), { recursive: true });

writeFileSync(
  join(dir, "platform.yaml"),
  `apiVersion: slipway.dev/v1alpha1
kind: Platform
metadata:
  name: bench
spec:
  domain: bench.example.dev
  git:
    repoURL: https://github.com/bench/platform.git
    revision: main
  github:
    owner: bench
  cluster:
    distribution: k3s
    nodes:
      - name: node-1
        cpu: 64
        memory: 256Gi
  components:
    argocd: { enabled: true }
    gateway: { enabled: true }
    cloudflare: { enabled: true }
    vault: { enabled: true }
    external-secrets: { enabled: true }
    postgres: { enabled: true }
    observability: { enabled: true }
`,
);

const runtimes = ["generic", "java", "node", "static"] as const;
for (let i = 0; i < n; i++) {
  const name = `svc-${String(i).padStart(5, "0")}`;
  const lines = [
    "apiVersion: slipway.dev/v1alpha1",
    "kind: Service",
    "metadata:",
    `  name: ${name}`,
    "spec:",
    `  description: Benchmark service number ${i}`,
    `  image: ghcr.io/bench/${name}:1.${i % 10}.${i % 7}`,
    `  port: ${8000 + (i % 1000)}`,
    `  exposure: ${i % 4 === 3 ? "internal" : "public"}`,
    `  runtime: ${runtimes[i % runtimes.length]}`,
    `  replicas: ${1 + (i % 3)}`,
    "  resources:",
    `    requests: { cpu: ${10 + (i % 90)}m, memory: ${32 + (i % 8) * 16}Mi }`,
    `    limits: { memory: ${128 + (i % 4) * 64}Mi }`,
    "  env:",
    "    LOG_LEVEL: info",
    `    SERVICE_INDEX: "${i}"`,
    `    FEATURE_FLAGS: "on"`,
  ];
  if (i % 10 !== 9) lines.push(`  subdomain: ${name}`);
  if (i % 3 === 0) {
    lines.push("  secrets:", "    - env: API_TOKEN", `      key: ${name}/api`, "      property: token");
  }
  if (i % 5 === 0) lines.push("  database: {}");
  writeFileSync(join(dir, "services", `${name}.yaml`), `${lines.join("\n")}\n`);
}
