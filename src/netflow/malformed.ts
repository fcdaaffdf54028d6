/**
 * Why a datagram was not (wholly) decoded. Every reason is a counter in the collector's stats; a
 * datagram counts once, under the first problem found in it. Nothing a peer sends is thrown.
 */
export const NetflowMalformed = {
  /** Shorter than its version's header. */
  TruncatedHeader: 0,
  /** Version is not 5, 9 or 10 (nor sFlow's 32-bit 5). */
  UnknownVersion: 1,
  /**
   * v5: count 0 or records past the datagram; IPFIX: the Length field differs from the datagram's; sFlow: an
   * agent address type that is neither IPv4 nor IPv6.
   */
  BadLength: 2,
  /** A set (flowset) shorter than its 4-octet header or reaching past the message: the rest is lost. */
  BadSetLength: 3,
  /** A template record past its set, or with a reserved template ID (< 256), or whose records are empty. */
  BadTemplate: 4,
  /** A template with more fields than Flintnet keeps (MAX_TEMPLATE_FIELDS). */
  TemplateTooLarge: 5,
  /** A v9 template with no fields (IPFIX uses that for withdrawal; v9 has no such thing). */
  EmptyTemplate: 6,
  /** A data record (or a variable-length field's length) reaching past its set; an sFlow sample or record past its datagram or sample. */
  RecordOverrun: 7,
  /** A set ID reserved by the protocol (v9 2–255, IPFIX 0, 1, 4–255): skipped. */
  ReservedSetId: 8,
} as const;

/** Counter names by reason code, as /stats shows them under `malformed_by_reason`. */
export const NETFLOW_MALFORMED_NAMES: readonly string[] = [
  "truncated_header",
  "unknown_version",
  "bad_length",
  "bad_set_length",
  "bad_template",
  "template_too_large",
  "empty_template",
  "record_overrun",
  "reserved_set_id",
];

/**
 * Why something well-formed was refused: a bound on state a peer could otherwise grow, or on the time
 * one datagram may take. Exporter and domain limits refuse a datagram, the template burst a record.
 */
export const NetflowRefused = {
  /** Already as many exporters as FLINTNET allows; new ones are refused until some go idle. */
  ExporterLimit: 0,
  /** This exporter already has as many observation domains as allowed. */
  DomainLimit: 1,
  /** A template record past MAX_NEW_TEMPLATES_PER_MESSAGE new layouts in one message (counted per record). */
  TemplateBurst: 2,
} as const;

/** Counter names by refusal code, as /stats shows them under `refused_by_reason`. */
export const NETFLOW_REFUSED_NAMES: readonly string[] = ["exporter_limit", "domain_limit", "template_burst"];
