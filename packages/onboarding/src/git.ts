import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  ConflictError,
  type Diagnostic,
  diag,
  InputError,
  type SlipwayError,
  UnavailableError,
} from "@slipway/core";
import type { GeneratedFile } from "@slipway/presets";

/** Who the first commit of a generated repository is by, and when; fixed so its hash is reproducible. */
export interface CommitIdentity {
  readonly name: string;
  readonly email: string;
  /** Seconds since the epoch, UTC (`SOURCE_DATE_EPOCH`). */
  readonly date: number;
}

/** Characters git trims from the ends of a name or email ("crud", ident.c). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: git trims control characters too
const CRUD = /^[\x00-\x20.,:;<>"\\']+|[\x00-\x20.,:;<>"\\']+$/g;

/** A problem with an identity git would rewrite (and so change the commit hash), or undefined. */
export function identityProblem(id: CommitIdentity): string | undefined {
  for (const [field, value] of [
    ["name", id.name],
    ["email", id.email],
  ] as const) {
    if (value === "" || /[<>\n\r\0]/.test(value) || value.replace(CRUD, "") !== value)
      return `the commit ${field} ${JSON.stringify(value)} is empty, or has <, >, a line break or punctuation at an end`;
  }
  if (!Number.isSafeInteger(id.date) || id.date < 0)
    return `the commit date ${id.date} is not seconds since the epoch`;
  return undefined;
}

function gitObject(type: "blob" | "tree" | "commit", body: Buffer): Buffer {
  return createHash("sha1")
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest();
}

interface TreeNode {
  readonly files: Map<string, { hash: Buffer; mode: string }>;
  readonly dirs: Map<string, TreeNode>;
}

function treeHash(node: TreeNode): Buffer {
  // git orders entries by name, a directory as if its name ended in "/".
  const entries = [
    ...[...node.files].map(([name, f]) => ({ key: name, name, mode: f.mode, hash: f.hash })),
    ...[...node.dirs].map(([name, d]) => ({ key: `${name}/`, name, mode: "40000", hash: treeHash(d) })),
  ].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  return gitObject(
    "tree",
    Buffer.concat(entries.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`), e.hash])),
  );
}

/**
 * The hash `git commit` gives `files` as the root commit with this identity and message — computed
 * without git (git's object format: blobs, trees, commit), so a dry run knows the first image tag.
 * {@link commitTree} checks that git agrees before anything is pushed or written.
 */
export function commitHash(files: readonly GeneratedFile[], id: CommitIdentity, message: string): string {
  const root: TreeNode = { files: new Map(), dirs: new Map() };
  for (const f of files) {
    const parts = f.path.split("/");
    const base = parts.pop() as string;
    let node = root;
    for (const seg of parts) {
      let next = node.dirs.get(seg);
      if (next === undefined) {
        next = { files: new Map(), dirs: new Map() };
        node.dirs.set(seg, next);
      }
      node = next;
    }
    const mode = f.mode !== undefined && (f.mode & 0o111) !== 0 ? "100755" : "100644";
    node.files.set(base, { hash: gitObject("blob", Buffer.from(f.content)), mode });
  }
  const who = `${id.name} <${id.email}> ${id.date} +0000`;
  const body = `tree ${treeHash(root).toString("hex")}\nauthor ${who}\ncommitter ${who}\n\n${message}\n`;
  return gitObject("commit", Buffer.from(body)).toString("hex");
}

/**
 * Settings that make a commit independent of the user's git configuration: no hooks, no signing,
 * no line-ending or ignore rewriting. The same files and identity always give the same hash.
 */
export const ISOLATED = [
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "commit.gpgsign=false",
  "-c",
  "core.autocrlf=false",
  "-c",
  "core.fileMode=true",
  "-c",
  "core.excludesFile=/dev/null",
];

const TIMEOUT_MS = 30_000;

/** Options of one git run: where, extra environment, and the HTTPS token for `url`'s host. */
export interface GitRun {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Sent to `url`'s origin only, through the environment (see {@link tokenEnv}). */
  readonly token?: string | undefined;
  readonly url?: string;
}

/**
 * Runs git without a terminal, isolated from prompts. Exported for the branch mode; not part of
 * the package's API.
 */
export function runGit(args: readonly string[], opts: GitRun = {}): SpawnSyncReturns<string> {
  return spawnSync("git", args, {
    cwd: opts.cwd,
    encoding: "utf8",
    timeout: TIMEOUT_MS,
    // Never prompt for credentials: an onboarding run is not interactive and must not hang.
    env: {
      ...process.env,
      GIT_TERMINAL_PROMPT: "0",
      // git's messages in English: remoteFailure() reads them to tell the user's situation.
      LC_ALL: "C",
      GCM_INTERACTIVE: "never",
      // ssh must not ask either (unknown host key, passphrase): fail instead, as unreachable.
      GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? "ssh -o BatchMode=yes",
      ...opts.env,
      ...tokenEnv(opts.url, opts.token),
    },
  });
}

/**
 * The token as git configuration in the environment (`GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n`): an
 * `Authorization: Basic` header (user `x-access-token`, as GitHub expects for app and personal
 * access tokens) scoped to the remote's origin. Never in argv, where `ps` and logs would show it,
 * and never in a URL, where git would store and print it. Empty for non-HTTP remotes.
 */
export function tokenEnv(url: string | undefined, token: string | undefined): NodeJS.ProcessEnv {
  if (token === undefined || token === "" || url === undefined) return {};
  const m = /^(https?:\/\/)(?:[^@/]*@)?([^/]+)/i.exec(url);
  if (m === null) return {};
  // Appended after any GIT_CONFIG_* the caller's environment already sets.
  const n = Number.parseInt(process.env.GIT_CONFIG_COUNT ?? "0", 10) || 0;
  return {
    GIT_CONFIG_COUNT: String(n + 1),
    [`GIT_CONFIG_KEY_${n}`]: `http.${(m[1] as string).toLowerCase()}${m[2]}/.extraHeader`,
    [`GIT_CONFIG_VALUE_${n}`]: `Authorization: Basic ${basicCredentials(token)}`,
  };
}

function basicCredentials(token: string): string {
  return Buffer.from(`x-access-token:${token}`).toString("base64");
}

function mustSucceed(r: SpawnSyncReturns<string>, what: string): string {
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} failed (exit ${String(r.status)}): ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Writes `files` into the empty directory `dir`, makes it a repository on `main` with one commit,
 * and returns the commit's hash. The hash depends only on the files, the identity and the message.
 */
export function commitTree(
  dir: string,
  files: readonly GeneratedFile[],
  identity: CommitIdentity,
  message: string,
): string {
  for (const f of files) {
    const abs = join(dir, f.path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, f.content);
    if (f.mode !== undefined) chmodSync(abs, f.mode);
  }
  mustSucceed(runGit(["init", "-q", "-b", "main", dir]), "git init");
  // -f: the generated .gitignore must not drop a generated file.
  mustSucceed(runGit([...ISOLATED, "add", "-A", "-f"], { cwd: dir }), "git add");
  const env = {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_AUTHOR_DATE: `@${identity.date} +0000`,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
    GIT_COMMITTER_DATE: `@${identity.date} +0000`,
  };
  mustSucceed(
    runGit([...ISOLATED, "commit", "-q", "--no-verify", "-m", message], { cwd: dir, env }),
    "git commit",
  );
  return mustSucceed(runGit(["rev-parse", "HEAD"], { cwd: dir }), "git rev-parse").trim();
}

/** Refs of a remote (`git ls-remote`), or a diagnostic error when it cannot be reached. */
function remoteRefs(url: string, token?: string): Map<string, string> {
  const r = runGit(["ls-remote", "--", url], { url, token });
  if (r.error || r.status !== 0) {
    throw (
      remoteFailure(r, { what: `cannot read the Git remote ${redact(url)}`, token, path: ["push"] }) ??
      new InputError([
        diag("SW_NEW_REMOTE_UNREACHABLE", `cannot read the Git remote ${redact(url)}`, {
          path: ["push"],
          hint: `git ls-remote said: ${redact(firstLine(r.error?.message ?? r.stderr), token)}. Create the empty repository first (e.g. 'gh repo create <owner>/<name> --private'), and check the URL and your credentials.`,
        }),
      ])
    );
  }
  const refs = new Map<string, string>();
  for (const line of r.stdout.split("\n")) {
    const [sha, ref] = line.split("\t");
    if (sha && ref) refs.set(ref, sha);
  }
  return refs;
}

/**
 * Whether the remote already holds exactly this first commit on `main` (a rerun after a push), is
 * empty, or holds something else (refused: the first commit must be ours).
 */
export function remoteState(url: string, commit: string, token?: string): "empty" | "pushed" {
  const refs = remoteRefs(url, token);
  const branches = [...refs.keys()].filter((r) => r !== "HEAD");
  if (branches.length === 0) return "empty";
  if (branches.length === 1 && refs.get("refs/heads/main") === commit) return "pushed";
  throw new ConflictError([
    diag("SW_NEW_REMOTE_NOT_EMPTY", `the Git remote ${redact(url)} is not empty (${branches.length} refs)`, {
      path: ["push"],
      hint: "slipway pushes the first commit of a new repository; create an empty one (no README, licence or .gitignore), or use --repo-out DIR.",
    }),
  ]);
}

/** Pushes `main` of the repository in `dir` to `url` (which must not have a `main` yet). */
export function pushMain(dir: string, url: string, token?: string): void {
  const r = runGit(["push", "-q", "--", url, "refs/heads/main:refs/heads/main"], { cwd: dir, url, token });
  if (r.error || r.status !== 0) {
    const done = "Nothing was written to the platform repository.";
    throw (
      remoteFailure(r, { what: `pushing to ${redact(url)} failed`, token, path: ["push"], done }) ??
      new ConflictError([
        diag("SW_NEW_PUSH_FAILED", `pushing to ${redact(url)} failed`, {
          path: ["push"],
          hint: `git push said: ${redact(firstLine(r.error?.message ?? r.stderr), token)}. ${done} Run again once the remote accepts the push.`,
        }),
      ])
    );
  }
}

/** The situations of the user's that a git command against a remote reports, by its message (LC_ALL=C). */
const SITUATIONS: readonly { readonly test: RegExp; readonly code: RemoteFailureCode }[] = [
  // Before "not found": GitHub answers a private repository it hides from the token with 404 too.
  {
    test: /Authentication failed|could not read (Username|Password)|terminal prompts disabled|returned error: 40[13]|Permission denied \(publickey|Permission to \S+ denied|Invalid username or password/i,
    code: "SW_NEW_GIT_AUTH_REFUSED",
  },
  {
    test: /does not appear to be a git repository|not a git repository|repository '[^']*' (not found|does not exist)|returned error: 404|Repository not found/i,
    code: "SW_NEW_GIT_NOT_A_REPOSITORY",
  },
  {
    test: /\[rejected\]|non-fast-forward|fetch first|Updates were rejected/i,
    code: "SW_NEW_GIT_PUSH_REJECTED",
  },
  {
    test: /Could not resolve (host|proxy)|Failed to connect|Couldn't connect|Connection (refused|reset|timed out)|timed out|Network is unreachable|No route to host|ssh: connect to host|Could not read from remote repository|SSL|certificate/i,
    code: "SW_NEW_GIT_UNREACHABLE",
  },
];

type RemoteFailureCode =
  | "SW_NEW_GIT_AUTH_REFUSED"
  | "SW_NEW_GIT_NOT_A_REPOSITORY"
  | "SW_NEW_GIT_PUSH_REJECTED"
  | "SW_NEW_GIT_UNREACHABLE";

/** What a failed git command against a remote was, for {@link remoteFailure}. */
export interface RemoteStep {
  /** The message's start, naming the remote, e.g. `cannot clone the platform repository https://…`. */
  readonly what: string;
  /** Redacted from git's message. */
  readonly token?: string | undefined;
  /** The parameter that named the remote (`push`, `platformRepo`). */
  readonly path: readonly string[];
  /** What was and was not done before the failure, told in the hint. */
  readonly done?: string;
}

/**
 * The coded error for a git command against a remote that failed through the user's situation —
 * the remote unreachable, credentials refused, no repository at the URL, a push rejected because
 * the remote moved (non-fast-forward) — or undefined when git's message names none of them.
 * Refused and not-a-repository are input (exit 2, HTTP 400): the URL or the token must change; an
 * unreachable remote is unavailable (exit 2, HTTP 503); a rejected push is a conflict (exit 1,
 * HTTP 409): running again settles it.
 */
export function remoteFailure(r: SpawnSyncReturns<string>, step: RemoteStep): SlipwayError | undefined {
  const text = r.error !== undefined ? r.error.message : r.stderr;
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
  const situation = timedOut ? undefined : SITUATIONS.find((s) => s.test.test(text));
  const code = timedOut ? "SW_NEW_GIT_UNREACHABLE" : situation?.code;
  if (code === undefined) return undefined;
  // The line that tells the situation (a push's first line is only "To <url>").
  const line = text
    .split("\n")
    .map((l) => l.trim().replace(/\s+/g, " "))
    .find((l) => situation?.test.test(l));
  const said = `git said: ${redact(line ?? firstLine(text), step.token)}.`;
  const done = step.done !== undefined ? ` ${step.done}` : "";
  const d = (reason: string, hint: string): Diagnostic =>
    diag(code, `${step.what}: ${reason}`, { path: [...step.path], hint: `${said}${done} ${hint}` });
  switch (code) {
    case "SW_NEW_GIT_AUTH_REFUSED":
      return new InputError([
        d(
          "the remote refused the credentials",
          "Give a token that may read and push to it: SLIPWAY_GIT_TOKEN for slipway new, SCAFFOLD_GIT_TOKEN for the scaffold service (GitHub: Contents read and write); for an ssh URL, a key that ssh-agent offers.",
        ),
      ]);
    case "SW_NEW_GIT_NOT_A_REPOSITORY":
      return new InputError([
        d(
          "there is no Git repository at that URL",
          "Check the URL, and create the repository first (e.g. 'gh repo create <owner>/<name> --private'); a host may also answer so for a private repository the token cannot see.",
        ),
      ]);
    case "SW_NEW_GIT_PUSH_REJECTED":
      return new ConflictError([
        d(
          "the remote rejected the push as non-fast-forward: someone pushed there since slipway looked",
          "Run the same command again: it reads the remote as it is now.",
        ),
      ]);
    case "SW_NEW_GIT_UNREACHABLE":
      return new UnavailableError([
        d(
          "the remote cannot be reached",
          "Check the URL's host and port, that this machine reaches it (DNS, proxy, firewall, VPN) and, over https, that it trusts the server's certificate.",
        ),
      ]);
  }
}

/** HEAD of the repository at `dir`, or undefined when it is not one. */
export function headOf(dir: string): string | undefined {
  const r = runGit(["rev-parse", "--verify", "-q", "HEAD"], {
    cwd: dir,
    env: { GIT_CEILING_DIRECTORIES: dirname(dir) },
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** A scheme and `//`, then everything up to the next white space: one URL as text holds it. */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)(\S*)/gi;

/**
 * An `@` followed by a host (name, IPv4 or bracketed IPv6), an optional port, and then the end of
 * the authority (`/`, `?`, `#`), the end of the URL, or punctuation that quotes it in a message.
 */
const AT_HOST = /@(?:[a-z0-9._~-]+|\[[0-9a-f:.]+\])(?::\d*)?(?=[/?#'"<>),;\]]|$)/gi;

/**
 * Drops credentials before text is printed: the user info of URLs in it and, given the token, the
 * token itself and the header value made from it.
 *
 * A password may hold a raw `@`, `:` or `/` (git accepts `https://u:p/w@host/x`), so the user info
 * is not cut at the first `/` as a URL parser would: everything from `//` to the last `@` that is
 * followed by a valid host is dropped. This errs towards hiding too much (a URL with an `@`
 * followed by a host-like word in its path or query loses that part as well), never too little.
 */
export function redact(text: string, token?: string): string {
  let out = text.replace(URL_IN_TEXT, (_match, scheme: string, rest: string) => {
    let last = -1;
    for (const m of rest.matchAll(AT_HOST)) last = m.index;
    // No host after any `@` (`https://u:p@`, a URL cut short): still hide up to the last `@`.
    if (last === -1) last = rest.lastIndexOf("@");
    return last === -1 ? `${scheme}${rest}` : `${scheme}***${rest.slice(last)}`;
  });
  if (token !== undefined && token !== "") {
    for (const secret of [basicCredentials(token), token]) out = out.split(secret).join("***");
  }
  return out;
}

export function firstLine(s: string): string {
  return (
    s
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ?? "no output"
  );
}
