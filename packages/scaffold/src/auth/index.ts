export type { AuthPlugin, Principal } from "./contract.js";
export { noAuth } from "./contract.js";
export type { DevAuth, DevAuthOptions, DevProvider, DevProviderOptions } from "./dev.js";
export { DEV_CLIENT_ID, DEV_USER, devAuth, startDevProvider } from "./dev.js";
export { LOOPBACK_NETWORKS } from "./networks.js";
export type { OidcAuthOptions } from "./oidc.js";
export { OIDC_ENV, oidcAuth, oidcAuthFromEnv } from "./oidc.js";
