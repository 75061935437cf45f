import { buildCheckInput, type CheckInput } from "../check/input.js";
import { ARGOCD_APP, ARGOCD_CHART, ROOT_APP_PATH } from "../components/argocd/contract.js";
import { CLOUDFLARE_TERRAFORM_DIR } from "../components/cloudflare/contract.js";
import { ADMIN_KV_PATH, DATABASE_TF_DIR, databaseRoleName } from "../components/dynamic-db/contract.js";
import { IDENTITY_TERRAFORM_DIR } from "../components/identity/contract.js";
import {
  awskmsSeal,
  UNSEAL,
  type UnsealConfig,
  VAULT,
  VAULT_TERRAFORM_DIR,
  VAULT_TERRAFORM_POLICY,
} from "../components/vault/contract.js";
import { ARGOCD_NAMESPACE, paths } from "../render/apps.js";
import type { RenderSession } from "../render/render.js";
import type { Prepared } from "../synth.js";

/**
 * `slipway bootstrap` as data: the ordered steps from an empty K3s node to a platform Argo CD runs,
 * each with what must hold before it, what it runs, how to tell it is done, and what to do when a
 * precondition is missing. `status` and `--apply` walk this list; `print` renders it. Nothing here
 * touches a cluster: probes and actions are descriptions, executed by ./run.ts.
 */
export interface BootstrapPlan {
  readonly platform: string;
  readonly steps: readonly BootstrapStep[];
}

/** CLIs a step needs on the workstation (`--apply` finds them on PATH or through flags). */
export type BootstrapTool = "helm" | "kubectl" | "vault" | "tofu";

export interface BootstrapStep {
  /** Stable id, e.g. `vault-init`: status output and `--from`/resume refer to it. */
  readonly id: string;
  readonly title: string;
  /** What the step does and why it comes here in the order. */
  readonly why: string;
  /**
   * Who performs it: `apply` runs it from the workstation; `wait` is done by the cluster (Argo
   * CD, External Secrets) and `--apply` only checks it; `manual` needs a person (a value only they
   * have, a machine only they reach) and `--apply` stops there with the exact commands.
   */
  readonly by: "apply" | "wait" | "manual";
  /** Tools the commands need (for `apply` steps, checked before anything runs). */
  readonly tools: readonly BootstrapTool[];
  /** What must hold before the step; the first that fails stops `--apply` with its `fix`. */
  readonly preconditions: readonly Check[];
  /** The commands, as a person would type them (what `print` shows). */
  readonly commands: readonly string[];
  /** What `--apply` does, in order. */
  readonly actions: readonly Action[];
  /** All hold ⇔ the step is done: `status` and `--apply` skip it. Empty: never probed (advice). */
  readonly done: readonly Check[];
}

/** A condition, checked by ./run.ts through the Kubernetes API or the vault CLI. */
export type Check = { readonly describe: string; readonly fix: string } & Probe;

export type Probe =
  /** The API server answers `GET /version` with the kubeconfig's credentials. */
  | { readonly kind: "kube-reachable" }
  /** GET `path` is 200 (`absent`: 404). `field` + `atLeast`/`equals` test a value of the body. */
  | {
      readonly kind: "kube-object";
      readonly path: string;
      readonly absent?: boolean;
      readonly field?: readonly string[];
      readonly equals?: string;
      readonly atLeast?: number;
      /** The body's `conditions` has one of this type with status True (Jobs: `Complete`). */
      readonly condition?: string;
    }
  /** A list (GET `path`, e.g. with a labelSelector) has at least one item. */
  | { readonly kind: "kube-list"; readonly path: string }
  /** `vault status`: the server answers (`reachable`), is initialised, is unsealed. */
  | { readonly kind: "vault-status"; readonly want: "reachable" | "initialized" | "unsealed" }
  /** A Vault token is at hand (VAULT_TOKEN or the init file) and `vault token lookup` accepts it. */
  | { readonly kind: "vault-token" }
  /** `vault read <path>` succeeds for every path (policies, roles, database config). */
  | { readonly kind: "vault-read"; readonly paths: readonly string[] }
  /** `vault kv get -mount=kv <path>` succeeds and has every field, for every secret. */
  | { readonly kind: "kv-present"; readonly secrets: readonly KvSecret[] }
  /** A local Terraform state file of the root exists and holds resources. */
  | { readonly kind: "tf-state"; readonly dir: string };

/** A KV v2 secret the platform reads, and who writes it. */
export interface KvSecret {
  /** Path under the `kv` mount, e.g. `postgres/admin`. */
  readonly path: string;
  readonly fields: readonly string[];
  /**
   * `generated`: `--apply` writes random values (never overwriting); `fixed` fields have a known
   * value (a user name); `user`: a value only the person has (a Cloudflare or GitHub token);
   * `terraform`: a root writes it; `copy`: copied from a Kubernetes Secret a chart created.
   */
  readonly source: "generated" | "user" | "terraform" | "copy";
  readonly fixed?: Readonly<Record<string, string>>;
  /** For `user` secrets: where the value comes from. */
  readonly hint?: string;
}

export type Action =
  | {
      readonly kind: "exec";
      readonly argv: readonly string[];
      readonly env?: Readonly<Record<string, string>>;
    }
  /** Server-side apply of a rendered file (`kubectl apply --server-side -f`). */
  | { readonly kind: "kube-apply"; readonly file: string }
  /** `vault operator init`, its output saved to the init file (mode 0600, outside the repository). */
  | {
      readonly kind: "vault-init";
      readonly shares: number;
      readonly threshold: number;
      readonly recovery: boolean;
    }
  /** The unseal keys of the init file into the Secret `vault-unseal` (kubernetes-secret mode). */
  | {
      readonly kind: "unseal-secret";
      readonly namespace: string;
      readonly name: string;
      readonly threshold: number;
    }
  /** `vault operator unseal` with keys of the init file until unsealed. */
  | { readonly kind: "vault-unseal" }
  /** `vault kv put` of each generated secret that is missing; existing ones are never overwritten. */
  | { readonly kind: "kv-generate"; readonly secrets: readonly KvSecret[] }
  /** A Kubernetes Secret's key into KV (`kubectl get secret … | vault kv put … key=-`). */
  | {
      readonly kind: "kv-copy";
      readonly namespace: string;
      readonly secret: string;
      readonly key: string;
      readonly kvPath: string;
      readonly field: string;
    };

/** The init file: `vault operator init -format=json` output, kept on the workstation only (`--init-file`). */
export const vaultInitFile = (platform: string) => `~/.config/slipway/${platform}/vault-init.json`;

const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
const sh = (argv: readonly string[]) => argv.map(q).join(" ");

const PORT_FORWARD =
  "kubectl -n vault port-forward svc/vault 8200 &  export VAULT_ADDR=http://127.0.0.1:8200";

/** Done when the Secret `name` exists in Vault's namespace (one that bootstrap or a person creates). */
function vaultSecretExists(name: string, fix: string): Check {
  return {
    kind: "kube-object",
    path: `/api/v1/namespaces/${VAULT.namespace}/secrets/${name}`,
    describe: `the Secret ${VAULT.namespace}/${name} exists`,
    fix,
  };
}

/** Builds the plan from a rendered platform (renderPlatform's session). */
export function bootstrapPlan(session: RenderSession & Prepared): BootstrapPlan {
  const input = buildCheckInput(session.files, session.apps);
  const platform = session.spec.platform;
  const enabled = (id: string) => platform.components[id]?.enabled === true;
  const has = (dir: string) =>
    input.files.some((f) => f.path.startsWith(`${dir}/`) && !f.path.slice(dir.length + 1).includes("/"));
  const unseal = (platform.components.vault as { unseal?: UnsealConfig } | undefined)?.unseal ?? {
    mode: "kubernetes-secret",
    keyShares: 5,
    keyThreshold: 3,
  };
  const steps: BootstrapStep[] = [];
  const VAULT_INIT_FILE_HINT = vaultInitFile(platform.name);

  const kube: Check = {
    kind: "kube-reachable",
    describe: "the cluster answers with the kubeconfig's credentials",
    fix: "Point KUBECONFIG (or --kubeconfig) at the K3s kubeconfig: copy /etc/rancher/k3s/k3s.yaml from the node and set its server: to the node's address.",
  };
  const vaultUp: Check = {
    kind: "vault-status",
    want: "reachable",
    describe: "Vault answers at VAULT_ADDR",
    fix: `Forward the port and point the CLI at it: ${PORT_FORWARD}. If vault-0 is not Running yet, wait for Argo CD to sync the vault Application (kubectl -n argocd get application vault).`,
  };
  // Vault's own auto-unseal (a seal stanza): init makes recovery keys and nobody unseals.
  const autoUnseal = unseal.mode === "transit" || unseal.mode === "awskms";
  // awskms without a pod identity reads an access key from a Secret a person creates.
  const awskmsKey =
    unseal.mode === "awskms" && !awskmsSeal(unseal, platform).podIdentity ? unseal.kmsKeyId : undefined;
  const unsealed: Check = {
    kind: "vault-status",
    want: "unsealed",
    describe: "Vault is unsealed",
    fix:
      unseal.mode === "transit"
        ? "Vault unseals through the transit Vault: check that it is reachable from the pod and that the Secret vault-transit-token holds a valid token (kubectl -n vault logs vault-0)."
        : unseal.mode === "awskms"
          ? `Vault unseals through AWS KMS: check that the pod reaches KMS and that its ${awskmsKey ? `Secret ${UNSEAL.awskmsCredentialsSecret}` : "IAM role (spec.cluster.aws.vaultIam)"} may kms:Encrypt, kms:Decrypt and kms:DescribeKey on ${unseal.kmsKeyId} (kubectl -n vault logs vault-0).`
          : `Run \`slipway bootstrap --apply\` (it unseals with the keys of ${VAULT_INIT_FILE_HINT}) or \`vault operator unseal\` ${unseal.mode === "kubernetes-secret" ? unseal.keyThreshold : 3} times.`,
  };
  const token: Check = {
    kind: "vault-token",
    describe: "a Vault token is at hand (VAULT_TOKEN, else the init file's root token)",
    fix: `export VAULT_TOKEN=<token> (the root token from ${VAULT_INIT_FILE_HINT} during bootstrap; a ${VAULT_TERRAFORM_POLICY} token afterwards).`,
  };

  // 1. The node.
  const version = platform.cluster.kubernetesVersion;
  steps.push({
    id: "k3s",
    title: `K3s ${version} on the node, without its bundled Traefik`,
    why: "K3s ships Traefik and its CRDs (Gateway API included) as packaged components; the gateway component deploys its own Traefik and the Gateway API CRDs through Argo CD, so the bundled ones must not be installed (two controllers, conflicting CRD owners).",
    by: "manual",
    tools: [],
    preconditions: [],
    commands: [
      "# on the node (as root):",
      `curl -sfL https://get.k3s.io | INSTALL_K3S_CHANNEL=v${version} INSTALL_K3S_EXEC="server --disable=traefik" sh -`,
      "# on the workstation: the kubeconfig, with server: set to the node's address",
      "scp root@<node>:/etc/rancher/k3s/k3s.yaml ~/.kube/config",
    ],
    actions: [],
    done: [
      kube,
      {
        kind: "kube-object",
        path: "/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/traefik",
        absent: true,
        describe: "K3s's bundled Traefik is not installed (no HelmChart kube-system/traefik)",
        fix: 'K3s runs with its bundled Traefik. Add `disable: [traefik]` to /etc/rancher/k3s/config.yaml (or INSTALL_K3S_EXEC="server --disable=traefik"), restart k3s (systemctl restart k3s), then remove what it left: kubectl -n kube-system delete helmchart traefik traefik-crd.',
      },
    ],
  });

  // 2–3. Argo CD and the root app.
  steps.push({
    id: "argocd",
    title: "Install Argo CD from its rendered values",
    why: "The one imperative install: the same chart, version and values file as Argo CD's own Application, so Argo CD adopts the release without a diff.",
    by: "apply",
    tools: ["helm"],
    preconditions: [kube],
    commands: [sh(helmArgs(ARGOCD_CHART.chart))],
    actions: [{ kind: "exec", argv: helmArgs(ARGOCD_CHART.chart) }],
    done: [
      {
        kind: "kube-list",
        path: `/api/v1/namespaces/${ARGOCD_NAMESPACE}/secrets?labelSelector=owner%3Dhelm%2Cname%3D${ARGOCD_APP}`,
        describe: `the Helm release ${ARGOCD_APP} exists in ${ARGOCD_NAMESPACE}`,
        fix: "Run the helm command of this step.",
      },
    ],
  });
  steps.push({
    id: "root-app",
    title: "Apply the root app-of-apps",
    why: "From here Argo CD syncs every Application in wave order: namespaces, Vault, External Secrets, PostgreSQL, … (those that need Vault wait until the steps below have run).",
    by: "apply",
    tools: [],
    preconditions: [kube],
    commands: [`kubectl apply --server-side -f ${ROOT_APP_PATH}`],
    actions: [{ kind: "kube-apply", file: ROOT_APP_PATH }],
    done: [
      {
        kind: "kube-object",
        path: `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications/root`,
        describe: "the Application argocd/root exists",
        fix: `kubectl apply --server-side -f ${ROOT_APP_PATH}`,
      },
    ],
  });

  if (!enabled("vault")) return { platform: platform.name, steps };

  // 4. Vault up, initialised, unsealed.
  if (unseal.mode === "transit") {
    steps.push({
      id: "vault-transit-token",
      title: "Give Vault its transit unseal token",
      why: `Vault's seal stanza names the transit key on ${unseal.address}; the pod reads the token from the Secret ${UNSEAL.transitTokenSecret} and does not start without it.`,
      by: "manual",
      tools: [],
      preconditions: [kube],
      commands: [
        `# on the transit Vault: vault secrets enable transit; vault write -f transit/keys/${unseal.keyName}`,
        `# a policy allowing update on ${unseal.mountPath}encrypt/${unseal.keyName} and ${unseal.mountPath}decrypt/${unseal.keyName}, then a periodic token:`,
        `kubectl -n ${VAULT.namespace} create secret generic ${UNSEAL.transitTokenSecret} --from-literal=token="$(VAULT_ADDR=${unseal.address} vault token create -policy=autounseal -period=24h -field=token)"`,
      ],
      actions: [],
      done: [vaultSecretExists(UNSEAL.transitTokenSecret, "Run this step's commands.")],
    });
  }
  if (awskmsKey !== undefined) {
    steps.push({
      id: "vault-awskms-credentials",
      title: "Give Vault an AWS access key for its KMS unseal key",
      why: `Vault's seal stanza names the KMS key ${awskmsKey}; off EKS's pod identity the pod reads an access key from the Secret ${UNSEAL.awskmsCredentialsSecret} and does not start without it.`,
      by: "manual",
      tools: [],
      preconditions: [kube],
      commands: [
        "# an IAM user whose only policy allows kms:Encrypt, kms:Decrypt and kms:DescribeKey on that key, then:",
        `kubectl -n ${VAULT.namespace} create secret generic ${UNSEAL.awskmsCredentialsSecret} --from-literal=AWS_ACCESS_KEY_ID=<key id> --from-literal=AWS_SECRET_ACCESS_KEY=<secret>`,
      ],
      actions: [],
      done: [vaultSecretExists(UNSEAL.awskmsCredentialsSecret, "Run this step's commands.")],
    });
  }
  steps.push({
    id: "vault-running",
    title: "Vault is running and reachable from the workstation",
    why: "Argo CD syncs the vault Application after the root app; every later step talks to Vault's API through a port-forward.",
    by: "wait",
    tools: ["vault"],
    preconditions: [kube],
    commands: [
      `kubectl -n argocd get application vault   # Synced; vault-0 Running (not Ready until unsealed)`,
      PORT_FORWARD,
    ],
    actions: [],
    done: [vaultUp],
  });
  const shares = unseal.mode === "kubernetes-secret" ? unseal.keyShares : 5;
  const threshold = unseal.mode === "kubernetes-secret" ? unseal.keyThreshold : 3;
  steps.push({
    id: "vault-init",
    title: "Initialise Vault",
    why: `Creates the ${autoUnseal ? "recovery" : "unseal"} keys and the root token. --apply saves them to ${VAULT_INIT_FILE_HINT} (mode 0600, never in the repository): copy them somewhere offline.`,
    by: "apply",
    tools: ["vault"],
    preconditions: [vaultUp],
    commands: [
      `vault operator init -${autoUnseal ? "recovery-" : "key-"}shares=${shares} -${autoUnseal ? "recovery-" : "key-"}threshold=${threshold} -format=json > ${VAULT_INIT_FILE_HINT}`,
    ],
    actions: [{ kind: "vault-init", shares, threshold, recovery: autoUnseal }],
    done: [
      {
        kind: "vault-status",
        want: "initialized",
        describe: "Vault is initialised",
        fix: "Run this step's command.",
      },
    ],
  });
  if (unseal.mode === "kubernetes-secret") {
    steps.push({
      id: "vault-unseal-secret",
      title: `Store ${threshold} unseal keys in the Secret ${VAULT.namespace}/${UNSEAL.keysSecret}`,
      why: "Auto-unseal on one node (ADR 0009): the Vault container's postStart hook submits these keys whenever the server starts sealed, so a reboot does not take the mesh down. Anyone who can read Secrets in the vault namespace (or etcd) can unseal: see the ADR.",
      by: "apply",
      tools: [],
      preconditions: [kube],
      commands: [
        `kubectl -n ${VAULT.namespace} create secret generic ${UNSEAL.keysSecret} ${Array.from({ length: threshold }, (_, i) => `--from-literal=key-${i + 1}="$(jq -r '.unseal_keys_b64[${i}]' ${VAULT_INIT_FILE_HINT})"`).join(" ")}`,
      ],
      actions: [{ kind: "unseal-secret", namespace: VAULT.namespace, name: UNSEAL.keysSecret, threshold }],
      done: [vaultSecretExists(UNSEAL.keysSecret, "Run this step's command.")],
    });
  }
  steps.push({
    id: "vault-unseal",
    title: "Unseal Vault",
    why: autoUnseal
      ? `Vault unseals itself through ${unseal.mode === "transit" ? "the transit Vault" : "AWS KMS"}; this step only checks it.`
      : "The first unseal after init (later restarts: the postStart hook, or a person in manual mode).",
    by: autoUnseal ? "wait" : "apply",
    tools: ["vault"],
    preconditions: [vaultUp],
    commands: autoUnseal
      ? ["vault status   # Sealed: false"]
      : Array.from(
          { length: threshold },
          (_, i) => `vault operator unseal "$(jq -r '.unseal_keys_b64[${i}]' ${VAULT_INIT_FILE_HINT})"`,
        ),
    actions: autoUnseal ? [] : [{ kind: "vault-unseal" }],
    done: [unsealed],
  });

  // 5. The base Terraform root, with the root token.
  const policies = [...session.plan.vaultPolicies.map((p) => p.name), VAULT_TERRAFORM_POLICY].sort();
  const roles = session.plan.vaultKubernetesRoles.map((r) => r.name).sort();
  const tofu = (dir: string, extra: readonly string[] = []) => [
    `tofu -chdir=${dir} init -input=false`,
    `tofu -chdir=${dir} apply -input=false -auto-approve${extra.map((e) => ` ${e}`).join("")}`,
  ];
  const tofuActions = (dir: string): Action[] => [
    { kind: "exec", argv: ["tofu", `-chdir=${dir}`, "init", "-input=false"] },
    { kind: "exec", argv: ["tofu", `-chdir=${dir}`, "apply", "-input=false", "-auto-approve"] },
  ];
  steps.push({
    id: "vault-config",
    title: `Apply ${VAULT_TERRAFORM_DIR}: KV, Kubernetes auth, policies, roles${enabled("cert-manager") ? ", PKI" : ""}`,
    why: `The base root (ADR 0002). It reads no secret, so it applies on a fresh Vault; the database engine is a separate root applied later. The first apply runs with the root token and creates the ${VAULT_TERRAFORM_POLICY} policy for later applies. terraform works the same as tofu.`,
    by: "apply",
    tools: ["tofu", "vault"],
    preconditions: [vaultUp, unsealed, token],
    commands: tofu(VAULT_TERRAFORM_DIR),
    actions: tofuActions(VAULT_TERRAFORM_DIR),
    done: [
      {
        kind: "vault-read",
        paths: [
          ...policies.map((p) => `sys/policies/acl/${p}`),
          ...roles.map((r) => `auth/${VAULT.kubernetesAuthPath}/role/${r}`),
        ],
        describe: `every policy (${policies.length}) and Kubernetes auth role (${roles.length}) of ${VAULT_TERRAFORM_DIR} exists in Vault`,
        fix: `Run this step's commands (VAULT_ADDR and VAULT_TOKEN set). If tofu is not installed: https://opentofu.org/docs/intro/install/ (or use terraform ≥ 1.11 with the same arguments).`,
      },
    ],
  });

  // 6. KV seeding: what the platform reads that nobody else writes.
  const kv = kvSecrets(input);
  const generated = kv.filter((s) => s.source === "generated");
  if (generated.length > 0) {
    steps.push({
      id: "kv-seed",
      title: `Write the generated secrets to KV (${generated.map((s) => s.path).join(", ")})`,
      why: `External Secrets delivers them to PostgreSQL, ZITADEL, …; ${ADMIN_KV_PATH} must exist before the database root reads it. --apply writes random values for the missing ones and never overwrites an existing secret.`,
      by: "apply",
      tools: ["vault"],
      preconditions: [unsealed, token],
      commands: generated.map(
        (s) =>
          `vault kv put -mount=${VAULT.kvMount} ${s.path} ${s.fields.map((f) => (s.fixed?.[f] !== undefined ? `${f}=${s.fixed[f]}` : `${f}="$(openssl rand -base64 24)"`)).join(" ")}`,
      ),
      actions: [{ kind: "kv-generate", secrets: generated }],
      done: [
        {
          kind: "kv-present",
          secrets: generated,
          describe: "every generated secret exists in KV",
          fix: "Run `slipway bootstrap --apply` or this step's commands.",
        },
      ],
    });
  }

  // 7. PostgreSQL, once External Secrets can log in.
  const pgSet = input.objects.find((o) => o.owner === "postgres" && o.object.kind === "StatefulSet");
  const pgJob = input.objects.find((o) => o.owner === "postgres" && o.object.kind === "Job");
  if (enabled("postgres") && pgSet) {
    const ns = input.namespaceOf(pgSet) ?? "database";
    steps.push({
      id: "postgres-ready",
      title: "PostgreSQL is running and provisioned",
      why: "External Secrets logs in to Vault with the role the base root created, delivers the superuser and owner passwords, and the postgres StatefulSet and its provisioning Job run (Argo CD retries until then).",
      by: "wait",
      tools: [],
      preconditions: [kube],
      commands: [
        `kubectl -n ${ns} get externalsecrets   # SecretSynced`,
        `kubectl -n ${ns} rollout status statefulset/${pgSet.object.metadata.name}`,
        ...(pgJob
          ? [`kubectl -n ${ns} wait --for=condition=complete job/${pgJob.object.metadata.name}`]
          : []),
      ],
      actions: [],
      done: [
        {
          kind: "kube-object",
          path: `/apis/apps/v1/namespaces/${ns}/statefulsets/${pgSet.object.metadata.name}`,
          field: ["status", "readyReplicas"],
          atLeast: 1,
          describe: `statefulset ${ns}/${pgSet.object.metadata.name} has a ready replica`,
          fix: `Wait for Argo CD; if it does not come: kubectl -n ${ns} get externalsecrets (a Vault login error means the vault-config step has not run; a missing key means kv-seed has not).`,
        },
        ...(pgJob
          ? [
              {
                kind: "kube-object" as const,
                path: `/apis/batch/v1/namespaces/${ns}/jobs/${pgJob.object.metadata.name}`,
                condition: "Complete",
                describe: `job ${ns}/${pgJob.object.metadata.name} completed (databases and owner roles exist)`,
                fix: `kubectl -n ${ns} logs job/${pgJob.object.metadata.name}`,
              },
            ]
          : []),
      ],
    });
  }

  // 8. The database engine root.
  if (has(DATABASE_TF_DIR)) {
    const dbs = session.plan.databases.filter((d) => d.dynamic);
    steps.push({
      id: "vault-database",
      title: `Apply ${DATABASE_TF_DIR}: the database engine`,
      why: `Reads ${VAULT.kvMount}/${ADMIN_KV_PATH} at plan time and, with verify_connection, logs in to PostgreSQL: it can only run after kv-seed and postgres-ready. The ${VAULT_TERRAFORM_POLICY} token suffices from here on.`,
      by: "apply",
      tools: ["tofu", "vault"],
      preconditions: [
        unsealed,
        token,
        {
          kind: "kv-present",
          secrets: [{ path: ADMIN_KV_PATH, fields: ["username", "password"], source: "generated" }],
          describe: `${VAULT.kvMount}/${ADMIN_KV_PATH} exists`,
          fix: "Run the kv-seed step first (slipway bootstrap --apply).",
        },
      ],
      commands: tofu(DATABASE_TF_DIR),
      actions: tofuActions(DATABASE_TF_DIR),
      done: [
        {
          kind: "vault-read",
          paths: dbs.flatMap((d) => [
            `database/config/${d.name}`,
            `database/roles/${databaseRoleName(d.consumer)}`,
          ]),
          describe: `the connection and role of each dynamic database (${dbs.map((d) => d.name).join(", ") || "none"}) exist`,
          fix: "Run this step's commands after postgres-ready.",
        },
      ],
    });
  }

  // 9. Secrets only the person has.
  const user = kv.filter((s) => s.source === "user");
  if (user.length > 0) {
    steps.push({
      id: "kv-user",
      title: `Write the secrets only you have (${user.map((s) => s.path).join(", ")})`,
      why: "Tokens from outside the cluster (Cloudflare tunnel, GitHub, a service's upstream API). Until they exist, the ExternalSecrets that read them report SecretSyncedError and their Applications stay Degraded; the rest of the platform is unaffected.",
      by: "manual",
      tools: ["vault"],
      preconditions: [unsealed, token],
      commands: user.map(
        (s) =>
          `vault kv put -mount=${VAULT.kvMount} ${s.path} ${s.fields.map((f) => `${f}=<…>`).join(" ")}${s.hint ? `   # ${s.hint}` : ""}`,
      ),
      actions: [],
      done: [
        {
          kind: "kv-present",
          secrets: user,
          describe: "every such secret exists in KV",
          fix: "Run this step's commands with your values.",
        },
      ],
    });
  }

  // 10. Identity: the ZITADEL key into Vault, then the OIDC clients.
  const copies = kv.filter((s) => s.source === "copy");
  if (enabled("identity") && has(IDENTITY_TERRAFORM_DIR)) {
    for (const c of copies) {
      steps.push({
        id: "identity-key",
        title: `Move ZITADEL's admin key into Vault (${VAULT.kvMount}/${c.path})`,
        why: "ZITADEL's setup Job writes its machine user's key to a Kubernetes Secret once, at first start; the identity root reads it from Vault. The in-cluster copy is deleted afterwards.",
        by: "apply",
        tools: ["vault"],
        preconditions: [
          unsealed,
          token,
          {
            kind: "kube-object",
            path: "/api/v1/namespaces/zitadel/secrets/zitadel-admin-sa",
            describe: "ZITADEL's setup Job has written the Secret zitadel/zitadel-admin-sa",
            fix: "Wait for Argo CD to sync zitadel (kubectl -n argocd get application zitadel; kubectl -n zitadel logs job/zitadel-setup).",
          },
        ],
        commands: [
          `kubectl -n zitadel get secret zitadel-admin-sa -o jsonpath='{.data.zitadel-admin-sa\\.json}' | base64 -d | vault kv put -mount=${VAULT.kvMount} ${c.path} key=-`,
          "kubectl -n zitadel delete secret zitadel-admin-sa",
        ],
        actions: [
          {
            kind: "kv-copy",
            namespace: "zitadel",
            secret: "zitadel-admin-sa",
            key: "zitadel-admin-sa.json",
            kvPath: c.path,
            field: "key",
          },
        ],
        done: [
          {
            kind: "kv-present",
            secrets: [c],
            describe: `${VAULT.kvMount}/${c.path} exists`,
            fix: "Run this step.",
          },
        ],
      });
    }
    const clients = kv.filter((s) => s.source === "terraform" && s.path.startsWith("identity/clients/"));
    steps.push({
      id: "identity-clients",
      title: `Apply ${IDENTITY_TERRAFORM_DIR}: the OIDC clients`,
      why: "Creates each OIDC client in the identity provider and writes its id and secret to KV, where the services' ExternalSecrets read them (ADR 0005). Needs the provider reachable at its public hostname.",
      by: "apply",
      tools: ["tofu", "vault"],
      preconditions: [unsealed, token],
      commands: [
        `export VAULT_TOKEN="$(vault token create -policy=identity-terraform -ttl=1h -field=token)"`,
        ...tofu(IDENTITY_TERRAFORM_DIR),
      ],
      actions: tofuActions(IDENTITY_TERRAFORM_DIR),
      done: [
        {
          kind: "kv-present",
          secrets: clients,
          describe: `every OIDC client's secret exists in KV (${clients.map((c) => c.path).join(", ") || "none"})`,
          fix: "Run this step's commands.",
        },
      ],
    });
  }

  // 11. Cloudflare DNS and tunnel ingress.
  if (enabled("cloudflare") && has(CLOUDFLARE_TERRAFORM_DIR)) {
    steps.push({
      id: "cloudflare",
      title: `Apply ${CLOUDFLARE_TERRAFORM_DIR}: DNS records and tunnel ingress`,
      why: "Public hostnames resolve to the tunnel and the tunnel routes them to Traefik. The tunnel itself is created once in the Cloudflare dashboard (its token went to KV in kv-user).",
      by: "manual",
      tools: ["tofu"],
      preconditions: [],
      commands: [
        "export CLOUDFLARE_API_TOKEN=<token with Zone:DNS:Edit and Account:Cloudflare Tunnel:Edit>",
        `tofu -chdir=${CLOUDFLARE_TERRAFORM_DIR} init -input=false`,
        `tofu -chdir=${CLOUDFLARE_TERRAFORM_DIR} apply -var account_id=<id> -var zone_id=<id> -var tunnel_id=<id>`,
      ],
      actions: [],
      done: [
        {
          kind: "tf-state",
          dir: CLOUDFLARE_TERRAFORM_DIR,
          describe: `${CLOUDFLARE_TERRAFORM_DIR}/terraform.tfstate holds the applied resources`,
          fix: "Run this step's commands (a remote backend: check with tofu state list instead).",
        },
      ],
    });
  }

  // 12. Retire the root token.
  steps.push({
    id: "retire-root-token",
    title: `Switch to a ${VAULT_TERRAFORM_POLICY} token and revoke the root token`,
    why: `Later applies of the Vault roots need only the ${VAULT_TERRAFORM_POLICY} policy (rendered in ${VAULT_TERRAFORM_DIR}/policies.tf.json). A periodic token must be renewed within its period (vault token renew).`,
    by: "manual",
    tools: ["vault"],
    preconditions: [unsealed],
    commands: [
      `vault token create -policy=${VAULT_TERRAFORM_POLICY} -period=720h -display-name=${VAULT_TERRAFORM_POLICY} -field=token   # keep it in your password manager`,
      "vault token revoke -self   # with VAULT_TOKEN set to the root token",
    ],
    actions: [],
    done: [],
  });
  return { platform: platform.name, steps };
}

function helmArgs(chart: string): string[] {
  return [
    "helm",
    "upgrade",
    "--install",
    ARGOCD_APP,
    chart,
    "--repo",
    ARGOCD_CHART.repoURL,
    "--version",
    ARGOCD_CHART.version,
    "--namespace",
    ARGOCD_NAMESPACE,
    "--create-namespace",
    "--values",
    paths.values(ARGOCD_APP),
  ];
}

/**
 * Every KV secret the rendered ExternalSecrets read, with its fields and who writes it. Paths a
 * Terraform root writes (identity clients, the PKI root certificate) are found in the roots; the
 * ZITADEL admin key is copied from the cluster; values with a generator are generated; anything
 * else is the person's to write.
 */
export function kvSecrets(input: CheckInput): KvSecret[] {
  const fields = new Map<string, Set<string>>();
  for (const o of input.objects) {
    if (o.object.kind !== "ExternalSecret") continue;
    const spec = (o.object as { spec?: { data?: { remoteRef?: { key?: string; property?: string } }[] } })
      .spec;
    for (const d of spec?.data ?? []) {
      const key = d.remoteRef?.key;
      if (!key) continue;
      const set = fields.get(key) ?? new Set<string>();
      fields.set(key, set);
      if (d.remoteRef?.property) set.add(d.remoteRef.property);
    }
  }
  // Written by a root: identity's clients, and the PKI root's KV copy (`vault_kv_secret_v2` names).
  const byTerraform = new Set<string>();
  for (const f of input.files) {
    if (!f.path.endsWith(".tf.json")) continue;
    const j = JSON.parse(f.content) as { resource?: Record<string, Record<string, { name?: string }>> };
    for (const r of Object.values(j.resource?.vault_kv_secret_v2 ?? {})) if (r.name) byTerraform.add(r.name);
  }
  const out: KvSecret[] = [];
  for (const [path, set] of [...fields].sort(([a], [b]) => a.localeCompare(b))) {
    const f = [...set].sort();
    const clientSecret = path.startsWith("identity/clients/");
    if (byTerraform.has(path) || clientSecret) {
      out.push({ path, fields: f, source: "terraform" });
    } else if (GENERATED[path] || path.startsWith("postgres/")) {
      const g = GENERATED[path];
      const user = path.startsWith("postgres/") ? path.slice("postgres/".length) : undefined;
      const fixed =
        g?.fixed ?? (user && set.has("username") ? { username: user === "admin" ? "postgres" : user } : {});
      out.push({ path, fields: f, source: "generated", fixed });
    } else {
      out.push({ path, fields: f, source: "user", ...(USER_HINTS[path] ? { hint: USER_HINTS[path] } : {}) });
    }
  }
  // The identity root reads the ZITADEL admin key, which no ExternalSecret does.
  for (const f of input.files) {
    if (!f.path.startsWith("identity/terraform/") || !f.path.endsWith(".tf.json")) continue;
    const j = JSON.parse(f.content) as { data?: Record<string, Record<string, { name?: string }>> };
    for (const d of Object.values(j.data?.vault_kv_secret_v2 ?? {})) {
      if (d.name === "identity/zitadel-admin-sa") out.push({ path: d.name, fields: ["key"], source: "copy" });
    }
  }
  return out;
}

/** Secrets whose values are random and nobody needs to know (fixed fields: known values). */
const GENERATED: Record<string, { fixed?: Record<string, string> }> = {
  "identity/zitadel": {},
  "identity/keycloak-admin": { fixed: { username: "admin" } },
  "scaffold/session": {},
  "grafana/admin": { fixed: { username: "admin" } },
};

const USER_HINTS: Record<string, string> = {
  "cloudflare/tunnel": "the tunnel's token: Cloudflare dashboard → Zero Trust → Networks → Tunnels",
  "scaffold/git": "a GitHub token that may create repositories in the platform's organisation",
};
