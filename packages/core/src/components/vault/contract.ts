// The vault component's public module: what other components, check/ and bootstrap/ may use
// (docs/adr/0016-module-boundaries.md). It imports only render/, config/, errors and other contracts.
import { z } from "zod";
import { type AccessSpec, groupServices, groupsWithRole } from "../../config/access.js";
import { awsRegion } from "../../config/primitives.js";
import type { PlatformSpec } from "../../config/schema.js";
import { diag, InputError } from "../../diagnostics.js";
import { vaultAwsDefaults } from "../../render/aws.js";
import type { VaultPolicyDecl } from "../../render/plan.js";

/**
 * The contract for reading secrets from Vault's KV v2 mount: platform components through the
 * `vault-backend` ClusterSecretStore (usable only from platform namespaces), each service through a
 * SecretStore of its own namespace that logs in as the service and reads only the service's paths.
 */
export const VAULT = {
  namespace: "vault",
  address: "http://vault.vault.svc.cluster.local:8200",
  /** KV v2 mount holding every static secret Slipway references. */
  kvMount: "kv",
  /** Kubernetes auth mount path. */
  kubernetesAuthPath: "kubernetes",
  /** ESO ClusterSecretStore of platform components; its conditions admit only platform namespaces. */
  clusterSecretStore: "vault-backend",
  /**
   * Audience every Kubernetes auth role requires; clients request service account tokens for it
   * (ESO `serviceAccountRef.audiences`, cert-manager `serviceAccountRef.audiences`), so a token
   * minted for another audience cannot log in to Vault.
   */
  kubernetesAuthAudience: "vault",
} as const;

/** KV folder holding every service's secrets. */
export const SERVICE_SECRETS_FOLDER = "services/";

/** KV prefix of every secret a service owns (`services/<name>/`), as `spec.secrets[].key` is resolved. */
export const serviceSecretPrefix = (service: string) => `${SERVICE_SECRETS_FOLDER}${service}/`;

/** Vault KV path of a service's own static secrets (`<kvMount>/<path>`). */
export const serviceSecretPath = (service: string, key: string) => `${serviceSecretPrefix(service)}${key}`;

/** ACL paths of a KV v2 secret (or prefix ending in `*`): v2 puts data and metadata under separate paths. */
export function kvPolicyPaths(path: string): { data: string; metadata: string } {
  return { data: `${VAULT.kvMount}/data/${path}`, metadata: `${VAULT.kvMount}/metadata/${path}` };
}

/** Name of a service's SecretStore in its namespace (one per service: services may share a namespace). */
export const serviceSecretStore = (service: string) => `vault-${service}`;

/** Vault policy and Kubernetes auth role a service's SecretStore logs in with. */
export const serviceKvRole = (service: string) => `kv-${service}`;

/** HashiCorp's vault chart and the Vault image it runs; `backups` runs the same image for raft snapshots. */
export const VAULT_CHART = {
  repoURL: "https://helm.releases.hashicorp.com",
  chart: "vault",
  version: "0.34.1",
  schemaRef: "helm-vault/0.34.1",
  /** Vault 2.0.4, the chart's appVersion; pinned here so a chart bump is a visible diff. */
  imageTag: "2.0.4",
} as const;

/** Where the Vault configuration lives in the platform repository (ADR 0002). */
export const VAULT_TERRAFORM_DIR = "vault/terraform";

/**
 * The provider block of a root that talks to Vault: the base root here, and every capability root
 * that is applied in its own stage (the database engine, `vault/terraform/database/`).
 */
export function vaultProviders(): Record<string, unknown> {
  return {
    terraform: {
      required_version: ">= 1.6.0",
      required_providers: { vault: { source: "hashicorp/vault", version: "~> 5.0" } },
    },
    // Address and token come from VAULT_ADDR and VAULT_TOKEN in the environment, never from a file.
    provider: { vault: {} },
  };
}

/** `90`, `90s`, `15m`, `1h`, `7d` → seconds; the forms Vault accepts for role TTLs. */
export function ttlSeconds(ttl: string, path: readonly (string | number)[] = []): number {
  const m = /^(\d+)(s|m|h|d)?$/.exec(ttl);
  if (!m) {
    throw new InputError([
      diag("SW_VAULT_BAD_TTL", `invalid Vault TTL ${JSON.stringify(ttl)}`, {
        path,
        hint: "Use a whole number of seconds, minutes, hours or days: 3600, 60m, 1h, 1d.",
      }),
    ]);
  }
  const factor = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? "s"] ?? 1;
  return Number(m[1]) * factor;
}

/** The policy of the token that applies the rendered Terraform roots after the first apply (ADR 0002). */
export const VAULT_TERRAFORM_POLICY = "slipway-terraform";

/**
 * A KMS key reference as the `awskms` seal takes it: key ID, multi-Region key ID, key or alias ARN,
 * or `alias/<name>` (AWS's KeyId grammar).
 */
const KMS_KEY_ID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/[\w/-]+|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/(?:[0-9a-f-]{36}|mrk-[0-9a-f]{32})|alias\/[\w/-]+))$/;

/**
 * How Vault unseals after a restart (ADR 0009). A sealed Vault stops issuing: ESO cannot refresh,
 * cert-manager cannot sign, and istio-csr's one-hour certificates take the mesh down within the
 * hour, so a reboot must not wait for a person.
 *
 * - `kubernetes-secret` (default, one node without another Vault or a cloud KMS): `bootstrap`
 *   stores a threshold of the Shamir unseal keys in the Secret `vault-unseal` of the vault
 *   namespace (never in Git); the Vault container's postStart hook submits them when the server
 *   comes up sealed.
 * - `transit`: Vault's own auto-unseal through the Transit engine of another Vault; the token comes
 *   from the Secret `vault-transit-token` (key `token`) that `bootstrap` creates.
 * - `awskms`: Vault's own auto-unseal through an AWS KMS key; credentials from the pod's identity on
 *   EKS with `spec.cluster.aws.vaultIam`, elsewhere from the Secret `vault-awskms-credentials`
 *   (keys `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) that `bootstrap` creates.
 * - `manual`: nothing; a person runs `vault operator unseal` after every restart.
 */
export const unsealConfig = z
  .discriminatedUnion("mode", [
    z.strictObject({
      mode: z
        .literal("kubernetes-secret")
        .describe(
          "Shamir keys: a threshold of them in the Secret vault-unseal, submitted by a postStart hook",
        ),
      /** Unseal key shares `vault operator init` creates. @default 5 */
      keyShares: z.int().min(1).max(10).default(5).describe("Unseal key shares vault operator init creates"),
      /** Shares needed to unseal; this many are kept in the Secret. @default 3 */
      keyThreshold: z
        .int()
        .min(1)
        .max(10)
        .default(3)
        .describe("Shares needed to unseal; this many are kept in the Secret"),
    }),
    z.strictObject({
      mode: z
        .literal("transit")
        .describe(
          "Auto-unseal through another Vault's Transit engine; its token from the Secret vault-transit-token",
        ),
      /** Address of the other Vault, e.g. `https://vault.lan:8200`. */
      address: z
        .url({
          protocol: /^https?$/,
          error: "must be an http(s) URL such as https://vault.lan:8200",
        })
        .describe("Address of the other Vault, e.g. https://vault.lan:8200"),
      /** Transit key on the other Vault. @default "autounseal" */
      keyName: z.string().min(1).default("autounseal").describe("Transit key on the other Vault"),
      /** Mount path of the Transit engine there. @default "transit/" */
      mountPath: z.string().min(1).default("transit/").describe("Mount path of the Transit engine there"),
    }),
    z.strictObject({
      mode: z
        .literal("awskms")
        .describe(
          "Auto-unseal through an AWS KMS key; credentials from EKS's pod identity, else the Secret vault-awskms-credentials",
        ),
      /** The KMS key: its ID, a multi-Region key ID, its ARN, or an alias (`alias/vault-unseal`) or alias ARN. */
      kmsKeyId: z
        .string()
        .regex(KMS_KEY_ID, {
          error: "must be a KMS key ID, key ARN, alias/<name> or alias ARN, e.g. alias/vault-unseal",
        })
        .describe(
          "The KMS key Vault's root key is encrypted with: key ID, key ARN, alias/<name> or alias ARN",
        ),
      /** Region of the key. @default spec.cluster.aws.region (required off EKS) */
      region: awsRegion
        .optional()
        .describe(
          "AWS region of the key; defaults to spec.cluster.aws.region, required on other distributions",
        ),
      /** KMS API endpoint, e.g. a VPC interface endpoint; the region's public endpoint if unset. */
      endpoint: z
        .url({
          protocol: /^https?$/,
          error: "must be an http(s) URL such as https://kms.eu-west-1.amazonaws.com",
        })
        .optional()
        .describe("KMS API endpoint (a VPC endpoint); the region's public one if unset"),
    }),
    z.strictObject({
      mode: z
        .literal("manual")
        .describe("Nobody unseals: a person runs vault operator unseal after each restart"),
    }),
  ])
  .default({ mode: "kubernetes-secret", keyShares: 5, keyThreshold: 3 });

export type UnsealConfig = z.infer<typeof unsealConfig>;

type AwskmsUnseal = Extract<UnsealConfig, { mode: "awskms" }>;

/**
 * Where the `awskms` seal finds its key's region and its credentials: the region given, else the
 * EKS cluster's; the pod's identity on EKS with `aws.vaultIam`, else an access key from the Secret
 * `bootstrap` asks for (`podIdentity: false`).
 *
 * @throws InputError `SW_VAULT_AWSKMS_REGION` when neither names a region
 */
export function awskmsSeal(
  c: AwskmsUnseal,
  platform: PlatformSpec,
): { readonly region: string; readonly podIdentity: boolean } {
  const cluster = vaultAwsDefaults(platform);
  const region = c.region ?? cluster.region;
  if (region === undefined) {
    throw new InputError([
      diag("SW_VAULT_AWSKMS_REGION", "the awskms seal needs the KMS key's region", {
        path: ["spec", "components", "vault", "unseal"],
        hint: "Set unseal.region (e.g. eu-west-1), or run on EKS with spec.cluster.aws.region.",
      }),
    ]);
  }
  return { region, podIdentity: cluster.podIdentity };
}

/** The Secrets `bootstrap` creates for the unseal modes (never rendered: they hold key material). */
export const UNSEAL = {
  keysSecret: "vault-unseal",
  keysDir: "/vault/unseal",
  transitTokenSecret: "vault-transit-token",
  /** `awskms` off EKS's pod identity: the access key Vault's AWS SDK reads from its environment. */
  awskmsCredentialsSecret: "vault-awskms-credentials",
} as const;

/** The Vault OIDC auth method people sign in with (UI and `vault login -method=oidc`), ADR 0012. */
export const VAULT_SSO = {
  /** Mount path: the UI's callback is `/ui/vault/auth/<path>/oidc/callback`. */
  path: "oidc",
  /** The one role; `default_role`, so neither the UI nor the CLI has to name it. */
  role: "platform",
  /** Policy of `admin` groups. */
  adminPolicy: "sso-admin",
  /** Token lifetime of a person's login. */
  tokenTtl: 3600,
  tokenMaxTtl: 8 * 3600,
} as const;

/** Policy of one `developer` group (its services differ from another group's). */
export const developerPolicy = (group: string) => `sso-developer-${group}`;

/** External identity group standing for a platform group inside Vault. */
export const vaultIdentityGroup = (group: string) => `sso-${group}`;

/**
 * Where Vault sends people back after the provider's login: the UI at `vault.<domain>` (for when a
 * route to it exists), and the CLI's loopback listener (`vault login -method=oidc`, port 8250),
 * which works through `kubectl port-forward` with nothing exposed.
 */
export function vaultRedirectUris(domain: string): string[] {
  return [
    `https://vault.${domain}/ui/vault/auth/${VAULT_SSO.path}/oidc/callback`,
    "http://localhost:8250/oidc/callback",
  ];
}

export interface VaultSsoModel {
  readonly policies: VaultPolicyDecl[];
  /** Each platform group holding a Vault role, with the policies its external group carries. */
  readonly groups: { readonly name: string; readonly policies: string[] }[];
}

/**
 * What each group may do in Vault:
 * - `admin`: everything (`path "*"` with sudo) — the people who run `terraform apply` and unseal;
 * - `developer`: the secrets of its services only (`kv/services/<name>/…`: write, read, delete,
 *   list), and listing the service names; nothing of the platform's own secrets (database
 *   superuser, identity provider keys, OIDC clients), no policies, no auth methods.
 */
export function vaultSso(access: AccessSpec, services: readonly string[], owner: string): VaultSsoModel {
  const policies: VaultPolicyDecl[] = [];
  const byGroup = new Map<string, string[]>();
  const grant = (group: string, policy: string) =>
    byGroup.set(group, [...(byGroup.get(group) ?? []), policy]);
  const admins = groupsWithRole(access, "vault", "admin");
  if (admins.length > 0) {
    policies.push({
      name: VAULT_SSO.adminPolicy,
      rules: [{ path: "*", capabilities: ["create", "read", "update", "patch", "delete", "list", "sudo"] }],
      owner,
    });
    for (const g of admins) grant(g.name, VAULT_SSO.adminPolicy);
  }
  for (const g of groupsWithRole(access, "vault", "developer")) {
    const rules: { path: string; capabilities: string[] }[] = [
      // The names of services (not their secrets), so the UI can browse down to the group's own.
      { path: kvPolicyPaths(SERVICE_SECRETS_FOLDER).metadata, capabilities: ["list"] },
    ];
    for (const s of groupServices(g, services)) {
      const p = kvPolicyPaths(`${serviceSecretPrefix(s)}*`);
      rules.push(
        { path: p.data, capabilities: ["create", "read", "update", "patch", "delete"] },
        { path: p.metadata, capabilities: ["read", "list", "delete"] },
        { path: kvPolicyPaths(serviceSecretPrefix(s)).metadata, capabilities: ["list"] },
      );
    }
    policies.push({ name: developerPolicy(g.name), rules, owner });
    grant(g.name, developerPolicy(g.name));
  }
  const groups = access.groups
    .filter((g) => byGroup.has(g.name))
    .map((g) => ({ name: g.name, policies: byGroup.get(g.name) ?? [] }));
  return { policies, groups };
}
