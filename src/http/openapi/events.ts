/**
 * The events of GET /stream as component schemas, one per kind (src/events.ts). Each is the event's
 * JSON as the `data:` line carries it, with the bus `id` that is also the message's `id:`.
 */
import { SECURITY_EVENT_TYPES } from "../../events/mod.ts";
import { ATTACK_SIGNALS } from "../../flow/mod.ts";
import { TOPOLOGY_EVENT_SCHEMA } from "./topology.ts";
import { array, bool, int, type Json, nullable, num, obj, oneOf, ref, str } from "./kit.ts";

const isoTime = (description: string) => str(description, { format: "date-time" });
const ID = int("Bus event id: increasing, the SSE `id:`.");

/** The component schemas of the stream's events, and of `gap`. */
/** `schema` with the members `names` left out of `required` (members only some events carry). */
function optional(schema: Json, names: readonly string[]): Json {
  const s = schema as { required: string[] };
  return { ...schema, required: s.required.filter((r) => !names.includes(r)) };
}

export const EVENT_SCHEMAS: Record<string, Json> = {
  AnomalyEvent: optional(
    obj({
      id: ID,
      kind: { const: "anomaly" },
      phase: oneOf(
        ["open", "closed"],
        "open: the episode began (the alert); closed: it ended (the summary).",
      ),
      episode_id: str("The episode: the same in its open and closed events."),
      ts: isoTime("open: end of the interval that opened it; closed: end of the interval that closed it."),
      started_at: isoTime("Start of the episode's first anomalous interval."),
      ended_at: nullable(isoTime("closed: end of its last anomalous interval; null while open.")),
      duration_s: num("How long it lasted (closed) or has lasted (open), seconds."),
      scope: oneOf(["flow", "host", "subnet"], "What it is about: one flow, a local host, a local subnet."),
      subject: str('The subject in words: "a:1 → b:2 (TCP)", "10.0.0.5", "10.0.0.0/24".'),
      direction: oneOf(["sent", "received"], "The traffic measured (a flow: always sent)."),
      src_ip: nullable(str("Flow: source; host: the host when it sent.")),
      dst_ip: nullable(str("Flow: destination; host: the host when it received.")),
      src_port: nullable(int("Flow: source port (ICMP type).")),
      dst_port: nullable(int("Flow: destination port (ICMP code).")),
      protocol: nullable(int("Flow: IP protocol number.")),
      community_id: nullable(str("Flow: Community ID v1.")),
      cidr: nullable(str("Subnet: the network.")),
      rule: oneOf(
        ["spike", "sustained", "retransmissions", "attack"],
        "spike: one or two intervals far above the baseline; sustained: the level of the last minutes far above it; " +
          "retransmissions: a TCP flow resent too many segments (ratio: the share; score: how many); " +
          "attack: a source's attack signals scored at least FLINTNET_ATTACK_SCORE (score: 0–1; signals).",
      ),
      bytes: int("Octets in the interval that opened it."),
      packets: int("Packets in that interval."),
      flows: int("Flows that carried the subject's traffic in that interval."),
      level_bytes: int("The subject's typical interval over the last minutes, octets."),
      baseline: ref("Baseline"),
      ratio: num("bytes (spike) or level_bytes (sustained) ÷ baseline.typical_bytes."),
      score: num("Spreads (σ of log-volume) above the baseline."),
      threshold_bytes: int("The smallest interval (spike) or level (sustained) that would have opened it."),
      k: num("Spreads required (FLINTNET_ANOMALY_K)."),
      ratio_min: num("Ratio required (FLINTNET_ANOMALY_RATIO; a sustained rise: its square root or itself)."),
      min_bytes: int("The floor below which nothing is anomalous (FLINTNET_ANOMALY_MIN_BYTES)."),
      interval_s: num("Interval length, seconds."),
      peak_bytes: int("The episode's largest interval so far."),
      total_bytes: int("Octets during the episode so far."),
      excess_bytes: int("Of those, above the baseline."),
      intervals: int("Intervals in the episode so far."),
      close_reason: {
        type: ["string", "null"],
        enum: ["back_to_normal", "new_normal", "subject_gone", null],
        description: "closed: why; null while open.",
      },
      flow_bytes: nullable(int("Flow: octets of the flow record so far.")),
      flow_packets: nullable(int("Flow: packets of the flow record so far.")),
      unreported_same: int("Episodes of this subject held back (rate limit) since its last reported one."),
      unreported_cap: int("Episodes elsewhere held back over the run's cap since the last reported one."),
      reason: str("One plain sentence for a person (two when something was held back)."),
      signals: array(
        obj({
          name: oneOf(ATTACK_SIGNALS, "The signal."),
          weight: num("Its weight in the score."),
          count: int("What it counted (docs/visibility.md)."),
        }),
        "Rule attack: the signals behind the score (totals over the episode when closed).",
      ),
    }, "An anomaly episode of a flow, host or subnet: one open and one closed event (also GET /anomalies)."),
    [
      "signals",
    ],
  ),
  Baseline: obj({
    source: oneOf(
      ["recent", "hour_of_day"],
      "recent: the last intervals; hour_of_day: this hour on past days.",
    ),
    typical_bytes: int("Octets an interval usually carries (the baseline's centre, a median)."),
    spread_factor: num("About 2 intervals in 3 lie within typical ÷ this … typical × this (e^σ)."),
    intervals: int("Intervals with traffic it was learned from."),
    mature: bool("It has learned enough to alert on."),
  }, "A learned traffic baseline (BaselineJson), the same for flows and anomalies."),
  DeviceEvent: obj(
    {
      id: ID,
      kind: { const: "device" },
      ts: isoTime(""),
      action: oneOf(
        ["sweep_started", "sweep_progress", "sweep_finished", "found", "updated"],
        "sweep_*: a discovery sweep moved (see sweep); found: a device seen for the first time; " +
          "updated: its identity, classification, poll status, interfaces (index, name, description) " +
          "or sources changed.",
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
      "poll: new rates (null when this poll could not measure what the one before did, as after an agent " +
        "restart); link_down / link_up: the operational state changed (trap or poll).",
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
      if_name: nullable(
        str("That interface's name (ifName, else ifDescr) from the device's last poll; null when unknown."),
      ),
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
      "if_name",
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
    evidence: {
      type: "object",
      description: "The facts behind it: MACs, IPs, times, packets or poll. arp_spoof adds `ips` (each " +
        "`{ip, first_seen, last_seen, gateway, also_claimed_by}`), `gateway` (`{ip, learned_from}` or null), " +
        "`asked_for` (`{ip, from}` or null), `dhcp_seen_at`, `escalated` and `window_s`.",
    },
    source: oneOf(["capture", "snmp"], "Passive capture, or an ARP table polled over SNMP."),
  }, "A new device, or ARP that lies."),
  TopologyEvent: TOPOLOGY_EVENT_SCHEMA,
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
  ["topology", "TopologyEvent"],
  ["advisory", "AdvisoryEvent"],
  ["stats", "StatsEvent"],
  ["gap", "Gap"],
];
