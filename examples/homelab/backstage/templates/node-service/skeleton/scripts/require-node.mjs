// Run before `npm test` and `npm run dev`: both run the TypeScript sources directly (type
// stripping, test globs), which Node 24 supports and older Node fails on with unrelated-looking errors.
const required = 24;
const major = Number(process.versions.node.split(".")[0]);
if (major < required) {
  console.error(
    `error: this project needs Node ${required} or newer (.node-version, package.json engines); this is Node ${process.versions.node}.\n` +
      "Install Node 24 (e.g. `fnm use` or `nvm use` reads .node-version) and run it again.",
  );
  process.exit(1);
}
