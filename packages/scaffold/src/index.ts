export type { AuthPlugin, Principal } from "./auth/contract.js";
export { noAuth } from "./auth/contract.js";
export { type AuthFactoryInput, AuthUnavailableError, type LoadedAuth, loadAuth } from "./auth-loader.js";
export type { ServerLimits, ServerOptions } from "./options.js";
export { buildServer } from "./server.js";
export { type Started, type StartOptions, startServer } from "./start.js";
