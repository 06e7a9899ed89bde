/**
 * JSON Schema → form fields, and form values → the JSON value to send. Pure: the DOM lives in `ui/form.ts`.
 *
 * Supported: an object schema's `properties` (string, number, integer, boolean, enum; anything else is
 * edited as JSON text), `required`, `title`, `description`, `default`, and the same for a single scalar
 * schema. No schema at all means "free text": one text box whose string is the answer.
 */

export type FieldKind = "text" | "textarea" | "number" | "integer" | "boolean" | "enum" | "json";

export type EnumValue = string | number | boolean | null;

export interface FormField {
  /** Property name (`value` for a single-value form). */
  readonly name: string;
  readonly label: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly description: string | null;
  readonly options: readonly EnumValue[];
  readonly defaultValue: unknown;
  readonly minimum: number | null;
  readonly maximum: number | null;
  readonly minLength: number | null;
  readonly maxLength: number | null;
}

export interface FormSpec {
  /** `object`: the answer is an object of the fields; `single`: the answer is the one field's value. */
  readonly mode: "object" | "single";
  readonly fields: readonly FormField[];
}

/** Raw values as read from the DOM: strings for text-like inputs, booleans for checkboxes. */
export type RawValues = Readonly<Record<string, string | boolean | undefined>>;

export type CollectResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly errors: Readonly<Record<string, string>> };

type Schema = Readonly<Record<string, unknown>>;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** `"approved"` → `"Approved"`, `"due_date"` → `"Due date"`, `"firstName"` → `"First name"`. */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : name;
}

/** The schema's type, ignoring `"null"` in a type list. */
function schemaType(schema: Schema): string | null {
  const type = schema["type"];
  if (typeof type === "string") return type;
  if (Array.isArray(type)) return (type.find((t) => typeof t === "string" && t !== "null") as string | undefined) ?? null;
  return null;
}

function fieldKind(schema: Schema): FieldKind {
  const options = schema["enum"];
  if (Array.isArray(options) && options.length > 0) return "enum";
  if (Array.isArray(schema["oneOf"]) && (schema["oneOf"] as unknown[]).every((o) => isSchema(o) && "const" in o)) {
    return "enum";
  }
  switch (schemaType(schema)) {
    case "string":
      return schema["format"] === "textarea" || schema["x-multiline"] === true ? "textarea" : "text";
    case "number":
      return "number";
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    case null:
      return "text"; // untyped: accept text
    default:
      return "json"; // arrays and nested objects: edited as JSON
  }
}

function enumOptions(schema: Schema): EnumValue[] {
  const options = schema["enum"];
  if (Array.isArray(options)) return options.filter(isEnumValue);
  const oneOf = schema["oneOf"];
  if (Array.isArray(oneOf)) return oneOf.map((o) => (isSchema(o) ? o["const"] : undefined)).filter(isEnumValue);
  return [];
}

function isEnumValue(value: unknown): value is EnumValue {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function makeField(name: string, schema: Schema, required: boolean, fallbackLabel?: string): FormField {
  const title = typeof schema["title"] === "string" && schema["title"] ? schema["title"] : null;
  const description = typeof schema["description"] === "string" && schema["description"] ? schema["description"] : null;
  const kind = fieldKind(schema);
  return {
    name,
    label: title ?? fallbackLabel ?? humanize(name),
    kind,
    required,
    description,
    options: kind === "enum" ? enumOptions(schema) : [],
    defaultValue: schema["default"],
    minimum: numberOrNull(schema["minimum"]),
    maximum: numberOrNull(schema["maximum"]),
    minLength: numberOrNull(schema["minLength"] ?? schema["min_length"]),
    maxLength: numberOrNull(schema["maxLength"] ?? schema["max_length"]),
  };
}

/**
 * Build the form for a schema.
 *
 * @param schema The `schema` of an `input.requested` event (or a workflow's `inputs`).
 * @param options.exclude Property names to leave out (the chat message itself, for workflow inputs).
 */
export function formFromSchema(schema: unknown, options: { exclude?: readonly string[] } = {}): FormSpec {
  if (!isSchema(schema) || Object.keys(schema).length === 0) {
    return { mode: "single", fields: [makeField("value", { type: "string" }, true, "Your answer")] };
  }
  const properties = schema["properties"];
  if (schemaType(schema) === "object" || isSchema(properties)) {
    if (!isSchema(properties) || Object.keys(properties).length === 0) {
      // an object with no declared properties: type its JSON
      return { mode: "single", fields: [makeField("value", { type: "object" }, true, "Your answer (JSON)")] };
    }
    const required = new Set(
      Array.isArray(schema["required"]) ? schema["required"].filter((r) => typeof r === "string") : [],
    );
    const exclude = new Set(options.exclude ?? []);
    const fields = Object.entries(properties)
      .filter(([name]) => !exclude.has(name))
      .map(([name, sub]) => makeField(name, isSchema(sub) ? sub : {}, required.has(name)));
    return { mode: "object", fields };
  }
  return { mode: "single", fields: [makeField("value", schema, true, "Your answer")] };
}

/** The initial raw value of a field (what the DOM control starts with). */
export function initialRaw(field: FormField): string | boolean {
  const value = field.defaultValue;
  if (field.kind === "boolean") return value === true;
  if (value === undefined || value === null) return "";
  if (field.kind === "json") return JSON.stringify(value, null, 2);
  if (field.kind === "enum") return String(field.options.findIndex((o) => o === value));
  return String(value);
}

type Parsed = { ok: true; value: unknown; present: boolean } | { ok: false; error: string };

function parseField(field: FormField, raw: string | boolean | undefined): Parsed {
  if (field.kind === "boolean") return { ok: true, value: raw === true || raw === "true", present: true };
  const text = typeof raw === "string" ? raw : raw === undefined ? "" : String(raw);
  const trimmed = text.trim();
  if (field.kind === "enum") {
    if (trimmed === "") {
      return field.required ? { ok: false, error: "Choose a value." } : { ok: true, value: undefined, present: false };
    }
    const index = Number(trimmed);
    if (!Number.isInteger(index) || index < 0 || index >= field.options.length) {
      return { ok: false, error: "Choose one of the listed values." };
    }
    return { ok: true, value: field.options[index], present: true };
  }
  if (trimmed === "") {
    return field.required ? { ok: false, error: "This field is required." } : { ok: true, value: undefined, present: false };
  }
  switch (field.kind) {
    case "number":
    case "integer": {
      const value = Number(trimmed);
      if (!Number.isFinite(value)) return { ok: false, error: "Enter a number." };
      if (field.kind === "integer" && !Number.isInteger(value)) return { ok: false, error: "Enter a whole number." };
      if (field.minimum !== null && value < field.minimum) return { ok: false, error: `At least ${field.minimum}.` };
      if (field.maximum !== null && value > field.maximum) return { ok: false, error: `At most ${field.maximum}.` };
      return { ok: true, value, present: true };
    }
    case "json":
      try {
        return { ok: true, value: JSON.parse(trimmed) as unknown, present: true };
      } catch {
        return { ok: false, error: "Enter valid JSON." };
      }
    default: {
      if (field.minLength !== null && text.length < field.minLength) {
        return { ok: false, error: `At least ${field.minLength} characters.` };
      }
      if (field.maxLength !== null && text.length > field.maxLength) {
        return { ok: false, error: `At most ${field.maxLength} characters.` };
      }
      return { ok: true, value: text, present: true };
    }
  }
}

/** Turn raw form values into the answer, or say which fields are wrong. */
export function collectValue(spec: FormSpec, raw: RawValues): CollectResult {
  const errors: Record<string, string> = {};
  const value: Record<string, unknown> = {};
  for (const field of spec.fields) {
    const parsed = parseField(field, raw[field.name]);
    if (!parsed.ok) errors[field.name] = parsed.error;
    else if (parsed.present) value[field.name] = parsed.value;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (spec.mode === "single") {
    const only = spec.fields[0];
    return { ok: true, value: only ? (value[only.name] ?? null) : null };
  }
  return { ok: true, value };
}
