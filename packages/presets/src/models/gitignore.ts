/** The shared `.gitignore` model: features add patterns under a section; one contributor renders it. */
export class GitIgnore {
  readonly #sections = new Map<string, string[]>();

  add(section: string, ...patterns: readonly string[]): this {
    const list = this.#sections.get(section) ?? [];
    for (const p of patterns) if (!list.includes(p)) list.push(p);
    this.#sections.set(section, list);
    return this;
  }

  isEmpty(): boolean {
    return this.#sections.size === 0;
  }

  render(): string {
    return `${[...this.#sections].map(([title, patterns]) => [`# ${title}`, ...patterns].join("\n")).join("\n\n")}\n`;
  }
}
