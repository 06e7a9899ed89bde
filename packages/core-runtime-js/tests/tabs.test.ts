import { describe, expect, it } from "vitest";
import { type AuthChange, createClient } from "../src/index.js";
import { Browser, FakeBackend, FakeLocks, settle } from "./helpers.js";

const ADA = { email: "ada@example.com", password: "a long passphrase" };

function twoTabs(options: { locks?: FakeLocks | null; events?: boolean; lagMs?: number; waitMs?: number } = {}) {
  const backend = new FakeBackend();
  const browser = new Browser(options.lagMs ?? 0);
  const locks = options.locks === undefined ? new FakeLocks() : options.locks;
  const open = () => {
    const tab = browser.tab();
    return createClient({
      fetch: backend.fetch,
      storage: tab.storage,
      storageEvents: options.events === false ? null : tab.storageEvents,
      locks,
      now: backend.now,
      crossTabWaitMs: options.waitMs ?? 1000,
    });
  };
  return { backend, browser, locks, a: open(), b: open() };
}

describe("several tabs", () => {
  it("adopt sign-in, refresh and sign-out done by another tab through storage events", async () => {
    const { backend, a, b } = twoTabs();
    const seen: AuthChange[] = [];
    b.auth.onChange((change) => seen.push(change));
    await a.auth.signup(ADA);
    await settle();
    expect(b.auth.user?.id).toBe("u1");

    backend.validAccess.clear();
    await a.api.get("/api/tasks"); // tab A refreshes
    await settle();
    const fresh = await a.auth.getAccessToken();
    expect(await b.auth.getAccessToken()).toBe(fresh);
    await b.api.get("/api/tasks"); // tab B uses A's tokens: no second refresh
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(1);
    expect(backend.reuseDetected).toBe(false);

    await a.auth.logout();
    await settle();
    expect(b.auth.user).toBeNull();
    expect(seen.map((c) => c.event)).toEqual(["signedIn", "refreshed", "signedOut"]);
    a.close();
    b.close();
  });

  it("refresh under the lock re-reads storage and adopts the other tab's rotation", async () => {
    // No storage events here: only the re-read after taking the lock can stop tab B from reusing the token.
    const { backend, locks, a, b } = twoTabs({ events: false });
    await a.auth.signup(ADA);
    await settle();
    backend.nowMs += (backend.accessTtl - 5) * 1000; // both tabs now hold a token about to expire
    const [tokenA, tokenB] = await Promise.all([a.auth.getAccessToken(), b.auth.getAccessToken()]);
    // Both probe the lock; B finds it taken and queues behind A.
    expect(locks!.requested).toEqual([
      "mozaiks-auth-refresh:mozaiks.auth?",
      "mozaiks-auth-refresh:mozaiks.auth?",
      "mozaiks-auth-refresh:mozaiks.auth",
    ]);
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(1);
    expect(backend.reuseDetected).toBe(false);
    expect(tokenB).toBe(tokenA);
    expect(b.auth.user?.id).toBe("u1");
  });

  it("a tab that waited for the lock watches storage until the holder's rotation reaches it", async () => {
    // Storage lags 60 ms behind the lock between tabs (as in Chromium): B gets the lock before A's tokens.
    const { backend, a, b } = twoTabs({ lagMs: 60 });
    await a.auth.signup(ADA);
    await new Promise((resolve) => setTimeout(resolve, 80));
    backend.nowMs += (backend.accessTtl - 5) * 1000;
    const [tokenA, tokenB] = await Promise.all([a.auth.getAccessToken(), b.auth.getAccessToken()]);
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(1);
    expect(backend.reuseDetected).toBe(false);
    expect(tokenB).toBe(tokenA);
  });

  it("without that watch, the lagging tab would reuse the rotated token (what the watch prevents)", async () => {
    const { backend, a, b } = twoTabs({ lagMs: 60, waitMs: 0 });
    await a.auth.signup(ADA);
    await new Promise((resolve) => setTimeout(resolve, 80));
    backend.nowMs += (backend.accessTtl - 5) * 1000;
    await Promise.all([a.auth.getAccessToken(), b.auth.getAccessToken()]);
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(2);
    expect(backend.reuseDetected).toBe(true);
  });

  it("without the lock, both tabs would present the same refresh token (what the lock prevents)", async () => {
    const { backend, a, b } = twoTabs({ locks: null, events: false });
    await a.auth.signup(ADA);
    backend.nowMs += (backend.accessTtl - 5) * 1000;
    await Promise.all([a.auth.getAccessToken(), b.auth.getAccessToken()]);
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(2);
    expect(backend.reuseDetected).toBe(true);
  });

  it("a tab whose refresh is refused adopts the tokens another tab just wrote instead of signing out", async () => {
    // No locks (an old browser): both tabs present the same refresh token; the server refuses the second within
    // its grace window, and that tab then finds the first tab's fresh tokens in storage.
    const { backend, a, b } = twoTabs({ locks: null, events: false });
    backend.reuseRevokes = false;
    await a.auth.signup(ADA);
    backend.nowMs += (backend.accessTtl - 5) * 1000;
    const seen: string[] = [];
    b.auth.onChange((c) => seen.push(c.event));
    const [tokenA, tokenB] = await Promise.all([a.auth.getAccessToken(), b.auth.getAccessToken()]);
    expect(backend.callsTo("/api/auth/refresh")).toHaveLength(2);
    expect(tokenB).toBe(tokenA);
    expect(b.auth.user?.id).toBe("u1");
    expect(seen).toEqual(["signedIn", "refreshed"]); // B learns of the sign-in from storage, then adopts A's refresh
  });
});
