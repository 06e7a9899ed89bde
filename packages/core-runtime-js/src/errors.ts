/**
 * Errors thrown by `@mozaiks/core-runtime`.
 *
 * Every error the client throws on purpose derives from {@link MozaiksError}. Answers of the server that are not
 * 2xx become an {@link ApiError} (or a subclass chosen by status) carrying the server's `{"error", "details"}`:
 *
 * ```text
 * MozaiksError
 * ├── NetworkError             the request never got an answer (offline, DNS, CORS refusal, aborted)
 * └── ApiError                 any other non-2xx answer; `status`, `details`
 *     ├── AuthError            401 / 403: signed out, expired session, missing role
 *     ├── NotFoundError        404
 *     ├── ConflictError        409
 *     ├── ValidationError      400 / 413 / 422: the request cannot be processed as sent
 *     └── RateLimitedError     429; `retryAfter` seconds from the `Retry-After` header
 * ```
 *
 * @module
 */

/** Root of every error `@mozaiks/core-runtime` throws on purpose. */
export class MozaiksError extends Error {
  override name = "MozaiksError";
}

/** The request did not get an answer: offline, DNS failure, refused by CORS, or aborted. */
export class NetworkError extends MozaiksError {
  override name = "NetworkError";

  /**
   * @param message What failed.
   * @param options `cause`: the error `fetch` threw.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What the server answered, as the errors below carry it. */
export interface ApiErrorInit {
  /** HTTP status. */
  status: number;
  /** The server's structured `details` (field names, limits…), if any. */
  details?: unknown;
  /** The method and path that failed, e.g. `POST /api/tasks`. */
  request?: string;
}

/** The server answered with a non-2xx status; `message` is the server's `error` text when it sent one. */
export class ApiError extends MozaiksError {
  override name = "ApiError";
  /** HTTP status of the answer. */
  readonly status: number;
  /** The server's `details`, or `undefined`. */
  readonly details: unknown;
  /** The method and path that failed, e.g. `POST /api/tasks`. */
  readonly request: string | undefined;

  constructor(message: string, init: ApiErrorInit) {
    super(message);
    this.status = init.status;
    this.details = init.details;
    this.request = init.request;
  }
}

/** 401 or 403: no session, an expired or revoked one, or a missing role. */
export class AuthError extends ApiError {
  override name = "AuthError";
}

/** 404: no such resource for this user (other users' documents included). */
export class NotFoundError extends ApiError {
  override name = "NotFoundError";
}

/** 409: the resource already exists (an email already registered) or a concurrent update won. */
export class ConflictError extends ApiError {
  override name = "ConflictError";
}

/** 400, 413 or 422: the request cannot be processed as sent; `details.field` often names the culprit. */
export class ValidationError extends ApiError {
  override name = "ValidationError";
}

/** 429: too many attempts; retry after {@link RateLimitedError.retryAfter} seconds. */
export class RateLimitedError extends ApiError {
  override name = "RateLimitedError";
  /** Seconds to wait, from `Retry-After` (or the server's `details.retry_after`); `undefined` when not given. */
  readonly retryAfter: number | undefined;

  constructor(message: string, init: ApiErrorInit & { retryAfter?: number | undefined }) {
    super(message, init);
    this.retryAfter = init.retryAfter;
  }
}

/** Seconds in a `Retry-After` header: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function retryAfterOf(headers: Headers, details: unknown): number | undefined {
  const fromHeader = parseRetryAfter(headers.get("retry-after"));
  if (fromHeader !== undefined) return fromHeader;
  // Cross-origin pages cannot read Retry-After unless the server exposes it; the body says it too.
  if (typeof details === "object" && details !== null) {
    const seconds = (details as { retry_after?: unknown }).retry_after;
    if (typeof seconds === "number" && Number.isFinite(seconds)) return seconds;
  }
  return undefined;
}

/**
 * Build the error for a non-2xx answer.
 *
 * @param status HTTP status.
 * @param body The parsed body: `{"error": message, "details": …}` from mozaiks-core, or anything else.
 * @param headers The answer's headers (`Retry-After`).
 * @param request The method and path, for the message of answers without an `error` text.
 */
export function errorFromResponse(status: number, body: unknown, headers: Headers, request?: string): ApiError {
  let message: string | undefined;
  let details: unknown;
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const fields = body as { error?: unknown; details?: unknown; detail?: unknown };
    if (typeof fields.error === "string") message = fields.error;
    else if (typeof fields.detail === "string") message = fields.detail;
    details = fields.details;
  } else if (typeof body === "string" && body.trim() !== "" && body.length <= 500) {
    message = body.trim();
  }
  message ??= `${request ?? "request"} failed with HTTP ${status}`;
  const init: ApiErrorInit = { status, details, ...(request === undefined ? {} : { request }) };
  if (status === 401 || status === 403) return new AuthError(message, init);
  if (status === 404) return new NotFoundError(message, init);
  if (status === 409) return new ConflictError(message, init);
  if (status === 400 || status === 413 || status === 422) return new ValidationError(message, init);
  if (status === 429) return new RateLimitedError(message, { ...init, retryAfter: retryAfterOf(headers, details) });
  return new ApiError(message, init);
}
