/**
 * The component schemas of the OpenAPI document: errors, flows, devices and the small documents of
 * /stats, /version and /auth/ticket. Alerts are in openapi_alert_schemas.ts, stream events in
 * openapi_events.ts. Each mirrors a TypeScript interface named in its description; the test validates
 * real responses against them.
 */
import { DEVICE_TYPES, type DeviceJson, INTERFACE_STATUSES, SNMP_STATUSES } from "../../events/mod.ts";
import { ATTACK_SIGNALS } from "../../flow/mod.ts";
import { ALERT_SCHEMAS } from "./alert_schemas.ts";
import { EVENT_SCHEMAS } from "./events.ts";
import { array, bool, int, type Json, nullable, num, obj, oneOf, ref, str } from "./kit.ts";
import { TOPOLOGY_SCHEMAS } from "./topology.ts";
import { ADVISORY_SCHEMAS } from "./advisory_doc.ts";
import { RECORDING_SCHEMAS } from "./recording_doc.ts";

/** ErrorCode in src/http/errors.ts. */
const ERROR_CODES = [
  "bad_parameter",
  "unauthorized",
  "rate_limited",
  "not_found",
  "payload_too_large",
  "method_not_allowed",
  "request_timeout",
  "unavailable",
  "conflict",
  "internal",
];

/** InterfaceStatus in src/devices/device.ts (IF-MIB ifOperStatus / ifAdminStatus names). */

/** DeviceSourceKind in src/devices/registry.ts. */
const DEVICE_SOURCES = ["arp_sweep", "snmp", "traffic", "arp_table", "trap", "netflow"];

const isoTime = (description: string) => str(description, { format: "date-time" });
const page = (items: string, what: string) =>
  obj({
    [items]: array(ref(what)),
    count: int("On this page."),
    total_matched: int("Matching, on all pages."),
    next_cursor: { type: ["string", "null"], description: "Pass as cursor; null on the last page." },
  });

const FLOW = obj({
  src_ip: str("Source address."),
  dst_ip: str("Destination address."),
  src_port: int("Source port; ICMP type."),
  dst_port: int("Destination port; ICMP code."),
  protocol: int("IP protocol number."),
  bytes: int("IP-layer octets."),
  packets: int("Packets."),
  first_seen: isoTime("First packet."),
  last_seen: isoTime("Last packet."),
  duration_s: num("last_seen − first_seen in seconds."),
  tcp_flags: int("OR of the TCP flags seen."),
  baseline: ref("Baseline"),
  community_id: str("Community ID v1."),
  server_name: nullable(
    str("The server's name: TLS SNI, HTTP Host, or a DNS answer for an address; null when unknown."),
  ),
  name_source: {
    type: ["string", "null"],
    enum: ["sni", "http_host", "dns", null],
    description: "Where server_name came from; null with it.",
  },
  retransmissions: int("TCP segments this direction sent again (Wireshark's retransmission rule)."),
  out_of_order: int("TCP segments that arrived after later ones."),
  zero_windows: int("TCP segments advertising a zero receive window."),
  rtt_ms: nullable(
    num("Handshake RTT seen from the capture point (SYN → ACK of the SYN/ACK), ms; null when not seen."),
  ),
  blocklist: nullable(obj({
    list: str(
      "The block list (FLINTNET_BLOCKLISTS) that holds the address: its file name without the extension.",
    ),
    entry: str("The list's entry holding it, address/prefix."),
    listed_ip: str("The flow's address that is listed (its source or its destination)."),
  }, "The block-list hit of the flow; null when neither address is listed.")),
  attack_score: num("How much the flow looks like an attack, 0–1 (docs/visibility.md).", {
    minimum: 0,
    maximum: 1,
  }),
  attack_signals: array(
    oneOf(ATTACK_SIGNALS, "A signal."),
    "The signals behind attack_score: syn_flood, tiny_packets, low_ttl, sequence_gaps, volume_deviation.",
  ),
}, "A flow (FlowJson).");

const INTERFACE = obj({
  index: int("ifIndex."),
  name: str("ifName, else ifDescr."),
  alias: str('ifAlias (the description an administrator set), "" when none.'),
  type: str("ifType as an IANAifType-MIB name (ethernetCsmacd, softwareLoopback…), else the number as text."),
  speed_bps: nullable(int("ifHighSpeed × 10⁶, else ifSpeed; null when the agent reports none.")),
  oper_status: oneOf(INTERFACE_STATUSES, "ifOperStatus."),
  admin_status: oneOf(INTERFACE_STATUSES, "ifAdminStatus."),
  in_util_pct: nullable(
    num("Inbound utilisation over the last poll interval, 0–100 to a thousandth; null until two polls."),
  ),
  out_util_pct: nullable(num("Outbound utilisation, 0–100.")),
  in_bps: nullable(
    num("Inbound bits per second over the last interval, a whole number; null until two polls."),
  ),
  out_bps: nullable(num("Outbound bits per second.")),
  in_errors_per_s: nullable(num("ifInErrors per second, to a thousandth.")),
  out_errors_per_s: nullable(num("ifOutErrors per second.")),
  in_discards_per_s: nullable(num("ifInDiscards per second.")),
  counters: {
    type: ["string", "null"],
    enum: ["hc64", "c32", null],
    description: "Octet counters polled: 64-bit ifHCInOctets (hc64) or 32-bit ifInOctets (c32).",
  },
}, "An interface of a device (InterfaceJson), with rates over the last poll interval.");

/** The members of DeviceJson, shared by Device and DeviceDetail (the type checker holds them to it). */
const DEVICE_PROPERTIES = {
  ip: str("Primary address: dotted quad or RFC 5952 text."),
  mac: nullable(str("MAC address (lower case, colons); null when only reachable across a router.")),
  name: nullable(str("sysName, else a name learned otherwise.")),
  type: oneOf(DEVICE_TYPES, "Classification."),
  type_rule: nullable(
    str(
      "The rule that decided type and its evidence, kind:id (evidence) with kind definition, capability or " +
        'guess (e.g. "definition:cisco-ios-xe-router (sysObjectID 1.3.6.1.4.1.9.1.2068)"); see ' +
        "docs/classification.md.",
    ),
  ),
  vendor: nullable(
    str(
      "Manufacturer: the matched product definition's, else sysObjectID's IANA enterprise, else the MAC's OUI.",
    ),
  ),
  model: nullable(str("Model, when sysDescr or sysObjectID names it.")),
  os_version: nullable(
    str('Operating system and version ("IOS-XE 16.9.4"), when the device says a version.'),
  ),
  sys_descr: nullable(str("sysDescr as the agent gave it.")),
  sys_object_id: nullable(str("sysObjectID, dotted.")),
  uptime_s: nullable(num("sysUpTime in seconds at the last poll.")),
  snmp: obj({
    status: oneOf(SNMP_STATUSES, "Outcome of the last poll (not_polled before the first)."),
    last_success: nullable(isoTime("When a poll last succeeded.")),
    last_error: nullable(str("The last failure in words (timeout, auth failure: unknown user…).")),
    poll_ms: nullable(num("How long the last poll took, ms to a tenth.")),
  }, "SNMP poll status (SnmpPollStatus)."),
  interfaces: array(ref("Interface"), "IF-MIB interfaces, by ifIndex."),
  cpu_pct: nullable(num("Average hrProcessorLoad, 0–100 to a tenth; null without HOST-RESOURCES-MIB.")),
  memory_pct: nullable(num("Used / size of the hrStorageRam entries, 0–100 to a tenth.")),
  sources: array(oneOf(DEVICE_SOURCES, ""), "How the device was learned."),
  first_seen: isoTime("First seen."),
  last_seen: isoTime("Last seen by any source."),
} satisfies Record<keyof DeviceJson, unknown>;

const ARP_HISTORY = obj({
  mac: str("The MAC."),
  first_seen: isoTime(""),
  last_seen: isoTime(""),
  ips: array(
    obj({ ip: str("IPv4 address."), first_seen: isoTime(""), last_seen: isoTime("") }),
    "Every address it held, most recent first.",
  ),
  ip_changes: array(
    obj({
      ts: isoTime("When."),
      ip: str("The address it claimed."),
      previous_ip: nullable(str("The address it claimed before.")),
      previous_mac: nullable(str("The MAC that claimed ip before (a lease moved, or a conflict).")),
    }),
    "Address changes, oldest first.",
  ),
  locally_administered: bool("The locally administered bit is set: a randomised MAC, no vendor."),
  known: bool("Learned during the learning period or acknowledged: its appearance is not news."),
  acknowledged: bool("Acknowledged by a person (POST /devices/{id}/ack)."),
}, "What ARP showed about a MAC (ArpHistoryJson).");

const IP_CLAIM = obj({
  mac: str("A MAC that claimed the address."),
  first_seen: isoTime(""),
  last_seen: isoTime(""),
  locally_administered: bool("Locally administered MAC."),
}, "One MAC's claim on an IP (IpClaimJson).");

const SWEEP = obj({
  id: int("Sweep number since start."),
  trigger: oneOf(["start", "interval", "api"], "What started it."),
  cidrs: array(str(""), "The networks swept."),
  scanned: int("Addresses probed so far."),
  total: int("Addresses to probe in all."),
  found: int("Devices that answered so far (ARP or SNMP)."),
  snmp: int("Of those, how many answered SNMP."),
  started_at: isoTime("When it started."),
  elapsed_s: num("Seconds since it started."),
}, "Where a discovery sweep is (SweepProgress).");

/** Every component schema. */
export const SCHEMAS: Record<string, Json> = {
  Error: obj({
    error: obj(
      {
        code: oneOf(ERROR_CODES, "Machine-readable."),
        message: str("For a person: what was wrong and what is accepted."),
        parameter: str("The query parameter or body member at fault (bad_parameter only)."),
      },
      undefined,
      ["code", "message"],
    ),
  }, "The shape of every error."),
  Flow: FLOW,
  FlowsPage: page("flows", "Flow"),
  AnomaliesPage: page("anomalies", "AnomalyEvent"),
  Interface: INTERFACE,
  Device: obj(
    DEVICE_PROPERTIES,
    "A device on the network (DeviceJson), from discovery, polling and traffic.",
  ),
  DeviceDetail: obj(
    {
      ...DEVICE_PROPERTIES,
      arp: nullable(ref("ArpHistory")),
      ip_claims: array(ref("IpClaim"), "Every MAC that claimed this address, most recent first."),
      alerts: array(ref("SecurityEvent"), "The last security alerts filed under its MAC, newest first."),
    },
    "A device with its ARP history (by its MAC; null without one), who claimed its address, and its " +
      "recent security alerts. The three extra members are absent while the ARP watcher is not running.",
    Object.keys(DEVICE_PROPERTIES),
  ),
  DevicesPage: obj({
    devices: array(ref("Device"), "Sorted by address: IPv4 first, numerically."),
    count: int("How many are in devices."),
    total_matched: int("How many match the filter before limit."),
  }),
  ArpHistory: ARP_HISTORY,
  IpClaim: IP_CLAIM,
  DeviceAck: obj({
    acknowledged: { const: true },
    mac: str("The MAC now known (lower case, colons)."),
  }, "The device's MAC is known: never reported as a rogue device again."),
  SweepProgress: SWEEP,
  DiscoveryStarted: obj({
    started: bool("true: a new sweep (202); false: one was running already (200)."),
    running: { const: true },
    sweep: ref("SweepProgress"),
  }),
  DiscoveryStatus: obj({
    running: bool("A sweep is under way."),
    sweep: nullable(ref("SweepProgress")),
    next_at: nullable(isoTime("When the next periodic sweep is due; null when none is scheduled.")),
  }, "The running sweep, else the last finished one (null before the first)."),
  ...ALERT_SCHEMAS,
  ...EVENT_SCHEMAS,
  ...TOPOLOGY_SCHEMAS,
  ...ADVISORY_SCHEMAS,
  ...RECORDING_SCHEMAS,
  Stats: {
    type: "object",
    description: "The daemon's counters; components add their own members.",
    properties: {
      version: str("Flintnet version."),
      uptime_s: int("Seconds since start."),
      rss_bytes: int("Resident memory."),
      capture: {
        type: "object",
        description: "Per interface: state, kernel {packets, drops, freezes}, decode counters incl. " +
          "malformed by reason, batches, rows (frames decoded) and bytes (their wire bytes).",
        additionalProperties: { type: "object" },
      },
      flows: {
        type: "object",
        description:
          "active, capacity, created, expired_idle, evicted_full, rolled_over, records_seen_twice (NetFlow/IPFIX records of a flow already counted from capture, another exporter, the other direction of its exporter, or a twin of the record its exporter sent last), records_seen_unsummed (of those, records whose interfaces could not be summed: more than 65,536 exporter interfaces in one interval), records_seen_twice_by_exporter (the same records by exporter address, for the exporters that sent any)",
      },
      collector: {
        type: "object",
        description:
          "The NetFlow/IPFIX/sFlow collector (docs/netflow.md): totals datagrams, records, packets and " +
          "bytes (after sampling), sequence_gaps, template_misses, malformed, kernel_drops; " +
          "malformed_by_reason, refused, refused_by_reason, options_records, other_records, interface_counters " +
          "(sFlow port counters read), interface_counters_dropped, exporter_count, " +
          "templates, templates_evicted, pending_sets, pending_bytes; listeners (name, address, listening, " +
          "error, port, rcvbuf_bytes, datagrams, kernel_drops); exporters by address (the same counters but " +
          "kernel_drops, and versions — netflow_v5, netflow_v9, ipfix, sflow_v5 — domains, templates, " +
          "sampling_override, last_seen).",
      },
      events_by_kind: { type: "object", additionalProperties: { type: "integer" } },
      analysis: {
        type: "object",
        description: "The advisory engine: minutes analysed, raised, resolved, open, flows_not_kept, " +
          "probes_not_logged, gateway_arp_requests (broadcast ARP requests not counted as probes: a gateway " +
          "finding a neighbour that has claimed its address in ARP), answering_arp_requests (neither: a host " +
          "finding one that had sent it traffic first), analyzer_failures.",
      },
      flow_history: {
        type: ["object", "null"],
        description: "The flow history (null when off): minutes_written, rows_written, rows_pruned (by the " +
          "retention), rows_pruned_size (by FLINTNET_FLOW_HISTORY_MAX_MB), pending, dropped, write_errors, " +
          "last_error.",
      },
      sse_clients: int("Clients on /stream."),
    },
  },
  Version: obj({
    version: str("Flintnet version."),
    commit: str("The commit it was built from (12 hex digits, -dirty for a changed checkout), or unknown."),
    deno: str("Deno runtime version."),
    started_at: isoTime(""),
  }),
  Ticket: obj({
    ticket: str("Single-use; pass as /stream?ticket=."),
    expires_in: int("Seconds until it expires (60)."),
  }),
};
