/**
 * Block lists against real traffic between two namespaces: the client talks TCP, UDP and ICMP to eight
 * server addresses, tcpdump records it, and the lists the test writes (Spamhaus DROP and FireHOL formats)
 * name some of those addresses. `flintnet replay` with FLINTNET_BLOCKLISTS must flag exactly the flows tshark
 * sees to or from a listed address (by the test's own CIDR arithmetic over the lines it wrote), name the
 * first list and entry holding it, and raise one `blocklisted` security event per connection. Live, the
 * daemon capturing in the namespace flags flows in /flows?blocklisted=1 and picks up a list rewritten while
 * it runs.
 */
import assert from "node:assert/strict";
import { runFlintnet } from "./helpers/flintnet_cli.ts";
import { type Daemon, startDaemon } from "./helpers/daemon.ts";
import { tsharkFields } from "./helpers/visibility_lab.ts";
import { inCidr, THREAT_LAB as L, ThreatLab, threatLabUnavailable } from "./helpers/threat_lab.ts";

const skip = await threatLabUnavailable();
if (skip && Deno.env.get("CI") === "true") throw new Error(`CI=true and ${skip}`);

const TOKEN = "threat-token-0123456789abcdef0123";
const PORT = 18_795;

/** The lists as written: name → entries (address or CIDR) in file order, and the file text. */
const LISTS = {
  drop: {
    file: "drop.txt",
    entries: ["10.231.95.4/31", "10.231.95.200/29"],
    text: "; Spamhaus DROP List 2026/12/04 - (c) 2026 The Spamhaus Project\n" +
      "; Last-Modified: Fri, 04 Dec 2026 10:00:00 GMT\n" +
      "10.231.95.4/31 ; SBL9001\r\n10.231.95.200/29 ; SBL9002\r\n",
  },
  firehol_level1: {
    file: "firehol_level1.netset",
    entries: ["10.231.95.5", "10.231.95.7", "10.231.95.9"],
    text: "#\n# firehol_level1\n#\n\n10.231.95.5\n10.231.95.7\n10.231.95.9\n",
  },
} as const;

interface FlowOut {
  src_ip: string;
  dst_ip: string;
  src_port: number;
  dst_port: number;
  protocol: number;
  blocklist: { list: string; entry: string; listed_ip: string } | null;
}

interface SecurityOut {
  kind: string;
  type?: string;
  ip?: string;
  evidence?: { list: string; entry: string; listed_ip: string; flow: { protocol: number } };
}

/** The first list and entry (as Flintnet prints it) that hold `ip`, by the test's arithmetic. */
function expectedHit(ip: string): { list: string; entry: string } | null {
  for (const [list, l] of Object.entries(LISTS)) {
    for (const e of l.entries) {
      if (inCidr(ip, e)) return { list, entry: e.includes("/") ? e : `${e}/32` };
    }
  }
  return null;
}

async function writeLists(dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (const l of Object.values(LISTS)) {
    await Deno.writeTextFile(`${dir}/${l.file}`, l.text);
    paths.push(`${dir}/${l.file}`);
  }
  return paths;
}

Deno.test({
  name: "replay flags exactly the flows tshark sees to or from a listed address, one event per connection",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new ThreatLab();
    const dir = await Deno.makeTempDir({ prefix: "fth-bl-" });
    const pcap = `${dir}/traffic.pcap`;
    try {
      await lab.start();
      const rec = await lab.record(pcap);
      for (const ip of L.srvIps) await lab.tcp(ip);
      for (const ip of L.srvIps.slice(0, 5)) await lab.udp(ip);
      for (const ip of ["10.231.95.6", "10.231.95.7"]) {
        await lab.cli(["sh", "-c", `hping3 -1 -c 1 ${ip} >/dev/null 2>&1; true`]);
      }
      await rec.stop();
      const paths = await writeLists(dir);

      // ---- tshark's view: every direction of every conversation (ICMP type/code in the port places)
      const rows = await tsharkFields(pcap, "ip", [
        "ip.src",
        "ip.dst",
        "ip.proto",
        "tcp.srcport",
        "tcp.dstport",
        "udp.srcport",
        "udp.dstport",
        "icmp.type",
        "icmp.code",
      ]);
      const key = (s: string, d: string, p: number, sp: number, dp: number) => `${s}|${d}|${p}|${sp}|${dp}`;
      const seen = new Map<string, { src: string; dst: string }>();
      for (const r of rows) {
        const [s, d, p] = [r[0], r[1], Number(r[2])];
        const sp = Number(r[3] || r[5] || r[7] || 0), dp = Number(r[4] || r[6] || r[8] || 0);
        seen.set(key(s, d, p, sp, dp), { src: s, dst: d });
      }
      const expected = new Map<string, { list: string; entry: string; listed_ip: string }>();
      const connections = new Map<string, number>(); // → how many lists hold its listed address
      for (const [k, f] of seen) {
        const hit = expectedHit(f.src) ?? expectedHit(f.dst);
        if (!hit) continue;
        expected.set(k, { ...hit, listed_ip: expectedHit(f.src) ? f.src : f.dst });
        const [p] = k.split("|").slice(2);
        // a connection is both directions; an ICMP echo and its reply are one
        const pair = [f.src, f.dst].sort().join("|");
        const ports = p === "1" ? "echo" : k.split("|").slice(3).sort().join("|");
        const listed = expectedHit(f.src) ? f.src : f.dst;
        const lists = Object.values(LISTS).filter((l) => l.entries.some((e) => inCidr(listed, e))).length;
        connections.set(`${pair}|${p}|${ports}`, lists);
      }
      assert.ok(expected.size >= 10, `the traffic reached listed addresses: ${[...expected.keys()]}`);

      // ---- Flintnet's view
      const r = await runFlintnet(["replay", pcap, "--all-flows"], { FLINTNET_BLOCKLISTS: paths.join(",") });
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { flows: FlowOut[]; events: SecurityOut[] };
      const flagged = new Map(
        doc.flows.filter((f) => f.blocklist !== null).map((f) => [
          key(f.src_ip, f.dst_ip, f.protocol, f.src_port, f.dst_port),
          f.blocklist,
        ]),
      );
      assert.deepEqual(
        [...flagged.entries()].sort(),
        [...expected.entries()].sort(),
        "flagged flows, with list, entry and listed address",
      );
      assert.equal(doc.flows.length, seen.size, "every flow tshark sees is in the document");
      const events = doc.events.filter((e) => e.kind === "security" && e.type === "blocklisted");
      // one event per connection and list holding its listed address
      const perList = [...connections.values()].reduce((a, b) => a + b, 0);
      assert.ok(perList > connections.size, "an address on two lists is told by each");
      assert.equal(events.length, perList, JSON.stringify(events.map((e) => e.evidence)));
      for (const e of events) {
        const l = LISTS[e.evidence!.list as keyof typeof LISTS];
        const entry = l.entries.find((x) => inCidr(e.evidence!.listed_ip, x))!;
        assert.equal(e.evidence!.entry, entry.includes("/") ? entry : `${entry}/32`);
        assert.equal(e.ip, L.cliIp, "filed under the local end");
      }
    } catch (e) {
      console.error(lab.output());
      throw e;
    } finally {
      await lab.destroy();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "the daemon flags live flows in /flows?blocklisted=1 and reads a list rewritten while it runs",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new ThreatLab();
    const dir = await Deno.makeTempDir({ prefix: "fth-bl-live-" });
    const stateDir = `${dir}/state`;
    let daemon: Daemon | undefined;
    try {
      await Deno.mkdir(stateDir);
      const list = `${dir}/watch.txt`;
      await Deno.writeTextFile(list, "# watched\n10.231.95.4\n");
      await lab.start();
      daemon = await startDaemon(
        {
          FLINTNET_STATE_DIR: stateDir,
          FLINTNET_INTERFACE: L.srvIf,
          FLINTNET_CIDR: L.cidr,
          FLINTNET_LISTEN: `127.0.0.1:${PORT}`,
          FLINTNET_API_TOKEN: TOKEN,
          FLINTNET_TRAP_LISTEN: "off",
          FLINTNET_BLOCKLISTS: list,
          FLINTNET_BLOCKLIST_RELOAD: "1s",
        },
        30_000,
        L.srv,
      );
      const flagged = async (want: number) => {
        let page: { flows: FlowOut[] } = { flows: [] };
        for (let i = 0; i < 40; i++) {
          page = await lab.api(PORT, TOKEN, "/flows?blocklisted=1&limit=100") as { flows: FlowOut[] };
          if (page.flows.length >= want) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        return page.flows;
      };
      await lab.tcp("10.231.95.4");
      await lab.tcp("10.231.95.5");
      let flows = await flagged(2);
      assert.equal(flows.length, 2, JSON.stringify(flows));
      assert.ok(flows.every((f) => f.blocklist?.listed_ip === "10.231.95.4" && f.blocklist.list === "watch"));
      const unflagged = await lab.api(PORT, TOKEN, "/flows?blocklisted=0&limit=100") as { flows: FlowOut[] };
      assert.ok(
        unflagged.flows.some((f) => f.dst_ip === "10.231.95.5"),
        "the .5 connection is not flagged yet",
      );

      // the list grows while the daemon runs: the next connection to .5 is flagged
      await Deno.writeTextFile(list, "# watched\n10.231.95.4\n10.231.95.5/32 ; added\n");
      await Deno.utime(list, new Date(), new Date(Date.now() + 5000));
      await daemon.waitForLog((x) => x.msg === "block list loaded" && x.entries === 2, 10_000, "the reload");
      await lab.tcp("10.231.95.5");
      flows = await flagged(4);
      assert.ok(
        flows.filter((f) => f.blocklist?.listed_ip === "10.231.95.5").length >= 2,
        JSON.stringify(flows),
      );
      const alerts = await lab.api(PORT, TOKEN, "/alerts?kind=security&limit=50") as {
        alerts: { type: string; event: { evidence?: { listed_ip: string } } | null }[];
      };
      const listed = alerts.alerts.filter((a) => a.type === "blocklisted").map((a) =>
        a.event?.evidence?.listed_ip
      );
      assert.ok(listed.includes("10.231.95.4") && listed.includes("10.231.95.5"), JSON.stringify(alerts));
    } catch (e) {
      console.error(lab.output());
      if (daemon) console.error(daemon.lines.join("\n"));
      throw e;
    } finally {
      await daemon?.kill();
      await lab.destroy();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
