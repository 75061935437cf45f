import { isRecord } from "../input.js";
import type { Finding } from "../locate.js";
import { definePolicy, objectFinding, policyDiag } from "../policy.js";

/** Literal shapes of credentials; each is unmistakable enough to flag wherever it appears. */
const PATTERNS: readonly { name: string; re: RegExp }[] = [
  { name: "a private key", re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { name: "a GitHub token", re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { name: "an AWS access key id", re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: "a Slack token", re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  { name: "a Slack webhook", re: /hooks\.slack\.com\/services\/T[A-Za-z0-9]+\/B[A-Za-z0-9]+\/[A-Za-z0-9]+/ },
  { name: "a JSON Web Token", re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
];

/** Keys whose literal value would be a credential: `password`, `adminPassword`, `client_secret`, `apiKey`, … */
const SECRET_KEY =
  /(?:^|[a-z0-9_.-])(?:password|passwd|passphrase|token|secret|api[-_]?key|access[-_]?key|private[-_]?key)$/i;
/** …but not names of where a secret lives: `existingSecret`, `secretName`, `tokenSecretRef`. */
const REFERENCE_KEY = /^existing|(?:ref|refs|name|names|file|path|mount|env|template|type|policy|length)$/i;
/** Values that point at a secret instead of holding one. */
const REFERENCE_VALUE = /^(?:\$\{.*\}|\$\(.*\)|\{\{.*\}\}|<path:.*>|vault:.*|ref\+.*|secretref:.*)$/is;

export function looksLikeSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !REFERENCE_KEY.test(key);
}

/**
 * No secrets in Git: no `kind: Secret` objects (secrets come from Vault through External Secrets)
 * and no secret-looking literal anywhere in the tree, in objects, Helm values or other files.
 */
export const noSecrets = definePolicy({
  id: "no-secrets",
  description: "No Secret objects and no secret-looking literals in the rendered tree",
  *check(input) {
    for (const o of input.objects) {
      if (o.object.kind === "Secret" && o.object.apiVersion === "v1") {
        yield objectFinding(
          this.id,
          o,
          ["kind"],
          `Secret ${o.object.metadata.name} is rendered into Git`,
          "Store the value in Vault and render an ExternalSecret that creates the Secret in the cluster.",
        );
      }
    }
    for (const f of input.files) {
      const parsed = input.parsed.get(f.path);
      if (parsed) {
        for (const [doc, d] of parsed.docs.entries()) yield* scan(this.id, f.path, doc, d, []);
      } else {
        // Not YAML or JSON (Terraform, scripts): scan the text line by line.
        const lines = f.content.split("\n");
        for (const [i, line] of lines.entries()) {
          const hit = PATTERNS.find((p) => p.re.test(line));
          const kv = /^\s*"?([\w.-]+)"?\s*[=:]\s*"([^"]+)"/.exec(line);
          const what =
            hit?.name ??
            (kv && looksLikeSecretKey(kv[1] as string) && !REFERENCE_VALUE.test(kv[2] as string)
              ? `a literal ${kv[1]}`
              : undefined);
          if (what) {
            yield {
              file: f.path,
              doc: 0,
              diagnostic: policyDiag("no-secrets", `${f.path} contains ${what}`, {
                location: { file: f.path, line: i + 1, col: 1 },
                hint: HINT,
              }),
            };
          }
        }
      }
    }
  },
});

const HINT =
  "Keep secrets in Vault; reference them (ExternalSecret, secretKeyRef, existingSecret) instead of writing values.";

function* scan(
  id: string,
  file: string,
  doc: number,
  v: unknown,
  path: (string | number)[],
): Generator<Finding> {
  if (typeof v === "string") {
    const hit = PATTERNS.find((p) => p.re.test(v));
    if (hit) yield objectFinding(id, { file, doc }, path, `${hit.name} is written in the tree`, HINT);
    return;
  }
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) yield* scan(id, file, doc, x, [...path, i]);
    return;
  }
  if (!isRecord(v)) return;
  // `env: [{name: DB_PASSWORD, value: "…"}]`: the secret-ness is in the name.
  if (
    typeof v.name === "string" &&
    typeof v.value === "string" &&
    isLiteral(v.value) &&
    looksLikeSecretKey(v.name)
  ) {
    yield objectFinding(id, { file, doc }, [...path, "value"], `${v.name} is set to a literal value`, HINT);
  }
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === "string" && looksLikeSecretKey(k) && isLiteral(x)) {
      yield objectFinding(id, { file, doc }, [...path, k], `${k} is set to a literal value`, HINT);
      continue;
    }
    yield* scan(id, file, doc, x, [...path, k]);
  }
}

const isLiteral = (s: string) => s.trim() !== "" && !REFERENCE_VALUE.test(s.trim());
