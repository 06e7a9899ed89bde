/**
 * Mutual exclusion between the tabs of one origin, through the Web Locks API when the browser has it.
 *
 * @module
 */

/** The part of `navigator.locks` (a `LockManager`) the client uses. */
export interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable?: boolean }, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

/** `navigator.locks` when available, else `undefined` (Node, old browsers, insecure origins). */
export function defaultLocks(): LockManagerLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: unknown } }).navigator;
  const locks = nav?.locks as Partial<LockManagerLike> | undefined;
  return locks !== undefined && typeof locks.request === "function" ? (locks as LockManagerLike) : undefined;
}

/**
 * Run `task` while holding the lock `name` in every tab of the origin, or directly when there are no locks.
 *
 * `task` learns whether it had to wait for another holder (`contended`): that holder may have just changed what
 * the lock guards. Without Web Locks tabs can still race; callers re-read shared state before acting.
 */
export function withLock<T>(
  locks: LockManagerLike | undefined,
  name: string,
  task: (contended: boolean) => Promise<T>,
): Promise<T> {
  if (locks === undefined) return task(false);
  return locks.request(name, { ifAvailable: true }, (lock) =>
    lock !== null ? task(false) : locks.request(name, {}, () => task(true)),
  );
}
