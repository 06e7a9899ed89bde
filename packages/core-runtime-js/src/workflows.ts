/**
 * `workflowClient`: run a workflow on mozaiks-ai through the app's backend.
 *
 * The browser calls `POST /api/workflows/{workflow}/run` on mozaiks-core with the user's token; the backend checks
 * the workflow against `MOZAIKS_ALLOWED_WORKFLOWS` and forwards it with the runtime token, which never reaches the
 * browser.
 *
 * @module
 */

import type { ApiClient } from "./api.js";
import { newIdempotencyKey } from "./ids.js";

/** Arguments of {@link WorkflowClient.execute}. */
export interface ExecuteOptions {
  /** The workflow id, e.g. `hello-world`; it must be listed in the backend's `MOZAIKS_ALLOWED_WORKFLOWS`. */
  workflow: string;
  /** The run's input (the workflow's `inputs:`). */
  data?: Record<string, unknown>;
  /** Wait for the result (default) or only start the run. */
  wait?: boolean;
  /** Makes a repeated call return the same run; generated when omitted. */
  idempotencyKey?: string;
  /** Aborts the HTTP call (the run itself may still go on). */
  signal?: AbortSignal;
}

/** Run states reported by mozaiks-ai. */
export type RunStatus = "pending" | "running" | "waiting" | "succeeded" | "failed" | "canceled";

/** mozaiks-ai's answer: the run, and its output once finished. */
export interface WorkflowRun<Output = unknown> {
  run_id: string;
  status: RunStatus | (string & {});
  /** Present when the run finished (`wait: true`). */
  output?: Output;
  /** Present when the run failed. */
  error?: unknown;
  /** Artifacts grouped by top folder, for workflows that generate files. */
  generated_files?: Record<string, Record<string, string>>;
}

/** Runs allowed workflows for the signed-in user. */
export class WorkflowClient {
  private readonly api: ApiClient;

  constructor(api: ApiClient) {
    this.api = api;
  }

  /**
   * Run `workflow` with `data`: `POST /api/workflows/{workflow}/run`, body `{"input": data, "wait": wait}`,
   * header `Idempotency-Key`.
   *
   * @throws {AuthError} Signed out (401), or the workflow is not allowed from the frontend (403).
   * @throws {ApiError} mozaiks-ai refused or could not be reached (502, `details` from mozaiks-ai).
   */
  execute<Output = unknown>(options: ExecuteOptions): Promise<WorkflowRun<Output>> {
    const key = options.idempotencyKey ?? newIdempotencyKey();
    const body = { input: options.data ?? {}, wait: options.wait ?? true };
    return this.api.post<WorkflowRun<Output>>(`/api/workflows/${encodeURIComponent(options.workflow)}/run`, body, {
      headers: { "Idempotency-Key": key },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }
}
