const MAX_LENGTH = 2048;
const PLACEHOLDER = "http://return-path.invalid";

/**
 * A same-origin relative path to return to after login, or `"/"`. Anything that could leave the
 * site is refused: absolute and scheme-relative URLs (`//evil`, `/\evil`, `\\evil`), backslashes
 * and control characters (browsers normalise them into slashes), and over-long values.
 */
export function safeReturnPath(candidate: unknown): string {
  if (typeof candidate !== "string" || candidate.length === 0 || candidate.length > MAX_LENGTH) return "/";
  if (!candidate.startsWith("/") || candidate.startsWith("//")) return "/";
  if (/[\\\u0000-\u001f\u007f]/.test(candidate)) return "/";
  let url: URL;
  try {
    url = new URL(candidate, PLACEHOLDER);
  } catch {
    return "/";
  }
  if (url.origin !== PLACEHOLDER) return "/";
  // The auth routes themselves are never a destination: returning to /auth/login would loop.
  if (url.pathname === "/auth" || url.pathname.startsWith("/auth/")) return "/";
  return `${url.pathname}${url.search}`;
}
