/**
 * Hash routes (`#/devices/10.0.0.1?status=ok`): deep links that survive a refresh and never collide with
 * the API's paths, since the fragment never reaches the server.
 *
 * @module
 */
import { signal } from "@preact/signals";

/** Where the app is. */
export interface Route {
  /** Path segments after "#/", decoded: `#/devices/10.0.0.1` → ["devices", "10.0.0.1"]. */
  path: string[];
  /** Query parameters after "?" in the fragment. */
  params: Record<string, string>;
}

/** `#/a/b?x=1` → {path: ["a", "b"], params: {x: "1"}}; anything unreadable is the dashboard. */
export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, "");
  const q = text.indexOf("?");
  const pathText = q < 0 ? text : text.slice(0, q);
  const params: Record<string, string> = {};
  if (q >= 0) { for (const [k, v] of new URLSearchParams(text.slice(q + 1))) params[k] = v; }
  const path = pathText.split("/").filter((s) => s !== "").map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { path, params };
}

/** The fragment for a route; empty parameters are left out. */
export function formatHash(path: readonly string[], params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, v);
  const qs = q.toString();
  return `#/${path.map(encodeURIComponent).join("/")}${qs ? `?${qs}` : ""}`;
}

/** The current route, updated on every hashchange once {@link startRouter} ran. */
export const route = signal<Route>({ path: [], params: {} });

/** Follows `location.hash`. */
export function startRouter(): void {
  const update = () => {
    route.value = parseHash(location.hash);
  };
  addEventListener("hashchange", update);
  update();
}

/** Goes to a route (a new history entry, so Back works). */
export function navigate(path: readonly string[], params: Record<string, string | undefined> = {}): void {
  location.hash = formatHash(path, params);
}
