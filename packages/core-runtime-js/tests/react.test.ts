// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { createElement, type ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthError, ConflictError, createClient, MemoryStorage, type MozaiksClient } from "../src/index.js";
import { MozaiksProvider, useAuth, useMozaiks, useMutation, useQuery } from "../src/react.js";
import { FakeBackend } from "./helpers.js";

const ADA = { email: "ada@example.com", password: "a long passphrase" };

let backend: FakeBackend;
let client: MozaiksClient;

const wrapper = ({ children }: { children?: ReactNode }) => createElement(MozaiksProvider, { client }, children);

beforeEach(() => {
  backend = new FakeBackend();
  client = createClient({
    fetch: backend.fetch,
    storage: new MemoryStorage(),
    storageEvents: null, // one tab: no waiting for others to rotate tokens
    locks: null,
    now: backend.now,
  });
});

afterEach(() => {
  cleanup();
  client.close();
});

describe("MozaiksProvider and useMozaiks", () => {
  it("hand the client down, and refuse to work without a provider", () => {
    expect(renderHook(() => useMozaiks(), { wrapper }).result.current).toBe(client);
    expect(() => renderHook(() => useMozaiks())).toThrow(/MozaiksProvider/);
  });
});

describe("useAuth", () => {
  it("re-renders on login, logout and changes made outside the hook", async () => {
    const { result } = renderHook(() => useAuth(), { wrapper });
    expect(result.current.user).toBeNull();
    expect(result.current.loading).toBe(false);
    await act(async () => {
      expect(await result.current.signup(ADA)).toMatchObject({ id: "u1" });
    });
    expect(result.current.user?.email).toBe(ADA.email);
    await act(async () => {
      await result.current.logout();
    });
    expect(result.current.user).toBeNull();
    await act(async () => {
      await client.auth.login(ADA); // not through the hook
    });
    expect(result.current.user?.id).toBe("u1");
  });

  it("keeps failures in error and resolves to null", async () => {
    await client.auth.signup(ADA);
    await client.auth.logout();
    const { result } = renderHook(() => useAuth(), { wrapper });
    await act(async () => {
      expect(await result.current.signup(ADA)).toBeNull();
    });
    expect(result.current.error).toBeInstanceOf(ConflictError);
    await act(async () => {
      expect(await result.current.login({ ...ADA, password: "wrong password" })).toBeNull();
    });
    expect(result.current.error).toBeInstanceOf(AuthError);
    await act(async () => {
      await result.current.login(ADA);
    });
    expect(result.current.error).toBeNull();
    expect(result.current.user?.id).toBe("u1");
  });

  it("checks a stored session with the server on mount", async () => {
    await client.auth.signup(ADA);
    backend.revoked = true; // revoked elsewhere meanwhile
    const { result } = renderHook(() => useAuth(), { wrapper });
    expect(result.current.user?.id).toBe("u1");
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.user).toBeNull();
    expect(backend.callsTo("/api/auth/me")).toHaveLength(1);
  });
});

describe("useQuery", () => {
  it("GETs a path, refetches on demand and when the user signs in", async () => {
    let n = 0;
    backend.routes.set("GET /api/tasks", (call) =>
      backend.userOf(call) === null ? [401, { error: "authentication required" }] : [200, [{ n: ++n }]],
    );
    const { result } = renderHook(() => useQuery<{ n: number }[]>("/api/tasks"), { wrapper });
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.error).toBeInstanceOf(AuthError);
    await act(async () => {
      await client.auth.signup(ADA);
    });
    await waitFor(() => expect(result.current.data).toEqual([{ n: 1 }]));
    expect(result.current.error).toBeNull();
    await act(async () => {
      await result.current.refetch();
    });
    expect(result.current.data).toEqual([{ n: 2 }]);
  });

  it("uses a fetcher with any key, refetches when the key changes, and can wait", async () => {
    const seen: string[] = [];
    const { result, rerender } = renderHook(
      ({ id, enabled }: { id: string; enabled: boolean }) =>
        useQuery(["task", id], async (c) => {
          seen.push(id);
          expect(c).toBe(client);
          return { id };
        }, { enabled }),
      { wrapper, initialProps: { id: "t1", enabled: false } },
    );
    expect(result.current.loading).toBe(false);
    expect(seen).toEqual([]);
    rerender({ id: "t1", enabled: true });
    await waitFor(() => expect(result.current.data).toEqual({ id: "t1" }));
    rerender({ id: "t1", enabled: true }); // same key content, new array: no refetch
    rerender({ id: "t2", enabled: true });
    await waitFor(() => expect(result.current.data).toEqual({ id: "t2" }));
    expect(seen).toEqual(["t1", "t2"]);
  });
});

describe("useMutation", () => {
  it("tracks loading, data and error, and never rejects", async () => {
    await client.auth.signup(ADA);
    backend.routes.set("POST /api/tasks", (call) => {
      const title = (call.body as { title: string }).title;
      return title === "" ? [400, { error: "title is required" }] : [200, { id: `task-${title}` }];
    });
    const { result } = renderHook(
      () => {
        const c = useMozaiks();
        return useMutation((title: string) => c.api.post<{ id: string }>("/api/tasks", { title }));
      },
      { wrapper },
    );
    let pending: Promise<{ id: string } | undefined> | undefined;
    act(() => {
      pending = result.current.mutate("a");
    });
    expect(result.current.loading).toBe(true);
    await act(async () => {
      expect(await pending).toEqual({ id: "task-a" });
    });
    expect(result.current).toMatchObject({ loading: false, data: { id: "task-a" }, error: null });
    await act(async () => {
      expect(await result.current.mutate("")).toBeUndefined();
    });
    expect(result.current.error?.message).toBe("title is required");
    act(() => result.current.reset());
    expect(result.current).toMatchObject({ data: undefined, error: null });
  });
});
