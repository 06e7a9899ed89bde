/**
 * Where the session lives: `localStorage` (shared by the tabs of one origin), mirrored in memory.
 *
 * Storage is the source of truth between tabs. A `storage` event (another tab signed in, refreshed or signed out)
 * reloads the session here and tells the subscribers, so a refresh done by another tab is adopted instead of
 * repeated: refresh tokens rotate, and presenting an already-used one revokes the whole session on the server.
 *
 * @module
 */

/** A user as mozaiks-core describes it (`/api/auth/me`, and the `user` of every token answer). */
export interface User {
  id: string;
  email: string | null;
  roles: string[];
  /** Present in `/api/auth/me` answers. */
  app_id?: string;
}

/** The tokens of a signed-in user, as stored. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  user: User;
}

/** The subset of the Web Storage API the client uses (`localStorage` by default). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The part of a `StorageEvent` the store reads. */
export interface StorageChange {
  key: string | null;
}

/** Where `storage` events come from (`window` by default). */
export interface StorageEventSource {
  addEventListener(type: "storage", listener: (event: StorageChange) => void): void;
  removeEventListener(type: "storage", listener: (event: StorageChange) => void): void;
}

/** Called with the new session (`null`: signed out) and the one before. */
export type SessionListener = (session: Session | null, previous: Session | null) => void;

/** A `StorageLike` in memory: for tests, server-side rendering, and browsers that refuse `localStorage`. */
export class MemoryStorage implements StorageLike {
  private readonly items = new Map<string, string>();

  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }

  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** `localStorage` when the environment has a usable one, else a {@link MemoryStorage}. */
export function defaultStorage(): StorageLike {
  try {
    const storage = (globalThis as { localStorage?: StorageLike }).localStorage;
    if (storage !== undefined) {
      const probe = "mozaiks.probe";
      storage.setItem(probe, "1");
      storage.removeItem(probe);
      return storage;
    }
  } catch {
    // Sandboxed frames and some private modes throw on access: keep the session in memory instead.
  }
  return new MemoryStorage();
}

function defaultEventSource(): StorageEventSource | undefined {
  const target = globalThis as Partial<StorageEventSource>;
  return typeof target.addEventListener === "function" && typeof target.removeEventListener === "function"
    ? (target as StorageEventSource)
    : undefined;
}

function parseSession(raw: string | null): Session | null {
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as Partial<Session> | null;
    if (
      value !== null &&
      typeof value.accessToken === "string" &&
      typeof value.refreshToken === "string" &&
      typeof value.user === "object" &&
      value.user !== null &&
      typeof value.user.id === "string"
    ) {
      return value as Session;
    }
  } catch {
    // A corrupt entry is treated as signed out.
  }
  return null;
}

/** Options of {@link TokenStore}. */
export interface TokenStoreOptions {
  /** Where to persist the session; `localStorage` by default. */
  storage?: StorageLike | undefined;
  /** The storage key; the default `mozaiks.auth` suits one backend per origin. */
  key?: string | undefined;
  /** Source of `storage` events; `window` by default, `null` to ignore other tabs. */
  events?: StorageEventSource | null | undefined;
}

/** The persisted session, shared with other tabs through storage. */
export class TokenStore {
  /** The storage key the session is kept under. */
  readonly key: string;
  private readonly storage: StorageLike;
  private readonly events: StorageEventSource | undefined;
  private readonly listeners = new Set<SessionListener>();
  private current: Session | null;
  private raw: string | null = null;
  private readonly onStorage = (event: StorageChange): void => {
    if (event.key === null || event.key === this.key) this.reload();
  };

  constructor(options: TokenStoreOptions = {}) {
    this.key = options.key ?? "mozaiks.auth";
    this.storage = options.storage ?? defaultStorage();
    this.events = options.events === null ? undefined : (options.events ?? defaultEventSource());
    this.raw = this.readRaw();
    this.current = parseSession(this.raw);
    this.events?.addEventListener("storage", this.onStorage);
  }

  /** Whether other tabs can change the session (storage events are listened to). */
  get shared(): boolean {
    return this.events !== undefined;
  }

  /** The session as last known to this tab, or `null` when signed out. */
  get session(): Session | null {
    return this.current;
  }

  /** Re-read storage (another tab may have changed it) and return the session found there. */
  reload(): Session | null {
    const raw = this.readRaw();
    if (raw !== this.raw) {
      this.raw = raw;
      this.change(parseSession(raw));
    }
    return this.current;
  }

  /** Persist `session` (`null` signs out) and tell the subscribers. */
  save(session: Session | null): void {
    const raw = session === null ? null : JSON.stringify(session);
    try {
      if (raw === null) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, raw);
    } catch {
      // Quota or privacy errors: the session still lives in this tab's memory.
    }
    this.raw = raw;
    this.change(session);
  }

  /** Call `listener` on every change, from this tab or another; returns the unsubscribe function. */
  subscribe(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stop listening to other tabs. */
  close(): void {
    this.events?.removeEventListener("storage", this.onStorage);
    this.listeners.clear();
  }

  private readRaw(): string | null {
    try {
      return this.storage.getItem(this.key);
    } catch {
      return this.raw;
    }
  }

  private change(session: Session | null): void {
    const previous = this.current;
    this.current = session;
    for (const listener of [...this.listeners]) {
      try {
        listener(session, previous);
      } catch (error) {
        // One broken listener must not stop the others nor the request that changed the session.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
