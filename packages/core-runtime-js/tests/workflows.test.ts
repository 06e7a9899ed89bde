import { beforeEach, describe, expect, it } from "vitest";
import { AuthError, createClient, MemoryStorage, type MozaiksClient } from "../src/index.js";
import { FakeBackend } from "./helpers.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let backend: FakeBackend;
let client: MozaiksClient;

beforeEach(async () => {
  backend = new FakeBackend();
  client = createClient({ fetch: backend.fetch, storage: new MemoryStorage(), locks: null, now: backend.now });
  await client.auth.signup({ email: "ada@example.com", password: "a long passphrase" });
});

describe("workflowClient.execute", () => {
  it("posts the input with wait and an idempotency key, as the user", async () => {
    backend.routes.set("POST /api/workflows/hello-world/run", () => [
      200,
      { run_id: "r1", status: "succeeded", output: "Hello, Ada!" },
    ]);
    const run = await client.workflowClient.execute<string>({ workflow: "hello-world", data: { name: "Ada" } });
    expect(run).toEqual({ run_id: "r1", status: "succeeded", output: "Hello, Ada!" });
    const [call] = backend.callsTo("/api/workflows/hello-world/run");
    expect(call!.method).toBe("POST");
    expect(call!.body).toEqual({ input: { name: "Ada" }, wait: true });
    expect(call!.headers["idempotency-key"]).toMatch(UUID);
    expect(call!.headers["authorization"]).toMatch(/^Bearer /);
  });

  it("uses the given key, passes wait: false, and defaults data to {}", async () => {
    await client.workflowClient.execute({ workflow: "report", wait: false, idempotencyKey: "order-1234" });
    const [call] = backend.callsTo("/api/workflows/report/run");
    expect(call!.body).toEqual({ input: {}, wait: false });
    expect(call!.headers["idempotency-key"]).toBe("order-1234");
  });

  it("generates a new key per call and escapes the workflow name", async () => {
    await client.workflowClient.execute({ workflow: "a", data: {} });
    await client.workflowClient.execute({ workflow: "a", data: {} });
    const keys = backend.callsTo("/api/workflows/a/run").map((c) => c.headers["idempotency-key"]);
    expect(new Set(keys).size).toBe(2);
    await client.workflowClient.execute({ workflow: "x/../../admin", data: {} });
    expect(backend.callsTo("/api/workflows/x%2F..%2F..%2Fadmin/run")).toHaveLength(1);
  });

  it("surfaces a workflow the backend does not allow as a 403 AuthError", async () => {
    backend.routes.set("POST /api/workflows/secret/run", () => [
      403,
      { error: "workflow 'secret' may not be run from the frontend", details: { workflow: "secret" } },
    ]);
    const error = await client.workflowClient.execute({ workflow: "secret" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 403, details: { workflow: "secret" } });
  });
});
