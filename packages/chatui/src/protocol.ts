/**
 * The `WS /api/chat` protocol of mozaiks-ai (see `mozaiks_ai/api/chat.py`) and the HTTP shapes ChatUI reads.
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Any object the server sends; `type` says which. Run events also carry `seq`, `run_id` and `ts`. */
export interface ServerMessage {
  readonly type: string;
  readonly seq?: number;
  readonly run_id?: string;
  readonly session_id?: string | null;
  readonly ts?: number;
  readonly step?: string;
  readonly [key: string]: unknown;
}

/** A run event: one entry of a run's numbered, append-only log. */
export interface RunEvent extends ServerMessage {
  readonly seq: number;
  readonly run_id: string;
}

/** Whether a message is a run event (as opposed to `session`, `run.queued`, `error`, `pong`). */
export function isRunEvent(message: ServerMessage): message is RunEvent {
  return typeof message.seq === "number" && typeof message.run_id === "string" && message.run_id !== "";
}

/** Messages the client sends. */
export type ClientMessage =
  | {
      type: "message";
      message: string;
      sessionId: string;
      workflow?: string;
      /** Chat with an agent instead (`GET /api/agents`); its runs have the workflow id `agent:<id>`. */
      agent?: string;
      input?: Record<string, unknown>;
    }
  | { type: "resume"; sessionId: string; runId?: string; after: number }
  | { type: "input"; runId: string; step?: string; value: unknown }
  | { type: "cancel"; runId?: string }
  | { type: "ping" };

/** A workflow as listed by `GET /api/workflows`. */
export interface WorkflowInfo {
  id: string;
  name: string;
  description?: string | null;
  inputs?: unknown;
}

/** `GET /api/workflows`. */
export interface WorkflowList {
  workflows: WorkflowInfo[];
  invalid?: { id: string; error: string }[];
}

/** An agent as listed by `GET /api/agents` (the built-in `ask` agent is always there). */
export interface AgentInfo {
  id: string;
  name: string;
  description?: string | null;
  model?: string | null;
  tools?: string[];
  handoffs?: string[];
}

/** `GET /api/agents`. */
export interface AgentList {
  agents: AgentInfo[];
  invalid?: { id: string; error: string }[];
}

/** The workflow id of an agent chat run: `agent:<agent id>`. */
export const AGENT_PREFIX = "agent:";

/** One file of `GET /api/runs/{id}/artifacts`. */
export interface ArtifactInfo {
  path: string;
  size: number;
  content_type?: string;
}

/** Close codes the server uses on `WS /api/chat`. */
export const CLOSE_UNAUTHORIZED = 4001;
export const CLOSE_FORBIDDEN = 4003;
