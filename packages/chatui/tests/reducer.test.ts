import { describe, expect, it } from "vitest";
import { activeRun, errorText, initialState, lastSeqs, orderedRuns, reduce, stepDepth } from "../src/reducer";
import { ev, run } from "./helpers";

const started = (id: string, seq = 1, message = "hi", ts?: number) =>
  ev(id, seq, "run.started", { workflow: "wf", input: { message }, ...(ts === undefined ? {} : { ts }) });

describe("ordering and de-duplication per run", () => {
  it("applies events in order and records the last seq", () => {
    const state = run([
      started("r1"),
      ev("r1", 2, "step.started", { step: "work", name: "work" }),
      ev("r1", 3, "chunk", { step: "work", chunk: "one", kind: "progress" }),
      ev("r1", 4, "chunk", { step: "work", chunk: "two", kind: "progress" }),
    ]);
    const r1 = state.runs["r1"]!;
    expect(r1.lastSeq).toBe(4);
    expect(r1.steps[0]!.lines.map((l) => l.text)).toEqual(["one", "two"]);
    expect(lastSeqs(state)).toEqual({ r1: 4 });
  });

  it("drops an event whose seq is not greater than the last one, returning the same state", () => {
    const state = run([started("r1"), ev("r1", 2, "chunk", { chunk: "a" })]);
    expect(reduce(state, ev("r1", 2, "chunk", { chunk: "a" }))).toBe(state);
    expect(reduce(state, ev("r1", 1, "run.started", { input: { message: "again" } }))).toBe(state);
  });

  it("keeps one sequence per run", () => {
    const state = run([
      started("r1"),
      ev("r1", 2, "chunk", { chunk: "r1-2" }),
      started("r2", 1, "second"),
      ev("r2", 2, "chunk", { chunk: "r2-2" }),
      ev("r1", 2, "chunk", { chunk: "r1-2 duplicate" }),
      ev("r1", 3, "chunk", { chunk: "r1-3" }),
    ]);
    expect(state.runs["r1"]!.lines.map((l) => l.text)).toEqual(["r1-2", "r1-3"]);
    expect(state.runs["r2"]!.lines.map((l) => l.text)).toEqual(["r2-2"]);
    expect(lastSeqs(state)).toEqual({ r1: 3, r2: 2 });
  });

  it("merges a replay that overlaps the live stream without losing or repeating lines", () => {
    const live = [started("r1"), ev("r1", 2, "step.started", { step: "s" })];
    for (let seq = 3; seq <= 6; seq += 1) live.push(ev("r1", seq, "chunk", { step: "s", chunk: `line ${seq}` }));
    // the socket drops after seq 6; the resume replays from seq 4 (overlap) to 9, then live 10
    const replay = [];
    for (let seq = 4; seq <= 8; seq += 1) replay.push(ev("r1", seq, "chunk", { step: "s", chunk: `line ${seq}` }));
    replay.push(ev("r1", 9, "step.completed", { step: "s" }), ev("r1", 10, "run.completed", { output: "done" }));
    const state = run([...live, ...replay, ...replay]);
    const r1 = state.runs["r1"]!;
    expect(r1.steps[0]!.lines.map((l) => l.text)).toEqual([3, 4, 5, 6, 7, 8].map((n) => `line ${n}`));
    expect(r1.status).toBe("succeeded");
    expect(r1.output).toBe("done");
  });

  it("creates a run it hears of mid-stream (resume after a known seq)", () => {
    const state = run([ev("r9", 7, "chunk", { step: "x", chunk: "late" })]);
    expect(state.runs["r9"]!.steps[0]!.lines[0]!.text).toBe("late");
    expect(state.runs["r9"]!.lastSeq).toBe(7);
  });
});

describe("steps", () => {
  it("tracks started, completed, failed and skipped steps with nesting depth", () => {
    const state = run([
      started("r1"),
      ev("r1", 2, "step.started", { step: "loop", name: "loop", kind: "foreach" }),
      ev("r1", 3, "step.started", { step: "loop[0].echo", name: "echo" }),
      ev("r1", 4, "step.completed", { step: "loop[0].echo", name: "echo" }),
      ev("r1", 5, "step.failed", { step: "loop", error: { message: "boom", type: "X" } }),
      ev("r1", 6, "step.skipped", { step: "later", reason: "condition is false" }),
    ]);
    const steps = state.runs["r1"]!.steps;
    expect(steps.map((s) => [s.path, s.status, s.depth])).toEqual([
      ["loop", "failed", 0],
      ["loop[0].echo", "completed", 1],
      ["later", "skipped", 0],
    ]);
    expect(steps[0]!.error).toBe("boom");
    expect(steps[2]!.note).toBe("condition is false");
  });

  it("step.retrying drops that step's partial text only", () => {
    const state = run([
      started("r1"),
      ev("r1", 2, "step.started", { step: "a" }),
      ev("r1", 3, "chunk", { step: "a", chunk: "a done" }),
      ev("r1", 4, "step.completed", { step: "a" }),
      ev("r1", 5, "step.started", { step: "b" }),
      ev("r1", 6, "chunk", { step: "b", chunk: "partial 1" }),
      ev("r1", 7, "chunk", { step: "b", chunk: "partial 2" }),
      ev("r1", 8, "step.retrying", { step: "b", attempt: 2, delay: 0.1, error: { message: "flaky" } }),
    ]);
    const [a, b] = state.runs["r1"]!.steps;
    expect(a!.lines.map((l) => l.text)).toEqual(["a done"]);
    expect(b!.lines).toEqual([]);
    expect(b!.status).toBe("retrying");
    expect(b!.attempt).toBe(2);
    expect(b!.note).toContain("flaky");
    const after = run([ev("r1", 9, "chunk", { step: "b", chunk: "second try" }), ev("r1", 10, "step.completed", { step: "b" })], state);
    expect(after.runs["r1"]!.steps[1]!.lines.map((l) => l.text)).toEqual(["second try"]);
    expect(after.runs["r1"]!.steps[1]!.status).toBe("completed");
  });

  it("a step started again after an interruption starts from scratch", () => {
    const state = run([
      started("r1"),
      ev("r1", 2, "step.started", { step: "a" }),
      ev("r1", 3, "chunk", { step: "a", chunk: "before crash" }),
      ev("r1", 4, "step.failed", { step: "a", interrupted: true, error: { message: "interrupted" } }),
      ev("r1", 5, "step.started", { step: "a" }),
    ]);
    const a = state.runs["r1"]!.steps[0]!;
    expect(a.status).toBe("running");
    expect(a.lines).toEqual([]);
    expect(a.error).toBeNull();
  });

  it("keeps run-level chunks, tool calls and token streams", () => {
    const state = run([
      started("r1"),
      ev("r1", 2, "chunk", { chunk: "no step" }),
      ev("r1", 3, "tool.started", { step: "agent", name: "search" }),
      ev("r1", 4, "chunk", { step: "agent", chunk: "Hel", kind: "token" }),
      ev("r1", 5, "usage", { input_tokens: 3 }),
    ]);
    const r1 = state.runs["r1"]!;
    expect(r1.lines.map((l) => l.text)).toEqual(["no step"]);
    expect(r1.steps[0]!.lines.map((l) => [l.kind, l.text])).toEqual([
      ["tool", "→ search"],
      ["token", "Hel"],
    ]);
    expect(r1.lastSeq).toBe(5);
  });
});

describe("step summaries", () => {
  it("shows short scalar outputs once", () => {
    const state = run([
      started("r1"),
      ev("r1", 2, "step.started", { step: "echo" }),
      ev("r1", 3, "step.completed", { step: "echo", output: "Hello, World!" }),
      ev("r1", 4, "step.started", { step: "log" }),
      ev("r1", 5, "chunk", { step: "log", chunk: "same text" }),
      ev("r1", 6, "step.completed", { step: "log", output: "same text" }),
      ev("r1", 7, "step.started", { step: "obj" }),
      ev("r1", 8, "step.completed", { step: "obj", output: { path: "a" } }),
      ev("r1", 9, "step.started", { step: "long" }),
      ev("r1", 10, "step.completed", { step: "long", output: "x".repeat(500) }),
    ]);
    const summaries = state.runs["r1"]!.steps.map((s) => s.summary);
    expect(summaries.slice(0, 3)).toEqual(["Hello, World!", null, null]);
    expect(summaries[3]).toHaveLength(200);
    expect(summaries[3]!.endsWith("…")).toBe(true);
  });
});

describe("run lifecycle", () => {
  it("records the final output, failures and cancellation", () => {
    const done = run([started("r1"), ev("r1", 2, "run.completed", { status: "succeeded", output: { ok: true } })]);
    expect(done.runs["r1"]!.status).toBe("succeeded");
    expect(done.runs["r1"]!.hasOutput).toBe(true);
    expect(done.runs["r1"]!.output).toEqual({ ok: true });
    const failed = run([started("r2"), ev("r2", 2, "run.failed", { error: { message: "nope" } })]);
    expect(failed.runs["r2"]!.error).toBe("nope");
    const cancelled = run([started("r3"), { type: "local/cancel", runId: "r3" }, ev("r3", 2, "run.cancelled", {})]);
    expect(cancelled.runs["r3"]!.status).toBe("cancelled");
    expect(activeRun(cancelled)).toBeNull();
  });

  it("takes the run's message from run.started and clears the matching pending message", () => {
    const state = run([
      { type: "local/message", id: "m1", text: "hello", target: { kind: "workflow", id: "wf" }, sent: true },
      { type: "local/message", id: "m2", text: "second", target: { kind: "workflow", id: "wf" }, sent: true },
      started("r1", 1, "hello"),
    ]);
    expect(state.runs["r1"]!.message).toBe("hello");
    expect(state.runs["r1"]!.workflow).toBe("wf");
    expect(state.pending.map((p) => p.id)).toEqual(["m2"]);
  });

  it("a queued run takes the oldest pending message until it starts", () => {
    const state = run([
      started("r1", 1, "first"),
      { type: "local/message", id: "m2", text: "second", target: { kind: "workflow", id: "wf" }, sent: true },
      { type: "run.queued", run_id: "r2", session_id: "s1", workflow: "wf" },
    ]);
    expect(state.runs["r2"]!.status).toBe("queued");
    expect(state.runs["r2"]!.message).toBe("second");
    expect(state.pending).toEqual([]);
    expect(activeRun(state)!.id).toBe("r1"); // the run at work; r2 waits behind it
    const later = run([ev("r1", 2, "run.completed", { output: 1 }), started("r2", 1, "second")], state);
    expect(activeRun(later)!.id).toBe("r2");
    expect(later.runs["r2"]!.status).toBe("running");
  });

  it("orders runs by start time, runs without events last", () => {
    const state = run([
      { type: "run.queued", run_id: "q", workflow: "wf" },
      started("late", 1, "b", 50),
      started("early", 1, "a", 10),
    ]);
    expect(orderedRuns(state).map((r) => r.id)).toEqual(["early", "late", "q"]);
  });
});

describe("input requests", () => {
  const waiting = () =>
    run([
      started("r1"),
      ev("r1", 2, "step.started", { step: "approval", kind: "wait_for_input" }),
      ev("r1", 3, "input.requested", {
        step: "approval",
        prompt: "Approve?",
        schema: { type: "object", properties: { ok: { type: "boolean" } } },
        timeout_at: null,
      }),
    ]);

  it("opens a request and marks the run as waiting", () => {
    const r1 = waiting().runs["r1"]!;
    expect(r1.status).toBe("waiting");
    expect(r1.input).toMatchObject({ step: "approval", prompt: "Approve?", seq: 3, submitting: false });
    expect(r1.steps[0]!.status).toBe("waiting");
  });

  it("closes it when the answer is received", () => {
    const state = run(
      [
        { type: "local/input", runId: "r1" },
        ev("r1", 4, "input.received", { step: "approval", value: { ok: true } }),
        ev("r1", 5, "step.completed", { step: "approval", output: { ok: true } }),
      ],
      waiting(),
    );
    const r1 = state.runs["r1"]!;
    expect(r1.input).toBeNull();
    expect(r1.status).toBe("running");
    expect(r1.steps[0]!.lines.map((l) => l.text)).toEqual(['Answer: {"ok":true}']);
  });

  it("lets a form be submitted again after a reconnect", () => {
    const submitting = run([{ type: "local/input", runId: "r1" }], waiting());
    expect(submitting.runs["r1"]!.input!.submitting).toBe(true);
    expect(run([{ type: "local/reconnected" }], submitting).runs["r1"]!.input!.submitting).toBe(false);
    expect(reduce(waiting(), { type: "local/reconnected" })).toEqual(waiting());
  });

  it("shows a refused answer on the form, not as a notice", () => {
    const state = run([{ type: "local/input", runId: "r1" }, { type: "error", error: "input.ok must be of type boolean" }], waiting());
    expect(state.runs["r1"]!.input).toMatchObject({ submitting: false, error: "input.ok must be of type boolean" });
    expect(state.notices).toEqual([]);
  });
});

describe("errors and local actions", () => {
  it("marks the oldest sent message as not started", () => {
    const state = run([
      { type: "local/message", id: "m1", text: "x", target: null, sent: true },
      { type: "error", error: "no workflow for this session" },
    ]);
    expect(state.pending[0]!.error).toBe("no workflow for this session");
    expect(run([{ type: "local/dismiss-pending", id: "m1" }], state).pending).toEqual([]);
  });

  it("an error with nothing in flight becomes a dismissable notice", () => {
    const state = run([{ type: "error", error: "unknown message type" }]);
    expect(state.notices).toEqual([{ id: 1, text: "unknown message type" }]);
    expect(run([{ type: "local/dismiss", id: 1 }], state).notices).toEqual([]);
  });

  it("unsent messages are not blamed for errors", () => {
    const state = run([
      { type: "local/message", id: "m1", text: "x", target: { kind: "workflow", id: "wf" }, sent: false },
      { type: "error", error: "boom" },
    ]);
    expect(state.pending[0]!.error).toBeNull();
    expect(state.notices).toHaveLength(1);
    expect(run([{ type: "local/sent", id: "m1" }], state).pending[0]!.sent).toBe(true);
  });

  it("collects artifacts from events, then from the authoritative list", () => {
    const state = run([
      started("r1"),
      ev("r1", 2, "artifact.created", { step: "w", path: "a.txt", size: 3 }),
      ev("r1", 3, "artifact.created", { step: "w", path: "a.txt", size: 5 }),
      ev("r1", 4, "artifact.created", { step: "w", path: "b/c.md", size: 1 }),
    ]);
    expect(state.runs["r1"]!.artifacts).toEqual([
      { path: "a.txt", size: 5 },
      { path: "b/c.md", size: 1 },
    ]);
    const loaded = reduce(state, { type: "local/artifacts", runId: "r1", artifacts: [{ path: "z", size: 9 }] });
    expect(loaded.runs["r1"]!.artifacts).toEqual([{ path: "z", size: 9 }]);
    expect(loaded.runs["r1"]!.artifactsLoaded).toBe(true);
  });

  it("ignores session, pong and unknown messages, and resets", () => {
    const state = run([started("r1")]);
    expect(reduce(state, { type: "session", session_id: "s1", runs: [] })).toBe(state);
    expect(reduce(state, { type: "something.new" })).toBe(state);
    expect(reduce(state, { type: "local/reset" })).toBe(initialState);
  });
});

describe("helpers", () => {
  it("formats errors", () => {
    expect(errorText("x")).toBe("x");
    expect(errorText({ message: "m", type: "T" })).toBe("m");
    expect(errorText({ code: 1 })).toBe('{"code":1}');
    expect(errorText(undefined)).toBe("unknown error");
  });

  it("computes step depth outside brackets", () => {
    expect(stepDepth("a")).toBe(0);
    expect(stepDepth("greet_each[2].echo")).toBe(1);
    expect(stepDepth("a[0].b[1].c")).toBe(2);
    expect(stepDepth("a[x.y]")).toBe(0);
  });
});
