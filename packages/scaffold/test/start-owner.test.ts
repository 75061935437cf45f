import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Started, startServer } from "../src/start.js";
import { unzipWithModes } from "./helpers.js";

// Issue 14: the form's Owner started as the platform's GitHub owner, but an API request without an
// owner still got "slipway". Both now start from the platform (here `--dev`'s local one, owner `dev`).
const home = mkdtempSync(join(tmpdir(), "slipway-owner-"));
let started: Started | undefined;
afterAll(async () => {
  await started?.app.close();
  rmSync(home, { recursive: true, force: true });
});

describe("the API's default owner", () => {
  it("is the platform's GitHub owner, unless SCAFFOLD_DEFAULT_OWNER says otherwise", async () => {
    started = await startServer({
      dev: true,
      host: "127.0.0.1",
      port: 0,
      env: { SLIPWAY_DEV_GIT_DIR: join(home, "dev-git") },
    });
    const res = await started.app.inject({ url: "/starter.zip?preset=node-service&name=owned" });
    expect(res.statusCode).toBe(200);
    const record = JSON.parse(unzipWithModes(res.rawPayload).get(".slipway.json")?.text ?? "{}");
    expect(record.parameters.owner).toBe("dev");
  });
});
