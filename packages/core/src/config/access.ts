import { z } from "zod";
import { type Diagnostic, diag } from "../diagnostics.js";
import { dnsLabel } from "./primitives.js";

/**
 * `spec.access` of platform.yaml: the groups of people the platform knows, and which role each group
 * holds in each platform UI (ADR 0012). Groups are declared once and referenced by name; the
 * identity provider gets one role (ZITADEL) or group (Keycloak) per declared group, and every UI reads
 * the same `groups` claim, so adding a person to a group is one change in the identity provider.
 */

const groupName = dnsLabel.describe(
  "Group name: the role key (ZITADEL) or group (Keycloak) people are put in",
);

const groupList = z.array(groupName).default([]);

const group = z.strictObject({
  name: groupName,
  description: z.string().optional().describe("What the group is for (shown in the identity provider)"),
  /**
   * Services this group works on: Argo CD sync and Vault secrets of the group's `developer` roles
   * are limited to them. Omitted: every service.
   */
  services: z
    .array(dnsLabel)
    .optional()
    .describe("Services the group works on (sync in Argo CD, secrets in Vault); omitted: all services"),
});

export const accessSchema = z.strictObject({
  /** The groups; every role below names groups declared here. */
  groups: z.array(group).min(1, { error: "declare at least one group" }).describe("The platform's groups"),
  /** Argo CD: `admin` is role:admin, `deployer` reads everything and syncs its services, `readonly` reads. */
  argocd: z
    .strictObject({
      admin: groupList.describe("Groups with role:admin (everything, settings included)"),
      deployer: groupList.describe(
        "Groups that read everything and sync, run actions and read logs of their services",
      ),
      readonly: groupList.describe("Groups with role:readonly"),
    })
    .optional()
    .describe("Argo CD roles by group: admin, deployer (sync its services), readonly"),
  /** Grafana (deploy mode): organization roles Admin, Editor, Viewer. */
  grafana: z
    .strictObject({
      admin: groupList.describe("Groups with the Admin organization role"),
      editor: groupList.describe("Groups with the Editor role (dashboards, explore)"),
      viewer: groupList.describe("Groups with the Viewer role"),
    })
    .optional()
    .describe("Grafana organization roles by group: admin, editor, viewer"),
  /** Vault UI and CLI (OIDC): `admin` manages everything, `developer` its services' secrets. */
  vault: z
    .strictObject({
      admin: groupList.describe("Groups with the sso-admin policy (everything, sudo)"),
      developer: groupList.describe(
        "Groups that manage their services' secrets under kv/services/<name>/ only",
      ),
    })
    .optional()
    .describe("Vault policies by group: admin, developer (its services' secrets only)"),
  /**
   * Backstage (ADR 0019): only people in one of these groups may sign in; `admin` may do
   * everything, `developer` reads the catalog and runs templates.
   */
  backstage: z
    .strictObject({
      admin: groupList.describe("Groups that may do everything in Backstage"),
      developer: groupList.describe("Groups that read the catalog and run Software Templates"),
    })
    .optional()
    .describe("Backstage sign-in and permissions by group: admin, developer; people in no group are refused"),
});

export type AccessSpec = z.output<typeof accessSchema>;
export type AccessGroup = AccessSpec["groups"][number];

/** The UIs whose roles platform.yaml maps to groups, and each one's roles. */
export const ACCESS_UIS = {
  argocd: ["admin", "deployer", "readonly"],
  grafana: ["admin", "editor", "viewer"],
  vault: ["admin", "developer"],
  backstage: ["admin", "developer"],
} as const;
export type AccessUi = keyof typeof ACCESS_UIS;

/** Groups holding `role` in `ui`, in declaration order of the groups (empty when the UI has no SSO). */
export function groupsWithRole<U extends AccessUi>(
  access: AccessSpec,
  ui: U,
  role: (typeof ACCESS_UIS)[U][number],
): AccessGroup[] {
  const section = access[ui] as Record<string, string[]> | undefined;
  const names = new Set(section?.[role] ?? []);
  return access.groups.filter((g) => names.has(g.name));
}

/** Services a group works on: its list, or every service. */
export const groupServices = (g: AccessGroup, all: readonly string[]): string[] =>
  [...(g.services ?? all)].sort();

type Locate = (path: (string | number)[]) => Diagnostic["location"] | undefined;

/**
 * References inside `spec.access`: every role names a declared group, groups are unique, and a
 * group's services exist. `locate` turns a path into file:line:col.
 */
export function accessRules(
  access: AccessSpec,
  serviceNames: ReadonlySet<string>,
  invalidServices: ReadonlySet<string>,
  locate: Locate,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (path: (string | number)[]) => {
    const location = locate(path);
    return { path, ...(location ? { location } : {}) };
  };
  const declared = new Set<string>();
  access.groups.forEach((g, i) => {
    if (declared.has(g.name)) {
      out.push(
        diag("SW_ACCESS_DUPLICATE_GROUP", `group '${g.name}' is declared twice`, {
          ...at(["spec", "access", "groups", i, "name"]),
          hint: "Each group is declared once; merge the two entries.",
        }),
      );
    }
    declared.add(g.name);
    (g.services ?? []).forEach((s, j) => {
      if (serviceNames.has(s) || invalidServices.has(s)) return;
      out.push(
        diag("SW_ACCESS_UNKNOWN_SERVICE", `group '${g.name}' names service '${s}', which is not declared`, {
          ...at(["spec", "access", "groups", i, "services", j]),
          hint: `Add services/${s}.yaml or remove '${s}' from the group's services.`,
        }),
      );
    });
  });
  for (const ui of Object.keys(ACCESS_UIS) as AccessUi[]) {
    const section = access[ui] as Record<string, string[]> | undefined;
    if (!section) continue;
    for (const role of ACCESS_UIS[ui]) {
      (section[role] ?? []).forEach((name, i) => {
        if (declared.has(name)) return;
        out.push(
          diag(
            "SW_ACCESS_UNKNOWN_GROUP",
            `access.${ui}.${role} names group '${name}', which is not declared`,
            {
              ...at(["spec", "access", ui, role, i]),
              hint: `Declare it under spec.access.groups (- name: ${name}), or use one of: ${[...declared].join(", ")}.`,
            },
          ),
        );
      });
    }
  }
  return out;
}
