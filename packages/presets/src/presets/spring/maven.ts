import { escapeXml } from "../../text.js";

export interface MavenDependency {
  readonly groupId: string;
  readonly artifactId: string;
  readonly scope?: "runtime" | "test" | "provided";
}

export interface MavenProject {
  readonly parent: { readonly groupId: string; readonly artifactId: string; readonly version: string };
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  readonly name: string;
  readonly description: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly dependencies: readonly MavenDependency[];
  readonly plugins: readonly { readonly groupId: string; readonly artifactId: string }[];
  readonly finalName: string;
}

type Xml = string | readonly [tag: string, children: readonly Xml[]] | readonly [tag: string, text: string];

/** Serializes the POM model to XML; every text value is escaped, element names are constants. */
export function renderPom(m: MavenProject): string {
  const deps = m.dependencies.map(
    (d): Xml => [
      "dependency",
      [
        ["groupId", d.groupId],
        ["artifactId", d.artifactId],
        ...(d.scope ? [["scope", d.scope] as const] : []),
      ],
    ],
  );
  const project: Xml[] = [
    ["modelVersion", "4.0.0"],
    [
      "parent",
      [
        ["groupId", m.parent.groupId],
        ["artifactId", m.parent.artifactId],
        ["version", m.parent.version],
        "<relativePath/>",
      ],
    ],
    ["groupId", m.groupId],
    ["artifactId", m.artifactId],
    ["version", m.version],
    ["name", m.name],
    ["description", m.description],
    ["properties", Object.entries(m.properties).map(([k, v]): Xml => [k, v])],
    ["dependencies", deps],
    [
      "build",
      [
        ["finalName", m.finalName],
        [
          "plugins",
          m.plugins.map(
            (p): Xml => [
              "plugin",
              [
                ["groupId", p.groupId],
                ["artifactId", p.artifactId],
              ],
            ],
          ),
        ],
      ],
    ],
  ];
  const body = project.map((x) => element(x, "  ")).join("");
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n' +
    '         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">\n' +
    `${body}</project>\n`
  );
}

function element(x: Xml, indent: string): string {
  if (typeof x === "string") return `${indent}${x}\n`;
  const [tag, content] = x;
  if (typeof content === "string") return `${indent}<${tag}>${escapeXml(content)}</${tag}>\n`;
  return `${indent}<${tag}>\n${content.map((c) => element(c, `${indent}  `)).join("")}${indent}</${tag}>\n`;
}
