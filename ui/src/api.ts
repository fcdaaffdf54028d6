/**
 * The REST client: every request carries the token as a bearer header, and every failure becomes an
 * {@link ApiError} a screen can say in words (wrong token, agent unreachable at URL, retry in N s).
 *
 * @module
 */
import type { Session } from "./session.ts";

/** What went wrong, as a person needs to know it. */
export type ApiErrorKind = "unauthorized" | "unreachable" | "rate_limited" | "not_found" | "http";

/** A failed request. */
export class ApiError extends Error {
  /** The kind of failure. */
  readonly kind: ApiErrorKind;
  /** HTTP status; 0 when the agent could not be reached. */
  readonly status: number;
  /** Seconds to wait (429's Retry-After), when given. */
  readonly retryAfterS: number | null;
  constructor(kind: ApiErrorKind, status: number, message: string, retryAfterS: number | null = null) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.status = status;
    this.retryAfterS = retryAfterS;
  }
}

/** Query parameters; undefined and "" are left out. */
export type Params = Record<string, string | number | boolean | undefined | null>;

/** `path` with `params` as its query string. */
export function withQuery(path: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Called on a 401 once logged in: the token stopped working (changed on the agent). */
let onUnauthorized: (() => void) | null = null;

/** Sets what happens when a logged-in request is refused (the app logs out). */
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

async function errorOf(res: Response, url: string): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body?.error?.message) message = String(body.error.message);
  } catch { /* not JSON */ }
  if (res.status === 401) return new ApiError("unauthorized", 401, "Wrong token: the agent refused it.");
  if (res.status === 429) {
    const wait = Number(res.headers.get("Retry-After"));
    const s = Number.isFinite(wait) && wait > 0 ? wait : null;
    return new ApiError(
      "rate_limited",
      429,
      `Too many failed logins from this address: try again ${s ? `in ${s} s` : "later"}.`,
      s,
    );
  }
  if (res.status === 404) return new ApiError("not_found", 404, message);
  return new ApiError("http", res.status, `${url}: ${message}`);
}

/**
 * One request to the agent. `opts.quietUnauthorized` keeps a 401 from logging out (the login form
 * checks a token that is not the session's yet).
 */
export async function request(
  s: Session,
  method: string,
  path: string,
  opts: { body?: unknown; accept?: string; quietUnauthorized?: boolean; signal?: AbortSignal } = {},
): Promise<Response> {
  const url = `${s.url}${path}`;
  const headers: Record<string, string> = { Authorization: `Bearer ${s.token}` };
  if (opts.accept) headers.Accept = opts.accept;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, signal: opts.signal, cache: "no-store" });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError("unreachable", 0, `Cannot reach the agent at ${s.url}.`);
  }
  if (!res.ok) {
    const err = await errorOf(res, path);
    if (err.kind === "unauthorized" && !opts.quietUnauthorized) onUnauthorized?.();
    throw err;
  }
  return res;
}

/** GET a JSON document. */
export async function getJson<T>(
  s: Session,
  path: string,
  params?: Params,
  signal?: AbortSignal,
): Promise<T> {
  const res = await request(s, "GET", withQuery(path, params), { signal });
  return await res.json() as T;
}

/** POST/PUT/DELETE with a JSON body; the answer's JSON, or null for an empty answer. */
export async function sendJson<T>(
  s: Session,
  method: string,
  path: string,
  body?: unknown,
): Promise<T | null> {
  const res = await request(s, method, path, { body });
  const text = await res.text();
  return text === "" ? null : JSON.parse(text) as T;
}

/**
 * Downloads `path` as CSV into a file named `filename`: fetched with the token (a plain link could not
 * carry it), then saved through a blob URL.
 */
export async function downloadCsv(s: Session, path: string, params: Params, filename: string): Promise<void> {
  const res = await request(s, "GET", withQuery(path, { ...params, format: "csv" }), { accept: "text/csv" });
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
