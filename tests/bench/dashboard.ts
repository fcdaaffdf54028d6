/**
 * Dashboard responsiveness under load (issue 12's budget), measured in Debian's Chromium:
 *
 * - a real daemon whose flow table holds about 100,000 flows (trafgen in a network namespace sends 100,000
 *   UDP frames with random ports through a veth pair the daemon captures on);
 * - 1,000 events a second on the page's stream. The daemon cannot be made to publish that many real events
 *   on demand, so a small front server serves the dashboard's files and passes every API call to the daemon,
 *   except `/stream`, which it answers itself with 1,000 events a second shaped like the daemon's
 *   (interface, anomaly and device events built from the daemon's own answers, plus its real stats).
 *
 * Reports: time from login to the dashboard's figures, frame intervals (p50/p95/max) and long tasks while
 * the stream runs, time to open the flow explorer and show its first page, to load 2,000 rows and to scroll
 * them. Timing only: nothing here passes or fails on a figure.
 *
 *   deno run --allow-all tests/bench/dashboard.ts
 */
import { uiRoutes } from "../../src/http/routes/ui.ts";
import { startBrowser } from "../helpers/browser.ts";
import { startDaemon } from "../helpers/daemon.ts";
import { DashboardPage } from "../helpers/dashboard_page.ts";
import { createVethPair, vethNames } from "../helpers/netns.ts";

// Browser globals, for the callbacks Playwright runs inside the page (typed loosely: the DOM library is
// kept out of the test program, where its stream types clash with Deno's).
// deno-lint-ignore no-explicit-any
declare const document: any;
// deno-lint-ignore no-explicit-any
declare const requestAnimationFrame: any;
// deno-lint-ignore no-explicit-any
declare const PerformanceObserver: any;

const DAEMON_PORT = 18670, FRONT_PORT = 18671;
const DAEMON = `http://127.0.0.1:${DAEMON_PORT}`;
const TOKEN = "dashboard-bench-token-0123456789";
const EVENTS_PER_S = 1000, FLOWS = 100_000;

const pair = await createVethPair({
  ...vethNames("fnuibench"),
  hostAddr: "10.231.143.1/24",
  nsAddr: "10.231.143.2/24",
});
const stateDir = await Deno.makeTempDir({ prefix: "flintnet-fnui-bench-" });
const daemon = await startDaemon({
  FLINTNET_STATE_DIR: stateDir,
  FLINTNET_INTERFACE: pair.hostIf,
  FLINTNET_CIDR: "10.231.143.0/24",
  FLINTNET_LISTEN: `127.0.0.1:${DAEMON_PORT}`,
  FLINTNET_API_TOKEN: TOKEN,
  FLINTNET_TRAP_LISTEN: "off",
  FLINTNET_FLOW_IDLE_TIMEOUT: "30m",
});
const browser = await startBrowser();
const abort = new AbortController();
try {
  // 100,000 frames, each a new UDP flow (random source and destination ports), from the namespace.
  const hex = (mac: string) => mac.split(":").map((b) => `0x${b}`).join(", ");
  const conf = await Deno.makeTempFile({ suffix: ".cfg" });
  await Deno.writeTextFile(
    conf,
    `{ ${hex(pair.hostMac)}, ${hex(pair.nsMac)}, 0x08, 0x00,
  0x45, 0x00, const16(46), const16(0), 0x40, 0x00, 64, 17, csumip(14, 33),
  10, 231, 143, 2, 10, 231, 143, 1,
  drnd(2), drnd(2), const16(26), const16(0),
  fill(0x41, 18) }\n`,
  );
  await pair.exec(["trafgen", "-i", conf, "-o", pair.nsIf, "-n", String(FLOWS), "-P", "1", "-q"]);
  const auth = { Authorization: `Bearer ${TOKEN}` };
  let active = 0;
  for (let i = 0; i < 40 && active < FLOWS * 0.9; i++) {
    await new Promise((r) => setTimeout(r, 500));
    active = (await (await fetch(`${DAEMON}/stats`, { headers: auth })).json()).flows.active;
  }

  // The front server: the UI files, the API passed through, /stream at 1,000 events a second.
  const ui = uiRoutes();
  const stats = await (await fetch(`${DAEMON}/stats`, { headers: auth })).json();
  const flow = (await (await fetch(`${DAEMON}/flows?limit=1`, { headers: auth })).json()).flows[0];
  const iface = (i: number) => ({
    index: i,
    name: `Gi1/0/${i}`,
    alias: "",
    type: "ethernetCsmacd",
    speed_bps: 1e9,
    oper_status: "up",
    admin_status: "up",
    in_util_pct: (i * 7) % 100,
    out_util_pct: (i * 13) % 100,
    in_bps: i * 1e6,
    out_bps: i * 2e6,
    in_errors_per_s: 0,
    out_errors_per_s: 0,
    in_discards_per_s: 0,
    counters: "hc64",
  });
  let id = 0;
  const sse = (kind: string, data: Record<string, unknown>) =>
    `event: ${kind}\nid: ${++id}\ndata: ${JSON.stringify({ kind, id, ...data })}\n\n`;
  Deno.serve(
    { port: FRONT_PORT, hostname: "127.0.0.1", signal: abort.signal, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/" || url.pathname.startsWith("/ui/")) return await ui.request(url.pathname);
      if (url.pathname === "/stream") {
        const enc = new TextEncoder();
        let timer: ReturnType<typeof setInterval>;
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            let tick = 0;
            timer = setInterval(() => {
              const ts = new Date().toISOString();
              let chunk = "";
              for (let n = 0; n < EVENTS_PER_S / 20; n++) {
                const k = (tick * 50 + n) % 100;
                if (k < 90) {
                  chunk += sse("interface", {
                    ts,
                    device_ip: "10.231.143.1",
                    device_name: "sw",
                    interface: iface(k + 1),
                    change: "poll",
                  });
                } else {
                  chunk += sse("anomaly", {
                    ...flow,
                    ts,
                    bytes: 2e6,
                    packets: 1500,
                    ewma_bytes: 1e5,
                    ewma_stddev_bytes: 5e3,
                    threshold_bytes: 1.2e5,
                    min_bytes: 1e6,
                    score: 380 + k,
                    k: 4,
                    interval_s: 10,
                    flow_bytes: 3e6,
                    flow_packets: 2000,
                    reason: `bench anomaly ${id}`,
                  });
                }
              }
              if (tick % 40 === 0) chunk += sse("stats", { ts, stats });
              tick++;
              c.enqueue(enc.encode(chunk));
            }, 50);
          },
          cancel() {
            clearInterval(timer);
          },
        });
        return new Response(body, { headers: { "content-type": "text/event-stream" } });
      }
      const res = await fetch(`${DAEMON}${url.pathname}${url.search}`, {
        method: req.method,
        headers: req.headers,
        body: req.body,
      });
      return new Response(res.body, { status: res.status, headers: res.headers });
    },
  );

  const tab = await browser.open({ width: 1280, height: 860, colorScheme: "light" });
  const dash = new DashboardPage(tab.page, `http://127.0.0.1:${FRONT_PORT}`);
  let t = performance.now();
  await dash.login(TOKEN);
  await tab.page.waitForSelector("[data-testid=stat-flows] [data-count]");
  const loginMs = performance.now() - t;

  // Frames and long tasks over 10 s on the dashboard while 1,000 events/s arrive.
  const frames = await tab.page.evaluate(() =>
    new Promise<{ gaps: number[]; longTasks: number; longest: number }>((resolve) => {
      const gaps: number[] = [];
      let longTasks = 0, longest = 0;
      new PerformanceObserver((l: { getEntries(): { duration: number }[] }) => {
        for (const e of l.getEntries()) (longTasks++, longest = Math.max(longest, e.duration));
      }).observe({ type: "longtask" });
      let last = performance.now();
      const end = last + 10_000;
      const step = (now: number) => {
        gaps.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(step);
        else resolve({ gaps, longTasks, longest });
      };
      requestAnimationFrame(step);
    })
  );
  const sorted = frames.gaps.sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(1);

  const anomaliesShown = await dash.count("stat-anomalies");
  const live = await dash.connection();
  t = performance.now();
  await dash.goto("flows");
  await tab.page.waitForSelector("[data-testid=flows-table] .vspace > [role=row]");
  const flowsMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < 9; i++) {
    const n = await tab.page.getAttribute("[data-testid=flows-table]", "data-rows");
    await tab.page.click("button.more");
    await tab.page.waitForFunction(
      (before) => document.querySelector("[data-testid=flows-table]")?.getAttribute("data-rows") !== before,
      n,
    );
  }
  const moreMs = performance.now() - t;
  const rows = await tab.page.getAttribute("[data-testid=flows-table]", "data-rows");
  const inDom = await tab.page.locator("[data-testid=flows-table] .vspace > [role=row]").count();
  t = performance.now();
  await tab.page.evaluate(async () => {
    const body = document.querySelector(".vbody")!;
    for (let y = 0; y < body.scrollHeight; y += 400) {
      body.scrollTop = y;
      await new Promise((r) => requestAnimationFrame(r));
    }
  });
  const scrollMs = performance.now() - t;
  const total = await dash.count("flows-count");

  console.log(JSON.stringify(
    {
      flows_in_daemon: active,
      flows_matched_on_page: total,
      events_per_s: EVENTS_PER_S,
      stream: live,
      anomalies_received_in_page: anomaliesShown,
      login_to_figures_ms: Math.round(loginMs),
      frame_ms: {
        p50: pct(0.5),
        p95: pct(0.95),
        max: sorted[sorted.length - 1].toFixed(1),
        frames: sorted.length,
      },
      long_tasks_10s: frames.longTasks,
      longest_task_ms: Math.round(frames.longest),
      open_flows_first_page_ms: Math.round(flowsMs),
      load_9_more_pages_ms: Math.round(moreMs),
      rows_loaded: Number(rows),
      rows_in_dom: inDom,
      scroll_all_rows_ms: Math.round(scrollMs),
      console_errors: tab.errors.length,
    },
    null,
    2,
  ));
} finally {
  abort.abort();
  await browser.close();
  await daemon.kill();
  await pair.destroy();
  await Deno.remove(stateDir, { recursive: true });
}
