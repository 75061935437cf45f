import { type ChildProcess, spawn } from "node:child_process";
import { findJdk } from "../../../presets/test/helpers/maven.js";
import { freePort, sleep } from "./net.js";
import { tool } from "./tools.js";
import { type Attrs, type ResourceType, TfError } from "./vault-terraform.js";

/** A real Keycloak server (tools/keycloak: the distribution from Maven Central), in dev mode. */
export interface TestKeycloak {
  /** `http://127.0.0.1:<port>`; a realm's issuer is `<url>/realms/<realm>`. */
  readonly url: string;
  /** The admin REST API (`/admin/realms/...`) as the bootstrap admin; the body is parsed JSON when there is one. */
  admin(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any; location: string | null }>;
  stop(): Promise<void>;
}

const ADMIN = { username: "admin", password: "admin-for-tests-only" };

/**
 * Starts Keycloak in dev mode on a free port, its database in memory (nothing is left on disk
 * between runs), with a bootstrap admin in the master realm. Keycloak 26 needs Java 21 or newer:
 * the newest JDK on the machine is used (JAVA_HOME first). About 15–40 s to start.
 */
export async function startKeycloak(): Promise<TestKeycloak> {
  const jdk = findJdk(21);
  if (!jdk) throw new Error("Keycloak needs a JDK 21 or newer: set JAVA_HOME to one");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = "";
  const child: ChildProcess = spawn(
    tool("keycloak"),
    ["start-dev", "--db=dev-mem", "--http-host=127.0.0.1", `--http-port=${port}`, "--cache=local"],
    {
      env: {
        ...process.env,
        JAVA_HOME: jdk.home,
        KC_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
        KC_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(15_000).then(() => child.kill("SIGKILL"))]);
    }
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Keycloak exited (${child.exitCode}):\n${log}`);
    const ok = await fetch(`${url}/realms/master/.well-known/openid-configuration`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Keycloak did not answer within 120 s:\n${log}`);
    }
    await sleep(500);
  }

  let token = "";
  let expires = 0;
  const adminToken = async () => {
    if (Date.now() < expires) return token;
    const res = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "password", client_id: "admin-cli", ...ADMIN }),
    });
    const body = (await res.json()) as { access_token: string; expires_in: number };
    if (!res.ok) throw new Error(`Keycloak admin login: ${res.status} ${JSON.stringify(body)}`);
    token = body.access_token;
    expires = Date.now() + (body.expires_in - 10) * 1000;
    return token;
  };
  return {
    url,
    async admin(method, path, body) {
      const res = await fetch(`${url}/admin/realms${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await adminToken()}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text === "" ? undefined : JSON.parse(text),
        location: res.headers.get("location"),
      };
    },
    stop,
  };
}

/**
 * The keycloak/keycloak Terraform provider's create calls for the resource types Slipway renders
 * (identity/terraform with `provider: keycloak`), for {@link TerraformStandIn}'s `resources`: the
 * provider cannot be built here (tools/README.md), so this sends what it sends — the same admin
 * REST endpoints and representation fields (provider v5: keycloak/openid_client.go,
 * keycloak/group.go, keycloak/openid_group_membership_protocol_mapper.go) — and Keycloak judges
 * every value. Ids are read back from the `Location` of each create, as the provider does.
 */
export function keycloakResources(kc: TestKeycloak): Record<string, ResourceType> {
  const create = async (address: string, path: string, body: unknown): Promise<string> => {
    const res = await kc.admin("POST", path, body);
    if (res.status !== 201) {
      throw new TfError(address, `Keycloak ${res.status} on POST ${path}: ${JSON.stringify(res.body)}`);
    }
    return res.location?.split("/").pop() ?? "";
  };
  const accessTypes = ["CONFIDENTIAL", "PUBLIC", "BEARER-ONLY"];
  return {
    keycloak_realm: {
      attrs: ["realm", "enabled"],
      async apply(_vault, a, address) {
        await create(address, "", { realm: a.realm, enabled: a.enabled ?? true });
        return { id: a.realm };
      },
    },
    keycloak_openid_client: {
      attrs: [
        "realm_id",
        "client_id",
        "name",
        "enabled",
        "access_type",
        "standard_flow_enabled",
        "implicit_flow_enabled",
        "direct_access_grants_enabled",
        "service_accounts_enabled",
        "valid_redirect_uris",
        "valid_post_logout_redirect_uris",
        "web_origins",
      ],
      async apply(_vault, a, address) {
        if (!accessTypes.includes(a.access_type)) {
          throw new TfError(address, `access_type must be one of ${accessTypes.join(", ")}`);
        }
        const id = await create(address, `/${a.realm_id}/clients`, {
          clientId: a.client_id,
          name: a.name,
          enabled: a.enabled,
          protocol: "openid-connect",
          publicClient: a.access_type === "PUBLIC",
          bearerOnly: a.access_type === "BEARER-ONLY",
          standardFlowEnabled: a.standard_flow_enabled,
          implicitFlowEnabled: a.implicit_flow_enabled,
          directAccessGrantsEnabled: a.direct_access_grants_enabled,
          serviceAccountsEnabled: a.service_accounts_enabled,
          redirectUris: a.valid_redirect_uris,
          webOrigins: a.web_origins,
          attributes: { "post.logout.redirect.uris": (a.valid_post_logout_redirect_uris ?? []).join("##") },
        });
        const secret = await kc.admin("GET", `/${a.realm_id}/clients/${id}/client-secret`);
        return { id, client_secret: secret.body?.value };
      },
    },
    keycloak_group: {
      attrs: ["realm_id", "name"],
      async apply(_vault, a, address) {
        return { id: await create(address, `/${a.realm_id}/groups`, { name: a.name }), path: `/${a.name}` };
      },
    },
    keycloak_openid_group_membership_protocol_mapper: {
      attrs: [
        "realm_id",
        "client_id",
        "name",
        "claim_name",
        "full_path",
        "add_to_id_token",
        "add_to_access_token",
        "add_to_userinfo",
      ],
      async apply(_vault, a: Attrs, address) {
        const id = await create(address, `/${a.realm_id}/clients/${a.client_id}/protocol-mappers/models`, {
          name: a.name,
          protocol: "openid-connect",
          protocolMapper: "oidc-group-membership-mapper",
          config: {
            "claim.name": a.claim_name,
            "full.path": String(a.full_path ?? true),
            "id.token.claim": String(a.add_to_id_token ?? true),
            "access.token.claim": String(a.add_to_access_token ?? true),
            "userinfo.token.claim": String(a.add_to_userinfo ?? true),
          },
        });
        return { id };
      },
    },
  };
}

/**
 * A person signing in at Keycloak's own login page, as a browser would: open the authorization
 * URL, post the login form (with the session cookies Keycloak set), and return where Keycloak
 * redirects back to — the client's callback with `code` and `state`. Fails when Keycloak answers
 * with anything but that redirect (a wrong password, a required action such as a profile update).
 */
export async function keycloakSignIn(authUrl: string, username: string, password: string): Promise<URL> {
  const cookies = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair = ""] = c.split(";");
      const eq = pair.indexOf("=");
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const page = await fetch(authUrl, { redirect: "manual" });
  keep(page);
  const html = await page.text();
  const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !action) throw new Error(`no login form at ${authUrl} (${page.status})`);
  const res = await fetch(action.replaceAll("&amp;", "&"), {
    method: "POST",
    redirect: "manual",
    headers: { cookie: cookie() },
    body: new URLSearchParams({ username, password, credentialId: "" }),
  });
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) {
    const text = await res.text();
    const error = /<span[^>]*id="input-error"[^>]*>([^<]*)/.exec(text)?.[1]?.trim();
    throw new Error(`Keycloak did not sign ${username} in (${res.status}): ${error ?? "no redirect"}`);
  }
  return new URL(location);
}
