/**
 * The JSON transport under every call: base URL, JSON bodies, and non-2xx answers turned into typed errors.
 *
 * It knows nothing about sessions; {@link Auth} adds the `Authorization` header and refreshes around it.
 *
 * @module
 */

import { errorFromResponse, NetworkError } from "./errors.js";

/** The `fetch` the client uses (the global one by default; inject a fake in tests). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** HTTP methods the client sends. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Query parameters appended to a path; `undefined` values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** Per-call options. */
export interface RequestOptions {
  /** Extra headers (they win over the defaults, `Authorization` excepted). */
  headers?: Record<string, string>;
  /** Query parameters appended to the path. */
  query?: Query;
  /** Aborts the request (it then fails with a {@link NetworkError}). */
  signal?: AbortSignal;
}

/** One request as {@link HttpTransport.send} takes it. */
export interface HttpRequest extends RequestOptions {
  method: Method;
  /** A path on the app's backend, starting with `/`. */
  path: string;
  /** Sent as JSON when not `undefined`. */
  body?: unknown;
  /** The access token to send as `Authorization: Bearer …`, if any. */
  token?: string | null;
}

function withQuery(path: string, query: Query | undefined): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.append(key, String(value));
  const text = params.toString();
  if (text === "") return path;
  return `${path}${path.includes("?") ? "&" : "?"}${text}`;
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return undefined;
  const text = await response.text();
  if (text === "") return undefined;
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Sends JSON requests to one backend and maps failures to {@link MozaiksError}s. */
export class HttpTransport {
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike | undefined;

  /**
   * @param baseUrl Origin (and optional prefix) of the backend; `""` for the page's own origin.
   * @param fetchImpl The `fetch` to use; when omitted, the global `fetch` at the time of each request (so tools
   *   that replace it, such as request mocks, are honoured).
   */
  constructor(baseUrl = "", fetchImpl?: FetchLike) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.fetchImpl = fetchImpl;
  }

  private resolveFetch(): FetchLike {
    if (this.fetchImpl !== undefined) return this.fetchImpl;
    const global = (globalThis as { fetch?: FetchLike }).fetch;
    if (global === undefined) throw new TypeError("no fetch available: pass createClient({ fetch })");
    return (input, init) => global(input, init);
  }

  /**
   * Send one request and return the parsed JSON answer (`undefined` for 204 or an empty body).
   *
   * @throws {ApiError} A non-2xx answer (a subclass chosen by status).
   * @throws {NetworkError} No answer at all.
   * @throws {TypeError} `path` does not start with `/` (the token must never go to another origin).
   */
  async send<T>(request: HttpRequest): Promise<T> {
    if (!request.path.startsWith("/") || request.path.startsWith("//")) {
      throw new TypeError(`path must start with "/": ${request.path}`);
    }
    const headers: Record<string, string> = { accept: "application/json", ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(request.body);
    }
    if (request.token) headers["authorization"] = `Bearer ${request.token}`;
    const fetchImpl = this.resolveFetch();
    const path = withQuery(request.path, request.query);
    const label = `${request.method} ${request.path}`;
    const init: RequestInit = { method: request.method, headers, credentials: "omit" };
    if (body !== undefined) init.body = body;
    if (request.signal !== undefined) init.signal = request.signal;
    let response: Response;
    try {
      response = await fetchImpl(`${this.baseUrl}${path}`, init);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new NetworkError(`${label} failed: ${reason}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = await readBody(response);
    } catch (error) {
      throw new NetworkError(`${label}: the answer could not be read`, { cause: error });
    }
    if (!response.ok) throw errorFromResponse(response.status, parsed, response.headers, label);
    return parsed as T;
  }
}
