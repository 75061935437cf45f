/**
 * Packs the CLI as one self-contained npm tarball, `slipway-cli-<version>.tgz`: the CLI with the
 * workspace packages it runs (@slipway/core, @slipway/presets, @slipway/onboarding,
 * @slipway/scaffold) and every runtime dependency inside it (`bundleDependencies`), so that
 *
 *   npm install -g ./slipway-cli-<version>.tgz      # or, once published: npm i -g @slipway/cli
 *
 * puts `slipway` on PATH with nothing else to fetch (it installs offline). A plain `npm pack` of
 * packages/cli cannot: its @slipway/* dependencies are workspace links, published nowhere.
 * Run `npm run build` first.
 *
 *   node packages/cli/scripts/pack.ts [--out DIR]     (default DIR: the current directory)
 *
 * Steps: `npm pack` each workspace package (their `files` lists decide what ships); unpack the
 * CLI's into a staging directory; install the workspace tarballs and the registry dependencies
 * there (production only, no scripts, from the npm cache when it has them); mark every
 * dependency bundled; `npm pack` the staging directory.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const outIndex = process.argv.indexOf("--out");
const outDir = resolve(outIndex >= 0 ? (process.argv[outIndex + 1] ?? ".") : ".");
const WORKSPACES = ["core", "presets", "onboarding", "scaffold"] as const;

const npm = (args: string[], cwd: string) =>
  execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    // `npm pack --json` lists every file of the tarball.
    maxBuffer: 1 << 30,
  });

const stage = mkdtempSync(join(tmpdir(), "slipway-pack-"));
try {
  const tarballs = join(stage, "tarballs");
  mkdirSync(tarballs);
  const packed = JSON.parse(
    npm(
      [
        "pack",
        "--json",
        "--ignore-scripts",
        "--pack-destination",
        tarballs,
        ...["cli", ...WORKSPACES].flatMap((w) => ["--workspace", `packages/${w}`]),
      ],
      root,
    ),
  ) as { name: string; filename: string }[];
  const file = (name: string) => {
    const p = packed.find((x) => x.name === name);
    if (!p) throw new Error(`npm pack did not pack ${name}`);
    return join(tarballs, p.filename);
  };
  const pkgDir = join(stage, "package");
  execFileSync("tar", ["-xzf", file("@slipway/cli"), "-C", stage]);

  const manifestFile = join(pkgDir, "package.json");
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as {
    version: string;
    dependencies: Record<string, string>;
    bundleDependencies?: string[];
    devDependencies?: unknown;
  };
  const published = { ...manifest.dependencies };
  // Install the workspace packages from their tarballs, the rest from the registry (or the cache).
  manifest.dependencies = Object.fromEntries(
    Object.entries(published).map(([name, range]) =>
      name.startsWith("@slipway/") ? [name, `file:${file(name)}`] : [name, range],
    ),
  );
  for (const w of WORKSPACES) {
    const name = `@slipway/${w}`;
    manifest.dependencies[name] ??= `file:${file(name)}`;
    published[name] ??= manifest.version;
  }
  delete manifest.devDependencies;
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  npm(
    [
      "install",
      "--omit=dev",
      "--omit=optional",
      "--ignore-scripts",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--install-links",
    ],
    pkgDir,
  );
  // What the tarball declares: the real versions, every one of them bundled.
  manifest.dependencies = published;
  manifest.bundleDependencies = Object.keys(published).sort();
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  mkdirSync(outDir, { recursive: true });
  const [result] = JSON.parse(
    npm(["pack", "--json", "--ignore-scripts", "--pack-destination", outDir], pkgDir),
  ) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
  if (!result) throw new Error("npm pack printed nothing");
  console.log(
    `${join(outDir, result.filename)}: ${(result.size / 2 ** 20).toFixed(1)} MiB packed, ${(result.unpackedSize / 2 ** 20).toFixed(1)} MiB unpacked, ${result.entryCount} files`,
  );
} finally {
  rmSync(stage, { recursive: true, force: true });
}
