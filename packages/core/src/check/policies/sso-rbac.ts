import { parse } from "yaml";
import type { CheckInput } from "../input.js";
import { isRecord } from "../input.js";
import type { Finding } from "../locate.js";
import { definePolicy, policyDiag } from "../policy.js";
import { at, list } from "./tenants.js";

const ID = "sso-rbac";
const CLIENTS = "identity/terraform/clients.tf.json";
const ARGOCD_VALUES = "k8s/helm/values/argocd.yaml";
const GRAFANA_VALUES = "k8s/helm/values/grafana.yaml";
const VAULT_SSO = "identity/terraform/vault-sso.tf.json";
const BACKSTAGE_VALUES = "k8s/helm/values/backstage.yaml";
/** The Backstage component's OIDC client (BACKSTAGE_OIDC_CLIENT, SSO_CLIENT.backstage). */
const BACKSTAGE_CLIENT = "slipway-backstage";
/** The platform image's resolver: sign-in only for groups holding a Backstage role (ADR 0019). */
const BACKSTAGE_GROUPS_RESOLVER = "platformGroups";

/** Argo CD's reference into a Secret (`$<secret>:<key>`, util/settings ReplaceStringSecret). */
const ARGOCD_SECRET_REF = /^\$([a-z0-9]([-a-z0-9.]*[a-z0-9])?):(.+)$/;
/** Grafana's variable expansion (`$__env{…}`, `$__file{…}`, `$__vault{…}`): a reference, not a value. */
const GRAFANA_REF = /^\$__(env|file|vault)\{.+\}$/;
/** Backstage's app-config substitution (`${ENV}`): the value comes from the environment at start. */
const BACKSTAGE_ENV_REF = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
/** A Terraform reference or expression: the value comes from another resource at apply time. */
const TF_REF = /^\$\{.+\}$/;

function finding(file: string, path: (string | number)[], message: string, hint: string): Finding {
  return { file, doc: 0, diagnostic: policyDiag(ID, message, { path, hint }) };
}

/** OIDC clients the identity Terraform declares, by name (ZITADEL `name`, Keycloak `client_id`). */
function declaredClients(input: CheckInput): Set<string> {
  const r = at(input.parsed.get(CLIENTS)?.docs[0], "resource");
  const out = new Set<string>();
  for (const c of Object.values((at(r, "zitadel_application_oidc") ?? {}) as object))
    if (isRecord(c) && typeof c.name === "string") out.add(c.name);
  for (const c of Object.values((at(r, "keycloak_openid_client") ?? {}) as object))
    if (isRecord(c) && typeof c.client_id === "string") out.add(c.client_id);
  return out;
}

/** Secrets ExternalSecrets write in `namespace` (their target name, defaulting to their own). */
function externalSecretTargets(input: CheckInput, namespace: string): Set<string> {
  const out = new Set<string>();
  for (const o of input.objects) {
    if (o.object.kind !== "ExternalSecret" || input.namespaceOf(o) !== namespace) continue;
    const target = at(o.object.spec, "target", "name");
    out.add(typeof target === "string" ? target : o.object.metadata.name);
  }
  return out;
}

const CLIENT_HINT =
  "Declare the UI's OIDC client through the identity component (spec.access in platform.yaml), so Terraform creates it and writes its secret to Vault.";

function* argocd(input: CheckInput, clients: Set<string>): Generator<Finding> {
  const values = input.parsed.get(ARGOCD_VALUES)?.docs[0];
  const raw = at(values, "configs", "cm", "oidc.config");
  if (typeof raw !== "string") return;
  const cmPath = ["configs", "cm", "oidc.config"];
  let oidc: unknown;
  try {
    oidc = parse(raw);
  } catch {
    yield finding(
      ARGOCD_VALUES,
      cmPath,
      "Argo CD's oidc.config is not YAML",
      "Render oidc.config from data (toYaml).",
    );
    return;
  }
  const secrets = externalSecretTargets(input, "argocd");
  for (const key of ["clientID", "clientSecret"] as const) {
    const v = at(oidc, key);
    const ref = typeof v === "string" ? ARGOCD_SECRET_REF.exec(v) : null;
    if (key === "clientSecret" && !ref) {
      yield finding(
        ARGOCD_VALUES,
        cmPath,
        "Argo CD's OIDC client secret is written into its values instead of referenced",
        "Use clientSecret: $<secret>:<key>, a Secret ESO writes from Vault (labelled app.kubernetes.io/part-of: argocd).",
      );
    } else if (ref && !secrets.has(ref[1] as string)) {
      yield finding(
        ARGOCD_VALUES,
        cmPath,
        `Argo CD's oidc.config ${key} references Secret ${ref[1]}, which no ExternalSecret in namespace argocd writes`,
        "Render the ExternalSecret that delivers the client from Vault (identity component, Application argocd-oidc).",
      );
    }
  }
  if (!clients.has("argocd")) {
    yield finding(
      ARGOCD_VALUES,
      cmPath,
      "Argo CD signs in through OIDC, but no OIDC client argocd is declared",
      CLIENT_HINT,
    );
  }
  const rbac = at(values, "configs", "rbac");
  const def = at(rbac, "policy.default");
  if (typeof def === "string" && def.trim() !== "") {
    yield finding(
      ARGOCD_VALUES,
      ["configs", "rbac", "policy.default"],
      `Argo CD gives every signed-in person ${def} (policy.default)`,
      "Leave policy.default empty (deny) and grant roles to groups in policy.csv.",
    );
  }
  const csv = at(rbac, "policy.csv");
  const bindings = typeof csv === "string" ? csv.split("\n").filter((l) => /^\s*g\s*,/.test(l)) : [];
  if (bindings.length === 0) {
    yield finding(
      ARGOCD_VALUES,
      ["configs", "rbac"],
      "Argo CD signs in through OIDC but maps no group to a role (policy.csv has no `g,` line)",
      "Map groups to roles: spec.access.argocd in platform.yaml.",
    );
  }
}

function* grafana(input: CheckInput, clients: Set<string>): Generator<Finding> {
  const oauth = at(input.parsed.get(GRAFANA_VALUES)?.docs[0], "grafana.ini", "auth.generic_oauth");
  if (!isRecord(oauth) || oauth.enabled !== true) return;
  const base = ["grafana.ini", "auth.generic_oauth"];
  const secret = oauth.client_secret;
  if (secret !== undefined && !(typeof secret === "string" && GRAFANA_REF.test(secret))) {
    yield finding(
      GRAFANA_VALUES,
      [...base, "client_secret"],
      "Grafana's OAuth client secret is written into its values",
      "Deliver it as GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET from an ESO-written Secret (envFromSecret), or $__file{…}.",
    );
  }
  if (typeof oauth.role_attribute_path !== "string" || oauth.role_attribute_path.trim() === "") {
    yield finding(
      GRAFANA_VALUES,
      base,
      "Grafana signs in through OAuth but maps no group to a role (role_attribute_path)",
      "Map groups to Admin/Editor/Viewer: spec.access.grafana in platform.yaml.",
    );
  }
  if (!clients.has("grafana")) {
    yield finding(
      GRAFANA_VALUES,
      base,
      "Grafana signs in through OAuth, but no OIDC client grafana is declared",
      CLIENT_HINT,
    );
  }
}

function* vault(input: CheckInput, clients: Set<string>): Generator<Finding> {
  const r = at(input.parsed.get(VAULT_SSO)?.docs[0], "resource");
  if (!isRecord(r)) return;
  for (const [name, b] of Object.entries((at(r, "vault_jwt_auth_backend") ?? {}) as object)) {
    if (!isRecord(b) || b.type !== "oidc") continue;
    const path = ["resource", "vault_jwt_auth_backend", name];
    if (typeof b.oidc_client_secret === "string" && !TF_REF.test(b.oidc_client_secret)) {
      yield finding(
        VAULT_SSO,
        [...path, "oidc_client_secret"],
        "Vault's OIDC client secret is a literal in Git",
        "Reference the client resource (${zitadel_application_oidc.vault.client_secret}) so it never leaves Terraform.",
      );
    }
    if (!clients.has("vault")) {
      yield finding(
        VAULT_SSO,
        path,
        "Vault signs in through OIDC, but no OIDC client vault is declared",
        CLIENT_HINT,
      );
    }
  }
  const roles = Object.entries((at(r, "vault_jwt_auth_backend_role") ?? {}) as object);
  const aliases = list(Object.values((at(r, "vault_identity_group_alias") ?? {}) as object));
  for (const [name, role] of roles) {
    if (!isRecord(role) || role.role_type !== "oidc") continue;
    if (typeof role.groups_claim !== "string" || aliases.length === 0) {
      yield finding(
        VAULT_SSO,
        ["resource", "vault_jwt_auth_backend_role", name],
        "Vault's OIDC role maps no group to policies (groups_claim and external group aliases)",
        "Map groups to policies: spec.access.vault in platform.yaml.",
      );
    }
  }
}

/**
 * Backstage: every environment of its `oidc` provider signs in only through the image's
 * groups resolver (a resolver admitting anyone the provider authenticates, such as
 * `dangerouslyAllowSignInWithoutUserInCatalog`, is what ADR 0019 removed), reads the client secret
 * from the environment, and has its client declared.
 */
function* backstage(input: CheckInput, clients: Set<string>): Generator<Finding> {
  const base = ["backstage", "appConfig", "auth", "providers", "oidc"];
  const oidc = at(input.parsed.get(BACKSTAGE_VALUES)?.docs[0], ...base);
  if (!isRecord(oidc)) return;
  for (const [env, config] of Object.entries(oidc)) {
    if (!isRecord(config)) continue;
    const path = [...base, env];
    const secret = config.clientSecret;
    if (secret !== undefined && !(typeof secret === "string" && BACKSTAGE_ENV_REF.test(secret))) {
      yield finding(
        BACKSTAGE_VALUES,
        [...path, "clientSecret"],
        "Backstage's OIDC client secret is written into its app-config",
        "Reference it as ${AUTH_OIDC_CLIENT_SECRET}, an env var from the ESO-written Secret.",
      );
    }
    for (const [i, r] of list(at(config, "signIn", "resolvers")).entries()) {
      if (!isRecord(r)) continue;
      if (r.resolver === BACKSTAGE_GROUPS_RESOLVER && r.dangerouslyAllowSignInWithoutUserInCatalog !== true)
        continue;
      yield finding(
        BACKSTAGE_VALUES,
        [...path, "signIn", "resolvers", i],
        `Backstage's sign-in resolver ${String(r.resolver)} admits people whatever their groups`,
        `Sign in with the platform image's ${BACKSTAGE_GROUPS_RESOLVER} resolver only (spec.access.backstage in platform.yaml, ADR 0019).`,
      );
    }
    if (!clients.has(BACKSTAGE_CLIENT)) {
      yield finding(
        BACKSTAGE_VALUES,
        path,
        `Backstage signs in through OIDC, but no OIDC client ${BACKSTAGE_CLIENT} is declared`,
        CLIENT_HINT,
      );
    }
  }
}

/**
 * Every platform UI rendered with SSO (Argo CD, Grafana, Vault, Backstage) has its OIDC client declared,
 * reads its client secret by reference (never a literal in Git), and maps groups to roles; Argo CD
 * gives nobody a role by default (ADR 0012).
 */
export const ssoRbac = definePolicy({
  id: ID,
  description:
    "Platform UIs with SSO have an OIDC client, a group-to-role mapping, no default role and no inline secret",
  *check(input) {
    const clients = declaredClients(input);
    yield* argocd(input, clients);
    yield* grafana(input, clients);
    yield* vault(input, clients);
    yield* backstage(input, clients);
  },
});
