/**
 * The dashboard as a test sees it (a page object over Playwright): log in, go to a screen, read the
 * counts and graphs a screen draws, take screenshots. Everything is read from the DOM the way a person
 * would see it (data-testid, data-count, the graph's data-node-id / data-edge-id), so a test compares
 * what the page shows with what the API answers.
 *
 * @example
 * const dash = new DashboardPage(tab.page, "http://127.0.0.1:18660");
 * await dash.login(TOKEN);
 * await dash.goto("topology");
 * const drawn = await dash.readGraph("topology-graph"); // {nodes: [{id, label}], edges: [{id, source, target}]}
 */
import type { Page } from "playwright-core";

// Browser globals, for the callbacks Playwright runs inside the page (typed loosely: the DOM library is
// kept out of the test program, where its stream types clash with Deno's).
// deno-lint-ignore no-explicit-any
declare const document: any;
// deno-lint-ignore no-explicit-any
declare const location: any;

/** Where screenshots go (gitignored): tests/.screenshots/. */
export const SCREENSHOT_DIR = new URL("../.screenshots/", import.meta.url);

/** A graph as drawn: its nodes and links. */
export interface DrawnGraph {
  /** Nodes: id and the label under them. */
  nodes: { id: string; label: string; dashed: boolean }[];
  /** Links: id and the node ids at their ends. */
  edges: { id: string; source: string; target: string }[];
}

/** The dashboard in one tab. */
export class DashboardPage {
  readonly page: Page;
  readonly base: string;

  /** `base`: the daemon's URL without a trailing slash. */
  constructor(page: Page, base: string) {
    this.page = page;
    this.base = base;
  }

  /** Opens `/` and logs in with `token` (the agent URL left at its default: this origin). */
  async login(token: string): Promise<void> {
    await this.page.goto(`${this.base}/`);
    await this.page.fill("#login-token", token);
    await this.page.click("[data-testid=login-form] button[type=submit]");
    await this.page.waitForSelector("[data-testid=logout]", { timeout: 10_000 });
  }

  /** Goes to a screen by its hash route ("flows?port=53", "devices/10.0.0.1", "" for the dashboard). */
  async goto(route: string): Promise<void> {
    await this.page.evaluate((r) => (location.hash = `#/${r}`), route);
    await this.page.waitForFunction(
      (r) => location.hash === `#/${r}` || decodeURIComponent(location.hash) === `#/${r}`,
      route,
    );
  }

  /** Waits until the element with data-testid `id` shows `data-count` = `expected`; returns what it showed. */
  async waitForCount(id: string, expected: number, timeoutMs = 15_000): Promise<number> {
    const sel = `[data-testid="${id}"] [data-count], [data-testid="${id}"][data-count]`;
    try {
      await this.page.waitForFunction(
        ([s, n]) => document.querySelector(s as string)?.getAttribute("data-count") === String(n),
        [sel, expected] as const,
        { timeout: timeoutMs },
      );
    } catch {
      // Fall through: the caller's assertion shows what was there instead.
    }
    return await this.count(id);
  }

  /**
   * For a count that moves (flows while a sweep runs): reads the API's figure with `read` and waits until
   * the page shows it, again with a fresh figure until the two meet or `tries` run out. Returns [shown,
   * api] of the last try, for the caller's assertion.
   */
  async waitForApiCount(id: string, read: () => Promise<number>, tries = 5): Promise<[number, number]> {
    let last: [number, number] = [NaN, NaN];
    for (let i = 0; i < tries; i++) {
      const expected = await read();
      last = [await this.waitForCount(id, expected, 6_000), expected];
      if (last[0] === last[1]) break;
    }
    return last;
  }

  /** The `data-count` shown by the element with data-testid `id` (NaN when absent). */
  async count(id: string): Promise<number> {
    const sel = `[data-testid="${id}"] [data-count], [data-testid="${id}"][data-count]`;
    const v = await this.page.locator(sel).first().getAttribute("data-count", { timeout: 10_000 });
    return v === null ? NaN : Number(v);
  }

  /** The nodes and links the graph with data-testid `id` draws. */
  async readGraph(id: string): Promise<DrawnGraph> {
    return await this.page.evaluate((testId) => {
      const root = document.querySelector(`[data-testid="${testId}"]`);
      if (!root) return { nodes: [], edges: [] };
      return {
        nodes: [...root.querySelectorAll("[data-node-id]")].map((n) => ({
          id: n.getAttribute("data-node-id")!,
          label: n.getAttribute("data-label") ?? "",
          dashed: n.classList.contains("dashed"),
        })),
        edges: [...root.querySelectorAll("[data-edge-id]")].map((e) => ({
          id: e.getAttribute("data-edge-id")!,
          source: e.getAttribute("data-source")!,
          target: e.getAttribute("data-target")!,
        })),
      };
    }, id);
  }

  /** The connection indicator's status: live, connecting, down, off. */
  async connection(): Promise<string | null> {
    return await this.page.getAttribute("[data-testid=connection]", "data-status");
  }

  /** A full-page screenshot into tests/.screenshots/<name>.png; returns its path. */
  async screenshot(name: string): Promise<string> {
    await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
    const path = new URL(`${name}.png`, SCREENSHOT_DIR).pathname;
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }
}
