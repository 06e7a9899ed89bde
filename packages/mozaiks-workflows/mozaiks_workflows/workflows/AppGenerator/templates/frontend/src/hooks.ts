/**
 * Hooks the pages share on top of `@mozaiks/core-runtime/react`.
 */

import { useMozaiks, useQuery } from "@mozaiks/core-runtime/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type Doc, fetchAll, type Page, PAGE_SIZE } from "./api";

/** What {@link useCollection} returns. */
export interface Collection<T extends Doc> {
  /** The records loaded so far, in the backend's order. */
  items: T[];
  /** True when the backend has more records ({@link Collection.loadMore}). */
  hasMore: boolean;
  loading: boolean;
  /** The last failure to load. */
  error: Error | null;
  /** Load the next page and append it. */
  loadMore(): Promise<void>;
  /** Load the first page again. */
  reload(): Promise<void>;
  /** Show a record just created, before the others. */
  prepend(item: T): void;
  /** Stop showing a record just deleted. */
  drop(id: string): void;
}

/** A collection's records, page by page: `GET path?limit=&cursor=` → `{items, next_cursor}`. */
export function useCollection<T extends Doc>(path: string): Collection<T> {
  const client = useMozaiks();
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  const latest = useRef(0);

  const load = useCallback(
    async (after: string | null): Promise<void> => {
      const call = ++latest.current;
      setLoading(true);
      try {
        const page = await client.api.get<Page<T>>(path, { query: { limit: PAGE_SIZE, cursor: after ?? undefined } });
        if (call !== latest.current) return; // a newer load won
        setItems((shown) => {
          if (after === null) return page.items;
          const known = new Set(shown.map((item) => item.id));
          return [...shown, ...page.items.filter((item) => !known.has(item.id))];
        });
        setCursor(page.next_cursor);
        setError(null);
      } catch (e) {
        if (call === latest.current) setError(e instanceof Error ? e : new Error(String(e)));
      } finally {
        if (call === latest.current) setLoading(false);
      }
    },
    [client, path],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return {
    items,
    hasMore: cursor !== null,
    loading,
    error,
    loadMore: useCallback(() => load(cursor), [load, cursor]),
    reload: useCallback(() => load(null), [load]),
    prepend: useCallback((item: T) => setItems((shown) => [item, ...shown.filter((i) => i.id !== item.id)]), []),
    drop: useCallback((id: string) => setItems((shown) => shown.filter((item) => item.id !== id)), []),
  };
}

/** One choice of a relation's select. */
export interface Option {
  value: string;
  label: string;
}

/** What {@link useOptions} returns. */
export interface Options {
  options: Option[];
  loading: boolean;
  error: Error | null;
  /** The label of the record `id` (its id when it is not loaded, "—" for none). */
  labelOf(id: string | null | undefined): string;
}

/** Every record of the collection at `path` as select options, labelled by `titleField`. */
export function useOptions(path: string, titleField: string): Options {
  const query = useQuery<Doc[]>(["options", path], (client) => fetchAll<Doc>(client.api, path));
  const options = useMemo(
    () =>
      (query.data ?? []).map((doc) => {
        const title = (doc as unknown as Record<string, unknown>)[titleField];
        return { value: doc.id, label: typeof title === "string" && title !== "" ? title : doc.id };
      }),
    [query.data, titleField],
  );
  const labelOf = useCallback(
    (id: string | null | undefined) => {
      if (id === null || id === undefined || id === "") return "—";
      return options.find((option) => option.value === id)?.label ?? id;
    },
    [options],
  );
  return { options, loading: query.loading, error: query.error, labelOf };
}
