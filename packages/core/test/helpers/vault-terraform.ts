import type { TestVault, VaultResponse } from "./vault.js";
import { issueCa } from "./x509.js";

/**
 * A stand-in for `terraform apply` of the rendered `vault/terraform/*.tf.json` roots against a real
 * Vault, through Vault's HTTP API.
 *
 * **Why it exists:** the hashicorp/vault Terraform provider (~> 5) cannot be built here — its v5
 * tags are not valid Go module versions, so the module proxy does not serve them — and Terraform
 * without the provider applies nothing. This replaces the provider only, so that Vault itself
 * (v1.21, built from its Go module) judges every value Slipway renders: mount types, the policy
 * HCL, Kubernetes auth role fields, the database connection (Vault logs in to PostgreSQL), the
 * role's statements (run by Vault's PostgreSQL plugin when a credential is read), PKI parameters.
 *
 * For each resource type, {@link RESOURCES} has one small function sending exactly the attribute
 * values the provider sends (same endpoint, same field names and encodings, e.g. `"300s"` for
 * `max_connection_lifetime`) and returning the attributes other resources may reference. An
 * attribute a type does not list fails the apply, as does a resource type, data source or
 * ephemeral resource without an entry: nothing rendered is silently dropped. References
 * (`"${vault_mount.database.path}"`) are resolved by looking them up; a reference to something not
 * declared, or any other `${…}` expression, fails.
 *
 * **What it does not cover:** Terraform itself (HCL/JSON schema validation against the provider's
 * schema, plan, state, drift, updates and deletes — a resource is created once and never changed),
 * the provider's defaults for attributes Slipway does not render, write-only semantics
 * (`password_wo` is sent as `password` on every apply here; `password_wo_version` only matters for
 * updates), and Terraform expressions other than a single reference (a resource with one, such as
 * `jsonencode(...)`, must be skipped by the caller, with a reason).
 */
export class TerraformStandIn {
  /** Attributes of applied resources (inputs after resolution, plus computed ones), by address. */
  readonly state = new Map<string, Attrs>();
  /** Addresses in the order they were applied. */
  readonly applied: string[] = [];

  constructor(
    private readonly vault: TestVault,
    private readonly opts: {
      /** Rewrites the resolved attributes of one resource before it is sent (e.g. a host only reachable in the cluster). */
      rewrite?: (address: string, attrs: Attrs) => Attrs;
      /** Resources not applied, by address, each with the reason. */
      skip?: Record<string, string>;
      /** Resource types of another provider, applied to its own server (helpers/keycloak.ts). */
      resources?: Record<string, ResourceType>;
    } = {},
  ) {}

  /**
   * Applies every resource of `roots` (file path → parsed Terraform JSON) not yet in the state, in
   * dependency order (ties in file, then declaration, order). `only` limits it to some files, as
   * `-target` would; references still resolve against everything declared in `roots`.
   */
  async apply(roots: Record<string, TfJson>, only?: (file: string) => boolean): Promise<string[]> {
    const decl = declarations(roots);
    const done: string[] = [];
    const visiting = new Set<string>();
    const visit = async (address: string): Promise<void> => {
      if (this.state.has(address)) return;
      const r = decl.resources.get(address);
      if (!r) throw new TfError(address, "reference to a resource that is not declared");
      if (visiting.has(address)) throw new TfError(address, "dependency cycle");
      visiting.add(address);
      for (const dep of dependencies(r.attrs, decl)) await visit(dep);
      const attrs = await this.resolve(address, r.attrs, decl);
      const sent = this.opts.rewrite ? this.opts.rewrite(address, attrs) : attrs;
      const type = this.opts.resources?.[r.type] ?? RESOURCES[r.type];
      if (!type) throw new TfError(address, `resource type ${r.type} is not covered by the stand-in`);
      checkAttrs(address, sent, type.attrs);
      const computed = await type.apply(this.vault, sent, address);
      this.state.set(address, { ...sent, ...computed });
      this.applied.push(address);
      done.push(address);
      visiting.delete(address);
    };
    const inScope = [...decl.resources].filter(
      ([address, r]) => this.opts.skip?.[address] === undefined && (!only || only(r.file)),
    );
    // Terraform plans before it applies: every data source and ephemeral resource an in-scope
    // resource reads is read first, so a read that fails applies nothing rather than half a root.
    for (const [address, r] of inScope) {
      if (this.state.has(address)) continue;
      for (const ref of reads(address, r.attrs)) await this.lookup(address, ref, decl);
    }
    for (const [address] of inScope) await visit(address);
    return done;
  }

  /** Replaces each `"${ref}"` in `value` by what it names (recursively). */
  private async resolve(address: string, value: unknown, decl: Declarations): Promise<any> {
    if (typeof value === "string") {
      const ref = reference(address, value);
      return ref === undefined ? value : this.lookup(address, ref, decl);
    }
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.resolve(address, v, decl)));
    if (value !== null && typeof value === "object") {
      const out: Attrs = {};
      for (const [k, v] of Object.entries(value)) out[k] = await this.resolve(address, v, decl);
      return out;
    }
    return value;
  }

  private async lookup(from: string, ref: string[], decl: Declarations): Promise<unknown> {
    const [head, ...rest] = ref;
    const fail = (why: string): never => {
      throw new TfError(from, `\${${ref.join(".")}}: ${why}`);
    };
    let attrs: unknown;
    let path: string[];
    if (head === "var") {
      const v = decl.variables.get(rest[0] ?? "");
      if (!v || !("default" in v)) fail("no such variable with a default");
      return v?.default;
    } else if (head === "data" || head === "ephemeral") {
      const [type = "", name = "", ...p] = rest;
      const block = (head === "data" ? decl.data : decl.ephemeral).get(`${type}.${name}`);
      if (!block) fail(`no ${head} block ${type}.${name} is declared`);
      const fn = head === "data" ? DATA_SOURCES[type] : EPHEMERAL[type];
      if (!fn) fail(`${head} ${type} is not covered by the stand-in`);
      const input = await this.resolve(from, block, decl);
      attrs = await fn?.(this.vault, input);
      path = p;
    } else {
      const [name = "", ...p] = rest;
      const address = `${head}.${name}`;
      if (!decl.resources.has(address)) fail("no such resource is declared");
      attrs = this.state.get(address);
      if (attrs === undefined) fail("not applied yet");
      path = p;
    }
    for (const key of path) {
      if (attrs === null || typeof attrs !== "object" || !(key in attrs)) fail(`no attribute ${key}`);
      attrs = (attrs as Attrs)[key];
    }
    return attrs;
  }
}

export type Attrs = Record<string, any>;
/** A parsed `*.tf.json` file: the blocks this stand-in reads. */
export interface TfJson {
  resource?: Record<string, Record<string, Attrs>>;
  data?: Record<string, Record<string, Attrs>>;
  ephemeral?: Record<string, Record<string, Attrs>>;
  variable?: Record<string, { default?: unknown }>;
  [block: string]: unknown;
}

/** An apply that failed: the resource's address and, when Vault refused, its status and messages. */
export class TfError extends Error {
  constructor(
    readonly address: string,
    message: string,
    readonly response?: VaultResponse,
  ) {
    super(`${address}: ${message}`);
  }
}

interface Declarations {
  resources: Map<string, { type: string; file: string; attrs: Attrs }>;
  data: Map<string, Attrs>;
  ephemeral: Map<string, Attrs>;
  variables: Map<string, { default?: unknown }>;
}

function declarations(roots: Record<string, TfJson>): Declarations {
  const d: Declarations = {
    resources: new Map(),
    data: new Map(),
    ephemeral: new Map(),
    variables: new Map(),
  };
  const add = (map: Map<string, Attrs>, address: string, attrs: Attrs) => {
    if (map.has(address)) throw new TfError(address, "declared twice");
    map.set(address, attrs);
  };
  for (const file of Object.keys(roots).sort()) {
    const root = roots[file] as TfJson;
    for (const [type, byName] of Object.entries(root.resource ?? {})) {
      for (const [name, attrs] of Object.entries(byName)) {
        if (d.resources.has(`${type}.${name}`)) throw new TfError(`${type}.${name}`, "declared twice");
        d.resources.set(`${type}.${name}`, { type, file, attrs });
      }
    }
    for (const [type, byName] of Object.entries(root.data ?? {}))
      for (const [name, attrs] of Object.entries(byName)) add(d.data, `${type}.${name}`, attrs);
    for (const [type, byName] of Object.entries(root.ephemeral ?? {}))
      for (const [name, attrs] of Object.entries(byName)) add(d.ephemeral, `${type}.${name}`, attrs);
    for (const [name, v] of Object.entries(root.variable ?? {})) d.variables.set(name, v);
  }
  return d;
}

/** `"${a.b.c}"` → `["a", "b", "c"]`; a plain string → undefined; any other `${` → an error. */
function reference(address: string, value: string): string[] | undefined {
  const m = /^\$\{([A-Za-z_][\w-]*(?:\.[\w-]+)+)\}$/.exec(value);
  if (m) return (m[1] as string).split(".");
  if (/(^|[^$])\$\{/.test(value)) {
    throw new TfError(address, `${JSON.stringify(value)}: an expression the stand-in does not evaluate`);
  }
  return undefined;
}

/** The `data.…` and `ephemeral.…` references in `value`. */
function reads(address: string, value: unknown, out: string[][] = []): string[][] {
  if (typeof value === "string") {
    const ref = reference(address, value);
    if (ref && (ref[0] === "data" || ref[0] === "ephemeral")) out.push(ref);
  } else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) reads(address, v, out);
  }
  return out;
}

/** Addresses of the resources `value` refers to, directly or through data and ephemeral blocks. */
function dependencies(value: unknown, decl: Declarations, out = new Set<string>()): Set<string> {
  if (typeof value === "string") {
    const m = /^\$\{([A-Za-z_][\w-]*(?:\.[\w-]+)+)\}$/.exec(value);
    const ref = m?.[1]?.split(".");
    if (!ref || ref[0] === "var") return out;
    if (ref[0] === "data" || ref[0] === "ephemeral") {
      const block = (ref[0] === "data" ? decl.data : decl.ephemeral).get(`${ref[1]}.${ref[2]}`);
      if (block) dependencies(block, decl, out);
    } else {
      out.add(`${ref[0]}.${ref[1]}`);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) dependencies(v, decl, out);
  } else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) dependencies(v, decl, out);
  }
  return out;
}

function checkAttrs(address: string, attrs: Attrs, known: readonly string[]): void {
  const extra = Object.keys(attrs).filter((k) => !known.includes(k));
  if (extra.length > 0) {
    throw new TfError(address, `attributes not covered by the stand-in: ${extra.join(", ")}`);
  }
}

/** One write to Vault; a non-2xx answer fails the resource with Vault's status and messages. */
async function write(
  vault: TestVault,
  address: string,
  path: string,
  body: Attrs,
  method: "POST" | "PUT" = "POST",
): Promise<VaultResponse> {
  const res = await vault.request(method, path, body);
  if (res.status >= 300) {
    throw new TfError(address, `Vault ${res.status} on ${path}: ${(res.body.errors ?? []).join("; ")}`, res);
  }
  return res;
}

/** Only the keys of `attrs` in `keys` that are set: the provider sends what the configuration sets. */
function pick(attrs: Attrs, keys: readonly string[]): Attrs {
  return Object.fromEntries(keys.filter((k) => attrs[k] !== undefined).map((k) => [k, attrs[k]]));
}

const seconds = (n: unknown) => (n === undefined ? undefined : `${n}s`);
const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, "");

export interface ResourceType {
  /** The attributes this function maps; any other fails the apply. */
  readonly attrs: readonly string[];
  apply(vault: TestVault, a: Attrs, address: string): Promise<Attrs>;
}

/** A resource whose create call writes every attribute but those in its path, to that path. */
function writesRest(
  attrs: readonly string[],
  inPath: readonly string[],
  path: (a: Attrs) => string,
): ResourceType {
  return {
    attrs,
    async apply(vault, a, address) {
      const rest = Object.fromEntries(Object.entries(a).filter(([k]) => !inPath.includes(k)));
      await write(vault, address, path(a), rest);
      return {};
    },
  };
}

/** Fields of `vault_jwt_auth_backend` the provider writes to `auth/<path>/config` (resource_jwt_auth_backend.go). */
const JWT_CONFIG = [
  "oidc_discovery_url",
  "bound_issuer",
  "oidc_client_id",
  "oidc_client_secret",
  "default_role",
];

/**
 * SSO for people (ADR 0012): Vault's JWT/OIDC auth method, its role, and external identity groups
 * with their aliases. As the provider does: enable the mount (`sys/auth/<path>`), write the config
 * (Vault fetches the discovery document then, so the issuer must answer), read the accessor from
 * `sys/auth`; identity objects are created by POSTing their fields and return their `id`.
 */
export const SSO_RESOURCES: Record<string, ResourceType> = {
  vault_jwt_auth_backend: {
    attrs: ["path", "type", "description", ...JWT_CONFIG],
    async apply(vault, a, address) {
      const path = trimSlashes(a.path);
      await write(vault, address, `sys/auth/${path}`, { type: a.type ?? "jwt", ...pick(a, ["description"]) });
      await write(vault, address, `auth/${path}/config`, pick(a, JWT_CONFIG));
      const auths = await vault.request("GET", "sys/auth");
      const accessor = auths.body.data?.[`${path}/`]?.accessor;
      if (!accessor) throw new TfError(address, `no accessor for auth/${path} in sys/auth`, auths);
      return { path, accessor };
    },
  },
  vault_jwt_auth_backend_role: writesRest(
    [
      "backend",
      "role_name",
      "role_type",
      "user_claim",
      "groups_claim",
      "bound_audiences",
      "allowed_redirect_uris",
      "token_ttl",
      "token_max_ttl",
    ],
    ["backend", "role_name"],
    (a) => `auth/${a.backend}/role/${a.role_name}`,
  ),
  vault_identity_group: {
    attrs: ["name", "type", "policies"],
    async apply(vault, a, address) {
      const res = await write(vault, address, "identity/group", a);
      return { id: res.body.data.id };
    },
  },
  vault_identity_group_alias: {
    attrs: ["name", "mount_accessor", "canonical_id"],
    async apply(vault, a, address) {
      const res = await write(vault, address, "identity/group-alias", a);
      return { id: res.body.data.id };
    },
  },
};
/**
 * Resource type → the provider's create call. Field names and encodings follow
 * terraform-provider-vault v5 (resource_*.go): e.g. mount TTLs go as `"<n>s"` in `config`, a
 * postgresql connection sends `plugin_name: postgresql-database-plugin` and `password_wo` as
 * `password`, `vault_policy` PUTs `sys/policies/acl/<name>`.
 */
export const RESOURCES: Record<string, ResourceType> = {
  ...SSO_RESOURCES,
  vault_mount: {
    attrs: ["path", "type", "description", "options", "max_lease_ttl_seconds", "default_lease_ttl_seconds"],
    async apply(vault, a, address) {
      const config = pick(
        {
          default_lease_ttl: seconds(a.default_lease_ttl_seconds),
          max_lease_ttl: seconds(a.max_lease_ttl_seconds),
        },
        ["default_lease_ttl", "max_lease_ttl"],
      );
      await write(vault, address, `sys/mounts/${trimSlashes(a.path)}`, {
        ...pick(a, ["type", "description", "options"]),
        config,
      });
      return { path: trimSlashes(a.path) };
    },
  },
  vault_auth_backend: {
    attrs: ["type", "path", "description"],
    async apply(vault, a, address) {
      const path = trimSlashes(a.path ?? a.type);
      await write(vault, address, `sys/auth/${path}`, pick(a, ["type", "description"]));
      return { path };
    },
  },
  vault_kubernetes_auth_backend_config: {
    attrs: ["backend", "kubernetes_host"],
    async apply(vault, a, address) {
      // In its pod Vault reads the cluster's CA from its service account; out of a pod it needs one
      // given, or it refuses the config (any CA will do: no login happens against this host).
      const outOfPod = { kubernetes_ca_cert: issueCa("kubernetes-test-ca").cert };
      await write(vault, address, `auth/${a.backend}/config`, {
        ...pick(a, ["kubernetes_host"]),
        ...outOfPod,
      });
      return {};
    },
  },
  vault_policy: {
    attrs: ["name", "policy"],
    async apply(vault, a, address) {
      await write(vault, address, `sys/policies/acl/${a.name}`, { policy: a.policy }, "PUT");
      return {};
    },
  },
  vault_kubernetes_auth_backend_role: writesRest(
    [
      "backend",
      "role_name",
      "bound_service_account_names",
      "bound_service_account_namespaces",
      "token_policies",
      "token_ttl",
      "audience",
    ],
    ["backend", "role_name"],
    (a) => `auth/${a.backend}/role/${a.role_name}`,
  ),
  vault_database_secret_backend_connection: {
    attrs: ["backend", "name", "allowed_roles", "verify_connection", "postgresql"],
    async apply(vault, a, address) {
      const pg = a.postgresql as Attrs;
      const known = [
        "connection_url",
        "username",
        "password_wo",
        "password_wo_version",
        "max_open_connections",
        "max_idle_connections",
        "max_connection_lifetime",
      ];
      checkAttrs(`${address}.postgresql`, pg, known);
      await write(vault, address, `${a.backend}/config/${a.name}`, {
        plugin_name: "postgresql-database-plugin",
        ...pick(a, ["allowed_roles", "verify_connection"]),
        ...pick(pg, ["connection_url", "username", "max_open_connections", "max_idle_connections"]),
        ...(pg.max_connection_lifetime === undefined
          ? {}
          : { max_connection_lifetime: seconds(pg.max_connection_lifetime) }),
        ...(pg.password_wo === undefined ? {} : { password: pg.password_wo }),
      });
      return {};
    },
  },
  vault_database_secret_backend_role: writesRest(
    ["backend", "name", "db_name", "creation_statements", "revocation_statements", "default_ttl", "max_ttl"],
    ["backend", "name"],
    (a) => `${a.backend}/roles/${a.name}`,
  ),
  vault_pki_secret_backend_config_urls: writesRest(
    ["backend", "issuing_certificates", "crl_distribution_points"],
    ["backend"],
    (a) => `${a.backend}/config/urls`,
  ),
  vault_pki_secret_backend_root_cert: {
    attrs: [
      "backend",
      "type",
      "common_name",
      "issuer_name",
      "key_type",
      "key_bits",
      "organization",
      "exclude_cn_from_sans",
      "ttl",
    ],
    async apply(vault, a, address) {
      const { backend, type, ...rest } = a;
      const res = await write(vault, address, `${backend}/root/generate/${type}`, rest);
      return pick(res.body.data, ["certificate", "issuing_ca", "serial_number", "issuer_id", "key_id"]);
    },
  },
  vault_pki_secret_backend_intermediate_cert_request: {
    attrs: ["backend", "type", "common_name", "key_type", "key_bits"],
    async apply(vault, a, address) {
      const { backend, type, ...rest } = a;
      const res = await write(vault, address, `${backend}/intermediate/generate/${type}`, rest);
      return pick(res.body.data, ["csr", "key_id"]);
    },
  },
  vault_pki_secret_backend_root_sign_intermediate: {
    attrs: [
      "backend",
      "csr",
      "common_name",
      "exclude_cn_from_sans",
      "format",
      "max_path_length",
      "organization",
      "ttl",
    ],
    async apply(vault, a, address) {
      const { backend, ...rest } = a;
      const res = await write(vault, address, `${backend}/root/sign-intermediate`, rest);
      const data = res.body.data as Attrs;
      // The provider's certificate_bundle (PEM formats): the certificate, then its issuer.
      const bundle = [data.certificate, data.issuing_ca].map((c: string) => c.replace(/^\n+|\n+$/g, ""));
      return {
        ...pick(data, ["certificate", "issuing_ca", "ca_chain", "serial_number"]),
        certificate_bundle: bundle.join("\n"),
      };
    },
  },
  vault_pki_secret_backend_intermediate_set_signed: {
    attrs: ["backend", "certificate"],
    async apply(vault, a, address) {
      const res = await write(vault, address, `${a.backend}/intermediate/set-signed`, {
        certificate: a.certificate,
      });
      return pick(res.body.data ?? {}, ["imported_issuers", "imported_keys"]);
    },
  },
  vault_pki_secret_backend_role: writesRest(
    [
      "backend",
      "name",
      "allow_bare_domains",
      "allow_glob_domains",
      "allow_ip_sans",
      "allow_localhost",
      "allow_subdomains",
      "allow_wildcard_certificates",
      "allowed_domains",
      "allowed_uri_sans",
      "client_flag",
      "enforce_hostnames",
      "generate_lease",
      "key_type",
      "max_ttl",
      "no_store",
      "require_cn",
      "server_flag",
      "ttl",
    ],
    ["backend", "name"],
    (a) => `${a.backend}/roles/${a.name}`,
  ),
};

/** `data.vault_policy_document`: the provider renders HCL locally (data_source_policy_document.go). */
export const DATA_SOURCES: Record<string, (vault: TestVault, a: Attrs) => Promise<Attrs>> = {
  async vault_policy_document(_vault, a) {
    checkAttrs("data.vault_policy_document", a, ["rule"]);
    const rules = (a.rule ?? []) as { path: string; capabilities: string[] }[];
    // Byte for byte the provider's rendering of path and capabilities (no escaping, as there).
    const hcl = rules
      .map((r) => {
        checkAttrs("data.vault_policy_document.rule", r, ["path", "capabilities"]);
        const caps = r.capabilities.length > 0 ? `["${r.capabilities.join('", "')}"]` : "[]";
        return `path "${r.path}" {\n  capabilities = ${caps}\n}\n`;
      })
      .join("\n");
    return { hcl };
  },
};

/** `ephemeral.vault_kv_secret_v2`: read at apply time from KV v2 (`<mount>/data/<name>`). */
export const EPHEMERAL: Record<string, (vault: TestVault, a: Attrs) => Promise<Attrs>> = {
  async vault_kv_secret_v2(vault, a) {
    checkAttrs("ephemeral.vault_kv_secret_v2", a, ["mount", "name"]);
    const path = `${trimSlashes(a.mount)}/data/${a.name}`;
    const res = await vault.request("GET", path);
    if (res.status !== 200) {
      throw new TfError(
        `ephemeral.vault_kv_secret_v2 ${path}`,
        `Vault ${res.status}: ${(res.body.errors ?? []).join("; ") || "no such secret"}`,
        res,
      );
    }
    return { data: res.body.data.data };
  },
};
