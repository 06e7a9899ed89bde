/** localStorage that never throws (private modes, sandboxed frames and full quotas just forget). */

export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string | null): void;
}

function backing(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** Keys are prefixed with `mozaiks.chatui.` and scoped to one server, so several servers do not collide. */
export function scopedStore(scope: string): KeyValueStore {
  const prefix = `mozaiks.chatui.${scope}.`;
  const memory = new Map<string, string>();
  return {
    get(key) {
      try {
        const value = backing()?.getItem(prefix + key);
        if (value !== null && value !== undefined) return value;
      } catch {
        /* fall through */
      }
      return memory.get(key) ?? null;
    },
    set(key, value) {
      if (value === null) memory.delete(key);
      else memory.set(key, value);
      try {
        if (value === null) backing()?.removeItem(prefix + key);
        else backing()?.setItem(prefix + key, value);
      } catch {
        /* memory only */
      }
    },
  };
}
