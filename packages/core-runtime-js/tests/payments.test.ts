import { beforeEach, describe, expect, it } from "vitest";
import { createClient, MemoryStorage, type MozaiksClient, ValidationError } from "../src/index.js";
import { FakeBackend } from "./helpers.js";

let backend: FakeBackend;
let client: MozaiksClient;

beforeEach(async () => {
  backend = new FakeBackend();
  client = createClient({ fetch: backend.fetch, storage: new MemoryStorage(), locks: null, now: backend.now });
  await client.auth.signup({ email: "ada@example.com", password: "a long passphrase" });
});

const subscription = { user_id: "u1", provider: "sandbox", status: "active", plan_id: "pro", external_id: null };

describe("mozaiksPay", () => {
  it("creates a checkout with plan_id and an optional provider", async () => {
    const checkout = { id: "cs_1", url: "/api/payments/sandbox/checkout/cs_1", provider: "sandbox", plan_id: "pro", user_id: "u1" };
    backend.routes.set("POST /api/payments/checkout", () => [201, checkout]);
    expect(await client.mozaiksPay.createCheckout({ planId: "pro" })).toEqual(checkout);
    await client.mozaiksPay.createCheckout({ planId: "pro", provider: "stripe" });
    const calls = backend.callsTo("/api/payments/checkout");
    expect(calls.map((c) => c.body)).toEqual([{ plan_id: "pro" }, { plan_id: "pro", provider: "stripe" }]);
    expect(calls[0]!.headers["authorization"]).toMatch(/^Bearer /);
  });

  it("reads and cancels the subscription", async () => {
    backend.routes.set("GET /api/payments/subscription", () => [200, subscription]);
    backend.routes.set("POST /api/payments/cancel", () => [200, { ...subscription, status: "canceled" }]);
    expect((await client.mozaiksPay.subscription()).status).toBe("active");
    await client.mozaiksPay.subscription({ provider: "stripe" });
    expect((await client.mozaiksPay.cancel()).status).toBe("canceled");
    await client.mozaiksPay.cancel({ provider: "stripe" });
    expect(backend.callsTo("/api/payments/subscription").map((c) => [c.method, c.path])).toEqual([
      ["GET", "/api/payments/subscription"],
      ["GET", "/api/payments/subscription?provider=stripe"],
    ]);
    expect(backend.callsTo("/api/payments/cancel").map((c) => [c.method, c.body])).toEqual([
      ["POST", undefined],
      ["POST", { provider: "stripe" }],
    ]);
  });

  it("reports input errors with the field", async () => {
    backend.routes.set("POST /api/payments/checkout", () => [
      400,
      { error: '"plan_id" is required: the plan to buy', details: { field: "plan_id" } },
    ]);
    const error = await client.mozaiksPay.createCheckout({ planId: "" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ details: { field: "plan_id" } });
  });
});

describe("mozaiksMarketing", () => {
  it("posts the campaign object as is and returns the answer", async () => {
    backend.routes.set("POST /api/marketing/campaigns", () => [200, { id: "cmp_1", status: "draft" }]);
    const campaign = { name: "launch", budget: 500, platforms: ["linkedin"] };
    expect(await client.mozaiksMarketing.createCampaign(campaign)).toEqual({ id: "cmp_1", status: "draft" });
    await client.mozaiksMarketing.createCampaign(campaign, { idempotencyKey: "k-1" });
    const calls = backend.callsTo("/api/marketing/campaigns");
    expect(calls.map((c) => c.body)).toEqual([campaign, campaign]);
    expect(calls[0]!.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls[1]!.headers["idempotency-key"]).toBe("k-1");
  });

  it("passes the server's explanation on in self-hosted mode", async () => {
    backend.routes.set("POST /api/marketing/campaigns", () => [
      503,
      { error: "MozaiksMarketing needs managed mode: set MOZAIKS_MODE=managed" },
    ]);
    await expect(client.mozaiksMarketing.createCampaign({ name: "x" })).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining("managed mode") as unknown,
    });
  });
});
