import { beforeEach, describe, expect, it } from "vitest";
import {
  AuthError,
  ConflictError,
  createClient,
  MemoryStorage,
  type AuthChange,
  type MozaiksClient,
  NetworkError,
} from "../src/index.js";
import { FakeBackend, jwt } from "./helpers.js";

const KEY = "mozaiks.auth";
const ADA = { email: "ada@example.com", password: "a long passphrase" };

let backend: FakeBackend;
let storage: MemoryStorage;
let client: MozaiksClient;

beforeEach(() => {
  backend = new FakeBackend();
  storage = new MemoryStorage();
  client = createClient({ fetch: backend.fetch, storage, locks: null, now: backend.now });
});

const tokenSent = (path: string) => backend.callsTo(path).map((c) => c.headers["authorization"]);
const stored = () => JSON.parse(storage.getItem(KEY) ?? "null") as { accessToken: string; refreshToken: string } | null;

describe("sign-up, login, logout", () => {
  it("signs up, stores the session and sends the token", async () => {
    const user = await client.auth.signup(ADA);
    expect(user).toEqual({ id: "u1", email: ADA.email, roles: [] });
    expect(backend.callsTo("/api/auth/signup")[0]!.body).toEqual(ADA);
    expect(client.auth.user).toEqual(user);
    const access = stored()!.accessToken;
    expect(await client.auth.getAccessToken()).toBe(access);
    await client.api.get("/api/tasks");
    expect(tokenSent("/api/tasks")).toEqual([`Bearer ${access}`]);
  });

  it("reports conflicts and wrong passwords as typed errors", async () => {
    await client.auth.signup(ADA);
    await expect(client.auth.signup(ADA)).rejects.toBeInstanceOf(ConflictError);
    const refused = await client.auth.login({ ...ADA, password: "wrong password" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuthError);
    expect(refused).toMatchObject({ status: 401, message: "invalid email or password" });
  });

  it("logout revokes the session on the server and clears storage", async () => {
    await client.auth.signup(ADA);
    const access = stored()!.accessToken;
    await client.auth.logout();
    expect(tokenSent("/api/auth/logout")).toEqual([`Bearer ${access}`]);
    expect(backend.callsTo("/api/auth/logout")[0]!.body).toEqual({});
    expect(storage.getItem(KEY)).toBeNull();
    expect(client.auth.user).toBeNull();
    expect(await client.auth.getAccessToken()).toBeNull();
    expect(await client.auth.currentUser()).toBeNull();
    await client.api.get("/api/public").catch(() => undefined);
    expect(tokenSent("/api/public")).toEqual([undefined]);
  });

  it("logout({ all: true }) asks to end every session, and clears storage even offline", async () => {
    await client.auth.signup(ADA);
    await client.auth.logout({ all: true });
    expect(backend.callsTo("/api/auth/logout")[0]!.body).toEqual({ all: true });
    await client.auth.login(ADA);
    const offline = createClient({ fetch: () => Promise.reject(new TypeError("offline")), storage, locks: null });
    await offline.auth.logout();
    expect(storage.getItem(KEY)).toBeNull();
  });

  it("currentUser asks the server, and is null when signed out", async () => {
    expect(await client.auth.currentUser()).toBeNull();
    expect(backend.callsTo("/api/auth/me")).toEqual([]);
    await client.auth.login(ADA).catch(() => undefined);
    await client.auth.signup(ADA);
    expect(await client.auth.currentUser()).toEqual({
      id: "u1",
      email: "u1@example.com",
      roles: [],
      app_id: "task-tracker",
    });
  });

  it("onChange reports sign-in, refresh and sign-out until unsubscribed", async () => {
    const seen: AuthChange[] = [];
    const unsubscribe = client.auth.onChange((change) => seen.push(change));
    await client.auth.signup(ADA);
    backend.validAccess.clear();
    await client.api.get("/api/tasks");
    await client.auth.logout();
    unsubscribe();
    await client.auth.login(ADA);
    expect(seen.map((c) => [c.event, c.user?.id ?? null])).toEqual([
      ["signedIn", "u1"],
      ["refreshed", "u1"],
      ["signedOut", null],
    ]);
  });
});

describe("refresh", () => {
  beforeEach(async () => {
    await client.auth.signup(ADA);
  });

  it("refreshes once on a 401 and retries the request with the new token", async () => {
    const before = stored()!;
    backend.validAccess.clear(); // the server no longer accepts the token although its exp is in the future
    expect(await client.api.get("/api/tasks")).toEqual({ path: "/api/tasks", user: "u1" });
    expect(backend.callsTo("/api/auth/refresh").map((c) => c.body)).toEqual([{ refresh_token: before.refreshToken }]);
    const after = stored()!;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(tokenSent("/api/tasks")).toEqual([`Bearer ${before.accessToken}`, `Bearer ${after.accessToken}`]);
  });

  it("five concurrent 401s share exactly one refresh", async () => {
    backend.validAccess.clear();
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => client.api.get(`/api/tasks/${n}`)));
    expect(answers.map((a) => (a as { user: string }).user)).toEqual(["u1", "u1", "u1", "u1", "u1"]);
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(1);
    expect(backend.reuseDetected).toBe(false);
    // All five were refused before the one refresh went out, and all five retried after it: they shared it.
    expect(backend.calls.slice(1).map((c) => (c.path === "/api/auth/refresh" ? "refresh" : "task"))).toEqual([
      ...Array<string>(5).fill("task"),
      "refresh",
      ...Array<string>(5).fill("task"),
    ]);
    const fresh = `Bearer ${stored()!.accessToken}`;
    for (const n of [1, 2, 3, 4, 5]) expect(tokenSent(`/api/tasks/${n}`)[1]).toBe(fresh);
  });

  it("refreshes before the request when the token is about to expire", async () => {
    backend.nowMs += (backend.accessTtl - 10) * 1000; // 10 s left, inside the 30 s margin
    await Promise.all([client.api.get("/api/tasks"), client.api.get("/api/tasks"), client.auth.getAccessToken()]);
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(1);
    expect(tokenSent("/api/tasks")).toEqual([`Bearer ${stored()!.accessToken}`, `Bearer ${stored()!.accessToken}`]);
  });

  it("does not refresh tokens it cannot read an expiry from", async () => {
    const session = JSON.parse(storage.getItem(KEY)!) as Record<string, unknown>;
    storage.setItem(KEY, JSON.stringify({ ...session, accessToken: "opaque-token" }));
    expect(await client.auth.getAccessToken()).toBe("opaque-token");
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(0);
  });

  it("a refused refresh signs the user out and the request fails with the 401", async () => {
    const seen: string[] = [];
    client.auth.onChange((c) => seen.push(c.event));
    backend.validAccess.clear();
    backend.revoked = true;
    await expect(client.api.get("/api/tasks")).rejects.toBeInstanceOf(AuthError);
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(1);
    expect(storage.getItem(KEY)).toBeNull();
    expect(seen).toEqual(["signedOut"]);
  });

  it("a refresh answered after the user signed out (in another tab) does not sign them back in", async () => {
    backend.validAccess.clear();
    backend.onCall = (call) => {
      if (call.path === "/api/auth/refresh") storage.removeItem(KEY); // signed out while the refresh is away
    };
    expect(await client.api.get("/api/tasks").catch((e: unknown) => e)).toBeInstanceOf(AuthError);
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(1);
    expect(storage.getItem(KEY)).toBeNull();
    expect(client.auth.user).toBeNull();
  });

  it("retries only once: a second 401 is the caller's", async () => {
    backend.routes.set("GET /api/always-401", () => [401, { error: "nope" }]);
    await expect(client.api.get("/api/always-401")).rejects.toThrow("nope");
    expect(backend.callsTo("/api/always-401")).toHaveLength(2);
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(1);
  });

  it("403 is not a reason to refresh", async () => {
    backend.routes.set("GET /api/admin", () => [403, { error: "missing role admin" }]);
    await expect(client.api.get("/api/admin")).rejects.toBeInstanceOf(AuthError);
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(0);
  });

  it("keeps a still-valid token when a proactive refresh cannot reach the server", async () => {
    backend.nowMs += (backend.accessTtl - 10) * 1000;
    const access = stored()!.accessToken;
    const offline = createClient({
      fetch: () => Promise.reject(new TypeError("offline")),
      storage,
      locks: null,
      now: backend.now,
    });
    expect(await offline.auth.getAccessToken()).toBe(access);
    backend.nowMs += 20 * 1000; // now really expired
    await expect(offline.auth.getAccessToken()).rejects.toBeInstanceOf(NetworkError);
    expect(stored()!.accessToken).toBe(access); // a network failure never signs out
  });

  it("treats a corrupt stored session as signed out", async () => {
    storage.setItem("mozaiks.auth", "{not json");
    const fresh = createClient({ fetch: backend.fetch, storage, locks: null });
    expect(fresh.auth.user).toBeNull();
    storage.setItem("mozaiks.auth", JSON.stringify({ accessToken: jwt({}) }));
    expect(createClient({ fetch: backend.fetch, storage, locks: null }).auth.user).toBeNull();
  });
});
