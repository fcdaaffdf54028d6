/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a real daemon:
 * capturing on the host end of a veth pair into which the namespace end replays a capture the test
 * writes (a small office's flows, and the LLDP announcements of the switch the port is plugged into) and
 * sends live traffic (UDP flows, a burst that is an anomaly, forged ARP that is a security event), with
 * three snmpsimd agents to discover and poll: the two cabled switches of tests/fixtures/topology (CDP and
 * LLDP neighbour tables) and an ISR router from tests/fixtures/snmprec.
 *
 * Every number the page shows is compared with what the API answers at that moment (counts, device
 * names and interfaces, the topology's nodes, edges and ports, the policy); the API in turn with what the
 * test wrote or served (the replayed flows, the agents' sysNames, the fixtures' wiring, the LLDP frame),
 * and the anomaly with the addresses and ports the test itself used. Screenshots of every screen, light
 * and dark, desktop and phone width, go to tests/.screenshots/ for a person to look at.
 *
 * Addresses: 10.231.55.0/24 (namespace fdb-ui), snmpsimd on 127.0.110.1–3 (the fixtures' wiring names
 * 127.0.110.1 and .2), HTTP on 127.0.0.1; ports picked free at start.
 */
import assert from "node:assert/strict";
import { forgeHostIpClaim, scapyUnavailable } from "./helpers/arp_forger.ts";
import { type BrowserHandle, chromiumUnavailable, startBrowser, type Tab } from "./helpers/browser.ts";
import { type Daemon, startDaemon } from "./helpers/daemon.ts";
import { DashboardPage } from "./helpers/dashboard_page.ts";
import { createVethPair, netnsUnavailable, type VethPair } from "./helpers/netns.ts";
import { freePort } from "./helpers/ports.ts";
import { OFFICE_FLOWS, officeCapture, SWITCH_NAME } from "./helpers/office_capture.ts";
import { type CaptureFrame, writePcap } from "./helpers/capture_writer.ts";
import { ethernet, ETHERTYPE_IPV6, ipv6, payload, PROTO, tcp } from "./helpers/frames.ts";
import { type Snmpsim, snmpsimUnavailable, startSnmpsim } from "./helpers/snmpsim.ts";
import type { AdvisoryEvent, TopologyJson } from "../src/events/mod.ts";

const CI = Deno.env.get("CI") === "true";
// Ports the kernel picks: another run of this test (another checkout) may be going on at the same time.
const PORT = freePort();
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = "dashboard-e2e-token-0123456789";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
// (A UDP port: a TCP port free a moment ago is as good a guess, and needs no unstable API.)
const AGENT_PORT = freePort();
const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
/** The agents: the file each serves (its name is the community) and the address the fixtures expect. */
const CORE = { ip: "127.0.110.1", community: "cisco_c2960x_cdp", file: "topology/cisco_c2960x_cdp.snmprec" };
const ACCESS = {
  ip: "127.0.110.2",
  community: "aruba_2930f_lldp",
  file: "topology/aruba_2930f_lldp.snmprec",
};
const ROUTER = { ip: "127.0.110.3", community: "cisco_isr4331", file: "snmprec/cisco_isr4331.snmprec" };
const AGENTS = [CORE, ACCESS, ROUTER];
const PYTHON = "/usr/bin/python3";
const NET = "10.231.55";
/** The access switch port the capture interface is plugged into, as the replayed LLDP frames say. */
const SWITCH_PORT = "5";

async function unavailable(): Promise<string | null> {
  const other = await netnsUnavailable() ?? await chromiumUnavailable() ?? await snmpsimUnavailable() ??
    await scapyUnavailable();
  if (other) return other;
  try {
    await Deno.stat("/usr/bin/tcpreplay");
  } catch {
    return "/usr/bin/tcpreplay is missing: apt-get install tcpreplay";
  }
  return null;
}
const missing = await unavailable();

/** A few small UDP flows from the namespace (ports 6001–6005), so the flow screens have rows. */
const FLOWS = `
import socket, sys
dst = sys.argv[1]
for i in range(5):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 41000 + i))
    for _ in range(3 + i):
        s.sendto(b"y" * (100 * (i + 1)), (dst, 6001 + i))
`;

/** Steady 20 × 500-byte datagrams a second for `steady` s, then 2,000 a second for 3 s: one anomaly. */
const BURST = `
import socket, sys, time
dst, steady = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 40123))
start = time.time()
for second in range(steady + 3):
    n = 20 if second < steady else 2000
    for _ in range(n):
        s.sendto(b"x" * 472, (dst, 5514))
    time.sleep(max(0, start + second + 1 - time.time()))
`;

/**
 * Traffic for the screenshots, from eight more addresses of the namespace (.10–.17) to the host, at rates
 * that rise and fall for `seconds`, so the charts and the flow graph have something to show. Stops itself.
 */
const BACKGROUND = `
import math, socket, sys, time
dst, seconds = sys.argv[1], float(sys.argv[2])
socks = []
for i in range(8):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.231.55.%d" % (10 + i), 0))
    socks.append(s)
start = time.time()
while time.time() - start < seconds:
    t = time.time() - start
    for i, s in enumerate(socks):
        for _ in range(1 + int(4 * (1 + math.sin(t / 3 + i)))):
            s.sendto(b"z" * (200 + 100 * i), (dst, 7000 + (i % 3)))
    time.sleep(0.05)
`;

// Browser globals, for the callbacks Playwright runs inside the page (typed loosely: the DOM library is
// kept out of the test program, where its stream types clash with Deno's).
// deno-lint-ignore no-explicit-any
declare const document: any;
// deno-lint-ignore no-explicit-any
declare const location: any;
// deno-lint-ignore no-explicit-any
declare const localStorage: any;
// deno-lint-ignore no-explicit-any
declare const getComputedStyle: (el: any) => any;

/**
 * Advisories in the daemon's own shape (typed by it), for one tab: text that could come from the network
 * (a subject, evidence) must stay text. One open, one resolved.
 */
function sampleAdvisories(): AdvisoryEvent[] {
  const base = {
    kind: "advisory" as const,
    ts: new Date(Date.now() - 120_000).toISOString(),
    raised_at: new Date(Date.now() - 120_000).toISOString(),
    subject_kind: "host" as const,
    ip: "10.231.55.20",
  };
  return [
    {
      ...base,
      phase: "raised",
      advisory_id: "adv-1",
      type: "insecure_protocol",
      severity: "warning",
      subject: "10.231.55.20 <img src=x>",
      summary: "10.231.55.20 serves telnet (TCP 23) to 2 hosts — passwords cross the network in clear text.",
      action: "Turn telnet off and use SSH.",
      evidence: { port: 23, clients: ["10.231.55.21", "10.231.55.22"], banner: "<img src=y>" },
      resolved_at: null,
      resolution: null,
    },
    {
      ...base,
      phase: "resolved",
      advisory_id: "adv-2",
      type: "top_talker",
      severity: "info",
      subject: "10.231.55.30",
      ip: "10.231.55.30",
      summary: "10.231.55.30 carried 73 % of the minute's octets.",
      action: "Nothing to do if this is the backup window.",
      evidence: { share: 0.73 },
      resolved_at: new Date(Date.now() - 30_000).toISOString(),
      resolution: "It carried less than 50 % for 3 minutes.",
    },
  ];
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${BASE}${path}`, { headers: AUTH });
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}`);
  return await res.json() as T;
}

/** sysName of an agent's .snmprec file: the oracle for the name a device card shows. */
async function sysNameOf(agent: { file: string }): Promise<string> {
  const text = await Deno.readTextFile(`${FIXTURES}${agent.file}`);
  const line = text.split("\n").find((l) => l.startsWith("1.3.6.1.2.1.1.5.0|4|"));
  assert.ok(line, `${agent.file} has a sysName`);
  return line.slice("1.3.6.1.2.1.1.5.0|4|".length).trim();
}

/** The agents' files in one directory, named by community, for one snmpsimd. */
async function agentData(dir: string): Promise<string> {
  const data = `${dir}/snmprec`;
  await Deno.mkdir(data);
  for (const a of AGENTS) await Deno.copyFile(`${FIXTURES}${a.file}`, `${data}/${a.community}.snmprec`);
  return data;
}

/** "a[port]—b[port] protocols", ends sorted: an edge as the wiring comments of the fixtures write it. */
function wire(e: TopologyJson["edges"][number]): string {
  const ends = [`${e.source}[${e.local_port}]`, `${e.target}[${e.remote_port}]`].sort().join("—");
  return `${ends} ${e.protocols.join("+")}`;
}

/** The class the topology gives a link: the default thresholds (60 %, 85 %) over the busier direction. */
function utilClass(e: TopologyJson["edges"][number]): string {
  const u = Math.max(e.in_util_pct ?? -1, e.out_util_pct ?? -1);
  return u < 0 ? "util-none" : u >= 85 ? "util-crit" : u >= 60 ? "util-warn" : "util-ok";
}

function daemonEnv(pair: VethPair, stateDir: string): Record<string, string> {
  return {
    FLINTNET_STATE_DIR: stateDir,
    FLINTNET_INTERFACE: pair.hostIf,
    FLINTNET_CIDR: `${NET}.0/24,127.0.110.0/29`,
    FLINTNET_LISTEN: `127.0.0.1:${PORT}`,
    FLINTNET_API_TOKEN: TOKEN,
    FLINTNET_TRAP_LISTEN: "off",
    FLINTNET_SNMP_PORT: String(AGENT_PORT),
    FLINTNET_SNMP_COMMUNITIES: AGENTS.map((a) => `${a.ip}/32=${a.community}`).join(","),
    FLINTNET_SNMP_TIMEOUT: "500ms",
    FLINTNET_SNMP_RETRIES: "0",
    FLINTNET_SNMP_POLL_INTERVAL: "10s",
    FLINTNET_ANOMALY_INTERVAL: "1",
    FLINTNET_ANOMALY_WARMUP: "3",
    FLINTNET_ANOMALY_MIN_BYTES: "100000",
    FLINTNET_FLOW_IDLE_TIMEOUT: "10m",
    // Spoofing is reported during the learning period too; new devices are learned quietly.
    FLINTNET_LEARNING_PERIOD: "1h",
  };
}

/** The screens, by hash route, with the name their screenshots get. */
function screens(deviceIp: string): [string, string][] {
  // The dashboard last: by then its charts have a few points.
  return [
    ["flows", "flows"],
    ["graph", "flow-graph"],
    ["devices", "devices"],
    [`devices/${deviceIp}`, "device-detail"],
    ["anomalies", "anomalies"],
    ["security", "security"],
    ["topology", "topology"],
    ["advisories", "advisories"],
    ["settings", "settings"],
    ["", "dashboard"],
  ];
}

/**
 * The columns of the screen's tables whose header ends past the table's right edge ("table: column"): the
 * tables clip what does not fit (they do not scroll sideways), so such a column cannot be read. Also the
 * headers inside the table whose title is cut short: the column's width does not hold its own name.
 */
function clippedColumns(tab: Tab): Promise<string[]> {
  return tab.page.evaluate(() => {
    const out: string[] = [];
    for (const table of document.querySelectorAll(".vtable")) {
      const edge = table.getBoundingClientRect().right;
      for (const th of table.querySelectorAll(".vhead [role=columnheader]")) {
        const r = th.getBoundingClientRect();
        if (r.width > 0 && r.right > edge + 1) {
          out.push(
            `${table.getAttribute("aria-label")}: ${th.textContent} (${Math.round(r.right - edge)} px)`,
          );
        } else if (r.width > 0 && th.scrollWidth > th.clientWidth + 1) {
          // inside the table, but its title cut short ("ERRORS/S IN · …")
          out.push(`${table.getAttribute("aria-label")}: "${th.textContent}" cut to ${th.clientWidth} px`);
        }
      }
    }
    return out;
  });
}

/**
 * The select boxes (filter forms, settings) with a choice too wide for the box: a closed select shows its
 * choice cut short ("largest / newest fir"), so the box must hold its widest. The text is measured in the
 * select's own font; Chromium draws the drop-down arrow inside the box, about 16 px beside the padding.
 */
function cutSelects(tab: Tab): Promise<string[]> {
  return tab.page.evaluate(() => {
    const ARROW_PX = 16;
    const out: string[] = [];
    const ctx = document.createElement("canvas").getContext("2d")!;
    for (const sel of document.querySelectorAll("select")) {
      if (sel.getBoundingClientRect().width === 0) continue;
      const cs = getComputedStyle(sel);
      ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - ARROW_PX;
      for (const o of sel.options) {
        const w = ctx.measureText(o.text).width;
        if (w > room) {
          out.push(`select ${sel.name}: "${o.text}" needs ${Math.ceil(w)} px, has ${Math.floor(room)}`);
        }
      }
    }
    return out;
  });
}

/**
 * The anomalies whose figures (score, baseline, threshold…) are laid out in fewer than three columns (or fewer
 * than they number): "anomaly n: k columns for m figures".
 */
function stackedFigures(tab: Tab): Promise<string[]> {
  return tab.page.evaluate(() => {
    const out: string[] = [];
    let n = 0;
    for (const dl of document.querySelectorAll(".anomaly-figures")) {
      const lefts: number[] = [];
      for (const f of dl.children) lefts.push(Math.round(f.getBoundingClientRect().left));
      const columns = new Set(lefts).size;
      if (columns < Math.min(3, lefts.length)) {
        out.push(`anomaly ${n}: ${columns} columns for ${lefts.length} figures`);
      }
      n++;
    }
    return out;
  });
}

/**
 * Twelve hosts with SLAAC addresses ("2001:db8:4c1:7a2b:5054:ff:fe12:3401", 140 px under a node) sending a few
 * HTTPS segments to one server: the flow graph's longest names, side by side around one node.
 */
function ipv6Clients(): Uint8Array {
  const server = "2001:db8:4c1:7a2b::443";
  const frames: CaptureFrame[] = [];
  for (let i = 1; i <= 12; i++) {
    const host = `2001:db8:4c1:7a2b:5054:ff:fe12:${(0x3400 + i).toString(16)}`;
    for (let k = 0; k < 3; k++) {
      const segment = tcp(
        { srcPort: 50_000 + i, dstPort: 443, seq: 1 + k * 100 * i, flags: 0x18 },
        payload(100 * i),
      );
      frames.push({
        data: ethernet(
          { etherType: ETHERTYPE_IPV6 },
          ipv6({ src: host, dst: server, proto: PROTO.TCP }, segment),
        ),
      });
    }
  }
  return writePcap(frames);
}

/**
 * The names drawn under a graph's nodes that run into another drawn name ('"a" over "b"') or past the graph's
 * edge once it is framed ('"a" cut at the edge'): a name written over another can be read as neither.
 */
function overlappingNames(tab: Tab): Promise<string[]> {
  return tab.page.evaluate(() => {
    const out: string[] = [];
    for (const graph of document.querySelectorAll(".graph")) {
      const edge = graph.getBoundingClientRect();
      const names = [...graph.querySelectorAll(".node text")]
        .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }))
        .filter((n) => n.r.width > 0);
      for (let i = 0; i < names.length; i++) {
        const a = names[i].r;
        if (a.left < edge.left || a.right > edge.right || a.top < edge.top || a.bottom > edge.bottom) {
          out.push(`"${names[i].text}" cut at the edge`);
        }
        for (let j = i + 1; j < names.length; j++) {
          const b = names[j].r;
          const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (x > 1 && y > 1) out.push(`"${names[i].text}" over "${names[j].text}"`);
        }
      }
    }
    return out;
  });
}

/**
 * Single-line text that runs out of its own box ('"18 min 35 s ago" runs 12 px out of span.feed-time'): text
 * that may not wrap or be cut with an ellipsis, in a box narrower than it, is drawn over whatever is beside it.
 */
function overrunningText(tab: Tab): Promise<string[]> {
  return tab.page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll("main *")) {
      if (el.namespaceURI !== "http://www.w3.org/1999/xhtml") continue; // SVG text has no box to run out of
      const cs = getComputedStyle(el);
      if (cs.whiteSpace !== "nowrap" || cs.overflowX !== "visible" || el.clientWidth === 0) continue;
      if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== "")) continue;
      const over = el.scrollWidth - el.clientWidth;
      if (over > 1) {
        out.push(
          `"${el.textContent.trim().slice(0, 40)}" runs ${over} px out of ${el.tagName.toLowerCase()}.${
            [...el.classList].join(".")
          }`,
        );
      }
    }
    return out;
  });
}

/** Lets a screen settle: nothing loading, graphs laid out. */
async function settle(tab: Tab): Promise<void> {
  await tab.page.waitForFunction(() => !document.querySelector(".loading"), undefined, { timeout: 15_000 });
  if (await tab.page.locator(".graph").count() > 0) await tab.page.waitForTimeout(2500);
  else await tab.page.waitForTimeout(300);
}

Deno.test({
  name:
    "the dashboard in Chromium shows what a live daemon's API says, on every screen, live, in both themes",
  ignore: missing !== null && !CI,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    if (missing) throw new Error(`dashboard browser test cannot run: ${missing}`);
    const pair = await createVethPair({
      ns: "fdb-ui",
      hostIf: "fdbui-h",
      nsIf: "fdbui-n",
      hostAddr: `${NET}.1/24`,
      nsAddr: `${NET}.2/24`,
      staticNeighbours: false,
    });
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet-fdbui-" });
    let sim: Snmpsim | undefined;
    let daemon: Daemon | undefined;
    let browser: BrowserHandle | undefined;
    try {
      sim = await startSnmpsim({
        endpoints: AGENTS.map((a) => `${a.ip}:${AGENT_PORT}`),
        dataDir: await agentData(stateDir),
      });
      daemon = await startDaemon(daemonEnv(pair, stateDir));
      browser = await startBrowser();
      await pair.exec([PYTHON, "-c", FLOWS, pair.hostIp]);
      // The office's capture, replayed at full speed into the port the daemon captures on.
      const pcap = `${stateDir}/office.pcap`;
      await Deno.writeFile(pcap, officeCapture({ net: NET, switchIp: ACCESS.ip, switchPort: SWITCH_PORT }));
      const replayed = await pair.exec(["tcpreplay", "-q", "-t", "-i", pair.nsIf, pcap]);
      assert.equal(replayed.code, 0, `tcpreplay: ${replayed.stderr}`);
      // Every agent discovered and polled.
      const switchName = await sysNameOf(CORE);
      const names = await Promise.all(AGENTS.map(sysNameOf));
      for (let i = 0;; i++) {
        const d = await api<{ devices: { ip: string; name: string | null; snmp: { status: string } }[] }>(
          "/devices",
        );
        const polled = d.devices.filter((x) => x.snmp.status === "ok").map((x) => x.name);
        if (names.every((n) => polled.includes(n))) break;
        if (i > 60) assert.fail(`the agents were not polled: ${JSON.stringify(d.devices)}`);
        await new Promise((r) => setTimeout(r, 500));
      }

      const main = await browser.open({ width: 1280, height: 860, colorScheme: "light" });
      const dash = new DashboardPage(main.page, BASE);

      await t.step("a wrong token is refused with the words 'wrong token', and nothing is kept", async () => {
        const tab = await browser!.open({ width: 1280, height: 860, colorScheme: "light" });
        await tab.page.goto(`${BASE}/`);
        await tab.page.fill("#login-token", "not-the-token-0000");
        await tab.page.click("[data-testid=login-form] button[type=submit]");
        const msg = await tab.page.textContent("[data-testid=login-error]", { timeout: 10_000 });
        assert.match(msg ?? "", /wrong token/i);
        assert.equal(await tab.page.evaluate(() => localStorage.getItem("flintnet.session")), null);
        // The only console line is the browser's own note of the 401.
        assert.deepEqual(tab.errors.filter((e) => !/status of 401/.test(e)), []);
        await tab.context.close();
      });

      await t.step("log in, stay logged in across a refresh, log out", async () => {
        const started = Date.now();
        await dash.login(TOKEN);
        await main.page.waitForSelector("[data-testid=stat-flows] [data-count]");
        const paint = await main.page.evaluate(() =>
          performance.getEntriesByType("paint").map((e) => `${e.name} ${Math.round(e.startTime)} ms`).join(
            ", ",
          )
        );
        console.log(`dashboard: ${paint}; login to figures shown ${Date.now() - started} ms`);
        await main.page.reload();
        await main.page.waitForSelector("[data-testid=logout]", { timeout: 10_000 });
        await main.page.click("[data-testid=logout]");
        await main.page.waitForSelector("[data-testid=login-form]");
        assert.equal(await main.page.evaluate(() => localStorage.getItem("flintnet.session")), null);
        await dash.login(TOKEN);
      });

      await t.step("the dashboard's counts are the API's", async () => {
        await dash.goto("");
        const [shown, expected] = await dash.waitForApiCount(
          "stat-flows",
          async () => (await api<{ flows: { active: number } }>("/stats")).flows.active,
        );
        assert.equal(shown, expected);
        const stats = await api<{ flows: { active: number } }>("/stats");
        const open = await api<{ total_matched: number }>("/alerts?kind=security&acked=false&limit=1");
        assert.equal(await dash.waitForCount("stat-open-alerts", open.total_matched), open.total_matched);
        assert.equal(
          await main.page.locator("[data-testid=top-flows] .vspace > [role=row]").count(),
          Math.min(10, stats.flows.active),
        );
      });

      await t.step("the flow explorer counts and filters as GET /flows does", async () => {
        await dash.goto("flows");
        const all = await api<{ total_matched: number }>("/flows?limit=1");
        assert.equal(await dash.waitForCount("flows-count", all.total_matched), all.total_matched);
        await dash.goto("flows?port=6003");
        const one = await api<{ total_matched: number; flows: { src_port: number }[] }>("/flows?port=6003");
        assert.equal(one.total_matched, 1, "the test sent one flow to port 6003");
        assert.equal(await dash.waitForCount("flows-count", 1), 1);
        assert.match(await main.page.textContent("[data-testid=flows-table]") ?? "", /10\.231\.55\.2:41002/);
        await main.page.click("[data-testid=flows-table] .vspace > [role=row]");
        const detail = await main.page.textContent("[data-testid=flow-detail]");
        const flow = (await api<{ flows: { community_id: string }[] }>("/flows?port=6003")).flows[0];
        assert.ok(detail?.includes(flow.community_id), "the detail shows the flow's Community ID");
        // The replayed capture: the flows to the file server are the ones written, with their bytes.
        const written = OFFICE_FLOWS(NET).filter((f) => f.dst_port === 445);
        await dash.goto("flows?port=445");
        const smb = await api<{ total_matched: number; flows: { src_ip: string; bytes: number }[] }>(
          "/flows?port=445",
        );
        assert.deepEqual(
          smb.flows.map((f) => [f.src_ip, f.bytes]).sort(),
          written.map((f) => [f.src_ip, f.bytes]).sort(),
          "GET /flows has the replayed flows as written",
        );
        assert.equal(await dash.waitForCount("flows-count", written.length), written.length);
        const rows = await main.page.locator("[data-testid=flows-table] .vspace > [role=row]")
          .allTextContents();
        for (const f of written) assert.ok(rows.some((r) => r.includes(f.src_ip)), `a row for ${f.src_ip}`);
      });

      await t.step("the flow graph draws one node per address the largest flows join", async () => {
        // IPv6 clients too: their long names must not run into each other (checked on every screen size below)
        const clients = `${stateDir}/ipv6-clients.pcap`;
        await Deno.writeFile(clients, ipv6Clients());
        const replayed = await pair.exec(["tcpreplay", "-q", "-t", "-i", pair.nsIf, clients]);
        assert.equal(replayed.code, 0, `tcpreplay: ${replayed.stderr}`);
        for (
          let i = 0;
          (await api<{ total_matched: number }>("/flows?port=443&ip=2001:db8:4c1:7a2b::443")).total_matched <
            12;
          i++
        ) {
          if (i > 50) assert.fail("the IPv6 clients' flows did not arrive");
          await new Promise((r) => setTimeout(r, 100));
        }
        await dash.goto("graph");
        const flows = (await api<{ flows: { src_ip: string; dst_ip: string }[] }>("/flows?limit=300")).flows;
        const ips = new Set(flows.flatMap((f) => [f.src_ip, f.dst_ip]));
        assert.equal(await dash.waitForCount("graph-count", ips.size), ips.size);
        const drawn = await dash.readGraph("flow-graph");
        assert.deepEqual(drawn.nodes.map((n) => n.id).sort(), [...ips].sort());
      });

      await t.step(
        "devices: cards, filters and a device's page agree with GET /devices and the agents' data",
        async () => {
          await dash.goto("devices");
          const all = await api<{ total_matched: number; devices: { ip: string; name: string | null }[] }>(
            "/devices",
          );
          assert.equal(await dash.waitForCount("devices-count", all.total_matched), all.total_matched);
          assert.equal(await main.page.locator("[data-testid=device-card]").count(), all.total_matched);
          const cardText = await main.page.textContent(`[data-testid=device-card][data-ip="${CORE.ip}"]`);
          assert.ok(cardText?.includes(switchName), `the switch's card names it ${switchName}`);
          await dash.goto("devices?type=switch");
          const switches = await api<{ total_matched: number }>("/devices?type=switch");
          assert.equal(
            await dash.waitForCount("devices-count", switches.total_matched),
            switches.total_matched,
          );
          await dash.goto(`devices/${CORE.ip}`);
          const dev = await api<{ name: string; interfaces: unknown[]; type_rule: string }>(
            `/devices/${CORE.ip}`,
          );
          await main.page.waitForSelector("[data-testid=interfaces]");
          assert.equal(await main.page.textContent("#device-title"), switchName);
          assert.equal(
            Number(await main.page.getAttribute("[data-testid=interfaces]", "data-rows")),
            dev.interfaces.length,
          );
          assert.ok((await main.page.textContent("[data-testid=device-detail]"))?.includes(dev.type_rule));
        },
      );

      await t.step("an anomaly appears on the dashboard and its screen without a reload", async () => {
        await dash.goto("");
        const before = await main.page.evaluate(() => performance.getEntriesByType("navigation").length);
        await pair.exec([PYTHON, "-c", BURST, pair.hostIp, "6"]);
        const item = main.page.locator("[data-testid=recent-anomalies] li", {
          hasText: `${pair.nsIp}:40123 → ${pair.hostIp}:5514`,
        });
        await item.first().waitFor({ timeout: 20_000 });
        assert.equal(
          await main.page.evaluate(() => performance.getEntriesByType("navigation").length),
          before,
        );
        const listed = await api<{ total_matched: number }>("/anomalies?limit=1");
        assert.equal(await dash.waitForCount("stat-anomalies", listed.total_matched), listed.total_matched);
        await dash.goto("anomalies");
        assert.equal(await dash.waitForCount("anomalies-count", listed.total_matched), listed.total_matched);
      });

      await t.step(
        "a security event appears on the dashboard and in the history without a reload",
        async () => {
          await dash.goto("");
          await forgeHostIpClaim(pair);
          await main.page.locator("[data-testid=recent-security] li").first().waitFor({ timeout: 20_000 });
          const text = await main.page.textContent("[data-testid=recent-security]");
          assert.ok(
            text?.includes(pair.hostIp),
            `the event names the claimed address ${pair.hostIp}: ${text}`,
          );
          await dash.goto("security?kind=security");
          await main.page.locator("[data-testid=alert]").first().waitFor({ timeout: 20_000 });
          const alerts = await api<{ total_matched: number }>("/alerts?kind=security");
          assert.equal(await dash.waitForCount("alerts-count", alerts.total_matched), alerts.total_matched);
        },
      );

      await t.step(
        "the topology draws the nodes, edges and ports GET /topology returns: polled LLDP/CDP and LLDP heard in capture",
        async () => {
          // The wiring the fixtures' comments describe (polled), and the link the replayed LLDP frames report.
          const expected = [
            `${CORE.ip}[Gi1/0/1]—${ACCESS.ip}[49] lldp`,
            `10.20.30.45[Port 1]—${CORE.ip}[Gi1/0/5] cdp`,
            `${pair.hostIp}[${pair.hostIf}]—${ACCESS.ip}[${SWITCH_PORT}] lldp`,
          ];
          let topo = await api<TopologyJson>("/topology");
          for (let i = 0; !expected.every((w) => topo.edges.map(wire).includes(w)); i++) {
            if (i > 60) {
              assert.fail(`GET /topology lacks ${expected}: ${JSON.stringify(topo.edges.map(wire))}`);
            }
            await new Promise((r) => setTimeout(r, 500));
            topo = await api<TopologyJson>("/topology");
          }
          assert.equal(topo.nodes.find((n) => n.id === ACCESS.ip)?.name, SWITCH_NAME);
          await dash.goto("topology");
          await main.page.waitForSelector("[data-testid=topology-graph] [data-node-id]");
          await settle(main);
          topo = await api<TopologyJson>("/topology");
          assert.equal(await dash.waitForCount("topology-count", topo.nodes.length), topo.nodes.length);
          const drawn = await dash.readGraph("topology-graph");
          assert.deepEqual(
            drawn.nodes.map((n) => [n.id, n.label, n.dashed]).sort(),
            topo.nodes.map((n) => [n.id, n.name ?? n.ip ?? n.id, n.placeholder]).sort(),
          );
          assert.deepEqual(
            drawn.edges.sort((a, b) => a.id.localeCompare(b.id)),
            topo.edges.map((e) => ({ id: e.id, source: e.source, target: e.target }))
              .sort((a, b) => a.id.localeCompare(b.id)),
          );
          const labels = await main.page.locator("[data-testid=topology-graph] .link-label")
            .allTextContents();
          assert.deepEqual(
            labels.sort(),
            topo.edges.flatMap((e) => [e.local_port, e.remote_port]).filter((p) => p !== null).sort(),
          );
          // An interface poll can give a link a new rate between the API read and the page read; the page
          // refetches on the stream's interface events at most every 10 s (LINKS_REFRESH_MS), without being
          // reopened: compare again, with a fresh read, until they agree.
          const edgeClasses = async () => {
            const now = await api<TopologyJson>("/topology");
            const page: string[] = [], want: string[] = [];
            for (const e of now.edges) {
              page.push(`${e.id} ${await main.page.getAttribute(`[data-edge-id="${e.id}"]`, "class")}`);
              want.push(`${e.id} link ${utilClass(e)}`);
            }
            return { page, want };
          };
          // The agents' recorded sysUpTime stands still: before counter_rates.ts stopped taking that for a
          // restart, every poll over 10 s after the last had no rate, and the colours changed at each poll.
          let classes = await edgeClasses();
          for (let i = 0; i < 80 && classes.page.join() !== classes.want.join(); i++) {
            await new Promise((r) => setTimeout(r, 500));
            classes = await edgeClasses();
          }
          assert.deepEqual(classes.page, classes.want, "each link coloured by its utilisation");
          await main.page.click(`[data-node-id="${CORE.ip}"]`);
          await main.page.waitForFunction((ip) => location.hash === `#/devices/${ip}`, CORE.ip);
        },
      );

      await t.step(
        "advisories: the screen lists what GET /advisories lists, as text; an agent without it gets a clear empty state",
        async () => {
          await dash.goto("advisories");
          const list = await api<{ total_matched: number }>("/advisories?limit=1");
          assert.equal(await dash.waitForCount("advisories-count", list.total_matched), list.total_matched);
          // The daemon's shape served to one tab, with markup in the subject and the evidence.
          const sample = sampleAdvisories();
          const tab = await browser!.open({ width: 1280, height: 860, colorScheme: "light" });
          await tab.page.route(
            (url) => url.pathname === "/advisories",
            (r) => r.fulfill({ json: { advisories: sample, count: 2, total_matched: 2, next_cursor: null } }),
          );
          const page = new DashboardPage(tab.page, BASE);
          await page.login(TOKEN);
          await page.goto("advisories");
          assert.equal(await page.waitForCount("advisories-count", sample.length), sample.length);
          const items = await tab.page.locator("[data-testid=advisory]").allTextContents();
          assert.equal(items.length, sample.length);
          for (const a of sample) {
            const item = items.find((t) => t.includes(a.subject));
            assert.ok(item, `an item for ${a.subject}`);
            assert.ok(item.includes(a.summary), item);
            assert.ok(a.phase === "resolved" ? item.includes(a.resolution!) : item.includes(a.action), item);
          }
          assert.equal(
            await tab.page.locator("[data-testid=advisory] img").count(),
            0,
            "no HTML from the data",
          );
          await tab.page.click("[data-testid=advisory] details summary");
          assert.match(await tab.page.textContent("[data-testid=advisory] details") ?? "", /<img src=y>/);
          await page.screenshot("advisories-sample-light-desktop");
          // An agent older than the analysis: its OpenAPI document has no /advisories.
          await tab.page.route("**/openapi.json", async (r) => {
            const doc = await (await r.fetch()).json();
            delete doc.paths["/advisories"];
            await r.fulfill({ json: doc });
          });
          await tab.page.reload();
          await page.goto("advisories");
          await tab.page.waitForSelector("text=not available from this agent");
          assert.deepEqual(tab.errors, [], tab.console.join("\n"));
          await tab.context.close();
        },
      );

      await t.step(
        "settings show the agent's alert policy and save a change through PUT /config/alerts",
        async () => {
          await dash.goto("settings");
          const policy = await api<{ anomaly: { k: number }; cooldown_s: number }>("/config/alerts");
          await main.page.waitForSelector("[data-testid=policy-form]");
          assert.equal(Number(await main.page.inputValue("input[name=k]")), policy.anomaly.k);
          await main.page.fill("input[name=cooldown_s]", String(policy.cooldown_s + 60));
          await main.page.click("[data-testid=policy-form] button[type=submit]");
          await main.page.waitForSelector("[data-testid=policy-form] .notice");
          assert.equal(
            (await api<{ cooldown_s: number }>("/config/alerts")).cooldown_s,
            policy.cooldown_s + 60,
          );
        },
      );

      await t.step(
        "every screen, light and dark, desktop, tablet and phone: screenshots and no console error",
        async () => {
          for (let i = 0; i < 8; i++) {
            await pair.exec(["ip", "addr", "add", `${NET}.${10 + i}/24`, "dev", pair.nsIf]);
          }
          const traffic = pair.exec([PYTHON, "-c", BACKGROUND, pair.hostIp, "60"]);
          for (const scheme of ["light", "dark"] as const) {
            for (
              // a laptop or NOC screen, a tablet upright, a phone
              const [width, height, mobile, label] of [
                [1280, 860, false, "desktop"],
                [820, 1180, true, "tablet"],
                [390, 844, true, "phone"],
              ] as const
            ) {
              const tab = await browser!.open({ width, height, colorScheme: scheme, mobile });
              const page = new DashboardPage(tab.page, BASE);
              await tab.page.goto(`${BASE}/`);
              await tab.page.waitForSelector("[data-testid=login-form]");
              await page.screenshot(`login-${scheme}-${label}`);
              await page.login(TOKEN);
              const clipped: string[] = [];
              for (const [route, name] of screens(CORE.ip)) {
                await page.goto(route);
                await settle(tab);
                await page.screenshot(`${name}-${scheme}-${label}`);
                for (const c of await clippedColumns(tab)) clipped.push(`${name}: ${c}`);
                for (const f of await stackedFigures(tab)) clipped.push(`${name}: ${f}`);
                for (const c of await cutSelects(tab)) clipped.push(`${name}: ${c}`);
                for (const o of await overlappingNames(tab)) clipped.push(`${name}: ${o}`);
                for (const o of await overrunningText(tab)) clipped.push(`${name}: ${o}`);
              }
              // A column cut off at a table's edge is a column nobody on that screen can read; an anomaly's
              // figures stacked one per line make each anomaly a screen high; a choice cut short in a closed
              // select box reads as something else; a name drawn over another or cut at
              // a graph's edge names nothing; a line of text wider than its box is drawn over its neighbour.
              assert.deepEqual(
                clipped,
                [],
                `columns outside their table or with their title cut, figures in one column, select choices cut, graph names over each other or cut, text out of its box (${scheme}, ${label})`,
              );
              assert.deepEqual(
                tab.errors,
                [],
                `console errors (${scheme}, ${label}):\n${tab.console.join("\n")}`,
              );
              await tab.context.close();
            }
          }
          assert.deepEqual(main.errors, [], `console errors on the main tab:\n${main.console.join("\n")}`);
          await traffic;
        },
      );

      await t.step(
        "the stream reconnects after the daemon restarts, saying meanwhile since when it is down",
        async () => {
          await dash.goto("");
          await main.page.waitForFunction(() =>
            document.querySelector("[data-testid=connection]")?.getAttribute("data-status") === "live"
          );
          const stopped = await daemon!.terminate();
          assert.equal(stopped.code, 0);
          await main.page.waitForSelector("[data-testid=stale-banner]", { timeout: 15_000 });
          assert.equal(await dash.connection(), "down");
          assert.match(
            await main.page.textContent("[data-testid=stale-banner]") ?? "",
            /Live updates stopped at \d\d:\d\d:\d\d/,
          );
          daemon = await startDaemon(daemonEnv(pair, stateDir));
          await main.page.waitForFunction(
            () => document.querySelector("[data-testid=connection]")?.getAttribute("data-status") === "live",
            undefined,
            { timeout: 30_000 },
          );
          assert.equal(await main.page.locator("[data-testid=stale-banner]").count(), 0);
          // Live again: the new daemon's figures arrive (its flow table starts empty, then its sweep adds flows).
          const [shown, expected] = await dash.waitForApiCount(
            "stat-flows",
            async () => (await api<{ flows: { active: number } }>("/stats")).flows.active,
          );
          assert.equal(shown, expected);
        },
      );
    } catch (err) {
      console.error(daemon?.lines.join("\n") ?? "");
      console.error(browser?.log() ?? "");
      console.error(sim?.output().slice(-4000) ?? "");
      throw err;
    } finally {
      await browser?.close();
      await daemon?.kill();
      await sim?.stop();
      await pair.destroy();
      await Deno.remove(stateDir, { recursive: true });
    }
  },
});
