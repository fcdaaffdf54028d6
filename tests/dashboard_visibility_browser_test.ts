/**
 * The dashboard's names, DNS history, TCP health, flow history and advisories in Chromium, against a live
 * daemon capturing on a veth pair into which the office capture of tests/helpers/office_capture.ts is
 * replayed: DNS queries and answers, TLS ClientHellos with a server name, a plain HTTP request, and one
 * host sending SYNs to 30 ports of the file server (the daemon's scan threshold is lowered to 20 ports, so
 * the next minute's analysis raises a port-scan advisory).
 *
 * Oracles: tshark's reading of the same file (SNI, HTTP Host, DNS questions and answers, the scanner's SYN
 * ports) for what the API says, and the API's answer at that moment for what each screen shows. The
 * advisory arrives on a screen that is already open, without a reload. Screenshots go to
 * tests/.screenshots/ (visibility-*).
 *
 * Namespace fu3-ui, addresses 10.231.35.0/24 (a workstation's address, .20, also lives in the namespace so
 * the daemon's ARP sweep finds it as a device); HTTP on 127.0.0.1, a port picked free at start.
 */
import assert from "node:assert/strict";
import { tshark } from "./helpers/advisory_capture.ts";
import { type BrowserHandle, chromiumUnavailable, startBrowser } from "./helpers/browser.ts";
import { type Daemon, startDaemon } from "./helpers/daemon.ts";
import { DashboardPage } from "./helpers/dashboard_page.ts";
import { createVethPair, netnsUnavailable } from "./helpers/netns.ts";
import { OFFICE_FLOWS, officeCapture } from "./helpers/office_capture.ts";
import { freePort } from "./helpers/ports.ts";
import type { AdvisoryEvent } from "../src/events/mod.ts";
import type { FlowJson } from "../src/flow/mod.ts";
import type { DnsQueryJson } from "../src/detect/mod.ts";

const CI = Deno.env.get("CI") === "true";
const PORT = freePort();
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = "dashboard-visibility-token-0123456789";
const NET = "10.231.35";
const WS = `${NET}.20`;
const SCANNER = `${NET}.66`;
const SCAN_PORTS = 30;

// Browser globals for the callbacks Playwright runs in the page (the DOM library stays out of the test).
// deno-lint-ignore no-explicit-any
declare const document: any;

async function unavailable(): Promise<string | null> {
  const other = await netnsUnavailable() ?? await chromiumUnavailable();
  if (other) return other;
  for (const tool of ["/usr/bin/tcpreplay", "/usr/bin/tshark"]) {
    try {
      await Deno.stat(tool);
    } catch {
      return `${tool} is missing: apt-get install tcpreplay tshark`;
    }
  }
  return null;
}
const missing = await unavailable();

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${BASE}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}`);
  return await res.json() as T;
}

/** "2024-01-15T09:04": a local date-time as the browser's datetime-local input gives it. */
function localInput(ms: number): string {
  const d = new Date(ms), p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${
    p(d.getMinutes())
  }`;
}

/** The name each TCP connection of the capture should carry, as tshark reads the file: SNI, else Host, else DNS. */
async function expectedNames(pcap: string): Promise<Map<string, string | null>> {
  const key = (r: string[]) => `${r[0]}:${r[1]}>${r[2]}:${r[3]}`;
  const tuple = ["ip.src", "tcp.srcport", "ip.dst", "tcp.dstport"];
  const sni = new Map((await tshark(pcap, "tls.handshake.extensions_server_name", [
    ...tuple,
    "tls.handshake.extensions_server_name",
  ])).map((r) => [key(r), r[4]]));
  const host = new Map((await tshark(pcap, "http.host", [...tuple, "http.host"])).map((r) => [key(r), r[4]]));
  const dns = new Map<string, string>();
  for (
    const [name, addrs] of await tshark(pcap, "dns.flags.response == 1 && dns.a", ["dns.qry.name", "dns.a"])
  ) {
    for (const a of addrs.split(",")) dns.set(a, name);
  }
  const out = new Map<string, string | null>();
  for (const r of await tshark(pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0", tuple)) {
    out.set(key(r), sni.get(key(r)) ?? host.get(key(r)) ?? dns.get(r[2]) ?? null);
  }
  return out;
}

Deno.test({
  name:
    "the dashboard shows a replayed office's names, DNS history, flow history and port-scan advisory as the API gives them",
  ignore: missing !== null && !CI,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    if (missing) throw new Error(`dashboard visibility browser test cannot run: ${missing}`);
    const pair = await createVethPair({
      ns: "fu3-ui",
      hostIf: "fu3ui-h",
      nsIf: "fu3ui-n",
      hostAddr: `${NET}.1/24`,
      nsAddr: `${NET}.2/24`,
      staticNeighbours: false,
    });
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet-fu3ui-" });
    let daemon: Daemon | undefined;
    let browser: BrowserHandle | undefined;
    try {
      // The workstation that asked DNS answers ARP too: the sweep at start makes it a device.
      await pair.exec(["ip", "addr", "add", `${WS}/24`, "dev", pair.nsIf]);
      daemon = await startDaemon({
        FLINTNET_STATE_DIR: stateDir,
        FLINTNET_INTERFACE: pair.hostIf,
        FLINTNET_CIDR: `${NET}.0/24`,
        FLINTNET_LISTEN: `127.0.0.1:${PORT}`,
        FLINTNET_API_TOKEN: TOKEN,
        FLINTNET_TRAP_LISTEN: "off",
        FLINTNET_SNMP_TIMEOUT: "300ms",
        FLINTNET_SNMP_RETRIES: "0",
        FLINTNET_FLOW_IDLE_TIMEOUT: "10m",
        FLINTNET_LEARNING_PERIOD: "1h",
        FLINTNET_SCAN_THRESHOLD: "20/100",
      });
      browser = await startBrowser();
      const pcap = `${stateDir}/office.pcap`;
      await Deno.writeFile(
        pcap,
        officeCapture({ net: NET, switchIp: "127.0.110.2", switchPort: "5", scanPorts: SCAN_PORTS }),
      );
      // The scan's probes must fall in one minute of the daemon's clock.
      if (new Date().getSeconds() >= 58) await new Promise((r) => setTimeout(r, 3000));
      const replayed = await pair.exec(["tcpreplay", "-q", "-t", "-i", pair.nsIf, pcap]);
      assert.equal(replayed.code, 0, `tcpreplay: ${replayed.stderr}`);
      const replayedAt = Date.now();
      for (
        let i = 0;
        !(await api<{ devices: { ip: string }[] }>("/devices")).devices.some((d) => d.ip === WS);
        i++
      ) {
        if (i > 60) assert.fail(`the sweep did not find ${WS}`);
        await new Promise((r) => setTimeout(r, 500));
      }

      const main = await browser.open({ width: 1280, height: 860, colorScheme: "light" });
      const dash = new DashboardPage(main.page, BASE);
      await dash.login(TOKEN);
      // Open before the advisory is raised (the next minute): it must arrive without a reload.
      await dash.goto("advisories");
      await main.page.waitForSelector("[data-testid=advisories-count]");

      await t.step(
        "the flows screen's names are /flows server_name, which are tshark's names in the capture",
        async () => {
          const expected = await expectedNames(pcap);
          const flows = (await api<{ flows: FlowJson[] }>(`/flows?cidr=${NET}.0/24&protocol=tcp&limit=1000`))
            .flows
            .filter((f) => expected.has(`${f.src_ip}:${f.src_port}>${f.dst_ip}:${f.dst_port}`));
          assert.equal(flows.length, expected.size, "every connection of the capture is a flow");
          for (const f of flows) {
            assert.equal(f.server_name, expected.get(`${f.src_ip}:${f.src_port}>${f.dst_ip}:${f.dst_port}`));
          }
          assert.equal(
            [...expected.values()].filter(Boolean).length,
            7,
            "tshark reads seven named connections",
          );
          for (const port of [443, 80]) {
            await dash.goto(`flows?protocol=tcp&port=${port}`);
            const listed = await api<{ flows: FlowJson[]; total_matched: number }>(
              `/flows?protocol=tcp&port=${port}`,
            );
            assert.equal(await dash.waitForCount("flows-count", listed.total_matched), listed.total_matched);
            const rows: [string, string, string | null, string | null][] = await main.page.evaluate(() =>
              [...document.querySelectorAll("[data-testid=flows-table] .vspace > [role=row]")].map((r) => {
                const n = r.querySelector(".flow-name");
                return [
                  r.textContent,
                  n?.textContent ?? "",
                  n?.getAttribute("data-source") ?? null,
                  n?.getAttribute("title"),
                ];
              })
            );
            for (const f of listed.flows) {
              const row = rows.find((r) => r[0].includes(`${f.src_ip}:${f.src_port}`));
              assert.ok(row, `a row for ${f.src_ip}:${f.src_port}`);
              assert.deepEqual([row[1] || null, row[2]], [f.server_name, f.name_source]);
              if (f.server_name) {
                assert.ok(row[3]?.includes(f.server_name), "the name and its source on hover");
              }
            }
          }
        },
      );

      await t.step("the name filter lists as many flows as /flows?name= does", async () => {
        for (const name of ["example.org", "www.example.com"]) {
          await dash.goto(`flows?name=${name}`);
          const listed = await api<{ total_matched: number; flows: FlowJson[] }>(`/flows?name=${name}`);
          const want = [...(await expectedNames(pcap)).values()].filter((n) =>
            n === name || n?.endsWith(`.${name}`)
          );
          assert.equal(listed.total_matched, want.length, `/flows?name=${name} as tshark's names say`);
          assert.equal(await dash.waitForCount("flows-count", listed.total_matched), listed.total_matched);
        }
      });

      await t.step("a flow's detail shows its name, TCP health and threats as /flows has them", async () => {
        await dash.goto("flows?protocol=tcp&port=443");
        const f = (await api<{ flows: FlowJson[] }>("/flows?protocol=tcp&port=443")).flows.find((x) =>
          x.src_ip === WS
        )!;
        await main.page.locator("[data-testid=flows-table] .vspace > [role=row]", {
          hasText: `${WS}:${f.src_port}`,
        })
          .click();
        const name = await main.page.textContent("[data-testid=flow-name]");
        assert.ok(name?.includes(f.server_name!) && name.includes("SNI"), name ?? "");
        const health = await main.page.locator("[data-testid=flow-tcp-health] dd").allTextContents();
        assert.deepEqual(health, [
          String(f.retransmissions),
          String(f.out_of_order),
          String(f.zero_windows),
          f.rtt_ms === null ? "handshake not seen" : `${f.rtt_ms} ms`,
        ]);
        assert.match(
          await main.page.textContent("[data-testid=flow-threats]") ?? "",
          new RegExp(f.attack_score.toFixed(2)),
        );
        const listed = await main.page.textContent("[data-testid=flow-blocklist]") ?? "";
        assert.ok(f.blocklist ? listed.includes(f.blocklist.list) : listed === "not listed", listed);
        await dash.screenshot("visibility-flow-detail-light-desktop");
      });

      await t.step(
        "a device's DNS history shows what GET /devices/:ip gives: the queries tshark reads",
        async () => {
          const dev = await api<{ dns_history: DnsQueryJson[] }>(`/devices/${WS}`);
          const asked = await tshark(pcap, `dns.flags.response == 0 && ip.src == ${WS}`, ["dns.qry.name"]);
          assert.deepEqual(
            dev.dns_history.map((q) => q.name),
            asked.map((r) => r[0]).reverse(),
          );
          await dash.goto(`devices/${WS}`);
          await main.page.waitForSelector("[data-testid=dns-history]");
          assert.equal(await dash.count("dns-history-count"), dev.dns_history.length);
          const rows = await main.page.locator("[data-testid=dns-history] .vspace > [role=row]")
            .allTextContents();
          assert.equal(rows.length, dev.dns_history.length);
          dev.dns_history.forEach((q, i) => {
            assert.ok(rows[i].includes(q.name) && rows[i].includes(q.type), rows[i]);
            for (const a of q.answers) {
              assert.ok(rows[i].includes(a.data) && rows[i].includes(`${a.ttl} s`), rows[i]);
            }
          });
          await dash.screenshot("visibility-device-light-desktop");
        },
      );

      await t.step(
        "the advisory arrives on the open screen without a reload, as GET /advisories lists it",
        async () => {
          await dash.goto("advisories");
          await main.page.locator("[data-testid=advisory][data-type=port_scan]").waitFor({ timeout: 90_000 });
          assert.equal(await main.page.evaluate(() => performance.getEntriesByType("navigation").length), 1);
          const list = await api<{ advisories: AdvisoryEvent[]; total_matched: number }>("/advisories");
          assert.equal(await dash.waitForCount("advisories-count", list.total_matched), list.total_matched);
          const shown = await main.page.evaluate(() =>
            [...document.querySelectorAll("[data-testid=advisory]")].map((e) => ({
              id: e.getAttribute("data-id"),
              phase: e.getAttribute("data-phase"),
              text: e.textContent,
            }))
          );
          assert.deepEqual(
            shown.map((s) => [s.id, s.phase]),
            list.advisories.map((a) => [a.advisory_id, a.phase]),
          );
          list.advisories.forEach((a, i) => assert.ok(shown[i].text.includes(a.summary), shown[i].text));
          // The API's scan is the capture's: the scanner's SYN ports as tshark counts them.
          const scan = list.advisories.find((a) => a.type === "port_scan" && a.ip === SCANNER);
          assert.ok(scan, JSON.stringify(list.advisories));
          const ports = new Set(
            (await tshark(pcap, `ip.src == ${SCANNER} && tcp.flags.syn == 1`, ["tcp.dstport"])).map((r) =>
              r[0]
            ),
          );
          assert.equal(scan.evidence.ports, ports.size);
          await dash.goto("advisories?type=port_scan&state=open");
          const open = await api<{ total_matched: number }>("/advisories?type=port_scan&state=open");
          assert.equal(await dash.waitForCount("advisories-count", open.total_matched), open.total_matched);
          await main.page.click("[data-testid=advisory] details summary");
          await dash.screenshot("visibility-advisories-light-desktop");
          await dash.goto("");
          const all = await api<{ total_matched: number }>("/advisories?state=open&limit=1");
          assert.equal(await dash.waitForCount("stat-advisories", all.total_matched), all.total_matched);
        },
      );

      await t.step(
        "with Active since, the flows screen shows the per-minute history's answer, labelled so",
        async () => {
          const since = localInput(replayedAt - 120_000);
          const iso = new Date(since).toISOString();
          // The replay's minute reaches the history once the analysis ran (the advisory says it did).
          let page = await api<
            { source: string; flows: { dst_port: number; src_ip: string; bytes: number }[] }
          >(
            `/flows?since=${iso}&port=445&limit=200`,
          );
          for (let i = 0; page.flows.length < 6 && i < 40; i++) {
            await new Promise((r) => setTimeout(r, 500));
            page = await api(`/flows?since=${iso}&port=445&limit=200`);
          }
          assert.equal(page.source, "history");
          const written = OFFICE_FLOWS(NET).filter((f) => f.dst_port === 445);
          assert.deepEqual(
            page.flows.map((f) => [f.src_ip, f.bytes]).sort(),
            written.map((f) => [f.src_ip, f.bytes]).sort(),
            "the history has the replayed SMB flows with the bytes written",
          );
          await dash.goto(`flows?since=${encodeURIComponent(since)}&port=445`);
          await main.page.waitForSelector("[data-testid=flows-history-note]");
          assert.equal(await main.page.getAttribute("[data-testid=flows-count]", "data-source"), "history");
          assert.equal(await dash.waitForCount("flows-count", page.flows.length), page.flows.length);
          await dash.screenshot("visibility-flows-history-light-desktop");
        },
      );

      await t.step("screenshots in dark and at phone width, and no console error", async () => {
        const tab = await browser!.open({ width: 390, height: 844, colorScheme: "dark", mobile: true });
        const phone = new DashboardPage(tab.page, BASE);
        await phone.login(TOKEN);
        for (const route of ["flows?port=443", `devices/${WS}`, "advisories", "anomalies", "security", ""]) {
          await phone.goto(route);
          await tab.page.waitForFunction(() => !document.querySelector(".loading"), undefined, {
            timeout: 15_000,
          });
          await tab.page.waitForTimeout(300);
          await phone.screenshot(
            `visibility-${route.split("?")[0].replace("/", "-") || "dashboard"}-dark-phone`,
          );
        }
        assert.deepEqual(tab.errors, [], tab.console.join("\n"));
        assert.deepEqual(main.errors, [], main.console.join("\n"));
        await tab.context.close();
      });
    } catch (err) {
      console.error(daemon?.lines.slice(-200).join("\n") ?? "");
      console.error(browser?.log() ?? "");
      throw err;
    } finally {
      await browser?.close();
      await daemon?.kill();
      await pair.destroy();
      await Deno.remove(stateDir, { recursive: true });
    }
  },
});
