/**
 * The packet-level detector of topology: the LLDP and CDP rows the decoder set aside are parsed here,
 * on the main thread, into {@link PassiveObservation}s. A batch without such rows costs one read of its
 * aside counter; rows of other kinds are never looked at.
 */
import { AsideUse, type PacketBatch, parseCdp, parseLldp, RowKind } from "../decode/mod.ts";
import type { Detector } from "../flow/mod.ts";
import { formatMac } from "../net/mod.ts";
import { cdpObservation, lldpObservation, type PassiveObservation } from "./passive_report.ts";

/** Counters of the passive side, for /stats. */
export interface PassiveDiscoveryCounters {
  /** LLDPDUs read. */
  lldp_frames: number;
  /** CDP messages read. */
  cdp_frames: number;
  /** Frames the sink failed on (a bug, never a peer's fault: the decoder validated them). */
  errors: number;
}

/** Reads set-aside LLDP/CDP rows and hands each frame to `onObservation`. */
export class PassiveDiscovery implements Detector {
  readonly name = "topology_passive";
  readonly #onObservation: (o: PassiveObservation) => void;
  readonly #counters: PassiveDiscoveryCounters = { lldp_frames: 0, cdp_frames: 0, errors: 0 };

  constructor(onObservation: (o: PassiveObservation) => void) {
    this.#onObservation = onObservation;
  }

  onRows(b: PacketBatch, from: number, to: number): void {
    if (b.asideUse[AsideUse.Rows] === 0) return;
    for (let r = from; r < to; r++) {
      const kind = b.kind[r];
      if (kind !== RowKind.Lldp && kind !== RowKind.Cdp) continue;
      try {
        this.#row(b, r, kind);
      } catch {
        this.#counters.errors++;
      }
    }
  }

  /** A snapshot of the counters. */
  counters(): PassiveDiscoveryCounters {
    return { ...this.#counters };
  }

  #row(b: PacketBatch, r: number, kind: number): void {
    const at = b.srcPort[r], end = at + b.dstPort[r];
    const facts = { tsMs: b.tsMs[r], iface: b.source, vlan: b.vlan[r], srcMac: formatMac(b.ethSrc[r]) };
    if (kind === RowKind.Lldp) {
      const pdu = parseLldp(b.aside, at, end);
      if (pdu === null) throw new Error("a set-aside LLDPDU did not parse");
      this.#counters.lldp_frames++;
      this.#onObservation(lldpObservation(pdu, facts));
    } else {
      const pdu = parseCdp(b.aside, at, end);
      if (pdu === null) throw new Error("a set-aside CDP message did not parse");
      this.#counters.cdp_frames++;
      this.#onObservation(cdpObservation(pdu, facts));
    }
  }
}
