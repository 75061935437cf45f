import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";
import { type OutputFile, writeTree } from "../../src/index.js";

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(prefix = "slipway-write-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Writes `{path: content}` under `root`, creating directories. */
export function put(root: string, files: Record<string, string>): void {
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
}

export const out = (files: Record<string, string>): OutputFile[] =>
  Object.entries(files).map(([path, content]) => ({ path, content, owner: "test" }));

/** A fresh root holding `inputs` (files a person keeps there) where slipway has written `files`. */
export function written(files: Record<string, string>, inputs: Record<string, string> = {}): string {
  const root = tempDir();
  put(root, inputs);
  writeTree(root, out(files));
  return root;
}

/**
 * Everything under `root`, without following symlinks: `dir`, `file:<content>`, `link:<target>`.
 * Comparing two snapshots proves a tree unchanged byte for byte (dotfiles and empty dirs included).
 */
export function snapshot(root: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (rel: string) => {
    const abs = rel === "" ? root : join(root, rel);
    for (const name of readdirSync(abs).sort()) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const st = lstatSync(join(root, r));
      if (st.isSymbolicLink()) result[r] = `link:${readlinkSync(join(root, r))}`;
      else if (st.isDirectory()) {
        result[r] = "dir";
        walk(r);
      } else if (!st.isFile())
        result[r] = "special"; // a FIFO would block a read
      else result[r] = `file:${readFileSync(join(root, r)).toString("base64")}`;
    }
  };
  walk("");
  return result;
}

export function read(root: string, path: string): string {
  return readFileSync(join(root, path), "utf8");
}

export function owned(root: string): Record<string, string> {
  return (JSON.parse(read(root, ".slipway/owned.json")) as { files: Record<string, string> }).files;
}

/** Runs `fn` and returns the diagnostic codes of the SlipwayError it throws, sorted. */
export function codesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    const ds = (e as { diagnostics?: { code: string }[] }).diagnostics;
    if (!ds) throw e;
    return ds.map((d) => d.code).sort();
  }
  throw new Error("expected an error");
}
