/**
 * Cursor paging for /flows, /anomalies and /alerts: the first page on every change of the query, then
 * "Load more" appends the next page using `next_cursor`.
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { getJson, type Params } from "../api.ts";
import { session } from "../session.ts";
import type { Page } from "../types.ts";

/** What {@link usePaged} gives a screen. */
export interface Paged<T> {
  /** Rows loaded so far. */
  rows: T[];
  /** total_matched of the last page. */
  total: number | null;
  /** Whether another page exists. */
  more: boolean;
  /** A request is running. */
  loading: boolean;
  /** The last failure. */
  error: Error | undefined;
  /** The last page's body, for what a listing says beside its rows (/flows history: source, oldest). */
  last: Record<string, unknown> | null;
  /** Loads the next page. */
  loadMore: () => void;
  /** Starts again from the first page. */
  reload: () => void;
}

/** Pages of `path` with `params`; `key` picks the rows out of a page (flows, anomalies, alerts). */
export function usePaged<T>(path: string, params: Params, key: string, deps: unknown[] = []): Paged<T> {
  const [rows, setRows] = useState<T[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [last, setLast] = useState<Record<string, unknown> | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [nonce, setNonce] = useState(0);
  const query = JSON.stringify(params);

  const fetchPage = (after: string | null, append: boolean, signal?: AbortSignal) => {
    const s = session.value;
    if (!s) return;
    setLoading(true);
    getJson<Page & Record<string, unknown>>(s, path, { ...params, cursor: after ?? undefined }, signal).then(
      (page) => {
        const got = (page[key] ?? []) as T[];
        setRows((prev) => (append ? prev.concat(got) : got));
        // A history page of /flows counts no total (docs/advisories.md): null, as while loading.
        setTotal(page.total_matched ?? null);
        setLast(page);
        setCursor(page.next_cursor);
        setError(undefined);
        setLoading(false);
      },
      (e: Error) => {
        if (e.name === "AbortError") return;
        setError(e);
        setLoading(false);
      },
    );
  };

  useEffect(() => {
    const abort = new AbortController();
    fetchPage(null, false, abort.signal);
    return () => abort.abort();
  }, [path, query, nonce, ...deps]);

  return {
    rows,
    total,
    more: cursor !== null,
    loading,
    error,
    last,
    loadMore: () => cursor && fetchPage(cursor, true),
    reload: () => setNonce((n) => n + 1),
  };
}
