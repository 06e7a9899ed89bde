/**
 * React bindings: `@mozaiks/core-runtime/react` (React ≥ 18, an optional peer dependency).
 *
 * ```tsx
 * const client = createClient();
 * root.render(<MozaiksProvider client={client}><App /></MozaiksProvider>);
 *
 * function Tasks() {
 *   const { user, login } = useAuth();
 *   const { data: tasks, refetch } = useQuery<Task[]>("/api/tasks");
 *   const add = useMutation((title: string) => client.api.post("/api/tasks", { title }));
 *   …
 * }
 * ```
 *
 * Hook actions never reject: failures land in `error` and the promise resolves to `undefined` (or `null`).
 *
 * @module
 */

import {
  createContext,
  createElement,
  type ReactElement,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
} from "react";
import type { Credentials } from "./auth.js";
import type { MozaiksClient } from "./client.js";
import type { User } from "./tokenStore.js";

const MozaiksContext = createContext<MozaiksClient | null>(null);

/** Props of {@link MozaiksProvider}. */
export interface MozaiksProviderProps {
  /** The client the hooks below use, from `createClient()`. */
  client: MozaiksClient;
  children?: ReactNode;
}

/** Makes `client` available to {@link useMozaiks} and the other hooks in `children`. */
export function MozaiksProvider({ client, children }: MozaiksProviderProps): ReactElement {
  return createElement(MozaiksContext.Provider, { value: client }, children);
}

/**
 * The client of the nearest {@link MozaiksProvider}.
 *
 * @throws {Error} Outside a provider.
 */
export function useMozaiks(): MozaiksClient {
  const client = useContext(MozaiksContext);
  if (client === null) throw new Error("useMozaiks() needs a <MozaiksProvider client={…}> above it");
  return client;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** What {@link useAuth} returns. */
export interface UseAuth {
  /** The signed-in user; `null` when signed out. */
  user: User | null;
  /** True while the stored session is being checked with the server, or an action runs. */
  loading: boolean;
  /** The last action's failure (`AuthError`, `ConflictError`, `ValidationError`, `RateLimitedError`…). */
  error: Error | null;
  /** Create an account and sign in; resolves to the user, or `null` on failure (see `error`). */
  signup(credentials: Credentials): Promise<User | null>;
  /** Sign in; resolves to the user, or `null` on failure (see `error`). */
  login(credentials: Credentials): Promise<User | null>;
  /** Sign out (locally even when the server cannot be reached). */
  logout(): Promise<void>;
}

/** The signed-in user, kept current across sign-in, refresh, sign-out and other tabs. */
export function useAuth(): UseAuth {
  const client = useMozaiks();
  const [user, setUser] = useState<User | null>(() => client.auth.user);
  const [loading, setLoading] = useState<boolean>(() => client.auth.user !== null);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    let live = true;
    const unsubscribe = client.auth.onChange((change) => setUser(change.user));
    setUser(client.auth.user);
    if (client.auth.user !== null) {
      // The stored session may have been revoked meanwhile: ask the server once.
      setLoading(true);
      client.auth
        .currentUser()
        .then((me) => {
          if (live && me === null) setUser(null);
        })
        .catch((e: unknown) => {
          if (live) setError(asError(e));
        })
        .finally(() => {
          if (live) setLoading(false);
        });
    } else {
      setLoading(false);
    }
    return () => {
      live = false;
      unsubscribe();
    };
  }, [client]);

  const run = useCallback(async <T>(action: () => Promise<T>, failed: T): Promise<T> => {
    setLoading(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(asError(e));
      return failed;
    } finally {
      setLoading(false);
    }
  }, []);

  const signup = useCallback((c: Credentials) => run(() => client.auth.signup(c), null), [client, run]);
  const login = useCallback((c: Credentials) => run(() => client.auth.login(c), null), [client, run]);
  const logout = useCallback(() => run(() => client.auth.logout(), undefined), [client, run]);
  return { user, loading, error, signup, login, logout };
}

/** What {@link useQuery} returns. */
export interface UseQuery<T> {
  /** The last successful answer; kept while refetching. */
  data: T | undefined;
  /** The last failure, cleared by the next success. */
  error: Error | null;
  loading: boolean;
  /** Fetch again now. */
  refetch(): Promise<void>;
}

/** Options of {@link useQuery}. */
export interface UseQueryOptions {
  /** `false` skips fetching (e.g. until the user signed in). Default `true`. */
  enabled?: boolean;
}

/**
 * Fetch data and keep it in state; fetches again when the key changes and when the user signs in or out.
 *
 * @param key A backend path (`GET` with the client's `api`), or any key (a string or array) with `fetcher`.
 * @param fetcher Loads the data; the latest one given is used, so an inline function is fine.
 */
export function useQuery<T = unknown>(
  key: string | readonly unknown[],
  fetcher?: (client: MozaiksClient) => Promise<T>,
  options: UseQueryOptions = {},
): UseQuery<T> {
  const client = useMozaiks();
  const enabled = options.enabled ?? true;
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState<boolean>(enabled);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const latest = useRef(0);
  const keyText = typeof key === "string" ? key : JSON.stringify(key);

  const load = useCallback(async (): Promise<void> => {
    const fetch = fetcherRef.current;
    if (fetch === undefined && typeof key !== "string") {
      throw new TypeError("useQuery needs a fetcher when the key is not a path");
    }
    const call = ++latest.current;
    setLoading(true);
    try {
      const value = fetch === undefined ? await client.api.get<T>(key as string) : await fetch(client);
      if (call === latest.current) {
        setData(value);
        setError(null);
      }
    } catch (e) {
      if (call === latest.current) setError(asError(e));
    } finally {
      if (call === latest.current) setLoading(false);
    }
    // keyText stands for key (arrays are compared by content, not identity).
  }, [client, keyText]);

  useEffect(() => {
    if (!enabled) {
      latest.current += 1; // drop answers still on their way
      setLoading(false);
      return undefined;
    }
    void load();
    return client.auth.onChange((change) => {
      if (change.event !== "refreshed") void load();
    });
  }, [client, enabled, load]);

  return { data, error, loading, refetch: load };
}

/** What {@link useMutation} returns. */
export interface UseMutation<Args extends unknown[], Result> {
  /** Run the mutation; resolves to its result, or `undefined` on failure (see `error`). */
  mutate(...args: Args): Promise<Result | undefined>;
  /** The last successful result. */
  data: Result | undefined;
  /** The last failure, cleared when the next call starts. */
  error: Error | null;
  loading: boolean;
  /** Forget `data` and `error`. */
  reset(): void;
}

/**
 * Wrap a write (`POST`, `PUT`, a workflow run…) with loading and error state.
 *
 * @param fn The operation; the latest one given is used, so an inline function is fine.
 */
export function useMutation<Args extends unknown[], Result>(
  fn: (...args: Args) => Promise<Result>,
): UseMutation<Args, Result> {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const [data, setData] = useState<Result | undefined>(undefined);
  const [error, setError] = useState<Error | null>(null);
  const [pending, setPending] = useState(0);

  const mutate = useCallback(async (...args: Args): Promise<Result | undefined> => {
    setPending((n) => n + 1);
    setError(null);
    try {
      const result = await fnRef.current(...args);
      setData(result);
      return result;
    } catch (e) {
      setError(asError(e));
      return undefined;
    } finally {
      setPending((n) => n - 1);
    }
  }, []);

  const reset = useCallback(() => {
    setData(undefined);
    setError(null);
  }, []);

  return { mutate, data, error, loading: pending > 0, reset };
}
