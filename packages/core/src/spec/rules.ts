import { type Diagnostic, diag } from "../diagnostics.js";
import type { AnyComponent } from "../render/component.js";
import type { PlatformSpec, ServiceSpec } from "./schema.js";
import type { SourceFile } from "./source.js";

export interface RuleInput {
  readonly platform: PlatformSpec;
  readonly services: readonly ServiceSpec[];
  readonly sources: ReadonlyMap<string, SourceFile>;
  readonly platformFile: string;
  readonly components: readonly AnyComponent[];
}

/** Rules that span fields or files, which a per-file schema cannot express. */
export function crossFieldRules(input: RuleInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { platform, services, sources } = input;
  const at = (file: string, path: (string | number)[], key = false) =>
    sources.get(file)?.locate(path, { key });

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

  // dependsOn names services that exist.
  for (const s of services) {
    s.dependsOn.forEach((d, i) => {
      if (!byName.has(d)) {
        const location = at(s.file, ["spec", "dependsOn", i]);
        out.push(
          diag("SW_SPEC_UNKNOWN_SERVICE", `service '${s.name}' depends on '${d}', which is not declared`, {
            path: ["spec", "dependsOn", i],
            ...(location ? { location } : {}),
            hint: `Add services/${d}.yaml or remove it from dependsOn.`,
          }),
        );
      }
    });
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
  return out;
}
