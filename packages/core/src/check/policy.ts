import { diag } from "../diagnostics.js";
import type { CheckInput, RenderedObject } from "./input.js";
import type { Finding } from "./locate.js";

/**
 * A policy rule over the rendered tree. Rules read a {@link CheckInput} (files, objects, apps with
 * their AppSpecs and waves), never the disk, and report findings with a path inside an object.
 * Adding one: a file in `policies/`, an entry in `policies/index.ts`, a passing and a failing fixture.
 */
export interface Policy {
  /** Stable id, e.g. `no-secrets`; the diagnostic code is derived from it. */
  readonly id: string;
  readonly description: string;
  /**
   * Whether the rule also reads the objects charts render (`check --render-charts`). Rules about
   * what is written in Git (files, literals) do not: chart output is never committed.
   * @default false
   */
  readonly chartOutput?: boolean;
  check(input: CheckInput): Iterable<Finding>;
}

/** `no-secrets` → `SW_POLICY_NO_SECRETS`. */
export function policyCode(id: string): string {
  return `SW_POLICY_${id.toUpperCase().replace(/-/g, "_")}`;
}

/** A finding of policy `id` about one object. */
export function objectFinding(
  id: string,
  o: Pick<RenderedObject, "file" | "doc">,
  path: readonly (string | number)[],
  message: string,
  hint: string,
): Finding {
  return { file: o.file, doc: o.doc, diagnostic: diag(policyCode(id), message, { path, hint }) };
}

/** `Kind/name` (with the namespace when known) as messages name objects. */
export function describe(o: RenderedObject, ns?: string): string {
  return `${o.object.kind} ${ns ? `${ns}/` : ""}${o.object.metadata.name}`;
}
