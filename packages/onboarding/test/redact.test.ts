import { describe, expect, it } from "vitest";
import { redact } from "../src/git.js";

// Issue 16: a password holding `@` was partly shown, one holding `/` wholly.
const CASES: readonly (readonly [string, string, string])[] = [
  ["user and password", "https://u:s3cret@h.example/o/r.git", "https://***@h.example/o/r.git"],
  ["@ in the password", "https://u:p@ss@h.example/o/r.git", "https://***@h.example/o/r.git"],
  ["/ in the password", "https://u:p/ss@h.example/o/r.git", "https://***@h.example/o/r.git"],
  ["@ and / in the password", "https://u:a@b/c@h.example/o/r", "https://***@h.example/o/r"],
  [": in the password", "https://u:p:ss@h.example:8443/o/r", "https://***@h.example:8443/o/r"],
  ["%40 in the password", "https://u:p%40ss@h.example/o/r", "https://***@h.example/o/r"],
  ["? and # in the password", "https://u:p?s#s@h.example/o/r", "https://***@h.example/o/r"],
  ["token only", "https://ghp_abc123@github.com/o/r.git", "https://***@github.com/o/r.git"],
  ["IPv6 host", "http://u:p/w@[::1]:3000/o/r", "http://***@[::1]:3000/o/r"],
  ["no credentials", "https://h.example/o/r.git", "https://h.example/o/r.git"],
  ["no path", "https://u:p/w@h.example", "https://***@h.example"],
  // Red-team rerun: with nothing after the `@`, the password was printed.
  ["no host", "https://u:pa55w0rd@", "https://***@"],
  ["no host, quoted", "cannot reach 'https://u:pa55w0rd@'", "cannot reach 'https://***@'"],
  ["ssh URL", "ssh://git@h.example/o/r.git", "ssh://***@h.example/o/r.git"],
  ["scp-like, no credentials", "git@github.com:o/r.git", "git@github.com:o/r.git"],
  [
    "quoted in git's message",
    "fatal: unable to access 'https://u:p/w@ss@h.example/o/r/': 403",
    "fatal: unable to access 'https://***@h.example/o/r/': 403",
  ],
  [
    "two URLs in one line",
    "from https://a:x/y@h1.example/r to https://b:z@w@h2.example/r",
    "from https://***@h1.example/r to https://***@h2.example/r",
  ],
];

describe("redact: the user info of a push URL never shows", () => {
  it.each(CASES)("%s", (_name, input, expected) => {
    expect(redact(input)).toBe(expected);
    for (const secret of ["s3cret", "p@ss", "p/ss", "a@b/c", "p:ss", "p%40ss", "ghp_abc123", "pa55w0rd"]) {
      expect(redact(input)).not.toContain(secret);
    }
  });
});
