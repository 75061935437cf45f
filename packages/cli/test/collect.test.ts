import type { OutputFile } from "@slipway/core/synth";
import { describe, expect, it } from "vitest";
import { COLLECT_AFTER_OUTPUT, ComponentCollector } from "../src/collect.js";

const file = (owner: string, path: string, size: number): OutputFile => ({
  path,
  owner,
  content: "x".repeat(size),
});

describe("ComponentCollector", () => {
  it("passes every file through in order and collects only after a component that rendered a lot", () => {
    let calls = 0;
    const collector = new ComponentCollector(() => calls++);
    const big = Math.ceil(COLLECT_AFTER_OUTPUT / 2);
    const files = [
      file("small", "a/1", 10),
      file("small", "a/2", 10),
      file("large", "b/1", big),
      file("large", "b/2", big),
      file("after", "c/1", 10),
    ];
    const seen: string[] = [];
    for (const f of collector.between(files)) {
      seen.push(f.path);
      // Collected exactly when the first file of the component after the large one arrives.
      expect(calls).toBe(f.path === "c/1" ? 1 : 0);
    }
    expect(seen).toEqual(files.map((f) => f.path));
    expect(calls).toBe(1);
  });

  it("counts a file given in pieces as large, without making its content", () => {
    let calls = 0;
    const collector = new ComponentCollector(() => calls++);
    const streamed: OutputFile = {
      path: "cloudflare/terraform/dns.tf.json",
      owner: "cloudflare",
      chunks: () => ["{}", "\n"],
      get content(): string {
        throw new Error("content read whole");
      },
    };
    const out = [...collector.between([streamed, file("postgres", "p/1", 1)])];
    expect(out.map((f) => f.path)).toEqual([streamed.path, "p/1"]);
    expect(calls).toBe(1);
  });
});
