import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { check } from "../../src/check/check.js";
import { components } from "../../src/components/index.js";
import { InputError } from "../../src/diagnostics.js";
import { type AnyComponent, defineComponent } from "../../src/render/component.js";
import type { WorkloadCustomizer } from "../../src/render/workload.js";
import { renderPlatform } from "../../src/synth.js";
import { whoami } from "../example-component/whoami/index.js";
import { declarationProblems, renderEverything, renderProblems } from "../helpers/component-contract.js";
import { renderComponents, writePlatform } from "../helpers/component-fixture.js";
import { SCHEMA_DIR } from "../helpers/strict-schema.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const folderOf = (id: string) => here(`../../src/components/${id}`);
const WHOAMI_FOLDER = here("../example-component/whoami");

describe("component contract: every registered component", () => {
  const tree = renderEverything();
  for (const c of components) {
    it(`${c.id} declares what it does`, () => {
      expect(declarationProblems(c, folderOf(c.id))).toEqual([]);
      expect(renderProblems(c, components, tree)).toEqual([]);
    });
  }
});

describe("component contract: the example component (whoami)", () => {
  const registry = [...components, whoami];
  const tree = renderEverything([whoami], { whoami: { enabled: true } });

  it("is the one docs/guides/adding-a-component.md shows, as it would be in src/components/whoami", () => {
    const guide = readFileSync(here("../../../../docs/guides/adding-a-component.md"), "utf8");
    const snippet = /```ts\n([\s\S]*?)```/.exec(guide)?.[1] ?? "";
    const source = readFileSync(`${WHOAMI_FOLDER}/index.ts`, "utf8").replaceAll("../../../src/", "../../");
    expect(snippet.length).toBeGreaterThan(0);
    expect(source).toContain(snippet);
  });

  it("keeps the contract", () => {
    expect(declarationProblems(whoami, WHOAMI_FOLDER)).toEqual([]);
    expect(renderProblems(whoami, registry, tree)).toEqual([]);
  });

  it("renders its Application, Deployment and Service, and the gateway routes its hostname", () => {
    expect(tree.read("argocd/applications/whoami.yaml")).toMatchObject({
      kind: "Application",
      spec: { destination: { namespace: "whoami" } },
    });
    const deployment = tree.read("k8s/helm/manifests/whoami/deployment-whoami.yaml");
    expect(deployment.spec.template.spec.containers[0].image).toBe("docker.io/traefik/whoami:v1.10.1");
    const route = tree
      .objects("k8s/helm/manifests/traefik/")
      .find((o) => o.kind === "HTTPRoute" && o.spec.hostnames.includes("whoami.example.dev"));
    expect(route?.spec.rules[0].backendRefs[0]).toMatchObject({
      name: "whoami",
      namespace: "whoami",
      port: 80,
    });
    expect(tree.read("k8s/helm/manifests/namespaces/namespace-whoami.yaml")).toMatchObject({
      kind: "Namespace",
    });
  });

  it("passes slipway check (strict schemas and every policy)", async () => {
    const t = renderComponents({ whoami: { enabled: true } }, [whoami]);
    const r = await check(
      { files: t.fileList, apps: t.session.apps },
      { schemaDir: SCHEMA_DIR, kubernetesVersion: "1.32" },
    );
    expect(r.diagnostics.map((d) => `${d.code} ${d.location?.file}: ${d.message}`)).toEqual([]);
  });

  it("reserves its namespace: a service placed there is refused at its line, before render", () => {
    // whoami is off (and not even named in platform.yaml): its namespace is reserved all the same.
    const file = writePlatform({}, { whoami: { image: "ghcr.io/o/w:1.0.0", port: 8080 } });
    const refused = (() => {
      try {
        renderPlatform(file, registry);
      } catch (e) {
        if (e instanceof InputError) return e.diagnostics;
      }
      return [];
    })();
    expect(refused.map((d) => [d.code, d.path, d.location?.line])).toEqual([
      ["SW_SPEC_RESERVED_NAMESPACE", ["metadata", "name"], 4],
    ]);
    // Without whoami registered, the name is free.
    expect(() => renderPlatform(file, components)).not.toThrow();
  });
});

describe("component contract: a component that forgets a declaration fails, naming it", () => {
  const problems = (broken: AnyComponent) =>
    renderProblems(
      broken,
      [...components, broken],
      renderEverything([broken], { whoami: { enabled: true } }),
    );

  it("a namespace it plans and renders into", () => {
    const { namespaces: _forgotten, ...rest } = whoami;
    expect(problems(defineComponent(rest))).toEqual([
      "component 'whoami' plans namespace 'whoami' but does not declare it in namespaces",
      "component 'whoami' renders Deployment/whoami into namespace 'whoami', which neither it nor a component it syncs after declares in namespaces",
      "component 'whoami' renders Service/whoami into namespace 'whoami', which neither it nor a component it syncs after declares in namespaces",
      "component 'whoami' renders Application whoami into namespace 'whoami', which neither it nor a component it syncs after declares in namespaces",
    ]);
  });

  it("a hostname it routes itself", () => {
    const routesItself = defineComponent({
      ...whoami,
      *contribute(ctx) {
        for (const contribution of whoami.contribute(ctx)) {
          if (contribution.type !== "app") continue;
          const route = {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata: { name: "whoami-extra", namespace: "whoami" },
            spec: { hostnames: ["extra.example.dev"] },
          };
          yield {
            ...contribution,
            app: { ...contribution.app, manifests: [...(contribution.app.manifests ?? []), route] },
          };
        }
      },
    });
    expect(problems(routesItself)).toEqual([
      "component 'whoami' routes host 'extra.example.dev' (HTTPRoute/whoami-extra) without declaring it in plan.hostnames",
    ]);
  });

  it("a capability its workload customizer serves", () => {
    const greeting: WorkloadCustomizer = {
      id: "whoami-greeting",
      applies: (s) => s.auth === "oidc",
      customize: (m) => void m.env.set("WHOAMI_GREETING", { value: "hello" }),
    };
    const adjusts = defineComponent({
      ...whoami,
      plan(ctx) {
        whoami.plan?.(ctx);
        ctx.plan.workloadCustomizers.push(greeting);
      },
    });
    expect(problems(adjusts)).toEqual([
      "component 'whoami' adjusts service 'oidc' (customizer 'whoami-greeting') for a feature it declares no capability for (capabilities)",
      "component 'whoami' provides to services, but services do not sync after it: add before: [\"services\"]",
    ]);
  });

  it("an id that is not its folder, and an undocumented config field", () => {
    const misnamed = defineComponent({
      ...whoami,
      id: "who-am-i",
      config: whoami.config.extend({ colour: whoami.config.shape.subdomain.unwrap() }),
    });
    expect(declarationProblems(misnamed, WHOAMI_FOLDER)).toEqual([
      "component 'who-am-i' lives in folder 'whoami'; name it 'who-am-i'",
      `component 'who-am-i' is not defined in ${WHOAMI_FOLDER}/index.ts`,
      "component 'who-am-i' config field 'colour' has no description (.describe())",
    ]);
  });
});
