/** DOM controls for a {@link FormSpec}: labelled inputs, descriptions and per-field errors. */

import { collectValue, initialRaw, type CollectResult, type FormField, type FormSpec, type RawValues } from "../schemaForm";
import { h, setHidden, setText, uid } from "./dom";

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

interface FieldView {
  readonly field: FormField;
  readonly control: Control;
  readonly error: HTMLElement;
}

function optionLabel(value: unknown): string {
  if (value === null) return "(none)";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return String(value);
}

function control(field: FormField, id: string, describedBy: string): Control {
  const common = {
    id,
    name: field.name,
    "aria-describedby": describedBy,
    "aria-required": field.required ? "true" : null,
    required: field.required && field.kind !== "boolean",
  };
  const initial = initialRaw(field);
  switch (field.kind) {
    case "boolean": {
      const input = h("input", { ...common, type: "checkbox", class: "mz-check" });
      input.checked = initial === true;
      return input;
    }
    case "enum": {
      const select = h("select", { ...common, class: "mz-control" });
      if (!field.required || initial === "") select.appendChild(h("option", { value: "" }, "Choose…"));
      field.options.forEach((value, index) => select.appendChild(h("option", { value: String(index) }, optionLabel(value))));
      select.value = typeof initial === "string" ? initial : "";
      return select;
    }
    case "number":
    case "integer": {
      const input = h("input", {
        ...common,
        type: "number",
        class: "mz-control",
        step: field.kind === "integer" ? "1" : "any",
        min: field.minimum,
        max: field.maximum,
        inputmode: field.kind === "integer" ? "numeric" : "decimal",
      });
      input.value = String(initial);
      return input;
    }
    case "textarea":
    case "json": {
      const area = h("textarea", {
        ...common,
        class: field.kind === "json" ? "mz-control mz-control--code" : "mz-control",
        rows: field.kind === "json" ? 4 : 3,
        spellcheck: field.kind === "json" ? "false" : null,
      });
      area.value = String(initial);
      return area;
    }
    default: {
      const input = h("input", {
        ...common,
        type: "text",
        class: "mz-control",
        minlength: field.minLength,
        maxlength: field.maxLength,
        autocomplete: "off",
      });
      input.value = String(initial);
      return input;
    }
  }
}

/** The fields of a form (without the `<form>` and buttons, so callers can embed them). */
export class FormView {
  readonly el: HTMLElement;
  private readonly fields: FieldView[] = [];

  constructor(
    readonly spec: FormSpec,
    idPrefix = uid("mz-field"),
  ) {
    this.el = h("div", { class: "mz-fields" });
    spec.fields.forEach((field, index) => {
      const id = `${idPrefix}-${index}`;
      const descId = `${id}-desc`;
      const errorId = `${id}-err`;
      const input = control(field, id, [field.description ? descId : "", errorId].filter(Boolean).join(" "));
      const required = field.required && field.kind !== "boolean";
      const label = h(
        "label",
        { for: id, class: "mz-label" },
        field.label,
        required ? h("span", { class: "mz-required", "aria-hidden": "true" }, " *") : null,
      );
      const error = h("p", { id: errorId, class: "mz-field-error", hidden: true });
      const description = field.description ? h("p", { id: descId, class: "mz-hint" }, field.description) : null;
      const wrapper =
        field.kind === "boolean"
          ? h("div", { class: "mz-field mz-field--check", "data-field": field.name }, input, label, description, error)
          : h("div", { class: "mz-field", "data-field": field.name }, label, description, input, error);
      this.el.appendChild(wrapper);
      this.fields.push({ field, control: input, error });
      const clear = (): void => {
        if (error.hidden) return;
        setHidden(error, true);
        input.removeAttribute("aria-invalid");
      };
      input.addEventListener("input", clear);
      input.addEventListener("change", clear);
    });
  }

  read(): RawValues {
    const raw: Record<string, string | boolean> = {};
    for (const { field, control: c } of this.fields) {
      raw[field.name] = field.kind === "boolean" ? (c as HTMLInputElement).checked : c.value;
    }
    return raw;
  }

  /** Validate and return the value; errors are shown next to their fields and the first one is focused. */
  collect(): CollectResult {
    const result = collectValue(this.spec, this.read());
    this.showErrors(result.ok ? {} : result.errors);
    return result;
  }

  showErrors(errors: Readonly<Record<string, string>>): void {
    let first: Control | null = null;
    for (const { field, control: c, error } of this.fields) {
      const message = errors[field.name];
      setText(error, message ?? "");
      setHidden(error, !message);
      if (message) {
        c.setAttribute("aria-invalid", "true");
        first ??= c;
      } else {
        c.removeAttribute("aria-invalid");
      }
    }
    first?.focus();
  }

  setDisabled(disabled: boolean): void {
    for (const { control: c } of this.fields) c.disabled = disabled;
  }

  focusFirst(): void {
    this.fields[0]?.control.focus();
  }
}
