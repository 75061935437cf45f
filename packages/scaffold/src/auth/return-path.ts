const MAX_LENGTH = 2048;
const PLACEHOLDER = "http://return-path.invalid";
/** Percent-decoding rounds tried: a proxy or framework may decode once more than expected. */
const DECODE_ROUNDS = 3;

/**
 * A same-origin path to return to after login, or `"/"`: the value parsed against a placeholder
 * origin and re-serialised from pathname, search and hash. Anything that could leave the site is
 * refused: absolute and scheme-relative URLs (`//evil`, `/\evil`, `\\evil`), paths that become
 * one once dot segments are removed (`/.//evil`, `/..//evil`) or once percent-decoded
 * (`/%2F%2Fevil`, `/%5Cevil`), backslashes and control characters raw or encoded (browsers drop
 * tabs and newlines and read `\` as `/`), the auth routes themselves, and over-long values.
 *
 * @example safeReturnPath("/new?preset=x") // "/new?preset=x"
 * @example safeReturnPath("/.//evil.example") // "/"
 */
export function safeReturnPath(candidate: unknown): string {
  if (typeof candidate !== "string" || candidate.length === 0 || candidate.length > MAX_LENGTH) return "/";
  if (!candidate.startsWith("/") || offSite(candidate)) return "/";
  const url = parse(candidate);
  // The browser resolves the Location header we send, which is this pathname, not the candidate.
  if (url === undefined || offSite(url.pathname)) return "/";
  let decoded = url.pathname;
  for (let round = 0; round < DECODE_ROUNDS && decoded.includes("%"); round++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      return "/";
    }
    // Decoded, it must still be a plain path, also once its dot segments are resolved.
    if (offSite(decoded) || !sameSite(decoded)) return "/";
  }
  // Still an encoded slash or backslash after every round: refuse rather than peel on.
  if (/%(?:2f|5c)/i.test(decoded)) return "/";
  // The auth routes themselves are never a destination: returning to /auth/login would loop.
  if (decoded === "/auth" || decoded.startsWith("/auth/")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Reads as another host (`//h`, `/\h`) or holds what a browser rewrites (`\`, control characters). */
function offSite(path: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what browsers rewrite
  return path.startsWith("//") || path.startsWith("/\\") || /[\\\u0000-\u001f\u007f]/.test(path);
}

/** The value resolved against the placeholder origin, when it stays on it. */
function parse(value: string): URL | undefined {
  try {
    const url = new URL(value, PLACEHOLDER);
    return url.origin === PLACEHOLDER ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Stays on this site with its dot segments resolved. */
function sameSite(path: string): boolean {
  const url = parse(path);
  return url !== undefined && !offSite(url.pathname);
}
