/**
 * The events of GET /stream as component schemas, one per kind (src/events.ts). Each is the event's
 * JSON as the `data:` line carries it, with the bus `id` that is also the message's `id:`.
 */
import { SECURITY_EVENT_TYPES } from "../../events/mod.ts";
import { array, int, type Json, nullable, num, obj, oneOf, ref, str } from "./kit.ts";

const isoTime = (description: string) => str(description, { format: "date-time" });
const ID = int("Bus event id: increasing, the SSE `id:`.");

/** The component schemas of the stream's events, and of `gap`. */
export const EVENT_SCHEMAS: Record<string, Json> = {
  AnomalyEvent: obj({
    id: ID,
    kind: { const: "anomaly" },
    ts: isoTime("End of the interval that tripped."),
    src_ip: str(""),
    dst_ip: str(""),
    src_port: int(""),
    dst_port: int(""),
    protocol: int(""),
    bytes: int("Octets in the interval."),
    packets: int("Packets in the interval."),
    ewma_bytes: num("Baseline before this interval."),
    ewma_stddev_bytes: num("Baseline deviation."),
    threshold_bytes: num("mean + k·σ."),
    min_bytes: num("The floor below which nothing is anomalous."),
    score: num("(bytes − mean) / σ."),
    k: num("The k in use."),
    interval_s: num("Interval length."),
    duration_s: num("How long the flow has been seen."),
    flow_bytes: int("Octets of the whole flow."),
    flow_packets: int("Packets of the whole flow."),
    community_id: str("Community ID v1."),
    reason: str("One plain sentence."),
  }, "A flow that carried far more in one interval than its learned baseline (also GET /anomalies)."),
  DeviceEvent: obj(
    {
      id: ID,
      kind: { const: "device" },
      ts: isoTime(""),
      action: oneOf(
        ["sweep_started", "sweep_progress", "sweep_finished", "found", "updated"],
        "sweep_*: a discovery sweep moved (see sweep); found: a device seen for the first time; " +
          "updated: its identity, classification, poll status, interfaces or sources changed.",
      ),
      sweep: ref("SweepProgress"),
      device: ref("Device"),
    },
    "Discovery progress, and devices found or changed. sweep for the sweep_* actions, device for " +
      "found and updated.",
    ["id", "kind", "ts", "action"],
  ),
  InterfaceEvent: obj({
    id: ID,
    kind: { const: "interface" },
    ts: isoTime(""),
    device_ip: str("The device's address."),
    device_name: nullable(str("sysName.")),
    interface: ref("Interface"),
    change: oneOf(
      ["poll", "link_down", "link_up"],
      "poll: new rates; link_down / link_up: the operational state changed (trap or poll).",
    ),
  }, "An interface after a poll, or after a linkDown / linkUp trap."),
  TrapEvent: obj(
    {
      id: ID,
      kind: { const: "trap" },
      ts: isoTime("When it was received."),
      source_ip: str("The agent's address (v1: agent-addr if set, else the UDP source)."),
      version: oneOf(["v1", "v2c"], "SNMP version of the PDU."),
      pdu: oneOf(["trap", "inform"], "inform: acknowledged to the sender."),
      name: str(
        'coldStart, warmStart, linkDown, linkUp, authenticationFailure, egpNeighborLoss or "enterpriseSpecific".',
      ),
      trap_oid: str("snmpTrapOID, dotted (v1 traps mapped as RFC 3584 §3.1 says)."),
      uptime_cs: int("The sender's sysUpTime, hundredths of a second."),
      if_index: nullable(int("ifIndex, for linkDown / linkUp.")),
      varbinds: array(
        obj({
          oid: str("Dotted OID."),
          type: str("ASN.1 type name (Integer, OctetString, Counter64…)."),
          value: str("As text: printable strings as they are, other octets as hex, numbers in decimal."),
        }),
        "Every varbind, in order.",
      ),
      reason: str("One plain sentence."),
      held_back: int(
        "Traps from this source held back since its previous one (more a minute than " +
          "FLINTNET_TRAP_RATE_PER_SOURCE or FLINTNET_TRAP_RATE_TOTAL allow); absent in alerts recorded by " +
          "earlier versions.",
        { minimum: 0 },
      ),
    },
    "An SNMP trap or inform received.",
    [
      "id",
      "kind",
      "ts",
      "source_ip",
      "version",
      "pdu",
      "name",
      "trap_oid",
      "uptime_cs",
      "if_index",
      "varbinds",
      "reason",
    ],
  ),
  SecurityEvent: obj({
    id: ID,
    kind: { const: "security" },
    ts: isoTime("When it was seen (capture or poll time)."),
    type: oneOf(SECURITY_EVENT_TYPES, "What it is."),
    severity: oneOf(["info", "warning", "critical"], "info: a new device; critical: e.g. a spoofed gateway."),
    mac: str("The MAC it is about (the device it is filed under)."),
    ip: str("The IP address involved."),
    vendor: nullable(str("Vendor of the MAC's OUI.")),
    explanation: str("One or two plain sentences: what happened and why it matters."),
    evidence: { type: "object", description: "The facts behind it: MACs, IPs, times, packets or poll." },
    source: oneOf(["capture", "snmp"], "Passive capture, or an ARP table polled over SNMP."),
  }, "A new device, or ARP that lies."),
  StatsEvent: obj({
    id: ID,
    kind: { const: "stats" },
    ts: isoTime("When the snapshot was taken."),
    stats: ref("Stats"),
  }, "Counters for dashboards, every 2 s."),
  Gap: obj(
    {
      missed_from: int("The first id not delivered."),
      resumed_at: int("The first id delivered after the gap."),
      restarted: { const: true, description: "The id came from an earlier run of the daemon." },
    },
    "The `gap` message: a resume (Last-Event-ID) lost events. It has no `id:`.",
    ["missed_from", "resumed_at"],
  ),
};

/** The stream's event kinds and their schemas, for /stream's description. */
export const STREAM_EVENT_SCHEMAS: readonly [kind: string, schema: string][] = [
  ["anomaly", "AnomalyEvent"],
  ["device", "DeviceEvent"],
  ["interface", "InterfaceEvent"],
  ["trap", "TrapEvent"],
  ["security", "SecurityEvent"],
  ["stats", "StatsEvent"],
  ["gap", "Gap"],
];
