/**
 * Re-opening a capture ring at another size with no frame lost and none seen twice.
 *
 * Every ring of a capture is a member of one PACKET_FANOUT selector group (fanout.ts). To switch, a new
 * ring joins the group (accepting nothing until it is a member), then the group's program selects it:
 * from that instant every new frame goes to the new ring and none to the old one. The old ring keeps
 * what it already holds; its last, partly filled block is handed over by the kernel's retire timer,
 * so it is read for three retire timeouts and only then closed. After the last old ring closes, the
 * new one is member 0 and the program selects 0 again, ready for the next switch.
 *
 * Frames of the old ring are read before the new ring's in each pass, so order across the switch is
 * kept up to the old ring's last block (at most one retire timeout of overlap).
 */
import type { FrameSink } from "../decode/mod.ts";
import type { RingStats, TpacketRing } from "./tpacket_ring.ts";

interface Retiring {
  ring: TpacketRing;
  /** Closed at or after this time (ms), once its last block can have been retired. */
  closeAt: number;
}

/** The rings of one capture: the one receiving, and old ones being emptied. */
export class RingHandover {
  #retiring: Retiring[] = [];
  #retireMs: number;
  #onClosed: (stats: RingStats) => void;

  /**
   * @param retireTimeoutMs the rings' block retire timeout
   * @param onClosed receives each old ring's final counters as it is closed
   */
  constructor(retireTimeoutMs: number, onClosed: (stats: RingStats) => void) {
    this.#retireMs = retireTimeoutMs;
    this.#onClosed = onClosed;
  }

  /** Old rings still being emptied. */
  get retiring(): number {
    return this.#retiring.length;
  }

  /**
   * Opens a ring with `open(group)` in `current`'s fanout group and moves every new frame to it.
   * One switch at a time: while an old ring is still being emptied this returns null and does nothing
   * (members are renumbered as they leave, so only "old is 0, new is 1" is certain).
   * On failure nothing changed: `current` still receives, and the error is thrown.
   * @returns the new ring, which now receives; null when a switch is still finishing
   */
  switchFrom(current: TpacketRing, open: (group: number) => TpacketRing, nowMs: number): TpacketRing | null {
    if (current.fanoutGroup === 0) throw new Error(`the ring on ${current.iface} is not in a fanout group`);
    if (this.#retiring.length > 0) return null;
    const next = open(current.fanoutGroup);
    try {
      next.selectFanoutMember(1); // current joined first: it is member 0, next is member 1
    } catch (e) {
      next.close();
      throw e;
    }
    this.#retiring.push({ ring: current, closeAt: nowMs + 3 * this.#retireMs });
    return next;
  }

  /**
   * Reads what the old rings hold into `sink` and closes those whose time has come (all of them with
   * `final`). When the last one closes, `current` is selected as member 0.
   */
  readOld(
    sink: FrameSink & { vlanHint: number },
    current: TpacketRing | null,
    nowMs: number,
    final = false,
  ): void {
    if (this.#retiring.length === 0) return;
    for (let i = 0; i < this.#retiring.length;) {
      const r = this.#retiring[i];
      r.ring.readReady(sink);
      if (final || nowMs >= r.closeAt) {
        this.#retiring.splice(i, 1);
        r.ring.close();
        this.#onClosed(r.ring.stats());
      } else i++;
    }
    if (this.#retiring.length === 0 && current !== null && !current.closed) current.selectFanoutMember(0);
  }

  /** Closes the old rings without reading them (the interface went away). */
  closeAll(): void {
    for (const r of this.#retiring.splice(0)) {
      r.ring.close();
      this.#onClosed(r.ring.stats());
    }
  }
}
