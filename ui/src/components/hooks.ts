/**
 * Small hooks the screens share: loading API data with loading / error state, intervals, and a clock
 * that ticks so "12 s ago" stays true.
 *
 * @module
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type Session, session } from "../session.ts";

/** What {@link useApi} gives a screen. */
export interface ApiState<T> {
  /** The last answer (kept while a reload runs, so the screen does not flicker). */
  data: T | undefined;
  /** The last failure; cleared by the next success. */
  error: Error | undefined;
  /** A request is running. */
  loading: boolean;
  /** Fetches again. */
  reload: () => void;
}

/**
 * Runs `load` with the session when `deps` change (and on reload()); an earlier request still running
 * is aborted, so an answer never overwrites a newer one.
 */
export function useApi<T>(
  load: (s: Session, signal: AbortSignal) => Promise<T>,
  deps: unknown[],
): ApiState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const s = session.value;
    if (!s) return;
    const abort = new AbortController();
    setLoading(true);
    loadRef.current(s, abort.signal).then(
      (d) => {
        if (abort.signal.aborted) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: Error) => {
        if (abort.signal.aborted || e.name === "AbortError") return;
        setError(e);
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [...deps, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** Calls `fn` every `ms` while mounted (not when `ms` is null). */
export function useInterval(fn: () => void, ms: number | null): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (ms === null) return;
    const t = setInterval(() => ref.current(), ms);
    return () => clearInterval(t);
  }, [ms]);
}

/** The current time, re-rendering every `ms`. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useInterval(() => setNow(Date.now()), ms);
  return now;
}

/**
 * `value`, updated at most once every `ms` (the latest value, at the end of each period): a list that
 * refetches on live events keeps refreshing under a constant flow of them, once a period.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = Math.max(0, last.current + ms - Date.now());
    const t = setTimeout(() => {
      last.current = Date.now();
      setV(value);
    }, wait);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
