/**
 * `returnTo` values that must never send a browser anywhere but this site after login (issue 16:
 * `/.//evil.example` came back as `//evil.example`). Shared by the sanitizer's unit test and the
 * real login flows (production OIDC and `--dev`), so a variant added here is tried everywhere.
 */
export const HOSTILE_RETURN_PATHS: readonly string[] = [
  "//evil.example",
  "///evil.example",
  "/.//evil.example",
  "/..//evil.example",
  "/././/evil.example",
  "/a/..//evil.example",
  "/\\evil.example",
  "/./\\evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  "/%2F%2Fevil.example",
  "/%2f/evil.example",
  "%2F%2Fevil.example",
  "/%5Cevil.example",
  "/%5C%5Cevil.example",
  "/.%2F%2Fevil.example",
  "/%252F%252Fevil.example",
  "https://evil.example",
  "http:evil.example",
  "//evil.example/x",
  "javascript:alert(1)",
  "/\tevil",
  "/\t/evil.example",
  "/\n/evil.example",
  "/%09/evil.example",
  "/%0a/evil.example",
  "evil.example",
];

/** Same-origin paths that pass through unchanged. */
export const SAFE_RETURN_PATHS: readonly string[] = [
  "/",
  "/new?preset=x",
  "/a#b",
  "/explore?preset=node&x=1",
];
