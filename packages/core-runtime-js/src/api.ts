/**
 * `api`: JSON calls to the app's own backend routes, as the signed-in user.
 *
 * ```ts
 * const { id } = await client.api.post<{ id: string }>("/api/tasks", { title: "Ship it" });
 * const tasks = await client.api.get<Task[]>("/api/tasks", { query: { limit: 20 } });
 * ```
 *
 * @module
 */

import type { Auth } from "./auth.js";
import type { Method, RequestOptions } from "./http.js";

/** Typed JSON client: adds `Authorization: Bearer …`, refreshes on 401, throws {@link MozaiksError}s. */
export class ApiClient {
  private readonly auth: Auth;

  constructor(auth: Auth) {
    this.auth = auth;
  }

  /**
   * Send `method path` with `body` as JSON and return the parsed answer (`undefined` for 204).
   *
   * @param path A path on the backend starting with `/` (the token never goes to another origin).
   * @throws {ApiError} Non-2xx answers, as the subclass matching the status.
   * @throws {NetworkError} No answer.
   */
  request<T = unknown>(method: Method, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.auth.request<T>({ ...options, method, path, body });
  }

  /** `GET path` (use `options.query` for parameters). */
  get<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>("GET", path, undefined, options);
  }

  /** `POST path` with a JSON body. */
  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>("POST", path, body, options);
  }

  /** `PUT path` with a JSON body. */
  put<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>("PUT", path, body, options);
  }

  /** `PATCH path` with a JSON body. */
  patch<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>("PATCH", path, body, options);
  }

  /** `DELETE path`, with an optional JSON body. */
  delete<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>("DELETE", path, body, options);
  }
}
