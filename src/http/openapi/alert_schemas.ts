/**
 * The component schemas of the alert history, mute rules and alert policy: the answers of /alerts,
 * /mutes and /config/alerts and the bodies those routes accept, with the limits their parsers enforce
 * (src/http/routes/alerts_body.ts, src/alert/alert_policy.ts).
 */
import { ALERT_CHANNELS, MAX_COOLDOWN_S, MAX_LEARNING_PERIOD_S, ROUTE_KINDS } from "../../alert/mod.ts";
import { SECURITY_EVENT_TYPES } from "../../events/mod.ts";
import { ALERT_KINDS, ALERT_SEVERITIES } from "../../store/mod.ts";
import { MAX_MUTE_S, MAX_NOTE_CHARS, MAX_REASON_CHARS } from "../routes/alerts_body.ts";
import { array, bool, int, type Json, nullable, num, obj, oneOf, ref, str } from "./kit.ts";

/** The characters of an alert type (TYPE_PATTERN in alerts_body.ts). */
export const ALERT_TYPE_SCHEMA: Json = str(
  "Security: rogue_device, arp_spoof, mac_spoof, duplicate_ip; anomaly: traffic_spike, traffic_sustained; trap: its name " +
    "(linkDown, coldStart…).",
  { pattern: "^[A-Za-z0-9_.:-]{1,64}$", examples: ["rogue_device", "linkDown"] },
);

/** A MAC as parseMacParameter() reads it. */
export const MAC_SCHEMA: Json = str(
  "A MAC address: aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff or aabb.ccdd.eeff (any case).",
  { examples: ["00:1b:21:3a:4f:5e"] },
);

const isoTime = (description: string) => str(description, { format: "date-time" });

/** AlertRecord members as the API shows them (AlertJson), but the event. */
const ALERT_PROPERTIES = {
  id: int("Its id in the history (never reused)."),
  ts: isoTime("When it happened."),
  kind: oneOf(ALERT_KINDS, "What raised it."),
  type: str(ALERT_TYPE_SCHEMA.description as string),
  severity: oneOf(ALERT_SEVERITIES, "How bad."),
  mac: nullable(str("The MAC it is filed under (security only), lower case with colons.")),
  ip: nullable(str("The address it is about: security ip, anomaly src_ip, trap source_ip.")),
  peer_ip: nullable(str("The other end: anomaly dst_ip.")),
  device_ip: nullable(str("The SNMP device that reported it: trap source, or the polled ARP table.")),
  summary: str("One sentence."),
  muted: bool("A mute rule matched when it was raised: recorded, not delivered."),
  acked_at: nullable(isoTime("When it was acknowledged.")),
  acked_by: nullable(str('Who acknowledged it ("api").')),
  ack_note: nullable(str("What they wrote.")),
};

const MUTE_TARGET = {
  mac: MAC_SCHEMA,
  ip: str("One of the alert's addresses (security ip, anomaly src_ip or dst_ip, trap source_ip).", {
    examples: ["192.0.2.1"],
  }),
  kind: oneOf(ALERT_KINDS, "The alert's kind."),
  type: {
    ...ALERT_TYPE_SCHEMA,
    description: `The alert's type; with kind security one of ${SECURITY_EVENT_TYPES.join(", ")}.`,
  },
};

const CHANNELS = array(oneOf(ALERT_CHANNELS, ""), "Channels, each at most once (empty: none).", {
  uniqueItems: true,
});

const ROUTES = (required: readonly string[]) =>
  obj(
    Object.fromEntries(ROUTE_KINDS.map((k) => [k, CHANNELS])),
    "Where each kind of alert goes: security event types, anomaly, trap.",
    required,
  );

const ANOMALY_POLICY = (required: readonly string[]) =>
  obj(
    {
      k: num("Spreads (σ of log-volume) above its baseline an interval must be to be an anomaly.", {
        exclusiveMinimum: 0,
        maximum: 100,
      }),
      ratio: num(
        "Times its baseline an interval must carry to be an anomaly (a lasting rise: the square root).",
        {
          minimum: 1.5,
          maximum: 1000,
        },
      ),
      warmup_intervals: int(
        "Intervals with traffic a flow, host or subnet is learned for before it may alert.",
        {
          minimum: 1,
          maximum: 100_000,
        },
      ),
      min_bytes: int("Intervals with fewer bytes never alert.", { minimum: 0 }),
    },
    "Thresholds of the anomaly detector (flows, hosts, subnets; docs/anomalies.md).",
    required,
  );

function policy(required: boolean, description: string): Json {
  const all = (keys: readonly string[]) => required ? keys : [];
  return obj(
    {
      anomaly: ANOMALY_POLICY(all(["k", "ratio", "warmup_intervals", "min_bytes"])),
      cooldown_s: int("Seconds a repeat of the same alert is not sent; 0: off.", {
        minimum: 0,
        maximum: MAX_COOLDOWN_S,
      }),
      learning_period_s: int("Seconds after start during which new devices are learned quietly.", {
        minimum: 0,
        maximum: MAX_LEARNING_PERIOD_S,
      }),
      routes: ROUTES(all(ROUTE_KINDS)),
    },
    description,
    all(["anomaly", "cooldown_s", "learning_period_s", "routes"]),
  );
}

/** The alert component schemas. */
export const ALERT_SCHEMAS: Record<string, Json> = {
  Alert: obj(
    { ...ALERT_PROPERTIES, event: nullable({ type: "object", description: "The event, as stored." }) },
    "An alert of the history with the event that raised it (the CSV of GET /alerts leaves the event out).",
  ),
  AlertsPage: obj({
    alerts: array(ref("Alert"), "Newest first."),
    count: int("On this page."),
    total_matched: int("Matching, on all pages."),
    next_cursor: { type: ["string", "null"], description: "Pass as cursor; null on the last page." },
  }),
  AlertAck: obj(
    { note: nullable(str("Why, for the people who read the history.", { maxLength: MAX_NOTE_CHARS })) },
    "The body of POST /alerts/{id}/ack; may be empty.",
    [],
  ),
  Mute: obj({
    id: int("Its id (never reused)."),
    mac: nullable(str("")),
    ip: nullable(str("")),
    kind: nullable(oneOf(ALERT_KINDS, "")),
    type: nullable(str("")),
    until: isoTime("When the rule ends."),
    reason: nullable(str("")),
    created_at: isoTime(""),
  }, "A mute rule: alerts matching every member given are recorded as muted and not delivered."),
  Mutes: obj({ mutes: array(ref("Mute"), "The active rules."), count: int("") }),
  NewMute: {
    ...obj(
      {
        ...MUTE_TARGET,
        until: str(
          "When the rule ends: ISO 8601 with a zone, a date, or epoch seconds; after now and at most " +
            "30 days ahead.",
          { examples: ["2024-05-01T18:00:00Z"] },
        ),
        duration_s: int("How long the rule lasts, in seconds.", { minimum: 1, maximum: MAX_MUTE_S }),
        reason: str("Why.", { maxLength: MAX_REASON_CHARS }),
      },
      "The body of POST /mutes: at least one of mac, ip, kind, type (what to mute) and exactly one of " +
        "until, duration_s (for how long). At most 1000 rules are active at once.",
      [],
    ),
    anyOf: Object.keys(MUTE_TARGET).map((k) => ({ required: [k] })),
    oneOf: [{ required: ["until"] }, { required: ["duration_s"] }],
  },
  AlertPolicy: policy(true, "The alert policy in force (AlertPolicy)."),
  AlertPolicyPatch: policy(
    false,
    "A JSON merge patch (RFC 7396) of the policy: only the members given change, arrays are replaced " +
      "whole. Unknown members and null are refused.",
  ),
};
