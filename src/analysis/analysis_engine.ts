/**
 * The analysis engine: a Detector the flow pipeline calls at every interval close. Each interval it adds
 * what every active flow carried to the minute in progress (its flows by 5-tuple, host, subnet and
 * exporter-interface sums, and the connection attempts that look like probes); ARP requests come from
 * the batch rows. When a minute ends on the pipeline's clock (the capture's own in replay) it hands the
 * minute to every analyzer, raises and resolves advisories through the book, and gives the minute's
 * summary to the flow history. Everything per interval is per flow; nothing here runs per packet except
 * the ARP-request check in onRows.
 *
 * It must run before the volume-anomaly detector, which starts each flow's next interval (its interval
 * counters are what is read here).
 */
import { Subsystems } from "../base/mod.ts";
import type { PacketBatch } from "../decode/mod.ts";
import { RowKind } from "../decode/mod.ts";
import type { CleartextSighting } from "../detect/mod.ts";
import type { AdvisoryEvent, AdvisoryType, MinuteSummary } from "../events/mod.ts";
import type { CidrWords, Detector, FlowTable } from "../flow/mod.ts";
import { AdvisoryBook } from "./advisory_book.ts";
import type { Analyzer } from "./analyzer.ts";
import { MinuteAggregates } from "./minute_aggregates.ts";
import { MinuteFlows } from "./minute_flows.ts";
import { ProbeLog } from "./probe_log.ts";
import { ArpRequests } from "./arp_requests.ts";

const MINUTE_MS = 60_000;
/** TCP SYN and ACK (RFC 9293 §3.1). */
const SYN = 0x02, ACK = 0x10;
/** ICMP echo and timestamp requests (RFC 792), ICMPv6 echo request (RFC 4443 §4.1). */
const ICMP_ECHO = 8, ICMP_TIMESTAMP = 13, ICMP6_ECHO = 128;
/** Empty minutes after a gap that are still analysed one by one (so drops and resolutions happen). */
const MAX_EMPTY_MINUTES = 15;

/** How the engine is built. */
export interface AnalysisEngineOptions {
  /** Local networks: their hosts and subnets are summed. */
  localNetworks: readonly CidrWords[];
  /** The analyzers, each run once a minute. */
  analyzers: readonly Analyzer[];
  /** Where advisory events go (the bus). */
  publish: (e: AdvisoryEvent) => void;
  /** Flows in a minute's summary (and history): the largest by octets of those followed. @default 20000 */
  flowsPerMinute?: number;
  /** Probes logged per minute. @default 131072 */
  probesPerMinute?: number;
  /**
   * The fewest distinct ports or hosts a source's probes need to reach the analyzers (the scan analyzer's
   * lowest bar): the minute's other sources are counted but never made into objects. @default 1 (all)
   */
  probeMinDistinct?: number;
  /** Cleartext sightings since the last minute (the packet-level watcher's take), when there is one. */
  cleartext?: () => CleartextSighting[];
  /**
   * Whether ARP row `row` of the batch {@link AnalysisEngine.arpProbes} is given is a gateway finding a
   * neighbour the network knows (the ARP watcher's judgment of that row, detect/arp_security.ts
   * `neighbourRequests`): then it is no probe. @default never
   */
  gatewayRequest?: (row: number) => boolean;
  /** The closed minute, for the flow history. */
  onMinute?: (s: MinuteSummary) => void;
}

/** Counters for /stats and replay totals. */
export interface AnalysisStats {
  /** Minutes analysed. */
  minutes: number;
  /** Advisories raised and resolved since start. */
  raised: number;
  resolved: number;
  /** Advisories open now. */
  open: number;
  /** Advisories reopened at start from what the last run left open (advisories.json). */
  restored: number;
  /** Flows past the per-minute bound in the last minute (still in the sums). */
  flows_not_kept: number;
  /** Probes past the per-minute bound in the last minute. */
  probes_not_logged: number;
  /** Broadcast ARP requests since start that were no probe: a gateway finding a neighbour the network knows. */
  gateway_arp_requests: number;
  /**
   * Broadcast ARP requests since start that were no probe: the host asked for had sent the one asking traffic
   * before (a server whose neighbour cache dropped a client, finding it to answer it).
   */
  answering_arp_requests: number;
  /** Analyzer runs that threw (each analyzer timed and counted under its name). */
  analyzer_failures: number;
}

/** Minutes of flows into advisories. */
export class AnalysisEngine implements Detector {
  readonly name = "analysis";
  readonly book: AdvisoryBook;
  /** The advisory types the analyzers raise. */
  readonly types: ReadonlySet<AdvisoryType>;
  #t: FlowTable;
  #o: AnalysisEngineOptions;
  #flows: MinuteFlows;
  #sums: MinuteAggregates;
  #probes: ProbeLog;
  /** The minute's broadcast ARP requests, judged against the flows when it ends (arp_requests.ts). */
  #arpRequests: ArpRequests;
  #timing = new Subsystems("analyzer");
  #minute = NaN; // start of the minute in progress
  #lastEnd = NaN;
  /**
   * Per flow id: the table's generation of the flow #probe judged in the minute in progress (0: none), so a
   * flow is judged at the first interval it is active in each minute and not again at the next ones. The
   * log counts distinct (source, destination, protocol, port) a minute, so judging again only logged the same
   * probe again, as many duplicate rows in the log's bounded space. It also tells the minute's flows that a
   * flow that did not fit was counted already. Made at the first pass; cleared up to the table's high water
   * mark as each minute closes.
   */
  #judged: Uint32Array | null = null;
  /**
   * Per flow id, read only while #judged says the flow was judged this minute: 1 when the minute's flows
   * could not keep it (they were full, and stay full until the minute ends), so its later intervals skip
   * the lookup that can only miss (most of the flows of a table much larger than the minute keeps).
   */
  #unfollowed: Uint8Array | null = null;
  #stats = {
    minutes: 0,
    flows_not_kept: 0,
    probes_not_logged: 0,
    gateway_arp_requests: 0,
    answering_arp_requests: 0,
  };
  #totals = { bytes: 0, packets: 0, flows: 0 };

  constructor(table: FlowTable, o: AnalysisEngineOptions) {
    this.#t = table;
    this.#o = o;
    this.book = new AdvisoryBook(o.publish);
    this.types = new Set(o.analyzers.flatMap((a) => a.types));
    // Four times as many followed as kept, so the ones kept are the largest of many, not the first seen.
    this.#flows = new MinuteFlows(4 * (o.flowsPerMinute ?? 20_000));
    this.#sums = new MinuteAggregates(o.localNetworks);
    this.#probes = new ProbeLog(o.probesPerMinute ?? 131_072);
    this.#arpRequests = new ArpRequests(o.probesPerMinute ?? 131_072);
  }

  /** Sets the cleartext source once the packet detectors exist (the daemon builds them later). */
  set cleartext(take: () => CleartextSighting[]) {
    this.#o = { ...this.#o, cleartext: take };
  }

  /** Sets the gateway judgment once the ARP watcher exists (see AnalysisEngineOptions.gatewayRequest). */
  set gatewayRequest(judged: (row: number) => boolean) {
    this.#o = { ...this.#o, gatewayRequest: judged };
  }

  /**
   * The engine's part of the rows: ARP requests, into the probe log when the minute ends. A detector of its
   * own because it must run after the ARP watcher (which judges each request as it comes), while the engine's
   * interval close must run before the anomaly detector's; the daemon and replay put it after the packet
   * detectors.
   */
  readonly arpProbes: Detector = {
    name: "analysis_arp",
    onRows: (b, from, to) => this.#arpRows(b, from, to),
  };

  /**
   * ARP requests are host probes (how `nmap -sn` sweeps its own subnet) — the broadcast ones: a request sent
   * to one MAC re-checks a neighbour the sender already knows (how a router keeps its ARP cache fresh), it
   * looks for no one; and neither does a gateway asking by broadcast for a host that has claimed its address
   * in ARP (a router whose neighbour cache dropped the entry, see `gatewayRequest`), nor, judged when the
   * minute ends, a host asking for one that had sent it traffic first (arp_requests.ts).
   */
  #arpRows(b: PacketBatch, from: number, to: number): void {
    const kind = b.kind, op = b.arpOp, unicast = b.arpUnicast, src = b.src, dst = b.dst;
    const gatewayRequest = this.#o.gatewayRequest;
    // The next ARP row by the native search (a batch of IP rows is one call), not a JS loop over every row.
    for (let r = kind.indexOf(RowKind.Arp, from); r >= 0 && r < to; r = kind.indexOf(RowKind.Arp, r + 1)) {
      if (op[r] !== 1 || unicast[r] === 1) continue;
      const a = r << 2;
      // Gratuitous ARP (sender = target) and probes from 0.0.0.0 (RFC 5227) ask no other host.
      if (src[a] === 0 || src[a] === dst[a]) continue;
      if (gatewayRequest?.(r)) {
        this.#stats.gateway_arp_requests++;
        continue;
      }
      if (Number.isNaN(this.#minute)) this.#minute = Math.floor(b.tsMs[r] / MINUTE_MS) * MINUTE_MS;
      this.#arpRequests.add(src[a], dst[a], b.tsMs[r]);
    }
  }

  onInterval(startMs: number, endMs: number, emptyAfter: number): void {
    if (Number.isNaN(this.#minute)) this.#minute = Math.floor(startMs / MINUTE_MS) * MINUTE_MS;
    // An interval that starts after the minute in progress ended (a gap): close that minute first.
    if (startMs >= this.#minute + MINUTE_MS) this.#closeUpTo(startMs);
    this.#pass(startMs);
    this.#lastEnd = endMs;
    // The pipeline's clock is past the empty intervals that followed: a minute they finish is over now.
    const clock = endMs + emptyAfter * (endMs - startMs);
    if (clock >= this.#minute + MINUTE_MS) this.#closeUpTo(clock);
  }

  /** Closes the minute in progress where the capture ended (replay). */
  finish(): void {
    if (Number.isNaN(this.#minute) || Number.isNaN(this.#lastEnd) || this.#lastEnd <= this.#minute) return;
    this.#close(Math.min(this.#lastEnd, this.#minute + MINUTE_MS));
    this.#minute = NaN;
  }

  /** Counters since start. */
  stats(): AnalysisStats {
    const failures = this.#timing.stats().reduce((n, s) => n + s.failures, 0);
    return {
      ...this.#stats,
      raised: this.book.raised,
      resolved: this.book.resolved,
      open: this.book.openCount,
      restored: this.book.restored,
      analyzer_failures: failures,
    };
  }

  /** Closes every minute that ended by `ms`: the one in progress, then empty ones after a gap. */
  #closeUpTo(ms: number): void {
    this.#close(this.#minute + MINUTE_MS);
    const next = Math.floor(ms / MINUTE_MS) * MINUTE_MS;
    let empty = 0;
    for (let m = this.#minute + MINUTE_MS; m < next && empty < MAX_EMPTY_MINUTES; m += MINUTE_MS, empty++) {
      this.#minute = m;
      this.#close(m + MINUTE_MS);
    }
    this.#minute = next;
  }

  /** Every flow that carried something in the interval, into the minute. */
  #pass(startMs: number): void {
    const t = this.#t, flows = this.#flows, sums = this.#sums, o = t.origins, totals = this.#totals;
    // Room for as many flows (hosts: two a flow) as the table may hold now, in one step.
    flows.reserve(t.highWater);
    sums.reserve(2 * t.highWater);
    const judged = this.#judged ??= new Uint32Array(t.capacity), generation = t.generation;
    const unfollowed = this.#unfollowed ??= new Uint8Array(t.capacity);
    for (let id = 0; id < t.highWater; id++) {
      const fam = t.family[id];
      if (fam === 0) continue;
      const bytes = t.intervalBytes(id), packets = t.intervalPackets(id);
      if (packets === 0) continue;
      const a = id << 2, sp = t.srcPort[id], dp = t.dstPort[id], pr = t.proto[id];
      const seen = judged[id] === generation[id]; // active at an earlier interval of this minute
      if (!seen) {
        const kept = flows.add(t, id, bytes, packets, Math.max(t.firstSeen(id), startMs), t.lastSeen(id));
        unfollowed[id] = kept ? 0 : 1;
      } else if (unfollowed[id] === 0) {
        flows.add(t, id, bytes, packets, Math.max(t.firstSeen(id), startMs), t.lastSeen(id), true);
      }
      totals.bytes += bytes;
      totals.packets += packets;
      sums.addFlow(fam, t.src, t.dst, a, dp, pr, bytes, packets);
      if (o && o.exporter[id] !== 0) {
        const e = o.exporter[id];
        sums.addInterfaces(e, () => o.exporterAddress(e), o.inIf[id], o.outIf[id], bytes, packets);
      }
      if (!seen) {
        judged[id] = generation[id];
        this.#probe(id, fam, a, sp, dp, pr);
      }
    }
    // Records a flow did not count (another observer counts it) still crossed their exporter's interfaces.
    o?.takeSeen((e, ifIndex, inBytes, inPackets, outBytes, outPackets) => {
      const address = () => o.exporterAddress(e);
      if (inBytes > 0 || inPackets > 0) sums.addInterfaces(e, address, ifIndex, 0, inBytes, inPackets);
      if (outBytes > 0 || outPackets > 0) sums.addInterfaces(e, address, 0, ifIndex, outBytes, outPackets);
    });
  }

  /** Logs flow `id` when it is a connection attempt: a SYN never followed by an ACK, an unanswered UDP datagram, a ping. */
  #probe(id: number, fam: number, a: number, sp: number, dp: number, pr: number): void {
    const t = this.#t;
    if (pr === 6) {
      const f = t.tcpFlags(id);
      if ((f & SYN) !== 0 && (f & ACK) === 0) this.#probes.add(fam, t.src, a, t.dst, a, 6, dp);
    } else if (pr === 17) {
      if (!t.answered(id)) this.#probes.add(fam, t.src, a, t.dst, a, 17, dp);
    } else if (
      (pr === 1 && (sp === ICMP_ECHO || sp === ICMP_TIMESTAMP)) || (pr === 58 && sp === ICMP6_ECHO)
    ) this.#probes.add(fam, t.src, a, t.dst, a, pr, 0);
  }

  /** Analyses the minute in progress as ending at `endMs`, then starts a new one. */
  #close(endMs: number): void {
    const flows = this.#flows, o = this.#t.origins;
    const exporterAddress = (n: number) => o?.exporterAddress(n) ?? "";
    const top = flows.top(this.#o.flowsPerMinute ?? 20_000, exporterAddress);
    const { hosts, subnets, interfaces } = this.#sums.take();
    const summary: MinuteSummary = {
      minuteMs: this.#minute,
      flows: top.flows,
      exporters: top.exporters,
      // Rows only when read (the flow history): the analyzers read the columns.
      get hosts() {
        return hosts.rows();
      },
      subnets,
      interfaces,
      totals: {
        bytes: this.#totals.bytes,
        packets: this.#totals.packets,
        flows: flows.size + flows.notKept,
        flows_not_kept: flows.size + flows.notKept - top.flows.count,
      },
    };
    // The minute's ARP requests into the log, but those of a host finding a neighbour to answer it.
    this.#stats.answering_arp_requests += this.#arpRequests.drainInto(this.#t, this.#probes);
    // (read before close() empties the log and its count)
    this.#stats.probes_not_logged = this.#probes.notLogged;
    const input = {
      summary,
      hosts,
      endMs,
      probes: this.#probes.close(this.#o.probeMinDistinct ?? 1),
      cleartext: this.#o.cleartext?.() ?? [],
      asymmetric: flows.asymmetry(exporterAddress),
    };
    this.#stats.minutes++;
    this.#stats.flows_not_kept = summary.totals.flows_not_kept;
    for (const an of this.#o.analyzers) {
      this.#timing.run(an.name, () => {
        const findings = an.analyze(input);
        this.book.run(an.types, findings, an.resolveAfterRuns, endMs);
      });
    }
    flows.clear();
    this.#judged?.fill(0, 0, this.#t.highWater);
    this.#totals = { bytes: 0, packets: 0, flows: 0 };
    if (summary.totals.flows > 0 || hosts.count > 0) this.#o.onMinute?.(summary);
  }
}
