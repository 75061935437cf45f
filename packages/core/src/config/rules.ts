import { basename } from "node:path";
import { type Diagnostic, diag } from "../diagnostics.js";
import type { AnyComponent } from "../render/component.js";
import { parseImage, SEMVER_TAG } from "../render/image.js";
import { accessRules } from "./access.js";
import type { PlatformSpec, ServiceSpec } from "./schema.js";
import { locateInFile } from "./source.js";
import { topologyRules } from "./topology.js";

export interface RuleInput {
  readonly platform: PlatformSpec;
  readonly services: readonly ServiceSpec[];
  /**
   * Names (file stems) of service files that failed validation; references to them are not
   * reported again as unknown, since their own error already explains the problem.
   */
  readonly invalidServices?: ReadonlySet<string>;
  readonly platformFile: string;
  readonly components: readonly AnyComponent[];
}

/** Kubernetes' own namespaces: no component declares them, and no service may use them. */
const KUBERNETES_NAMESPACES: readonly string[] = ["default", "kube-node-lease", "kube-public", "kube-system"];

/**
 * Namespaces services may not use, sorted: Kubernetes' own and every namespace a registered
 * component declares (`namespaces`), enabled or not. A service in one would share its RBAC, quotas
 * and AppProject destination with platform workloads, which breaks the platform/workload separation
 * the AppProjects enforce; and counting disabled components too means enabling one later cannot
 * collide with a service that already took its namespace.
 */
export function reservedNamespaces(components: readonly AnyComponent[]): string[] {
  return [...new Set([...KUBERNETES_NAMESPACES, ...components.flatMap((c) => c.namespaces ?? [])])].sort();
}

/** The name a service file must declare: `services/blog.yaml` → `blog`. */
export function serviceFileStem(file: string): string {
  return basename(file).replace(/\.ya?ml$/, "");
}

/** Rules that span fields or files, which a per-file schema cannot express. */
export function crossFieldRules(input: RuleInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { platform, services } = input;
  // Positions are looked up only for problems found: each re-reads its file.
  const at = (file: string, path: (string | number)[], key = false) => locateInFile(file, path, { key });

  // A file is named after its service, so `services/<name>.yaml` is where a reader looks for it.
  for (const s of services) {
    const stem = serviceFileStem(s.file);
    if (stem === s.name) continue;
    const location = at(s.file, ["metadata", "name"]);
    out.push(
      diag("SW_SPEC_FILENAME_MISMATCH", `${s.file} declares service '${s.name}'`, {
        path: ["metadata", "name"],
        ...(location ? { location } : {}),
        hint: `Rename the file to services/${s.name}.yaml, or set metadata.name to '${stem}'.`,
      }),
    );
  }

  // Service names are unique (two files could declare the same metadata.name).
  const byName = new Map<string, ServiceSpec>();
  for (const s of services) {
    const prev = byName.get(s.name);
    if (prev) {
      const location = at(s.file, ["metadata", "name"]);
      out.push(
        diag("SW_SPEC_DUPLICATE_NAME", `service '${s.name}' is also declared in ${prev.file}`, {
          path: ["metadata", "name"],
          ...(location ? { location } : {}),
          hint: "Each service needs its own name; rename one of them.",
        }),
      );
    } else byName.set(s.name, s);
  }

  // Hostnames are unique across services (and the names components reserve are enforced by the
  // components' own hostnames at render time).
  const byHost = new Map<string, ServiceSpec>();
  for (const s of services) {
    if (!s.host) continue;
    const prev = byHost.get(s.host);
    if (prev) {
      const location = at(s.file, ["spec", "subdomain"]);
      out.push(
        diag(
          "SW_SPEC_DUPLICATE_SUBDOMAIN",
          `subdomain '${s.subdomain}' is already used by service '${prev.name}'`,
          {
            path: ["spec", "subdomain"],
            ...(location ? { location } : {}),
            hint: "Pick another subdomain; each hostname routes to one service.",
          },
        ),
      );
    } else byHost.set(s.host, s);
  }

  // dependsOn and mesh callers name services that exist.
  for (const s of services) {
    const refs = [
      ...s.dependsOn.map((d, i) => ({ d, path: ["spec", "dependsOn", i], field: "dependsOn" })),
      ...s.mesh.callers.map((d, i) => ({ d, path: ["spec", "mesh", "callers", i], field: "mesh.callers" })),
    ];
    for (const { d, path, field } of refs) {
      if (byName.has(d) || input.invalidServices?.has(d)) continue;
      const location = at(s.file, path);
      out.push(
        diag(
          "SW_SPEC_UNKNOWN_SERVICE",
          `service '${s.name}' names '${d}' in ${field}, which is not declared`,
          {
            path,
            ...(location ? { location } : {}),
            hint: `Add services/${d}.yaml or remove '${d}' from ${field}.`,
          },
        ),
      );
    }
  }

  // Services stay out of the platform's namespaces.
  const reserved = reservedNamespaces(input.components);
  for (const s of services) {
    if (!reserved.includes(s.namespace)) continue;
    // The namespace defaults to the name; point at whichever of the two the user wrote it in.
    const path = s.namespace !== s.name ? ["spec", "namespace"] : ["metadata", "name"];
    const location = at(s.file, path);
    out.push(
      diag(
        "SW_SPEC_RESERVED_NAMESPACE",
        `service '${s.name}' would deploy into the platform namespace '${s.namespace}'`,
        {
          path,
          ...(location ? { location } : {}),
          hint: `Set spec.namespace to a namespace of its own; reserved: ${reserved.join(", ")}.`,
        },
      ),
    );
  }

  // A service feature needs the component that provides it (each declares its `capabilities`).
  const capabilities = input.components.flatMap((c) =>
    (c.capabilities ?? []).map((capability) => ({ ...capability, component: c.id })),
  );
  for (const s of services) {
    for (const need of capabilities) {
      const path = need.path(s);
      if (!path || platform.components[need.component]?.enabled === true) continue;
      const location = at(s.file, path);
      out.push(
        diag(
          "SW_SPEC_CAPABILITY_DISABLED",
          `service '${s.name}' uses ${need.feature}, but component '${need.component}' is disabled`,
          {
            path,
            ...(location ? { location } : {}),
            hint: `Enable it in platform.yaml (spec.components.${need.component}.enabled: true) or remove ${need.feature} from the service.`,
          },
        ),
      );
    }
  }

  // Each component's own rules (dynamic-db needs Reloader to restart pods; spec.access needs identity).
  const registered = new Set(input.components.map((c) => c.id));
  for (const c of input.components) {
    if (!c.rules) continue;
    out.push(
      ...c.rules({
        platform,
        services,
        config: platform.components[c.id],
        isEnabled: (id) => platform.components[id]?.enabled === true,
        isRegistered: (id) => registered.has(id),
        locate: (path, key = false) => at(input.platformFile, path, key),
      }),
    );
  }

  // Groups and roles of spec.access reference each other and services.
  if (platform.access) {
    const names = new Set(services.map((s) => s.name));
    out.push(
      ...accessRules(platform.access, names, input.invalidServices ?? new Set(), (path) =>
        at(input.platformFile, path),
      ),
    );
  }

  // Enabled components have their dependencies enabled.
  for (const c of input.components) {
    if (!platform.components[c.id]?.enabled) continue;
    for (const dep of c.dependsOn) {
      if (platform.components[dep]?.enabled) continue;
      const location =
        at(input.platformFile, ["spec", "components", c.id, "enabled"]) ??
        at(input.platformFile, ["spec", "components", c.id]);
      out.push(
        diag("SW_DEP_DISABLED", `component '${c.id}' depends on '${dep}', which is disabled`, {
          path: ["spec", "components", c.id],
          ...(location ? { location } : {}),
          hint: `Enable '${dep}' (spec.components.${dep}.enabled: true) or disable '${c.id}'.`,
        }),
      );
    }
  }

  // An update constraint only means something for the semver strategy (an x.y.z tag).
  for (const s of services) {
    if (s.updateConstraint === undefined) continue;
    const tag = parseImage(s.image).tag;
    if (tag !== undefined && SEMVER_TAG.test(tag)) continue;
    const location = at(s.file, ["spec", "updateConstraint"]);
    out.push(
      diag(
        "SW_SPEC_UPDATE_CONSTRAINT_UNUSED",
        `service '${s.name}' sets updateConstraint but its image ${s.image} is not pinned to an x.y.z tag`,
        {
          path: ["spec", "updateConstraint"],
          ...(location ? { location } : {}),
          hint: "Image Updater follows semver ranges only for tags such as 1.4.2 or v1.4.2; pin one, or drop updateConstraint.",
        },
      ),
    );
  }
  out.push(...topologyRules(platform, input.platformFile));
  return out;
}
