/**
 * A small office's traffic as a pcap, for tests that replay it into a live daemon (tcpreplay into a
 * veth): workstations asking DNS (real queries and answers) and talking TCP to a local file server and to
 * web servers outside (TLS ClientHellos with a server name, one plain HTTP request), the LLDP
 * announcements of the access switch the capture port is plugged into, and, when asked, one host
 * port-scanning the file server. Every frame is written here byte by byte, so what the daemon reports can
 * be compared with what was written ({@link OFFICE_FLOWS}) and with what tshark reads in the file.
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
import { dnsQuery, dnsResponse, httpGet, tlsClientHello } from "./name_payloads.ts";

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
  /** Ports of the file server (.30) that .66 sends one SYN each (1, 2, …): a port scan. @default 0 */
  scanPorts?: number;
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

/** The resolver the workstations ask, outside the office. */
export const RESOLVER = "198.51.100.53";
/** The two web servers outside. */
const WEB = ["192.0.2.80", "203.0.113.44"];

/** What workstation i asks DNS, and what it is told (an A answer names the address for later flows). */
function dnsExchange(i: number, net: string): { name: string; type: "A" | "AAAA"; response: Uint8Array } {
  const id = 0x4000 + i;
  const a = (name: string, data: string, ttl: number) =>
    dnsResponse(id, name, "A", { answers: [{ type: "A", data, ttl }] });
  switch (i) {
    case 0:
      return { name: "www.example.com", type: "A", response: a("www.example.com", WEB[0], 300) };
    case 1:
      return { name: "mail.example.org", type: "A", response: a("mail.example.org", WEB[1], 600) };
    case 2:
      return {
        name: "updates.example.net",
        type: "A",
        response: dnsResponse(id, "updates.example.net", "A", { rcode: "NXDOMAIN" }),
      };
    case 3:
      return {
        name: "www.example.com",
        type: "AAAA",
        response: dnsResponse(id, "www.example.com", "AAAA", {}),
      };
    case 4:
      return { name: "www.example.com", type: "A", response: a("www.example.com", WEB[0], 300) };
    default:
      return {
        name: "printer.office.example",
        type: "A",
        response: dnsResponse(id, "printer.office.example", "A", {
          answers: [{ type: "CNAME", data: "prn-2.office.example", ttl: 60 }, {
            type: "A",
            data: `${net}.40`,
            ttl: 60,
          }],
        }),
      };
  }
}

/** A flow as planned: its 5-tuple and each packet's payload; a TCP flow starts with a SYN without data. */
type Planned = Omit<OfficeFlow, "bytes" | "packets"> & { payloads: Uint8Array[] };

/** A per-flow size (port-derived), so no two flows carry the same bytes. */
function filler(srcPort: number, dstPort: number, packets: number): Uint8Array[] {
  return Array.from(
    { length: packets },
    () => new Uint8Array(100 + (dstPort % 7) * 50 + (srcPort % 10) * 10),
  );
}

/**
 * The office's flows: six workstations (.20–.25) ask the resolver (UDP 53, query and response flows,
 * written first so the answers name the addresses before the connections start), then talk to the file
 * server .30 (SMB, TCP 445) and to the two web servers (TCP 443: the ClientHellos of .20, .21 and .23 name
 * www.example.com, mail.example.org and calendar.example.org; .22, .24 and .25 send none and are named by DNS);
 * .25 also fetches a page over plain HTTP from the first (Host portal.example.com). Sizes differ per host.
 */
function plannedFlows(o: OfficeCaptureOptions): Planned[] {
  const { net } = o;
  const dns: Planned[] = [], rest: Planned[] = [];
  const tcpFlow = (src_ip: string, dst_ip: string, src_port: number, dst_port: number, p: Uint8Array[]) => ({
    src_ip,
    dst_ip,
    src_port,
    dst_port,
    protocol: PROTO.TCP,
    payloads: [new Uint8Array(0), ...p],
  });
  for (let i = 0; i < 6; i++) {
    const ws = `${net}.${20 + i}`;
    const x = dnsExchange(i, net);
    const query = { src_ip: ws, dst_ip: RESOLVER, src_port: 53000 + i, dst_port: 53, protocol: PROTO.UDP };
    dns.push(
      { ...query, payloads: [dnsQuery(0x4000 + i, x.name, x.type)] },
      { ...query, src_ip: RESOLVER, dst_ip: ws, src_port: 53, dst_port: 53000 + i, payloads: [x.response] },
    );
    rest.push(tcpFlow(ws, `${net}.30`, 50100 + i, 445, filler(50100 + i, 445, 3 + 2 * i)));
    const web = WEB[i % 2];
    const hello = i === 0
      ? [tlsClientHello("www.example.com")]
      : i === 1
      ? [tlsClientHello("mail.example.org")]
      : i === 3
      ? [tlsClientHello("calendar.example.org")]
      : [];
    rest.push(tcpFlow(ws, web, 51200 + i, 443, [...hello, ...filler(51200 + i, 443, 2 + i)]));
  }
  rest.push(
    tcpFlow(`${net}.25`, WEB[0], 51300, 80, [httpGet("portal.example.com"), ...filler(51300, 80, 2)]),
  );
  for (let port = 1; port <= (o.scanPorts ?? 0); port++) {
    // One SYN each, never answered: a probe (docs/advisories.md).
    rest.push({ ...tcpFlow(`${net}.66`, `${net}.30`, 41066, port, []) });
  }
  return [...dns, ...rest];
}

/** The MAC of a host, from its last octet (locally administered); outside addresses come via .1. */
function macOf(ip: string, net: string): string {
  const last = ip.startsWith(`${net}.`) ? Number(ip.split(".")[3]) : 1;
  return `02:0f:00:00:00:${last.toString(16).padStart(2, "0")}`;
}

/** One packet of a planned flow: its IP datagram. Sequence numbers advance by the data sent. */
function datagrams(f: Planned): Uint8Array[] {
  let seq = 1000;
  return f.payloads.map((data, p) => {
    const l4 = f.protocol === PROTO.TCP
      ? tcp({ srcPort: f.src_port, dstPort: f.dst_port, seq, flags: p === 0 ? 0x02 : 0x18 }, data)
      : udp({ srcPort: f.src_port, dstPort: f.dst_port }, data);
    if (f.protocol === PROTO.TCP) seq += p === 0 ? 1 : data.length;
    return ipv4({ src: f.src_ip, dst: f.dst_ip, proto: f.protocol, id: p }, l4);
  });
}

/** The flows {@link officeCapture} writes, with the packets and IP-layer bytes it writes for each. */
export const OFFICE_FLOWS = (net: string, scanPorts = 0): OfficeFlow[] =>
  plannedFlows({ net, switchIp: "", switchPort: "", scanPorts }).map(({ payloads: _, ...f }) => {
    const d = datagrams({ ...f, payloads: _ });
    return { ...f, packets: d.length, bytes: d.reduce((n, x) => n + x.length, 0) };
  });

/** The pcap: three LLDP announcements, then every flow's packets, 1 ms apart. */
export function officeCapture(o: OfficeCaptureOptions): Uint8Array {
  const t0 = Date.UTC(2024, 0, 15, 9, 0, 0);
  const frames: { data: Uint8Array; tsMs: number }[] = [];
  const lldp = lldpFrame(switchLldpdu(o), { src: "94:f1:28:00:00:05" });
  for (let i = 0; i < 3; i++) frames.push({ data: lldp, tsMs: t0 + i * 1000 });
  let t = t0 + 3000;
  for (const f of plannedFlows(o)) {
    for (const ip of datagrams(f)) {
      const eth = { src: macOf(f.src_ip, o.net), dst: macOf(f.dst_ip, o.net), etherType: ETHERTYPE_IPV4 };
      frames.push({ data: ethernet(eth, ip), tsMs: t++ });
    }
  }
  return writePcap(frames);
}
