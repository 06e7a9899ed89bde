/**
 * The app's one client of its mozaiks-core backend, and what every page shares about talking to it.
 */

import {
  ApiError,
  AuthError,
  ConflictError,
  createClient,
  type MozaiksClient,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from "@mozaiks/core-runtime";

/** Empty (the default): the backend is this page's origin (Vite's dev server and nginx forward `/api` to it). */
export const client = createClient({ baseUrl: import.meta.env.VITE_API_URL ?? "" });

/** Fields every stored record has (set by the backend). */
export interface Doc {
  id: string;
  owner?: string | null;
  created_at: string;
  updated_at: string;
}

/** One page of a collection: `GET /api/<collection>?limit=&cursor=`. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Records asked for per page. */
export const PAGE_SIZE = 20;

/** Load every record of a collection, page after page (at most `max`), e.g. for a select's options. */
export async function fetchAll<T>(api: MozaiksClient["api"], path: string, max = 1000): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<T>>(path, { query: { cursor } });
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined && items.length < max);
  return items;
}

function fieldOf(details: unknown): string | undefined {
  if (typeof details !== "object" || details === null) return undefined;
  const field = (details as { field?: unknown }).field;
  return typeof field === "string" ? field : undefined;
}

/**
 * A sentence for the user about a failed call, from the client's typed errors.
 *
 * @param labels Human labels of field names, to name the field a `ValidationError` points at.
 */
export function errorMessage(error: unknown, labels: Readonly<Record<string, string>> = {}): string {
  if (error instanceof NetworkError) return "The server cannot be reached. Check your connection and try again.";
  if (error instanceof RateLimitedError) {
    const wait = error.retryAfter === undefined ? "a moment" : `${error.retryAfter} s`;
    return `Too many attempts. Try again in ${wait}.`;
  }
  if (error instanceof ValidationError) {
    const field = fieldOf(error.details);
    return field === undefined ? error.message : `${labels[field] ?? field}: ${error.message}`;
  }
  if (error instanceof AuthError) {
    return error.status === 403 ? "You are not allowed to do that." : "Your session has ended. Sign in again.";
  }
  if (error instanceof NotFoundError) return "It no longer exists (deleted meanwhile?). Reload the page.";
  if (error instanceof ConflictError) return error.message;
  if (error instanceof ApiError) return `The server failed (${error.status}): ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
