import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderComponents } from "../helpers/component-fixture.js";
import { startKms, type TestKms } from "../helpers/localkms.js";
import { freePort, until } from "../helpers/net.js";
import {
  localServerConfig,
  startVault,
  startVaultServer,
  type TestVault,
  type TestVaultServer,
  vaultRequest,
} from "../helpers/vault.js";

/**
 * ADR 0009's auto-unseal modes on a real Vault (tools/vault) started from the rendered server
 * configuration, seal stanza as rendered: init gives recovery keys and an unsealed Vault, a restart
 * (what a pod restart or a node reboot is) comes back unsealed with nobody at the keyboard, and
 * without its key holder it does not start at all — the seal is really in use. The key holders are real
 * too: another Vault's Transit engine, and Local KMS (tools/localkms) speaking AWS KMS's API,
 * which Vault's AWS SDK calls with the access key of the Secret the pod would read.
 */

interface SealStatus {
  type: string;
  initialized: boolean;
  sealed: boolean;
  recovery_seal?: boolean;
  migration?: boolean;
}

async function sealStatus(addr: string): Promise<SealStatus> {
  return (await (await fetch(`${addr}/v1/sys/seal-status`)).json()) as SealStatus;
}

/** Waits until the server reports `sealed: want` (auto-unseal runs just after the listener opens). */
async function waitSealed(addr: string, want: boolean, ms = 30_000): Promise<SealStatus> {
  await until(`sealed: ${want} at ${addr}`, async () => (await sealStatus(addr)).sealed === want, ms);
  return sealStatus(addr);
}

/** Waits until the server is unsealed and the active node (raft elected itself): it takes writes. */
const waitActive = (addr: string) =>
  until(`active at ${addr}`, async () => (await fetch(`${addr}/v1/sys/health`)).status === 200);

/** The error a restart ends in: Vault exits while starting. Undefined when it came up. */
const restartFailure = (server: TestVaultServer): Promise<string | undefined> =>
  server.restart().then(
    () => undefined,
    (e: Error) => e.message,
  );

/** Where a test Vault listens and keeps its data: kept across restarts and config changes. */
interface VaultPlace {
  readonly port: number;
  readonly clusterPort: number;
  readonly dataDir: string;
  readonly home: string;
}

async function vaultPlace(dir: string): Promise<VaultPlace> {
  const place = {
    port: await freePort(),
    clusterPort: await freePort(),
    dataDir: join(dir, "data"),
    home: join(dir, "home"),
  };
  mkdirSync(place.dataDir, { recursive: true });
  mkdirSync(place.home, { recursive: true });
  return place;
}

/** The Secrets the pod's environment would come from, by name and key (bootstrap's steps create them). */
type Secrets = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The Secret `vault-awskms-credentials` (Local KMS checks no signature: any access key signs). */
const AWS_KEY: Secrets = {
  "vault-awskms-credentials": {
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLEVAULTUNSEAL",
    AWS_SECRET_ACCESS_KEY: "not-a-real-secret",
  },
};

/**
 * The vault component's rendered server configuration for `unseal`, placed at `at`, and the
 * environment the chart's rendered `extraSecretEnvironmentVars` give the pod from `secrets` — so the
 * variable names Vault reads are the rendered ones, not the test's.
 */
function rendered(
  unseal: Record<string, unknown>,
  at: VaultPlace,
  secrets: Secrets = {},
): { config: string; env: Record<string, string> } {
  const { server } = renderComponents({ vault: { unseal } }).read<{
    server: {
      ha: { raft: { config: string } };
      extraSecretEnvironmentVars?: { envName: string; secretName: string; secretKey: string }[];
    };
  }>("k8s/helm/values/vault.yaml");
  const env: Record<string, string> = {};
  for (const e of server.extraSecretEnvironmentVars ?? []) {
    const value = secrets[e.secretName]?.[e.secretKey];
    if (value === undefined) throw new Error(`the pod needs key ${e.secretKey} of Secret ${e.secretName}`);
    env[e.envName] = value;
  }
  return { config: localServerConfig(server.ha.raft.config, at), env };
}

/** Starts a Vault server from the vault component's rendered configuration for `unseal`. */
async function renderedVault(
  dir: string,
  unseal: Record<string, unknown>,
  secrets: Secrets,
): Promise<{ server: TestVaultServer; config: string }> {
  const at = await vaultPlace(dir);
  const { config, env } = rendered(unseal, at, secrets);
  const server = await startVaultServer({ ...at, config, env });
  return { server, config };
}

/** `vault operator init` with recovery keys (what bootstrap's vault-init step runs in these modes). */
async function initWithRecoveryKeys(
  addr: string,
): Promise<{ root_token: string; recovery_keys_base64: string[] }> {
  const res = await fetch(`${addr}/v1/sys/init`, {
    method: "PUT",
    body: JSON.stringify({ recovery_shares: 5, recovery_threshold: 3 }),
  });
  const body = (await res.json()) as { root_token: string; recovery_keys_base64: string[]; keys?: string[] };
  expect(res.status, JSON.stringify(body)).toBe(200);
  // Auto-unseal: no unseal keys are handed out, only recovery keys.
  expect(body.keys ?? []).toEqual([]);
  expect(body.recovery_keys_base64).toHaveLength(5);
  return body;
}

describe("Vault unseals itself through AWS KMS (awskms seal, Local KMS)", () => {
  let dir: string;
  let kms: TestKms;
  let vault: { server: TestVaultServer; config: string };
  let root: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "slipway-awskms-"));
    kms = await startKms(join(dir, "kms"));
    vault = await renderedVault(
      join(dir, "vault"),
      { mode: "awskms", kmsKeyId: kms.alias, region: kms.region, endpoint: kms.endpoint },
      AWS_KEY,
    );
  }, 60_000);
  afterAll(async () => {
    await vault?.server.stop();
    await kms?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs the rendered stanza: an awskms seal, uninitialised", async () => {
    expect(vault.config).toContain(
      `seal "awskms" {\n  region = "${kms.region}"\n  kms_key_id = "${kms.alias}"`,
    );
    const s = await sealStatus(vault.server.addr);
    expect(s).toMatchObject({ type: "awskms", initialized: false, sealed: true, recovery_seal: true });
  });

  it("init gives recovery keys and an unsealed Vault that keeps a secret", async () => {
    root = (await initWithRecoveryKeys(vault.server.addr)).root_token;
    await waitSealed(vault.server.addr, false);
    await waitActive(vault.server.addr);
    const api = vaultRequest(vault.server.addr, root);
    expect((await api("POST", "sys/mounts/kv", { type: "kv", options: { version: "2" } })).status).toBe(204);
    expect((await api("POST", "kv/data/proof", { data: { value: "kept" } })).status).toBe(200);
  });

  it("a restart comes back unsealed with nobody at the keyboard, the secret intact", async () => {
    await vault.server.restart();
    const s = await waitSealed(vault.server.addr, false);
    expect(s).toMatchObject({ type: "awskms", initialized: true });
    await waitActive(vault.server.addr);
    const read = await vaultRequest(vault.server.addr, root)("GET", "kv/data/proof");
    expect(read.body.data.data).toEqual({ value: "kept" });
  }, 60_000);

  it("without the KMS it does not start (the pod restarts until it is back), then unseals by itself", async () => {
    await kms.stop();
    // Vault reads the key's metadata when it parses the seal: unreachable, it exits, so Kubernetes
    // restarts the container (CrashLoopBackOff) and nothing in it is ever served sealed-but-up.
    const refused = await restartFailure(vault.server);
    expect(refused).toContain("error fetching AWS KMS wrapping key information");
    await kms.start();
    await vault.server.restart();
    expect(await waitSealed(vault.server.addr, false)).toMatchObject({ type: "awskms", initialized: true });
  }, 120_000);
});

describe("Vault unseals itself through another Vault's Transit engine (transit seal)", () => {
  let dir: string;
  let transit: TestVault;
  let token: string;
  let vault: { server: TestVaultServer; config: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "slipway-transit-"));
    transit = await startVault();
    // What bootstrap's vault-transit-token step tells the operator to set up on the other Vault.
    expect((await transit.request("POST", "sys/mounts/transit", { type: "transit" })).status).toBe(204);
    expect((await transit.request("POST", "transit/keys/homelab", {})).status).toBeLessThan(300);
    const policy = [
      'path "transit/encrypt/homelab" { capabilities = ["update"] }',
      'path "transit/decrypt/homelab" { capabilities = ["update"] }',
    ].join("\n");
    expect((await transit.request("PUT", "sys/policies/acl/autounseal", { policy })).status).toBe(204);
    const t = await transit.request("POST", "auth/token/create", { policies: ["autounseal"], period: "24h" });
    token = t.body.auth.client_token;
    vault = await renderedVault(
      join(dir, "vault"),
      { mode: "transit", address: transit.addr, keyName: "homelab" },
      { "vault-transit-token": { token } },
    );
  }, 60_000);
  afterAll(async () => {
    await vault?.server.stop();
    await transit?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("init unseals, and a restart comes back unsealed through the other Vault", async () => {
    expect(await sealStatus(vault.server.addr)).toMatchObject({ type: "transit", initialized: false });
    await initWithRecoveryKeys(vault.server.addr);
    await waitSealed(vault.server.addr, false);
    await vault.server.restart();
    expect(await waitSealed(vault.server.addr, false)).toMatchObject({ type: "transit", initialized: true });
  }, 60_000);

  it("with its token revoked on the other Vault, a restarted Vault does not start", async () => {
    expect((await transit.request("POST", "auth/token/revoke", { token })).status).toBe(204);
    const refused = await restartFailure(vault.server);
    // The transit seal looks its token up when it starts: revoked, Vault exits (permission denied).
    expect(refused).toMatch(/vault server exited while starting[\s\S]*permission denied/);
  }, 60_000);
});

describe("an initialised Shamir Vault migrates to awskms (what the EKS migration guide asks)", () => {
  let dir: string;
  let kms: TestKms;
  let vault: TestVaultServer | undefined;

  afterAll(async () => {
    await vault?.stop();
    await kms?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("unseal -migrate with the old keys, then it unseals itself and keeps its secrets", async () => {
    dir = mkdtempSync(join(tmpdir(), "slipway-migrate-"));
    kms = await startKms(join(dir, "kms"));
    const at = await vaultPlace(join(dir, "vault"));

    // Before: the default mode, Shamir keys (no seal stanza), as on K3s.
    vault = await startVaultServer({ ...at, ...rendered({ mode: "kubernetes-secret" }, at) });
    const init = await fetch(`${vault.addr}/v1/sys/init`, {
      method: "PUT",
      body: JSON.stringify({ secret_shares: 5, secret_threshold: 3 }),
    });
    const { keys_base64: keys, root_token: root } = (await init.json()) as {
      keys_base64: string[];
      root_token: string;
    };
    for (const key of keys.slice(0, 3))
      await fetch(`${vault.addr}/v1/sys/unseal`, { method: "PUT", body: JSON.stringify({ key }) });
    expect(await waitSealed(vault.addr, false)).toMatchObject({ type: "shamir" });
    await waitActive(vault.addr);
    const api = () => vaultRequest((vault as TestVaultServer).addr, root);
    expect((await api()("POST", "sys/mounts/kv", { type: "kv", options: { version: "2" } })).status).toBe(
      204,
    );
    expect((await api()("POST", "kv/data/proof", { data: { value: "migrated" } })).status).toBe(200);
    await vault.stop();

    // After: the same data with the awskms stanza as rendered; the pod restarts sealed.
    const awskms = { mode: "awskms", kmsKeyId: kms.keyId, region: kms.region, endpoint: kms.endpoint };
    vault = await startVaultServer({ ...at, ...rendered(awskms, at, AWS_KEY) });
    expect(await sealStatus(vault.addr)).toMatchObject({ sealed: true, migration: true });
    // An unseal without -migrate is refused while a migration is pending.
    const plain = await fetch(`${vault.addr}/v1/sys/unseal`, {
      method: "PUT",
      body: JSON.stringify({ key: keys[0] }),
    });
    expect(await plain.text()).toContain("seal migration is pending");
    for (const key of keys.slice(0, 3)) {
      const r = await fetch(`${vault.addr}/v1/sys/unseal`, {
        method: "PUT",
        body: JSON.stringify({ key, migrate: true }),
      });
      expect(r.status).toBe(200);
    }
    expect(await waitSealed(vault.addr, false)).toMatchObject({ type: "awskms", recovery_seal: true });
    // The active node finishes the migration (writes the new seal configuration) after the
    // unseal: a restart before that comes back asking for the migration again.
    await until(
      "migrated",
      async () => (await sealStatus((vault as TestVaultServer).addr)).migration === false,
    );
    await vault.restart();
    expect(await waitSealed(vault.addr, false)).toMatchObject({ type: "awskms" });
    expect((await api()("GET", "kv/data/proof")).body.data.data).toEqual({ value: "migrated" });
  }, 120_000);
});
