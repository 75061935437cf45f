import type { ServiceSpec } from "../../config/schema.js";
import { diag, InputError } from "../../diagnostics.js";
import type { OidcClientDecl } from "../../render/plan.js";
import {
  CALLBACK_PATHS,
  IDENTITY_NAMESPACE,
  type IdentityConfig,
  oidcClientSecretPath,
  TEST_CLIENT,
} from "./contract.js";

/** Redirect URIs of a service's client: its host plus the callback path(s) of its runtime. */
function serviceRedirectUris(service: Pick<ServiceSpec, "runtime">, host: string): string[] {
  const base = `https://${host}`;
  if (service.runtime === "java") return [`${base}${CALLBACK_PATHS.spring}`];
  if (service.runtime === "node") return [`${base}${CALLBACK_PATHS.node}`];
  return [`${base}${CALLBACK_PATHS.spring}`, `${base}${CALLBACK_PATHS.node}`];
}

/**
 * One OIDC client per service with `auth: oidc`, redirect URIs derived from its host (a login
 * client needs a public URL to come back to: a service without a subdomain is an error).
 */
export function serviceOidcClients(services: readonly ServiceSpec[], owner: string): OidcClientDecl[] {
  const out: OidcClientDecl[] = [];
  const problems = [];
  for (const s of services) {
    if (s.auth !== "oidc") continue;
    if (!s.host) {
      problems.push(
        diag("SW_IDENTITY_OIDC_NEEDS_HOST", `service '${s.name}' uses auth: oidc but has no subdomain`, {
          path: ["spec", "auth"],
          hint: "Give the service a subdomain (its login callback is https://<subdomain>.<domain>/…), or set auth: none.",
        }),
      );
      continue;
    }
    out.push({
      name: s.name,
      namespace: s.namespace,
      redirectUris: serviceRedirectUris(s, s.host),
      postLogoutRedirectUris: [`https://${s.host}/`],
      vaultPath: oidcClientSecretPath(s.name),
      owner,
    });
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

/**
 * The seed's "one test OIDC client": tied to no service, redirecting to a loopback listener on the
 * operator's machine (`http://localhost:8400/callback`), so a login can be verified by hand with
 * curl without handing an authorization code to any third-party site.
 */
export function testOidcClient(c: IdentityConfig, owner: string): OidcClientDecl {
  return {
    name: TEST_CLIENT,
    namespace: IDENTITY_NAMESPACE[c.provider],
    redirectUris: ["http://localhost:8400/callback"],
    postLogoutRedirectUris: ["http://localhost:8400/"],
    vaultPath: oidcClientSecretPath(TEST_CLIENT),
    owner,
  };
}
