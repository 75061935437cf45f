import { escapeMarkdown } from "../text.js";

export interface ReadmeSection {
  /** Stable id so a later customizer can replace a section. */
  readonly id: string;
  readonly title: string;
  /** Markdown; interpolated parameters must already be escaped. An empty body omits the section. */
  readonly body: string;
  /** Sections render by ascending order, then id. */
  readonly order: number;
}

/** The shared README model: each feature contributes a section. */
export class Readme {
  readonly #sections = new Map<string, ReadmeSection>();
  constructor(
    readonly title: string,
    readonly summary: string,
  ) {}

  section(s: ReadmeSection): this {
    this.#sections.set(s.id, s);
    return this;
  }

  render(): string {
    const sections = [...this.#sections.values()].sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1));
    const parts = [`# ${escapeMarkdown(this.title)}`, escapeMarkdown(this.summary)];
    for (const s of sections)
      if (s.body.trim() !== "") parts.push(`## ${s.title}\n\n${s.body.replace(/\n+$/, "")}`);
    return `${parts.join("\n\n")}\n`;
  }
}
