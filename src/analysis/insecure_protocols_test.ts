import assert from "node:assert/strict";
import type { MinuteSummary } from "../events/mod.ts";
import { parseIp } from "../net/mod.ts";
import type { MinuteInput } from "./analyzer.ts";
import { InsecureProtocolAnalyzer } from "./insecure_protocols.ts";
import { MinuteHosts } from "./minute_hosts.ts";
import { createMinuteFlowColumns } from "./minute_flows.ts";

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const SYN = 0x02, ACK = 0x10;

interface Row {
  src: string;
  dst: string;
  sp: number;
  dp: number;
  proto: number;
  flags?: number;
  packets: number;
}

/** A minute holding `rows` as its kept flows, nothing else. */
function minute(rows: Row[]): MinuteInput {
  const f = createMinuteFlowColumns(rows.length);
  rows.forEach((r, i) => {
    const s = parseIp(r.src)!, d = parseIp(r.dst)!;
    f.family[i] = s.family;
    f.src.set(s.words, i << 2);
    f.dst.set(d.words, i << 2);
    f.srcPort[i] = r.sp;
    f.dstPort[i] = r.dp;
    f.proto[i] = r.proto;
    f.tcpFlags[i] = r.flags ?? 0;
    f.packets[i] = r.packets;
    f.bytes[i] = r.packets * 100;
  });
  f.count = rows.length;
  const summary: MinuteSummary = {
    minuteMs: T0,
    flows: f,
    exporters: [],
    hosts: [],
    subnets: [],
    interfaces: [],
    totals: { bytes: 0, packets: 0, flows: rows.length, flows_not_kept: 0 },
  };
  const hosts = new MinuteHosts(0, new Uint8Array(0), new Uint32Array(0), new Float64Array(0));
  return { summary, hosts, endMs: T0 + 60_000, probes: [], cleartext: [], asymmetric: new Map() };
}

Deno.test("a telnet or FTP server that answered with data is reported once per server, its flows counted", () => {
  const found = new InsecureProtocolAnalyzer().analyze(minute([
    // server → client directions: source port 23 / 21, SYN+ACK seen, at least 3 packets
    { src: "10.0.0.23", dst: "10.0.0.5", sp: 23, dp: 40001, proto: 6, flags: SYN | ACK, packets: 12 },
    { src: "10.0.0.23", dst: "10.0.0.6", sp: 23, dp: 40002, proto: 6, flags: SYN | ACK | 0x08, packets: 3 },
    { src: "fd00::21", dst: "fd00::5", sp: 21, dp: 40003, proto: 6, flags: SYN | ACK, packets: 5 },
  ]));
  assert.deepEqual(
    found.map((f) => [f.key, f.ip, f.evidence.protocol, f.evidence.client, f.evidence.flows]),
    [["telnet|10.0.0.23", "10.0.0.23", "telnet", "10.0.0.5", 2], [
      "FTP|fd00::21",
      "fd00::21",
      "FTP",
      "fd00::5",
      1,
    ]],
  );
});

Deno.test("a refused, one-sided or client-side telnet flow is not reported, nor a port that is not in the list", () => {
  const found = new InsecureProtocolAnalyzer().analyze(minute([
    { src: "10.0.0.23", dst: "10.0.0.5", sp: 23, dp: 40001, proto: 6, flags: SYN | ACK, packets: 2 },
    { src: "10.0.0.23", dst: "10.0.0.5", sp: 23, dp: 40002, proto: 6, flags: ACK, packets: 9 },
    { src: "10.0.0.5", dst: "10.0.0.23", sp: 40003, dp: 23, proto: 6, flags: SYN | ACK, packets: 9 },
    { src: "10.0.0.22", dst: "10.0.0.5", sp: 22, dp: 40004, proto: 6, flags: SYN | ACK, packets: 9 },
    { src: "10.0.0.23", dst: "10.0.0.5", sp: 23, dp: 40005, proto: 17, packets: 9 },
  ]));
  assert.deepEqual(found, []);
});

Deno.test("TFTP is a UDP request to port 69; a reply from port 69 or TCP on 69 is not", () => {
  const found = new InsecureProtocolAnalyzer().analyze(minute([
    { src: "10.0.0.69", dst: "10.0.0.5", sp: 69, dp: 40001, proto: 17, packets: 4 },
    { src: "10.0.0.5", dst: "10.0.0.70", sp: 40002, dp: 69, proto: 6, flags: SYN | ACK, packets: 4 },
    { src: "10.0.0.5", dst: "10.0.0.69", sp: 40003, dp: 69, proto: 17, packets: 1 },
  ]));
  assert.deepEqual(found.map((f) => [f.key, f.evidence.client, f.evidence.port, f.evidence.flows]), [
    ["TFTP|10.0.0.69", "10.0.0.5", 69, 1],
  ]);
});

Deno.test("an agent answering this Flintnet's poll with \"public\" is reported, saying the poll was Flintnet's and what it needs next", () => {
  const OWN = "10.0.0.2";
  const sighting = (server: string, client: string, port: number) => ({
    what: "snmp_v2c_public" as const,
    server,
    port,
    client,
    packets: 2,
    firstMs: T0,
    lastMs: T0 + 1000,
  });
  const m = minute([]);
  m.cleartext = [
    sighting("10.0.0.10", OWN, 161), // answered Flintnet's poll
    sighting("10.0.0.11", "10.0.0.99", 161), // answered another manager
    sighting("10.0.0.12", OWN, 40_162), // a trap sent to Flintnet (from the agent's port)
  ];
  const found = new Map(new InsecureProtocolAnalyzer([OWN, "fe80::1"]).analyze(m).map((f) => [f.ip, f]));
  const ours = found.get("10.0.0.10")!;
  assert.equal(ours.evidence.client_is_flintnet, true);
  assert.match(ours.summary, /last seen from 10\.0\.0\.2, this Flintnet, whose poll the agent answered\)\.$/);
  assert.match(ours.action, /FLINTNET_SNMP_COMMUNITIES/);
  for (const ip of ["10.0.0.11", "10.0.0.12"]) {
    const other = found.get(ip)!;
    assert.equal(other.evidence.client_is_flintnet, undefined, ip);
    assert.doesNotMatch(other.summary, /Flintnet/, ip);
    assert.doesNotMatch(other.action, /FLINTNET_/, ip);
  }
});
