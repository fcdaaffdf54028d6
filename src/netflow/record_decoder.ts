/**
 * Data records of v9 and IPFIX data sets, decoded through a compiled template into rows of a
 * FlowRecordBatch; options data records update the domain's sampling rates and uptime base.
 *
 * This is the per-record hot loop: every value is a local number or a typed-array write, nothing is
 * allocated per record or per field. A record whose fields run past its set ends the set: the
 * functions then return −1 − (records before it), which are kept, and the caller counts the datagram
 * malformed.
 */
import { RecordDirection } from "../flow/mod.ts";
import { Action, VARIABLE_LENGTH } from "./elements.ts";
import type { DomainState, ExporterState } from "./exporter_state.ts";
import type { FlowRecordBatch } from "./flow_record.ts";
import type { Template } from "./template.ts";

/** Where records go: the batch being filled, and how to get an empty one when it is full. */
export interface RecordSink {
  /** The batch being filled. */
  batch: FlowRecordBatch;
  /** Hands the full batch on; returns the batch to fill next (count 0). */
  flush(): FlowRecordBatch;
}

/** What a message says about time, and where its records belong. */
export interface DecodeContext {
  /** The exporter. */
  exporter: ExporterState;
  /** Its domain the message is for. */
  domain: DomainState;
  /** SourceKind of the records. */
  kind: number;
  /** When the datagram was received, ms. */
  receivedMs: number;
  /** The message's export time, ms. */
  exportMs: number;
  /** Epoch ms at exporter uptime 0 (v9: export time − sysUptime; IPFIX: systemInitTimeMilliseconds); NaN when unknown. */
  uptimeBaseMs: number;
}

/** 2^32. */
const TWO32 = 4294967296;
/** Seconds from the NTP era (1900) to the Unix epoch (RFC 5905 §6). */
const NTP_UNIX_OFFSET_S = 2208988800;
/** Sampler rates kept per domain (an exporter announcing more is refused beyond this). */
const MAX_SAMPLERS = 64;

/** An unsigned big-endian number of 1–8 octets (exact up to 2^53). */
function uint(b: Uint8Array, p: number, n: number): number {
  switch (n) {
    case 1:
      return b[p];
    case 2:
      return (b[p] << 8) | b[p + 1];
    case 4:
      return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
    default: {
      let v = 0;
      for (let i = 0; i < n; i++) v = v * 256 + b[p + i];
      return v;
    }
  }
}

/**
 * Where the value of the field described by `w` (action << 16 | length) starts when its record reaches
 * it at `p`, and its length, packed as start << 16 | length; -1 when it runs past `end`. A variable-
 * length field's value follows one length octet, or 255 and two more (RFC 7011 §7).
 */
function fieldAt(b: Uint8Array, p: number, end: number, w: number): number {
  let len = w & 0xffff;
  if (len === VARIABLE_LENGTH) {
    if (p >= end) return -1;
    len = b[p++];
    if (len === 255) {
      if (p + 2 > end) return -1;
      len = (b[p] << 8) | b[p + 1];
      p += 2;
    }
  }
  // Datagrams are under 64 KiB, so start * 65536 + length stays below 2^32.
  return p + len > end ? -1 : p * 65536 + len;
}

/** An NTP timestamp (RFC 7011 §6.1.9–10) as epoch ms. */
function ntpMs(b: Uint8Array, p: number): number {
  return (uint(b, p, 4) - NTP_UNIX_OFFSET_S) * 1000 + uint(b, p + 4, 4) / 4294967.296;
}

/**
 * Exporter uptime `t` (ms, 32 bits, may have wrapped) as epoch ms, the reading nearest the export
 * time; NaN while the uptime base is unknown.
 */
function uptimeMs(t: number, c: DecodeContext): number {
  const base = c.uptimeBaseMs;
  return base !== base ? NaN : c.exportMs + ((base + t - c.exportMs) | 0);
}

/** The sampling rate for records without a sampler ID: the override, else the domain's, else 1. */
function baseRate(c: DecodeContext): number {
  return c.exporter.samplingOverride || c.domain.samplingRate || 1;
}

/**
 * Fills row `r`'s columns that come from the message, not the record (arrival time, exporter, domain,
 * source kind), and counts the row in the batch.
 */
export function finishRow(batch: FlowRecordBatch, r: number, c: DecodeContext): void {
  const e = batch.exporter, w = c.exporter.words, a = r << 2;
  e[a] = w[0];
  e[a + 1] = w[1];
  e[a + 2] = w[2];
  e[a + 3] = w[3];
  batch.exporterFamily[r] = c.exporter.family;
  batch.domain[r] = c.domain.id;
  batch.kind[r] = c.kind;
  batch.tsMs[r] = c.receivedMs;
  batch.count = r + 1;
}

/**
 * Decodes the flow records of `b[pos, end)` (a data set's body) through `t` into `sink`.
 * Returns the records decoded, or −1 − that number when a record ran past `end`.
 */
export function decodeFlowSet(
  b: Uint8Array,
  pos: number,
  end: number,
  t: Template,
  c: DecodeContext,
  sink: RecordSink,
): number {
  const prog = t.program, nf = prog.length, min = t.minLength, fixed = t.fixed;
  const exporter = c.exporter, domain = c.domain;
  const rate0 = baseRate(c), overridden = exporter.samplingOverride !== 0;
  let records = 0, sumBytes = 0, sumPackets = 0, overrun = false;
  records: while (end - pos >= min) {
    let batch = sink.batch;
    if (batch.count === batch.capacity) batch = sink.flush();
    const r = batch.count, a = r << 2, src = batch.src, dst = batch.dst;
    if (t.v6) {
      // IPv6 address fields write the columns directly; a record without them must not keep a stale one.
      src[a] =
        src[a + 1] =
        src[a + 2] =
        src[a + 3] =
          0;
      dst[a] =
        dst[a + 1] =
        dst[a + 2] =
        dst[a + 3] =
          0;
    }
    let v4 = 0, v6 = 0, s4 = 0, d4 = 0, bytes = 0, packets = 0, sport = 0, dport = 0, proto = 0;
    let flags = 0, tos = 0, vlan = 0, inIf = 0, outIf = 0, srcAs = 0, dstAs = 0;
    let icmp = -1, icmpType = -1, icmpCode = -1, sampler = -1, direction: number = RecordDirection.Unknown;
    let startAbs = NaN, endAbs = NaN, startUp = -1, endUp = -1;
    let p = pos;
    // A record of fixed length was bounds-checked whole by the loop condition: no per-field check.
    for (let f = 0; f < nf; f++) {
      const w = prog[f];
      let len = w & 0xffff;
      if (!fixed) {
        const at = fieldAt(b, p, end, w);
        if (at < 0) {
          overrun = true;
          break records;
        }
        p = at >>> 16;
        len = at & 0xffff;
      }
      switch (w >>> 16) {
        case Action.Skip:
          break;
        case Action.Bytes:
          bytes = uint(b, p, len);
          break;
        case Action.Packets:
          packets = uint(b, p, len);
          break;
        case Action.Proto:
          proto = b[p + len - 1];
          break;
        case Action.Tos:
          tos = b[p + len - 1];
          break;
        case Action.TcpFlags:
          flags = b[p + len - 1]; // RFC 7125: 16 bits, the classic flags in the low octet
          break;
        case Action.SrcPort:
          sport = uint(b, p, len) & 0xffff;
          break;
        case Action.DstPort:
          dport = uint(b, p, len) & 0xffff;
          break;
        case Action.SrcV4:
          s4 = uint(b, p, 4);
          v4 |= 1;
          break;
        case Action.DstV4:
          d4 = uint(b, p, 4);
          v4 |= 2;
          break;
        case Action.SrcV6:
          for (let i = 0; i < 4; i++) src[a + i] = uint(b, p + 4 * i, 4);
          v6 |= 1;
          break;
        case Action.DstV6:
          for (let i = 0; i < 4; i++) dst[a + i] = uint(b, p + 4 * i, 4);
          v6 |= 2;
          break;
        case Action.InIf:
          inIf = uint(b, p, len) >>> 0;
          break;
        case Action.OutIf:
          outIf = uint(b, p, len) >>> 0;
          break;
        case Action.SrcAs:
          srcAs = uint(b, p, len) >>> 0;
          break;
        case Action.DstAs:
          dstAs = uint(b, p, len) >>> 0;
          break;
        case Action.StartUptime:
          startUp = uint(b, p, len) % TWO32;
          break;
        case Action.EndUptime:
          endUp = uint(b, p, len) % TWO32;
          break;
        case Action.StartSeconds:
          startAbs = uint(b, p, len) * 1000;
          break;
        case Action.EndSeconds:
          endAbs = uint(b, p, len) * 1000;
          break;
        case Action.StartMillis:
          startAbs = uint(b, p, len);
          break;
        case Action.EndMillis:
          endAbs = uint(b, p, len);
          break;
        case Action.StartNtp:
          startAbs = ntpMs(b, p);
          break;
        case Action.EndNtp:
          endAbs = ntpMs(b, p);
          break;
        case Action.StartDeltaMicros:
          startAbs = c.exportMs - uint(b, p, len) / 1000;
          break;
        case Action.EndDeltaMicros:
          endAbs = c.exportMs - uint(b, p, len) / 1000;
          break;
        case Action.IcmpTypeCode:
          icmp = uint(b, p, len) & 0xffff;
          break;
        case Action.IcmpType:
          icmpType = b[p + len - 1];
          break;
        case Action.IcmpCode:
          icmpCode = b[p + len - 1];
          break;
        case Action.Vlan:
          vlan = uint(b, p, len) & 0xfff;
          break;
        case Action.SamplerId:
          sampler = uint(b, p, len);
          break;
        case Action.Direction: {
          const d = b[p + len - 1]; // 0 ingress, 1 egress; anything else is not a direction
          direction = d === 0
            ? RecordDirection.Ingress
            : d === 1
            ? RecordDirection.Egress
            : RecordDirection.Unknown;
          break;
        }
        default: // options-only elements in a data template: nothing to do
          break;
      }
      p += len;
    }
    pos = p;
    // The template guarantees one full address pair; with both families listed, a zero IPv4 pair means IPv6.
    const fam = v4 === 3 && (v6 !== 3 || s4 !== 0 || d4 !== 0) ? 4 : 6;
    if (fam === 4) {
      src[a] = s4;
      dst[a] = d4;
      src[a + 1] =
        src[a + 2] =
        src[a + 3] =
        dst[a + 1] =
        dst[a + 2] =
        dst[a + 3] =
          0;
    }
    if (proto === 1 || proto === 58) {
      // Flintnet's key holds ICMP type and code where the ports go, as capture does.
      if (icmp < 0 && icmpType >= 0) icmp = (icmpType << 8) | (icmpCode < 0 ? 0 : icmpCode);
      if (icmp < 0 && sport === 0) icmp = dport; // Cisco: type << 8 | code in the destination port
      if (icmp >= 0) {
        sport = icmp >>> 8;
        dport = icmp & 0xff;
      }
    }
    let start = startAbs, stop = endAbs;
    if (stop !== stop && endUp >= 0) stop = uptimeMs(endUp, c);
    if (start !== start && startUp >= 0) {
      start = uptimeMs(startUp, c);
      // Unknown uptime base: end at arrival, keep the duration.
      if (start !== start && stop !== stop && endUp >= 0) {
        stop = c.receivedMs;
        start = stop - Math.max(0, (endUp - startUp) | 0);
      }
    }
    if (stop !== stop) stop = start === start ? start : c.receivedMs;
    if (start !== start) start = stop;
    let rate = rate0;
    if (sampler >= 0 && !overridden && domain.samplers !== null) rate = domain.samplers.get(sampler) ?? rate0;
    bytes *= rate;
    packets *= rate;
    batch.startMs[r] = start;
    batch.endMs[r] = stop;
    batch.bytes[r] = bytes;
    batch.packets[r] = packets;
    batch.sampling[r] = rate;
    batch.family[r] = fam;
    batch.srcPort[r] = sport;
    batch.dstPort[r] = dport;
    batch.proto[r] = proto;
    batch.tcpFlags[r] = flags;
    batch.tos[r] = tos;
    batch.vlan[r] = vlan;
    batch.inIf[r] = inIf;
    batch.outIf[r] = outIf;
    batch.srcAs[r] = srcAs;
    batch.dstAs[r] = dstAs;
    batch.direction[r] = direction;
    finishRow(batch, r, c);
    records++;
    sumBytes += bytes;
    sumPackets += packets;
  }
  const k = exporter.counters;
  k.records += records;
  k.bytes += sumBytes;
  k.packets += sumPackets;
  return overrun ? -1 - records : records;
}

/**
 * Reads the options data records of `b[pos, end)` through `t`: sampling rates (RFC 3954 §8 fields 34,
 * 48, 50; RFC 5477 305/306, 309/310, 302) and systemInitTimeMilliseconds (160) go into the domain.
 * Returns the records read, or −1 − that number when a record ran past `end`.
 */
export function readOptionsSet(
  b: Uint8Array,
  pos: number,
  end: number,
  t: Template,
  domain: DomainState,
): number {
  const prog = t.program, nf = prog.length;
  let records = 0;
  while (end - pos >= t.minLength) {
    let interval = 0, pktInterval = 0, pktSpace = 0, size = 0, population = 0, sampler = -1, init = -1;
    let p = pos;
    for (let f = 0; f < nf; f++) {
      const w = prog[f];
      const at = fieldAt(b, p, end, w);
      if (at < 0) return -1 - records;
      p = at >>> 16;
      const len = at & 0xffff;
      switch (w >>> 16) {
        case Action.SamplingInterval:
          interval = uint(b, p, len);
          break;
        case Action.PacketInterval:
          pktInterval = uint(b, p, len);
          break;
        case Action.PacketSpace:
          pktSpace = uint(b, p, len);
          break;
        case Action.SamplingSize:
          size = uint(b, p, len);
          break;
        case Action.SamplingPopulation:
          population = uint(b, p, len);
          break;
        case Action.SamplerId:
          sampler = uint(b, p, len);
          break;
        case Action.SystemInitMillis:
          init = uint(b, p, len);
          break;
      }
      p += len;
    }
    pos = p;
    records++;
    // 1 in `interval`; `pktInterval` taken then `pktSpace` skipped; `size` of every `population`.
    const rate = interval > 0
      ? interval
      : pktInterval > 0
      ? (pktInterval + pktSpace) / pktInterval
      : size > 0 && population >= size
      ? population / size
      : 0;
    if (rate > 0) {
      domain.samplingRate = rate;
      if (sampler >= 0) {
        domain.samplers ??= new Map();
        if (domain.samplers.has(sampler) || domain.samplers.size < MAX_SAMPLERS) {
          domain.samplers.set(sampler, rate);
        }
      }
    }
    if (init > 0) domain.systemInitMs = init;
  }
  return records;
}

/** Walks the records of a data set whose template describes no flow; returns how many (−1 − n on an overrun). */
export function countRecords(b: Uint8Array, pos: number, end: number, t: Template): number {
  const prog = t.program, nf = prog.length;
  let records = 0;
  while (end - pos >= t.minLength) {
    let p = pos;
    for (let f = 0; f < nf; f++) {
      const at = fieldAt(b, p, end, prog[f]);
      if (at < 0) return -1 - records;
      p = (at >>> 16) + (at & 0xffff);
    }
    pos = p;
    records++;
  }
  return records;
}
