import type { z } from "zod";
import { derivePackageName, isJavaPackage } from "../../parameters.js";

/** The package derived from groupId + artifactId must itself be valid (e.g. name `class` is not). */
export function checkDerivedPackage(
  p: { name: string; groupId: string; artifactId?: string | undefined; packageName?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  // Refinements also run when fields failed; only judge the derivation from valid parts.
  if (p.packageName !== undefined || typeof p.groupId !== "string" || !isJavaPackage(p.groupId)) return;
  if (typeof p.name !== "string" || !/^[a-z]/.test(p.artifactId ?? p.name)) return;
  const derived = derivePackageName(p.groupId, p.artifactId ?? p.name);
  if (!isJavaPackage(derived)) {
    ctx.addIssue({
      code: "custom",
      path: ["packageName"],
      input: derived,
      message: `the derived package ${derived} is not a valid Java package; set packageName`,
    });
  }
}
