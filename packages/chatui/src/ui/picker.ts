/**
 * "Talk to": one radio group with a section per kind of target (workflows, agents), so a selection is a
 * `{kind, id}` pair.
 */

import type { Target } from "../reducer";
import { h, replaceChildren, setText, uid } from "./dom";

export interface PickerItem {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  /** A second, quieter line (an agent's tools). */
  readonly meta?: string | null;
  /** Listed but not selectable (an invalid workflow, with its error as the description). */
  readonly disabled?: boolean;
}

export interface PickerSection {
  /** What a selection in this section is. */
  readonly kind: Target["kind"];
  readonly title: string;
  readonly items: readonly PickerItem[];
  readonly emptyText: string;
}

export type Selection = Target;

export class Picker {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly name = uid("mz-target");
  private sections: readonly PickerSection[] = [];
  private selected: Selection | null = null;

  constructor(private readonly onSelect: (selection: Selection) => void) {
    this.status = h("p", { class: "mz-picker-status", role: "status" });
    this.body = h("div", { class: "mz-picker-body" });
    this.el = h("div", { class: "mz-picker" }, this.status, this.body);
  }

  setLoading(): void {
    setText(this.status, "Loading workflows and agents…");
  }

  setError(text: string): void {
    setText(this.status, text);
    this.status.classList.add("mz-picker-status--error");
  }

  /** Whether sections were set (the lists arrived). */
  get loaded(): boolean {
    return this.sections.length > 0;
  }

  setSections(sections: readonly PickerSection[]): void {
    this.sections = sections;
    setText(this.status, "");
    this.status.classList.remove("mz-picker-status--error");
    replaceChildren(this.body, ...sections.map((section) => this.renderSection(section)));
  }

  /** Select an item (without calling `onSelect`). */
  setSelected(selection: Selection | null): void {
    this.selected = selection;
    for (const input of Array.from(this.body.querySelectorAll<HTMLInputElement>("input[type=radio]"))) {
      input.checked = selection !== null && input.value === `${selection.kind}:${selection.id}`;
    }
  }

  get selection(): Selection | null {
    return this.selected;
  }

  /** The selected item's display name. */
  selectedName(): string | null {
    const s = this.selected;
    if (!s) return null;
    const item = this.sections.find((x) => x.kind === s.kind)?.items.find((i) => i.id === s.id);
    return item?.name ?? s.id;
  }

  has(selection: Selection): boolean {
    return this.sections.some((s) => s.kind === selection.kind && s.items.some((i) => i.id === selection.id && !i.disabled));
  }

  private renderSection(section: PickerSection): HTMLElement {
    const list = h("div", { class: "mz-options" });
    if (section.items.length === 0) list.appendChild(h("p", { class: "mz-hint" }, section.emptyText));
    for (const item of section.items) {
      const id = `${this.name}-${section.kind}-${item.id}`;
      const descId = `${id}-desc`;
      const describedBy = [item.description ? descId : null, item.meta ? `${id}-meta` : null].filter(Boolean).join(" ");
      const input = h("input", {
        type: "radio",
        class: "mz-radio",
        name: this.name,
        id,
        value: `${section.kind}:${item.id}`,
        disabled: item.disabled === true,
        "aria-describedby": describedBy || null,
        onchange: () => {
          if (input.checked) {
            this.selected = { kind: section.kind, id: item.id };
            this.onSelect(this.selected);
          }
        },
      });
      input.checked = this.selected?.kind === section.kind && this.selected.id === item.id;
      list.appendChild(
        h(
          "div",
          { class: item.disabled ? "mz-option mz-option--disabled" : "mz-option", "data-id": item.id },
          input,
          h("label", { for: id, class: "mz-option-label" }, h("span", { class: "mz-option-name" }, item.name)),
          item.description ? h("span", { class: "mz-option-desc", id: descId }, item.description) : null,
          item.meta ? h("span", { class: "mz-option-meta", id: `${id}-meta` }, item.meta) : null,
        ),
      );
    }
    return h(
      "fieldset",
      { class: "mz-picker-section", "data-kind": section.kind },
      h("legend", { class: "mz-legend" }, section.title),
      list,
    );
  }
}
