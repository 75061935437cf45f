import { POSTGRES_ADMIN_SECRET_PATH, POSTGRES_NAMESPACE } from "../../components/postgres/contract.js";
import type { CheckInput } from "../input.js";
import { isRecord } from "../input.js";
import { definePolicy, describe, objectFinding } from "../policy.js";
import { at, list, serviceNamespaces } from "./tenants.js";

const ROLES = "vault/terraform/roles.tf.json";
const POLICIES = "vault/terraform/policies.tf.json";
const ROLE_PATH = ["spec", "provider", "vault", "auth", "kubernetes", "role"];

/** The rendered Vault roles and policies (components/vault/terraform.ts), as data. */
function vaultConfig(input: CheckInput) {
  const roles = new Map<string, Record<string, unknown>>();
  for (const r of Object.values(
    (at(input.parsed.get(ROLES)?.docs[0], "resource", "vault_kubernetes_auth_backend_role") ?? {}) as object,
  ))
    if (isRecord(r) && typeof r.role_name === "string") roles.set(r.role_name, r);
  const doc = input.parsed.get(POLICIES)?.docs[0];
  const documents = (at(doc, "data", "vault_policy_document") ?? {}) as Record<string, unknown>;
  const byName = new Map<string, string>();
  for (const [id, p] of Object.entries(
    (at(doc, "resource", "vault_policy") ?? {}) as Record<string, unknown>,
  ))
    if (isRecord(p) && typeof p.name === "string") byName.set(p.name, id);
  /** The rule paths of a role's `token_policies` entry: `${vault_policy.<id>.name}` or a literal name. */
  const rules = (entry: unknown): string[] | undefined => {
    const ref = typeof entry === "string" ? /^\$\{vault_policy\.([^.]+)\.name\}$/.exec(entry) : null;
    const id = ref ? ref[1] : typeof entry === "string" ? byName.get(entry) : undefined;
    const d = id === undefined ? undefined : documents[id];
    return d === undefined ? undefined : list(at(d, "rule")).map((r) => String(at(r, "path")));
  };
  return { roles, rules };
}

/**
 * KV paths platform components read for themselves: every ExternalSecret key outside service
 * namespaces, except the database owners' secrets the PostgreSQL provisioning reads for every
 * database (a service's own among them), plus the superuser's.
 */
function platformPaths(input: CheckInput, tenants: ReadonlyMap<string, unknown>): Set<string> {
  const out = new Set([`kv/data/${POSTGRES_ADMIN_SECRET_PATH}`]);
  for (const o of input.objects) {
    const ns = input.namespaceOf(o);
    if (o.object.kind !== "ExternalSecret" || ns === undefined || tenants.has(ns)) continue;
    if (ns === POSTGRES_NAMESPACE) continue;
    for (const d of list(at(o.object.spec, "data"))) {
      const key = at(d, "remoteRef", "key");
      if (typeof key === "string") out.add(`kv/data/${key}`);
    }
  }
  return out;
}

/** Databases the namespace's Deployments connect to (`DATABASE_NAME`, set by the database customizer). */
function databasesOf(input: CheckInput, namespace: string): Set<string> {
  const out = new Set<string>();
  for (const o of input.objects) {
    if (o.object.kind !== "Deployment" || input.namespaceOf(o) !== namespace) continue;
    for (const c of list(at(o.object, "spec", "template", "spec", "containers")))
      for (const e of list(at(c, "env")))
        if (at(e, "name") === "DATABASE_NAME" && typeof at(e, "value") === "string")
          out.add(String(at(e, "value")));
  }
  return out;
}

/**
 * Whether a policy path is one of the namespace's services' own secrets (their KV prefix, their
 * OIDC client, the owner secret of a database they connect to), and no platform component's.
 */
function ownPath(
  path: string,
  services: readonly string[],
  databases: ReadonlySet<string>,
  platform: ReadonlySet<string>,
): boolean {
  if (platform.has(path)) return false;
  const db = /^kv\/data\/postgres\/([a-z_][a-z0-9_]*)$/.exec(path)?.[1];
  if (db !== undefined) return databases.has(db);
  return services.some(
    (s) =>
      path.startsWith(`kv/data/services/${s}/`) ||
      path.startsWith(`kv/metadata/services/${s}/`) ||
      path === `kv/data/identity/clients/${s}`,
  );
}

/**
 * The Vault side of a service namespace's SecretStore: its Kubernetes auth role (in the rendered
 * `vault/terraform`) is bound to that namespace alone, and every path its policies grant is the
 * namespace's services' own: `kv/{data,metadata}/services/<service>/…`, the service's OIDC client
 * (`kv/data/identity/clients/<service>`) and one database's owner secret (`kv/data/postgres/<db>`,
 * never the superuser's `postgres/admin` nor one a platform component reads). Anything else is a
 * platform path the service could read.
 */
export const serviceVaultScope = definePolicy({
  id: "service-vault-scope",
  description:
    "A service namespace's SecretStore logs in with a Vault role bound to it that reaches only its services' paths",
  *check(input) {
    const tenants = serviceNamespaces(input);
    let vault: ReturnType<typeof vaultConfig> | undefined;
    let platform: Set<string> | undefined;
    for (const o of input.objects) {
      const ns = input.namespaceOf(o);
      if (o.object.kind !== "SecretStore" || ns === undefined) continue;
      const services = tenants.get(ns);
      if (!services) continue;
      vault ??= vaultConfig(input);
      platform ??= platformPaths(input, tenants);
      const role = at(o.object.spec, ...ROLE_PATH.slice(1));
      const decl = typeof role === "string" ? vault.roles.get(role) : undefined;
      if (!decl) {
        yield objectFinding(
          this.id,
          o,
          ROLE_PATH,
          `${describe(o, ns)} logs in with ${typeof role === "string" ? `Vault role ${role}, which ${ROLES} does not declare` : "no Kubernetes auth role"}`,
          "Log in with Kubernetes auth as a role the platform declares (services/tenancy.ts serviceVaultAccess).",
        );
        continue;
      }
      const bound = list(decl.bound_service_account_namespaces);
      if (bound.length !== 1 || bound[0] !== ns) {
        yield objectFinding(
          this.id,
          o,
          ROLE_PATH,
          `${describe(o, ns)} logs in as Vault role ${String(role)}, bound to namespaces ${JSON.stringify(bound)}`,
          `Bind the role to ${ns} alone: a role shared with another namespace shares its secrets.`,
        );
      }
      for (const p of list(decl.token_policies)) {
        const paths = vault.rules(p);
        if (paths === undefined) {
          yield objectFinding(
            this.id,
            o,
            ROLE_PATH,
            `${describe(o, ns)}: Vault role ${String(role)} has policy ${String(p)}, which ${POLICIES} does not declare`,
            "Every policy of a service's role is rendered, so what it grants can be checked.",
          );
          continue;
        }
        for (const path of paths)
          if (!ownPath(path, services, databasesOf(input, ns), platform))
            yield objectFinding(
              this.id,
              o,
              ROLE_PATH,
              `${describe(o, ns)}: Vault role ${String(role)} reaches ${path}, which is not its services' own`,
              `Grant only kv/data/services/<service>/* (and its metadata), the service's OIDC client and database secret.`,
            );
      }
    }
  },
});
