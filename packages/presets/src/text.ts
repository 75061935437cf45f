/**
 * Escaping for the places where a parameter is interpolated into a text template. Parameters are
 * already validated (names are DNS labels, packages are Java packages), so these guard the free-text
 * ones (description) and keep every template honest about which syntax it writes into.
 */

/** Text content or attribute value in XML/HTML. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

const XML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Inline Markdown text: backslash-escapes the characters that start Markdown or HTML syntax. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`).replace(/^([#+=-])/, "\\$1");
}

/** A Java or TypeScript string literal (both accept JSON's escapes for printable text). */
export function stringLiteral(s: string): string {
  return JSON.stringify(s);
}

/** `my-app` → `MyApp`: a DNS label as a Java/TypeScript type name. */
export function pascalCase(label: string): string {
  return label
    .split("-")
    .filter((p) => p !== "")
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join("");
}

/** Joins lines and ends the text with exactly one newline. */
export function lines(...ls: readonly string[]): string {
  return `${ls.join("\n").replace(/\n+$/, "")}\n`;
}

/**
 * JSON as formatters (Biome, Prettier) print it: two-space indent, and arrays of scalars on one line
 * when short, so generated config files pass the generated project's own format check.
 */
export function formatJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(
    /\[\n\s*((?:(?:"(?:[^"\\\n]|\\.)*"|-?[\d.eE+-]+|true|false|null),?\n\s*)*)\]/g,
    (all, body: string) => {
      const items = body
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "");
      const inline = `[${items.join(" ")}]`;
      return inline.length <= 60 ? inline : all;
    },
  );
  return `${text}\n`;
}
