import { type GeneratedFile, type Preset, presets } from "@slipway/presets";
import { CSRF_FIELD } from "../security/csrf.js";
import { type FieldGroup, FORM_FIELDS, type FormField } from "./form-fields.js";
import { type Html, html } from "./html.js";

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
  /** The owner field's value until a person types one: the platform's GitHub owner. */
  readonly owner?: string | undefined;
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
<meta name="color-scheme" content="light dark">
<title>${title} · Slipway scaffold</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="bar"><p class="brand"><a href="/">Slipway scaffold</a></p>${viewer ? html`<form method="post" action="/auth/logout" class="signout"><input type="hidden" name="${CSRF_FIELD}" value="${viewer.csrf}"><span class="who">Signed in as <strong>${viewer.name}</strong></span> <button type="submit" class="secondary small">Sign out</button></form>` : ""}</div></header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>
`.value;
}

/**
 * The preset radios, in the same form as the parameters: what is checked is what Generate, Explore
 * and Create repository use. The stylesheet shows only the checked preset's fields (`:has()`), so
 * switching needs neither JavaScript nor a round trip; `/?preset=<id>` still preselects one.
 */
function presetChooser(selected: Preset): Html {
  return html`<fieldset class="presets">
<legend>Preset</legend>
<div class="choices">${presets.map(
    (
      p,
    ) => html`<div class="choice"><input type="radio" name="preset" id="preset-${p.id}" value="${p.id}"${p.id === selected.id ? html` checked` : ""} aria-describedby="preset-${p.id}-hint">
<label for="preset-${p.id}">${p.name}</label>
<p class="hint" id="preset-${p.id}-hint">${p.description}</p></div>
`,
  )}</div>
</fieldset>`;
}

function field(f: FormField, state: FormState, ctx: PageContext): Html {
  const { name, prop, required } = f;
  const id = `f-${name}`;
  const error = state.errors[name];
  const given = state.values[name];
  const fallback =
    name === "owner" ? ctx.owner : prop.default !== undefined ? String(prop.default) : undefined;
  const value = given ?? fallback ?? "";
  const describedBy = [prop.description ? `${id}-hint` : "", error ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  const common = html` id="${id}" name="${name}"${required ? html` required aria-required="true"` : ""}${error ? html` aria-invalid="true"` : ""}${describedBy ? html` aria-describedby="${describedBy}"` : ""}`;
  let control: Html;
  if (prop.enum !== undefined) {
    control = html`<select${common}>${prop.enum.map(
      (o) => html`<option value="${o}"${o === value ? html` selected` : ""}>${f.labels?.[o] ?? o}</option>`,
    )}</select>`;
  } else if (prop.type === "integer" || prop.type === "number") {
    control = html`<input type="number" inputmode="numeric"${common} value="${value}"${prop.minimum !== undefined ? html` min="${prop.minimum}"` : ""}${prop.maximum !== undefined ? html` max="${prop.maximum}"` : ""}>`;
  } else {
    control = html`<input type="text"${common} value="${value}"${prop.maxLength !== undefined ? html` maxlength="${prop.maxLength}"` : ""} autocomplete="off" spellcheck="false">`;
  }
  const only = f.presets.length < presets.length;
  return html`<div class="field${only ? html` only ${f.presets.map((p) => `for-${p}`).join(" ")}` : ""}" data-field="${name}">
<label for="${id}">${prop.title ?? name}${required ? html` <span class="req" aria-hidden="true">*</span>` : ""}</label>
${prop.description ? html`<p class="hint" id="${id}-hint">${prop.description}</p>` : ""}
${error ? html`<p class="error" id="${id}-error">${error}</p>` : ""}
${control}
</div>
`;
}

const GROUPS: readonly { readonly group: FieldGroup; readonly legend: string }[] = [
  { group: "service", legend: "Service" },
  { group: "build", legend: "Maven project" },
];

/**
 * One form: preset radios and every preset's fields, generated from the presets' JSON Schemas
 * (STYLE 9). A field another preset owns is hidden by the stylesheet and left out by the server.
 */
function projectForm(preset: Preset, state: FormState, ctx: PageContext): Html {
  const errors = Object.entries(state.errors);
  return html`${
    errors.length > 0 || (state.general?.length ?? 0) > 0
      ? html`<div class="summary" role="alert" id="errors">
<h2>Please correct the following</h2>
<ul>${errors.map(([k, m]) => html`<li><a href="#f-${k}">${label(k)}: ${m}</a></li>`)}${(state.general ?? []).map((m) => html`<li>${m}</li>`)}</ul>
</div>`
      : ""
  }
<form method="post" action="/generate" class="project" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf}">
${presetChooser(preset)}
${GROUPS.map(({ group, legend }) => {
  const fields = FORM_FIELDS.filter((f) => f.group === group);
  if (fields.length === 0) return "";
  // A group whose fields all belong to the same presets hides with them.
  const sets = new Set(fields.map((f) => f.presets.join(" ")));
  const only = group !== "service" && sets.size === 1 ? (fields[0] as FormField).presets : undefined;
  return html`<fieldset class="params${only ? html` only ${only.map((p) => `for-${p}`).join(" ")}` : ""}">
<legend>${legend}</legend>
${group === "service" ? html`<p class="hint">Fields marked * are required.</p>` : ""}
${fields.map((f) => field(f, state, ctx))}
</fieldset>`;
})}
<div class="actions">
<button type="submit" formaction="/explore" class="secondary">Explore</button>
<button type="submit">Generate</button>
${ctx.canCreate ? html`<button type="submit" formaction="/create">Create repository</button>` : ""}
<p class="hint">Explore previews the files; Generate downloads them as a ZIP${ctx.canCreate ? "; Create repository pushes them and registers the service on the platform for review" : ""}.</p>
</div>
</form>`;
}

function label(name: string): string {
  return FORM_FIELDS.find((f) => f.name === name)?.prop.title ?? name;
}

export function homePage(preset: Preset, state: FormState, ctx: PageContext): string {
  return layout(
    "New service",
    html`<h1>New service</h1>
<p class="lead">Choose a preset, fill in the service, then explore the files, download them, or create the repository.</p>
${projectForm(preset, state, ctx)}`,
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
  const name = query.subdomain || query.name || "";
  // The ZIP unpacks into one folder named after the project, like the form's Generate.
  const download = new URLSearchParams(params);
  if (name !== "") download.set("baseDir", name);
  return layout(
    `Explore ${name}`,
    html`<h1>${name}: ${files.length} files</h1>
<p class="lead">${preset.name}. Nothing is written until you download or create the repository.</p>
<p class="links"><a href="${back}">Back to the form</a> <a class="button" href="/starter.zip?${download.toString()}" download>Download ZIP</a></p>
<div class="explore">
<nav aria-label="Generated files" class="filelist"><ul class="files">${files.map((f) => {
      const p = new URLSearchParams(params);
      p.set("file", f.path);
      return html`<li><a href="/explore?${p.toString()}#file-title"${f.path === selected?.path ? html` aria-current="page"` : ""}>${f.path}</a>${f.mode === 0o755 ? html` <span class="tag">executable</span>` : ""}</li>`;
    })}</ul></nav>
${selected ? html`<section aria-labelledby="file-title" class="preview"><h2 id="file-title">${selected.path}</h2><pre tabindex="0" aria-label="${selected.path}"><code>${selected.content}</code></pre></section>` : ""}
</div>`,
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
    html`<h1>${title}</h1><div class="message">${lines.map((l) => html`<p>${l}</p>`)}${extra}</div><p><a href="/">Back to the form</a></p>`,
    viewer,
  );
}
