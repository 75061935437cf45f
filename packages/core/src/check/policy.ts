import { type Diagnostic, type DiagOptions, diag } from "../diagnostics.js";
import type { PolicyCode, PolicyCodeOf, PolicyId } from "../errors.js";
import type { CheckInput, RenderedObject } from "./input.js";
import type { Finding } from "./locate.js";

/**
 * A policy rule over the rendered tree. Rules read a {@link CheckInput} (files, objects, apps with
 * their AppSpecs and waves), never the disk, and report findings with a path inside an object.
 * Adding one: a file in `policies/` declaring it with {@link definePolicy}, an entry in
 * `policies/index.ts`, a passing and a failing fixture. Findings carry diagnostics built with
 * {@link objectFinding} or {@link policyDiag} (its code, `SW_POLICY_<ID>`, is derived from the id).
 */
export interface Policy<Id extends string = string> {
  /** Stable id, e.g. `no-secrets`; the diagnostic code is derived from it ({@link policyCode}). */
  readonly id: Id;
  readonly description: string;
  /**
   * Whether the rule also reads the objects charts render (`check --render-charts`). Rules about
   * what is written in Git (files, literals) do not: chart output is never committed.
   * @default false
   */
  readonly chartOutput?: boolean;
  check(input: CheckInput): Iterable<Finding>;
}

/**
 * Declares a policy, keeping its id a literal type: the error catalogue derives the policy codes
 * (`ErrorCode`) from the ids of the registered policies, so a code is never written twice.
 */
export function definePolicy<Id extends string>(policy: Policy<Id>): Policy<Id> {
  return policy;
}

/** `no-secrets` → `SW_POLICY_NO_SECRETS`. */
export function policyCode<Id extends PolicyId>(id: Id): PolicyCodeOf<Id> {
  return `SW_POLICY_${id.toUpperCase().replace(/-/g, "_")}` as PolicyCodeOf<Id>;
}

/**
 * A diagnostic of policy `id`. Policies build theirs with this (or {@link objectFinding}), not with
 * `diag(policyCode(id))`: the catalogue's type derives from the policies, so their bodies must not
 * depend on it (the ids are plain strings here; they are the policies' own).
 */
export function policyDiag(id: string, message: string, opts: DiagOptions = {}): Diagnostic {
  return diag(`SW_POLICY_${id.toUpperCase().replace(/-/g, "_")}` as PolicyCode, message, opts);
}

/** A finding of policy `id` about one object. */
export function objectFinding(
  id: string,
  o: Pick<RenderedObject, "file" | "doc">,
  path: readonly (string | number)[],
  message: string,
  hint: string,
): Finding {
  return { file: o.file, doc: o.doc, diagnostic: policyDiag(id, message, { path, hint }) };
}

/** `Kind/name` (with the namespace when known) as messages name objects. */
export function describe(o: RenderedObject, ns?: string): string {
  return `${o.object.kind} ${ns ? `${ns}/` : ""}${o.object.metadata.name}`;
}
