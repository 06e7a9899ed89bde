import { describe, expect, it } from "vitest";
import {
  agentOf,
  appendChunk,
  isOffline,
  outputStreamed,
  parseTarget,
  reduce,
  replyLines,
  targetKey,
  targetOf,
  type ChatState,
} from "../src/reducer";
import { preview } from "../src/util";
import { ev, run } from "./helpers";

/** An agent chat as the server streams it (see `mozaiks_ai/api/chat.py`): one `reply` step of kind `agent`. */
const chatStart = (id = "r1", agent = "ask", message = "What is two plus two?") => [
  ev(id, 1, "run.started", { workflow: `agent:${agent}`, input: { history: [], message } }),
  ev(id, 2, "step.started", { step: "reply", name: "reply", kind: "agent", uses: agent }),
];

const tokens = (id: string, from: number, pieces: readonly string[]) =>
  pieces.map((chunk, i) => ev(id, from + i, "chunk", { step: "reply", kind: "token", chunk }));

const reply = (state: ChatState, id = "r1") => state.runs[id]!.steps.find((s) => s.path === "reply")!;

describe("targets", () => {
  it("reads agent chats from the workflow id", () => {
    expect(targetOf("agent:helper")).toEqual({ kind: "agent", id: "helper" });
    expect(targetOf("hello-world")).toEqual({ kind: "workflow", id: "hello-world" });
    expect(targetOf("agent:")).toEqual({ kind: "workflow", id: "agent:" });
    expect(agentOf("agent:ask")).toBe("ask");
    expect(agentOf("report-writer")).toBeNull();
    expect(agentOf(null)).toBeNull();
  });

  it("stores and parses targets", () => {
    expect(targetKey({ kind: "agent", id: "ask" })).toBe("agent:ask");
    expect(parseTarget("workflow:hello-world")).toEqual({ kind: "workflow", id: "hello-world" });
    expect(parseTarget("agent:a:b")).toEqual({ kind: "agent", id: "a:b" });
    for (const bad of [null, "", "agent:", ":x", "hello", "other:x"]) expect(parseTarget(bad)).toBeNull();
  });

  it("marks runs started or queued for an agent", () => {
    const state = run(chatStart("r1", "helper"));
    expect(state.runs["r1"]!.agent).toBe("helper");
    expect(state.runs["r1"]!.workflow).toBe("agent:helper");
    const queued = run([{ type: "run.queued", run_id: "q", workflow: "agent:ask", message: "later" }], state);
    expect(queued.runs["q"]!.agent).toBe("ask");
    const workflow = run([ev("w", 1, "run.started", { workflow: "hello-world", input: { message: "hi" } })]);
    expect(workflow.runs["w"]!.agent).toBeNull();
  });

  it("keeps what a pending message was sent to, and clears it when its run starts", () => {
    const state = run([
      { type: "local/message", id: "m1", text: "hello", target: { kind: "agent", id: "helper" }, sent: true },
    ]);
    expect(state.pending[0]!.target).toEqual({ kind: "agent", id: "helper" });
    expect(run(chatStart("r1", "helper", "hello"), state).pending).toEqual([]);
  });
});

describe("token streams", () => {
  it("joins token chunks into one growing reply line, keyed by its first seq", () => {
    let state = run([...chatStart(), ...tokens("r1", 3, ["[offline] ", "You "])]);
    expect(reply(state).lines).toEqual([{ kind: "token", text: "[offline] You ", seq: 3 }]);
    state = run(tokens("r1", 5, ["asked: ", '"What is two plus two?"']), state);
    expect(reply(state).lines).toEqual([{ kind: "token", text: '[offline] You asked: "What is two plus two?"', seq: 3 }]);
  });

  it("does not mutate earlier states while the reply grows", () => {
    const before = run([...chatStart(), ...tokens("r1", 3, ["Hel"])]);
    const lines = reply(before).lines;
    const after = run(tokens("r1", 4, ["lo"]), before);
    expect(lines).toEqual([{ kind: "token", text: "Hel", seq: 3 }]);
    expect(reply(after).lines[0]!.text).toBe("Hello");
  });

  it("a replayed overlap does not repeat text", () => {
    const live = [...chatStart(), ...tokens("r1", 3, ["one ", "two "])];
    const replay = tokens("r1", 3, ["one ", "two ", "three"]);
    expect(reply(run([...live, ...replay])).lines[0]!.text).toBe("one two three");
  });

  it("starts a new line after other lines, and keeps reasoning apart from the answer", () => {
    expect(
      appendChunk(appendChunk([], "reasoning", "Let me think. ", 1), "token", "Four.", 2).map((l) => [l.kind, l.text]),
    ).toEqual([
      ["reasoning", "Let me think. "],
      ["token", "Four."],
    ]);
    expect(appendChunk([{ kind: "progress", text: "a", seq: 1 }], "progress", "b", 2)).toHaveLength(2);
  });

  it("step.retrying drops the failed attempt's partial reply; the next attempt streams afresh", () => {
    const state = run([
      ...chatStart(),
      ...tokens("r1", 3, ["Partial ", "answ"]),
      ev("r1", 5, "step.retrying", { step: "reply", attempt: 2, error: { message: "rate limited" } }),
    ]);
    expect(reply(state).lines).toEqual([]);
    expect(reply(state).status).toBe("retrying");
    expect(reply(state).note).toContain("rate limited");
    const after = run(tokens("r1", 6, ["Full ", "answer"]), state);
    expect(reply(after).lines).toEqual([{ kind: "token", text: "Full answer", seq: 6 }]);
  });

  it("a retry of another step leaves the reply alone", () => {
    const state = run([
      ...chatStart(),
      ...tokens("r1", 3, ["kept"]),
      ev("r1", 4, "step.retrying", { step: "other", attempt: 2, error: "x" }),
    ]);
    expect(reply(state).lines.map((l) => l.text)).toEqual(["kept"]);
  });
});

describe("tool calls", () => {
  it("shows a call when it starts and completes the same line (matched by call_id)", () => {
    let state = run([
      ...chatStart("r1", "helper"),
      ...tokens("r1", 3, ["Let me look. "]),
      ev("r1", 4, "tool.started", { step: "reply", call_id: "c1", name: "search", arguments: { q: "weather" } }),
      ev("r1", 5, "tool.started", { step: "reply", call_id: "c2", name: "search", arguments: { q: "news" } }),
    ]);
    expect(reply(state).lines.map((l) => [l.kind, l.text, l.tool?.status])).toEqual([
      ["token", "Let me look. ", undefined],
      ["tool", "→ search", "running"],
      ["tool", "→ search", "running"],
    ]);
    state = run([ev("r1", 6, "tool.completed", { step: "reply", call_id: "c2", name: "search", result: ["headline"] })], state);
    state = run([ev("r1", 7, "tool.completed", { step: "reply", call_id: "c1", name: "search", result: { temp: 21 } })], state);
    const lines = reply(state).lines;
    expect(lines).toHaveLength(3);
    expect(lines[1]).toEqual({
      kind: "tool",
      text: "✓ search",
      seq: 4,
      tool: { callId: "c1", name: "search", arguments: { q: "weather" }, result: { temp: 21 }, status: "done" },
    });
    expect(lines[2]!.tool).toMatchObject({ callId: "c2", arguments: { q: "news" }, result: ["headline"], status: "done" });
    // the answer after the tools is a new line, not glued to the text before them
    const answered = run(tokens("r1", 8, ["It is ", "21°."]), state);
    expect(reply(answered).lines.map((l) => l.text)).toEqual(["Let me look. ", "✓ search", "✓ search", "It is 21°."]);
  });

  it("marks a call whose tool returned an error", () => {
    const state = run([
      ...chatStart("r1", "helper"),
      ev("r1", 3, "tool.started", { step: "reply", call_id: "c1", name: "fetch", arguments: {} }),
      ev("r1", 4, "tool.completed", { step: "reply", call_id: "c1", name: "fetch", result: { error: "404" } }),
    ]);
    expect(reply(state).lines[0]).toMatchObject({ text: "✕ fetch", tool: { status: "error", result: { error: "404" } } });
  });

  it("matches calls without ids by name, and shows a completion whose start it never saw", () => {
    const state = run([
      ...chatStart("r1", "helper"),
      ev("r1", 3, "tool.started", { step: "reply", name: "a" }),
      ev("r1", 4, "tool.completed", { step: "reply", name: "a", result: 1 }),
      ev("r1", 5, "tool.completed", { step: "reply", call_id: "zz", name: "b", result: 2 }),
    ]);
    expect(reply(state).lines.map((l) => [l.text, l.seq, l.tool?.result])).toEqual([
      ["✓ a", 3, 1],
      ["✓ b", 5, 2],
    ]);
  });

  it("a retry drops the calls of the failed attempt too", () => {
    const state = run([
      ...chatStart("r1", "helper"),
      ev("r1", 3, "tool.started", { step: "reply", call_id: "c1", name: "a", arguments: {} }),
      ev("r1", 4, "step.retrying", { step: "reply", attempt: 2, error: "boom" }),
    ]);
    expect(reply(state).lines).toEqual([]);
  });
});

describe("offline answers and usage", () => {
  const offlineChat = () =>
    run([
      ...chatStart(),
      ...tokens("r1", 3, ["[offline] ", "You ", 'asked: "hi"']),
      ev("r1", 6, "usage", {
        step: "reply",
        provider: "offline",
        model: "offline",
        input_tokens: 20,
        output_tokens: 14,
        cost: 0,
        offline: true,
      }),
      ev("r1", 7, "step.completed", { step: "reply", output: '[offline] You asked: "hi"', offline: true, agent: "ask" }),
      ev("r1", 8, "run.completed", { status: "succeeded", output: '[offline] You asked: "hi"' }),
    ]);

  it("flags the step and the run as offline", () => {
    const state = offlineChat();
    expect(reply(state).offline).toBe(true);
    expect(isOffline(state.runs["r1"]!)).toBe(true);
    expect(reply(state).summary).toBeNull(); // the reply already shows it
  });

  it("knows it is offline from the usage event, before the step completes", () => {
    const state = run([
      ...chatStart(),
      ...tokens("r1", 3, ["[offline] hi"]),
      ev("r1", 4, "usage", { step: "reply", input_tokens: 1, output_tokens: 2, offline: true }),
    ]);
    expect(isOffline(state.runs["r1"]!)).toBe(true);
    expect(reply(state).status).toBe("running");
  });

  it("takes the flag from step.completed alone too, and never sets it for model answers", () => {
    const flagged = run([...chatStart(), ev("r1", 3, "step.completed", { step: "reply", output: "x", offline: true })]);
    expect(isOffline(flagged.runs["r1"]!)).toBe(true);
    const online = run([
      ...chatStart(),
      ...tokens("r1", 3, ["Four."]),
      ev("r1", 4, "usage", { step: "reply", provider: "openai", input_tokens: 9, output_tokens: 2, offline: false }),
      ev("r1", 5, "step.completed", { step: "reply", output: "Four." }),
    ]);
    expect(isOffline(online.runs["r1"]!)).toBe(false);
  });

  it("adds up the tokens of every model call", () => {
    const state = run(
      [
        ev("r1", 9, "usage", { step: "reply", input_tokens: 5, output_tokens: 1, cost: 0.5 }),
        ev("r1", 9, "usage", { step: "reply", input_tokens: 500, output_tokens: 100 }), // a duplicate: ignored
      ],
      offlineChat(),
    );
    expect(state.runs["r1"]!.usage).toEqual({ calls: 2, inputTokens: 25, outputTokens: 15, cost: 0.5 });
    expect(run(chatStart()).runs["r1"]!.usage).toBeNull();
  });

  it("does not show an output the reply already streamed; shows one it did not", () => {
    expect(outputStreamed(offlineChat().runs["r1"]!)).toBe(true);
    const structured = run([
      ...chatStart(),
      ...tokens("r1", 3, ['[offline] {"answer": 4}']),
      ev("r1", 4, "run.completed", { output: { answer: 4 } }),
    ]);
    expect(outputStreamed(structured.runs["r1"]!)).toBe(false);
    const silent = run([...chatStart(), ev("r1", 3, "run.completed", { output: "Four." })]);
    expect(outputStreamed(silent.runs["r1"]!)).toBe(false);
    const afterTools = run([
      ...chatStart(),
      ...tokens("r1", 3, ["Looking. "]),
      ev("r1", 4, "tool.started", { step: "reply", call_id: "c", name: "t" }),
      ev("r1", 5, "tool.completed", { step: "reply", call_id: "c", name: "t", result: 1 }),
      ...tokens("r1", 6, ["Four."]),
      ev("r1", 7, "run.completed", { output: "Four." }),
    ]);
    expect(outputStreamed(afterTools.runs["r1"]!)).toBe(true);
  });

  it("replyLines gives the run's and its steps' lines, reusing a single step's list", () => {
    const state = offlineChat();
    expect(replyLines(state.runs["r1"]!)).toBe(reply(state).lines);
    const mixed = run([ev("r1", 9, "chunk", { chunk: "run-level", kind: "progress" })], state);
    expect(replyLines(mixed.runs["r1"]!).map((l) => l.text)).toEqual(["run-level", '[offline] You asked: "hi"']);
  });

  it("leaves a workflow's agent steps in their step, with their offline flag", () => {
    const state = run([
      ev("w", 1, "run.started", { workflow: "triage", input: { message: "x" } }),
      ev("w", 2, "step.started", { step: "classify", kind: "agent" }),
      ev("w", 3, "chunk", { step: "classify", kind: "token", chunk: "[offline] " }),
      ev("w", 4, "chunk", { step: "classify", kind: "token", chunk: "billing" }),
      ev("w", 5, "step.completed", { step: "classify", output: "[offline] billing", offline: true }),
    ]);
    const step = state.runs["w"]!.steps[0]!;
    expect(step.lines).toEqual([{ kind: "token", text: "[offline] billing", seq: 3 }]);
    expect(step.offline).toBe(true);
    expect(state.runs["w"]!.agent).toBeNull();
    expect(reduce(state, ev("w", 5, "chunk", { step: "classify", kind: "token", chunk: "again" }))).toBe(state);
  });
});

describe("preview", () => {
  it("puts a value on one short line", () => {
    expect(preview({ q: "weather", n: 2 })).toBe('{"q":"weather","n":2}');
    expect(preview("a\n  b")).toBe("a b");
    expect(preview("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
    expect(preview(undefined)).toBe("");
    expect(preview(null)).toBe("null");
  });
});
