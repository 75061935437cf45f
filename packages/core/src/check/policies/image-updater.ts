import { isRecord, type RenderedObject } from "../input.js";
import type { Finding } from "../locate.js";
import { definePolicy, describe, objectFinding } from "../policy.js";

const ID = "image-updater";
const REPOSITORY_LABEL = "argocd.argoproj.io/secret-type";
/** Argo CD reads repositories and credentials from its own namespace. */
const ARGOCD_NAMESPACE = "argocd";

const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The tag part of an imageName, as Image Updater's fallback parser reads a constraint. */
function constraintOf(imageName: string): string | undefined {
  let s = imageName;
  const eq = s.indexOf("=");
  if (eq >= 0) s = s.slice(eq + 1);
  const comp = s.split("/");
  if (comp.length > 1 && (comp[0] ?? "").includes(".")) s = comp.slice(1).join("/");
  const at = s.indexOf("@");
  if (at >= 0) s = s.slice(0, at);
  const colon = s.indexOf(":");
  return colon >= 0 ? s.slice(colon + 1) : undefined;
}

/** A constraint that names one version (`1.4.2`, `=1.4.2`, `v1.4.2`): Masterminds/semver reads it as `=`. */
const isExactPin = (c: string) => /^=?\s*v?\d+(\.\d+){0,2}(-[\w.]+)?$/.test(c.trim());

/** Credentials a repository Secret (or the ExternalSecret making one) in `argocd` provides. */
interface RepositoryCredential {
  readonly type: "repository" | "repo-creds";
  readonly url: string;
  readonly name: string;
}

function credentialsOf(
  objects: readonly RenderedObject[],
  namespaceOf: (o: RenderedObject) => string | undefined,
) {
  const out: RepositoryCredential[] = [];
  for (const o of objects) {
    if (namespaceOf(o) !== ARGOCD_NAMESPACE) continue;
    const { kind, metadata } = o.object;
    let labels: Record<string, unknown>;
    let data: Record<string, unknown>;
    let name: string;
    if (kind === "Secret") {
      labels = rec(metadata.labels);
      data = { ...rec(o.object.stringData) };
      name = metadata.name;
    } else if (kind === "ExternalSecret" && o.object.apiVersion.startsWith("external-secrets.io/")) {
      const target = rec(rec(o.object.spec).target);
      const template = rec(target.template);
      labels = rec(rec(template.metadata).labels);
      data = rec(template.data);
      name = str(target.name) ?? metadata.name;
    } else continue;
    const type = labels[REPOSITORY_LABEL];
    const url = str(data.url);
    if ((type === "repository" || type === "repo-creds") && url !== undefined) out.push({ type, url, name });
  }
  return out;
}

/** Whether Argo CD finds credentials for `repoURL` among `creds` (repo-creds match by URL prefix). */
const covers = (creds: readonly RepositoryCredential[], repoURL: string) =>
  creds.some((c) => (c.type === "repository" ? c.url === repoURL : repoURL.startsWith(c.url)));

/** `namePattern` is a glob (`*`, `?`) over Application names. */
const globMatch = (pattern: string, name: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  ).test(name);

/**
 * Argo CD Image Updater can actually update (issue 11):
 * - with the semver strategy (the default) the tag part of `imageName` is the version constraint
 *   (pkg/argocd/update.go); an exact version there (`notes:1.4.2`, read as `=1.4.2`) never moves;
 *   a `=` anywhere makes the updater read what precedes it as an alias;
 * - write-back method `git` (`git:repocreds`) pushes with the Argo CD repository credentials of the
 *   Application's repoURL, so a repository Secret (`argocd.argoproj.io/secret-type: repository`
 *   or `repo-creds`, or the ExternalSecret making one) for that URL must be rendered in `argocd`;
 *   `git:secret:<ns>/<name>` needs that Secret.
 */
export const imageUpdater = definePolicy({
  id: "image-updater",
  description:
    "Image Updater can update: semver ranges, not exact pins; git write-back has repository credentials",
  *check(input) {
    const updaters = input.objects.filter(
      (o) =>
        o.object.kind === "ImageUpdater" &&
        o.object.apiVersion.startsWith("argocd-image-updater.argoproj.io/"),
    );
    if (updaters.length === 0) return;
    const creds = credentialsOf(input.objects, (o) => input.namespaceOf(o));
    const applications = input.objects.filter(
      (o) => o.object.kind === "Application" && o.object.apiVersion.startsWith("argoproj.io/"),
    );
    const namedSecrets = new Set(
      input.objects
        .filter((o) => o.object.kind === "Secret" || o.object.kind === "ExternalSecret")
        .map((o) => {
          const target = str(rec(rec(o.object.spec).target).name);
          const name =
            o.object.kind === "ExternalSecret" ? (target ?? o.object.metadata.name) : o.object.metadata.name;
          return `${input.namespaceOf(o) ?? ""}/${name}`;
        }),
    );
    for (const o of updaters) yield* checkUpdater(o, { creds, applications, namedSecrets });
  },
});

interface Context {
  readonly creds: readonly RepositoryCredential[];
  readonly applications: readonly RenderedObject[];
  readonly namedSecrets: ReadonlySet<string>;
}

function* checkUpdater(o: RenderedObject, ctx: Context): Generator<Finding> {
  const spec = rec(o.object.spec);
  const specStrategy = str(rec(spec.commonUpdateSettings).updateStrategy);
  const refs = list(spec.applicationRefs);
  for (const [r, ref] of refs.entries()) {
    const refStrategy = str(rec(rec(ref).commonUpdateSettings).updateStrategy) ?? specStrategy;
    for (const [i, image] of list(rec(ref).images).entries()) {
      const imageName = str(rec(image).imageName);
      if (imageName === undefined) continue;
      const strategy = str(rec(rec(image).commonUpdateSettings).updateStrategy) ?? refStrategy ?? "semver";
      if (strategy !== "semver") continue;
      const path = ["spec", "applicationRefs", r, "images", i, "imageName"];
      if (imageName.includes("=")) {
        yield objectFinding(
          ID,
          o,
          path,
          `${describe(o)}: imageName ${imageName} contains '=', which Image Updater reads as an alias separator`,
          "Write the range without '=': ^1.4.2, ~1.4.2 or <2.0.0 (services/<name>.yaml spec.updateConstraint).",
        );
        continue;
      }
      const constraint = constraintOf(imageName);
      if (constraint !== undefined && isExactPin(constraint)) {
        yield objectFinding(
          ID,
          o,
          path,
          `${describe(o)}: imageName ${imageName} pins ${constraint}; with the semver strategy the tag is the constraint, so the image never updates`,
          `Put a range in the tag, e.g. ^${constraint.replace(/^=\s*/, "")}: synth renders ^<pinned tag> unless services/<name>.yaml sets spec.updateConstraint; the kustomization keeps the exact pin.`,
        );
      }
    }
    yield* checkWriteBack(
      o,
      rec(rec(ref).writeBackConfig),
      ["spec", "applicationRefs", r, "writeBackConfig"],
      rec(ref),
      ctx,
    );
  }
  // Spec-level write-back applies to every ref without its own.
  const method = str(rec(spec.writeBackConfig).method);
  if (method !== undefined) {
    const uncovered = refs.filter((ref) => str(rec(rec(ref).writeBackConfig).method) === undefined);
    for (const ref of uncovered) {
      yield* checkWriteBack(o, rec(spec.writeBackConfig), ["spec", "writeBackConfig"], rec(ref), ctx);
    }
  }
}

function* checkWriteBack(
  o: RenderedObject,
  wbc: Record<string, unknown>,
  at: readonly (string | number)[],
  ref: Record<string, unknown>,
  ctx: Context,
): Generator<Finding> {
  const method = str(wbc.method)?.trim();
  if (method === undefined || !method.startsWith("git")) return;
  const creds = method === "git" ? "repocreds" : method.slice("git:".length);
  const path = [...at, "method"];
  if (creds.startsWith("secret:")) {
    const ref = creds.slice("secret:".length);
    const key = ref.includes("/") ? ref : `${ARGOCD_NAMESPACE}/${ref}`;
    if (!ctx.namedSecrets.has(key)) {
      yield objectFinding(
        ID,
        o,
        path,
        `${describe(o)} writes back with ${method} but no Secret or ExternalSecret ${key} is rendered`,
        "Render the Secret through an ExternalSecret from Vault, or use method git (Argo CD's repository credentials).",
      );
    }
    return;
  }
  const explicit = str(rec(wbc.gitConfig).repository);
  const pattern = str(ref.namePattern);
  const urls = explicit
    ? [explicit]
    : ctx.applications
        .filter((a) => pattern !== undefined && globMatch(pattern, a.object.metadata.name))
        .flatMap((a) => {
          const s = rec(a.object.spec);
          return [...list(s.sources), s.source]
            .map((x) => str(rec(x).repoURL))
            .filter((u) => u !== undefined);
        });
  const missing =
    urls.length > 0
      ? [...new Set(urls)].filter((u) => !covers(ctx.creds, u))
      : ctx.creds.length
        ? []
        : ["its Application's repository"];
  for (const url of missing) {
    yield objectFinding(
      ID,
      o,
      path,
      `${describe(o)} writes back with method ${method} (Argo CD repository credentials) but no repository Secret in ${ARGOCD_NAMESPACE} has credentials for ${url}`,
      "Keep the argocd and external-secrets components enabled: synth renders the ExternalSecret platform-repository from Vault (spec.components.argocd.imageUpdater.credentialsKey, default kv/argocd/repository with username and password, or sshPrivateKey for an ssh repoURL).",
    );
  }
}
