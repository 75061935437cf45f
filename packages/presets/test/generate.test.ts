import {
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
} from "@backstage/catalog-model";
import { expect, describe as group, it } from "vitest";
import { parse } from "yaml";
import { FileCollector, textFile } from "../src/files.js";
import { describe, generate, getPreset, unsafePathReason } from "../src/index.js";
import { expectValidWorkflow, fileOf, generateSample, SAMPLE_REQUESTS } from "./helpers/project.js";

const cases = SAMPLE_REQUESTS.map(([id, req]) => [`${id} ${String(req.name)}`, id, req] as const);

group.each(cases)("%s", (_label, presetId, request) => {
  const files = generateSample(presetId, request);
  const d = describe(presetId, request);

  it("is deterministic: generating twice is byte-identical", () => {
    expect(generateSample(presetId, { ...request })).toEqual(files);
  });

  it("returns files sorted by path, with safe relative paths and no duplicates", () => {
    const paths = files.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    expect(new Set(paths).size).toBe(paths.length);
    for (const p of paths) expect(unsafePathReason(p), p).toBeUndefined();
  });

  it("marks only scripts with a shebang as executable", () => {
    for (const f of files) {
      if (f.mode !== undefined) expect(f.mode, f.path).toBe(0o755);
      expect(f.mode === 0o755, f.path).toBe(f.content.startsWith("#!"));
    }
  });

  it("has the files every platform service has", () => {
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "Dockerfile",
        ".github/workflows/ci.yaml",
        "catalog-info.yaml",
        "README.md",
        ".slipway.json",
        ".gitignore",
        ".dockerignore",
      ]),
    );
    const source = files.filter((f) => /\.(java|ts|conf)$/.test(f.path)).map((f) => f.content);
    expect(source.some((c) => c.includes("/healthz"))).toBe(true);
    expect(
      source.join("\n").includes("readyz") ||
        fileOf(files, "src/main/resources/application.yaml").includes("readyz"),
    ).toBe(true);
    expect(files.some((f) => /(^|\/)test\/|Test(s)?\.java$/.test(f.path))).toBe(true);
  });

  it("builds a multi-stage image that runs as a numeric non-root user", () => {
    const dockerfile = fileOf(files, "Dockerfile");
    const stages = dockerfile.split("\n").filter((l) => l.startsWith("FROM "));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const final = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    const user = /^USER (\d+)(?::(\d+))?$/m.exec(final);
    expect(user, "final stage sets USER uid").not.toBeNull();
    expect(Number(user?.[1])).toBeGreaterThan(0);
    expect(final).toContain(`EXPOSE ${d.parameters.port}`);
    expect(final).toContain(`LABEL org.opencontainers.image.source="${d.repository.url}"`);
    // Free text reaches the Dockerfile only quoted, with `$` escaped against expansion.
    const label = /^LABEL org\.opencontainers\.image\.description=(.*)$/m.exec(final)?.[1] ?? "";
    expect(JSON.parse(label.replaceAll("\\$", "$"))).toBe(d.parameters.description);
  });

  it("has a CI workflow valid against the GitHub workflow schema that pushes only from main", () => {
    const workflow = parse(fileOf(files, ".github/workflows/ci.yaml"));
    expectValidWorkflow(workflow);

    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(workflow.permissions).toEqual({ contents: "read" });
    const steps = Object.values(
      workflow.jobs as Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>,
    ).flatMap((j) => j.steps);
    for (const s of steps)
      if (s.uses) expect(s.uses, "actions pinned by commit SHA").toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
    expect(steps.some((s) => /npm test|mvn .*verify/.test(JSON.stringify(s)))).toBe(true);

    const image = workflow.jobs.image;
    expect(image.permissions).toEqual({ contents: "read", packages: "write" });
    const login = image.steps.find((s: { uses?: string }) => s.uses?.startsWith("docker/login-action@"));
    expect(login.with).toEqual({
      registry: "ghcr.io",
      username: "${{ github.actor }}",
      password: "${{ secrets.GITHUB_TOKEN }}",
    });
    const build = image.steps.find((s: { uses?: string }) => s.uses?.startsWith("docker/build-push-action@"));
    expect(build.with.tags).toBe(`${d.image}:sha-\${{ github.sha }}`);
    // The push condition and the login condition are the same expression: pushes to main only.
    expect(build.with.push).toBe(`\${{ ${login.if} }}`);
    expect(login.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
  });

  it("has a catalog-info.yaml that Backstage accepts as a Component", async () => {
    const entity = parse(fileOf(files, "catalog-info.yaml"));
    const policy = EntityPolicies.allOf([
      new DefaultNamespaceEntityPolicy(),
      new NoForeignRootFieldsEntityPolicy(),
      new FieldFormatEntityPolicy(),
      new SchemaValidEntityPolicy(),
    ]);
    await expect(policy.enforce(entity)).resolves.toBeDefined();
    expect(await componentEntityV1alpha1Validator.check(entity)).toBe(true);
    expect(entity.spec).toMatchObject({
      owner: d.parameters.owner,
      system: d.parameters.system,
      lifecycle: d.parameters.lifecycle,
      type: getPreset(presetId).componentType,
    });
    expect(entity.metadata.annotations).toEqual({
      "github.com/project-slug": d.repository.slug,
      "backstage.io/source-location": `url:${d.repository.url}/`,
    });
  });

  it("records preset, version and parameters in .slipway.json, enough to describe the project again", () => {
    const record = JSON.parse(fileOf(files, ".slipway.json"));
    expect(record.preset).toEqual({ id: presetId, version: getPreset(presetId).version });
    expect(generate(describe(record.preset.id, record.parameters))).toEqual(files);
  });

  it("tells in the README how to run it locally", () => {
    const readme = fileOf(files, "README.md");
    expect(readme).toMatch(/^## Run locally$/m);
    expect(readme).toContain(`localhost:${d.parameters.port}`);
  });
});

group("free text", () => {
  const evil = `</description><x>&"' $HOME \`rm\` <script>alert(1)</script>`;
  it.each(["spring-boot-postgres-oidc", "spring-boot-microservice", "static-frontend", "node-service"])(
    "%s escapes the description wherever a template interpolates it",
    (id) => {
      const files = generateSample(id, { name: "x", owner: "o", description: evil });
      for (const f of files) {
        if (/\.(html|xml)$/.test(f.path)) expect(f.content, f.path).not.toContain("<script>");
        if (/\.(java|ts|js|mjs|conf|sql)$/.test(f.path)) expect(f.content, f.path).not.toContain(evil);
      }
      expect(parse(fileOf(files, "catalog-info.yaml")).metadata.description).toBe(evil);
      expect(JSON.parse(fileOf(files, ".slipway.json")).parameters.description).toBe(evil);
    },
  );

  it("generate() validates a description again, e.g. one edited in storage", () => {
    const d = describe("node-service", { name: "ok", owner: "o" });
    expect(() => generate({ ...d, parameters: { ...d.parameters, name: "../../etc" } })).toThrow(
      expect.objectContaining({ diagnostics: [expect.objectContaining({ code: "SW_PRESET_INVALID_NAME" })] }),
    );
  });
});

group("node-service lockfile", () => {
  it("matches the generated package.json, with the project's name, and pins every package by integrity", () => {
    const files = generateSample("node-service", { name: "my-api", owner: "octocat" });
    const pkg = JSON.parse(fileOf(files, "package.json"));
    const lock = JSON.parse(fileOf(files, "package-lock.json"));
    expect(lock.name).toBe("my-api");
    expect(lock.packages[""]).toMatchObject({
      name: "my-api",
      version: pkg.version,
      dependencies: pkg.dependencies,
      devDependencies: pkg.devDependencies,
    });
    for (const deps of [pkg.dependencies, pkg.devDependencies]) {
      for (const v of Object.values(deps)) expect(v, "exact version").toMatch(/^\d+\.\d+\.\d+$/);
    }
    for (const [path, entry] of Object.entries(lock.packages as Record<string, { integrity?: string }>)) {
      if (path !== "") expect(entry.integrity, path).toMatch(/^sha512-/);
    }
  });
});

group("performance", () => {
  it("generates any preset in a few milliseconds, without I/O after the first call", () => {
    for (const [id, request] of SAMPLE_REQUESTS) {
      generateSample(id, request);
      const runs = 50;
      const start = performance.now();
      for (let i = 0; i < runs; i++) generateSample(id, request);
      const perRun = (performance.now() - start) / runs;
      console.log(`generate ${id}: ${perRun.toFixed(2)} ms`);
      expect(perRun).toBeLessThan(25);
    }
  });
});

group("a preset bug", () => {
  it("is an internal error naming its catalogued code: an unsafe path, a file generated twice", () => {
    const files = new FileCollector();
    expect(() => files.add(textFile("../x", ""))).toThrow(
      /^SW_PRESET_UNSAFE_PATH: generated path "\.\.\/x" is unsafe/,
    );
    files.add(textFile("a.txt", "1"));
    expect(() => files.add(textFile("a.txt", "2"))).toThrow(
      /^SW_PRESET_DUPLICATE_FILE: two contributors generated a\.txt$/,
    );
  });
});
