import type { PlatformSpec } from "../../config/schema.js";
import { awskmsSeal, UNSEAL, type UnsealConfig } from "./contract.js";
import { block, type HclBlock } from "./hcl.js";

/** Secret key of the n-th (1-based) unseal key share in `vault-unseal`. */
export const unsealKeyName = (n: number) => `key-${n}`;

/**
 * The postStart hook of the `kubernetes-secret` mode, a POSIX shell script run in the Vault
 * container (the image's `vault` CLI and `VAULT_ADDR`): wait up to two minutes for the local
 * server to answer, and when it is sealed submit each key file as `key=@file` (never on the command
 * line). It always exits 0: a failing postStart hook kills the container, and a Vault that stays
 * sealed is visible (`vault status`, `slipway bootstrap status`) without a restart loop.
 */
export const UNSEAL_SCRIPT = [
  `[ -d ${UNSEAL.keysDir} ] || exit 0`,
  "i=0",
  "while [ $i -lt 60 ]; do",
  "  vault status >/dev/null 2>&1; rc=$?",
  "  [ $rc -eq 0 ] && exit 0",
  "  [ $rc -eq 2 ] && break",
  "  i=$((i+1)); sleep 2",
  "done",
  `for f in ${UNSEAL.keysDir}/key-*; do`,
  '  [ -f "$f" ] || continue',
  '  vault write sys/unseal key=@"$f" >/dev/null 2>&1 || true',
  "  vault status >/dev/null 2>&1 && break",
  "done",
  "exit 0",
].join("\n");

/** The `seal` stanza of the server configuration (transit and awskms; Shamir needs none). */
export function sealStanza(c: UnsealConfig, platform: PlatformSpec): HclBlock | undefined {
  if (c.mode === "awskms") {
    return block(
      {
        region: awskmsSeal(c, platform).region,
        kms_key_id: c.kmsKeyId,
        ...(c.endpoint ? { endpoint: c.endpoint } : {}),
        // No access_key/secret_key: credentials come from the environment (pod identity or the
        // Secret), never from this file.
      },
      "awskms",
    );
  }
  if (c.mode !== "transit") return undefined;
  return block(
    {
      address: c.address,
      key_name: c.keyName,
      mount_path: c.mountPath,
      // The token comes from VAULT_TOKEN (the Secret), never from this file.
      disable_renewal: "false",
    },
    "transit",
  );
}

/** Chart values (`server.*`) each mode adds. */
export function unsealServerValues(c: UnsealConfig, platform: PlatformSpec): Record<string, unknown> {
  if (c.mode === "awskms") {
    if (awskmsSeal(c, platform).podIdentity) return {};
    return {
      extraSecretEnvironmentVars: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].map((name) => ({
        envName: name,
        secretName: UNSEAL.awskmsCredentialsSecret,
        secretKey: name,
      })),
    };
  }
  if (c.mode === "kubernetes-secret") {
    return {
      postStart: ["/bin/sh", "-c", UNSEAL_SCRIPT],
      // Optional: the Secret exists only after `vault operator init`, and the pod must start before.
      volumes: [
        { name: "unseal", secret: { secretName: UNSEAL.keysSecret, optional: true, defaultMode: 0o440 } },
      ],
      volumeMounts: [{ name: "unseal", mountPath: UNSEAL.keysDir, readOnly: true }],
    };
  }
  if (c.mode === "transit") {
    return {
      extraSecretEnvironmentVars: [
        { envName: "VAULT_TOKEN", secretName: UNSEAL.transitTokenSecret, secretKey: "token" },
      ],
    };
  }
  return {};
}
