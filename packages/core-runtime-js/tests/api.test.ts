import { describe, expect, it } from "vitest";
import { createClient, MemoryStorage, type FetchLike } from "../src/index.js";

interface Seen {
  url: string;
  init: RequestInit;
}

function recorder(status = 200, body: unknown = { ok: true }): { fetch: FetchLike; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch: FetchLike = async (url, init = {}) => {
    seen.push({ url, init });
    return status === 204
      ? new Response(null, { status })
      : new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };
  return { fetch, seen };
}

const headersOf = (s: Seen) => s.init.headers as Record<string, string>;

describe("api", () => {
  it("sends each verb with a JSON body to the base URL", async () => {
    const { fetch, seen } = recorder();
    const client = createClient({ baseUrl: "https://api.example.com/", fetch, storage: new MemoryStorage() });
    await client.api.get("/api/tasks");
    await client.api.post("/api/tasks", { title: "a" });
    await client.api.put("/api/tasks/1", { title: "b" });
    await client.api.patch("/api/tasks/1", { done: true });
    await client.api.delete("/api/tasks/1");
    expect(seen.map((s) => [s.init.method, s.url, s.init.body])).toEqual([
      ["GET", "https://api.example.com/api/tasks", undefined],
      ["POST", "https://api.example.com/api/tasks", '{"title":"a"}'],
      ["PUT", "https://api.example.com/api/tasks/1", '{"title":"b"}'],
      ["PATCH", "https://api.example.com/api/tasks/1", '{"done":true}'],
      ["DELETE", "https://api.example.com/api/tasks/1", undefined],
    ]);
    expect(headersOf(seen[1]!)["content-type"]).toBe("application/json");
    expect(headersOf(seen[0]!)["content-type"]).toBeUndefined();
    expect(headersOf(seen[0]!)["authorization"]).toBeUndefined(); // signed out: no token
    expect(seen[0]!.init.credentials).toBe("omit");
  });

  it("returns the parsed JSON, and undefined for 204", async () => {
    const json = createClient({ fetch: recorder(200, [{ id: "t1" }]).fetch, storage: new MemoryStorage() });
    expect(await json.api.get<{ id: string }[]>("/api/tasks")).toEqual([{ id: "t1" }]);
    const empty = createClient({ fetch: recorder(204).fetch, storage: new MemoryStorage() });
    expect(await empty.api.delete("/api/tasks/1")).toBeUndefined();
  });

  it("defaults to the page's origin and appends query parameters", async () => {
    const { fetch, seen } = recorder();
    const client = createClient({ fetch, storage: new MemoryStorage() });
    await client.api.get("/api/tasks", { query: { limit: 20, done: false, cursor: undefined } });
    await client.api.get("/api/tasks?sort=title", { query: { limit: 5 }, headers: { "x-trace": "1" } });
    expect(seen.map((s) => s.url)).toEqual(["/api/tasks?limit=20&done=false", "/api/tasks?sort=title&limit=5"]);
    expect(headersOf(seen[1]!)["x-trace"]).toBe("1");
  });

  it("uses the global fetch of the moment when none is given", async () => {
    const original = globalThis.fetch;
    const client = createClient({ storage: new MemoryStorage() });
    const { fetch, seen } = recorder(200, { mocked: true });
    globalThis.fetch = fetch as typeof globalThis.fetch;
    try {
      expect(await client.api.get("/api/x")).toEqual({ mocked: true });
      expect(seen).toHaveLength(1);
    } finally {
      globalThis.fetch = original;
    }
  });

  it("refuses paths that could send the token to another origin", async () => {
    const client = createClient({ fetch: recorder().fetch, storage: new MemoryStorage() });
    await expect(client.api.get("https://evil.example.com/x")).rejects.toThrow(TypeError);
    await expect(client.api.get("//evil.example.com/x")).rejects.toThrow(TypeError);
    await expect(client.api.get("api/tasks")).rejects.toThrow(/must start with/);
  });
});
