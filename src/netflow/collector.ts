/**
 * The NetFlow v5 / v9 / IPFIX and sFlow v5 collector, without sockets: datagrams in, FlowRecordBatches
 * out (and sFlow agents' port counters), and counters. It keeps per exporter its domains, templates,
 * sequence numbers and sampling rates, and data that came before its template; all of it bounded
 * (exporters, domains, templates, waiting data). Nothing a peer sends can make it throw: a malformed
 * datagram is counted by reason.
 *
 * Pure: it imports nothing of Flintnet but byte and address helpers (and the type of the port counters it
 * hands on), so a Worker, the bench and tests drive the very same code.
 */
import { u16, u32 } from "../net/mod.ts";
import {
  DomainState,
  type ExporterCounters,
  exporterKey,
  ExporterState,
  zeroCounters,
} from "./exporter_state.ts";
import { createFlowRecordBatch, type FlowRecordBatch, SourceKind } from "./flow_record.ts";
import { NetflowMalformed as M, NetflowRefused } from "./malformed.ts";
import { decodeV5Records, v5Count } from "./netflow_v5.ts";
import { decodeSflowSamples, SFLOW_VERSION } from "./sflow.ts";
import type { PortCounters } from "../events/mod.ts";
import { type PendingSet, PendingSets } from "./pending_sets.ts";
import {
  countRecords,
  type DecodeContext,
  decodeFlowSet,
  readOptionsSet,
  type RecordSink,
} from "./record_decoder.ts";
import { type SetHost, walkSets } from "./sets.ts";
import { type Template, TemplateBuilder } from "./template.ts";
import { TemplateStore } from "./template_store.ts";
import { type CollectorStats, collectorStats } from "./collector_stats.ts";

const COUNTER_KEYS = Object.keys(zeroCounters()) as (keyof ExporterCounters)[];

/**
 * New template layouts one message may define. Exporters send a handful (softflowd 5, routers tens);
 * a template definition costs a few µs (allocation, then garbage when evicted), so this bounds a
 * datagram's time: 8,000 of them took 40 ms here. Resending known templates is not counted.
 */
export const MAX_NEW_TEMPLATES_PER_MESSAGE = 256;

/** Bounds on what the collector keeps; every default is what the daemon uses. */
export interface CollectorLimits {
  /** Exporters tracked at once. @default 4096 */
  exporters: number;
  /** Observation domains per exporter. @default 256 */
  domainsPerExporter: number;
  /** Templates per exporter. @default 512 */
  templatesPerExporter: number;
  /** Templates overall. @default 16384 */
  templates: number;
  /** Data sets waiting for their template. @default 1024 */
  pendingSets: number;
  /** Octets of data sets waiting, overall. @default 4 MiB */
  pendingBytes: number;
  /** Octets of data sets waiting, per exporter. @default 256 KiB */
  pendingBytesPerExporter: number;
  /** How long a data set waits for its template, ms. @default 5 min */
  pendingTtlMs: number;
  /** An exporter silent this long is forgotten (its templates too), ms. @default 1 h */
  exporterIdleMs: number;
  /**
   * sFlow interface counters handed on per tick (about a second), all exporters; more are dropped and
   * counted. A switch sends one a port every 20–30 s: 5,000 a second is a hundred 48-port switches polled
   * every second; a flood of forged counter samples must not keep the main thread busy. @default 5000
   */
  interfaceCountersPerTick: number;
}

/** The defaults of {@link CollectorLimits}. */
export const DEFAULT_COLLECTOR_LIMITS: CollectorLimits = {
  exporters: 4096,
  domainsPerExporter: 256,
  templatesPerExporter: 512,
  templates: 16384,
  pendingSets: 1024,
  pendingBytes: 4 << 20,
  pendingBytesPerExporter: 256 << 10,
  pendingTtlMs: 5 * 60_000,
  exporterIdleMs: 60 * 60_000,
  interfaceCountersPerTick: 5000,
};

/** A per-exporter sampling rate that wins over what the exporter announces. */
export interface SamplingOverride {
  /** 4 or 6. */
  family: number;
  /** Address words (IPv4 in word 0). */
  words: ArrayLike<number>;
  /** 1 in `rate` packets was sampled. */
  rate: number;
}

/** Options of {@link NetflowCollector}. */
export interface CollectorOptions {
  /** Called with each full (or flushed) batch; returns the batch to fill next (count 0). */
  onBatch: (batch: FlowRecordBatch) => FlowRecordBatch;
  /** Called once when an exporter is first seen (or seen again after it was forgotten). */
  onExporter?: (exporter: ExporterState) => void;
  /** Called with each port's counters from an sFlow counter sample. */
  onInterfaceCounters?: (counters: PortCounters) => void;
  /** FLINTNET_NETFLOW_SAMPLING. */
  sampling?: readonly SamplingOverride[];
  /** Bounds (each defaults to DEFAULT_COLLECTOR_LIMITS'). */
  limits?: Partial<CollectorLimits>;
  /** The first batch to fill. @default a new one */
  batch?: FlowRecordBatch;
}

/** The collector. */
export class NetflowCollector implements RecordSink, SetHost {
  /** The batch being filled (RecordSink). */
  batch: FlowRecordBatch;
  readonly builder = new TemplateBuilder();
  readonly templates: TemplateStore;
  /** The message being decoded (one object, reused). */
  readonly ctx: DecodeContext;
  readonly #o: CollectorOptions;
  readonly #limits: CollectorLimits;
  readonly #exporters = new Map<number, ExporterState>();
  readonly #overrides = new Map<number, number>();
  readonly #pending: PendingSets;
  #problem = -1;
  /** Counters of exporters forgotten while idle, so totals never go down. */
  readonly #retired: ExporterCounters = zeroCounters();
  /** Malformed datagrams by reason. */
  readonly malformedByReason: number[] = [];
  /** Refusals by reason (NetflowRefused): datagrams, or template records for TemplateBurst. */
  readonly refusedByReason: number[] = [0, 0, 0];
  /** New template layouts the message being decoded may still define. */
  templateBudget = MAX_NEW_TEMPLATES_PER_MESSAGE;
  /** Options data records read. */
  optionsRecords = 0;
  /** Data records of templates that describe no flow (no address pair). */
  otherRecords = 0;
  /** sFlow interface counters not handed on: past interfaceCountersPerTick. */
  interfaceCountersDropped = 0;
  #interfaceCountersLeft: number;

  constructor(o: CollectorOptions) {
    this.#o = o;
    this.#limits = { ...DEFAULT_COLLECTOR_LIMITS, ...o.limits };
    const l = this.#limits;
    this.templates = new TemplateStore({ perExporter: l.templatesPerExporter, total: l.templates });
    this.#pending = new PendingSets({
      sets: l.pendingSets,
      bytes: l.pendingBytes,
      bytesPerExporter: l.pendingBytesPerExporter,
      ttlMs: l.pendingTtlMs,
    });
    this.#interfaceCountersLeft = l.interfaceCountersPerTick;
    for (const s of o.sampling ?? []) this.#overrides.set(exporterKey(s.family, s.words, 0), s.rate);
    this.batch = o.batch ?? createFlowRecordBatch();
    this.batch.count = 0;
    this.ctx = {
      exporter: undefined as unknown as ExporterState,
      domain: undefined as unknown as DomainState,
      kind: 0,
      receivedMs: 0,
      exportMs: 0,
      uptimeBaseMs: NaN,
    };
  }

  /**
   * Decodes one datagram `b[0, length)` from `family`/`words[wo…]` (the UDP source address),
   * received at `receivedMs`. Records go into the batch; call flush() to hand a partial batch on.
   */
  decode(
    b: Uint8Array,
    length: number,
    family: number,
    words: ArrayLike<number>,
    wo: number,
    receivedMs: number,
  ): void {
    const exporter = this.#exporter(family, words, wo, receivedMs);
    if (!exporter) {
      this.refusedByReason[NetflowRefused.ExporterLimit]++;
      return;
    }
    exporter.counters.datagrams++;
    exporter.lastSeenMs = receivedMs;
    this.#problem = -1;
    this.templateBudget = MAX_NEW_TEMPLATES_PER_MESSAGE;
    const c = this.ctx;
    c.exporter = exporter;
    c.receivedMs = receivedMs;
    const version = length >= 2 ? u16(b, 0) : 0;
    if (length < 2) this.problem(M.TruncatedHeader);
    else if (version === 5) this.#v5(b, length);
    else if (version === 9) this.#v9(b, length);
    else if (version === 10) this.#ipfix(b, length);
    else if (version === 0) this.#sflow(b, length); // sFlow's version is a 32-bit word: 0, 5
    else this.problem(M.UnknownVersion);
    if (this.#problem >= 0) {
      exporter.counters.malformed++;
      this.malformedByReason[this.#problem] = (this.malformedByReason[this.#problem] ?? 0) + 1;
    }
  }

  /** Hands the partial batch on (when it holds records). */
  flush(): FlowRecordBatch {
    if (this.batch.count > 0) {
      this.batch = this.#o.onBatch(this.batch);
      this.batch.count = 0;
    }
    return this.batch;
  }

  /** Expires data that waited too long for its template and forgets idle exporters. Call about once a second. */
  tick(nowMs: number): void {
    this.#interfaceCountersLeft = this.#limits.interfaceCountersPerTick;
    const idle = nowMs - this.#limits.exporterIdleMs;
    const gone = (d: DomainState) => d.exporter.lastSeenMs < idle;
    for (const s of this.#pending.expire(nowMs, gone)) this.#miss(s);
    for (const [key, e] of this.#exporters) {
      if (e.lastSeenMs >= idle) continue;
      this.templates.dropAll(e.domains.values());
      for (const k of COUNTER_KEYS) this.#retired[k] += e.counters[k];
      this.#exporters.delete(key);
    }
  }

  /** Counters for /stats. */
  stats(): CollectorStats {
    return collectorStats({
      retired: this.#retired,
      exporters: [...this.#exporters.values()],
      malformedByReason: this.malformedByReason,
      refusedByReason: this.refusedByReason,
      optionsRecords: this.optionsRecords,
      otherRecords: this.otherRecords,
      interfaceCountersDropped: this.interfaceCountersDropped,
      templates: this.templates.size,
      templatesEvicted: this.templates.evicted,
      pendingSets: this.#pending.size,
      pendingBytes: this.#pending.bytes,
    });
  }

  /** The exporters tracked now. */
  exporters(): IterableIterator<ExporterState> {
    return this.#exporters.values();
  }

  interfaceCounters(counters: PortCounters): void {
    if (this.#interfaceCountersLeft <= 0) {
      this.interfaceCountersDropped++;
      return;
    }
    this.#interfaceCountersLeft--;
    this.ctx.exporter.counters.interface_counters++;
    this.#o.onInterfaceCounters?.(counters);
  }

  refusedTemplate(): void {
    this.refusedByReason[NetflowRefused.TemplateBurst]++;
  }

  problem(reason: number): void {
    if (this.#problem < 0) this.#problem = reason;
  }

  dataSet(b: Uint8Array, pos: number, end: number, templateId: number): number {
    const c = this.ctx, d = c.domain;
    const t = d.templates.get(templateId);
    if (t) return this.#decodeWith(b, pos, end, t);
    const base = d.version === 9 ? c.uptimeBaseMs : NaN;
    for (const s of this.#pending.add(d, templateId, b, pos, end, c.receivedMs, c.exportMs, base)) {
      this.#miss(s);
    }
    return -1;
  }

  defined(domain: DomainState, t: Template): void {
    const waiting = this.#pending.take(domain, t.id);
    if (waiting.length === 0) return;
    const c = this.ctx;
    const saved = { receivedMs: c.receivedMs, exportMs: c.exportMs, uptimeBaseMs: c.uptimeBaseMs };
    for (const s of waiting) {
      c.receivedMs = s.receivedMs;
      c.exportMs = s.exportMs;
      c.uptimeBaseMs = s.uptimeBaseMs;
      this.#decodeWith(s.data, 0, s.data.length, t);
    }
    Object.assign(c, saved);
  }

  #decodeWith(b: Uint8Array, pos: number, end: number, t: Template): number {
    const c = this.ctx;
    // IPFIX times are relative to systemInitTimeMilliseconds, which options data may just have set.
    if (c.domain.version === 10) c.uptimeBaseMs = c.domain.systemInitMs;
    const n = t.options
      ? readOptionsSet(b, pos, end, t, c.domain)
      : t.flows
      ? decodeFlowSet(b, pos, end, t, c, this)
      : countRecords(b, pos, end, t);
    // A negative n is −1 − the records before a record that ran past the set.
    const records = n < 0 ? -1 - n : n;
    if (t.options) this.optionsRecords += records;
    else if (!t.flows) this.otherRecords += records;
    if (n >= 0) return n;
    this.problem(M.RecordOverrun);
    return -1;
  }

  #miss(s: PendingSet): void {
    s.domain.exporter.counters.template_misses++;
    s.domain.sequenceKnown = false;
  }

  #exporter(family: number, words: ArrayLike<number>, wo: number, nowMs: number): ExporterState | undefined {
    const key = exporterKey(family, words, wo);
    const known = this.#exporters.get(key);
    if (known) return known.is(family, words, wo) ? known : undefined;
    if (this.#exporters.size >= this.#limits.exporters) return undefined;
    const w = [words[wo], words[wo + 1], words[wo + 2], words[wo + 3]];
    const e = new ExporterState(family, w, key, this.#overrides.get(key) ?? 0);
    e.lastSeenMs = nowMs;
    this.#exporters.set(key, e);
    this.#o.onExporter?.(e);
    return e;
  }

  /** The domain of the message's exporter, created on first use; undefined past the bound. */
  #domain(version: number, id: number): DomainState | undefined {
    const e = this.ctx.exporter;
    const d = e.domains.get(version * 4294967296 + id);
    if (d) return d;
    if (e.domains.size >= this.#limits.domainsPerExporter) {
      this.refusedByReason[NetflowRefused.DomainLimit]++;
      return undefined;
    }
    const created = new DomainState(e, version, id);
    e.domains.set(created.key, created);
    return created;
  }

  /**
   * Sequence check: `seq` against the domain's expectation, then what the next message should carry.
   * `alsoFine`, when ≥ 0, is a second number accepted: softflowd 1.1 numbers an IPFIX message after
   * counting its own records, where RFC 7011 §3.1 counts the records before it.
   */
  #sequence(d: DomainState, seq: number, next: number, alsoFine = -1): void {
    if (d.sequenceKnown && seq !== d.nextSequence && seq !== alsoFine) d.exporter.counters.sequence_gaps++;
    d.sequenceKnown = next >= 0;
    d.nextSequence = next >= 0 ? next % 4294967296 : 0;
    d.lastSequence = seq;
  }

  #v5(b: Uint8Array, length: number): void {
    const count = v5Count(b, length);
    if (count < 0) return this.problem(-1 - count);
    const d = this.#domain(5, u16(b, 20)); // engine type << 8 | engine id
    if (!d) return;
    const c = this.ctx;
    c.exporter.versions |= 1 << 5;
    c.domain = d;
    c.kind = SourceKind.NetflowV5;
    c.exportMs = u32(b, 8) * 1000 + Math.floor(u32(b, 12) / 1e6);
    c.uptimeBaseMs = c.exportMs - u32(b, 4);
    // Top two bits: sampling mode; low 14: the interval (1 in N).
    const interval = u16(b, 22) & 0x3fff;
    if (interval > 1) d.samplingRate = interval;
    this.#sequence(d, u32(b, 16), u32(b, 16) + count); // flow_sequence counts flows
    decodeV5Records(b, count, c, this);
  }

  #sflow(b: Uint8Array, length: number): void {
    // sFlow v5: version, agent address type (1 IPv4, 2 IPv6), agent address, sub-agent id, sequence
    // number, uptime (ms), sample count; 28 or 40 octets. The exporter is the UDP source, as for NetFlow.
    if (length < 8) return this.problem(M.TruncatedHeader);
    if (u32(b, 0) !== SFLOW_VERSION) return this.problem(M.UnknownVersion);
    const addressType = u32(b, 4);
    if (addressType !== 1 && addressType !== 2) return this.problem(M.BadLength);
    const h = addressType === 1 ? 12 : 24;
    if (length < h + 16) return this.problem(M.TruncatedHeader);
    const d = this.#domain(SourceKind.Sflow, u32(b, h)); // a sub-agent is a domain
    if (!d) return;
    const c = this.ctx;
    c.exporter.versions |= 1 << SourceKind.Sflow;
    c.domain = d;
    c.kind = SourceKind.Sflow;
    c.exportMs = c.receivedMs; // sFlow datagrams carry no wall-clock time
    c.uptimeBaseMs = c.receivedMs - u32(b, h + 8);
    const seq = u32(b, h + 4);
    decodeSflowSamples(b, h + 16, length, u32(b, h + 12), c, this);
    this.#sequence(d, seq, seq + 1); // counts datagrams, per sub-agent
  }

  #v9(b: Uint8Array, length: number): void {
    // RFC 3954 §5.1: version, count, sysUptime, unix secs, package sequence, source ID (20 octets).
    if (length < 20) return this.problem(M.TruncatedHeader);
    const d = this.#domain(9, u32(b, 16));
    if (!d) return;
    const c = this.ctx;
    c.exporter.versions |= 1 << 9;
    c.domain = d;
    c.kind = SourceKind.NetflowV9;
    c.exportMs = u32(b, 8) * 1000;
    c.uptimeBaseMs = c.exportMs - u32(b, 4);
    const seq = u32(b, 12);
    walkSets(this, b, 20, length, false);
    this.#sequence(d, seq, seq + 1); // counts export packets
  }

  #ipfix(b: Uint8Array, length: number): void {
    // RFC 7011 §3.1: version, length, export time, sequence, observation domain (16 octets).
    if (length < 16) return this.problem(M.TruncatedHeader);
    const declared = u16(b, 2);
    if (declared !== length) {
      this.problem(M.BadLength);
      if (declared < 16 || declared > length) return;
    }
    const d = this.#domain(10, u32(b, 12));
    if (!d) return;
    const c = this.ctx;
    c.exporter.versions |= 1 << 10;
    c.domain = d;
    c.kind = SourceKind.Ipfix;
    c.exportMs = u32(b, 4) * 1000;
    c.uptimeBaseMs = d.systemInitMs;
    const seq = u32(b, 8);
    const records = walkSets(this, b, 16, declared, true);
    const counted = d.sequenceKnown && records >= 0 ? (d.lastSequence + records) % 4294967296 : -1;
    this.#sequence(d, seq, records < 0 ? -1 : seq + records, counted); // counts data records
  }
}
