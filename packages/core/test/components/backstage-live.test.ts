import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import Provider from "oidc-provider";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { passwordEnv, provisioningSql } from "../../src/components/postgres/sql.js";
import { toYaml } from "../../src/render/yaml.js";
import { freePort, sleep } from "../helpers/net.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";

/**
 * The platform's Backstage backend (images/backstage, ADR 0019) started for real: Node 24 running
 * the image's entry point, with the example's rendered app-config (examples/homelab, as the chart
 * mounts it) and an overlay for what differs here (addresses, ports, the issuer), on a real
 * PostgreSQL provisioned as the postgres component provisions Backstage's database, and a real
 * OpenID provider (oidc-provider) standing in for ZITADEL: people sign in through Backstage's
 * auth backend exactly as a browser does (`/api/auth/oidc/start` → the provider's login →
 * `/api/auth/oidc/handler/frame`), and the Backstage token they get is what the catalog and
 * scaffolder then authorize. Needs `npm ci` in images/backstage (.ci/run does it).
 */

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const APP = join(ROOT, "images/backstage");
const EXAMPLE = join(ROOT, "examples/homelab");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CLIENT = { id: "301234567890@platform", secret: randomBytes(24).toString("base64url") };

/** People at the provider: their login and the `groups` claim it puts in their ID token. */
const PEOPLE: Record<string, { email: string; groups: string[] }> = {
  jane: { email: "jane@example.dev", groups: ["developers", "beta-testers"] },
  alice: { email: "alice@example.dev", groups: ["platform-admins"] },
  bob: { email: "bob@example.dev", groups: ["auditors"] },
  carol: { email: "carol@example.dev", groups: [] },
};

/** The example's app-config, as the chart's ConfigMap carries it. */
const renderedAppConfig = () =>
  parse(readFileSync(join(EXAMPLE, "k8s/helm/values/backstage.yaml"), "utf8")).backstage.appConfig;

/** What `loadExistingGrant` reads of oidc-provider's request context (the package ships no types). */
interface GrantContext {
  oidc: {
    provider: {
      Grant: new (init: {
        clientId: string;
        accountId: string;
      }) => {
        addOIDCScope(scope: string): void;
        save(): Promise<string>;
      };
    };
    client: { clientId: string };
    session: { accountId: string };
    params: { scope: string };
  };
}

/**
 * An OpenID provider for the authorization code flow with a login step the test drives: the
 * browser lands on `/interaction/<uid>`, and `?login=<person>` signs that person in (consent is
 * implied: the platform's own client). ID tokens carry the profile claims and `groups`, as ZITADEL's
 * Action and Keycloak's mapper put them there (ADR 0012).
 */
async function startProvider(redirectUri: string): Promise<{ issuer: string; close(): Promise<void> }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "k1", use: "sig" }] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    claims: {
      openid: ["sub"],
      profile: ["name", "preferred_username", "groups"],
      email: ["email", "email_verified"],
    },
    conformIdTokenClaims: false,
    pkce: { required: () => false },
    features: { devInteractions: { enabled: false } },
    async findAccount(_ctx: unknown, id: string) {
      const person = PEOPLE[id];
      if (!person) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: `${id}-sub`,
          name: id,
          preferred_username: person.email,
          email: person.email,
          email_verified: true,
          groups: person.groups,
        }),
      };
    },
    // The platform's own client: every scope and claim it asks for is granted.
    async loadExistingGrant(ctx: GrantContext) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.params.scope);
      await grant.save();
      return grant;
    },
  });
  // The interaction API (scaffold's declaration of the untyped package covers only what it uses).
  const interactions = provider as unknown as {
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<unknown>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      opts: { mergeWithLastSubmission: boolean },
    ): Promise<void>;
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const m = /^\/interaction\/([^/]+)$/.exec(url.pathname);
    if (!m) return provider.callback()(req, res);
    try {
      const login = url.searchParams.get("login");
      await interactions.interactionDetails(req, res);
      if (login === null) {
        // A person's browser: the login form (the tests' requests name the person directly).
        res.setHeader("content-type", "text/html");
        res.end('<form method="get"><input name="login" /><button type="submit">Sign in</button></form>');
        return;
      }
      await interactions.interactionFinished(
        req,
        res,
        { login: { accountId: login } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The browser's cookies, per origin (enough here: every cookie is set on `/` or the callback path). */
class Browser {
  readonly #jar = new Map<string, Map<string, string>>();

  async get(url: string): Promise<Response> {
    const origin = new URL(url).origin;
    const cookies = this.#jar.get(origin) ?? new Map<string, string>();
    const res = await fetch(url, {
      redirect: "manual",
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ""] = c.split(";");
      const i = pair.indexOf("=");
      cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    this.#jar.set(origin, cookies);
    return res;
  }
}

interface AuthResponse {
  type: string;
  response?: {
    profile: { email?: string; displayName?: string };
    backstageIdentity: { token: string; identity: { userEntityRef: string; ownershipEntityRefs: string[] } };
  };
  error?: { name: string; message: string };
}

const jwtPayload = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;

describe("the platform's Backstage backend (images/backstage), signing people in through OIDC", () => {
  let pg: TestPostgres | undefined;
  let oidc: { issuer: string; close(): Promise<void> } | undefined;
  let backend: ChildProcess | undefined;
  let dir: string;
  let base: string;
  const log: string[] = [];

  beforeAll(async () => {
    expect(
      existsSync(join(APP, "node_modules/@backstage/backend-defaults")),
      "images/backstage is not installed: run `npm ci` there (.ci/run does)",
    ).toBe(true);
    dir = mkdtempSync(join(tmpdir(), "slipway-backstage-live-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    oidc = await startProvider(`${base}/api/auth/oidc/handler/frame`);

    // Backstage's database as the postgres component provisions it: owner `backstage`, no CREATEDB.
    pg = await startPostgres();
    const db = { name: "backstage", owner: "backstage", consumer: "backstage", dynamic: false };
    const dbPassword = randomBytes(12).toString("hex");
    const provisioned = pg.psql([], { input: provisioningSql([db]), env: { [passwordEnv(db)]: dbPassword } });
    expect(provisioned.status, provisioned.stderr).toBe(0);

    // The rendered app-config, then what differs from the cluster (later --config files win).
    writeFileSync(join(dir, "app-config.yaml"), toYaml(renderedAppConfig()));
    const overlay = {
      // The web app, when built here (the image links it as package `app`; not built in CI).
      app: { baseUrl: base, packageName: pathToFileURL(join(APP, "packages/app/package.json")).toString() },
      backend: {
        baseUrl: base,
        listen: { port, host: "127.0.0.1" },
        cors: { origin: base },
        database: { connection: { host: pg.host, port: pg.port } },
      },
      auth: {
        providers: {
          oidc: { production: { metadataUrl: `${oidc.issuer}/.well-known/openid-configuration` } },
        },
      },
      // The example's catalog from the checkout instead of GitHub (a `url` location there).
      catalog: { locations: [{ type: "file", target: join(EXAMPLE, "backstage/catalog/all.yaml") }] },
    };
    writeFileSync(join(dir, "app-config.local.yaml"), toYaml(overlay));

    backend = spawn(
      process.execPath,
      [
        "packages/backend",
        "--config",
        join(dir, "app-config.yaml"),
        "--config",
        join(dir, "app-config.local.yaml"),
      ],
      {
        cwd: APP,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          NODE_ENV: "production",
          AUTH_OIDC_CLIENT_ID: CLIENT.id,
          AUTH_OIDC_CLIENT_SECRET: CLIENT.secret,
          AUTH_SESSION_SECRET: randomBytes(32).toString("hex"),
          POSTGRES_USER: "backstage",
          POSTGRES_PASSWORD: dbPassword,
          GITHUB_TOKEN: "not-used-in-dry-runs",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    for (const s of [backend.stdout, backend.stderr]) s?.on("data", (d: Buffer) => log.push(d.toString()));
    // The backend's own lines, without the request log of the readiness polls.
    const tail = () =>
      log
        .join("")
        .split("\n")
        .filter((l) => !l.includes('"type":"incomingRequest"'))
        .join("\n")
        .slice(-6000);
    const started = Date.now();
    for (;;) {
      if (backend.exitCode !== null) throw new Error(`backend exited ${backend.exitCode}:\n${tail()}`);
      const ready = await fetch(`${base}/.backstage/health/v1/readiness`).catch(() => undefined);
      if (ready?.ok) break;
      if (Date.now() - started > 90_000) throw new Error(`backend not ready in 90 s:\n${tail()}`);
      await sleep(250);
    }
  }, 180_000);

  afterAll(async () => {
    if (backend && backend.exitCode === null) {
      const exited = new Promise((r) => backend?.once("exit", r));
      backend.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (backend.exitCode === null) backend.kill("SIGKILL");
    }
    await oidc?.close();
    pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A browser signing `login` in: start, the provider's login, back to the frame handler. */
  async function signIn(login: string): Promise<AuthResponse> {
    const browser = new Browser();
    let url = `${base}/api/auth/oidc/start?env=production&origin=${encodeURIComponent(base)}`;
    for (let hop = 0; hop < 10; hop++) {
      const res = await browser.get(url);
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url).toString();
        if (/\/interaction\/[^/?]+$/.test(url)) url += `?login=${login}`;
        continue;
      }
      const html = await res.text();
      expect(url.startsWith(`${base}/api/auth/oidc/handler/frame`), `${res.status} at ${url}: ${html}`).toBe(
        true,
      );
      const m = /var authResponse = decodeURIComponent\('([^']*)'\)/.exec(html);
      expect(m, html).not.toBeNull();
      return JSON.parse(decodeURIComponent(m?.[1] ?? "")) as AuthResponse;
    }
    throw new Error(`too many redirects signing ${login} in`);
  }

  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
    });

  /**
   * The `ent` claim the resolver issued. Backstage (auth-backend 0.31) keeps it out of the token it
   * hands the browser (`auth.omitIdentityTokenOwnershipClaim` defaults to true) and stores it with
   * the user info, which every plugin's permission checks read and `/v1/userinfo` serves.
   */
  async function ownership(token: string): Promise<unknown> {
    expect(jwtPayload(token)).not.toHaveProperty("ent");
    const res = await api("/api/auth/v1/userinfo", token);
    const body = (await res.json()) as { claims?: { sub?: string; ent?: string[] } };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.claims?.ent;
  }

  // The image builds packages/app (Dockerfile stage `app`); CI does not (about 950 MB and 3 min more):
  // after `npm ci && npx backstage-cli package build` in packages/app, this runs too.
  it.skipIf(!existsSync(join(APP, "packages/app/dist/index.html")))(
    "serves the web app with the rendered app-config injected",
    async () => {
      const res = await fetch(`${base}/catalog`);
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(html).toContain('<div id="root">');
      expect(html).toContain("homelab developer portal");
    },
  );

  // The web app in a real browser (Debian's Chromium): its sign-in page, the provider's login in
  // the popup, back to the app, the catalog. Only where the app is built (not in CI, see above).
  it.skipIf(!existsSync(join(APP, "packages/app/dist/index.html")) || !existsSync(CHROMIUM))(
    "signs a developer in through the web app's sign-in page in Chromium, and shows a refusal",
    async () => {
      // One browser per person: the provider's session cookie would sign the next one in as the first.
      const signIn = async (login: string) => {
        const profile = mkdtempSync(join(tmpdir(), "slipway-chromium-"));
        const context = await chromium.launchPersistentContext(profile, {
          executablePath: CHROMIUM,
          headless: true,
          args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        });
        const page = await context.newPage();
        await page.goto(`${base}/catalog`);
        const popup = page.waitForEvent("popup");
        await page.getByRole("button", { name: /sign in/i }).click();
        const login_ = await popup;
        await login_.locator('input[name="login"]').fill(login);
        await login_.locator('button[type="submit"]').click();
        const close = async () => {
          await context.close();
          rmSync(profile, { recursive: true, force: true });
        };
        return { page, close };
      };
      const jane = await signIn("jane");
      try {
        // Signed in, the app lists the example's services from the catalog.
        await jane.page.getByText("status-api").first().waitFor({ timeout: 30_000 });
      } finally {
        await jane.close();
      }
      const bob = await signIn("bob");
      try {
        await bob.page
          .getByText(/is in no group with Backstage access/)
          .first()
          .waitFor({ timeout: 30_000 });
        expect(await bob.page.getByText("status-api").count()).toBe(0);
      } finally {
        await bob.close();
      }
    },
    90_000,
  );

  it("signs a developer in with a token owning their user and their Backstage groups only", async () => {
    const r = await signIn("jane");
    expect(r.error, JSON.stringify(r.error)).toBeUndefined();
    const identity = r.response?.backstageIdentity;
    expect(identity?.identity).toMatchObject({
      userEntityRef: "user:default/jane",
      ownershipEntityRefs: ["user:default/jane", "group:default/developers"],
    });
    const token = identity?.token ?? "";
    expect(jwtPayload(token).sub).toBe("user:default/jane");
    // `beta-testers` is in the ID token but holds no Backstage role: it is in no ownership ref.
    expect(await ownership(token)).toEqual(["user:default/jane", "group:default/developers"]);
    expect(r.response?.profile.email).toBe("jane@example.dev");
  });

  it("refuses a person in none of the groups platform.yaml grants Backstage to", async () => {
    for (const login of ["bob", "carol"]) {
      const r = await signIn(login);
      expect(r.response).toBeUndefined();
      expect(r.error?.message).toContain(`Sign-in refused: '${login}' is in no group with Backstage access`);
      expect(r.error?.message).toContain("allowed: platform-admins, developers");
    }
  });

  it("loads the rendered catalog, the declared groups included, and lets a developer read it but not change it", async () => {
    const jane = (await signIn("jane")).response?.backstageIdentity.token ?? "";
    const alice = (await signIn("alice")).response?.backstageIdentity.token ?? "";
    expect(await ownership(alice)).toEqual(["user:default/alice", "group:default/platform-admins"]);
    // The catalog processes the example's files in the background: wait for the services and templates.
    let refs: string[] = [];
    for (let i = 0; i < 240; i++) {
      const res = await api("/api/catalog/entities?fields=kind,metadata.name", jane);
      expect(res.status).toBe(200);
      const entities = (await res.json()) as { kind: string; metadata: { name: string } }[];
      refs = entities.map((e) => `${e.kind.toLowerCase()}:${e.metadata.name}`).sort();
      if (refs.filter((r) => r.startsWith("template:")).length === 4 && refs.includes("component:blog"))
        break;
      await sleep(250);
    }
    expect(refs).toEqual(
      expect.arrayContaining([
        "component:blog",
        "component:notes",
        "component:status-api",
        "group:developers",
        "group:platform-admins",
        "system:homelab",
        "template:static-frontend",
      ]),
    );
    // Registering entities is the platform repository's business, and refreshing one an admin's.
    const location = {
      type: "url",
      target: "https://github.com/example/platform/blob/main/catalog-info.yaml",
    };
    const post = (path: string, token: string, body: unknown) =>
      api(path, token, { method: "POST", body: JSON.stringify(body) });
    expect((await post("/api/catalog/locations?dryRun=true", jane, location)).status).toBe(403);
    expect((await post("/api/catalog/refresh", jane, { entityRef: "component:default/blog" })).status).toBe(
      403,
    );
    const refreshed = await post("/api/catalog/refresh", alice, { entityRef: "component:default/blog" });
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);
  }, 90_000);

  it("runs an exported Software Template through the scaffolder's dry-run as a developer", async () => {
    const jane = (await signIn("jane")).response?.backstageIdentity.token ?? "";
    const root = join(EXAMPLE, "backstage/templates/static-frontend");
    const template = parse(readFileSync(join(root, "template.yaml"), "utf8"));
    const directoryContents: { path: string; base64Content: string; executable: boolean }[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d).sort()) {
        const p = join(d, e);
        const st = statSync(p);
        if (st.isDirectory()) walk(p);
        else if (e !== "template.yaml" || d !== root)
          directoryContents.push({
            path: relative(root, p),
            base64Content: readFileSync(p).toString("base64"),
            executable: (st.mode & 0o111) !== 0,
          });
      }
    };
    walk(root);
    const values = { name: "hello-web", owner: "example", description: "A small site" };
    const res = await api("/api/scaffolder/v2/dry-run", jane, {
      method: "POST",
      body: JSON.stringify({ template, values, secrets: {}, directoryContents }),
    });
    const body = (await res.json()) as { directoryContents?: { path: string; base64Content: string }[] };
    expect(res.status, JSON.stringify(body).slice(0, 2000)).toBe(200);
    const files = new Map(
      (body.directoryContents ?? []).map((f) => [f.path, Buffer.from(f.base64Content, "base64").toString()]),
    );
    expect([...files.keys()]).toEqual(
      expect.arrayContaining(["catalog-info.yaml", "Dockerfile", "src/index.html"]),
    );
    expect(parse(files.get("catalog-info.yaml") ?? "").metadata.name).toBe("hello-web");
    // Someone the policy knows nothing about (no token) is not let in.
    const anonymous = await fetch(`${base}/api/scaffolder/v2/dry-run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ template, values, secrets: {}, directoryContents: [] }),
    });
    expect(anonymous.status).toBe(401);
  });
});

describe("the platformGroups decision (images/backstage sign-in.ts), on its own", () => {
  // Imported by path: the root's type check does not follow into the app (its own tsconfig and lock).
  type Decide = (
    claims: Record<string, unknown>,
    options: { claim: string; groups: string[] },
  ) => { ok: true; userRef: string; ownershipRefs: string[] } | { ok: false; message: string };
  const load = async () =>
    (await import(join(APP, "packages/backend/src/sign-in.ts"))) as {
      decideSignIn: Decide;
      platformGroupsOptions: { parse(v: unknown): { claim: string; groups: string[] } };
    };
  const options = { claim: "groups", groups: ["platform-admins", "developers"] };

  it("names the user after the login's local part and keeps only the groups with a Backstage role", async () => {
    const { decideSignIn } = await load();
    expect(
      decideSignIn({ preferred_username: "jane@acme.zitadel.cloud", groups: ["developers", "x"] }, options),
    ).toEqual({
      ok: true,
      userRef: "user:default/jane",
      ownershipRefs: ["user:default/jane", "group:default/developers"],
    });
    // Falls back to the email; every held group with a role, in platform.yaml's order.
    expect(
      decideSignIn({ email: "a.b@example.dev", groups: ["developers", "platform-admins"] }, options),
    ).toMatchObject({
      ownershipRefs: ["user:default/a.b", "group:default/platform-admins", "group:default/developers"],
    });
  });

  it("refuses a missing or non-list claim, a name Backstage cannot hold, and a platform with no Backstage group", async () => {
    const { decideSignIn, platformGroupsOptions } = await load();
    // ZITADEL's own roles claim is a map, not the `groups` list ADR 0012 renders.
    expect(decideSignIn({ preferred_username: "jane", groups: { developers: {} } }, options)).toMatchObject({
      ok: false,
    });
    expect(decideSignIn({ preferred_username: "jane" }, options)).toMatchObject({ ok: false });
    expect(decideSignIn({ preferred_username: "-jane-", groups: ["developers"] }, options)).toMatchObject({
      ok: false,
      message: expect.stringContaining("no usable user name"),
    });
    expect(
      decideSignIn({ preferred_username: "jane", groups: ["developers"] }, { claim: "groups", groups: [] }),
    ).toMatchObject({
      ok: false,
      message: expect.stringContaining("allowed: none (spec.access.backstage is empty)"),
    });
    // The options the app-config carries are checked when the provider starts.
    expect(() =>
      platformGroupsOptions.parse({
        groups: ["developers"],
        dangerouslyAllowSignInWithoutUserInCatalog: true,
      }),
    ).toThrow();
    expect(platformGroupsOptions.parse({ groups: ["developers"] })).toEqual({
      claim: "groups",
      groups: ["developers"],
    });
  });
});
