/**
 * Debian's Chromium, headless, driven by playwright-core (npm) for the dashboard's end-to-end tests. No
 * browser is downloaded: the helper uses /usr/bin/chromium (package `chromium`) with a fresh profile per
 * launch (Playwright makes and removes a temporary user-data-dir), and collects every console error and
 * uncaught exception of each page so a test can assert there were none, and print them when it fails.
 *
 * @example
 * const browser = await startBrowser();
 * try {
 *   const tab = await browser.open({ width: 1280, height: 800, colorScheme: "light" });
 *   await tab.page.goto("http://127.0.0.1:18600/");
 *   assert.deepEqual(tab.errors, []);
 * } finally {
 *   await browser.close();
 * }
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags for a quiet, offline, disposable headless Chromium as root. */
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-default-apps",
  "--disable-extensions",
];

/** Why Chromium cannot run here, or null when it can. */
export async function chromiumUnavailable(): Promise<string | null> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    return `${CHROMIUM} is missing: apt-get install chromium`;
  }
  return null;
}

/** A page in its own context (own storage), with what it logged. */
export interface Tab {
  /** The Playwright page. */
  readonly page: Page;
  /** Its context (close it to drop the tab's storage). */
  readonly context: BrowserContext;
  /** Console errors, Chromium's "[DOM]" notes and uncaught exceptions, in order. */
  readonly errors: string[];
  /** Every console line, for a failing test to print. */
  readonly console: string[];
}

/** Options of a tab. */
export interface TabOptions {
  /** Viewport width in CSS px. */
  width: number;
  /** Viewport height in CSS px. */
  height: number;
  /** prefers-color-scheme. */
  colorScheme: "light" | "dark";
  /** A phone: touch and a device scale factor of 2. @default false */
  mobile?: boolean;
}

/** A running browser. */
export interface BrowserHandle {
  /** Opens a page in a new, empty context. */
  open(opts: TabOptions): Promise<Tab>;
  /** Every console line of every tab so far, labelled by tab (for failure output). */
  log(): string;
  /** Closes the browser. Idempotent; never throws. */
  close(): Promise<void>;
}

/** Launches headless Chromium. */
export async function startBrowser(): Promise<BrowserHandle> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timeout: 30_000,
  });
  const tabs: Tab[] = [];
  let closed = false;
  return {
    async open(opts) {
      const context = await browser.newContext({
        viewport: { width: opts.width, height: opts.height },
        colorScheme: opts.colorScheme,
        isMobile: opts.mobile ?? false,
        hasTouch: opts.mobile ?? false,
        deviceScaleFactor: opts.mobile ? 2 : 1,
        acceptDownloads: true,
      });
      const page = await context.newPage();
      const tab: Tab = { page, context, errors: [], console: [] };
      page.on("console", (m) => {
        const line = `${m.type()}: ${m.text()}`;
        tab.console.push(line);
        // Chromium's own "[DOM]" notes (a password form without a username field…) are defects too.
        if (m.type() === "error" || m.text().startsWith("[DOM]")) tab.errors.push(line);
      });
      page.on("pageerror", (e) => {
        tab.console.push(`pageerror: ${e.message}`);
        tab.errors.push(`pageerror: ${e.message}`);
      });
      tabs.push(tab);
      return tab;
    },
    log() {
      return tabs.map((t, i) => `--- tab ${i} (${t.page.url()})\n${t.console.join("\n")}`).join("\n");
    },
    async close() {
      if (closed) return;
      closed = true;
      await browser.close().catch(() => {});
    },
  };
}
