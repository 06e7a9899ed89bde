import { describe, expect, it } from "vitest";
import { initialState } from "../src/reducer";
import { resumeMessages } from "../src/resume";
import { ev, run } from "./helpers";

describe("re-attaching after a reconnect", () => {
  it("resumes every unfinished run after its last seq, and skips finished ones", () => {
    const state = run([
      ev("done", 1, "run.started", { input: { message: "a" } }),
      ev("done", 2, "run.completed", { output: 1 }),
      ev("live", 1, "run.started", { input: { message: "b" } }),
      ev("live", 2, "chunk", { chunk: "x" }),
      ev("live", 3, "chunk", { chunk: "y" }),
    ]);
    expect(resumeMessages(state, "s1")).toEqual([{ type: "resume", sessionId: "s1", runId: "live", after: 3 }]);
  });

  it("resumes the session's latest run from the start when a sent message has no run yet", () => {
    const state = run([{ type: "local/message", id: "m", text: "go", target: { kind: "workflow", id: "wf" }, sent: true }]);
    expect(resumeMessages(state, "s1")).toEqual([{ type: "resume", sessionId: "s1", after: 0 }]);
    const unsent = run([{ type: "local/message", id: "m", text: "go", target: { kind: "workflow", id: "wf" }, sent: false }]);
    expect(resumeMessages(unsent, "s1")).toEqual([]);
  });

  it("replays a stored run on a fresh page, and nothing for a fresh session", () => {
    expect(resumeMessages(initialState, "s1", "r0")).toEqual([{ type: "resume", sessionId: "s1", runId: "r0", after: 0 }]);
    expect(resumeMessages(initialState, "s1")).toEqual([]);
  });
});
