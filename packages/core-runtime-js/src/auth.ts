/**
 * Sign-up, login, logout and the current user against mozaiks-core's built-in provider (`/api/auth/*`), and the
 * authorised request every other part of the client goes through.
 *
 * Refresh: an access token that expires within `refreshMarginSeconds` (read from its `exp`, unverified) or that
 * gets a 401 is exchanged once through `POST /api/auth/refresh`, then the request is retried once. Refresh tokens
 * rotate and a reused one revokes the session on the server, so refreshing is guarded three ways:
 *
 * 1. in this tab, concurrent callers share one in-flight refresh (single flight);
 * 2. across tabs, the refresh runs under a Web Lock (`navigator.locks`) when the browser has one;
 * 3. before refreshing, storage is re-read: if another tab already rotated the token, its result is adopted.
 *
 * Storage and locks are not ordered between tabs: a tab can get the lock before the previous holder's write to
 * `localStorage` reaches it. So a tab that had to wait for the lock, or whose refresh is refused, first watches
 * storage for up to `crossTabWaitMs` for another tab's rotation before refreshing or signing out.
 *
 * @module
 */

import { AuthError, NetworkError } from "./errors.js";
import type { HttpRequest, HttpTransport } from "./http.js";
import { expiresSoon } from "./jwt.js";
import { defaultLocks, type LockManagerLike, withLock } from "./locks.js";
import type { Session, TokenStore, User } from "./tokenStore.js";

/** Email and password, for {@link Auth.signup} and {@link Auth.login}. */
export interface Credentials {
  email: string;
  password: string;
}

/** What changed: a user signed in (or another user replaced them), tokens were refreshed, or the user left. */
export type AuthEvent = "signedIn" | "refreshed" | "signedOut";

/** Passed to {@link Auth.onChange} listeners. */
export interface AuthChange {
  event: AuthEvent;
  /** The signed-in user, `null` after `signedOut`. */
  user: User | null;
}

/** Tuning of {@link Auth}; the defaults suit browsers. */
export interface AuthOptions {
  /** Refresh access tokens that expire within this many seconds (default 30). */
  refreshMarginSeconds?: number | undefined;
  /** Cross-tab locks; `navigator.locks` by default, `null` for none. */
  locks?: LockManagerLike | null | undefined;
  /** Clock in milliseconds (tests). */
  now?: (() => number) | undefined;
  /** How long to watch storage for another tab's rotation (default 1000 ms; only when tabs share storage). */
  crossTabWaitMs?: number | undefined;
}

/** The answer of signup, login and refresh. */
interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: User;
}

/** A request as {@link Auth.request} takes it: the token is added by the session. */
export type AuthorizedRequest = Omit<HttpRequest, "token">;

function toSession(answer: TokenAnswer): Session {
  return { accessToken: answer.access_token, refreshToken: answer.refresh_token, user: answer.user };
}

/** The session of the signed-in user: credentials in, bearer tokens kept fresh. */
export class Auth {
  private readonly http: HttpTransport;
  private readonly store: TokenStore;
  private readonly locks: LockManagerLike | undefined;
  private readonly margin: number;
  private readonly now: () => number;
  private readonly lockName: string;
  private readonly crossTabWaitMs: number;
  private inflight: Promise<Session | null> | null = null;

  constructor(http: HttpTransport, store: TokenStore, options: AuthOptions = {}) {
    this.http = http;
    this.store = store;
    this.locks = options.locks === null ? undefined : (options.locks ?? defaultLocks());
    this.margin = options.refreshMarginSeconds ?? 30;
    this.now = options.now ?? Date.now;
    this.lockName = `mozaiks-auth-refresh:${store.key}`;
    this.crossTabWaitMs = options.crossTabWaitMs ?? 1000;
  }

  /** The signed-in user as last stored by this tab or another (no request); `null` when signed out. */
  get user(): User | null {
    return this.store.session?.user ?? null;
  }

  /**
   * Create an account and sign in (`POST /api/auth/signup`).
   *
   * @throws {ValidationError} Invalid email or a password outside the allowed length (`details.field`).
   * @throws {ConflictError} The email is already registered.
   */
  async signup(credentials: Credentials): Promise<User> {
    return this.start("/api/auth/signup", credentials);
  }

  /**
   * Sign in (`POST /api/auth/login`).
   *
   * @throws {AuthError} Wrong email or password.
   * @throws {RateLimitedError} Too many failures; `retryAfter` says when to try again.
   */
  async login(credentials: Credentials): Promise<User> {
    return this.start("/api/auth/login", credentials);
  }

  /**
   * Sign out: revoke the session on the server (`POST /api/auth/logout`), then forget it in every tab.
   *
   * The local session is cleared even when the server cannot be reached.
   *
   * @param options `all: true` revokes every session of the user, on every device.
   */
  async logout(options: { all?: boolean } = {}): Promise<void> {
    const session = this.store.reload();
    if (session === null) return;
    try {
      await this.request({ method: "POST", path: "/api/auth/logout", body: options.all ? { all: true } : {} });
    } catch (error) {
      if (!(error instanceof AuthError) && !(error instanceof NetworkError)) throw error;
    } finally {
      const now = this.store.reload();
      if (now !== null && now.user.id === session.user.id) this.store.save(null);
    }
  }

  /** The signed-in user as the server sees it (`GET /api/auth/me`), or `null` when signed out. */
  async currentUser(): Promise<User | null> {
    if (this.store.reload() === null) return null;
    try {
      return await this.request<User>({ method: "GET", path: "/api/auth/me" });
    } catch (error) {
      if (error instanceof AuthError && error.status === 401) return null;
      throw error;
    }
  }

  /**
   * Call `listener` whenever the user signs in, out, or their tokens are refreshed — in this tab or another.
   *
   * @returns A function that removes the listener.
   */
  onChange(listener: (change: AuthChange) => void): () => void {
    return this.store.subscribe((session, previous) => {
      if (session === null) {
        if (previous !== null) listener({ event: "signedOut", user: null });
      } else {
        const same = previous !== null && previous.user.id === session.user.id;
        listener({ event: same ? "refreshed" : "signedIn", user: session.user });
      }
    });
  }

  /**
   * A valid access token for the signed-in user, refreshed first when it is about to expire; `null` when signed
   * out. Use it to call other services that accept the app's tokens.
   */
  async getAccessToken(): Promise<string | null> {
    const session = this.store.reload();
    if (session === null) return null;
    if (!expiresSoon(session.accessToken, this.now(), this.margin)) return session.accessToken;
    try {
      return (await this.refreshAfter(session.accessToken))?.accessToken ?? null;
    } catch (error) {
      // Offline, but the token has not actually expired yet: let the request try with it.
      if (error instanceof NetworkError && !expiresSoon(session.accessToken, this.now(), 0)) {
        return session.accessToken;
      }
      throw error;
    }
  }

  /**
   * Send a request with the user's token (when signed in); on a 401, refresh once and retry once.
   *
   * @throws {MozaiksError} What the transport throws; the retried request's error when the retry fails too.
   */
  async request<T>(request: AuthorizedRequest): Promise<T> {
    const token = await this.getAccessToken();
    try {
      return await this.http.send<T>({ ...request, token });
    } catch (error) {
      if (token === null || !(error instanceof AuthError) || error.status !== 401) throw error;
      const fresh = await this.refreshAfter(token);
      if (fresh === null) throw error;
      return this.http.send<T>({ ...request, token: fresh.accessToken });
    }
  }

  /**
   * The session that replaces the one whose access token is `stale`: the stored one if it already did (another
   * caller or tab refreshed), else the result of one shared refresh. `null` means signed out.
   */
  private async refreshAfter(stale: string): Promise<Session | null> {
    const current = this.store.reload();
    if (current === null || current.accessToken !== stale) return current;
    this.inflight ??= withLock(this.locks, this.lockName, (contended) =>
      this.rotate(current.refreshToken, contended),
    ).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Exchange `refreshToken` unless another tab did while this one waited for the lock. */
  private async rotate(refreshToken: string, contended: boolean): Promise<Session | null> {
    const latest = this.store.reload();
    if (latest === null || latest.refreshToken !== refreshToken) return latest;
    if (contended) {
      // The tab that held the lock has most likely just rotated this very token; its write may still be on the way.
      const adopted = await this.otherTabRotation(refreshToken);
      if (adopted !== undefined) return adopted;
    }
    try {
      const answer = await this.http.send<TokenAnswer>({
        method: "POST",
        path: "/api/auth/refresh",
        body: { refresh_token: refreshToken },
      });
      if (this.store.reload() === null) return null; // signed out while the refresh was on its way
      const session = toSession(answer);
      this.store.save(session);
      return session;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      // Refused: revoked, expired, or just rotated by another tab (the server refuses a reused token). Adopt that
      // tab's tokens if they arrive; otherwise the session is over.
      const adopted = await this.otherTabRotation(refreshToken);
      if (adopted !== undefined) return adopted;
      if (this.store.reload() !== null) this.store.save(null);
      return null;
    }
  }

  /**
   * The session another tab wrote in place of `refreshToken`'s (`null`: it signed out), watching storage for up to
   * `crossTabWaitMs`; `undefined` when nothing changed.
   */
  private async otherTabRotation(refreshToken: string): Promise<Session | null | undefined> {
    const changed = () => {
      const session = this.store.reload();
      return session === null || session.refreshToken !== refreshToken ? session : undefined;
    };
    let found = changed();
    if (found !== undefined || !this.store.shared) return found;
    const step = 25;
    for (let waited = 0; waited < this.crossTabWaitMs && found === undefined; waited += step) {
      await new Promise((resolve) => setTimeout(resolve, step));
      found = changed();
    }
    return found;
  }

  private async start(path: string, credentials: Credentials): Promise<User> {
    const answer = await this.http.send<TokenAnswer>({
      method: "POST",
      path,
      body: { email: credentials.email, password: credentials.password },
    });
    this.store.save(toSession(answer));
    return answer.user;
  }
}
