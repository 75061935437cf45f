import { z } from "zod";

/** Shared schema pieces; components import these so the same field reads the same everywhere. */

export const dnsLabel = z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  error:
    "must be a DNS label: lowercase letters, digits and '-', starting with a letter, at most 63 characters",
});

/** An AWS region name (`eu-west-1`, `us-gov-west-1`). */
export const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be an AWS region such as eu-west-1" });

export const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    error: "must be a lowercase fully qualified domain name such as example.com",
  });

/**
 * A CPU quantity (`500m`, `1`, `1.5`), written as a string or a number; always a string after parsing.
 * The transform sits after the union so the JSON Schema (input side) keeps the pattern.
 */
export const cpuQuantity = z
  .union([
    z.string().regex(/^(\d+(\.\d+)?|\d+m)$/, { error: "must be a CPU quantity such as 500m, 1 or 1.5" }),
    z.number().positive(),
  ])
  .transform((v) => String(v));

export const memoryQuantity = z
  .string()
  .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, { error: "must be a memory quantity such as 256Mi or 1Gi" });

export const resourcePair = z.strictObject({
  cpu: cpuQuantity.describe('CPU: cores (0.5) or millicores ("500m")'),
  memory: memoryQuantity.describe("Memory, such as 256Mi"),
});

export const resources = z.strictObject({
  requests: resourcePair.describe("What the scheduler reserves; counted by `slipway budget`"),
  limits: z
    .strictObject({
      cpu: cpuQuantity.optional().describe("CPU limit; omit to let the container burst (recommended)"),
      memory: memoryQuantity.describe("Memory limit: the container is killed above it"),
    })
    .describe("Hard limits"),
});

export const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, { error: "must be an environment variable name such as DATABASE_URL" });

/**
 * A container image reference pinned to a tag or digest; `latest` and untagged images are refused,
 * because Image Updater and rollbacks need to know exactly what runs.
 */
export const imageRef = z
  .string()
  .regex(
    /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
    { error: "must be an image reference such as ghcr.io/owner/app:1.2.3", abort: true },
  )
  .refine((s) => /:[\w][\w.-]*$|@sha256:/.test(s.replace(/^[^/]+\//, "")), {
    error: "is not pinned to a tag or digest",
    params: {
      code: "SW_SPEC_IMAGE_UNPINNED",
      hint: "Add a tag such as :1.2.3 or a digest (@sha256:…); CI pins the tag it pushed.",
    },
    abort: true,
  })
  .refine((s) => !/:latest(@|$)/.test(s), {
    error: "uses the tag 'latest'",
    params: {
      code: "SW_SPEC_IMAGE_LATEST",
      hint: "Pin a version tag or digest: 'latest' changes under Argo CD without a commit.",
    },
  });

/** Milliseconds of CPU in a quantity, for budgets. */
export function cpuMillis(q: string | number): number {
  const s = String(q);
  return s.endsWith("m") ? Number(s.slice(0, -1)) : Math.round(Number(s) * 1000);
}

const MEM_FACTORS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Bytes in a memory quantity, for budgets. */
export function memoryBytes(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(String(q));
  if (!m) return Number.NaN;
  const f = MEM_FACTORS[m[2] ?? ""];
  return f === undefined ? Number.NaN : Math.round(Number(m[1]) * f);
}
