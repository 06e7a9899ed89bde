import { describe, expect, it } from "vitest";
import { collectValue, formFromSchema, humanize, initialRaw } from "../src/schemaForm";

describe("schema → form fields", () => {
  it("maps object properties to typed fields", () => {
    const spec = formFromSchema({
      type: "object",
      properties: {
        approver: { type: "string", description: "Your name", minLength: 2 },
        approved: { type: "boolean", default: true },
        count: { type: "integer", minimum: 1, maximum: 5 },
        ratio: { type: "number" },
        color: { type: "string", enum: ["red", "green"] },
        tags: { type: "array" },
        due_date: { title: "Due", type: ["string", "null"] },
      },
      required: ["approver", "approved"],
    });
    expect(spec.mode).toBe("object");
    expect(spec.fields.map((f) => [f.name, f.kind, f.required, f.label])).toEqual([
      ["approver", "text", true, "Approver"],
      ["approved", "boolean", true, "Approved"],
      ["count", "integer", false, "Count"],
      ["ratio", "number", false, "Ratio"],
      ["color", "enum", false, "Color"],
      ["tags", "json", false, "Tags"],
      ["due_date", "text", false, "Due"],
    ]);
    const approver = spec.fields[0]!;
    expect(approver.description).toBe("Your name");
    expect(approver.minLength).toBe(2);
    expect(spec.fields[2]!.minimum).toBe(1);
    expect(spec.fields[2]!.maximum).toBe(5);
    expect(spec.fields[4]!.options).toEqual(["red", "green"]);
  });

  it("no schema means one free-text box", () => {
    for (const schema of [undefined, null, {}, "text"]) {
      const spec = formFromSchema(schema);
      expect(spec.mode).toBe("single");
      expect(spec.fields).toHaveLength(1);
      expect(spec.fields[0]).toMatchObject({ kind: "text", required: true, label: "Your answer" });
    }
  });

  it("a scalar schema is a single field of its type", () => {
    expect(formFromSchema({ type: "boolean" }).fields[0]!.kind).toBe("boolean");
    expect(formFromSchema({ enum: [1, 2, 3] }).fields[0]!.kind).toBe("enum");
    expect(formFromSchema({ oneOf: [{ const: "a" }, { const: "b" }] }).fields[0]!.options).toEqual(["a", "b"]);
    expect(formFromSchema({ type: "object" }).fields[0]!.kind).toBe("json");
  });

  it("can leave properties out (the chat message of workflow inputs)", () => {
    const spec = formFromSchema(
      { type: "object", properties: { message: { type: "string" }, name: { type: "string", default: "World" } } },
      { exclude: ["message"] },
    );
    expect(spec.fields.map((f) => f.name)).toEqual(["name"]);
    expect(initialRaw(spec.fields[0]!)).toBe("World");
  });

  it("humanizes names", () => {
    expect(humanize("approved")).toBe("Approved");
    expect(humanize("due_date")).toBe("Due date");
    expect(humanize("firstName")).toBe("First name");
  });
});

describe("form values → answer", () => {
  const spec = formFromSchema({
    type: "object",
    properties: {
      approver: { type: "string" },
      approved: { type: "boolean" },
      count: { type: "integer" },
      ratio: { type: "number" },
      color: { enum: ["red", "green", null] },
      meta: { type: "object", properties: {} },
    },
    required: ["approver", "approved"],
  });

  it("converts each field to its JSON type and omits empty optional fields", () => {
    const result = collectValue(spec, { approver: "Ada", approved: true, count: "3", ratio: "0.5", color: "1", meta: "" });
    expect(result).toEqual({ ok: true, value: { approver: "Ada", approved: true, count: 3, ratio: 0.5, color: "green" } });
    const json = collectValue(spec, { approver: "Ada", approved: false, meta: '{"a": [1]}' });
    expect(json).toEqual({ ok: true, value: { approver: "Ada", approved: false, meta: { a: [1] } } });
  });

  it("reports every wrong field", () => {
    const result = collectValue(spec, { approver: "  ", approved: false, count: "2.5", ratio: "abc", color: "7", meta: "{" });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(Object.keys(result.errors).sort()).toEqual(["approver", "color", "count", "meta", "ratio"]);
      expect(result.errors["approver"]).toMatch(/required/);
      expect(result.errors["count"]).toMatch(/whole number/);
    }
  });

  it("checks bounds and lengths", () => {
    const bounded = formFromSchema({
      type: "object",
      properties: { n: { type: "number", minimum: 1, maximum: 2 }, s: { type: "string", maxLength: 3 } },
    });
    expect(collectValue(bounded, { n: "0", s: "abcd" })).toMatchObject({ ok: false, errors: { n: "At least 1.", s: "At most 3 characters." } });
    expect(collectValue(bounded, { n: "2", s: "abc" })).toEqual({ ok: true, value: { n: 2, s: "abc" } });
  });

  it("a single-value form answers with the value itself", () => {
    const text = formFromSchema(undefined);
    expect(collectValue(text, { value: "yes please" })).toEqual({ ok: true, value: "yes please" });
    expect(collectValue(text, { value: "" }).ok).toBe(false);
    const flag = formFromSchema({ type: "boolean" });
    expect(collectValue(flag, { value: false })).toEqual({ ok: true, value: false });
    const choice = formFromSchema({ enum: [1, 2] });
    expect(initialRaw(choice.fields[0]!)).toBe("");
    expect(collectValue(choice, { value: "1" })).toEqual({ ok: true, value: 2 });
  });
});
