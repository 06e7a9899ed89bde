/** What to send after (re)connecting so that nothing is lost: one `resume` per run that has not ended. */

import type { ClientMessage } from "./protocol";
import { isFinished, type ChatState } from "./reducer";

/**
 * The `resume` messages to send when a socket opens.
 *
 * - every known run that has not ended resumes after the last `seq` applied (the server sends the rest once);
 * - a message sent (written to a socket) without its run having been seen yet resumes the session's latest run from the start
 *   (the reducer drops what it already has);
 * - on a fresh page with nothing known, `restoreRunId` (the last run of a stored session) is replayed whole.
 */
export function resumeMessages(state: ChatState, sessionId: string, restoreRunId: string | null = null): ClientMessage[] {
  const out: ClientMessage[] = [];
  const runs = Object.values(state.runs).sort((a, b) => a.order - b.order);
  for (const run of runs) {
    if (!isFinished(run.status)) out.push({ type: "resume", sessionId, runId: run.id, after: run.lastSeq });
  }
  if (state.pending.some((p) => p.sent && p.error === null)) {
    out.push({ type: "resume", sessionId, after: 0 });
  } else if (runs.length === 0 && restoreRunId) {
    out.push({ type: "resume", sessionId, runId: restoreRunId, after: 0 });
  }
  return out;
}
