import { type Span, SpanStatusCode } from "@opentelemetry/api";
import type { OnboardPlan, PlatformBranch } from "@slipway/onboarding";
import {
  type GeneratedFile,
  generate,
  type Preset,
  type ProjectDescription,
  presets,
} from "@slipway/presets";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { archiveEntries } from "../archive/entries.js";
import { zipArchive } from "../archive/zip.js";
import { isSlipwayError, statusOf } from "../errors.js";
import { presetById } from "../initializr/catalog.js";
import { type StarterQuery, starterRequest } from "../initializr/request.js";
import { CSRF_FIELD } from "../security/csrf.js";
import { withSpan } from "../telemetry.js";
import { isFormField, takesField } from "../ui/form-fields.js";
import { type Html, html } from "../ui/html.js";
import { platformOwner } from "../ui/owner.js";
import { EMPTY_FORM, explorePage, type FormState, homePage, messagePage, type Viewer } from "../ui/pages.js";
import { STYLESHEET } from "../ui/style.js";
import { canCreate, guarded, type RouteContext, rateLimited } from "./context.js";

type Form = Record<string, string>;

/** One schema for every form endpoint: flat string fields (the preset's schema validates them). */
const formSchema = {
  type: "object",
  properties: {
    preset: { type: "string", maxLength: 100 },
    [CSRF_FIELD]: { type: "string", maxLength: 200 },
  },
  additionalProperties: { type: "string", maxLength: 1024 },
  maxProperties: 40,
} as const;

/** Form fields that are not preset parameters. */
const CONTROL_FIELDS = new Set(["preset", CSRF_FIELD, "file"]);

/** The UI: home form (via `GET /`), Explore, Generate, Create repository, the stylesheet. */
export function uiRoutes(app: FastifyInstance, ctx: RouteContext): void {
  // Read once, in the background: the first page waits for it only if it comes first.
  owners.set(
    ctx,
    platformOwner(ctx).then(
      (o) => o ?? ctx.defaultOwner,
      // Never an unhandled rejection at startup: the default owner is a fine start value.
      () => ctx.defaultOwner,
    ),
  );
  app.get("/static/app.css", async (_request, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", "public, max-age=3600").send(STYLESHEET),
  );

  // Explore is a POST from the form (the CSRF token stays out of URLs and history) and a GET
  // from the file links on the page itself; neither changes anything.
  const explore = async (request: FastifyRequest, reply: FastifyReply, form: Form) => {
    const preset = choose(form.preset);
    if (preset === undefined) return renderHome(ctx, request, reply, form.preset, 404);
    const generated = generateSpan(preset, "explore", (span) => {
      const described = describeForm(preset, form);
      if ("state" in described) return invalid(span, described.state);
      const files = generate(described.description);
      span.setAttributes({
        "scaffold.files": files.length,
        "scaffold.bytes": files.reduce((n, f) => n + Buffer.byteLength(f.content), 0),
      });
      return { files };
    });
    if ("state" in generated) return sendPage(ctx, request, reply, preset, generated.state, 422);
    const { files } = generated;
    ctx.metrics.generations.inc({ preset: preset.id, output: "explore" });
    const selected: GeneratedFile | undefined =
      files.find((f) => f.path === form.file) ?? files.find((f) => f.path === "README.md") ?? files[0];
    // What the links carry (back to the form, Download ZIP, the files): this preset's fields only.
    const query = {
      preset: preset.id,
      ...parametersOf(preset, form),
      ...(form.file ? { file: form.file } : {}),
    };
    return reply
      .type("text/html; charset=utf-8")
      .send(explorePage(preset, query, files, selected, viewerOf(ctx, request, reply)));
  };
  app.get<{ Querystring: Form }>(
    "/explore",
    { schema: { querystring: formSchema } },
    async (request, reply) => {
      if (await guarded(ctx.auth.requirePage, request, reply)) return reply;
      return explore(request, reply, request.query);
    },
  );
  app.post<{ Body: Form }>("/explore", { schema: { body: formSchema } }, async (request, reply) => {
    if (await guarded(ctx.auth.requirePage, request, reply)) return reply;
    if (!ctx.csrf.verify(request)) return forbidden(ctx, request, reply);
    return explore(request, reply, request.body);
  });

  app.post<{ Body: Form }>("/generate", { schema: { body: formSchema } }, async (request, reply) => {
    if (await guarded(ctx.auth.requirePage, request, reply)) return reply;
    if (!ctx.csrf.verify(request)) return forbidden(ctx, request, reply);
    if (rateLimited(ctx, request, reply)) return reply;
    const preset = choose(request.body.preset);
    if (preset === undefined) return renderHome(ctx, request, reply, request.body.preset, 404);
    const generated = generateSpan(preset, "zip", (span) => {
      const described = describeForm(preset, request.body);
      if ("state" in described) return invalid(span, described.state);
      const files = generate(described.description);
      // Under one folder named after the project, as start.spring.io's page asks for (`baseDir`):
      // a person unzips it into a folder of projects. The API keeps Initializr's root default,
      // which IDE clients extract into a folder of their own.
      const bytes = zipArchive(archiveEntries(files, described.description.parameters.name));
      span.setAttributes({ "scaffold.files": files.length, "scaffold.bytes": bytes.byteLength });
      return { bytes, name: described.description.parameters.name };
    });
    if ("state" in generated) return sendPage(ctx, request, reply, preset, generated.state, 422);
    const { bytes, name } = generated;
    ctx.metrics.generations.inc({ preset: preset.id, output: "zip" });
    return reply
      .type("application/zip")
      .header("content-disposition", `attachment; filename="${name}.zip"`)
      .header("cache-control", "no-store")
      .send(bytes);
  });

  app.post<{ Body: Form }>("/create", { schema: { body: formSchema } }, async (request, reply) => {
    if (await guarded(ctx.auth.requirePage, request, reply)) return reply;
    if (!ctx.csrf.verify(request)) return forbidden(ctx, request, reply);
    const preset = choose(request.body.preset);
    if (preset === undefined) return renderHome(ctx, request, reply, request.body.preset, 404);
    if (!canCreate(ctx)) {
      return reply
        .code(503)
        .type("text/html; charset=utf-8")
        .send(
          messagePage(
            "Create repository is not configured",
            ["This server has no platform or push target."],
            undefined,
            viewerOf(ctx, request, reply),
          ),
        );
    }
    const described = describeForm(preset, request.body);
    if ("state" in described) return sendPage(ctx, request, reply, preset, described.state, 422);
    const { name, ...parameters } = described.description.parameters;
    // The onboarding engine loads all of core: only pay for it when someone creates a repository.
    const { githubRepo, onboard, onboardOnBranch } = await import("@slipway/onboarding");
    const pushUrl = ctx.pushTarget.replaceAll("{name}", name);
    try {
      ctx.preparePushTarget?.(pushUrl);
      const common = {
        name,
        presetId: preset.id,
        parameters,
        pushUrl,
        ...(ctx.gitToken !== undefined ? { gitToken: ctx.gitToken } : {}),
      };
      // A platform remote gets a branch to review; a local working tree (serve --dev) is written.
      let plan: OnboardPlan;
      let branch: PlatformBranch | undefined;
      if (ctx.platformRepo !== undefined) {
        const onBranch = onboardOnBranch({
          ...common,
          platformRepo: ctx.platformRepo,
          ...(ctx.platformConfigPath !== undefined ? { platformConfigPath: ctx.platformConfigPath } : {}),
        });
        plan = onBranch;
        branch = onBranch.branch;
      } else {
        plan = onboard({ ...common, platformConfig: ctx.platformConfig as string });
      }
      ctx.metrics.generations.inc({ preset: preset.id, output: "repository" });
      const target = plan.repository.target;
      const repoUrl = target.kind === "push" ? target.url : pushUrl;
      const onGithub = githubRepo(repoUrl);
      return reply
        .code(plan.written ? 201 : 200)
        .type("text/html; charset=utf-8")
        .send(
          messagePage(
            plan.noop ? "Repository already created" : "Repository created",
            [],
            html`<dl class="facts"><dt>Project repository</dt><dd>${onGithub !== undefined ? html`<a href="${`https://github.com/${onGithub}`}">${repoUrl}</a>` : html`<code>${repoUrl}</code>`}</dd>
<dt>Image</dt><dd><code>${plan.image}</code></dd>
<dt>First commit</dt><dd><code>${plan.repository.commit}</code></dd></dl>
${branchHtml(name, branch)}<h2>Platform changes</h2><ul class="changes">${plan.platform.changes.map((c) => html`<li><span class="kind">${c.kind}</span> <code>${c.path}</code></li>`)}</ul>
<h2>Next steps</h2><ol>${plan.steps.map((s) => html`<li>${s.title}${s.commands.length > 0 ? html`<pre><code>${s.commands.join("\n")}</code></pre>` : ""}</li>`)}</ol>`,
            viewerOf(ctx, request, reply),
          ),
        );
    } catch (e) {
      if (!isSlipwayError(e)) throw e;
      request.log.warn({ codes: e.diagnostics.map((d) => d.code) }, "create repository refused");
      return sendPage(
        ctx,
        request,
        reply,
        preset,
        stateOf(preset, request.body, e.diagnostics),
        statusOf(e) === 400 ? 422 : statusOf(e),
      );
    }
  });
}

/** Explore's and Generate's `scaffold.generate` span (the API's is in `sendArchive`). */
function generateSpan<T>(preset: Preset, output: "zip" | "explore", fn: (span: Span) => T): T {
  return withSpan("scaffold.generate", { "scaffold.preset": preset.id, "scaffold.output": output }, fn);
}

/** A form the preset refused is answered with the form again (422), and fails the span. */
function invalid(span: Span, state: FormState): { readonly state: FormState } {
  const fields = Object.keys(state.errors);
  span.setAttributes({ "error.type": "invalid_parameters", "scaffold.invalid_fields": fields });
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: `invalid parameters: ${fields.join(", ") || "form"}`,
  });
  return { state };
}

/**
 * `GET /` for browsers (called from the metadata route after negotiation). `values` prefill the
 * form (Explore's "Back to the form" link carries them); nothing is validated until submitted.
 */
export async function renderHome(
  ctx: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  presetId: string | undefined,
  requested = 200,
  values: Readonly<Record<string, string>> = {},
): Promise<FastifyReply> {
  const chosen = choose(presetId);
  const preset = chosen ?? (presets[0] as Preset);
  const status = chosen === undefined ? 404 : requested;
  const state: FormState =
    status === 404
      ? { ...EMPTY_FORM, general: [`There is no preset ${JSON.stringify(presetId)}.`] }
      : { values, errors: {} };
  return sendPage(ctx, request, reply, preset, state, status);
}

/** The platform's GitHub owner per server (see `platformOwner`), else its default owner. */
const owners = new WeakMap<RouteContext, Promise<string>>();

async function sendPage(
  ctx: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  preset: Preset,
  state: FormState,
  status: number,
): Promise<FastifyReply> {
  const csrf = ctx.csrf.token(request, reply);
  const owner = await (owners.get(ctx) ?? ctx.defaultOwner);
  return reply
    .code(status)
    .type("text/html; charset=utf-8")
    .send(
      homePage(preset, state, {
        csrf,
        canCreate: canCreate(ctx),
        viewer: viewerOf(ctx, request, reply),
        owner,
      }),
    );
}

/** The browser user, when signed in through a session (not a bearer token or an open network). */
function viewerOf(ctx: RouteContext, request: FastifyRequest, reply: FastifyReply): Viewer | undefined {
  const p = ctx.auth.principal(request);
  return p?.via === "session"
    ? { name: p.name ?? p.email ?? p.subject, csrf: ctx.csrf.token(request, reply) }
    : undefined;
}

function choose(id: string | undefined): Preset | undefined {
  return id === undefined || id === "" ? presets[0] : presetById(id);
}

/**
 * The form's fields that `preset` takes. The form holds every preset's fields (the stylesheet shows
 * the checked preset's), so one left from another preset is dropped here, never sent on: the
 * project is the checked preset's, with what its fields show. Names that are no field of any preset
 * go on, for the request mapping to refuse.
 */
function parametersOf(preset: Preset, form: Form): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) {
    if (CONTROL_FIELDS.has(k)) continue;
    if (isFormField(k) && !takesField(preset, k)) continue;
    parameters[k] = v;
  }
  return parameters;
}

type Described = { readonly description: ProjectDescription } | { readonly state: FormState };

/**
 * The form is an API request with `preset` (STYLE 10: the same mapping as `/starter.zip`, so
 * `subdomain`, `auth` and `database` mean the same in both), except that a person's empty Name or
 * Owner is an error: the API's defaults (`demo`, `SCAFFOLD_DEFAULT_OWNER`) are for clients that
 * never send them, and the form shows its owner.
 */
function describeForm(preset: Preset, form: Form): Described {
  const parameters = parametersOf(preset, form);
  const missing: Diagnostic[] = [];
  if (!parameters.name && !parameters.subdomain)
    missing.push(required("name", "give the service name, a DNS label such as orders"));
  if (!parameters.owner)
    missing.push(required("owner", "give the GitHub user or organization, e.g. octocat"));
  if (parameters.name && parameters.subdomain && parameters.name !== parameters.subdomain)
    missing.push({
      path: ["subdomain"],
      message: "the service name is its subdomain: Name and Subdomain differ",
      hint: "leave one of them empty, or give both the same",
    });
  if (missing.length > 0) return { state: stateOf(preset, form, missing) };
  try {
    const { description } = starterRequest({ ...parameters, preset: preset.id } as StarterQuery, {
      owner: parameters.owner as string,
    });
    return { description };
  } catch (e) {
    if (!isSlipwayError(e)) throw e;
    return { state: stateOf(preset, form, e.diagnostics) };
  }
}

interface Diagnostic {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly hint?: string;
}

function required(field: string, hint: string): Diagnostic {
  return { path: [field], message: "is required", hint };
}

function stateOf(preset: Preset, form: Form, diagnostics: readonly Diagnostic[]): FormState {
  // Every field keeps its value, another preset's too: switching back shows what was typed.
  const values = Object.fromEntries(Object.entries(form).filter(([k]) => !CONTROL_FIELDS.has(k)));
  const errors: Record<string, string> = {};
  const general: string[] = [];
  for (const d of diagnostics) {
    const key = d.path[0];
    if (typeof key === "string" && takesField(preset, key)) errors[key] ??= fieldMessage(d);
    else general.push(d.hint !== undefined ? `${d.message} (${d.hint})` : d.message);
  }
  return { values, errors, general };
}

/**
 * A message shown under its field's label: without the parameter name it starts with
 * (`name: must be a DNS label`, `name is required`), capitalized, with its hint.
 */
function fieldMessage(d: Diagnostic): string {
  const bare = d.message.replace(/^[A-Za-z]+(?:: | (?=is required))/, "");
  const text = bare.charAt(0).toUpperCase() + bare.slice(1);
  return d.hint !== undefined ? `${text} (${d.hint})` : text;
}

/** Where the registration went when it is a branch of the platform repository: for review, then merge. */
function branchHtml(name: string, branch: PlatformBranch | undefined): Html | string {
  if (branch === undefined) return "";
  const where = html`Branch <code>${branch.name}</code> of ${branch.repository}`;
  if (branch.state === "merged")
    return html`<h2>Platform registration</h2><p>${where} is not needed: ${branch.base} already registers ${name}.</p>`;
  const link =
    branch.compareUrl !== undefined ? html`: <a href="${branch.compareUrl}">open the pull request</a>` : ".";
  return html`<h2>Platform registration</h2><p>${where}, ready to merge into <code>${branch.base}</code>${link}</p>`;
}

/** A form post without a valid CSRF token; the page's header issues a fresh one (and Sign out). */
function forbidden(ctx: RouteContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply
    .code(403)
    .type("text/html; charset=utf-8")
    .send(
      messagePage(
        "Form expired",
        ["The form's security token is missing or invalid. Go back to the form and submit it again."],
        undefined,
        viewerOf(ctx, request, reply),
      ),
    );
}
