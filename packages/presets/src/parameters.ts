import type { ErrorCode } from "@slipway/core/lite";
import { z } from "zod";

/**
 * Parameter schemas shared by presets. Every preset's parameters are one strict zod object built from
 * these pieces: types, defaults, the JSON Schema for forms and the error codes all come from here.
 */

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** GitHub user/organization: alphanumerics and single hyphens, not at the ends, at most 39. */
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const JAVA_SEGMENT = /^[a-z_][a-z0-9_]*$/;

// Reserved words and literals that cannot be a package segment.
const JAVA_RESERVED = new Set(
  (
    "abstract assert boolean break byte case catch char class const continue default do double else enum " +
    "extends final finally float for goto if implements import instanceof int interface long native new " +
    "package private protected public return short static strictfp super switch synchronized this throw " +
    "throws transient try void volatile while true false null _"
  ).split(" "),
);

/** True for a Java package name with lowercase segments, such as `com.example.demo`. */
export function isJavaPackage(s: string): boolean {
  if (s.length === 0 || s.length > 200) return false;
  return s.split(".").every((seg) => JAVA_SEGMENT.test(seg) && !JAVA_RESERVED.has(seg));
}

/** Initializr's derivation: `groupId` + `.` + artifactId without characters a package cannot hold. */
export function derivePackageName(groupId: string, artifactId: string): string {
  return `${groupId}.${artifactId.replace(/[^a-z0-9_]/g, "")}`;
}

export const name = z
  .string()
  .regex(DNS_LABEL, { error: "must be a DNS label" })
  .meta({
    title: "Name",
    description: "Service name: repository, image, subdomain and Kubernetes name (a DNS label).",
    examples: ["demo"],
  });

export const owner = z
  .string()
  .regex(GITHUB_OWNER, { error: "must be a GitHub user or organization name" })
  .meta({ title: "Owner", description: "GitHub user or organization that owns the repository and image." });

export const description = z
  .string()
  .min(1)
  .max(200)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a single line of text has no control characters
  .regex(/^[^\u0000-\u001f\u007f]*$/, { error: "must be a single line of text" })
  .default("A service on the Slipway platform")
  .meta({ title: "Description" });

export const system = z
  .string()
  .regex(DNS_LABEL, { error: "must be a DNS label" })
  .default("personal-services")
  .meta({ title: "System", description: "Backstage system the component belongs to." });

export const lifecycle = z
  .enum(["experimental", "production", "deprecated"])
  .default("experimental")
  .meta({ title: "Lifecycle", description: "Backstage lifecycle." });

export const port = z
  .int()
  .min(1024)
  .max(65535)
  .default(8080)
  .meta({ title: "Port", description: "Container port; at least 1024 because the image runs as non-root." });

export const commonShape = { name, owner, description, system, lifecycle, port };

export const groupId = z
  .string()
  .refine(isJavaPackage, {
    error: "must be a Maven group id that is also a Java package, such as com.example",
  })
  .default("com.example")
  .meta({ title: "Group", description: "Maven groupId." });

export const artifactId = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, { error: "must be a Maven artifact id such as demo" })
  .optional()
  .meta({ title: "Artifact", description: "Maven artifactId; defaults to the name." });

export const packageName = z
  .string()
  .refine(isJavaPackage, { error: "must be a Java package name such as com.example.demo" })
  .optional()
  .meta({ title: "Package name", description: "Java package; defaults to groupId + artifactId." });

export const javaVersion = z
  .enum(["21", "25"])
  .default("21")
  .meta({ title: "Java", description: "Java LTS release." });

export const javaShape = { groupId, artifactId, packageName, javaVersion };

interface ParameterError {
  readonly code: ErrorCode;
  readonly hint: string;
}

/** Error code and hint per parameter; describe() maps zod issues through this table. */
export const PARAMETER_ERRORS: Readonly<Record<string, ParameterError>> = {
  name: {
    code: "SW_PRESET_INVALID_NAME",
    hint: "use lowercase letters, digits and '-', starting with a letter, at most 63 characters (e.g. my-service)",
  },
  owner: { code: "SW_PRESET_INVALID_OWNER", hint: "use the GitHub user or organization, e.g. octocat" },
  packageName: {
    code: "SW_PRESET_INVALID_PACKAGE",
    hint: "use dot-separated lowercase identifiers that are not Java keywords, e.g. com.example.demo",
  },
  groupId: {
    code: "SW_PRESET_INVALID_GROUP_ID",
    hint: "use dot-separated lowercase identifiers that are not Java keywords, e.g. com.example",
  },
};
