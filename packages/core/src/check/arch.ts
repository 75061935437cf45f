import { nodeArches } from "../config/environment.js";
import type { PlatformSpec } from "../config/schema.js";
import { type Diagnostic, diag } from "../diagnostics.js";
import type { OutputFile } from "../render/files.js";
import { parseImage } from "../render/image.js";
import type { RenderedObject } from "./input.js";
import { type Finding, withLocations } from "./locate.js";
import { containersOf, podTemplate } from "./workloads.js";

/** A CPU architecture a node may have (`spec.cluster.nodes[].arch`). */
export type Arch = "amd64" | "arm64";

/**
 * The Linux architectures each image Slipway pins (or a chart it deploys pulls) is published for,
 * by repository or repository prefix (ending in `/`). Each is a multi-arch manifest list on its
 * registry as of the pinned versions (the projects' release notes and registry pages; not pulled
 * here, where no registry is reachable). A repository not listed is unknown: see {@link archFindings}.
 */
export const IMAGE_ARCHES: Readonly<Record<string, readonly Arch[]>> = {
  // Pinned by Slipway's own manifests and values.
  "docker.io/hashicorp/vault": ["amd64", "arm64"],
  "docker.io/library/postgres": ["amd64", "arm64"],
  // Multi-arch since stakater/Reloader#186.
  "ghcr.io/stakater/reloader": ["amd64", "arm64"],
  "ghcr.io/open-telemetry/opentelemetry-operator/": ["amd64", "arm64"],
  "ghcr.io/open-telemetry/opentelemetry-collector-releases/": ["amd64", "arm64"],
  // linux/arm64 since 2022.8 (cloudflare/cloudflared Dockerfile.arm64).
  "docker.io/cloudflare/cloudflared": ["amd64", "arm64"],
  "ghcr.io/zitadel/zitadel": ["amd64", "arm64"],
  "quay.io/keycloak/keycloak": ["amd64", "arm64"],
  // Chart defaults (seen with `check --render-charts`).
  "quay.io/argoproj/": ["amd64", "arm64"],
  "quay.io/argoproj-labs/": ["amd64", "arm64"],
  "ghcr.io/dexidp/dex": ["amd64", "arm64"],
  "ecr-public.aws.com/docker/library/redis": ["amd64", "arm64"],
  "docker.io/traefik": ["amd64", "arm64"],
  "ghcr.io/external-secrets/external-secrets": ["amd64", "arm64"],
  "quay.io/jetstack/": ["amd64", "arm64"],
  // Official arm64 images since Istio 1.15.
  "docker.io/istio/": ["amd64", "arm64"],
  "docker.io/grafana/": ["amd64", "arm64"],
  "quay.io/prometheus/": ["amd64", "arm64"],
};

/** `postgres:17` → `docker.io/library/postgres`; `grafana/alloy` → `docker.io/grafana/alloy`. */
export function canonicalRepository(image: string): string {
  const repo = parseImage(image).repository;
  const first = repo.split("/")[0] ?? "";
  const hasRegistry =
    repo.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) return repo;
  return repo.includes("/") ? `docker.io/${repo}` : `docker.io/library/${repo}`;
}

/** The architectures `image` is known to be published for, or undefined when it is not listed. */
export function publishedArches(
  image: string,
  table: Readonly<Record<string, readonly Arch[]>> = IMAGE_ARCHES,
): readonly Arch[] | undefined {
  const repo = canonicalRepository(image);
  const exact = table[repo];
  if (exact) return exact;
  const prefix = Object.keys(table)
    .filter((k) => k.endsWith("/") && repo.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? table[prefix] : undefined;
}

/**
 * Every container image of the rendered objects against the nodes' architectures
 * (`spec.cluster.nodes[].arch`): an image known not to be published for a node's architecture is
 * an error (its pods would crash with `exec format error` there). Images under
 * `ghcr.io/<github.owner>/` are the platform's own services, built for linux/amd64 and linux/arm64
 * by the preset CI (IMAGE_PLATFORMS); any other unlisted image is a warning when a node is not
 * amd64, since nothing here can tell what it is published for.
 */
export function archFindings(
  objects: readonly RenderedObject[],
  platform: Pick<PlatformSpec, "cluster" | "github">,
  table: Readonly<Record<string, readonly Arch[]>> = IMAGE_ARCHES,
): Finding[] {
  const arches = nodeArches(platform.cluster) as Arch[];
  const own = `ghcr.io/${platform.github.owner.toLowerCase()}/`;
  const out: Finding[] = [];
  for (const o of objects) {
    const t = podTemplate(o.object);
    if (!t) continue;
    for (const c of containersOf(t)) {
      const image = c.container.image;
      if (typeof image !== "string") continue;
      const path = [...c.path, "image"];
      const name = `${o.object.kind} ${o.object.metadata.name}`;
      const published = publishedArches(image, table);
      if (published) {
        const missing = arches.filter((a) => !published.includes(a));
        if (missing.length === 0) continue;
        out.push({
          file: o.file,
          doc: o.doc,
          diagnostic: diag(
            "SW_CHECK_IMAGE_ARCH",
            `${name}: ${image} is not published for linux/${missing.join(", linux/")} (nodes: ${arches.join(", ")})`,
            {
              path,
              hint: "Pin an image (or version) published for every node architecture, or keep the workload off those nodes.",
            },
          ),
        });
      } else if (!canonicalRepository(image).startsWith(own) && arches.some((a) => a !== "amd64")) {
        out.push({
          file: o.file,
          doc: o.doc,
          diagnostic: diag(
            "SW_CHECK_IMAGE_ARCH",
            `${name}: cannot tell whether ${image} is published for linux/${arches.join(", linux/")}`,
            {
              severity: "warning",
              path,
              hint: `Check its manifest list (docker buildx imagetools inspect ${image}); Slipway lists the images it knows in check/arch.ts.`,
            },
          ),
        });
      }
    }
  }
  return out;
}

/** {@link archFindings} with file:line:col, for `slipway check`. */
export function archDiagnostics(
  objects: readonly RenderedObject[],
  files: readonly OutputFile[],
  platform: Pick<PlatformSpec, "cluster" | "github">,
): Diagnostic[] {
  return withLocations(archFindings(objects, platform), new Map(files.map((f) => [f.path, f])));
}
