/**
 * Data sets that arrived before their template (an exporter restarted, or UDP reordered its first
 * datagrams), kept as copies in a bounded FIFO until the template comes. Bounded in sets, in octets
 * overall and in octets per exporter, and in age: a set pushed out or expired is handed back so the
 * collector counts it as a template miss.
 */
import type { DomainState } from "./exporter_state.ts";

/** One waiting data set and what its message said about time. */
export interface PendingSet {
  /** The domain it belongs to. */
  domain: DomainState;
  /** The template ID it needs. */
  templateId: number;
  /** The set's records (a copy; the set header is not included). */
  data: Uint8Array;
  /** When its datagram was received, ms. */
  receivedMs: number;
  /** The message's export time, ms. */
  exportMs: number;
  /** The message's uptime base (v9: export time − sysUptime), ms; NaN when none. */
  uptimeBaseMs: number;
}

/** Bounds of the buffer. */
export interface PendingLimits {
  /** Sets held at most. */
  sets: number;
  /** Octets held at most. */
  bytes: number;
  /** Octets one exporter may hold. */
  bytesPerExporter: number;
  /** How long a set waits for its template, ms. */
  ttlMs: number;
}

const NONE: readonly PendingSet[] = [];

/** The buffer. */
export class PendingSets {
  readonly #limits: PendingLimits;
  #sets: PendingSet[] = [];
  #bytes = 0;

  constructor(limits: PendingLimits) {
    this.#limits = limits;
  }

  /** Sets waiting. */
  get size(): number {
    return this.#sets.length;
  }

  /** Octets waiting. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Keeps a copy of `data[from, to)`; returns the sets pushed out to make room (oldest first, possibly
   * the new one itself when it alone exceeds the per-exporter bound).
   */
  add(
    domain: DomainState,
    templateId: number,
    data: Uint8Array,
    from: number,
    to: number,
    receivedMs: number,
    exportMs: number,
    uptimeBaseMs: number,
  ): PendingSet[] {
    const n = to - from, l = this.#limits;
    const set: PendingSet = {
      domain,
      templateId,
      data: data.slice(from, to),
      receivedMs,
      exportMs,
      uptimeBaseMs,
    };
    if (n > l.bytesPerExporter || n > l.bytes) return [set];
    const out: PendingSet[] = [];
    const exporter = domain.exporter;
    // Make room: this exporter's own oldest sets first when it is over its share, then anyone's.
    while (exporter.pendingBytes + n > l.bytesPerExporter) {
      const i = this.#sets.findIndex((s) => s.domain.exporter === exporter);
      out.push(this.#removeAt(i));
    }
    while (this.#sets.length >= l.sets || this.#bytes + n > l.bytes) out.push(this.#removeAt(0));
    this.#sets.push(set);
    this.#bytes += n;
    exporter.pendingBytes += n;
    return out;
  }

  /** Removes and returns the sets waiting for template `templateId` of `domain`, oldest first. */
  take(domain: DomainState, templateId: number): readonly PendingSet[] {
    let out: PendingSet[] | undefined;
    for (let i = 0; i < this.#sets.length;) {
      const s = this.#sets[i];
      if (s.domain === domain && s.templateId === templateId) (out ??= []).push(this.#removeAt(i));
      else i++;
    }
    return out ?? NONE;
  }

  /** Removes and returns the sets that waited longer than the TTL by `nowMs`, and those of `gone` domains. */
  expire(nowMs: number, gone?: (d: DomainState) => boolean): PendingSet[] {
    const out: PendingSet[] = [];
    for (let i = 0; i < this.#sets.length;) {
      const s = this.#sets[i];
      if (nowMs - s.receivedMs > this.#limits.ttlMs || gone?.(s.domain)) out.push(this.#removeAt(i));
      else i++;
    }
    return out;
  }

  #removeAt(i: number): PendingSet {
    const [s] = this.#sets.splice(i, 1);
    this.#bytes -= s.data.length;
    s.domain.exporter.pendingBytes -= s.data.length;
    return s;
  }
}
