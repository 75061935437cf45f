import type { IncomingMessage, ServerResponse } from "node:http";
import { type Html, html, raw } from "../ui/html.js";
import { STYLESHEET } from "../ui/style.js";

/**
 * The development provider's own pages (sign-in, consent, sign-out, errors) in the scaffold's look,
 * instead of oidc-provider's `devInteractions` and default sources, which load a web font from the
 * internet. Everything is served by the provider itself: nothing outside 127.0.0.1 is requested.
 */

/** The parts of oidc-provider's `Provider` the interaction routes use (it ships no types). */
interface InteractionProvider {
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => Grant;
}

interface InteractionDetails {
  readonly uid: string;
  readonly prompt: { readonly name: string; readonly details: ConsentDetails };
  readonly params: { readonly client_id: string; readonly scope?: string };
  readonly session?: { readonly accountId: string };
  readonly grantId?: string;
}

interface ConsentDetails {
  readonly missingOIDCScope?: readonly string[];
  readonly missingOIDCClaims?: readonly string[];
  readonly missingResourceScopes?: Readonly<Record<string, readonly string[]>>;
}

interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: readonly string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}

/** The koa context oidc-provider hands its page hooks; only what they set. */
interface PageContext {
  type: string;
  body: string;
  status: number;
  set(name: string, value: string): void;
}

export interface DevPagesOptions {
  /** The one account that exists. */
  readonly login: string;
  /** Shown as who is asking: the client's name. */
  readonly appName: string;
  /** The app's origin: the pages link back to it, and their forms may end up there (CSP form-action). */
  readonly appOrigins: readonly string[];
}

const SCOPES: Readonly<Record<string, string>> = {
  openid: "know that it is you (your user id)",
  profile: "see your name",
  email: "see your email address",
};

/** Pages load their stylesheet from here, and nothing else. */
function csp(appOrigins: readonly string[]): string {
  return `default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' ${appOrigins.join(" ")}; frame-ancestors 'none'; base-uri 'none'`;
}

function page(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title} · Slipway development sign-in</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header class="top"><div class="bar"><p class="brand">Slipway development sign-in</p><p class="badge">Development provider on this machine</p></div></header>
<main id="main" class="narrow">
${body}
</main>
</body>
</html>
`.value;
}

/**
 * The provider's page hooks (`renderError`, `features.rpInitiatedLogout.logoutSource` and
 * `postLogoutSuccessSource`) and a request handler for `/interaction/<uid>` and the stylesheet.
 */
export function devPages(options: DevPagesOptions) {
  const policy = csp(options.appOrigins);
  const back = options.appOrigins[0];
  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": policy,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    res.end(body);
  };
  const setPage = (ctx: PageContext, body: string) => {
    ctx.type = "html";
    ctx.set("content-security-policy", policy);
    ctx.body = body;
  };

  const loginPage = (uid: string, client: string, error?: string, login = options.login) =>
    page(
      "Sign in",
      html`<h1>Sign in</h1>
<p class="lead">to <strong>${options.appName}</strong> (client <code>${client}</code>). Only the user <strong>${options.login}</strong> exists; its password is not checked.</p>
<form method="post" action="/interaction/${uid}" class="card" novalidate>
<input type="hidden" name="prompt" value="login">
${error ? html`<p class="error" id="login-error" role="alert">${error}</p>` : ""}
<div class="field"><label for="login">User</label><input id="login" name="login" value="${login}" autocomplete="username" autocapitalize="none" spellcheck="false" required${error ? html` aria-invalid="true" aria-describedby="login-error"` : ""}></div>
<div class="field"><label for="password">Password</label><p class="hint" id="password-hint">Any password: this provider only runs on your machine.</p><input type="password" id="password" name="password" autocomplete="current-password" aria-describedby="password-hint"></div>
<div class="actions"><button type="submit">Sign in</button><a href="/interaction/${uid}/abort">Cancel</a></div>
</form>`,
    );

  const consentPage = (uid: string, client: string, details: ConsentDetails) => {
    const scopes = details.missingOIDCScope ?? [];
    const resources = Object.keys(details.missingResourceScopes ?? {});
    return page(
      "Allow access",
      html`<h1>Allow access</h1>
<p class="lead"><strong>${options.appName}</strong> (client <code>${client}</code>) asks to:</p>
<form method="post" action="/interaction/${uid}" class="card">
<input type="hidden" name="prompt" value="consent">
<ul class="scopes">${scopes.map((s) => html`<li>${SCOPES[s] ?? s} <code>${s}</code></li>`)}${resources.map((r) => html`<li>call <code>${r}</code> as you</li>`)}${scopes.length + resources.length === 0 ? html`<li>confirm that you are signed in</li>` : ""}</ul>
<div class="actions"><button type="submit" autofocus>Allow</button><a href="/interaction/${uid}/abort">Deny</a></div>
</form>`,
    );
  };

  const errorPage = (title: string, lines: readonly Html[]) =>
    page(
      title,
      html`<h1>${title}</h1><div class="message">${lines.map((l) => html`<p>${l}</p>`)}</div>${back ? html`<p><a href="${back}/">Back to ${options.appName}</a></p>` : ""}`,
    );

  /** True when the request was one of these pages (answered); false for the provider to handle. */
  async function handle(
    provider: InteractionProvider,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://provider.invalid");
    if (url.pathname === "/static/app.css" && req.method === "GET") {
      res.writeHead(200, {
        "content-type": "text/css; charset=utf-8",
        "cache-control": "public, max-age=3600",
      });
      res.end(STYLESHEET);
      return true;
    }
    const m = /^\/interaction\/([\w-]{1,100})(\/abort)?$/.exec(url.pathname);
    if (m === null) return false;
    const [, uid, abort] = m as unknown as [string, string, string | undefined];
    let details: InteractionDetails;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      send(
        res,
        400,
        errorPage("Sign-in expired", [
          html`This sign-in is no longer open (it lasts ten minutes, and one browser tab at a time).`,
          html`Go back to the app and sign in again.`,
        ]),
      );
      return true;
    }
    if (details.uid !== uid) {
      send(res, 400, errorPage("Sign-in expired", [html`This page belongs to another sign-in.`]));
      return true;
    }
    const client = details.params.client_id;
    if (abort !== undefined) {
      if (req.method !== "GET") return false;
      await provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "End-User aborted interaction" },
        { mergeWithLastSubmission: false },
      );
      return true;
    }
    if (req.method === "GET") {
      const prompt = details.prompt.name;
      if (prompt === "login") send(res, 200, loginPage(uid, client));
      else if (prompt === "consent") send(res, 200, consentPage(uid, client, details.prompt.details));
      else send(res, 501, errorPage("Not supported", [html`The provider asked for ${prompt}.`]));
      return true;
    }
    if (req.method !== "POST") return false;
    const form = await readForm(req);
    if (details.prompt.name === "login") {
      const login = form.get("login") ?? "";
      if (login !== options.login) {
        send(
          res,
          422,
          loginPage(uid, client, `There is no user "${login}": sign in as ${options.login}.`, login),
        );
        return true;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: login } },
        { mergeWithLastSubmission: false },
      );
      return true;
    }
    if (details.prompt.name === "consent" && details.session !== undefined) {
      const grant = new provider.Grant({ accountId: details.session.accountId, clientId: client });
      const d = details.prompt.details;
      if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(" "));
      if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
      for (const [indicator, scope] of Object.entries(d.missingResourceScopes ?? {}))
        grant.addResourceScope(indicator, scope.join(" "));
      // A grant that already exists (details.grantId) is replaced by one with everything asked for.
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } });
      return true;
    }
    send(res, 400, errorPage("Sign-in expired", [html`Nothing is waiting for this answer.`]));
    return true;
  }

  return {
    handle,
    /** oidc-provider's `renderError`. */
    async renderError(ctx: PageContext, out: Record<string, string>): Promise<void> {
      setPage(
        ctx,
        errorPage("Sign-in failed", [
          html`<strong>${out.error ?? "error"}</strong>${out.error_description ? html`: ${out.error_description}` : ""}`,
        ]),
      );
    },
    /** `features.rpInitiatedLogout.logoutSource`: `form` is the provider's hidden form to confirm with. */
    async logoutSource(ctx: PageContext, form: string): Promise<void> {
      setPage(
        ctx,
        page(
          "Sign out",
          html`<h1>Sign out</h1>
<p class="lead">You are signed out of ${options.appName}. Sign out of the development provider too? Otherwise the next sign-in skips the password.</p>
<div class="card">${rawForm(form)}
<div class="actions"><button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button><button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button></div></div>`,
        ),
      );
    },
    /** `features.rpInitiatedLogout.postLogoutSuccessSource`: signed out, and no app to return to. */
    async postLogoutSuccessSource(ctx: PageContext): Promise<void> {
      setPage(ctx, errorPage("Signed out", [html`You are signed out of the development provider.`]));
    },
  };
}

/** The provider's own logout form: its action URL and the xsrf token it generated, no input. */
function rawForm(form: string): Html {
  return raw(form);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // The sign-in form is two short fields; anything bigger is not from it.
    if (size > 16_384) break;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}
