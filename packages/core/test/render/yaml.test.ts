import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isMap, isScalar, parse, parseAllDocuments, parseDocument } from "yaml";
import { toYaml, toYamlStream } from "../../src/render/yaml.js";

/** Parses as YAML 1.2 (the `yaml` default) and as YAML 1.1 (Helm, go-yaml, sigs.k8s.io/yaml). */
function readBoth(text: string): [unknown, unknown] {
  return [parse(text), parse(text, { version: "1.1" })];
}

function expectRoundTrip(value: unknown): void {
  const text = toYaml(value);
  const [v12, v11] = readBoth(text);
  expect(v12, `YAML 1.2 read of:\n${text}`).toEqual(value);
  expect(v11, `YAML 1.1 read of:\n${text}`).toEqual(value);
}

/** Strings that a YAML reader could take for something other than the same string. */
const tricky = [
  // YAML 1.1 and 1.2 booleans and nulls, in several casings
  ..."y Y n N yes Yes YES yEs no No NO on On ON oN off Off OFF true True TRUE tRUE false False FALSE null Null NULL nULL ~".split(
    " ",
  ),
  // numbers in either version, and strings that only look close to them
  ..."e5 E0 e+3 E-05 e 0 -0 +1 1 12 0755 0o17 0x1F 0xff 0b101 1e3 1E3 1e+3 1.5e-3 .5 5. +.5 -1 1_000 1:20 1:20:30.5 190:20:30 .inf -.Inf .NaN .nan 1.2.3 1e 0Mi 1.5Gi 64Mi 250m 10s 3m 2001-12-14 2001-12-14t21:59:43.10-05:00 2002-12-14".split(
    " ",
  ),
  // indicators at the start
  ..."- -a ? ?a : :a , [ ] { } # #a & &a * *a ! !a !!str | > ' \" % %a @a `a = << --- ... -- .".split(" "),
  "",
  " ",
  " a",
  "a ",
  "a: b",
  "a:",
  "a #b",
  "a#b",
  "http://x:80/y",
  "a\tb",
  "\t",
  "a\\b",
  "'quoted'",
  '"quoted"',
  "ça va",
  "emoji 🚀",
  "\u2028",
  "a\u2028b",
  "a\u0085b",
  "\u00a0",
  "\ufeffbom",
  "\u0000\u0001\u001f\u007f",
  "\ud800",
  "\udc00x",
  "line1\nline2",
  "line1\nline2\n",
  "line1\nline2\n\n",
  "line1\n\n\nline2\n\n\n",
  "\nleading blank",
  "\n\nleading blanks\n",
  "  indented first\nsecond",
  "first\n  indented second\n",
  "first\n\ttab second",
  "\tfirst",
  "first\n   \nwhitespace-only line",
  "trailing space \nline",
  "a\r\nb",
  "a\rb",
  "\n",
  "\n\n",
  "---\n...\n",
  "# comment\nnot a comment",
  "key: value\n- item",
  "x".repeat(1100),
];

const trickyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...tricky) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.array(fc.oneof(fc.constantFrom(...tricky), fc.string({ maxLength: 6 })), { maxLength: 5 }),
        fc.constantFrom("\n", " ", "", ": ", " #", "\t", "\n\n"),
      )
      .map(([parts, sep]) => parts.join(sep)),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.constantFrom("a", "b", " ", "\n", "\t", "#", ":", "-", "0", "y", "\u2028", "é"), {
        maxLength: 16,
      })
      .map((cs) => cs.join("")),
  },
  // Short strings over the characters YAML gives meaning to: finds `E0`, `y`, `-.5`, `'a`, `!x` ...
  {
    weight: 3,
    arbitrary: fc.string({
      unit: fc.constantFrom(..."aeEyYnNoOtTfF019.+-_:#' \"\n\t\\/|>!&*?,[]{}%@`<=~x"),
      maxLength: 8,
    }),
  },
);

const scalarArb = fc.oneof(
  { weight: 6, arbitrary: trickyString },
  { weight: 1, arbitrary: fc.integer() },
  {
    weight: 1,
    arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }),
  },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

const { value: dataArb } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalarArb,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(trickyString, tie("value"), { maxKeys: 5 }),
  ),
}));

describe("toYaml round-trips", () => {
  it("every tricky string, alone and as a key, value and list item", () => {
    for (const s of tricky) {
      expectRoundTrip(s);
      expectRoundTrip({ [s]: s });
      expectRoundTrip([s, [s], { s }]);
      expectRoundTrip({ nested: { list: [s, { k: s, [s]: [s] }] } });
    }
  });

  it("arbitrary JSON-like values under YAML 1.2 and YAML 1.1", () => {
    fc.assert(
      fc.property(dataArb, (value) => {
        // Keys that are not own data properties after a JSON round trip (`__proto__`) are out of scope.
        fc.pre(JSON.stringify(value) === JSON.stringify(JSON.parse(JSON.stringify(value) ?? "null")));
        expectRoundTrip(value);
      }),
      { numRuns: 2000 },
    );
  });

  it("empty collections and lists of lists", () => {
    expectRoundTrip({ a: {}, b: [], c: [[], {}, [[]], [{}]], d: [[["x", ["y"]]]] });
    expectRoundTrip([]);
    expectRoundTrip({});
    expectRoundTrip([[1, 2], [3, [4, 5]], []]);
  });

  it("special numbers", () => {
    const [v12, v11] = readBoth(
      toYaml({ a: Number.POSITIVE_INFINITY, b: Number.NEGATIVE_INFINITY, c: Number.NaN }),
    );
    for (const v of [v12, v11]) expect(v).toEqual({ a: Infinity, b: -Infinity, c: Number.NaN });
    expectRoundTrip({ big: 1e21, small: 1e-7, neg: -1.5e300, max: Number.MAX_SAFE_INTEGER });
  });

  it("leaves undefined object values out and writes undefined list items as null, as JSON does", () => {
    const value = { a: undefined, b: [undefined, 1] };
    expect(parse(toYaml(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it("throws on values that are not plain data", () => {
    expect(() => toYaml({ f: () => 1 })).toThrow(TypeError);
    expect(() => toYaml({ s: Symbol("x") })).toThrow(TypeError);
  });

  it("separates a stream's documents", () => {
    const docs = [{ kind: "A" }, { kind: "B", list: ["x"] }, "text\n"];
    const text = toYamlStream(docs);
    expect(parseAllDocuments(text).map((d) => d.toJS())).toEqual(docs);
  });
});

describe("toYaml is conventional", () => {
  it("writes block YAML with plain scalars where safe, compact list items, lists indented under their key", () => {
    const deployment = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "api",
                image: "ghcr.io/meirongdev/api:1.4.2",
                ports: [{ containerPort: 8080, name: "http" }],
                env: [{ value: "on", name: "FEATURE" }],
                resources: { requests: { cpu: "50m", memory: "64Mi" } },
                args: ["--port", "8080"],
              },
            ],
          },
        },
        replicas: 2,
      },
      metadata: { labels: { "app.kubernetes.io/name": "api" }, name: "api", annotations: {} },
      kind: "Deployment",
      apiVersion: "apps/v1",
    };
    expect(toYaml(deployment)).toBe(
      [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: api",
        "  annotations: {}",
        "  labels:",
        "    app.kubernetes.io/name: api",
        "spec:",
        "  replicas: 2",
        "  template:",
        "    spec:",
        "      containers:",
        "        - name: api",
        "          args:",
        '            - "--port"',
        '            - "8080"',
        "          env:",
        "            - name: FEATURE",
        '              value: "on"',
        "          image: ghcr.io/meirongdev/api:1.4.2",
        "          ports:",
        "            - name: http",
        "              containerPort: 8080",
        "          resources:",
        "            requests:",
        "              cpu: 50m",
        "              memory: 64Mi",
        "",
      ].join("\n"),
    );
  });

  it("writes multi-line text as literal blocks with the right chomping", () => {
    expect(toYaml({ a: "x\ny\n", b: "x\ny", c: "x\n\n", d: ["p\nq\n"] })).toBe(
      [
        "a: |",
        "  x",
        "  y",
        "b: |-",
        "  x",
        "  y",
        "c: |+",
        "  x",
        "",
        "d:",
        "  - |",
        "    p",
        "    q",
        "",
      ].join("\n"),
    );
  });

  it("quotes what a reader would retype, and only that", () => {
    const out = toYaml({
      plain: ["a b", "a:b", "https://x.dev/p?q=1#f", "v1.2.3", "ghcr.io/o/i:sha-3f9c2e1", "1.5Gi", "_x"],
      quoted: [
        "yes",
        "Off",
        "0755",
        "1:20",
        "1e3",
        "E0",
        "",
        " a",
        "a: b",
        "-x",
        "*x",
        "1.32",
        "2001-12-14",
        "0x1F",
      ],
    });
    expect(out).toBe(
      [
        "plain:",
        "  - a b",
        "  - a:b",
        "  - https://x.dev/p?q=1#f",
        "  - v1.2.3",
        "  - ghcr.io/o/i:sha-3f9c2e1",
        "  - 1.5Gi",
        "  - _x",
        "quoted:",
        '  - "yes"',
        '  - "Off"',
        '  - "0755"',
        '  - "1:20"',
        '  - "1e3"',
        '  - "E0"',
        '  - ""',
        '  - " a"',
        '  - "a: b"',
        '  - "-x"',
        '  - "*x"',
        '  - "1.32"',
        '  - "2001-12-14"',
        '  - "0x1F"',
        "",
      ].join("\n"),
    );
  });

  it("orders keys apiVersion, kind, metadata, name, namespace, then by code unit; or as given", () => {
    const value = { b: 1, B: 2, namespace: 3, a: 4, name: 5, kind: 6, é: 7, metadata: 8, apiVersion: 9 };
    expect(Object.keys(parse(toYaml(value)))).toEqual([
      "apiVersion",
      "kind",
      "metadata",
      "name",
      "namespace",
      "B",
      "a",
      "b",
      "é",
    ]);
    expect(Object.keys(parse(toYaml(value, { preserveKeyOrder: true })))).toEqual(Object.keys(value));
  });

  it("orders any set of keys, small or large, the same way", () => {
    const leading = ["apiVersion", "kind", "metadata", "name", "namespace"];
    const rank = (k: string) => (leading.includes(k) ? leading.indexOf(k) : leading.length);
    const key = fc.oneof(
      fc.constantFrom(...leading, "a", "B", "_", "1", "10", "2"),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 40 }), (keys) => {
        const doc = parseDocument(toYaml(Object.fromEntries(keys.map((k) => [k, 1]))));
        // Read keys in document order: a JS object would move integer-like keys first.
        const emitted = isMap(doc.contents)
          ? doc.contents.items.map((p) => (isScalar(p.key) ? String(p.key.value) : ""))
          : [];
        const expected = [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
        expect(emitted).toEqual(expected);
      }),
    );
  });
});
