/**
 * `createClient`: one object per backend with everything a generated frontend needs.
 *
 * ```ts
 * import { createClient } from "@mozaiks/core-runtime";
 *
 * const client = createClient();                       // same origin as the page
 * await client.auth.login({ email, password });
 * const { id } = await client.api.post<{ id: string }>("/api/tasks", { title: "Ship it" });
 * const run = await client.workflowClient.execute({ workflow: "hello-world", data: { name: "Ada" } });
 * ```
 *
 * @module
 */

import { ApiClient } from "./api.js";
import { Auth } from "./auth.js";
import { type FetchLike, HttpTransport } from "./http.js";
import type { LockManagerLike } from "./locks.js";
import { MozaiksMarketing } from "./marketing.js";
import { MozaiksPay } from "./payments.js";
import { type StorageEventSource, type StorageLike, TokenStore } from "./tokenStore.js";
import { WorkflowClient } from "./workflows.js";

/** Options of {@link createClient}; every one is optional. */
export interface ClientOptions {
  /** Origin (and optional prefix) of the mozaiks-core backend, e.g. `https://api.example.com`; `""` (default): the page's origin. */
  baseUrl?: string;
  /** Where the session is persisted; `localStorage` by default (a memory store where there is none). */
  storage?: StorageLike;
  /** The `fetch` to use; the global one by default. */
  fetch?: FetchLike;
  /** Storage key of the session (default `mozaiks.auth`); set it when one origin talks to several backends. */
  storageKey?: string;
  /** Where `storage` events from other tabs come from; `window` by default, `null` to ignore other tabs. */
  storageEvents?: StorageEventSource | null;
  /** Cross-tab locks guarding the refresh; `navigator.locks` by default, `null` for none. */
  locks?: LockManagerLike | null;
  /** Refresh access tokens this many seconds before they expire (default 30). */
  refreshMarginSeconds?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /** How long a tab watches storage for another tab's token rotation before refreshing itself (default 1000 ms). */
  crossTabWaitMs?: number;
}

/** What {@link createClient} returns. */
export interface MozaiksClient {
  /** Sign-up, login, logout, the current user and its tokens. */
  readonly auth: Auth;
  /** JSON calls to the app's backend as the signed-in user. */
  readonly api: ApiClient;
  /** Runs allowed workflows on mozaiks-ai through the backend. */
  readonly workflowClient: WorkflowClient;
  /** Checkout and subscription. */
  readonly mozaiksPay: MozaiksPay;
  /** Ad campaigns. */
  readonly mozaiksMarketing: MozaiksMarketing;
  /** Stop listening to other tabs (for clients created per test or per component). */
  close(): void;
}

/** Create a client for one mozaiks-core backend. */
export function createClient(options: ClientOptions = {}): MozaiksClient {
  const http = new HttpTransport(options.baseUrl ?? "", options.fetch);
  const store = new TokenStore({ storage: options.storage, key: options.storageKey, events: options.storageEvents });
  const auth = new Auth(http, store, {
    locks: options.locks,
    refreshMarginSeconds: options.refreshMarginSeconds,
    now: options.now,
    crossTabWaitMs: options.crossTabWaitMs,
  });
  const api = new ApiClient(auth);
  return {
    auth,
    api,
    workflowClient: new WorkflowClient(api),
    mozaiksPay: new MozaiksPay(api),
    mozaiksMarketing: new MozaiksMarketing(api),
    close: () => store.close(),
  };
}
