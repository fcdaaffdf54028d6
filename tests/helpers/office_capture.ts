/**
 * A small office's traffic as a pcap, for tests that replay it into a live daemon (tcpreplay into a
 * veth): workstations talking TCP and UDP to a local file server and to a few outside addresses, and the
 * LLDP announcements of the access switch the capture port is plugged into. Every frame is written here
 * byte by byte, so what the daemon reports can be compared with what was written ({@link OFFICE_FLOWS}).
 *
 * The switch is sw-access of tests/fixtures/topology/aruba_2930f_lldp.snmprec (its chassis MAC, name and
 * management address), so the neighbour heard in capture and the device polled over SNMP are one node.
 *
 * @example
 * const pcap = officeCapture({ net: "10.231.55", switchIp: "127.0.110.2", switchPort: "5" });
 * await Deno.writeFile(path, pcap);
 */
import type { FlowJson } from "../../src/flow/mod.ts";
import { writePcap } from "./capture_writer.ts";
import { lldpFrame, lldpTlv } from "./discovery_frames.ts";
import { ethernet, ETHERTYPE_IPV4, ipv4, ipv4Bytes, PROTO, tcp, udp } from "./frames.ts";

/** One flow of the capture, one direction (what GET /flows lists as one row), with what was written. */
export type OfficeFlow = Pick<
  FlowJson,
  "src_ip" | "dst_ip" | "src_port" | "dst_port" | "protocol" | "packets" | "bytes"
>;

/** Options of {@link officeCapture}. */
export interface OfficeCaptureOptions {
  /** The first three octets of the office's /24 ("10.231.55"). */
  net: string;
  /** The switch's management address (its LLDP Management Address TLV). */
  switchIp: string;
  /** The switch port the capture interface is plugged into (LLDP Port ID, interface name). */
  switchPort: string;
  /** LLDP TTL in seconds: long enough for the test that replays it once. @default 900 */
  ttlS?: number;
}

/** sw-access's LLDP chassis ID (lldpLocChassisId of aruba_2930f_lldp.snmprec). */
export const SWITCH_CHASSIS_MAC = "94:f1:28:00:00:01";
/** sw-access's system name. */
export const SWITCH_NAME = "sw-access";

const text = (s: string) => [...new TextEncoder().encode(s)];

/** The LLDPDU sw-access sends out of `port` (IEEE 802.1AB-2016 §8.5). */
function switchLldpdu(o: OfficeCaptureOptions): number[] {
  const ttl = o.ttlS ?? 900;
  return [
    ...lldpTlv(1, [4, ...SWITCH_CHASSIS_MAC.split(":").map((h) => parseInt(h, 16))]), // Chassis ID, subtype 4 MAC
    ...lldpTlv(2, [5, ...text(o.switchPort)]), // Port ID, subtype 5 interface name
    ...lldpTlv(3, [ttl >> 8, ttl & 0xff]), // Time To Live, seconds
    ...lldpTlv(4, text(o.switchPort)), // Port Description
    ...lldpTlv(5, text(SWITCH_NAME)), // System Name
    ...lldpTlv(6, text("Aruba JL258A 2930F-8G-PoE+-2SFP+ Switch, revision WC.16.10.0009")), // System Description
    ...lldpTlv(7, [0x00, 0x04, 0x00, 0x04]), // System Capabilities: bridge supported, bridge enabled
    // Management Address: string length 5, subtype 1 IPv4, the address, ifIndex subtype 2, number 0, no OID.
    ...lldpTlv(8, [5, 1, ...ipv4Bytes(o.switchIp), 2, 0, 0, 0, 0, 0]),
    ...lldpTlv(0, []), // End of LLDPDU
  ];
}

/**
 * The office's flows: six workstations (.20–.25) to the file server .30 (SMB, TCP 445), to a DNS resolver
 * (UDP 53) and to two web servers outside (TCP 443); sizes differ per host so the largest are distinct.
 */
function plannedFlows(net: string): Omit<OfficeFlow, "bytes">[] {
  const flows: Omit<OfficeFlow, "bytes">[] = [];
  for (let i = 0; i < 6; i++) {
    const ws = `${net}.${20 + i}`;
    flows.push(
      {
        src_ip: ws,
        dst_ip: `${net}.30`,
        src_port: 50100 + i,
        dst_port: 445,
        protocol: PROTO.TCP,
        packets: 4 + 2 * i,
      },
      {
        src_ip: ws,
        dst_ip: "198.51.100.53",
        src_port: 53000 + i,
        dst_port: 53,
        protocol: PROTO.UDP,
        packets: 2,
      },
      {
        src_ip: ws,
        dst_ip: i % 2 === 0 ? "192.0.2.80" : "203.0.113.44",
        src_port: 51200 + i,
        dst_port: 443,
        protocol: PROTO.TCP,
        packets: 3 + i,
      },
    );
  }
  return flows;
}

/** The MAC of a workstation, from its last octet (locally administered). */
function macOf(ip: string): string {
  const last = Number(ip.split(".")[3]);
  return `02:0f:00:00:00:${last.toString(16).padStart(2, "0")}`;
}

/** The flows {@link officeCapture} writes, with the bytes it writes for each. */
export const OFFICE_FLOWS = (net: string): OfficeFlow[] =>
  plannedFlows(net).map((f) => ({ ...f, bytes: f.packets * (20 + payloadOf(f).length + headerOf(f)) }));

function headerOf(f: Omit<OfficeFlow, "bytes">): number {
  return f.protocol === PROTO.TCP ? 20 : 8;
}

function payloadOf(f: Omit<OfficeFlow, "bytes">): Uint8Array {
  // A per-flow size (port-derived), so no two flows carry the same bytes.
  return new Uint8Array(100 + (f.dst_port % 7) * 50 + (f.src_port % 10) * 10);
}

/** The pcap: three LLDP announcements, then every flow's packets, 1 ms apart. */
export function officeCapture(o: OfficeCaptureOptions): Uint8Array {
  const t0 = Date.UTC(2024, 0, 15, 9, 0, 0);
  const frames: { data: Uint8Array; tsMs: number }[] = [];
  const lldp = lldpFrame(switchLldpdu(o), { src: "94:f1:28:00:00:05" });
  for (let i = 0; i < 3; i++) frames.push({ data: lldp, tsMs: t0 + i * 1000 });
  let t = t0 + 3000;
  for (const f of plannedFlows(o.net)) {
    const data = payloadOf(f);
    for (let p = 0; p < f.packets; p++) {
      const l4 = f.protocol === PROTO.TCP
        ? tcp({ srcPort: f.src_port, dstPort: f.dst_port, seq: 1000 + p, flags: p === 0 ? 0x02 : 0x18 }, data)
        : udp({ srcPort: f.src_port, dstPort: f.dst_port }, data);
      const ip = ipv4({ src: f.src_ip, dst: f.dst_ip, proto: f.protocol, id: p }, l4);
      frames.push({
        data: ethernet({ src: macOf(f.src_ip), dst: "02:0f:00:00:00:01", etherType: ETHERTYPE_IPV4 }, ip),
        tsMs: t++,
      });
    }
  }
  return writePcap(frames);
}
