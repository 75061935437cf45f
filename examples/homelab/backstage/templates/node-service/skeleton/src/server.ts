import { createServer } from "node:http";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { OidcLogin } from "./oidc.ts";
import { startTelemetry } from "./telemetry.ts";

const config = loadConfig();
const stopTelemetry = startTelemetry(config.serviceName);

let login: OidcLogin | undefined;
let ready = !config.oidc;
const server = createServer(
  createApp({
    serviceName: config.serviceName,
    isReady: () => ready,
    get login() {
      return login;
    },
  }),
);

server.listen(config.port, () => {
  console.log(JSON.stringify({ msg: "listening", port: config.port, service: config.serviceName }));
});

// Liveness never waits for the issuer; readiness does, retrying until discovery succeeds.
if (config.oidc) {
  const oidc = config.oidc;
  const discover = async (): Promise<void> => {
    try {
      login = await OidcLogin.discover(oidc, config.publicUrl);
      ready = true;
    } catch (error) {
      console.error(JSON.stringify({ msg: "OIDC discovery failed, retrying", error: String(error) }));
      setTimeout(discover, 5000).unref();
    }
  };
  void discover();
}

const shutdown = (): void => {
  server.close(() => {
    void stopTelemetry().finally(() => process.exit(0));
  });
  server.closeIdleConnections();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
