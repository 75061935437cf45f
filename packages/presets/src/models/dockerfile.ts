import { pinnedImage } from "./images.js";

export interface DockerStage {
  /** `AS` name; the last stage is the image. */
  readonly name?: string;
  /**
   * The base image: `image:tag@sha256:…`, or a tag in models/images.ts, which {@link pinnedImage} pins by
   * digest (every generated `FROM` is pinned; an unknown unpinned image throws).
   */
  readonly from: string;
  /** Instructions after `FROM`, one per entry (`RUN …`, `COPY …`). */
  readonly instructions: string[];
}

/**
 * The shared Dockerfile model: the preset defines the stages, cross-cutting features add labels to
 * the final image (e.g. `org.opencontainers.image.source`, which links the GHCR package to its repo).
 */
export class Dockerfile {
  readonly stages: DockerStage[] = [];
  readonly #labels = new Map<string, string>();

  stage(stage: DockerStage): this {
    this.stages.push(stage);
    return this;
  }

  label(key: string, value: string): this {
    this.#labels.set(key, value);
    return this;
  }

  isEmpty(): boolean {
    return this.stages.length === 0;
  }

  render(): string {
    const last = this.stages.length - 1;
    const blocks = this.stages.map((s, i) => {
      const out = [`FROM ${pinnedImage(s.from)}${s.name ? ` AS ${s.name}` : ""}`];
      if (i === last) {
        for (const [k, v] of [...this.#labels].sort(([a], [b]) => (a < b ? -1 : 1))) {
          out.push(`LABEL ${k}=${dockerQuote(v)}`);
        }
      }
      out.push(...s.instructions);
      return out.join("\n");
    });
    return `# syntax=docker/dockerfile:1\n\n${blocks.join("\n\n")}\n`;
  }
}

/** A Dockerfile double-quoted word: escapes quotes, backslashes and `$` (which Docker would expand). */
export function dockerQuote(s: string): string {
  if (/[\r\n]/.test(s)) throw new Error("Dockerfile values cannot contain line breaks");
  return `"${s.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}
