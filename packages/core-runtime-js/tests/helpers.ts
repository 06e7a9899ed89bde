/**
 * Fakes for the unit tests: a mozaiks-core backend behind `fetch`, tabs sharing one storage, and Web Locks.
 */
import type { FetchLike, LockManagerLike, StorageChange, StorageEventSource, StorageLike } from "../src/index.js";
import { decodeJwtPayload, MemoryStorage } from "../src/index.js";

/** An unsigned JWT with `payload` (the client never checks signatures). */
export function jwt(payload: Record<string, unknown>): string {
  const encode = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${encode({ alg: "HS256", typ: "JWT" })}.${encode(payload)}.c2lnbmF0dXJl`;
}

/** One request the fake backend received. */
export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A route handler of the fake backend: returns `[status, body, headers?]`. */
export type Handler = (call: Call) => [number, unknown, Record<string, string>?];

/** Lets pending promises and timers settle. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * mozaiks-core's auth provider in memory: access tokens are JWTs with `exp`, refresh tokens rotate, and reusing one
 * revokes the session (as `auth/_store.py` does after its grace window).
 */
export class FakeBackend {
  readonly calls: Call[] = [];
  readonly routes = new Map<string, Handler>();
  /** Clock in ms, shared with the client through `now`. */
  nowMs = 1_700_000_000_000;
  /** Seconds an access token lives. */
  accessTtl = 900;
  /** Tokens the server accepts (removing one makes it answer 401 though `exp` says it is fresh). */
  readonly validAccess = new Set<string>();
  /** Refresh token → whether it was used. */
  readonly refreshTokens = new Map<string, boolean>();
  /** Refresh token → its user. */
  private readonly refreshOwner = new Map<string, string>();
  reuseDetected = false;
  /** Called as each request arrives, before it is answered. */
  onCall: ((call: Call) => void) | undefined;
  /** `false`: a reused token is refused without revoking the session (the server's grace window). */
  reuseRevokes = true;
  revoked = false;
  private serial = 0;
  private readonly users = new Map<string, { id: string; password: string }>();

  readonly now = (): number => this.nowMs;

  readonly fetch: FetchLike = async (url, init = {}) => {
    await settle(); // answers arrive later, as over a network
    const path = url.replace(/^https?:\/\/[^/]+/, "");
    const headers = Object.fromEntries(
      Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const body = typeof init.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    const call: Call = { method: init.method ?? "GET", path, headers, body };
    this.calls.push(call);
    this.onCall?.(call);
    const [status, answer, extra] = this.handle(call);
    const responseHeaders = { "content-type": "application/json", ...extra };
    if (status === 204) return new Response(null, { status });
    return new Response(JSON.stringify(answer), { status, headers: responseHeaders });
  };

  /** Calls to `path` (without query). */
  callsTo(path: string): Call[] {
    return this.calls.filter((c) => c.path.split("?")[0] === path);
  }

  /** Tokens as `/api/auth/login` answers them. */
  issue(userId: string, email = `${userId}@example.com`) {
    this.serial += 1;
    const access = jwt({ sub: userId, exp: Math.floor(this.nowMs / 1000) + this.accessTtl, n: this.serial });
    const refresh = `refresh-${this.serial}-${"x".repeat(24)}`;
    this.validAccess.add(access);
    this.refreshTokens.set(refresh, false);
    this.refreshOwner.set(refresh, userId);
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: "bearer",
      expires_in: this.accessTtl,
      user: { id: userId, email, roles: [] as string[] },
    };
  }

  /** The user id an `Authorization` header stands for, or `null`. */
  userOf(call: Call): string | null {
    const token = call.headers["authorization"]?.replace(/^Bearer /, "");
    if (token === undefined || !this.validAccess.has(token) || this.revoked) return null;
    const payload = decodeJwtPayload(token) as { sub: string; exp: number };
    return payload.exp * 1000 > this.nowMs ? payload.sub : null;
  }

  private handle(call: Call): [number, unknown, Record<string, string>?] {
    const data = (call.body ?? {}) as Record<string, string>;
    const route = this.routes.get(`${call.method} ${call.path.split("?")[0]}`);
    if (route !== undefined) return route(call);
    switch (`${call.method} ${call.path}`) {
      case "POST /api/auth/signup":
        if (this.users.has(data["email"]!)) return [409, { error: "this email is already registered" }];
        this.users.set(data["email"]!, { id: `u${this.users.size + 1}`, password: data["password"]! });
        return [201, this.issue(this.users.get(data["email"]!)!.id, data["email"])];
      case "POST /api/auth/login": {
        const user = this.users.get(data["email"]!);
        if (user === undefined || user.password !== data["password"]) {
          return [401, { error: "invalid email or password" }, { "www-authenticate": "Bearer" }];
        }
        return [200, this.issue(user.id, data["email"])];
      }
      case "POST /api/auth/refresh": {
        const token = data["refresh_token"]!;
        const used = this.refreshTokens.get(token);
        if (used === undefined || this.revoked) return [401, { error: "invalid refresh token" }];
        if (used && !this.reuseRevokes) return [401, { error: "refresh token already used" }];
        if (used) {
          this.reuseDetected = true;
          this.revoked = true;
          return [401, { error: "refresh token reuse detected: the session was revoked" }];
        }
        this.refreshTokens.set(token, true);
        return [200, this.issue(this.refreshOwner.get(token)!)];
      }
      default:
    }
    if (this.userOf(call) === null) return [401, { error: "authentication required" }, { "www-authenticate": "Bearer" }];
    if (`${call.method} ${call.path}` === "GET /api/auth/me") {
      return [200, { id: this.userOf(call), email: "u1@example.com", roles: [], app_id: "task-tracker" }];
    }
    if (`${call.method} ${call.path}` === "POST /api/auth/logout") return [204, null];
    return [200, { path: call.path, user: this.userOf(call) }];
  }
}

/**
 * Tabs of one origin: each has its own copy of storage, as Chromium's renderers do; a write reaches the other tabs
 * (their copy, then a `storage` event) after `lagMs`, with no ordering against locks.
 */
export class Browser {
  private readonly tabs: { copy: MemoryStorage; listeners: ((event: StorageChange) => void)[] }[] = [];

  constructor(private readonly lagMs = 0) {}

  /** The storage and event source of a new tab (starting from what the first tab holds). */
  tab(): { storage: StorageLike; storageEvents: StorageEventSource } {
    const copy = new MemoryStorage();
    const first = this.tabs[0]?.copy;
    if (first !== undefined) {
      for (const key of ["mozaiks.auth"]) {
        const value = first.getItem(key);
        if (value !== null) copy.setItem(key, value);
      }
    }
    const me = { copy, listeners: [] as ((event: StorageChange) => void)[] };
    this.tabs.push(me);
    const propagate = (key: string, value: string | null) => {
      const deliver = () => {
        for (const other of this.tabs) {
          if (other === me) continue;
          if (value === null) other.copy.removeItem(key);
          else other.copy.setItem(key, value);
          for (const listener of other.listeners) listener({ key });
        }
      };
      if (this.lagMs > 0) setTimeout(deliver, this.lagMs);
      else queueMicrotask(deliver);
    };
    const storage: StorageLike = {
      getItem: (key) => copy.getItem(key),
      setItem: (key, value) => {
        copy.setItem(key, value);
        propagate(key, value);
      },
      removeItem: (key) => {
        copy.removeItem(key);
        propagate(key, null);
      },
    };
    const storageEvents: StorageEventSource = {
      addEventListener: (_type, listener) => {
        me.listeners.push(listener);
      },
      removeEventListener: (_type, listener) => {
        me.listeners = me.listeners.filter((l) => l !== listener);
      },
    };
    return { storage, storageEvents };
  }
}

/** Web Locks shared by the tabs of a {@link Browser}: one holder per name, the others queue. */
export class FakeLocks implements LockManagerLike {
  /** Each request, as `name` or `name?` (an `ifAvailable` probe). */
  readonly requested: string[] = [];
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly holders = new Map<string, number>();

  request<T>(name: string, options: { ifAvailable?: boolean }, callback: (lock: unknown) => Promise<T>): Promise<T> {
    this.requested.push(options.ifAvailable ? `${name}?` : name);
    const busy = (this.holders.get(name) ?? 0) > 0;
    if (options.ifAvailable && busy) return callback(null);
    this.holders.set(name, (this.holders.get(name) ?? 0) + 1);
    const before = this.tails.get(name) ?? Promise.resolve();
    const run = before.then(() => callback({ name }));
    const done = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(
      name,
      done.then(() => {
        this.holders.set(name, (this.holders.get(name) ?? 1) - 1);
      }),
    );
    return run;
  }
}
