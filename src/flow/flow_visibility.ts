/**
 * What Flintnet knows of a flow beyond its counters — the server's name and where it came from, TCP health —
 * in typed arrays beside the flow table, indexed by flow id.
 * Kept out of flow_table.ts so the table's hot record stays as it is: a column here is touched only by the
 * detector that owns it. A row is cleared the first time it is used after its id went to a new flow (the
 * table's `generation` says so), so nothing needs to hook the table's insert or expiry.
 */
import type { FlowTable } from "./flow_table.ts";

/** Where a flow's server name came from. */
export const NameSource = { None: 0, Sni: 1, HttpHost: 2, Dns: 3 } as const;
/** Names of {@link NameSource} values as the API shows them. */
export const NAME_SOURCES = [null, "sni", "http_host", "dns"] as const;

/** Resolves an address (4 words at `o`) to a name a DNS answer gave it, valid at `atMs`, or null. */
export type AddressNamer = (
  family: number,
  words: ArrayLike<number>,
  o: number,
  atMs: number,
) => string | null;

/** Side columns of one flow table. */
export class FlowVisibility {
  readonly table: FlowTable;
  /** The table generation each row was cleared for. */
  readonly gen: Uint32Array;
  // names
  /**
   * Server name (SNI, Host, or the DNS name of the destination), or null. Grown as ids are first synced
   * (ids are handed out from 0 up): a 1 M-row array of nulls made up front cost 30 ms of every replay.
   */
  readonly serverName: (string | null)[] = [];
  /** NameSource of serverName. */
  readonly nameSource: Uint8Array;
  // TCP health (detect/tcp_health.ts), for TCP flows only
  /** The table generation each row's TCP columns were cleared for. */
  readonly tcpGen: Uint32Array;
  /** Highest sequence number + length seen (the next one expected). */
  readonly nextSeq: Uint32Array;
  /** When nextSeq last advanced (ms). */
  readonly nextSeqTs: Float64Array;
  /** Bits of detect/tcp_health.ts: the SYN seen, the handshake's RTT known, what the last segment was. */
  readonly tcpState: Uint8Array;
  /** Segments carrying data (or SYN/FIN), the retransmission rate's denominator. */
  readonly segments: Uint32Array;
  /** Retransmitted segments. */
  readonly retransmissions: Uint32Array;
  /** Segments that arrived out of order. */
  readonly outOfOrder: Uint32Array;
  /** Segments advertising a zero receive window. */
  readonly zeroWindows: Uint32Array;
  /** Segments that began beyond the next expected sequence number (Wireshark's "previous segment not captured"). */
  readonly seqGaps: Uint32Array;
  /** Time of the latest SYN (ms), for the handshake RTT. */
  readonly synTs: Float64Array;
  /** Handshake RTT, SYN → ACK of SYN/ACK, ms; NaN when unknown. */
  readonly rttMs: Float32Array;
  /** The flow of the other direction, -1 when not known yet; valid while its generation is peerGen. */
  readonly peer: Int32Array;
  readonly peerGen: Uint32Array;
  /** The acknowledgement number and receive window of this direction's last segment, and when it was sent (ms). */
  readonly lastAck: Uint32Array;
  readonly lastWindow: Uint32Array;
  readonly lastAckTs: Float64Array;
  /** Retransmissions in the open interval. */
  readonly ivRetransmissions: Uint32Array;
  /** Fallback for flows that started before the DNS answer that names them. */
  namer: AddressNamer | null = null;

  constructor(table: FlowTable) {
    const n = table.capacity;
    this.table = table;
    this.gen = new Uint32Array(n);
    this.nameSource = new Uint8Array(n);
    this.tcpGen = new Uint32Array(n);
    this.nextSeq = new Uint32Array(n);
    this.nextSeqTs = new Float64Array(n);
    this.tcpState = new Uint8Array(n);
    this.segments = new Uint32Array(n);
    this.retransmissions = new Uint32Array(n);
    this.outOfOrder = new Uint32Array(n);
    this.zeroWindows = new Uint32Array(n);
    this.seqGaps = new Uint32Array(n);
    this.synTs = new Float64Array(n);
    this.rttMs = new Float32Array(n); // NaN from the row's first sync on (a fill here cost 17 ms a start)
    this.peer = new Int32Array(n); // -1 from the row's first sync on (a fill here kept 4 MB resident from start)
    this.peerGen = new Uint32Array(n);
    this.lastAck = new Uint32Array(n);
    this.lastWindow = new Uint32Array(n);
    this.lastAckTs = new Float64Array(n);
    this.ivRetransmissions = new Uint32Array(n);
  }

  /**
   * Makes row `id`'s name columns belong to the flow the table holds there now: true when they were just
   * cleared (the flow is new to these columns). Called per packet by the detectors: one compare when
   * nothing changed. The TCP columns have their own, {@link syncTcp}.
   */
  sync(id: number): boolean {
    const g = this.table.generation[id];
    if (this.gen[id] === g) return false;
    this.gen[id] = g;
    const names = this.serverName;
    while (names.length <= id) names.push(null); // ids come from 0 up, so this keeps the array dense
    names[id] = null;
    this.nameSource[id] = 0;
    return true;
  }

  /**
   * Makes row `id`'s TCP columns belong to the flow the table holds there now: true when they were just
   * cleared. Called for TCP flows only, so the 85 bytes of TCP columns of every other flow are never
   * written and their pages never become resident (1 M UDP flows held 85 MB of them); a reader of those
   * columns treats a flow of another protocol as all zeros (see {@link flowVisibilityJson}).
   */
  syncTcp(id: number): boolean {
    const g = this.table.generation[id];
    if (this.tcpGen[id] === g) return false;
    this.tcpGen[id] = g;
    this.nextSeq[id] = 0;
    this.nextSeqTs[id] = 0;
    this.tcpState[id] = 0;
    this.segments[id] = 0;
    this.retransmissions[id] = 0;
    this.outOfOrder[id] = 0;
    this.zeroWindows[id] = 0;
    this.seqGaps[id] = 0;
    this.synTs[id] = 0;
    this.rttMs[id] = NaN;
    this.peer[id] = -1;
    this.peerGen[id] = 0;
    this.lastAck[id] = 0;
    this.lastWindow[id] = 0xffffffff; // no segment yet: no window compares equal (Wireshark's G_MAXUINT32)
    this.lastAckTs[id] = 0;
    this.ivRetransmissions[id] = 0;
    return true;
  }

  /** Sets the flow's server name unless a better source already named it (SNI, then Host, then DNS). */
  setName(id: number, name: string, source: number): void {
    this.sync(id);
    const have = this.nameSource[id];
    if (have !== 0 && have <= source) return;
    this.serverName[id] = name;
    this.nameSource[id] = source;
  }

  /** The flow's name and its source, asking the DNS namer for flows that have none. */
  nameOf(id: number): { name: string; source: number } | null {
    this.sync(id);
    const n = this.serverName[id];
    if (n != null) return { name: n, source: this.nameSource[id] };
    if (!this.namer) return null;
    const t = this.table, a = id << 2, at = t.firstSeen(id);
    const dns = this.namer(t.family[id], t.dst, a, at) ?? this.namer(t.family[id], t.src, a, at);
    if (dns === null) return null;
    this.serverName[id] = dns;
    this.nameSource[id] = NameSource.Dns;
    return { name: dns, source: NameSource.Dns };
  }
}

const attached = new WeakMap<FlowTable, FlowVisibility>();

/** The side columns of `table`, made on first use (one per table). */
export function visibilityOf(table: FlowTable): FlowVisibility {
  let v = attached.get(table);
  if (!v) attached.set(table, v = new FlowVisibility(table));
  return v;
}

/** The visibility fields of a flow, as every flow output shows them. */
export interface FlowVisibilityJson {
  /** The server's name: TLS SNI, HTTP Host, or a DNS answer for the remote address; null when unknown. */
  server_name: string | null;
  /** Where server_name came from: sni, http_host or dns; null with it. */
  name_source: "sni" | "http_host" | "dns" | null;
  /** TCP segments this direction sent again. */
  retransmissions: number;
  /** TCP segments that arrived after later ones. */
  out_of_order: number;
  /** TCP segments advertising a zero receive window (the receiver could take no more). */
  zero_windows: number;
  /** Handshake round-trip time (SYN → the ACK of the SYN/ACK) seen from the capture point, ms; null when not seen. */
  rtt_ms: number | null;
}

/** Renders the visibility fields of flow `id`. */
export function flowVisibilityJson(table: FlowTable, id: number): FlowVisibilityJson {
  const v = visibilityOf(table);
  const n = v.nameOf(id);
  const tcp = table.proto[id] === 6;
  if (tcp) v.syncTcp(id);
  const rtt = tcp ? v.rttMs[id] : NaN;
  return {
    server_name: n?.name ?? null,
    name_source: n ? NAME_SOURCES[n.source] : null,
    retransmissions: tcp ? v.retransmissions[id] : 0,
    out_of_order: tcp ? v.outOfOrder[id] : 0,
    zero_windows: tcp ? v.zeroWindows[id] : 0,
    rtt_ms: Number.isNaN(rtt) ? null : Math.round(rtt * 1000) / 1000,
  };
}

/** TCP health of one host: its flows' counters added up (both directions), per request. */
export interface HostTcpHealthJson {
  /** TCP flows in the table with the host on either side. */
  flows: number;
  /** Data segments those flows carried. */
  segments: number;
  /** Of them, sent again. */
  retransmissions: number;
  /** retransmissions ÷ segments, 0 when none. */
  retransmission_rate: number;
  /** Segments that arrived out of order. */
  out_of_order: number;
  /** Segments advertising a zero window. */
  zero_windows: number;
  /** Median handshake RTT of its flows whose handshake was seen, ms; null when none was. */
  median_rtt_ms: number | null;
}

/** Adds up the TCP health of every TCP flow with address `words` (family `family`) on either side. O(flows). */
export function hostTcpHealth(table: FlowTable, family: number, words: ArrayLike<number>): HostTcpHealthJson {
  const v = visibilityOf(table);
  const out: HostTcpHealthJson = {
    flows: 0,
    segments: 0,
    retransmissions: 0,
    retransmission_rate: 0,
    out_of_order: 0,
    zero_windows: 0,
    median_rtt_ms: null,
  };
  const rtts: number[] = [];
  const same = (w: Uint32Array, a: number) =>
    w[a] === words[0] &&
    (family === 4 || (w[a + 1] === words[1] && w[a + 2] === words[2] && w[a + 3] === words[3]));
  for (let id = 0; id < table.highWater; id++) {
    if (table.family[id] !== family || table.proto[id] !== 6) continue;
    const a = id << 2;
    if (!same(table.src, a) && !same(table.dst, a)) continue;
    v.syncTcp(id);
    out.flows++;
    out.segments += v.segments[id];
    out.retransmissions += v.retransmissions[id];
    out.out_of_order += v.outOfOrder[id];
    out.zero_windows += v.zeroWindows[id];
    // a connection's RTT is on both directions: count it once, on the flow that sent the SYN
    if (!Number.isNaN(v.rttMs[id]) && v.synTs[id] > 0) rtts.push(v.rttMs[id]);
  }
  if (out.segments > 0) {
    out.retransmission_rate = Math.round((out.retransmissions / out.segments) * 10000) / 10000;
  }
  if (rtts.length > 0) {
    rtts.sort((x, y) => x - y);
    const m = rtts.length >> 1;
    const med = rtts.length % 2 ? rtts[m] : (rtts[m - 1] + rtts[m]) / 2;
    out.median_rtt_ms = Math.round(med * 1000) / 1000;
  }
  return out;
}
