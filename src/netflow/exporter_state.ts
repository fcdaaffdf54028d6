/**
 * What the collector keeps per exporter (a UDP source address) and per observation domain of it (v9
 * source ID, IPFIX observation domain, v5 engine): the templates, the next expected sequence number,
 * the sampling rates announced in options data, the exporter's uptime base, and the counters /stats
 * shows. Created per exporter and per domain, never per record.
 */
import { formatIp } from "../net/mod.ts";
import type { Template } from "./template.ts";
import { TemplateQueue } from "./template_queue.ts";

/** Counters of one exporter (and, summed, of the collector). */
export interface ExporterCounters {
  /** Datagrams received. */
  datagrams: number;
  /** Flow records decoded. */
  records: number;
  /** Packets in those records, after sampling. */
  packets: number;
  /** Octets in those records, after sampling. */
  bytes: number;
  /** Times a message's sequence number was not the one expected (loss, reordering or a restart). */
  sequence_gaps: number;
  /** Data sets dropped because their template never arrived (buffer full or waited too long). */
  template_misses: number;
  /** Datagrams with a malformation (see malformed_by_reason). */
  malformed: number;
  /** Interface counters read from sFlow counter samples (one a port and sample). */
  interface_counters: number;
}

/** Zeroed counters. */
export function zeroCounters(): ExporterCounters {
  return {
    datagrams: 0,
    records: 0,
    packets: 0,
    bytes: 0,
    sequence_gaps: 0,
    template_misses: 0,
    malformed: 0,
    interface_counters: 0,
  };
}

/** One observation domain of one exporter and protocol version. */
export class DomainState {
  /** The exporter it belongs to. */
  readonly exporter: ExporterState;
  /** version * 2^32 + domain id: the key in the exporter's map. */
  readonly key: number;
  /** Source ID, observation domain ID, or v5 engine type << 8 | engine id. */
  readonly id: number;
  /** 5, 9 or 10. */
  readonly version: number;
  /** Templates by ID. */
  readonly templates = new Map<number, Template>();
  /** Whether `nextSequence` is known (not before the first message, nor after one with undecodable sets). */
  sequenceKnown = false;
  /** The sequence number the next message should carry. */
  nextSequence = 0;
  /** The sequence number of the last message. */
  lastSequence = 0;
  /** Sampling rate announced for the domain (options data, v5 header); 0 = none announced. */
  samplingRate = 0;
  /** Rates by sampler / selector ID, from options data; null until one is announced. */
  samplers: Map<number, number> | null = null;
  /** Epoch ms of the exporter's uptime 0 (IPFIX systemInitTimeMilliseconds); NaN until announced. */
  systemInitMs = NaN;

  constructor(exporter: ExporterState, version: number, id: number) {
    this.exporter = exporter;
    this.version = version;
    this.id = id;
    this.key = version * 4294967296 + id;
  }
}

/** One exporter. */
export class ExporterState {
  /** 4 or 6. */
  readonly family: number;
  /** Its address, 4 words (IPv4 in word 0). */
  readonly words: Uint32Array;
  /** The address as text (made once). */
  readonly address: string;
  /** The key in the collector's map. */
  readonly key: number;
  /** Domains by DomainState.key. */
  readonly domains = new Map<number, DomainState>();
  /** This exporter's templates, oldest definition first (for its bound). */
  readonly templateQueue = new TemplateQueue();
  /** Counters. */
  readonly counters: ExporterCounters = zeroCounters();
  /** Sampling rate from FLINTNET_NETFLOW_SAMPLING; 0 = none (what the exporter says applies). */
  readonly samplingOverride: number;
  /** Last datagram, ms since the epoch. */
  lastSeenMs = 0;
  /** Protocol versions seen (bit 5, 9, 10; 16 for sFlow, SourceKind). */
  versions = 0;
  /** Bytes of data sets waiting for their template. */
  pendingBytes = 0;

  constructor(family: number, words: ArrayLike<number>, key: number, samplingOverride: number) {
    this.family = family;
    this.words = Uint32Array.from({ length: 4 }, (_, i) => words[i] ?? 0);
    this.address = formatIp(family, this.words, 0);
    this.key = key;
    this.samplingOverride = samplingOverride;
  }

  /** Whether `words` is this exporter's address. */
  is(family: number, words: ArrayLike<number>, o: number): boolean {
    const w = this.words;
    return family === this.family && w[0] === words[o] && w[1] === words[o + 1] && w[2] === words[o + 2] &&
      w[3] === words[o + 3];
  }
}

/** The map key of an exporter address: the IPv4 address itself, else 2^32 + a 52-bit hash of the words. */
export function exporterKey(family: number, words: ArrayLike<number>, o: number): number {
  if (family === 4) return words[o] >>> 0;
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  for (let i = 0; i < 4; i++) {
    h1 = Math.imul(h1 ^ words[o + i], 0x85ebca6b);
    h2 = Math.imul(h2 ^ words[o + i], 0xc2b2ae35) ^ (h1 >>> 13);
  }
  return 4294967296 + (h1 >>> 0) * 1048576 + ((h2 >>> 12) & 0xfffff);
}
