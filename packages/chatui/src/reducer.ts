/**
 * The chat state and its pure reducer.
 *
 * Every server message and every local action goes through {@link reduce}, which never mutates its input.
 * Run events are applied at most once and in order: the reducer keeps the last sequence number seen per
 * run and drops any event whose `seq` is not greater (replays after a reconnect overlap the live stream).
 */

import { AGENT_PREFIX, isRunEvent, type ArtifactInfo, type ServerMessage } from "./protocol";

export type RunStatus = "queued" | "pending" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";
export type StepStatus = "running" | "waiting" | "retrying" | "completed" | "failed" | "skipped";

const FINISHED: ReadonlySet<RunStatus> = new Set<RunStatus>(["succeeded", "failed", "cancelled"]);

/** Whether a run has ended (its final event arrived). */
export function isFinished(status: RunStatus): boolean {
  return FINISHED.has(status);
}

/** What a chat message goes to: a workflow, or an agent (`GET /api/agents`). */
export interface Target {
  readonly kind: "workflow" | "agent";
  readonly id: string;
}

/** The target a run's workflow id stands for: `agent:<id>` is a chat with that agent. */
export function targetOf(workflow: string): Target {
  return workflow.startsWith(AGENT_PREFIX) && workflow.length > AGENT_PREFIX.length
    ? { kind: "agent", id: workflow.slice(AGENT_PREFIX.length) }
    : { kind: "workflow", id: workflow };
}

/** A target as stored: `workflow:hello-world`, `agent:ask`. */
export function targetKey(target: Target): string {
  return `${target.kind}:${target.id}`;
}

/** The target of a stored {@link targetKey} (`null` for anything else). */
export function parseTarget(text: string | null): Target | null {
  if (!text) return null;
  const at = text.indexOf(":");
  const kind = text.slice(0, at);
  const id = text.slice(at + 1);
  return at > 0 && id && (kind === "workflow" || kind === "agent") ? { kind, id } : null;
}

/** The agent a run chats with (`agent:<id>` workflow ids), else `null`. */
export function agentOf(workflow: string | null): string | null {
  if (workflow === null) return null;
  const target = targetOf(workflow);
  return target.kind === "agent" ? target.id : null;
}

/** A tool call of an agent (`tool.started`, then `tool.completed` with the same `call_id`). */
export interface ToolCallView {
  readonly callId: string | null;
  readonly name: string;
  readonly arguments: unknown;
  /** `undefined` until the call completed. */
  readonly result: unknown;
  /** `error`: the tool returned `{"error": …}` (which the model reads; the step goes on). */
  readonly status: "running" | "done" | "error";
}

/** One line of a step's (or run's) streamed text. */
export interface Line {
  /**
   * `progress`, `token`, `reasoning` (chunks), `tool` or `answer`. Consecutive `token` (and `reasoning`) chunks
   * are joined into one line: the reply growing as the model writes it.
   */
  readonly kind: string;
  readonly text: string;
  /** The seq of the line's first event: a stable key while a streamed line grows or a tool call completes. */
  readonly seq: number;
  /** The call, for `tool` lines. */
  readonly tool?: ToolCallView;
}

/** Token accounting of a run's model calls (`usage` events). */
export interface UsageView {
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cost: number;
}

export interface StepView {
  readonly path: string;
  readonly name: string;
  readonly kind: string | null;
  readonly status: StepStatus;
  /** 1 for the first attempt, 2 after the first `step.retrying`, … */
  readonly attempt: number;
  readonly lines: readonly Line[];
  readonly error: string | null;
  readonly note: string | null;
  /** A short scalar output of a completed step (an `echo`'s text), unless it repeats the step's last line. */
  readonly summary: string | null;
  /** Nesting depth from the path: `a` → 0, `a[1].b` → 1. */
  readonly depth: number;
  /** Answered by the offline provider (`usage`/`step.completed` with `offline: true`): never an LLM's text. */
  readonly offline: boolean;
}

export interface InputRequest {
  readonly step: string;
  readonly prompt: string;
  readonly schema: unknown;
  readonly timeoutAt: number | null;
  /** The seq of the `input.requested` event: a stable key for the form. */
  readonly seq: number;
  /** An answer was sent and not yet acknowledged. */
  readonly submitting: boolean;
  /** The server refused the last answer. */
  readonly error: string | null;
}

export interface RunView {
  readonly id: string;
  readonly workflow: string | null;
  /** The agent this run chats with (workflow id `agent:<id>`), else `null`. */
  readonly agent: string | null;
  /** The chat message that started the run. */
  readonly message: string | null;
  readonly status: RunStatus;
  /** `ts` of the run's first event (server time, seconds). */
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  /** Order in which the client first heard of the run (ties and runs without events). */
  readonly order: number;
  readonly steps: readonly StepView[];
  /** Chunks that belong to no step. */
  readonly lines: readonly Line[];
  readonly input: InputRequest | null;
  readonly artifacts: readonly ArtifactInfo[];
  /** The authoritative artifact list was fetched after the run ended. */
  readonly artifactsLoaded: boolean;
  readonly hasOutput: boolean;
  readonly output: unknown;
  readonly error: string | null;
  readonly lastSeq: number;
  readonly cancelRequested: boolean;
  /** Totals of the run's `usage` events; `null` before the first. */
  readonly usage: UsageView | null;
}

/** A message sent by this client whose run has not been seen yet. */
export interface PendingMessage {
  readonly id: string;
  readonly text: string;
  /** What the message was sent to (`null`: the session's last workflow or agent). */
  readonly target: Target | null;
  /** Extra workflow input sent with the message. */
  readonly input: Readonly<Record<string, unknown>> | null;
  /** Written to an open socket (else it waits for the next connection). */
  readonly sent: boolean;
  readonly error: string | null;
}

export interface Notice {
  readonly id: number;
  readonly text: string;
}

export interface ChatState {
  readonly runs: Readonly<Record<string, RunView>>;
  readonly pending: readonly PendingMessage[];
  readonly notices: readonly Notice[];
  /** Counter for `RunView.order` and notice ids. */
  readonly counter: number;
}

/** Actions of this client, mixed into the same stream as server messages. */
export type LocalAction =
  | {
      readonly type: "local/message";
      readonly id: string;
      readonly text: string;
      readonly target: Target | null;
      readonly input?: Readonly<Record<string, unknown>> | null;
      readonly sent: boolean;
    }
  | { readonly type: "local/sent"; readonly id: string }
  /** A new socket opened: answers sent on the old one may be lost, so their forms can be submitted again. */
  | { readonly type: "local/reconnected" }
  | { readonly type: "local/input"; readonly runId: string }
  | { readonly type: "local/cancel"; readonly runId: string }
  | { readonly type: "local/artifacts"; readonly runId: string; readonly artifacts: readonly ArtifactInfo[] }
  | { readonly type: "local/notice"; readonly text: string }
  | { readonly type: "local/dismiss"; readonly id: number }
  | { readonly type: "local/dismiss-pending"; readonly id: string }
  | { readonly type: "local/reset" };

export type Action = ServerMessage | LocalAction;

export const initialState: ChatState = Object.freeze({ runs: {}, pending: [], notices: [], counter: 0 });

// -- helpers ---------------------------------------------------------------------------------------------

/** Human text of an error value (`"…"` or `{"message": "…"}`). */
export function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (error && typeof error === "object") {
    const message = (error as { message?: unknown }).message;
    if (typeof message === "string") return message;
    try {
      return JSON.stringify(error);
    } catch {
      return String(error);
    }
  }
  return error === undefined || error === null ? "unknown error" : String(error);
}

/** Depth of a step path: segments separated by dots outside brackets. */
export function stepDepth(path: string): number {
  let depth = 0;
  let brackets = 0;
  for (const char of path) {
    if (char === "[") brackets += 1;
    else if (char === "]") brackets = Math.max(0, brackets - 1);
    else if (char === "." && brackets === 0) depth += 1;
  }
  return depth;
}

function lastSegment(path: string): string {
  const parts = path.split(".");
  return parts[parts.length - 1] ?? path;
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function newRun(id: string, order: number): RunView {
  return {
    id,
    workflow: null,
    agent: null,
    message: null,
    status: "pending",
    startedAt: null,
    finishedAt: null,
    order,
    steps: [],
    lines: [],
    input: null,
    artifacts: [],
    artifactsLoaded: false,
    hasOutput: false,
    output: undefined,
    error: null,
    lastSeq: 0,
    cancelRequested: false,
    usage: null,
  };
}

function newStep(path: string, name?: string | null): StepView {
  return {
    path,
    name: name ?? lastSegment(path),
    kind: null,
    status: "running",
    attempt: 1,
    lines: [],
    error: null,
    note: null,
    summary: null,
    depth: stepDepth(path),
    offline: false,
  };
}

/** Return `run` with the step at `path` replaced by `update(step)` (created first when unknown). */
function withStep(run: RunView, path: string, update: (step: StepView) => StepView, name?: string | null): RunView {
  const index = run.steps.findIndex((s) => s.path === path);
  if (index === -1) return { ...run, steps: [...run.steps, update(newStep(path, name))] };
  const steps = run.steps.slice();
  steps[index] = update(steps[index] as StepView);
  return { ...run, steps };
}

const SUMMARY_LIMIT = 200;

/** The one-line summary of a step's output: strings, numbers and booleans only. */
export function outputSummary(output: unknown, lines: readonly Line[] = []): string | null {
  if (typeof output !== "string" && typeof output !== "number" && typeof output !== "boolean") return null;
  const text = String(output).trim();
  if (!text || text === lines[lines.length - 1]?.text.trim()) return null;
  return text.length > SUMMARY_LIMIT ? `${text.slice(0, SUMMARY_LIMIT - 1)}…` : text;
}

function closeInput(run: RunView, step?: string): RunView {
  if (run.input === null || (step !== undefined && run.input.step !== step)) return run;
  return { ...run, input: null };
}

function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function addArtifact(list: readonly ArtifactInfo[], path: string, size: number): readonly ArtifactInfo[] {
  const index = list.findIndex((a) => a.path === path);
  if (index === -1) return [...list, { path, size }];
  const copy = list.slice();
  copy[index] = { ...(copy[index] as ArtifactInfo), size };
  return copy;
}

/** Remove the oldest pending message (matching `text` when given) and return its text. */
function takePending(state: ChatState, text: string | null): [readonly PendingMessage[], PendingMessage | null] {
  const index = state.pending.findIndex((p) => p.sent && p.error === null && (text === null || p.text === text));
  if (index === -1) return [state.pending, null];
  const found = state.pending[index] as PendingMessage;
  return [state.pending.filter((_, i) => i !== index), found];
}

function addNotice(state: ChatState, text: string): ChatState {
  const counter = state.counter + 1;
  return { ...state, counter, notices: [...state.notices, { id: counter, text }] };
}

const STREAMED: ReadonlySet<string> = new Set(["token", "reasoning"]);

/** Add a chunk: a streamed one (`token`, `reasoning`) extends the line it continues; others are new lines. */
export function appendChunk(lines: readonly Line[], kind: string, text: string, seq: number): readonly Line[] {
  const last = lines[lines.length - 1];
  if (last !== undefined && STREAMED.has(kind) && last.kind === kind) {
    return [...lines.slice(0, -1), { ...last, text: last.text + text }];
  }
  return [...lines, { kind, text, seq }];
}

function toolLine(tool: ToolCallView, seq: number): Line {
  const mark = tool.status === "running" ? "→" : tool.status === "error" ? "✕" : "✓";
  return { kind: "tool", text: `${mark} ${tool.name}`, seq, tool };
}

function isToolError(result: unknown): boolean {
  return result !== null && typeof result === "object" && !Array.isArray(result) && "error" in result;
}

/** `tool.started` adds a call; `tool.completed` completes it (matched by `call_id`, else by name). */
export function applyTool(lines: readonly Line[], event: ServerMessage, seq: number): readonly Line[] {
  const callId = str(event["call_id"]);
  const name = str(event["name"]) ?? str(event["tool"]) ?? "tool";
  if (event.type === "tool.started") {
    return [...lines, toolLine({ callId, name, arguments: event["arguments"], result: undefined, status: "running" }, seq)];
  }
  const result = event["result"];
  const status = isToolError(result) ? "error" : "done";
  const index = lines.findIndex(
    (l) => l.tool !== undefined && (callId !== null ? l.tool.callId === callId : l.tool.status === "running" && l.tool.name === name),
  );
  const started = index === -1 ? undefined : lines[index];
  if (started?.tool === undefined) {
    // its start is not known (a step restarted since): show the completed call on its own
    return [...lines, toolLine({ callId, name, arguments: event["arguments"], result, status }, seq)];
  }
  const copy = lines.slice();
  copy[index] = toolLine({ ...started.tool, result, status }, started.seq);
  return copy;
}

function addUsage(usage: UsageView | null, event: ServerMessage): UsageView {
  const base = usage ?? { calls: 0, inputTokens: 0, outputTokens: 0, cost: 0 };
  return {
    calls: base.calls + 1,
    inputTokens: base.inputTokens + (num(event["input_tokens"]) ?? 0),
    outputTokens: base.outputTokens + (num(event["output_tokens"]) ?? 0),
    cost: base.cost + (num(event["cost"]) ?? 0),
  };
}

// -- run events ------------------------------------------------------------------------------------------

/** Apply one (new, in-order) run event to its run. */
export function applyEvent(run: RunView, event: ServerMessage): RunView {
  const step = str(event.step);
  const ts = num(event.ts);
  const seq = num(event.seq) ?? run.lastSeq;
  let next: RunView = run;
  if (next.startedAt === null && ts !== null) next = { ...next, startedAt: ts };
  switch (event.type) {
    case "run.started": {
      const input = event["input"];
      const message = input && typeof input === "object" ? str((input as Record<string, unknown>)["message"]) : null;
      const workflow = str(event["workflow"]) ?? next.workflow;
      return {
        ...next,
        status: isFinished(next.status) ? next.status : "running",
        workflow,
        agent: agentOf(workflow),
        message: next.message ?? message,
      };
    }
    case "step.started": {
      if (step === null) return next;
      const kind = str(event["kind"]);
      next = withStep(
        next,
        step,
        (s) => ({
          ...s,
          name: str(event["name"]) ?? s.name,
          kind: kind ?? s.kind,
          // a step started again (after an interruption) starts from scratch
          status: kind === "wait_for_input" ? "waiting" : "running",
          lines: [],
          error: null,
          note: null,
        }),
        str(event["name"]),
      );
      return isFinished(next.status) ? next : { ...next, status: "running" };
    }
    case "chunk": {
      const text = typeof event["chunk"] === "string" ? event["chunk"] : valueText(event["chunk"]);
      const kind = str(event["kind"]) ?? "progress";
      if (step === null) return { ...next, lines: appendChunk(next.lines, kind, text, seq) };
      return withStep(next, step, (s) => ({ ...s, lines: appendChunk(s.lines, kind, text, seq) }));
    }
    case "step.retrying": {
      if (step === null) return next;
      const attempt = num(event["attempt"]);
      return withStep(next, step, (s) => ({
        ...s,
        status: "retrying",
        attempt: attempt ?? s.attempt + 1,
        lines: [], // the reset marker: the partial text of the failed attempt is dropped
        error: null,
        note: `retrying after: ${errorText(event["error"])}`,
      }));
    }
    case "step.completed": {
      if (step === null) return next;
      next = withStep(
        next,
        step,
        (s) => ({
          ...s,
          status: "completed",
          error: null,
          note: null,
          summary: s.kind === "wait_for_input" ? null : outputSummary(event["output"], s.lines),
          offline: s.offline || event["offline"] === true,
        }),
        str(event["name"]),
      );
      return closeInput(next, step);
    }
    case "step.failed": {
      if (step === null) return next;
      const interrupted = event["interrupted"] === true;
      next = withStep(
        next,
        step,
        (s) => ({
          ...s,
          status: "failed",
          error: errorText(event["error"]),
          note: interrupted ? "interrupted; it runs again" : event["continue_on_error"] === true ? "continued" : null,
        }),
        str(event["name"]),
      );
      return closeInput(next, step);
    }
    case "step.skipped": {
      if (step === null) return next;
      const reason = str(event["reason"]);
      return withStep(next, step, (s) => ({ ...s, status: "skipped", note: reason }), str(event["name"]));
    }
    case "tool.started":
    case "tool.completed": {
      if (step === null) return { ...next, lines: applyTool(next.lines, event, seq) };
      return withStep(next, step, (s) => ({ ...s, lines: applyTool(s.lines, event, seq) }));
    }
    case "usage": {
      next = { ...next, usage: addUsage(next.usage, event) };
      if (event["offline"] !== true || step === null) return next;
      return withStep(next, step, (s) => (s.offline ? s : { ...s, offline: true }));
    }
    case "input.requested": {
      const path = step ?? "input";
      next = withStep(next, path, (s) => ({ ...s, status: "waiting" }));
      return {
        ...next,
        status: "waiting",
        input: {
          step: path,
          prompt: str(event["prompt"]) ?? "",
          schema: event["schema"] ?? null,
          timeoutAt: num(event["timeout_at"]),
          seq,
          submitting: false,
          error: null,
        },
      };
    }
    case "input.received": {
      const path = step ?? next.input?.step ?? "input";
      const prefix = event["timed_out"] === true ? "No answer in time; default" : "Answer";
      const line: Line = { kind: "answer", text: `${prefix}: ${valueText(event["value"])}`, seq };
      next = withStep(next, path, (s) => ({ ...s, lines: [...s.lines, line] }));
      next = closeInput(next, path);
      return isFinished(next.status) ? next : { ...next, status: "running" };
    }
    case "artifact.created": {
      const path = str(event["path"]);
      if (path === null) return next;
      return { ...next, artifacts: addArtifact(next.artifacts, path, num(event["size"]) ?? 0) };
    }
    case "run.completed":
      return { ...next, status: "succeeded", hasOutput: true, output: event["output"], finishedAt: ts, input: null };
    case "run.failed":
      return { ...next, status: "failed", error: errorText(event["error"]), finishedAt: ts, input: null };
    case "run.cancelled":
      return { ...next, status: "cancelled", finishedAt: ts, input: null };
    default:
      return next; // future event types: recorded (seq) but not shown
  }
}

// -- the reducer -----------------------------------------------------------------------------------------

function setRun(state: ChatState, run: RunView): ChatState {
  return { ...state, runs: { ...state.runs, [run.id]: run } };
}

function ensureRun(state: ChatState, id: string): [ChatState, RunView] {
  const existing = state.runs[id];
  if (existing) return [state, existing];
  const counter = state.counter + 1;
  const run = newRun(id, counter);
  return [{ ...state, counter }, run];
}

function reduceRunEvent(state: ChatState, event: ServerMessage & { seq: number; run_id: string }): ChatState {
  const known = state.runs[event.run_id];
  if (known && event.seq <= known.lastSeq) return state; // replayed or duplicated: already applied
  let [next, run] = ensureRun(state, event.run_id);
  run = { ...applyEvent(run, event), lastSeq: event.seq };
  if (event.type === "run.started" && run.message !== null && (!known || known.message === null)) {
    const [pending] = takePending(next, run.message);
    next = { ...next, pending };
  }
  return setRun(next, run);
}

function reduceError(state: ChatState, text: string): ChatState {
  // Route the error to what most likely caused it: an answer being submitted, else a message being sent.
  const waiting = Object.values(state.runs).find((r) => r.input?.submitting);
  if (waiting && waiting.input) {
    return setRun(state, { ...waiting, input: { ...waiting.input, submitting: false, error: text } });
  }
  const index = state.pending.findIndex((p) => p.sent && p.error === null);
  if (index !== -1) {
    const pending = state.pending.slice();
    pending[index] = { ...(pending[index] as PendingMessage), error: text };
    return { ...state, pending };
  }
  return addNotice(state, text);
}

/** The next state after `action` (a server message or a local action). */
export function reduce(state: ChatState, action: Action): ChatState {
  if (isRunEvent(action)) return reduceRunEvent(state, action);
  switch (action.type) {
    case "local/message": {
      const a = action as Extract<LocalAction, { type: "local/message" }>;
      const message: PendingMessage = {
        id: a.id,
        text: a.text,
        target: a.target,
        input: a.input ?? null,
        sent: a.sent,
        error: null,
      };
      return { ...state, pending: [...state.pending, message] };
    }
    case "local/sent": {
      const id = (action as Extract<LocalAction, { type: "local/sent" }>).id;
      return { ...state, pending: state.pending.map((p) => (p.id === id ? { ...p, sent: true } : p)) };
    }
    case "local/input": {
      const run = state.runs[(action as Extract<LocalAction, { type: "local/input" }>).runId];
      if (!run || !run.input) return state;
      return setRun(state, { ...run, input: { ...run.input, submitting: true, error: null } });
    }
    case "local/reconnected": {
      const stuck = Object.values(state.runs).filter((r) => r.input?.submitting);
      if (stuck.length === 0) return state;
      let next = state;
      for (const r of stuck) next = setRun(next, { ...r, input: r.input && { ...r.input, submitting: false } });
      return next;
    }
    case "local/cancel": {
      const run = state.runs[(action as Extract<LocalAction, { type: "local/cancel" }>).runId];
      if (!run || isFinished(run.status)) return state;
      return setRun(state, { ...run, cancelRequested: true });
    }
    case "local/artifacts": {
      const a = action as Extract<LocalAction, { type: "local/artifacts" }>;
      const run = state.runs[a.runId];
      if (!run) return state;
      return setRun(state, { ...run, artifacts: a.artifacts.slice(), artifactsLoaded: true });
    }
    case "local/notice":
      return addNotice(state, (action as Extract<LocalAction, { type: "local/notice" }>).text);
    case "local/dismiss": {
      const id = (action as Extract<LocalAction, { type: "local/dismiss" }>).id;
      return { ...state, notices: state.notices.filter((n) => n.id !== id) };
    }
    case "local/dismiss-pending": {
      const id = (action as Extract<LocalAction, { type: "local/dismiss-pending" }>).id;
      return { ...state, pending: state.pending.filter((p) => p.id !== id) };
    }
    case "local/reset":
      return initialState;
    case "run.queued": {
      const runId = str(action.run_id);
      if (runId === null) return state;
      let [next, run] = ensureRun(state, runId);
      if (run.lastSeq > 0 && run.status !== "pending") return setRun(next, run); // it already started
      let message = run.message;
      if (message === null) {
        const [pending, taken] = takePending(next, null);
        next = { ...next, pending };
        message = taken?.text ?? null;
      }
      const workflow = str(action["workflow"]) ?? run.workflow;
      return setRun(next, { ...run, status: "queued", message, workflow, agent: agentOf(workflow) });
    }
    case "error":
      return reduceError(state, errorText(action["error"] ?? action["message"]));
    default:
      return state; // session, pong and anything newer
  }
}

// -- selectors -------------------------------------------------------------------------------------------

/** Runs in display order: by the time they started, then by the order this client learnt of them. */
export function orderedRuns(state: ChatState): RunView[] {
  return Object.values(state.runs).sort((a, b) => {
    const ta = a.startedAt ?? Number.POSITIVE_INFINITY;
    const tb = b.startedAt ?? Number.POSITIVE_INFINITY;
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.order - b.order;
  });
}

/**
 * The run a "Cancel run" button acts on: the oldest run that has not ended, i.e. the one at work (runs
 * queued behind it start when it ends). This is also the server's default for `{"type": "cancel"}`.
 */
export function activeRun(state: ChatState): RunView | null {
  return orderedRuns(state).find((r) => !isFinished(r.status)) ?? null;
}

/** Whether any of the run's answers came from the offline provider (show it: it is not an LLM's answer). */
export function isOffline(run: RunView): boolean {
  return run.steps.some((s) => s.offline);
}

/** All the streamed lines of a run: its own, then its steps' (for an agent chat: the reply and its tool calls). */
export function replyLines(run: RunView): readonly Line[] {
  const withLines = run.steps.filter((s) => s.lines.length > 0);
  if (run.lines.length === 0 && withLines.length === 1) return (withLines[0] as StepView).lines; // same array: cheap re-renders
  return [...run.lines, ...withLines.flatMap((s) => s.lines)];
}

/**
 * Whether a finished agent chat's output is what its reply already shows (its last streamed text), so it
 * need not be shown twice. Outputs that were not streamed (structured answers, replays) are shown.
 */
export function outputStreamed(run: RunView): boolean {
  if (!run.hasOutput || typeof run.output !== "string") return false;
  const lines = replyLines(run);
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i] as Line;
    if (line.kind === "token") return line.text.trim() === run.output.trim();
  }
  return false;
}

/** The last sequence number applied for each run. */
export function lastSeqs(state: ChatState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const run of Object.values(state.runs)) out[run.id] = run.lastSeq;
  return out;
}
