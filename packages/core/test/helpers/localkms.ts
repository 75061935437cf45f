import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, until } from "./net.js";
import { tool } from "./tools.js";

/** A running Local KMS (tools/localkms): the AWS KMS API on loopback, one AES key seeded. */
export interface TestKms {
  /** `http://127.0.0.1:<port>`: what the `endpoint` of an awskms seal names. */
  readonly endpoint: string;
  readonly region: string;
  /** The seeded symmetric key's ID (a UUID, as AWS gives them). */
  readonly keyId: string;
  /** The key's alias, `alias/vault-unseal`. */
  readonly alias: string;
  /** Stops the server; its database in `home` stays, so `start()` brings the same key back. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * Starts Local KMS with its database under `home` and one AES-256 key (random key material) with
 * an alias, and resolves once it answers. It checks no signature: any access key signs in.
 */
export async function startKms(home: string): Promise<TestKms> {
  const port = await freePort();
  const region = "eu-west-1";
  const keyId = randomUUID();
  const alias = "alias/vault-unseal";
  const seed = join(home, "seed.yaml");
  mkdirSync(join(home, "data"), { recursive: true });
  writeFileSync(
    seed,
    [
      "Keys:",
      "  Symmetric:",
      "    Aes:",
      "      - Metadata:",
      `          KeyId: ${keyId}`,
      "        BackingKeys:",
      `          - ${randomBytes(32).toString("hex")}`,
      "Aliases:",
      `  - AliasName: ${alias}`,
      `    TargetKeyId: ${keyId}`,
      "",
    ].join("\n"),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  let output = "";
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  const start = async () => {
    const c = spawn(tool("local-kms"), [], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        PORT: String(port),
        KMS_REGION: region,
        KMS_ACCOUNT_ID: "111122223333",
        KMS_SEED_PATH: seed,
        KMS_DATA_PATH: join(home, "data"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = c;
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-32768);
    };
    c.stdout?.on("data", keep);
    c.stderr?.on("data", keep);
    exited = new Promise((resolve) => c.on("exit", resolve));
    const listKeys = () =>
      fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "TrentService.ListKeys" },
        body: "{}",
      });
    // A local-kms that exited never answers: the timeout's error carries its output.
    await until("answering", async () => (await listKeys()).ok, 20_000).catch((e: Error) => {
      throw new Error(`local-kms: ${e.message}\n${output}`);
    });
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    child.kill("SIGTERM");
    await exited;
  };
  await start();
  return { endpoint, region, keyId, alias, stop, start };
}
