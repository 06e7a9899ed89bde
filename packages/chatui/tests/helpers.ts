import type { ServerMessage } from "../src/protocol";
import { initialState, reduce, type Action, type ChatState } from "../src/reducer";

/** A run event as the server sends it. */
export function ev(runId: string, seq: number, type: string, fields: Record<string, unknown> = {}): ServerMessage {
  return { type, seq, run_id: runId, session_id: "s1", ts: 1000 + seq, ...fields };
}

export function run(actions: readonly Action[], state: ChatState = initialState): ChatState {
  return actions.reduce(reduce, state);
}
