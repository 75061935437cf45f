import { describe, expect, it } from "vitest";
import { archiveEntries } from "../src/archive/entries.js";
import { bufferPool } from "../src/archive/pool.js";
import { zipArchive } from "../src/archive/zip.js";
import { unzipWithModes } from "./helpers.js";

const lockfile = (name: string) =>
  `{ "name": "${name}" }\n${Array.from({ length: 3000 }, (_, i) => `  "dep-${i}": "1.${i % 7}.0",`).join("\n")}\n`;
const project = (name: string) =>
  archiveEntries(
    [
      { path: "README.md", content: `# ${name}\n` },
      { path: "package-lock.json", content: lockfile(name) },
      { path: "bin/run", content: "#!/bin/sh\necho ünïcode\n", mode: 0o755 },
    ],
    "",
  );

describe("zipArchive", () => {
  it("gives the same bytes whatever its caches hold (first sight, second, cached, after others)", () => {
    const first = Buffer.from(zipArchive(project("a")));
    const again = [zipArchive(project("a")), zipArchive(project("a"))];
    zipArchive(project("b"));
    again.push(zipArchive(project("a")));
    for (const bytes of again) expect(Buffer.from(bytes).equals(first)).toBe(true);
    const files = unzipWithModes(first);
    expect(files.get("bin/run")).toMatchObject({ text: "#!/bin/sh\necho ünïcode\n", mode: 0o755 });
    expect(files.get("package-lock.json")?.text).toBe(lockfile("a"));
  });

  it("writes into the buffer it is given", () => {
    const pool = bufferPool();
    const bytes = zipArchive(project("c"), pool.take);
    expect(bytes.equals(zipArchive(project("c")))).toBe(true);
    pool.give(bytes);
    const reused = pool.take(bytes.length - 1);
    expect(reused.buffer).toBe(bytes.buffer);
    expect(pool.take(bytes.length).buffer).not.toBe(bytes.buffer);
  });
});
