/**
 * The chat application: a picker of workflows and agents, the live transcript and a composer, wired to
 * `WS /api/chat` and the HTTP API. Used by the full page (`main.ts`) and by the embeddable widget (`widget.ts`).
 */

import { ApiClient, ApiError, saveBlob } from "../api";
import { ChatConnection, type ConnectionState } from "../connection";
import type { AgentInfo, AgentList, ClientMessage, ServerMessage, WorkflowInfo, WorkflowList } from "../protocol";
import {
  activeRun,
  agentOf,
  initialState,
  isFinished,
  orderedRuns,
  parseTarget,
  reduce,
  targetKey,
  targetOf,
  type Action,
  type ChatState,
  type RunView,
  type Target,
} from "../reducer";
import { resumeMessages } from "../resume";
import { formFromSchema } from "../schemaForm";
import { scopedStore, type KeyValueStore } from "../storage";
import { chatSocketUrl, normalizeBaseUrl, randomId } from "../util";
import { FormView } from "./form";
import { h, icon, ICONS, replaceChildren, setHidden, setText, uid } from "./dom";
import { Picker, type PickerItem, type PickerSection } from "./picker";
import { RunBlock } from "./run";

export interface ChatAppOptions {
  /** Origin of the mozaiks-ai server (`http://host:8080`). */
  readonly baseUrl: string;
  /** A token given by the embedding page or the URL; else the one saved in Settings is used. */
  readonly token?: string | null;
  /** Save `token` like one typed in Settings (the page does, for `?token=`; the widget does not). */
  readonly rememberToken?: boolean;
  readonly layout: "page" | "widget";
  /** Workflow to select when the person has not chosen one. */
  readonly workflow?: string | null;
  /** Agent to select when the person has not chosen one (wins over `workflow`). */
  readonly agent?: string | null;
  readonly title?: string;
  /** Widget only: the close button calls this. */
  readonly onClose?: () => void;
}

const MAX_RESTORED_RUNS = 20;


export class ChatApp {
  readonly el: HTMLElement;
  readonly baseUrl: string;
  private state: ChatState = initialState;
  private readonly store: KeyValueStore;
  private sessionId: string;
  private token: string | null;
  private readonly api: ApiClient;
  private readonly connection: ChatConnection;
  private workflows: WorkflowInfo[] = [];
  private agents: AgentInfo[] = [];
  private started = false;
  private renderQueued = false;
  private restoreRunId: string | null;
  private readonly resumeRequested = new Set<string>();
  private readonly artifactsRequested = new Set<string>();
  private readonly blocks = new Map<string, RunBlock>();
  private optionsForm: FormView | null = null;
  private renderedPending: ChatState["pending"] | null = null;
  private renderedNotices: ChatState["notices"] | null = null;

  // elements
  private readonly picker: Picker;
  private readonly connEl: HTMLElement;
  private readonly retryButton: HTMLButtonElement;
  private readonly settingsEl: HTMLElement;
  private readonly settingsButton: HTMLButtonElement;
  private readonly tokenInput: HTMLInputElement;
  private readonly transcript: HTMLElement;
  private readonly runsEl: HTMLElement;
  private readonly pendingEl: HTMLElement;
  private readonly noticesEl: HTMLElement;
  private readonly emptyEl: HTMLElement;
  private readonly targetEl: HTMLElement;
  private readonly optionsEl: HTMLDetailsElement;
  private readonly optionsBody: HTMLElement;
  private readonly textarea: HTMLTextAreaElement;
  private readonly composer: HTMLFormElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly pickerSummary: HTMLElement | null = null;

  constructor(
    mount: HTMLElement,
    private readonly options: ChatAppOptions,
  ) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    this.store = scopedStore(this.baseUrl);
    this.token = options.token || this.store.get("token");
    if (options.token && options.rememberToken) this.store.set("token", options.token);
    this.sessionId = this.store.get("session") ?? this.newSessionId();
    this.restoreRunId = this.store.get("lastRun");
    this.api = new ApiClient(this.baseUrl, () => this.token);
    this.connection = new ChatConnection({
      url: () => chatSocketUrl(this.baseUrl, this.token),
      onMessage: (message) => this.onServerMessage(message),
      onOpen: (send) => this.onSocketOpen(send),
      onState: (state) => this.renderConnection(state),
    });

    const ids = { settings: uid("mz-settings"), token: uid("mz-token"), message: uid("mz-message"), title: uid("mz-title") };
    this.picker = new Picker((target) => this.select(target));

    // header
    this.connEl = h("span", { class: "mz-conn", role: "status", "data-state": "idle" }, "Offline");
    this.retryButton = h(
      "button",
      { type: "button", class: "mz-button mz-button--small", hidden: true, onclick: () => this.connection.reconnectNow() },
      "Retry now",
    );
    this.settingsButton = h(
      "button",
      {
        type: "button",
        class: "mz-icon-button",
        "aria-expanded": "false",
        "aria-controls": ids.settings,
        "aria-label": "Settings",
        title: "Settings",
        onclick: () => this.toggleSettings(),
      },
      icon(ICONS.gear),
    );
    const newChat = h(
      "button",
      {
        type: "button",
        class: "mz-icon-button",
        "aria-label": "New chat",
        title: "New chat",
        onclick: () => this.newChat(),
      },
      icon(ICONS.plus),
    );
    const close =
      options.layout === "widget" && options.onClose
        ? h(
            "button",
            {
              type: "button",
              class: "mz-icon-button",
              "aria-label": "Close chat",
              title: "Close",
              onclick: () => options.onClose?.(),
            },
            icon(ICONS.close),
          )
        : null;
    const title = options.title ?? "Mozaiks";
    const header = h(
      "header",
      { class: "mz-header" },
      h(
        "div",
        { class: "mz-brand" },
        h("span", { class: "mz-logo", "aria-hidden": "true" }),
        h(options.layout === "page" ? "h1" : "h2", { class: "mz-title", id: ids.title }, title),
      ),
      h("div", { class: "mz-header-status" }, this.connEl, this.retryButton),
      h("div", { class: "mz-header-actions" }, newChat, this.settingsButton, close),
    );

    // settings
    this.tokenInput = h("input", {
      id: ids.token,
      type: "password",
      class: "mz-control",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: "Bearer token (leave empty when the server needs none)",
    });
    this.tokenInput.value = this.token ?? "";
    const settingsForm = h(
      "form",
      { class: "mz-settings-form" },
      h("label", { for: ids.token, class: "mz-label" }, "Access token"),
      h(
        "div",
        { class: "mz-row" },
        this.tokenInput,
        h("button", { type: "submit", class: "mz-button mz-button--primary" }, "Save"),
      ),
      h("p", { class: "mz-hint" }, `Sent to ${this.baseUrl} as “Authorization: Bearer …” and with the chat socket.`),
    );
    settingsForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.setToken(this.tokenInput.value.trim() || null);
    });
    this.settingsEl = h("section", { class: "mz-settings", id: ids.settings, hidden: true, "aria-label": "Settings" }, settingsForm);

    // transcript
    this.emptyEl = h(
      "div",
      { class: "mz-empty" },
      h("p", { class: "mz-empty-title" }, "What can I do for you?"),
      h("p", { class: "mz-hint" }, "Pick a workflow or an agent, describe what you need, and follow its progress here."),
    );
    this.runsEl = h("div", { class: "mz-runs" });
    this.pendingEl = h("div", { class: "mz-pending" });
    this.noticesEl = h("div", { class: "mz-notices" });
    this.transcript = h(
      "div",
      {
        class: "mz-transcript",
        role: "log",
        "aria-live": "polite",
        "aria-relevant": "additions text",
        "aria-label": "Conversation",
        tabindex: "0",
      },
      this.emptyEl,
      this.runsEl,
      this.pendingEl,
      this.noticesEl,
    );

    // composer
    this.targetEl = h("span", { class: "mz-target-name" }, "nothing selected");
    this.optionsBody = h("div", { class: "mz-options-body" });
    this.optionsEl = h(
      "details",
      { class: "mz-workflow-options", hidden: true },
      h("summary", null, "Workflow inputs"),
      this.optionsBody,
    );
    this.textarea = h("textarea", {
      id: ids.message,
      class: "mz-control mz-message",
      rows: 2,
      placeholder: "Type a message…",
      autocomplete: "off",
    });
    this.textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.composer.requestSubmit();
      }
    });
    this.textarea.addEventListener("input", () => {
      this.fitTextarea();
      this.renderComposer();
    });
    this.sendButton = h("button", { type: "submit", class: "mz-button mz-button--primary mz-send" }, icon(ICONS.send), "Send");
    this.cancelButton = h(
      "button",
      { type: "button", class: "mz-button mz-button--danger", hidden: true, onclick: () => this.cancelActive() },
      "Cancel run",
    );
    this.composer = h(
      "form",
      { class: "mz-composer", "aria-label": "Send a message" },
      h("p", { class: "mz-target" }, "To: ", this.targetEl),
      this.optionsEl,
      h("label", { for: ids.message, class: "mz-sr-only" }, "Message"),
      h("div", { class: "mz-composer-row" }, this.textarea, h("div", { class: "mz-composer-actions" }, this.sendButton, this.cancelButton)),
    );
    this.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendMessage();
    });

    let pickerHost: HTMLElement;
    if (options.layout === "page") {
      pickerHost = h(
        "aside",
        { class: "mz-sidebar", "aria-label": "Choose a workflow or an agent" },
        h("h2", { class: "mz-sidebar-title" }, "Talk to"),
        this.picker.el,
      );
    } else {
      const summary = h("span", { class: "mz-picker-summary-name" }, "Choose a workflow or an agent");
      this.pickerSummary = summary;
      pickerHost = h(
        "details",
        { class: "mz-picker-disclosure" },
        h("summary", null, h("span", { class: "mz-hint" }, "Talk to: "), summary),
        this.picker.el,
      );
    }
    const chat = h(
      options.layout === "page" ? "main" : "div",
      { class: "mz-chat" },
      options.layout === "widget" ? pickerHost : null,
      this.transcript,
      this.composer,
    );
    this.el = h(
      "div",
      { class: `mz-app mz-app--${options.layout}`, "aria-labelledby": ids.title },
      header,
      this.settingsEl,
      h("div", { class: "mz-body" }, options.layout === "page" ? pickerHost : null, chat),
    );
    mount.appendChild(this.el);
    this.render();
  }

  // -- lifecycle -------------------------------------------------------------------------------------------

  /** Load the workflows and agents, and connect (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.loadTargets();
    this.connection.start();
  }

  stop(): void {
    this.started = false;
    this.connection.stop();
  }

  focus(): void {
    this.textarea.focus();
  }

  /** Drop the socket as a network failure would (it reconnects and resumes). For diagnostics and tests. */
  dropConnection(): void {
    this.connection.drop("dropped on request");
  }

  // -- state -----------------------------------------------------------------------------------------------

  private dispatch(action: Action): void {
    const before = this.state;
    this.state = reduce(this.state, action);
    if (this.state !== before) {
      this.afterChange(before);
      this.scheduleRender();
    }
  }

  private afterChange(before: ChatState): void {
    let added = false;
    for (const run of Object.values(this.state.runs)) {
      if (!before.runs[run.id]) {
        this.resumeRequested.add(run.id);
        added = true;
      }
      if (isFinished(run.status) && !run.artifactsLoaded && !this.artifactsRequested.has(run.id)) {
        this.artifactsRequested.add(run.id);
        void this.loadArtifacts(run.id);
      }
    }
    if (added) {
      // remember the session's newest run: a reloaded page replays it (and, through it, the session's others)
      const newest = orderedRuns(this.state).at(-1);
      if (newest && newest.id !== this.restoreRunId) {
        this.restoreRunId = newest.id;
        this.store.set("lastRun", newest.id);
      }
    }
  }

  private newSessionId(): string {
    const id = `s-${randomId(12)}`;
    this.store.set("session", id);
    return id;
  }

  /** What the current session talks to, as remembered (`null`: nothing sent or chosen in it yet). */
  private sessionTarget(): Target | null {
    const stored = this.store.get("sessionTarget");
    if (!stored) return null;
    const space = stored.indexOf(" ");
    return stored.slice(0, space) === this.sessionId ? parseTarget(stored.slice(space + 1)) : null;
  }

  private rememberTarget(target: Target): void {
    this.store.set("target", targetKey(target)); // the default of new sessions
    this.store.set("sessionTarget", `${this.sessionId} ${targetKey(target)}`);
  }

  private onServerMessage(message: ServerMessage): void {
    if (message.type === "session") {
      // a session's other runs (restored page, other tabs): follow them from their start
      const runs = Array.isArray(message["runs"]) ? (message["runs"] as { run_id?: unknown; workflow?: unknown }[]) : [];
      const latest = runs[0]?.workflow; // newest first
      if (this.sessionTarget() === null && typeof latest === "string" && latest) {
        // a session started elsewhere (another tab or device): keep talking to what it talked to last
        this.store.set("sessionTarget", `${this.sessionId} ${targetKey(targetOf(latest))}`);
        if (this.picker.loaded) {
          this.restoreSelection();
          this.renderTarget();
        }
      }
      const wanted = runs
        .map((r) => r.run_id)
        .filter((id): id is string => typeof id === "string" && !this.state.runs[id] && !this.resumeRequested.has(id))
        .slice(0, MAX_RESTORED_RUNS);
      for (const runId of wanted) {
        this.resumeRequested.add(runId);
        this.connection.send({ type: "resume", sessionId: this.sessionId, runId, after: 0 });
      }
      return;
    }
    if (message.type === "error" && this.restoreRunId !== null && Object.keys(this.state.runs).length === 0) {
      // the stored run is gone (pruned, or another server): forget it quietly
      if (String(message["error"] ?? "").includes(this.restoreRunId)) {
        this.restoreRunId = null;
        this.store.set("lastRun", null);
        return;
      }
    }
    this.dispatch(message);
  }

  private onSocketOpen(send: (message: ClientMessage) => void): void {
    this.dispatch({ type: "local/reconnected" });
    for (const message of resumeMessages(this.state, this.sessionId, this.restoreRunId)) {
      if (message.type === "resume" && message.runId) this.resumeRequested.add(message.runId);
      send(message);
    }
    for (const pending of this.state.pending) {
      if (!pending.sent && pending.error === null) {
        send(this.messageFor(pending.text, pending.target, pending.input));
        this.dispatch({ type: "local/sent", id: pending.id });
      }
    }
  }

  // -- actions ---------------------------------------------------------------------------------------------

  private messageFor(text: string, target: Target | null, input: Readonly<Record<string, unknown>> | null): ClientMessage {
    const message: ClientMessage = { type: "message", message: text, sessionId: this.sessionId };
    if (target?.kind === "agent") message.agent = target.id;
    else if (target) message.workflow = target.id;
    if (input && Object.keys(input).length > 0) message.input = { ...input };
    return message;
  }

  private sendMessage(): void {
    const text = this.textarea.value.trim();
    if (!text) {
      this.textarea.focus();
      return;
    }
    const target = this.picker.selection;
    if (!target && Object.keys(this.state.runs).length === 0) {
      this.dispatch({ type: "local/notice", text: "Choose a workflow or an agent first." });
      return;
    }
    let input: Record<string, unknown> | null = null;
    if (target?.kind === "workflow" && this.optionsForm && !this.optionsEl.hidden) {
      const result = this.optionsForm.collect();
      if (!result.ok) {
        this.optionsEl.open = true;
        return;
      }
      input = (result.value as Record<string, unknown>) ?? null;
    }
    const id = randomId(6);
    let sent = false;
    if (target) this.rememberTarget(target); // the session talks to it from now on (also after a reload)
    if (this.connection.isOpen) sent = this.connection.send(this.messageFor(text, target, input));
    this.dispatch({ type: "local/message", id, text, target, input, sent });
    this.textarea.value = "";
    this.fitTextarea();
    this.renderComposer();
    this.textarea.focus(); // the Send button is disabled now: keep the focus where the next message goes
    this.scrollToBottom(true);
  }

  private answer(runId: string, step: string, value: unknown): void {
    this.dispatch({ type: "local/input", runId });
    this.connection.send({ type: "input", runId, step, value });
  }

  private cancelActive(): void {
    const run = activeRun(this.state);
    if (!run) return;
    this.dispatch({ type: "local/cancel", runId: run.id });
    this.connection.send({ type: "cancel", runId: run.id });
  }

  private newChat(): void {
    this.sessionId = this.newSessionId();
    this.restoreRunId = null;
    this.store.set("lastRun", null);
    this.resumeRequested.clear();
    this.artifactsRequested.clear();
    for (const block of this.blocks.values()) block.el.remove();
    this.blocks.clear();
    this.dispatch({ type: "local/reset" });
    if (this.started) this.connection.restart(); // the old socket keeps following the old session's runs
    this.textarea.focus();
  }

  private select(target: Target): void {
    this.rememberTarget(target);
    if (this.pickerSummary) {
      const disclosure = this.pickerSummary.closest("details");
      if (disclosure) disclosure.open = false;
    }
    this.renderTarget();
    this.textarea.focus();
  }

  private setToken(token: string | null): void {
    this.token = token;
    this.store.set("token", token);
    this.toggleSettings(false);
    void this.loadTargets();
    if (this.started) this.connection.restart();
  }

  private toggleSettings(open = this.settingsEl.hidden): void {
    setHidden(this.settingsEl, !open);
    this.settingsButton.setAttribute("aria-expanded", String(open));
    if (open) {
      this.tokenInput.value = this.token ?? "";
      this.tokenInput.focus();
    }
  }

  /** Load the picker: workflows (`GET /api/workflows`) and agents (`GET /api/agents`), side by side. */
  private async loadTargets(): Promise<void> {
    this.picker.setLoading();
    const [workflows, agents] = await Promise.allSettled([this.api.workflows(), this.api.agents()]);
    const problems: string[] = [];
    const sections: PickerSection[] = [];
    if (workflows.status === "fulfilled") {
      sections.push(this.workflowSection(workflows.value));
    } else {
      problems.push(`Could not load workflows: ${errorMessage(workflows.reason)}`);
    }
    if (agents.status === "fulfilled") {
      sections.push(this.agentSection(agents.value));
    } else if (!(agents.reason instanceof ApiError && agents.reason.status === 404)) {
      problems.push(`Could not load agents: ${errorMessage(agents.reason)}`); // (a 404: a server without agents)
    }
    const unauthorized = [workflows, agents].some(
      (r) => r.status === "rejected" && r.reason instanceof ApiError && r.reason.status === 401,
    );
    if (sections.length > 0) {
      this.picker.setSections(sections);
      this.restoreSelection();
    }
    if (unauthorized) {
      this.picker.setError("Sign-in needed: add an access token in Settings.");
      this.toggleSettings(true);
    } else if (problems.length > 0) {
      this.picker.setError(problems.join(" "));
    }
    this.renderTarget();
  }

  private workflowSection(list: WorkflowList): PickerSection {
    this.workflows = list.workflows;
    const invalid = (list.invalid ?? []).map((w) => ({ id: w.id, name: w.id, description: `Invalid: ${w.error}`, disabled: true }));
    return {
      kind: "workflow",
      title: "Workflows",
      emptyText: "This server has no workflows.",
      items: [...this.workflows.map((w) => ({ id: w.id, name: w.name || w.id, description: w.description || null })), ...invalid],
    };
  }

  private agentSection(list: AgentList): PickerSection {
    this.agents = list.agents;
    const items: PickerItem[] = this.agents.map((a) => {
      const tools = [...(a.tools ?? []), ...(a.handoffs ?? []).map((id) => `→ ${id}`)];
      return {
        id: a.id,
        name: a.name || a.id,
        description: a.description || null,
        meta: tools.length > 0 ? `Tools: ${tools.join(", ")}` : null,
      };
    });
    const invalid = (list.invalid ?? []).map((a) => ({ id: a.id, name: a.id, description: `Invalid: ${a.error}`, disabled: true }));
    return { kind: "agent", title: "Agents", emptyText: "This server has no agents.", items: [...items, ...invalid] };
  }

  /**
   * Select what the session talks to (remembered for it), else the page's default (`data-agent`,
   * `data-workflow`, `?workflow=`), else the last choice, else the first workflow, else the `ask` agent.
   */
  private restoreSelection(): void {
    const candidates: (Target | null)[] = [
      this.sessionTarget(),
      this.options.agent ? { kind: "agent", id: this.options.agent } : null,
      this.options.workflow ? { kind: "workflow", id: this.options.workflow } : null,
      parseTarget(this.store.get("target")),
      this.workflows[0] ? { kind: "workflow", id: this.workflows[0].id } : null,
      { kind: "agent", id: "ask" },
    ];
    const chosen = candidates.find((c): c is Target => c !== null && this.picker.has(c)) ?? null;
    this.picker.setSelected(chosen);
  }

  private async loadArtifacts(runId: string): Promise<void> {
    try {
      const artifacts = await this.api.artifacts(runId);
      this.dispatch({ type: "local/artifacts", runId, artifacts });
    } catch {
      this.artifactsRequested.delete(runId); // try again on the next change
    }
  }

  private async download(path: string, filename: string): Promise<void> {
    try {
      saveBlob(await this.api.blob(path), filename, this.el.ownerDocument);
    } catch (error) {
      this.dispatch({ type: "local/notice", text: `Download failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  // -- rendering -------------------------------------------------------------------------------------------

  private workflowName = (id: string | null): string => {
    if (!id) return "Workflow";
    const agent = agentOf(id);
    if (agent !== null) return this.agents.find((a) => a.id === agent)?.name || agent;
    return this.workflows.find((w) => w.id === id)?.name || id;
  };

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    queueMicrotask(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private isNearBottom(): boolean {
    const t = this.transcript;
    return t.scrollHeight - t.scrollTop - t.clientHeight < 96;
  }

  private scrollToBottom(force = false): void {
    if (force || this.isNearBottom()) this.transcript.scrollTop = this.transcript.scrollHeight;
  }

  private render(): void {
    const stick = this.isNearBottom();
    const runs = orderedRuns(this.state);
    const actions = {
      answer: (runId: string, step: string, value: unknown) => this.answer(runId, step, value),
      downloadZip: (run: RunView) =>
        void this.download(this.api.artifactsZipPath(run.id), `${run.workflow ?? "run"}-${run.id.slice(0, 8)}.zip`),
      downloadFile: (run: RunView, path: string) =>
        void this.download(this.api.artifactPath(run.id, path), path.split("/").pop() || "file"),
    };
    runs.forEach((run, index) => {
      let block = this.blocks.get(run.id);
      if (!block) {
        block = new RunBlock(run.id, actions, this.workflowName);
        this.blocks.set(run.id, block);
      }
      if (this.runsEl.children[index] !== block.el) this.runsEl.insertBefore(block.el, this.runsEl.children[index] ?? null);
      block.update(run);
    });
    if (this.state.pending !== this.renderedPending) this.renderPending();
    if (this.state.notices !== this.renderedNotices) this.renderNotices();
    setHidden(this.emptyEl, runs.length > 0 || this.state.pending.length > 0);
    this.renderComposer();
    if (stick) this.scrollToBottom(true);
  }

  private renderPending(): void {
    this.renderedPending = this.state.pending;
    replaceChildren(
      this.pendingEl,
      ...this.state.pending.map((p) =>
        h(
          "div",
          { class: "mz-run mz-run--pending", "data-pending": p.id },
          h("div", { class: "mz-msg mz-msg--user" }, p.text),
          p.error
            ? h(
                "div",
                { class: "mz-msg mz-msg--bot mz-msg--error", role: "alert" },
                h("p", null, `Not started: ${p.error}`),
                h(
                  "button",
                  {
                    type: "button",
                    class: "mz-button mz-button--small",
                    onclick: () => this.dispatch({ type: "local/dismiss-pending", id: p.id }),
                  },
                  "Dismiss",
                ),
              )
            : h("p", { class: "mz-hint mz-pending-note" }, p.sent ? "Starting…" : "Waiting for the connection…"),
        ),
      ),
    );
  }

  private renderNotices(): void {
    this.renderedNotices = this.state.notices;
    replaceChildren(
      this.noticesEl,
      ...this.state.notices.map((n) =>
        h(
          "div",
          { class: "mz-notice", role: "alert" },
          h("span", null, n.text),
          h(
            "button",
            {
              type: "button",
              class: "mz-button mz-button--small",
              onclick: () => this.dispatch({ type: "local/dismiss", id: n.id }),
            },
            "Dismiss",
          ),
        ),
      ),
    );
  }

  /** Grow the message box with its text (CSS caps the height). */
  private fitTextarea(): void {
    this.textarea.style.height = "auto";
    if (this.textarea.value) this.textarea.style.height = `${this.textarea.scrollHeight + 2}px`;
  }

  private renderComposer(): void {
    const active = activeRun(this.state);
    setHidden(this.cancelButton, active === null);
    this.cancelButton.disabled = active?.cancelRequested === true;
    setText(this.cancelButton, active?.cancelRequested ? "Cancelling…" : "Cancel run");
    this.sendButton.disabled = this.textarea.value.trim() === "";
  }

  private renderTarget(): void {
    const name = this.picker.selectedName();
    setText(this.targetEl, name ?? "nothing selected");
    if (this.pickerSummary) setText(this.pickerSummary, name ?? "Choose a workflow or an agent");
    const selection = this.picker.selection;
    const workflow = selection?.kind === "workflow" ? this.workflows.find((w) => w.id === selection.id) : undefined;
    const spec = workflow ? formFromSchema(workflow.inputs, { exclude: ["message"] }) : null;
    if (spec && spec.mode === "object" && spec.fields.length > 0) {
      this.optionsForm = new FormView(spec);
      replaceChildren(this.optionsBody, this.optionsForm.el);
      setHidden(this.optionsEl, false);
    } else {
      this.optionsForm = null;
      replaceChildren(this.optionsBody);
      setHidden(this.optionsEl, true);
    }
  }

  private renderConnection(state: ConnectionState): void {
    this.connEl.dataset["state"] = state.kind;
    let text: string;
    switch (state.kind) {
      case "open":
        text = "Connected";
        break;
      case "connecting":
        text = state.attempt === 0 ? "Connecting…" : "Reconnecting…";
        break;
      case "waiting":
        text = "Connection lost, reconnecting…";
        break;
      case "stopped":
        text = state.code === 4001 ? "Sign-in needed: add an access token in Settings" : `Not allowed: ${state.reason}`;
        if (state.code === 4001) this.toggleSettings(true);
        break;
      default:
        text = "Offline";
    }
    setText(this.connEl, text);
    setHidden(this.retryButton, state.kind !== "waiting");
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
