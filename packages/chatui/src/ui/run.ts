/**
 * One run in the transcript: the user's message, the steps with their streamed text, an input form when
 * the run waits for a person, the result, and the files. A chat with an agent shows its reply instead of
 * steps: the text growing as the model writes it, with its tool calls. Updated in place from successive
 * `RunView`s, so nothing typed into a form is lost and a growing line only gets its new text.
 */

import type { ArtifactInfo } from "../protocol";
import {
  isFinished,
  isOffline,
  outputStreamed,
  replyLines,
  type InputRequest,
  type Line,
  type RunView,
  type StepView,
  type ToolCallView,
} from "../reducer";
import { formFromSchema } from "../schemaForm";
import { formatBytes, formatValue, preview } from "../util";
import { FormView } from "./form";
import { h, icon, ICONS, replaceChildren, setHidden, setText } from "./dom";

export interface RunActions {
  answer(runId: string, step: string, value: unknown): void;
  downloadZip(run: RunView): void;
  downloadFile(run: RunView, path: string): void;
}

const STATUS_TEXT: Record<string, string> = {
  queued: "Queued",
  pending: "Starting",
  running: "Running",
  waiting: "Waiting for you",
  succeeded: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

const STEP_TEXT: Record<string, string> = {
  running: "running",
  waiting: "waiting for input",
  retrying: "retrying",
  completed: "done",
  failed: "failed",
  skipped: "skipped",
};

const STEP_ICON: Record<string, string> = {
  running: "•",
  waiting: "?",
  retrying: "↻",
  completed: "✓",
  failed: "✕",
  skipped: "–",
};

class StepRow {
  readonly el: HTMLLIElement;
  private readonly iconEl: HTMLElement;
  private readonly nameEl: HTMLElement;
  private readonly stateEl: HTMLElement;
  private readonly noteEl: HTMLElement;
  private readonly offlineEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly linesEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private rendered: readonly Line[] = [];
  private last: StepView | null = null;

  constructor() {
    this.iconEl = h("span", { class: "mz-step-icon", "aria-hidden": "true" });
    this.nameEl = h("span", { class: "mz-step-name" });
    this.stateEl = h("span", { class: "mz-step-state" });
    this.noteEl = h("span", { class: "mz-step-note", hidden: true });
    this.offlineEl = offlineTag();
    this.summaryEl = h("span", { class: "mz-step-summary", hidden: true });
    this.linesEl = h("div", { class: "mz-lines" });
    this.errorEl = h("p", { class: "mz-step-error", hidden: true });
    this.el = h(
      "li",
      { class: "mz-step" },
      h("div", { class: "mz-step-head" }, this.iconEl, this.nameEl, this.stateEl, this.offlineEl, this.noteEl, this.summaryEl),
      this.linesEl,
      this.errorEl,
    );
  }

  update(step: StepView): void {
    if (step === this.last) return;
    this.last = step;
    this.el.dataset["status"] = step.status;
    this.el.dataset["path"] = step.path;
    this.el.style.setProperty("--depth", String(Math.min(step.depth, 6)));
    setText(this.iconEl, STEP_ICON[step.status] ?? "•");
    setText(this.nameEl, step.name);
    const attempt = step.attempt > 1 ? ` (attempt ${step.attempt})` : "";
    setText(this.stateEl, `${STEP_TEXT[step.status] ?? step.status}${attempt}`);
    setText(this.noteEl, step.note ?? "");
    setHidden(this.noteEl, !step.note);
    setHidden(this.offlineEl, !step.offline);
    setText(this.summaryEl, step.summary ? `→ ${step.summary}` : "");
    setHidden(this.summaryEl, !step.summary);
    setText(this.errorEl, step.error ?? "");
    setHidden(this.errorEl, !step.error);
    renderLines(this.linesEl, this.rendered, step.lines);
    this.rendered = step.lines;
  }
}

const OFFLINE_TITLE = "Answered by the offline provider (no model is configured): not written by a language model";

/** The small "offline" badge (hidden until needed). */
function offlineTag(): HTMLElement {
  return h("span", { class: "mz-tag mz-tag--offline", title: OFFLINE_TITLE, hidden: true }, "offline");
}

function lineKey(line: Line): string {
  return `${line.kind}#${line.seq}`;
}

const TOOL_ICON: Record<ToolCallView["status"], string> = { running: "⋯", done: "✓", error: "✕" };

/** A tool call on one line (name, arguments → result), expandable to the full arguments and result. */
function fillToolLine(el: HTMLElement, tool: ToolCallView): void {
  const open = el.querySelector("details")?.open ?? false;
  el.dataset["status"] = tool.status;
  const args = preview(tool.arguments ?? {});
  const summary = h(
    "summary",
    { class: "mz-tool-summary" },
    h("span", { class: "mz-tool-icon", "aria-hidden": "true" }, TOOL_ICON[tool.status]),
    h("span", { class: "mz-tool-name" }, tool.name),
    h("span", { class: "mz-tool-args" }, `(${args})`),
    tool.status === "running"
      ? h("span", { class: "mz-tool-state" }, "running…")
      : h("span", { class: "mz-tool-result" }, `→ ${preview(tool.result, 60) || "(no result)"}`),
  );
  const details = h(
    "details",
    { class: "mz-tool" },
    summary,
    h("p", { class: "mz-tool-label" }, "Arguments"),
    h("pre", { class: "mz-tool-pre" }, formatValue(tool.arguments ?? {})),
    tool.status === "running" ? null : h("p", { class: "mz-tool-label" }, tool.status === "error" ? "Error" : "Result"),
    tool.status === "running" ? null : h("pre", { class: "mz-tool-pre" }, formatValue(tool.result) || "(nothing)"),
  );
  details.open = open;
  replaceChildren(el, details);
}

function lineElement(line: Line): HTMLElement {
  const el = h("div", { class: `mz-line mz-line--${line.kind}`, "data-kind": line.kind });
  updateLine(el, null, line);
  return el;
}

function updateLine(el: HTMLElement, before: Line | null, line: Line): void {
  if (line.tool) {
    fillToolLine(el, line.tool);
  } else if (before !== null && line.text.startsWith(before.text) && el.textContent === before.text) {
    const added = line.text.slice(before.text.length);
    if (added) el.appendChild(document.createTextNode(added)); // a streamed reply: only the new text
  } else {
    setText(el, line.text);
  }
}

/**
 * Bring `container` (whose children are the elements of `before`) to showing `after`. Lines are keyed by kind
 * and first seq: unchanged ones are kept, a growing reply gets only its new text, a completed tool call is
 * updated in place, and a reset (a retry) drops what follows the common start.
 */
export function renderLines(container: HTMLElement, before: readonly Line[], after: readonly Line[]): void {
  if (before === after) return;
  let same = 0;
  while (same < before.length && same < after.length) {
    const old = before[same] as Line;
    const line = after[same] as Line;
    if (lineKey(old) !== lineKey(line)) break;
    const el = container.children[same] as HTMLElement | undefined;
    if (!el) break;
    if (old !== line) updateLine(el, old, line);
    same += 1;
  }
  while (container.children.length > same) container.lastElementChild?.remove();
  for (const line of after.slice(same)) container.appendChild(lineElement(line));
}

function describeTime(ts: number): string {
  try {
    return new Date(ts * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  } catch {
    return "";
  }
}

class InputBox {
  readonly el: HTMLFormElement;
  private readonly form: FormView;
  private readonly button: HTMLButtonElement;
  private readonly errorEl: HTMLElement;

  constructor(
    readonly key: string,
    runId: string,
    request: InputRequest,
    actions: RunActions,
  ) {
    this.form = new FormView(formFromSchema(request.schema), `mz-in-${request.seq}-${runId.slice(0, 8)}`);
    this.button = h("button", { type: "submit", class: "mz-button mz-button--primary" }, "Submit answer");
    this.errorEl = h("p", { class: "mz-form-error", role: "alert", hidden: true });
    const promptId = `mz-prompt-${runId.slice(0, 8)}-${request.seq}`;
    this.el = h(
      "form",
      { class: "mz-input-form", "aria-labelledby": promptId, novalidate: true },
      h("p", { class: "mz-prompt", id: promptId }, request.prompt || "The workflow needs your input."),
      request.timeoutAt ? h("p", { class: "mz-hint" }, `Answer by ${describeTime(request.timeoutAt)}.`) : null,
      this.form.el,
      this.errorEl,
      h("div", { class: "mz-form-actions" }, this.button),
    );
    this.el.addEventListener("submit", (event) => {
      event.preventDefault();
      const result = this.form.collect();
      if (result.ok) actions.answer(runId, request.step, result.value);
    });
  }

  update(request: InputRequest): void {
    this.form.setDisabled(request.submitting);
    this.button.disabled = request.submitting;
    setText(this.button, request.submitting ? "Sending…" : "Submit answer");
    setText(this.errorEl, request.error ?? "");
    setHidden(this.errorEl, !request.error);
  }

  focus(): void {
    this.form.focusFirst();
  }
}

export class RunBlock {
  readonly el: HTMLElement;
  private readonly userEl: HTMLElement;
  private readonly badgeEl: HTMLElement;
  private readonly metaEl: HTMLElement;
  private readonly offlineEl: HTMLElement;
  private readonly usageEl: HTMLElement;
  private readonly stepsEl: HTMLOListElement;
  private readonly replyEl: HTMLElement;
  private readonly replyNoteEl: HTMLElement;
  private readonly linesEl: HTMLElement;
  private readonly inputHost: HTMLElement;
  private readonly resultEl: HTMLElement;
  private readonly artifactsEl: HTMLElement;
  private readonly rows = new Map<string, StepRow>();
  private input: InputBox | null = null;
  private renderedLines: readonly Line[] = [];
  private renderedReply: readonly Line[] = [];
  private renderedArtifacts: readonly ArtifactInfo[] | null = null;
  private last: RunView | null = null;

  constructor(
    readonly runId: string,
    private readonly actions: RunActions,
    private readonly workflowName: (id: string | null) => string,
  ) {
    this.userEl = h("div", { class: "mz-msg mz-msg--user", hidden: true });
    this.badgeEl = h("span", { class: "mz-badge" });
    this.metaEl = h("span", { class: "mz-run-meta" });
    this.offlineEl = offlineTag();
    this.usageEl = h("span", { class: "mz-usage", hidden: true });
    this.stepsEl = h("ol", { class: "mz-steps", "aria-label": "Steps" });
    this.replyEl = h("div", { class: "mz-reply", hidden: true });
    this.replyNoteEl = h("p", { class: "mz-reply-note", hidden: true });
    this.linesEl = h("div", { class: "mz-lines mz-run-lines" });
    this.inputHost = h("div", { class: "mz-input-host" });
    this.resultEl = h("div", { class: "mz-result", hidden: true });
    this.artifactsEl = h("section", { class: "mz-artifacts", hidden: true, "aria-label": "Files" });
    this.el = h(
      "article",
      { class: "mz-run", "data-run-id": runId },
      this.userEl,
      h(
        "div",
        { class: "mz-msg mz-msg--bot" },
        h("div", { class: "mz-run-head" }, this.metaEl, h("span", { class: "mz-run-tags" }, this.usageEl, this.offlineEl, this.badgeEl)),
        this.stepsEl,
        this.replyEl,
        this.replyNoteEl,
        this.linesEl,
        this.inputHost,
        this.resultEl,
        this.artifactsEl,
      ),
    );
  }

  update(run: RunView): void {
    if (run === this.last) return;
    const previous = this.last;
    this.last = run;
    this.el.dataset["status"] = run.status;
    if (run.message !== null) setText(this.userEl, run.message);
    setHidden(this.userEl, run.message === null);
    const status = run.cancelRequested && !isFinished(run.status) ? "Stopping…" : (STATUS_TEXT[run.status] ?? run.status);
    setText(this.badgeEl, status);
    this.badgeEl.dataset["status"] = run.status;
    setText(this.metaEl, `${this.workflowName(run.workflow)} · run ${run.id.slice(0, 8)}`);
    setHidden(this.offlineEl, !isOffline(run));
    this.updateUsage(run);

    const chat = run.agent !== null;
    this.el.classList.toggle("mz-run--agent", chat);
    setHidden(this.stepsEl, chat);
    setHidden(this.replyEl, !chat);
    if (chat) {
      this.updateReply(run);
    } else if (previous?.steps !== run.steps) {
      run.steps.forEach((step, index) => {
        let row = this.rows.get(step.path);
        if (!row) {
          row = new StepRow();
          this.rows.set(step.path, row);
        }
        if (this.stepsEl.children[index] !== row.el) this.stepsEl.insertBefore(row.el, this.stepsEl.children[index] ?? null);
        row.update(step);
      });
    }
    if (!chat) {
      renderLines(this.linesEl, this.renderedLines, run.lines);
      this.renderedLines = run.lines;
    }
    this.updateInput(run);
    this.updateResult(run);
    this.updateArtifacts(run);
  }

  /** An agent chat: the reply as it streams (text, tool calls, handoffs), and why it restarted if it did. */
  private updateReply(run: RunView): void {
    const lines = replyLines(run);
    renderLines(this.replyEl, this.renderedReply, lines);
    this.renderedReply = lines;
    this.replyEl.dataset["empty"] = String(lines.length === 0);
    const step = run.steps.find((s) => s.status === "retrying" || (s.note !== null && s.status !== "completed"));
    const note = step ? `${step.note ?? "retrying"}${step.attempt > 1 ? ` (attempt ${step.attempt})` : ""}` : "";
    setText(this.replyNoteEl, note);
    setHidden(this.replyNoteEl, !note);
  }

  private updateUsage(run: RunView): void {
    const usage = run.usage;
    setHidden(this.usageEl, usage === null);
    if (usage === null) return;
    const total = usage.inputTokens + usage.outputTokens;
    setText(this.usageEl, `${total.toLocaleString("en-US")} tokens`);
    const calls = usage.calls === 1 ? "1 model call" : `${usage.calls} model calls`;
    this.usageEl.title = `${calls}: ${usage.inputTokens} input + ${usage.outputTokens} output tokens`;
  }

  private updateInput(run: RunView): void {
    const request = run.input;
    const key = request ? `${request.step}#${request.seq}` : null;
    if (this.input && this.input.key !== key) {
      this.input.el.remove();
      this.input = null;
    }
    if (request && key) {
      if (!this.input) {
        this.input = new InputBox(key, run.id, request, this.actions);
        this.inputHost.appendChild(this.input.el);
        const box = this.input;
        queueMicrotask(() => box.focus());
      }
      this.input.update(request);
    }
  }

  private updateResult(run: RunView): void {
    if (!isFinished(run.status)) {
      setHidden(this.resultEl, true);
      return;
    }
    if (this.resultEl.dataset["status"] === run.status && this.resultEl.childElementCount > 0) return;
    this.resultEl.dataset["status"] = run.status;
    if (run.status === "succeeded" && run.agent !== null) {
      // the reply is the answer: show the output only when it was not streamed (structured, or not streamed)
      const text = formatValue(run.output);
      if (outputStreamed(run) || !text) {
        replaceChildren(this.resultEl);
        setHidden(this.resultEl, true);
        return;
      }
      replaceChildren(this.resultEl, h("p", { class: "mz-result-title" }, "Answer"), h("pre", { class: "mz-output" }, text));
    } else if (run.status === "succeeded") {
      const text = formatValue(run.output);
      replaceChildren(
        this.resultEl,
        h("p", { class: "mz-result-title" }, "Result"),
        text ? h("pre", { class: "mz-output" }, text) : h("p", { class: "mz-hint" }, "Done (no output)."),
      );
    } else if (run.status === "failed") {
      replaceChildren(
        this.resultEl,
        h("p", { class: "mz-result-title" }, "The run failed"),
        h("p", { class: "mz-run-error", role: "alert" }, run.error ?? "unknown error"),
      );
    } else {
      replaceChildren(this.resultEl, h("p", { class: "mz-hint" }, "The run was cancelled."));
    }
    setHidden(this.resultEl, false);
  }

  private updateArtifacts(run: RunView): void {
    if (run.artifacts === this.renderedArtifacts) return;
    this.renderedArtifacts = run.artifacts;
    setHidden(this.artifactsEl, run.artifacts.length === 0);
    if (run.artifacts.length === 0) return;
    const items = run.artifacts.map((artifact) =>
      h(
        "li",
        { class: "mz-file" },
        h(
          "button",
          {
            type: "button",
            class: "mz-link",
            title: `Download ${artifact.path}`,
            onclick: () => this.actions.downloadFile(this.last ?? run, artifact.path),
          },
          artifact.path,
        ),
        h("span", { class: "mz-file-size" }, formatBytes(artifact.size)),
      ),
    );
    const count = run.artifacts.length;
    replaceChildren(
      this.artifactsEl,
      h(
        "div",
        { class: "mz-artifacts-head" },
        h("p", { class: "mz-result-title" }, `Files (${count})`),
        h(
          "button",
          {
            type: "button",
            class: "mz-button mz-button--small",
            onclick: () => this.actions.downloadZip(this.last ?? run),
          },
          icon(ICONS.download),
          "Download zip",
        ),
      ),
      h("ul", { class: "mz-files" }, ...items),
    );
  }
}
