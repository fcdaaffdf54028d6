/**
 * The login: which agent, with which token. Kept in localStorage so a refresh keeps the user in;
 * logout removes it. The token is sent only as an Authorization header, never in a URL.
 *
 * @module
 */
import { signal } from "@preact/signals";

/** A logged-in session. */
export interface Session {
  /** The agent's base URL without a trailing slash, e.g. "http://192.168.1.5:8480". */
  url: string;
  /** The API token. */
  token: string;
}

/** The localStorage key. */
export const SESSION_KEY = "flintnet.session";

/** The session, or null on the login screen. */
export const session = signal<Session | null>(null);

/** "http://host:8480/" → "http://host:8480"; a bare host gets this page's scheme. */
export function normalizeAgentUrl(text: string, origin: string): string {
  let t = text.trim();
  if (t === "") return origin;
  if (!/^https?:\/\//i.test(t)) t = `${new URL(origin).protocol}//${t}`;
  const u = new URL(t);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
}

/** Reads the saved session, if any and well formed. */
export function loadSession(storage: Storage = localStorage): Session | null {
  try {
    const v = JSON.parse(storage.getItem(SESSION_KEY) ?? "null");
    if (v && typeof v.url === "string" && typeof v.token === "string" && v.token !== "") {
      return { url: v.url, token: v.token };
    }
  } catch { /* a damaged entry is no session */ }
  return null;
}

/** Saves and activates a session. */
export function login(s: Session, storage: Storage = localStorage): void {
  storage.setItem(SESSION_KEY, JSON.stringify(s));
  session.value = s;
}

/** Forgets the session: back to the login screen. */
export function logout(storage: Storage = localStorage): void {
  storage.removeItem(SESSION_KEY);
  session.value = null;
}
