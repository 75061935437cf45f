import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineComponent, file } from "../../src/render/component.js";
import { renderComponents } from "../helpers/component-fixture.js";
import { codesOf } from "../write/helpers.js";

const rendering = (path: string) =>
  defineComponent({
    id: "test-paths",
    description: "Renders one file at a path a test chooses",
    dependsOn: [],
    enabledByDefault: true,
    config: z.strictObject({}),
    *contribute() {
      yield file(path, "x: 1\n");
    },
  });

describe("render", () => {
  it.each(["../escape.yaml", "/abs.yaml", "a//b.yaml", ".slipway/owned.json", "a\\b.yaml"])(
    "refuses the unsafe output path %j as it is rendered (SW_WRITE_UNSAFE_PATH)",
    (path) => {
      expect(codesOf(() => renderComponents({}, [rendering(path)]))).toEqual(["SW_WRITE_UNSAFE_PATH"]);
    },
  );

  it("renders a safe path of a component's choosing", () => {
    expect(renderComponents({}, [rendering("extra/a.yaml")]).files.get("extra/a.yaml")).toBe("x: 1\n");
  });
});
