import { describe, expect, it } from "vitest";
import {
  ApiError,
  AuthError,
  ConflictError,
  createClient,
  MozaiksError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from "../src/index.js";
import { errorFromResponse, parseRetryAfter } from "../src/errors.js";
import { MemoryStorage, type FetchLike } from "../src/index.js";

function answering(status: number, body: unknown, headers: Record<string, string> = {}): FetchLike {
  return async () =>
    new Response(body === null ? null : typeof body === "string" ? body : JSON.stringify(body), {
      status,
      headers: { "content-type": typeof body === "string" ? "text/plain" : "application/json", ...headers },
    });
}

async function failure(status: number, body: unknown, headers?: Record<string, string>): Promise<unknown> {
  const client = createClient({ fetch: answering(status, body, headers), storage: new MemoryStorage(), locks: null });
  return client.api.get("/api/thing").then(
    () => expect.unreachable("the call should fail"),
    (error: unknown) => error,
  );
}

describe("error mapping", () => {
  it.each([
    [400, ValidationError],
    [401, AuthError],
    [403, AuthError],
    [404, NotFoundError],
    [409, ConflictError],
    [413, ValidationError],
    [422, ValidationError],
    [429, RateLimitedError],
    [500, ApiError],
    [502, ApiError],
  ])("maps %i to %o with the server's message and details", async (status, type) => {
    const error = await failure(status, { error: "the server says no", details: { field: "title" } });
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(MozaiksError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(status);
    expect(apiError.message).toBe("the server says no");
    expect(apiError.details).toEqual({ field: "title" });
    expect(apiError.request).toBe("GET /api/thing");
    expect(apiError.name).toBe(type.name);
  });

  it("only the most specific class matches", async () => {
    const error = await failure(404, { error: "no such task" });
    expect(error).not.toBeInstanceOf(AuthError);
    expect(error).not.toBeInstanceOf(NetworkError);
  });

  it("reads Retry-After seconds, or details.retry_after when the header is hidden", async () => {
    const limited = (await failure(429, { error: "too many attempts" }, { "retry-after": "42" })) as RateLimitedError;
    expect(limited.retryAfter).toBe(42);
    const fromBody = (await failure(429, { error: "slow down", details: { retry_after: 7 } })) as RateLimitedError;
    expect(fromBody.retryAfter).toBe(7);
    const unknown = (await failure(429, { error: "slow down" })) as RateLimitedError;
    expect(unknown.retryAfter).toBeUndefined();
  });

  it("parses Retry-After dates", () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    expect(parseRetryAfter("Tue, 01 Jan 2030 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("Mon, 31 Dec 2029 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("falls back to a message naming the request when the body has none", async () => {
    const html = (await failure(502, "<html>bad gateway</html>".repeat(40))) as ApiError;
    expect(html.message).toBe("GET /api/thing failed with HTTP 502");
    const text = (await failure(503, "maintenance")) as ApiError;
    expect(text.message).toBe("maintenance");
    const empty = (await failure(500, null)) as ApiError;
    expect(empty.message).toBe("GET /api/thing failed with HTTP 500");
    expect(errorFromResponse(418, { detail: "teapot" }, new Headers()).message).toBe("teapot");
  });

  it("turns fetch failures into NetworkError with the cause", async () => {
    const cause = new TypeError("Failed to fetch");
    const client = createClient({
      fetch: () => Promise.reject(cause),
      storage: new MemoryStorage(),
      locks: null,
    });
    const error = await client.api.post("/api/tasks", { title: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toBeInstanceOf(MozaiksError);
    expect(error).not.toBeInstanceOf(ApiError);
    expect((error as NetworkError).message).toBe("POST /api/tasks failed: Failed to fetch");
    expect((error as NetworkError).cause).toBe(cause);
  });
});
