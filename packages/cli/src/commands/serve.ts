import { defineCommand } from "citty";
import { EXIT, out, reportUsageError } from "../format.js";

export const serveCommand = defineCommand({
  meta: {
    name: "serve",
    description: "Run the scaffold web service: the UI and an Initializr-compatible API over the presets",
  },
  args: {
    port: { type: "string", description: "Port to listen on", default: "8080", valueHint: "port" },
    host: { type: "string", description: "Address to bind", default: "127.0.0.1", valueHint: "host" },
    dev: {
      type: "boolean",
      description:
        "Built-in development OIDC provider, anonymous API access from loopback only; refuses a non-loopback --host",
    },
    config: {
      type: "string",
      description:
        "platform.yaml that 'Create repository' registers services on (with --dev: ./platform.yaml when there is one)",
      valueHint: "file",
    },
    push: {
      type: "string",
      description:
        "Where 'Create repository' pushes; {name} is the service name (env SCAFFOLD_PUSH_TARGET; with --dev: bare repositories under ~/.slipway/dev-git)",
      valueHint: "url",
    },
    "platform-repo": {
      type: "string",
      description:
        "Platform Git remote: 'Create repository' pushes a branch slipway/new-<name> there for review (env SCAFFOLD_PLATFORM_REPO; HTTPS token in SCAFFOLD_GIT_TOKEN)",
      valueHint: "url",
    },
    "base-url": {
      type: "string",
      description: "Public URL of the service (env SCAFFOLD_BASE_URL; default: http://<host>:<port>)",
      valueHint: "url",
    },
  },
  async run({ args }) {
    const port = Number(args.port);
    if (!/^\d{1,5}$/.test(args.port) || port < 1 || port > 65535) {
      return reportUsageError("slipway serve", `invalid port '${args.port}'`);
    }
    // Loaded here, not at the top: the other commands never pay for the web stack.
    const { startServer } = await import("@slipway/scaffold");
    // A start that fails through its configuration or environment (--dev off loopback, OIDC not
    // configured, port in use or denied) throws a coded InputError: reported, exit 2, and nothing
    // is left running to keep the process alive.
    const started = await startServer({
      port,
      host: args.host,
      dev: args.dev === true,
      ...(args.config !== undefined ? { platformConfig: args.config } : {}),
      ...(args.push !== undefined ? { pushTarget: args.push } : {}),
      ...(args["platform-repo"] !== undefined ? { platformRepo: args["platform-repo"] } : {}),
      ...(args["base-url"] !== undefined ? { baseUrl: args["base-url"] } : {}),
    });
    out(`scaffold listening on ${started.url} (ready in ${Math.round(started.startupMs)} ms)\n`);
    if (started.issuer !== undefined)
      out(`sign in at ${started.issuer}${args.dev ? " (user: dev, any password)" : ""}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void started.app.close().then(() => resolve());
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return EXIT.ok;
  },
});
