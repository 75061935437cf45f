import { type GeneratedFile, type Preset, parametersJsonSchema, presets } from "@slipway/presets";
import { CSRF_FIELD } from "../security/csrf.js";
import { type Html, html } from "./html.js";

interface PropertySchema {
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
}

/** What a form shows: the submitted values (kept on error) and one message per parameter. */
export interface FormState {
  readonly values: Readonly<Record<string, string>>;
  readonly errors: Readonly<Record<string, string>>;
  /** Errors that belong to no single field. */
  readonly general?: readonly string[];
}

export const EMPTY_FORM: FormState = { values: {}, errors: {} };

export interface PageContext {
  readonly csrf: string;
  readonly canCreate: boolean;
  readonly viewer?: Viewer | undefined;
}

/** Who is signed in through the browser: the header shows them and a Sign out button. */
export interface Viewer {
  readonly name: string;
  /** The CSRF token the Sign out form posts. */
  readonly csrf: string;
}

export function layout(title: string, body: Html, viewer?: Viewer): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Slipway scaffold</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header><h1><a href="/">Slipway scaffold</a></h1>${viewer ? html`<form method="post" action="/auth/logout" class="signout"><input type="hidden" name="${CSRF_FIELD}" value="${viewer.csrf}"><span>Signed in as ${viewer.name}</span> <button type="submit">Sign out</button></form>` : ""}</header>
<main id="main">
${body}
</main>
</body>
</html>
`.value;
}

/** The preset chooser: a GET form, so choosing works without JavaScript and is bookmarkable. */
function presetChooser(selected: Preset): Html {
  return html`<form method="get" action="/">
<fieldset>
<legend>Preset</legend>
${presets.map(
  (
    p,
  ) => html`<div class="choice"><input type="radio" name="preset" id="preset-${p.id}" value="${p.id}"${p.id === selected.id ? html` checked` : ""}>
<label for="preset-${p.id}">${p.name}</label>
<p class="hint">${p.description}</p></div>
`,
)}
<button type="submit" class="secondary">Choose preset</button>
</fieldset>
</form>`;
}

function field(name: string, prop: PropertySchema, required: boolean, state: FormState): Html {
  const id = `f-${name}`;
  const error = state.errors[name];
  const given = state.values[name];
  const value = given ?? (prop.default !== undefined ? String(prop.default) : "");
  const describedBy = [prop.description ? `${id}-hint` : "", error ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  const common = html` id="${id}" name="${name}"${required ? html` required aria-required="true"` : ""}${error ? html` aria-invalid="true"` : ""}${describedBy ? html` aria-describedby="${describedBy}"` : ""}`;
  let control: Html;
  if (prop.enum !== undefined) {
    control = html`<select${common}>${prop.enum.map(
      (o) => html`<option value="${o}"${o === value ? html` selected` : ""}>${o}</option>`,
    )}</select>`;
  } else if (prop.type === "integer" || prop.type === "number") {
    control = html`<input type="number" inputmode="numeric"${common} value="${value}"${prop.minimum !== undefined ? html` min="${prop.minimum}"` : ""}${prop.maximum !== undefined ? html` max="${prop.maximum}"` : ""}>`;
  } else {
    control = html`<input type="text"${common} value="${value}"${prop.maxLength !== undefined ? html` maxlength="${prop.maxLength}"` : ""} autocomplete="off" spellcheck="false">`;
  }
  return html`<div class="field">
<label for="${id}">${prop.title ?? name}${required ? html` <span aria-hidden="true">*</span>` : ""}</label>
${prop.description ? html`<p class="hint" id="${id}-hint">${prop.description}</p>` : ""}
${error ? html`<p class="error" id="${id}-error">${error}</p>` : ""}
${control}
</div>
`;
}

/** The parameter form, generated from the preset's JSON Schema (STYLE 9). */
function parameterForm(preset: Preset, state: FormState, ctx: PageContext): Html {
  const schema = parametersJsonSchema(preset) as {
    properties?: Record<string, PropertySchema>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  const errors = Object.entries(state.errors);
  return html`${
    errors.length > 0 || (state.general?.length ?? 0) > 0
      ? html`<div class="summary" role="alert" id="errors">
<h2>Please correct the following</h2>
<ul>${errors.map(([k, m]) => html`<li><a href="#f-${k}">${m}</a></li>`)}${(state.general ?? []).map((m) => html`<li>${m}</li>`)}</ul>
</div>`
      : ""
  }
<form method="post" action="/generate" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf}">
<input type="hidden" name="preset" value="${preset.id}">
<fieldset>
<legend>${preset.name}: parameters</legend>
${Object.entries(schema.properties ?? {}).map(([name, prop]) => field(name, prop, required.has(name), state))}
</fieldset>
<button type="submit" formaction="/explore" class="secondary">Explore</button>
<button type="submit">Generate</button>
${ctx.canCreate ? html`<button type="submit" formaction="/create">Create repository</button>` : ""}
</form>`;
}

export function homePage(preset: Preset, state: FormState, ctx: PageContext): string {
  return layout(
    preset.name,
    html`${presetChooser(preset)}
${parameterForm(preset, state, ctx)}`,
    ctx.viewer,
  );
}

/** Browse the generated files: a list of links, and one file's content (escaped). */
export function explorePage(
  preset: Preset,
  query: Readonly<Record<string, string>>,
  files: readonly GeneratedFile[],
  selected: GeneratedFile | undefined,
  viewer?: Viewer,
): string {
  const params = new URLSearchParams(Object.entries(query).filter(([k]) => k !== "file"));
  const back = `/?${params.toString()}`;
  return layout(
    `Explore ${query.name ?? ""}`,
    html`<h2>${preset.name}: ${files.length} files</h2>
<p><a href="${back}">Back to the form</a> · <a href="/starter.zip?${params.toString()}">Download ZIP</a></p>
<nav aria-label="Generated files"><ul class="files">${files.map((f) => {
      const p = new URLSearchParams(params);
      p.set("file", f.path);
      return html`<li><a href="/explore?${p.toString()}"${f.path === selected?.path ? html` aria-current="true"` : ""}>${f.path}</a>${f.mode === 0o755 ? " (executable)" : ""}</li>`;
    })}</ul></nav>
${selected ? html`<section aria-labelledby="file-title"><h3 id="file-title">${selected.path}</h3><pre><code>${selected.content}</code></pre></section>` : ""}`,
    viewer,
  );
}

export function messagePage(
  title: string,
  lines: readonly string[],
  extra: Html = html``,
  viewer?: Viewer,
): string {
  return layout(
    title,
    html`<h2>${title}</h2>${lines.map((l) => html`<p>${l}</p>`)}${extra}<p><a href="/">Back</a></p>`,
    viewer,
  );
}
