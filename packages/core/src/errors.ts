import type { policies } from "./check/policies/index.js";

/**
 * The error-code catalogue: every `SW_*` code Slipway reports, with what it means, its kind (which
 * decides the exit code and HTTP status), the hint its call sites share and where it is documented.
 * `diag()` takes an {@link ErrorCode}, so a code without an entry here is a type error; a test
 * scans the sources for `SW_*` literals and fails on any code missing here or any entry no source
 * uses. docs/reference/errors.md is generated from this file (`npm run gen`).
 *
 * Policy codes are not listed: they are derived from the ids of the registered policies
 * (`no-secrets` → `SW_POLICY_NO_SECRETS`, {@link PolicyCode}).
 */

/**
 * What kind of problem a code is, and so how it ends a run:
 * - `input`: the user's input (config, arguments, request) is invalid ({@link InputError});
 * - `conflict`: writing would clobber something Slipway does not own, or state changed under it;
 * - `not-found`: a named thing (config file, preset) does not exist;
 * - `unavailable`: a remote Slipway depends on (a Git host) cannot be reached: the URL or the
 *   network must change (exit 2, as invalid input), and the scaffold service answers 503;
 * - `finding`: `slipway check` found a problem in the rendered tree;
 * - `warning`, `info`: reported, but the run succeeds;
 * - `internal`: a bug in Slipway (a registry list, a preset), never the user's input.
 */
export type ErrorKind =
  | "input"
  | "conflict"
  | "not-found"
  | "unavailable"
  | "finding"
  | "warning"
  | "info"
  | "internal";

/** How each kind ends a run: the CLI's exit code and the scaffold service's HTTP status. */
export const ERROR_KINDS: Readonly<
  Record<ErrorKind, { readonly exit: number; readonly http?: number; readonly title: string }>
> = {
  input: { exit: 2, http: 400, title: "invalid input" },
  conflict: { exit: 1, http: 409, title: "conflict" },
  "not-found": { exit: 2, http: 404, title: "not found" },
  unavailable: { exit: 2, http: 503, title: "upstream unavailable" },
  finding: { exit: 1, title: "check finding" },
  warning: { exit: 0, title: "warning" },
  info: { exit: 0, title: "info" },
  internal: { exit: 70, http: 500, title: "internal error (a bug)" },
};

/** The sections of docs/reference/errors.md, in order. */
export const ERROR_AREAS = {
  spec: {
    title: "Spec and YAML (`platform.yaml`, `services/*.yaml`)",
    about:
      "Reading and validating the spec files, before anything is rendered; located at the file, line and column.",
  },
  components: {
    title: "Components (Vault, PostgreSQL, identity, mesh, …)",
    about: "Cross-field rules of one component's configuration or of the services that use it.",
  },
  render: {
    title: "Render and write (`synth`)",
    about:
      "Writing the rendered tree: Slipway never overwrites or deletes a file it did not write or that a person edited (without `--force`), and never writes through a link.",
  },
  check: {
    title: "Check (`slipway check`)",
    about:
      "Findings about the rendered tree (exit 1) and problems with the check's own inputs (exit 2). See [check.md](../check.md).",
  },
  init: { title: "Init (`slipway init`)", about: "Creating a starter platform repository." },
  presets: {
    title: "Presets and templates (`slipway new`, `slipway template`)",
    about: "Preset parameters, and exporting a preset as a template.",
  },
  onboarding: {
    title: "Onboarding (`slipway new`, the scaffold service's onboarding)",
    about:
      "Creating a service's repository and registering it in the platform. See [runbooks/new-service.md](../runbooks/new-service.md).",
  },
  scaffold: {
    title: "Scaffold service (Initializr API, `slipway serve`)",
    about:
      "Requests to the scaffold service (HTTP status by kind) and starting it. See [scaffold-service.md](../scaffold-service.md).",
  },
  registry: {
    title: "Registries and presets (bugs in Slipway)",
    about:
      "The component and preset lists, and what a preset generates: a user never causes these. They end the run as an internal error (exit 70, HTTP 500) whose message starts with the code.",
  },
} as const satisfies Record<string, { title: string; about: string }>;

export type ErrorArea = keyof typeof ERROR_AREAS;

export interface ErrorEntry {
  readonly area: ErrorArea;
  readonly kind: ErrorKind;
  /** One line: what the code means. */
  readonly summary: string;
  /** The fix the call sites share, when they share one (a call site's own hint is more specific). */
  readonly hint?: string;
}

/** Every catalogued code. Keep entries sorted by code within an area. */
export const ERRORS = {
  // ---------------------------------------------------------------- spec and YAML
  SW_CONFIG_NOT_FOUND: {
    area: "spec",
    kind: "not-found",
    summary: "The platform file (`--config`, default `platform.yaml`) does not exist.",
    hint: "Pass the platform file with --config, or create a starter repository with 'slipway init'.",
  },
  SW_DEP_CYCLE: {
    area: "spec",
    kind: "input",
    summary: "Services' `dependsOn` (or components' dependencies) form a cycle.",
    hint: "Remove one of the dependencies so the graph has an order.",
  },
  SW_DEP_DISABLED: {
    area: "spec",
    kind: "input",
    summary: "An enabled component depends on a disabled one.",
    hint: "Enable the dependency (spec.components.<id>.enabled: true) or disable the component.",
  },
  SW_SPEC_ALIAS: {
    area: "spec",
    kind: "input",
    summary: "A YAML alias is used before its anchor, inside its own anchor, or expands to too many values.",
    hint: "Define each anchor (&name) before its aliases (*name), and use aliases to share a few values, not to multiply them.",
  },
  SW_SPEC_API_VERSION: {
    area: "spec",
    kind: "input",
    summary: "`apiVersion` is not the version this Slipway reads.",
  },
  SW_SPEC_CAPABILITY_DISABLED: {
    area: "spec",
    kind: "input",
    summary: "A service uses a feature (database, auth, mesh, …) whose component is disabled.",
    hint: "Enable the component in platform.yaml (spec.components.<id>.enabled: true) or remove the feature from the service.",
  },
  SW_SPEC_DUPLICATE_NAME: {
    area: "spec",
    kind: "input",
    summary: "Two service files declare the same service name.",
    hint: "Each service needs its own name; rename one of them.",
  },
  SW_SPEC_DUPLICATE_SUBDOMAIN: {
    area: "spec",
    kind: "input",
    summary: "Two services, or a service and a component, claim the same hostname.",
    hint: "Each hostname routes to one backend: change the service's subdomain or the component's hostname.",
  },
  SW_SPEC_EMPTY: { area: "spec", kind: "input", summary: "A spec file is empty." },
  SW_SPEC_FILENAME_MISMATCH: {
    area: "spec",
    kind: "input",
    summary: "`services/<file>.yaml` declares a service whose `metadata.name` is not the file's name.",
  },
  SW_SPEC_UPDATE_CONSTRAINT_EXACT: {
    area: "spec",
    kind: "input",
    summary: "A service's `updateConstraint` is an exact version, which Image Updater never moves from.",
    hint: "Use a range: ^1.4.2 (newer minors and patches) or ~1.4.2 (patches only).",
  },
  SW_SPEC_UPDATE_CONSTRAINT_UNUSED: {
    area: "spec",
    kind: "input",
    summary:
      "A service sets `updateConstraint` but its image tag is not a semver version, so Image Updater has nothing to compare.",
  },
  SW_ACCESS_DUPLICATE_GROUP: {
    area: "spec",
    kind: "input",
    summary: "A group is declared twice under `spec.access.groups`.",
    hint: "Each group is declared once; merge the two entries.",
  },
  SW_ACCESS_NEEDS_IDENTITY: {
    area: "spec",
    kind: "input",
    summary:
      "`spec.access` is set but the identity component, whose provider holds the groups, is not enabled.",
    hint: "Enable it (spec.components.identity.enabled: true), or remove spec.access.",
  },
  SW_ACCESS_UNKNOWN_GROUP: {
    area: "spec",
    kind: "input",
    summary: "A role in `spec.access` names a group that is not declared under `spec.access.groups`.",
  },
  SW_ACCESS_UNKNOWN_SERVICE: {
    area: "spec",
    kind: "input",
    summary: "A group's `services` names a service that has no services/<name>.yaml.",
  },
  SW_SPEC_AWS_NOT_EKS: {
    area: "spec",
    kind: "input",
    summary: "`spec.cluster.aws` is set on a cluster that is not EKS.",
    hint: "Remove spec.cluster.aws, or set spec.cluster.distribution: eks.",
  },
  SW_SPEC_STORAGE_CLASS_REQUIRED: {
    area: "spec",
    kind: "input",
    summary:
      "`distribution: kubeadm` has no default volume provisioner, so `spec.cluster.storageClass` must name one.",
    hint: "Install a provisioner (Longhorn, OpenEBS, a CSI driver) and name its StorageClass in spec.cluster.storageClass.",
  },
  SW_SPEC_FORMAT: {
    area: "spec",
    kind: "input",
    summary: "A value or key does not have the required format (a DNS name, a duration, a quantity, …).",
  },
  SW_SPEC_IMAGE_LATEST: {
    area: "spec",
    kind: "input",
    summary: "A container image uses the tag `latest`.",
    hint: "Pin a version tag or digest: 'latest' changes under Argo CD without a commit.",
  },
  SW_SPEC_IMAGE_UNPINNED: {
    area: "spec",
    kind: "input",
    summary: "A container image has neither a tag nor a digest.",
    hint: "Add a tag such as :1.2.3 or a digest (@sha256:…); CI pins the tag it pushed.",
  },
  SW_SPEC_INVALID: {
    area: "spec",
    kind: "input",
    summary: "A value is invalid in a way no more specific code describes.",
    hint: "Change the value; the JSON Schema in packages/core/schemas describes what is accepted.",
  },
  SW_SPEC_KIND: {
    area: "spec",
    kind: "input",
    summary: "`kind` is not the kind this file holds (`Platform` in platform.yaml, `Service` in services/).",
  },
  SW_SPEC_MORE_ERRORS: {
    area: "spec",
    kind: "info",
    summary: "A file has more schema problems than are reported (50); the run still fails on the ones shown.",
    hint: "Fix those shown and run again.",
  },
  SW_SPEC_NOT_A_FILE: {
    area: "spec",
    kind: "input",
    summary: "A spec file is a symbolic link, directory or special file; Slipway reads only regular files.",
  },
  SW_SPEC_NOT_MAPPING: {
    area: "spec",
    kind: "input",
    summary: "The document's top level is not a mapping.",
  },
  SW_SPEC_RANGE: {
    area: "spec",
    kind: "input",
    summary: "A number, string or list is outside its allowed range (too small, too long, too many).",
  },
  SW_SPEC_RELOADER_DISABLED: {
    area: "spec",
    kind: "input",
    summary: "dynamic-db restarts pods on credential rotation, but the reloader component is disabled.",
  },
  SW_SPEC_REQUIRED: { area: "spec", kind: "input", summary: "A required field is missing." },
  SW_SPEC_RESERVED_NAMESPACE: {
    area: "spec",
    kind: "input",
    summary:
      "A service would deploy into a namespace the platform owns (`argocd`, `vault`, `kube-system`, …).",
    hint: "Set spec.namespace to a namespace of its own.",
  },
  SW_SPEC_SERVICES_NOT_A_DIR: {
    area: "spec",
    kind: "input",
    summary: "`services/` next to the platform file is a symbolic link or not a directory.",
    hint: "services/ is a plain directory of services/<name>.yaml files in the platform repository.",
  },
  SW_SPEC_TOO_DEEP: {
    area: "spec",
    kind: "input",
    summary: "Collections are nested more than 64 levels deep (aliases expanded).",
    hint: "A spec is a few levels deep; look for unclosed '[' or '{', or an alias inside its own anchor.",
  },
  SW_SPEC_TOO_LARGE: {
    area: "spec",
    kind: "input",
    summary: "A spec file is over 256 KiB.",
    hint: "A spec file is a few KiB; split it, or look for a generated or pasted blob in it.",
  },
  SW_SPEC_TYPE: {
    area: "spec",
    kind: "input",
    summary: "A value has the wrong type (a string where a number goes, …).",
  },
  SW_SPEC_UNKNOWN_KEY: {
    area: "spec",
    kind: "input",
    summary: "A key the schema does not know, often a typo; the hint names the closest known key.",
  },
  SW_SPEC_UNKNOWN_SERVICE: {
    area: "spec",
    kind: "input",
    summary: "A service names another service (`dependsOn`, mesh callers) that is not declared.",
  },
  SW_SPEC_VALUE: {
    area: "spec",
    kind: "input",
    summary: "A value is not one of the allowed values, or breaks a rule of its field.",
  },
  SW_SPEC_VALUE_TOO_LONG: {
    area: "spec",
    kind: "input",
    summary: "A key or value is over 64 Ki characters.",
    hint: "Keep large content (certificates, scripts) out of the spec; reference it.",
  },
  SW_YAML_DUPLICATE_KEY: {
    area: "spec",
    kind: "input",
    summary: "A key appears twice in one YAML mapping.",
    hint: "A key may appear once per mapping; remove or rename one of them.",
  },
  SW_YAML_MORE_ERRORS: {
    area: "spec",
    kind: "info",
    summary:
      "A file has more YAML syntax errors than are reported (20); the run still fails on the ones shown.",
  },
  SW_YAML_SYNTAX: {
    area: "spec",
    kind: "input",
    summary:
      "The file is not valid YAML; the hint says what the parser expected (e.g. a tab used as indentation).",
  },

  // ---------------------------------------------------------------- components
  SW_BACKSTAGE_INVALID_OWNER: {
    area: "components",
    kind: "input",
    summary:
      "A service's owner is not a Backstage entity reference, so its catalog Component would be refused.",
    hint: "Use a group name such as team-a (letters, digits, '-', '_', '.'), or a reference such as user:default/jane.",
  },
  SW_CLOUDFLARE_DNS_FOREIGN: {
    area: "components",
    kind: "input",
    summary: "A hostname Slipway would publish has a DNS record another owner keeps (`dns.foreignNames`).",
    hint: "Change the subdomain, or adopt the record: remove it from dns.foreignNames and list it under dns.import.",
  },
  SW_CLOUDFLARE_DUPLICATE_HOSTNAME: {
    area: "components",
    kind: "input",
    summary: "Two backends claim the same public hostname of the Cloudflare tunnel.",
    hint: "A public hostname routes to one backend; change one subdomain.",
  },
  SW_CLOUDFLARE_RECORD_NAME_CLASH: {
    area: "components",
    kind: "input",
    summary: "Two hostnames map to the same Terraform resource name.",
    hint: "Hostnames differing only in characters other than letters, digits and '-' collide; rename one.",
  },
  SW_CLOUDFLARE_HOST_KEPT: {
    area: "components",
    kind: "input",
    summary:
      "A hostname Slipway routes is also a rule the existing tunnel keeps; Slipway's rule would take its traffic.",
    hint: "Change the subdomain, or remove the rule from tunnel.keep (and the tunnel) to hand the host to Slipway.",
  },
  SW_CLOUDFLARE_IMPORT_UNKNOWN: {
    area: "components",
    kind: "input",
    summary: "`dns.import` names a hostname the platform does not publish.",
    hint: "Import only records of hostnames Slipway publishes (a service's or component's public subdomain).",
  },
  SW_CLOUDFLARE_TUNNEL_CATCH_ALL: {
    area: "components",
    kind: "input",
    summary:
      "The existing tunnel's kept rules do not end with exactly one catch-all, so some would never be reached.",
    hint: "List the tunnel's rules in tunnel.keep in its order, its catch-all (service only, e.g. http_status:404) last.",
  },
  SW_CLOUDFLARE_TUNNEL_KEEP: {
    area: "components",
    kind: "input",
    summary: "`tunnel.keep` is set on a dedicated tunnel; kept rules belong to an existing tunnel.",
    hint: "Set tunnel.mode: existing to merge into a tunnel that serves other hosts, or remove tunnel.keep.",
  },
  SW_TOPOLOGY_ARGOCD_REMOTE: {
    area: "components",
    kind: "input",
    summary:
      "Argo CD is said to reach this cluster from another one (`spec.cluster.destination`) but is also to be installed here.",
    hint: "Set spec.components.argocd.mode: external, or remove spec.cluster.destination.server.",
  },
  SW_TOPOLOGY_CILIUM_PREREQUISITES: {
    area: "components",
    kind: "input",
    summary:
      "Istio ambient on Cilium needs `cni.cilium.exclusive: false` and `socketLBHostNamespaceOnly: true` stated as the running Cilium has them.",
  },
  SW_TOPOLOGY_CNI_PATHS: {
    area: "components",
    kind: "input",
    summary: "`cni.plugin: other` needs `confDir` and `binDir`, where istio-cni chains its plugin.",
    hint: "Set spec.cluster.cni.confDir and binDir to where your CNI keeps its config and plugins.",
  },
  SW_DYNAMIC_DB_DUPLICATE_ROLE: {
    area: "components",
    kind: "input",
    summary: "Two dynamic databases would share one Vault database role.",
    hint: "Give one of the consumers another name.",
  },
  SW_DYNAMIC_DB_REFRESH_TOO_LONG: {
    area: "components",
    kind: "input",
    summary: "dynamic-db's `refreshInterval` is more than half of `defaultTtl`.",
    hint: "Refresh well inside the lease (e.g. a third of defaultTtl), so pods roll onto new credentials before the old ones are revoked.",
  },
  SW_DYNAMIC_DB_TTL: {
    area: "components",
    kind: "input",
    summary: "dynamic-db's `defaultTtl` is longer than its `maxTtl`.",
    hint: "Vault caps every lease at maxTtl; make defaultTtl at most maxTtl.",
  },
  SW_IDENTITY_DUPLICATE_CLIENT: {
    area: "components",
    kind: "input",
    summary: "Two owners declare the same OIDC client.",
    hint: "Each OIDC client has one owner; rename one of them (services: the service name).",
  },
  SW_IDENTITY_OIDC_NEEDS_HOST: {
    area: "components",
    kind: "input",
    summary: "A service uses `auth: oidc` but has no subdomain for its login callback.",
    hint: "Give the service a subdomain (its login callback is https://<subdomain>.<domain>/…), or set auth: none.",
  },
  SW_MESH_NOT_ENROLLED: {
    area: "components",
    kind: "input",
    summary:
      "A service uses mesh features, or allows a caller, in a namespace that is never enrolled in the mesh.",
  },
  SW_OBSERVABILITY_NEEDS_EXTERNAL_SECRETS: {
    area: "components",
    kind: "input",
    summary:
      "Grafana in deploy mode needs the external-secrets component (its admin login comes from Vault).",
    hint: "Enable external-secrets (Grafana's admin login comes from Vault) or reference an existing Grafana.",
  },
  SW_OTEL_NO_PIPELINES: {
    area: "components",
    kind: "input",
    summary: "The OpenTelemetry collector config has no pipelines.",
    hint: "Add a traces, metrics or logs pipeline.",
  },
  SW_OTEL_PIPELINE_EMPTY: {
    area: "components",
    kind: "input",
    summary: "A collector pipeline has no receivers or no exporters.",
    hint: "A pipeline needs at least one receiver and one exporter.",
  },
  SW_OTEL_PIPELINE_TYPE: {
    area: "components",
    kind: "input",
    summary: "A collector pipeline is not named `traces`, `metrics` or `logs` (optionally `/<name>`).",
    hint: "Name pipelines by their signal, such as traces or logs/nodes.",
  },
  SW_OTEL_UNDEFINED_COMPONENT: {
    area: "components",
    kind: "input",
    summary: "A collector pipeline names a receiver, processor, exporter or connector that is not defined.",
  },
  SW_OTEL_UNUSED_COMPONENT: {
    area: "components",
    kind: "input",
    summary: "A collector receiver, processor, exporter or connector is defined but no pipeline uses it.",
  },
  SW_POSTGRES_DUPLICATE_DATABASE: {
    area: "components",
    kind: "input",
    summary: "Two consumers declare the same PostgreSQL database.",
    hint: "Give one of them another database name (services: spec.database.name).",
  },
  SW_POSTGRES_HOST_REQUIRED: {
    area: "components",
    kind: "input",
    summary: "`postgres.mode` is `external` but no host is given.",
    hint: "Set spec.components.postgres.host to the server's address, or use mode: in-cluster.",
  },
  SW_SERVICE_DATABASE_RESERVED: {
    area: "components",
    kind: "input",
    summary: "A service names its database after the path of the PostgreSQL superuser's secret (`admin`).",
  },
  SW_VAULT_BAD_TTL: {
    area: "components",
    kind: "input",
    summary: "A Vault TTL is not a whole number of seconds, minutes, hours or days.",
    hint: "Use a whole number of seconds, minutes, hours or days: 3600, 60m, 1h, 1d.",
  },
  SW_VAULT_UNSEAL_THRESHOLD: {
    area: "components",
    kind: "input",
    summary:
      "The vault component's `unseal.keyThreshold` exceeds `unseal.keyShares`: Vault could never be unsealed.",
    hint: "Keep keyThreshold ≤ keyShares (e.g. 3 of 5).",
  },
  SW_VAULT_AWSKMS_REGION: {
    area: "components",
    kind: "input",
    summary:
      "The vault component's `awskms` seal has no region: `unseal.region` is unset and the cluster is not EKS with `spec.cluster.aws.region`.",
    hint: "Set unseal.region (e.g. eu-west-1), or run on EKS with spec.cluster.aws.region.",
  },
  SW_VAULT_DUPLICATE_POLICY: {
    area: "components",
    kind: "input",
    summary: "Two owners declare the same Vault policy (or names that map to one Terraform resource).",
    hint: "Each policy has one owner; give the second one another name.",
  },
  SW_VAULT_DUPLICATE_ROLE: {
    area: "components",
    kind: "input",
    summary:
      "Two owners declare the same Vault Kubernetes auth role (or names that map to one Terraform resource).",
    hint: "Each Kubernetes auth role has one owner; give the second one another name.",
  },

  // ---------------------------------------------------------------- render and write
  SW_RENDER_PATH_CONFLICT: {
    area: "render",
    kind: "input",
    summary: "Two components or services render the same output path (seen by `check`).",
    hint: "Two components or services claim the same output path; rename one of them.",
  },
  SW_WRITE_DUPLICATE_PATH: {
    area: "render",
    kind: "input",
    summary: "Two writers render the same output path, or a path both as a file and as a directory.",
  },
  SW_WRITE_EDITED: {
    area: "render",
    kind: "conflict",
    summary: "A file Slipway wrote was edited since (or is no longer rendered but was edited).",
    hint: "Move the change into platform.yaml or services/*.yaml, or pass --force to overwrite it.",
  },
  SW_WRITE_FAILED: {
    area: "render",
    kind: "conflict",
    summary: "Writing failed midway for a reason no other code names; the hint says what was changed.",
  },
  SW_WRITE_INTERRUPTED: {
    area: "render",
    kind: "warning",
    summary: "A previous run was interrupted while replacing the tree; this run finishes it.",
  },
  SW_WRITE_LOCKED: {
    area: "render",
    kind: "conflict",
    summary: "Another running Slipway is writing the same tree (`.slipway/lock`).",
  },
  SW_WRITE_NOT_A_DIR: {
    area: "render",
    kind: "conflict",
    summary: "A file is where Slipway needs a directory (as input: the output root is not a directory).",
    hint: "Move the file away; --force does not override this.",
  },
  SW_WRITE_NOT_A_FILE: {
    area: "render",
    kind: "conflict",
    summary: "A directory or special file is where Slipway writes a file.",
    hint: "Move it away; --force does not override this.",
  },
  SW_WRITE_NO_SPACE: {
    area: "render",
    kind: "conflict",
    summary: "No space left on the device, or the disk quota is exceeded.",
    hint: "Free space on the filesystem holding the tree.",
  },
  SW_WRITE_OWNERSHIP_CORRUPT: {
    area: "render",
    kind: "input",
    summary: "The ownership record (`.slipway/ownership.json`) does not parse or has the wrong shape.",
  },
  SW_WRITE_OWNERSHIP_TAMPERED: {
    area: "render",
    kind: "input",
    summary: "The ownership record lists a path outside the rendered roots, which Slipway never writes.",
  },
  SW_WRITE_PERMISSION: {
    area: "render",
    kind: "conflict",
    summary: "Permission denied, or a read-only filesystem, where the tree is written.",
    hint: "Make it writable by the user running slipway.",
  },
  SW_WRITE_STALE_LOCK: {
    area: "render",
    kind: "warning",
    summary: "The lock of a run that is gone (killed) was taken over.",
    hint: "A previous run was killed; this run checks and finishes what it left.",
  },
  SW_WRITE_SYMLINK: {
    area: "render",
    kind: "conflict",
    summary: "A symbolic link is where Slipway reads or writes; it never writes or deletes through one.",
    hint: "Replace the link with a real directory or file (or remove it); --force does not override this.",
  },
  SW_WRITE_UNOWNED: {
    area: "render",
    kind: "conflict",
    summary: "A file Slipway did not write is where it renders one.",
    hint: "Move the file away, or pass --force to let slipway overwrite it and own it from now on.",
  },
  SW_WRITE_UNSAFE_PATH: {
    area: "render",
    kind: "input",
    summary:
      "A component renders a path outside the output tree or its rendered roots (a bug in the component).",
  },

  // ---------------------------------------------------------------- check
  SW_BUDGET_DOES_NOT_FIT: {
    area: "check",
    kind: "finding",
    summary: "The platform's requests do not fit the allocatable resources of `spec.cluster.nodes`.",
    hint: "add or enlarge nodes under spec.cluster.nodes, lower cluster.reserved, or disable components; `slipway budget` shows what each component requests",
  },
  SW_CHECK_CHARTS_DIR: {
    area: "check",
    kind: "input",
    summary: "The charts directory (`--charts`, `SLIPWAY_CHARTS_DIR`) does not exist.",
    hint: "Pass --charts DIR or set SLIPWAY_CHARTS_DIR to a directory of unpacked charts (<chart>/<version>/).",
  },
  SW_CHECK_HELM_CHART: {
    area: "check",
    kind: "finding",
    summary: "An Application's chart is neither local nor cached, or `helm pull` failed.",
  },
  SW_CHECK_HELM_MISSING: {
    area: "check",
    kind: "input",
    summary: "Helm does not run (`--render-charts`).",
    hint: "Install Helm or pass --helm PATH (or set SLIPWAY_HELM).",
  },
  SW_CHECK_HELM_TEMPLATE: {
    area: "check",
    kind: "finding",
    summary: "`helm template` of a chart with the rendered values failed, as Argo CD's sync would.",
  },
  SW_CHECK_HELM_VALUES: {
    area: "check",
    kind: "finding",
    summary: "An Application's value file is not in the rendered tree (or names no `ref` source).",
    hint: "Argo CD fails the sync when a value file is missing: render it, or fix the path.",
  },
  SW_CHECK_NOT_SERVED: {
    area: "check",
    kind: "finding",
    summary:
      "An object uses an API version that is not served (a CRD version not served, or a removed built-in API).",
  },
  SW_CHECK_PLACEHOLDER: {
    area: "check",
    kind: "warning",
    summary:
      "platform.yaml still has a placeholder `init` wrote (owner `example`, a repository under github.com/example/, an example domain).",
    hint: "Put your GitHub owner, platform repository and domain in platform.yaml (or run init with --owner, --repo and --domain).",
  },
  SW_SCHEMAS_DOWNLOAD: {
    area: "check",
    kind: "finding",
    summary: "`slipway schemas pull` could not download a pinned schema file; nothing was written (exit 1).",
    hint: "Check the network (or --from / SLIPWAY_SCHEMA_MIRROR for a mirror) and run 'slipway schemas pull' again.",
  },
  SW_SCHEMAS_CHECKSUM: {
    area: "check",
    kind: "finding",
    summary:
      "A downloaded schema file does not have its pinned sha256 (a mirror serving another version, or tampering); nothing was written (exit 1).",
  },
  SW_CHECK_IMAGE_ARCH: {
    area: "check",
    kind: "finding",
    summary:
      "An image is not published for a node's architecture (`spec.cluster.nodes[].arch`); a warning when Slipway cannot tell.",
    hint: "Pin an image (or version) published for every node architecture, or keep the workload off those nodes.",
  },
  SW_CHECK_NO_SCHEMA: {
    area: "check",
    kind: "warning",
    summary: "No schema for a kind (or a chart's `schemaRef`) anywhere; its objects are not validated.",
  },
  SW_CHECK_PARSE: {
    area: "check",
    kind: "finding",
    summary: "A rendered file does not parse (a bug in the component that rendered it).",
    hint: "This is a bug in the component that rendered the file; report it with the file attached.",
  },
  SW_CHECK_SCHEMA: {
    area: "check",
    kind: "finding",
    summary:
      "An object does not match its schema: a wrong type, a missing required field, a value not in the enum.",
  },
  SW_CHECK_SCHEMA_DIR: {
    area: "check",
    kind: "input",
    summary:
      "The schema directory (`--schemas`, `SLIPWAY_SCHEMA_DIR`) does not exist, or has core schema sets but not the one of the platform's `kubernetesVersion`.",
    hint: "Pass --schemas DIR or set SLIPWAY_SCHEMA_DIR to a directory of upstream schemas.",
  },
  SW_CHECK_SERVER_FORBIDDEN: {
    area: "check",
    kind: "input",
    summary: "The API server refused the kubeconfig's user (HTTP 401/403) (`--server`).",
    hint: "Use a kubeconfig context whose user may get, list and patch every kind the platform deploys (a dry-run is authorized like a write).",
  },
  SW_CHECK_SERVER_NORMALIZED: {
    area: "check",
    kind: "warning",
    summary:
      "The API server stores a value other than the one in the file: Argo CD would show a diff after every sync.",
  },
  SW_CHECK_SERVER_NOT_YET: {
    area: "check",
    kind: "info",
    summary:
      "An object's kind or namespace is created earlier in the same sync, so the server cannot check it yet.",
  },
  SW_CHECK_SERVER_REJECTED: {
    area: "check",
    kind: "finding",
    summary: "The API server refused an object (or a CRD) in a server-side dry-run; one finding per cause.",
  },
  SW_CHECK_SERVER_UNKNOWN_KIND: {
    area: "check",
    kind: "finding",
    summary: "The API server does not serve an object's kind, and nothing the platform renders installs it.",
    hint: "Install the CRD that defines it first (a chart's, or one the platform renders), or fix the apiVersion.",
  },
  SW_CHECK_SERVER_UNREACHABLE: {
    area: "check",
    kind: "input",
    summary: "The API server is unreachable: refused, timed out, or a certificate the CA does not verify.",
    hint: "Check the kubeconfig's server URL and CA (certificate-authority[-data]), and that the cluster is up.",
  },
  SW_CHECK_SERVER_WARNING: {
    area: "check",
    kind: "warning",
    summary: "The API server accepted an object with a warning (e.g. a deprecated API).",
    hint: "The API server accepted the object with this warning.",
  },
  SW_CHECK_TF_INIT: {
    area: "check",
    kind: "finding",
    summary:
      "`tofu init` refused a rendered Terraform root (block structure, arguments, provider requirements).",
  },
  SW_CHECK_TF_PROVIDERS: {
    area: "check",
    kind: "info",
    summary: "A Terraform root loaded, but its providers could not be installed, so `validate` was skipped.",
  },
  SW_CHECK_TF_REFERENCE: {
    area: "check",
    kind: "finding",
    summary: "A Terraform reference or `depends_on` names something not declared in the same root.",
    hint: "Every ${...} reference and depends_on entry must name something declared in the same root.",
  },
  SW_CHECK_TF_TOOL: {
    area: "check",
    kind: "input",
    summary: "OpenTofu or `slipway-tfrefs` does not run (`--terraform`).",
    hint: "Install OpenTofu (or Terraform) and pass --tofu PATH; build slipway-tfrefs with `bash tools/build.sh tofu`.",
  },
  SW_CHECK_TF_VALIDATE: {
    area: "check",
    kind: "finding",
    summary: "`tofu validate` refused a rendered Terraform root against its providers' schemas.",
  },
  SW_CHECK_UNKNOWN_FIELD: {
    area: "check",
    kind: "finding",
    summary:
      "An object (or Helm values) has a field its schema does not know; the API server would drop it silently.",
  },
  SW_CHECK_VALUES: {
    area: "check",
    kind: "finding",
    summary:
      "Helm values do not match the chart's `values.schema.json`, merged over its defaults as Helm does.",
  },
  SW_KUBECONFIG: {
    area: "check",
    kind: "input",
    summary:
      "The kubeconfig cannot be used: no such file or context, an unreadable certificate or token file, an exec plugin.",
  },

  // ---------------------------------------------------------------- init
  SW_ADOPT_COLLECTOR_ADDRESS: {
    area: "init",
    kind: "input",
    summary:
      "`slipway adopt`: the existing OpenTelemetry collector does not answer at otel-collector.monitoring.svc, where services send OTLP.",
    hint: "Name the release otel-collector in monitoring (fullnameOverride), or keep otel off.",
  },
  SW_ADOPT_EMPTY: {
    area: "init",
    kind: "input",
    summary: "`slipway adopt --from-manifests DIR`: the directory holds no YAML documents.",
    hint: "Point --from-manifests at the root of the GitOps repository (Argo CD Applications, Helm values, manifests).",
  },
  SW_ADOPT_FILE_EXISTS: {
    area: "init",
    kind: "conflict",
    summary: "`slipway adopt --out FILE`: the file exists; adopt never overwrites one.",
    hint: "Pass another --out, or omit it to print the proposal.",
  },
  SW_ADOPT_INSTALLED: {
    area: "init",
    kind: "warning",
    summary: "`slipway adopt`: the repository already installs a component; it is proposed disabled.",
  },
  SW_INIT_FILE_EXISTS: {
    area: "init",
    kind: "conflict",
    summary: "A file `slipway init` would create already exists.",
    hint: "slipway init never overwrites files; run it in an empty directory or move the file away.",
  },
  SW_INIT_INVALID_OPTION: {
    area: "init",
    kind: "input",
    summary: "`--domain`, `--owner` or `--repo` is not a valid domain, GitHub login or repository URL.",
  },

  // ---------------------------------------------------------------- presets and templates
  SW_PRESET_INVALID_GROUP_ID: {
    area: "presets",
    kind: "input",
    summary: "The `groupId` parameter is not a valid Maven group id.",
    hint: "use dot-separated lowercase identifiers that are not Java keywords, e.g. com.example",
  },
  SW_PRESET_INVALID_NAME: {
    area: "presets",
    kind: "input",
    summary:
      "The service name is not a DNS label (lowercase letters, digits and '-', at most 63 characters).",
    hint: "use lowercase letters, digits and '-', starting with a letter, at most 63 characters (e.g. my-service)",
  },
  SW_PRESET_INVALID_OWNER: {
    area: "presets",
    kind: "input",
    summary: "The `owner` parameter is not a GitHub user or organization.",
    hint: "use the GitHub user or organization, e.g. octocat",
  },
  SW_PRESET_INVALID_PACKAGE: {
    area: "presets",
    kind: "input",
    summary: "The `packageName` parameter is not a valid Java package name.",
    hint: "use dot-separated lowercase identifiers that are not Java keywords, e.g. com.example.demo",
  },
  SW_PRESET_INVALID_PARAMETER: {
    area: "presets",
    kind: "input",
    summary: "A preset parameter has an invalid value.",
  },
  SW_PRESET_INVALID_REQUEST: {
    area: "presets",
    kind: "input",
    summary: "The parameters are not an object of parameter values.",
  },
  SW_PRESET_MISSING_PARAMETER: {
    area: "presets",
    kind: "input",
    summary: "A required preset parameter is missing.",
  },
  SW_PRESET_NOT_FOUND: {
    area: "presets",
    kind: "not-found",
    summary: "No preset has the given id (in a scaffold request: 400); the hint lists the presets.",
  },
  SW_PRESET_UNKNOWN_PARAMETER: {
    area: "presets",
    kind: "input",
    summary: "A parameter the preset does not have; the hint lists its parameters.",
  },
  SW_TEMPLATE_OUT_NOT_DIR: {
    area: "presets",
    kind: "input",
    summary: "`slipway template --out` is not a directory.",
    hint: "Give --out a new or empty directory.",
  },
  SW_TEMPLATE_OUT_NOT_EMPTY: {
    area: "presets",
    kind: "conflict",
    summary: "`slipway template --out` is not empty.",
    hint: "Give --out a new or empty directory, or pass --force to overwrite the template's files there.",
  },

  // ---------------------------------------------------------------- onboarding
  SW_NEW_BRANCH_EXISTS: {
    area: "onboarding",
    kind: "conflict",
    summary:
      "The platform branch `slipway/new-<name>` already exists with other changes; nothing was pushed.",
  },
  SW_NEW_BRANCH_PUSH_FAILED: {
    area: "onboarding",
    kind: "conflict",
    summary:
      "Pushing the platform branch failed after the service repository was pushed; a rerun only pushes the branch.",
  },
  SW_NEW_COMMIT_IDENTITY: {
    area: "onboarding",
    kind: "input",
    summary: "The commit identity (`GIT_AUTHOR_*`, `SOURCE_DATE_EPOCH`) is not plain values.",
    hint: "Set GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL and SOURCE_DATE_EPOCH to plain values.",
  },
  SW_NEW_GIT_AUTH_REFUSED: {
    area: "onboarding",
    kind: "input",
    summary:
      "A Git remote (the service repository or the platform repository) refused the credentials: no token, a wrong one, or one without the permission.",
    hint: "Give a token that may read and push to it: SLIPWAY_GIT_TOKEN for slipway new, SCAFFOLD_GIT_TOKEN for the scaffold service; for an ssh URL, a key that ssh-agent offers.",
  },
  SW_NEW_GIT_NOT_A_REPOSITORY: {
    area: "onboarding",
    kind: "input",
    summary: "There is no Git repository at a remote's URL (or the host hides a private one from the token).",
    hint: "Check the URL, and create the repository first (e.g. 'gh repo create <owner>/<name> --private').",
  },
  SW_NEW_GIT_PUSH_REJECTED: {
    area: "onboarding",
    kind: "conflict",
    summary:
      "A push was rejected as non-fast-forward: someone pushed to the remote between slipway reading it and pushing.",
    hint: "Run the same command again: it reads the remote as it is now.",
  },
  SW_NEW_GIT_UNREACHABLE: {
    area: "onboarding",
    kind: "unavailable",
    summary:
      "A Git remote cannot be reached: the host does not resolve, nothing answers, the connection times out.",
    hint: "Check the URL's host and port, and that this machine reaches it (DNS, proxy, firewall, VPN).",
  },
  SW_NEW_NAME_PARAMETER: {
    area: "onboarding",
    kind: "input",
    summary: "The service name is given both as the argument and as a parameter, differently.",
    hint: "The service name is the positional argument; drop name from the parameters.",
  },
  SW_NEW_PLATFORM_CONFIG_PATH: {
    area: "onboarding",
    kind: "input",
    summary: "The platform config path is not a path inside the platform repository.",
    hint: "Give the platform file's path relative to the repository's root, e.g. platform.yaml.",
  },
  SW_NEW_PLATFORM_UNREACHABLE: {
    area: "onboarding",
    kind: "input",
    summary: "The platform repository cannot be cloned (URL, network or token).",
  },
  SW_NEW_PUSH_FAILED: {
    area: "onboarding",
    kind: "conflict",
    summary: "Pushing the new service repository failed; nothing was written to the platform repository.",
  },
  SW_NEW_REMOTE_NOT_EMPTY: {
    area: "onboarding",
    kind: "conflict",
    summary: "The Git remote for the new service repository is not empty.",
    hint: "slipway pushes the first commit of a new repository; create an empty one (no README, licence or .gitignore), or use --repo-out DIR.",
  },
  SW_NEW_REMOTE_UNREACHABLE: {
    area: "onboarding",
    kind: "input",
    summary: "The Git remote for the new service repository cannot be read.",
  },
  SW_NEW_REPO_OUT_FAILED: {
    area: "onboarding",
    kind: "conflict",
    summary: "Writing the repository to `--repo-out` failed (space, permissions); nothing was left there.",
  },
  SW_NEW_REPO_OUT_NOT_DIR: {
    area: "onboarding",
    kind: "input",
    summary: "`--repo-out` is not a directory.",
    hint: "Give --repo-out a new or empty directory.",
  },
  SW_NEW_REPO_OUT_NOT_EMPTY: {
    area: "onboarding",
    kind: "conflict",
    summary: "`--repo-out` is not empty.",
    hint: "Give --repo-out a new or empty directory; slipway never writes over existing files there.",
  },
  SW_NEW_SERVICE_EXISTS: {
    area: "onboarding",
    kind: "conflict",
    summary: "A service with this name is already declared in the platform.",
  },
  SW_NEW_SUBDOMAIN_TAKEN: {
    area: "onboarding",
    kind: "conflict",
    summary: "The new service's hostname (its name) is already served by another service or component.",
    hint: "Pick another name (the subdomain is the service name), or move the other hostname in platform.yaml.",
  },
  SW_NEW_TARGET_CONFLICT: {
    area: "onboarding",
    kind: "input",
    summary: "Both a directory (`--repo-out`) and a remote (`--push`) are given for the service repository.",
    hint: "Use --repo-out DIR to write it locally, or --push URL to push it to an empty remote.",
  },

  // ---------------------------------------------------------------- scaffold service
  SW_SCAFFOLD_BASE_DIR_TOO_LONG: {
    area: "scaffold",
    kind: "input",
    summary: "The archive's `baseDir` has a directory name over 255 bytes.",
  },
  SW_SCAFFOLD_CONFLICT: {
    area: "scaffold",
    kind: "input",
    summary:
      "`type` and `preset` name different presets, or a build type with a preset that is not a Maven project.",
  },
  SW_SCAFFOLD_INVALID_PARAMETER: {
    area: "scaffold",
    kind: "input",
    summary: "A request parameter has a value outside its allowed values.",
  },
  SW_SCAFFOLD_NO_BUILD_FILE: {
    area: "scaffold",
    kind: "input",
    summary: "A build file (`/pom.xml`, `/build.gradle`) was asked of a preset that has none.",
  },
  SW_SCAFFOLD_UNKNOWN_DEPENDENCY: {
    area: "scaffold",
    kind: "input",
    summary: "A dependency id that is not listed, as start.spring.io refuses it; the hint lists them.",
  },
  SW_SCAFFOLD_UNKNOWN_PARAMETER: {
    area: "scaffold",
    kind: "input",
    summary: "A request parameter the Initializr API does not have.",
  },
  SW_SCAFFOLD_UNKNOWN_TYPE: {
    area: "scaffold",
    kind: "input",
    summary: "A `type` that is neither a build type nor a preset id.",
  },
  SW_SCAFFOLD_UNSAFE_BASE_DIR: {
    area: "scaffold",
    kind: "input",
    summary: "The archive's `baseDir` is absolute or contains `..`.",
  },
  SW_SCAFFOLD_UNSUPPORTED: {
    area: "scaffold",
    kind: "input",
    summary: "A language, packaging, Boot version or dependency combination no preset provides.",
  },
  SW_SCAFFOLD_UNSUPPORTED_TYPE: {
    area: "scaffold",
    kind: "input",
    summary: "A Gradle project type: Slipway generates Java projects with Maven only.",
    hint: "use type=maven-project",
  },
  SW_SERVE_DEV_NOT_LOOPBACK: {
    area: "scaffold",
    kind: "input",
    summary: "`serve --dev` on a non-loopback host, or with a plain-http base URL on another host.",
    hint: "--dev signs anyone in with any password; use --host 127.0.0.1 (the default), or run without --dev with a real OIDC provider",
  },
  SW_SERVE_HOST_UNAVAILABLE: {
    area: "scaffold",
    kind: "input",
    summary: "`serve --host` is not an address of this machine.",
    hint: "use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0 (all interfaces)",
  },
  SW_SERVE_OIDC_NOT_CONFIGURED: {
    area: "scaffold",
    kind: "input",
    summary: "`serve` without `--dev` is missing its OIDC settings.",
    hint: "set OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and SCAFFOLD_COOKIE_SECRET (at least 32 characters), or run with --dev on a laptop",
  },
  SW_SERVE_PORT_DENIED: {
    area: "scaffold",
    kind: "input",
    summary: "Not allowed to listen on the port (e.g. below 1024 without privileges).",
    hint: "ports below 1024 need privileges; choose --port 8080 or another port above 1023",
  },
  SW_SERVE_PORT_IN_USE: {
    area: "scaffold",
    kind: "input",
    summary: "The port is already in use.",
    hint: "stop what listens there, or choose another port with --port",
  },
  SW_SERVE_SETTING_INVALID: {
    area: "scaffold",
    kind: "input",
    summary:
      "A `serve` setting has a value it cannot use: `--base-url`/`SCAFFOLD_BASE_URL`, `SCAFFOLD_TRUST_PROXY`, `SCAFFOLD_ANONYMOUS_NETWORKS`, `--push`/`SCAFFOLD_PUSH_TARGET` without `{name}`, the OTLP endpoint; the path names it.",
  },

  // ---------------------------------------------------------------- registries
  SW_PRESET_DUPLICATE_FILE: {
    area: "registry",
    kind: "internal",
    summary: "Two contributors of a preset generate the same file.",
  },
  SW_PRESET_DUPLICATE_ID: {
    area: "registry",
    kind: "internal",
    summary: "Two presets in `packages/presets/src/registry.ts` have the same id.",
    hint: "Each preset in registry.ts needs a unique id.",
  },
  SW_PRESET_UNSAFE_PATH: {
    area: "registry",
    kind: "internal",
    summary: "A preset generates a path that is absolute, contains `..` or unsupported characters.",
  },
  SW_REGISTRY_DUPLICATE_ID: {
    area: "registry",
    kind: "internal",
    summary: "Two components in `packages/core/src/components/index.ts` have the same id.",
    hint: "Each component in components/index.ts needs a unique id.",
  },
  SW_REGISTRY_UNKNOWN_DEPENDENCY: {
    area: "registry",
    kind: "internal",
    summary: "A component depends on (or syncs after) a component that is not registered.",
    hint: "Register the dependency in components/index.ts or fix the id.",
  },
} as const satisfies Record<`SW_${string}`, ErrorEntry>;

/** A code with an entry in {@link ERRORS}. */
export type CatalogueCode = keyof typeof ERRORS;

/** The id of a registered policy (`packages/core/src/check/policies/index.ts`). */
export type PolicyId = (typeof policies)[number]["id"];

type Underscored<S extends string> = S extends `${infer A}-${infer B}` ? `${A}_${Underscored<B>}` : S;

/** The code of policy `Id`: `no-secrets` → `SW_POLICY_NO_SECRETS`. */
export type PolicyCodeOf<Id extends string> = `SW_POLICY_${Uppercase<Underscored<Id>>}`;

/** The code of any registered policy. */
export type PolicyCode = PolicyCodeOf<PolicyId>;

/** Every code a diagnostic may carry: the catalogue's, and one per registered policy. */
export type ErrorCode = CatalogueCode | PolicyCode;

/** A policy declared with a plain `Policy` annotation widens every id to `string`: refuse that. */
const _policyIdsAreLiteral: string extends PolicyId ? "declare policies with definePolicy()" : true = true;
void _policyIdsAreLiteral;

/** Whether `code` has an entry in the catalogue (policy codes do not). */
export function isCatalogued(code: string): code is CatalogueCode {
  return Object.hasOwn(ERRORS, code);
}

/** The generated reference's page. */
export const ERRORS_DOC = "docs/reference/errors.md";

/** Where a code is documented: `docs/reference/errors.md#sw_spec_unknown_key`. */
export function errorDocs(code: ErrorCode): string {
  return `${ERRORS_DOC}#${code.toLowerCase()}`;
}
