import assert from "node:assert/strict";
import type { AdvisoryEvent, MinuteSummary } from "../events/mod.ts";
import { type Detector, FlowPipeline, FlowTable } from "../flow/mod.ts";
import { parseCidr, parseIp } from "../net/mod.ts";
import { createFlowRecordBatch } from "../netflow/flow_record.ts";
import type { AnalysisConfig } from "../config/mod.ts";
import { createAnalysis } from "./create_analysis.ts";
import { addIpRow, findFlow, type IpRow } from "../../tests/helpers/batch_rows.ts";
import { createPacketBatch } from "../decode/mod.ts";
import { decodeArp } from "../decode/arp.ts";
import { OK } from "../decode/malformed.ts";
import { arp } from "../../tests/helpers/frames.ts";
import { ScanWindow } from "./scan_window.ts";
import { AnalysisEngine } from "./analysis_engine.ts";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0);
const SYN = 0x02, ACK = 0x10;

const CFG: AnalysisConfig = {
  scan: { ports: 500, hosts: 100 },
  scanWindowMinutes: 15,
  dnsQueriesPerMinute: 1000,
  topTalkerShare: 0.5,
  topTalkerMinBytes: 10_000_000,
  changeMinBytes: 1_000_000,
  flowRetentionS: 0,
  historyFlowsPerMinute: 20_000,
  historyMaxMb: 2048,
};

/** Writes record `i` of `b`: an IPv4 TCP flow (SYN|ACK seen) from `exporter`, in on `inIf` and out on `outIf`. */
function putRecord(
  b: ReturnType<typeof createFlowRecordBatch>,
  i: number,
  r: {
    src: string;
    dst: string;
    sp: number;
    dp: number;
    exporter: string;
    bytes: number;
    packets: number;
    tsMs: number;
    inIf: number;
    outIf: number;
  },
): void {
  const s = parseIp(r.src)!, d = parseIp(r.dst)!, e = parseIp(r.exporter)!;
  b.family[i] = 4;
  b.src.set(s.words, i << 2);
  b.dst.set(d.words, i << 2);
  b.exporter.set(e.words, i << 2);
  b.exporterFamily[i] = 4;
  b.srcPort[i] = r.sp;
  b.dstPort[i] = r.dp;
  b.proto[i] = 6;
  b.tcpFlags[i] = SYN | ACK;
  b.bytes[i] = r.bytes;
  b.packets[i] = r.packets;
  b.tsMs[i] = r.tsMs;
  b.inIf[i] = r.inIf;
  b.outIf[i] = r.outIf;
}

/** The engine in a pipeline, as the daemon runs it: before a detector that starts each flow's next interval. */
function harness(
  cfg: AnalysisConfig = CFG,
  interfaceName?: (exporter: string, ifIndex: number) => string | null,
  idleTimeoutMs = 120_000,
  capacity = 1 << 16,
) {
  const table = new FlowTable(capacity);
  const events: AdvisoryEvent[] = [];
  const minutes: MinuteSummary[] = [];
  const engine = createAnalysis(
    table,
    cfg,
    [parseCidr("10.0.0.0/8")],
    (e) => events.push(e),
    (s) => minutes.push(s),
    [],
    interfaceName,
  );
  const nextInterval: Detector = {
    name: "interval",
    onInterval() {
      for (let id = 0; id < table.highWater; id++) if (table.family[id] !== 0) table.resetInterval(id);
    },
  };
  const pipeline = new FlowPipeline(table, [engine, nextInterval, engine.arpProbes], {
    intervalMs: 10_000,
    idleTimeoutMs,
    activeTimeoutMs: 1_800_000,
  });
  const send = (rows: IpRow[]) => {
    for (let i = 0; i < rows.length; i += 1000) {
      const b = createPacketBatch(1024);
      for (const r of rows.slice(i, i + 1000)) addIpRow(b, r);
      pipeline.consume(b);
    }
  };
  return { table, engine, pipeline, events, minutes, send };
}

const syn = (src: string, dst: string, port: number, tsMs: number): IpRow => ({
  src,
  dst,
  srcPort: 40000 + (port % 20000),
  dstPort: port,
  proto: 6,
  ipBytes: 44,
  tsMs,
  tcpFlags: SYN,
});

const udp = (src: string, dst: string, sp: number, dp: number, tsMs: number): IpRow => ({
  src,
  dst,
  srcPort: sp,
  dstPort: dp,
  proto: 17,
  ipBytes: 60,
  tsMs,
});

Deno.test("a half-open SYN scan of one packet per port raises one port scan with the exact number of ports", () => {
  const h = harness();
  const rows: IpRow[] = [];
  for (let p = 1; p <= 600; p++) rows.push(syn("10.0.0.66", "10.0.0.10", p, T0 + 1000 + p * 10));
  // An ordinary connection (SYN, then ACK) from the same host is not a probe.
  rows.push(syn("10.0.0.66", "10.0.0.11", 443, T0 + 9000));
  rows.push({ ...syn("10.0.0.66", "10.0.0.11", 443, T0 + 9001), tcpFlags: ACK });
  h.send(rows);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  const raised = h.events.filter((e) => e.phase === "raised");
  assert.equal(raised.length, 1, JSON.stringify(raised.map((e) => e.summary)));
  assert.equal(raised[0].type, "port_scan");
  assert.equal(raised[0].evidence.ports, 600);
  assert.equal(raised[0].evidence.hosts, 1);
  assert.equal(raised[0].evidence.top_target, "10.0.0.10");
  assert.equal(
    raised[0].summary,
    "10.0.0.66 contacted 600 unique ports on 10.0.0.10 in 60 s — likely a port scan.",
  );
  // Two quiet minutes later the window still holds it; it resolves once the window has slid past.
  for (let m = 2; m <= 17; m++) h.pipeline.advanceTo(T0 + m * MINUTE + 1);
  const resolved = h.events.filter((e) => e.phase === "resolved");
  assert.equal(resolved.length, 1);
  assert.equal(resolved[0].advisory_id, raised[0].advisory_id);
});

Deno.test("a slow scan of 40 ports a minute is caught by the sliding window, never by one minute", () => {
  const h = harness();
  const sent = new Set<number>();
  let port = 1;
  for (let m = 0; m < 15; m++) {
    const rows: IpRow[] = [];
    for (let i = 0; i < 40; i++, port++) {
      sent.add(port);
      rows.push(syn("10.0.0.77", "10.0.0.20", port, T0 + m * MINUTE + 500 + i * 1000));
    }
    h.send(rows);
    h.pipeline.advanceTo(T0 + (m + 1) * MINUTE + 1);
  }
  const scan = h.events.find((e) => e.type === "port_scan" && e.phase === "raised");
  assert.ok(scan, "raised");
  assert.equal(scan.evidence.max_ports_in_a_minute, 40);
  assert.match(scan.summary, /slow port scan/);
  // The estimate is within 20 % of the ports the test sent until then.
  const minutesIn = scan.evidence.active_minutes as number;
  assert.ok(Math.abs((scan.evidence.ports_estimate as number) - minutesIn * 40) <= minutesIn * 40 * 0.2);
  assert.ok(sent.size === 600);
});

Deno.test("scanWindow keeps memory bounded: past maxSources the quietest source is forgotten", () => {
  const w = new ScanWindow(15, 100);
  for (let s = 0; s < 1000; s++) w.add(`10.9.${s >> 8}.${s & 255}`, 1, [80], [s], 1, 1);
  assert.equal(w.size, 100);
  assert.equal(w.evicted, 900);
  assert.deepEqual([...w.estimates(1)].map(([s]) => s).slice(0, 1), ["10.9.3.132"]);
});

Deno.test("pings to 150 hosts in a minute are a host sweep; the same from the appliance's own address are not", () => {
  const cfg = { ...CFG };
  const h = harness(cfg);
  const rows: IpRow[] = [];
  for (let i = 1; i <= 150; i++) {
    rows.push({
      src: "10.0.0.88",
      dst: `10.0.1.${i}`,
      srcPort: 8,
      dstPort: 0,
      proto: 1,
      ipBytes: 84,
      tsMs: T0 + i * 100,
    });
  }
  h.send(rows);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  const sweep = h.events.find((e) => e.type === "host_sweep");
  assert.ok(sweep);
  assert.equal(sweep.evidence.hosts, 150);
  assert.equal(sweep.ip, "10.0.0.88");

  const table = new FlowTable(4096);
  const events: AdvisoryEvent[] = [];
  const own = createAnalysis(table, cfg, [], (e) => events.push(e), undefined, ["10.0.0.88"]);
  const p = new FlowPipeline(table, [own], {
    intervalMs: 60_000,
    idleTimeoutMs: 120_000,
    activeTimeoutMs: 1_800_000,
  });
  const b = createPacketBatch(1024);
  for (const r of rows) addIpRow(b, r);
  p.consume(b);
  p.advanceTo(T0 + MINUTE + 1);
  assert.deepEqual(events, []);
});

Deno.test("a subnet's traffic that stops after ten minutes is a drop, and resolves when it comes back", () => {
  const h = harness();
  const minute = (m: number, bytes: number) => {
    if (bytes > 0) {
      h.send([{
        src: "10.1.2.3",
        dst: "10.9.9.9",
        srcPort: 5000,
        dstPort: 80,
        proto: 6,
        ipBytes: bytes,
        tsMs: T0 + m * MINUTE + 5000,
      }]);
    }
    h.pipeline.advanceTo(T0 + (m + 1) * MINUTE + 1);
  };
  for (let m = 0; m < 12; m++) minute(m, 2_000_000);
  assert.equal(h.events.length, 0, JSON.stringify(h.events));
  minute(12, 0);
  const drop = h.events.find((e) => e.type === "traffic_drop" && e.subject === "10.1.2.0/24");
  assert.ok(drop, JSON.stringify(h.events.map((e) => e.summary)));
  assert.match(drop.summary, /^The traffic of 10\.1\.2\.0\/24 dropped 100 % at 09:12 UTC/);
  // Twelve minutes of 2 MB: the baseline is 2 MB after them, whatever its weight.
  assert.deepEqual(drop.evidence, {
    minute_start: "2026-01-05T09:12:00.000Z",
    bytes: 0,
    baseline_bytes: 2_000_000,
    baseline_minutes: 12,
    ratio: 0,
  });
  minute(13, 2_000_000);
  minute(14, 2_000_000);
  assert.ok(h.events.some((e) => e.advisory_id === drop.advisory_id && e.phase === "resolved"));
});

Deno.test("a host with most of a busy minute's octets is a top talker, with its main service and peer network", () => {
  const h = harness();
  h.send([
    {
      src: "52.94.7.1",
      dst: "10.0.1.50",
      srcPort: 443,
      dstPort: 50000,
      proto: 6,
      ipBytes: 30_000_000,
      tsMs: T0 + 1000,
    },
    {
      src: "52.94.8.2",
      dst: "10.0.1.50",
      srcPort: 443,
      dstPort: 50001,
      proto: 6,
      ipBytes: 10_000_000,
      tsMs: T0 + 2000,
    },
    {
      src: "10.0.1.60",
      dst: "93.184.216.34",
      srcPort: 50002,
      dstPort: 80,
      proto: 6,
      ipBytes: 8_000_000,
      tsMs: T0 + 3000,
    },
  ]);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  const top = h.events.filter((e) => e.type === "top_talker");
  assert.equal(top.length, 1);
  assert.equal(
    top[0].summary,
    "10.0.1.50 is using 83 % of total bandwidth (40 MB of 48 MB in a minute), mostly HTTPS to 52.94.0.0/16.",
  );
  assert.equal(top[0].severity, "info");
});

Deno.test("a host sending 1,500 DNS queries in a minute is reported; a resolver that answers as much is not", () => {
  const h = harness();
  const rows: IpRow[] = [];
  for (let i = 0; i < 1500; i++) {
    rows.push({
      src: "10.0.0.5",
      dst: "10.0.0.53",
      srcPort: 10000 + i,
      dstPort: 53,
      proto: 17,
      ipBytes: 70,
      tsMs: T0 + i * 30,
    });
    // 10.0.0.53 answers and forwards each upstream: it sends 1,500 queries too, and answers 1,500.
    rows.push({
      src: "10.0.0.53",
      dst: "10.0.0.5",
      srcPort: 53,
      dstPort: 10000 + i,
      proto: 17,
      ipBytes: 90,
      tsMs: T0 + i * 30 + 1,
    });
    rows.push({
      src: "10.0.0.53",
      dst: "9.9.9.9",
      srcPort: 20000 + i,
      dstPort: 53,
      proto: 17,
      ipBytes: 70,
      tsMs: T0 + i * 30 + 2,
    });
  }
  h.send(rows);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  const dns = h.events.filter((e) => e.type === "dns_volume");
  assert.deepEqual(dns.map((e) => [e.ip, e.evidence.dns_queries]), [["10.0.0.5", 1500]]);
  // The resolver's unanswered upstream queries are UDP probes of one port: not a scan.
  assert.deepEqual(h.events.filter((e) => e.type !== "dns_volume"), []);
});

Deno.test("conversations whose directions two exporters report separately are flow asymmetry; one exporter seeing both is not", () => {
  const h = harness();
  const n = 12;
  const b = createFlowRecordBatch(4 * n);
  const rec = (i: number, src: string, dst: string, sp: number, dp: number, exporter: string) =>
    putRecord(b, i, {
      src,
      dst,
      sp,
      dp,
      exporter,
      bytes: 10_000,
      packets: 10,
      tsMs: T0 + 1000 + i,
      inIf: 1,
      outIf: 2,
    });
  let i = 0;
  for (let c = 0; c < n; c++) {
    rec(i++, "10.0.0.7", `198.51.100.${c}`, 40000 + c, 443, "10.0.0.1"); // out via router 1
    rec(i++, `198.51.100.${c}`, "10.0.0.7", 443, 40000 + c, "10.0.0.2"); // back via router 2
    rec(i++, "10.0.0.8", `203.0.113.${c}`, 40000 + c, 443, "10.0.0.1"); // both ways via router 1
    rec(i++, `203.0.113.${c}`, "10.0.0.8", 443, 40000 + c, "10.0.0.1");
  }
  b.count = i;
  h.pipeline.consumeRecords(b);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  const asym = h.events.filter((e) => e.type === "flow_asymmetry");
  assert.equal(asym.length, 1, JSON.stringify(h.events.map((e) => e.summary)));
  assert.equal(asym[0].subject, "10.0.0.1 and 10.0.0.2");
  assert.equal(asym[0].evidence.conversations, n);
  // The exporters' interfaces are in the minute's sums, and the flows remember their exporter.
  const m = h.minutes[0];
  assert.deepEqual(
    m.interfaces.map((r) => `${r.exporter} ${r.if_index} in ${r.in_bytes} out ${r.out_bytes}`).sort(),
    [
      `10.0.0.1 1 in ${36 * 10_000} out 0`,
      `10.0.0.1 2 in 0 out ${36 * 10_000}`,
      `10.0.0.2 1 in ${12 * 10_000} out 0`,
      `10.0.0.2 2 in 0 out ${12 * 10_000}`,
    ],
  );
  const f = m.flows;
  assert.equal(f.count, 4 * n);
  assert.deepEqual([...m.exporters].sort(), ["10.0.0.1", "10.0.0.2"]);
  for (let r = 0; r < f.count; r++) {
    // Only the records from 198.51.100.x came through router 2.
    const back = f.src[r << 2] >>> 24 === 198;
    assert.equal(m.exporters[f.exporter[r] - 1], back ? "10.0.0.2" : "10.0.0.1", `flow ${r}`);
    assert.deepEqual([f.inIf[r], f.outIf[r], f.bytes[r], f.packets[r]], [1, 2, 10_000, 10]);
  }
});

Deno.test("an exporter interface carrying ten times its usual traffic is a spike, named as the exporter's poll names it", () => {
  const h = harness(CFG, (exporter, ifIndex) => exporter === "10.0.0.1" && ifIndex === 3 ? "Gi0/3" : null);
  const minute = (m: number, bytes: number) => {
    const b = createFlowRecordBatch(1);
    const s = parseIp("10.0.5.5")!, d = parseIp("198.51.100.7")!, e = parseIp("10.0.0.1")!;
    b.family[0] = 4;
    b.src.set(s.words, 0);
    b.dst.set(d.words, 0);
    b.exporter.set(e.words, 0);
    b.exporterFamily[0] = 4;
    b.srcPort[0] = 40000;
    b.dstPort[0] = 443;
    b.proto[0] = 6;
    b.bytes[0] = bytes;
    b.packets[0] = bytes / 1000;
    b.tsMs[0] = T0 + m * MINUTE + 2000;
    b.inIf[0] = 3;
    b.outIf[0] = 0;
    b.count = 1;
    h.pipeline.consumeRecords(b);
    h.pipeline.advanceTo(T0 + (m + 1) * MINUTE + 1);
  };
  for (let m = 0; m < 12; m++) minute(m, 2_000_000);
  minute(12, 20_000_000);
  const spikes = h.events.filter((e) => e.type === "traffic_spike");
  // The subnet 10.0.5.0/24 spikes too; the interface is its own subject.
  const iface = spikes.find((e) => e.subject_kind === "interface");
  assert.ok(iface, JSON.stringify(h.events.map((e) => e.summary)));
  assert.equal(iface.subject, "10.0.0.1 ifIndex 3 (Gi0/3)");
  assert.equal(iface.ip, "10.0.0.1");
  assert.equal(iface.evidence.bytes, 20_000_000);
  assert.match(
    iface.summary,
    /^The traffic through 10\.0\.0\.1 ifIndex 3 \(Gi0\/3\) rose to 10 times its usual level/,
  );
});

Deno.test("the minute handed to the flow history lists every local host's sums, also as the Worker receives it", () => {
  const h = harness();
  h.send([
    {
      src: "10.0.0.5",
      dst: "10.0.0.53",
      srcPort: 10000,
      dstPort: 53,
      proto: 17,
      ipBytes: 70,
      tsMs: T0 + 1000,
    },
    {
      src: "10.0.0.53",
      dst: "10.0.0.5",
      srcPort: 53,
      dstPort: 10000,
      proto: 17,
      ipBytes: 90,
      tsMs: T0 + 1001,
    },
    {
      src: "10.0.0.5",
      dst: "1.1.1.1",
      srcPort: 40000,
      dstPort: 443,
      proto: 6,
      ipBytes: 500,
      tsMs: T0 + 2000,
    },
  ]);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  assert.equal(h.minutes.length, 1);
  const expected = [
    {
      ip: "10.0.0.5",
      sent_bytes: 570,
      received_bytes: 90,
      sent_packets: 2,
      received_packets: 1,
      flows: 3,
      dns_queries: 1,
      dns_served: 0,
    },
    {
      ip: "10.0.0.53",
      sent_bytes: 90,
      received_bytes: 70,
      sent_packets: 1,
      received_packets: 1,
      flows: 2,
      dns_queries: 0,
      dns_served: 1,
    },
  ];
  assert.deepEqual(h.minutes[0].hosts, expected);
  assert.deepEqual(structuredClone(h.minutes[0]).hosts, expected);
});

Deno.test("ARP requests to 120 hosts among IP rows are a host sweep; replies, gratuitous ARP, 0.0.0.0 probes and unicast requests are not", () => {
  const h = harness();
  const b = createPacketBatch(1024);
  const arpRow = (op: number, spa: string, tpa: string, tsMs: number, unicast = 0) => {
    const body = arp({ op, sha: "02:00:00:00:00:01", spa, tpa });
    const r = b.count++;
    assert.equal(decodeArp(body, 0, body.length, b, r), OK);
    b.tsMs[r] = tsMs;
    b.arpUnicast[r] = unicast; // what the decoder reads off the frame's destination
  };
  for (let i = 0; i < 120; i++) {
    addIpRow(b, {
      src: "10.0.0.7",
      dst: "10.0.0.8",
      srcPort: 1,
      dstPort: 2,
      proto: 6,
      ipBytes: 60,
      tsMs: T0 + i,
    });
    arpRow(1, "10.0.0.66", `10.0.1.${i}`, T0 + i); // the sweep
    arpRow(2, "10.0.0.67", `10.0.2.${i}`, T0 + i); // replies ask nothing
    arpRow(1, "10.0.0.68", "10.0.0.68", T0 + i); // gratuitous
    arpRow(1, "0.0.0.0", `10.0.3.${i}`, T0 + i); // address probe (RFC 5227)
    arpRow(1, "10.0.0.1", `10.0.4.${i}`, T0 + i, 1); // a router re-checking the neighbours it knows
  }
  h.pipeline.consume(b);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  const sweeps = h.events.filter((e) => e.type === "host_sweep");
  assert.deepEqual(sweeps.map((e) => [e.ip, e.evidence.hosts]), [["10.0.0.66", 120]]);
});

Deno.test("broadcast ARP requests the ARP watcher judged a gateway finding known neighbours probe no one; the rest do", () => {
  const h = harness();
  const b = createPacketBatch(1024);
  const judged = new Uint8Array(1024); // the ARP watcher's column (detect/arp_security.ts neighbourRequests)
  h.engine.gatewayRequest = (row) => judged[row] === 1;
  const arpRow = (sha: string, spa: string, tpa: string, tsMs: number, gateway: boolean) => {
    const body = arp({ op: 1, sha, spa, tpa });
    const r = b.count++;
    assert.equal(decodeArp(body, 0, body.length, b, r), OK);
    b.tsMs[r] = tsMs;
    judged[r] = gateway ? 1 : 0;
  };
  for (let i = 0; i < 120; i++) {
    arpRow("02:00:00:00:00:01", "10.0.0.1", `10.0.4.${i}`, T0 + i, i < 100); // 20 for hosts nobody claimed
    arpRow("02:00:00:00:00:66", "10.0.0.66", `10.0.4.${i}`, T0 + i, false); // a host asking for the same
  }
  h.pipeline.consume(b);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  const sweeps = h.events.filter((e) => e.type === "host_sweep");
  assert.deepEqual(sweeps.map((e) => [e.ip, e.evidence.hosts]), [["10.0.0.66", 120]]);
  assert.equal(h.engine.stats().gateway_arp_requests, 100);
});

Deno.test("a host asking by broadcast for hosts that had sent it traffic first is answering them: no probe; hosts that send to it only after, or to another host, are", () => {
  const h = harness();
  const b = createPacketBatch(1024);
  const arpRow = (sha: string, spa: string, tpa: string, tsMs: number) => {
    const body = arp({ op: 1, sha, spa, tpa });
    const r = b.count++;
    assert.equal(decodeArp(body, 0, body.length, b, r), OK);
    b.tsMs[r] = tsMs;
  };
  const SERVER = "10.0.0.5", SERVER_MAC = "02:00:00:00:00:05", SWEEPER = "10.0.0.66";
  for (let i = 0; i < 120; i++) {
    const t = T0 + i * 100;
    // a client's query, then the server asking for the client to answer it (its neighbour cache dropped it)
    addIpRow(b, udp(`10.0.5.${i}`, SERVER, 40000 + i, 53, t));
    arpRow(SERVER_MAC, SERVER, `10.0.5.${i}`, t + 1);
    // the server asking for hosts that only talked to someone else
    addIpRow(b, udp(`10.0.7.${i}`, "10.0.0.9", 40000 + i, 53, t + 2));
    arpRow(SERVER_MAC, SERVER, `10.0.7.${i}`, t + 3);
    // a sweep: each host it asks for answers it only afterwards (as nmap -sS's targets do)
    arpRow("02:00:00:00:00:66", SWEEPER, `10.0.6.${i}`, t + 4);
    addIpRow(b, udp(`10.0.6.${i}`, SWEEPER, 22, 40000 + i, t + 5));
  }
  h.pipeline.consume(b);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  const sweeps = h.events.filter((e) => e.type === "host_sweep");
  assert.deepEqual(sweeps.map((e) => [e.ip, e.evidence.hosts]).sort(), [[SERVER, 120], [SWEEPER, 120]]);
  const sample = sweeps.find((e) => e.ip === SERVER)!.evidence.host_sample as string[];
  assert.ok(sample.every((ip) => ip.startsWith("10.0.7.")), JSON.stringify(sample));
  assert.equal(h.engine.stats().answering_arp_requests, 120);
});

Deno.test("probes past the log's bound are counted in the minute's stats, ARP requests with the rest", () => {
  const table = new FlowTable(1024);
  const engine = new AnalysisEngine(table, {
    localNetworks: [parseCidr("10.0.0.0/8")],
    analyzers: [],
    publish: () => {},
    probesPerMinute: 20,
  });
  const pipeline = new FlowPipeline(table, [engine, engine.arpProbes], {
    intervalMs: 10_000,
    idleTimeoutMs: 120_000,
    activeTimeoutMs: 1_800_000,
  });
  const b = createPacketBatch(64);
  for (let p = 1; p <= 15; p++) addIpRow(b, syn("10.0.0.66", "10.0.0.10", p, T0 + p));
  for (let i = 0; i < 10; i++) {
    const body = arp({ op: 1, sha: "02:00:00:00:00:66", spa: "10.0.0.66", tpa: `10.0.9.${i}` });
    const r = b.count++;
    assert.equal(decodeArp(body, 0, body.length, b, r), OK);
    b.tsMs[r] = T0 + 20 + i;
  }
  pipeline.consume(b);
  pipeline.advanceTo(T0 + MINUTE + 1);
  assert.equal(engine.stats().probes_not_logged, 5); // 25 probes, 20 logged
});

Deno.test("a flow id the table gives to another flow within the minute is summed as that flow, and an old 5-tuple back in a new id as before", () => {
  // Flows idle for 5 s leave the table at each 10 s interval's close, so their ids are given out again.
  const { table, pipeline, minutes } = harness(CFG, undefined, 5_000);
  const send = (src: string, dst: string, ipBytes: number, tsMs: number) => {
    const b = createPacketBatch(4);
    addIpRow(b, { src, dst, srcPort: 40000, dstPort: 80, proto: 6, ipBytes, tsMs });
    pipeline.consume(b);
  };
  send("10.0.0.1", "10.0.0.2", 100, T0 + 1000); // A, id 0
  send("10.0.0.1", "10.0.0.2", 100, T0 + 9000); // A again, same interval
  send("10.0.0.3", "10.0.0.4", 7, T0 + 21_000); // A left at 10 s; B takes id 0
  send("10.0.0.3", "10.0.0.4", 7, T0 + 31_000); // B, a later interval, still id 0
  send("10.0.0.1", "10.0.0.2", 1000, T0 + 45_000); // B left; A's 5-tuple again, in id 0 once more
  pipeline.advanceTo(T0 + MINUTE + 1);
  assert.ok(table.generation[0] >= 3, `id 0 held three flows (generation ${table.generation[0]})`);
  const m = minutes[0], f = m.flows;
  assert.deepEqual(
    Array.from(
      { length: f.count },
      (_, r) => [f.src[r << 2] & 0xff, f.dst[r << 2] & 0xff, f.bytes[r], f.packets[r]],
    ),
    [[1, 2, 1200, 3], [3, 4, 14, 2]],
  );
  // `flows` counts a flow once an interval it carried something in: A in two intervals, B in two.
  assert.deepEqual(m.hosts.map((h) => [h.ip, h.sent_bytes, h.received_bytes, h.flows]), [
    ["10.0.0.1", 1200, 0, 2],
    ["10.0.0.2", 0, 1200, 2],
    ["10.0.0.3", 14, 0, 2],
    ["10.0.0.4", 0, 14, 2],
  ]);
  assert.deepEqual(m.subnets.map((s) => [s.cidr, s.bytes]), [["10.0.0.0/24", 1214]]);
});

Deno.test("UDP to 150 hosts is a host sweep only when unanswered, also in flow ids that held answered flows earlier in the minute", () => {
  // Flows idle for 5 s leave the table at each 10 s interval's close, so the unanswered flows at 30 s take
  // the ids of the answered ones judged at 10 s: what was judged belongs to the flow, not to its id.
  const h = harness(CFG, undefined, 5_000);
  const answered: IpRow[] = [];
  for (let i = 1; i <= 150; i++) {
    answered.push(udp("10.0.0.77", `10.0.1.${i}`, 40000 + i, 161, T0 + i * 10));
    answered.push(udp(`10.0.1.${i}`, "10.0.0.77", 161, 40000 + i, T0 + i * 10 + 1));
  }
  h.send(answered);
  // The interval closes at 10 s (every flow judged answered) and at 20 s (they leave the table).
  h.send([udp("10.0.0.1", "10.0.0.2", 1, 2, T0 + 15_000), udp("10.0.0.1", "10.0.0.2", 1, 2, T0 + 25_000)]);
  assert.equal(h.table.size, 1, "the answered flows left the table");
  const unanswered: IpRow[] = [];
  for (let i = 1; i <= 150; i++) {
    unanswered.push(udp("10.0.0.88", `10.0.2.${i}`, 50000 + i, 161, T0 + 30_000 + i * 10));
  }
  h.send(unanswered);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  assert.deepEqual(h.events.map((e) => [e.type, e.ip, e.evidence.hosts]), [["host_sweep", "10.0.0.88", 150]]);
});

Deno.test("UDP to 150 hosts that answered is no host sweep, also when the answers left a full table before the interval closed", () => {
  // A table of 400 flows: 150 questions (two packets each, so CLOCK passes them over once) and their 150
  // answers (one packet each), then 250 flows of others, each evicting the least recently used: the answers.
  const h = harness(CFG, undefined, 120_000, 400);
  const rows: IpRow[] = [];
  for (let i = 1; i <= 150; i++) {
    rows.push(udp("10.0.0.77", `10.0.1.${i}`, 40000 + i, 161, T0 + i * 10));
    rows.push(udp(`10.0.1.${i}`, "10.0.0.77", 161, 40000 + i, T0 + i * 10 + 1));
    rows.push(udp("10.0.0.77", `10.0.1.${i}`, 40000 + i, 161, T0 + i * 10 + 2));
  }
  for (let i = 0; i < 250; i++) rows.push(udp("10.0.5.1", "10.0.5.2", 1000 + i, 9, T0 + 2_000 + i));
  h.send(rows);
  const gone = Array.from({ length: 150 }, (_, k) => k + 1)
    .filter((i) => findFlow(h.table, udp(`10.0.1.${i}`, "10.0.0.77", 161, 40000 + i, 0)) < 0);
  assert.ok(gone.length >= 100, `answers evicted before the close: ${gone.length}`);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  assert.deepEqual(h.events.map((e) => [e.type, e.ip]), []);
});

Deno.test("a minute with more flows than it keeps counts each flow once, however many intervals it is active in", () => {
  // 10 flows a minute in the summary, 40 followed: 100 flows active in all six intervals of the minute.
  const h = harness({ ...CFG, historyFlowsPerMinute: 10 });
  for (let iv = 0; iv < 6; iv++) {
    const rows: IpRow[] = [];
    for (let i = 0; i < 100; i++) {
      rows.push({
        src: "10.0.0.5",
        dst: `10.0.3.${i + 1}`,
        srcPort: 40000 + i,
        dstPort: 443,
        proto: 6,
        ipBytes: 1000 + i,
        tsMs: T0 + iv * 10_000 + i * 10,
        tcpFlags: SYN | ACK,
      });
    }
    h.send(rows);
  }
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  const totals = h.minutes[0].totals;
  assert.deepEqual([totals.flows, totals.flows_not_kept, h.minutes[0].flows.count], [100, 90, 10]);
  assert.equal(totals.bytes, 6 * (100 * 1000 + (99 * 100) / 2));
  // The ten kept are the largest of the 40 followed (the first offered), with all six intervals' octets.
  assert.deepEqual(Array.from(h.minutes[0].flows.bytes.slice(0, 3)), [6 * 1039, 6 * 1038, 6 * 1037]);
});

Deno.test("a record of a captured flow is not counted into the flow, but still into its exporter's interfaces", () => {
  const h = harness();
  // The capture sees the flow: 3 packets of 500 octets.
  h.send([0, 1, 2].map((k) => ({
    src: "10.0.0.7",
    dst: "198.51.100.9",
    srcPort: 40000,
    dstPort: 443,
    proto: 6,
    ipBytes: 500,
    tsMs: T0 + 1000 + k,
    tcpFlags: ACK,
  })));
  // The router exports the same flow: in on ifIndex 3, out on 5.
  const b = createFlowRecordBatch(1);
  putRecord(b, 0, {
    src: "10.0.0.7",
    dst: "198.51.100.9",
    sp: 40000,
    dp: 443,
    exporter: "10.0.0.1",
    bytes: 1500,
    packets: 3,
    tsMs: T0 + 2000,
    inIf: 3,
    outIf: 5,
  });
  b.count = 1;
  h.pipeline.consumeRecords(b);
  h.pipeline.advanceTo(T0 + MINUTE + 1);
  const m = h.minutes[0];
  assert.equal(m.totals.bytes, 1500, "the flow counted once");
  assert.equal(h.table.recordsSeenTwice, 1);
  assert.deepEqual(
    m.interfaces.map((r) => `${r.exporter} ${r.if_index} in ${r.in_bytes}/${r.in_packets} out ${r.out_bytes}`)
      .sort(),
    ["10.0.0.1 3 in 1500/3 out 0", "10.0.0.1 5 in 0/0 out 1500"],
  );
});
