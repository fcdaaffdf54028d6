/**
 * When a capture ring should be re-opened at another size: the ring starts small, because its
 * memory is the kernel's and all resident (64 MiB of a 170 MB daemon, idle), and grows when traffic
 * shows it is needed; after a long quiet stretch it goes back to the start size.
 *
 * - Leave the start size (×4) as soon as a second's traffic would fill the ring in less than HOLD_S
 *   seconds: the start size is for an idle link, and re-opening is what costs frames, so it is done while
 *   traffic is still light. Until the new ring is mapped the capture thread cannot read the old one, and
 *   the kernel takes long to give it the new ring's memory: measured in the daemon on this 2-core VM,
 *   17–71 ms for 16 MiB and 116–309 ms for 64 MiB, while a 4 MiB ring holds 25 ms of a million small
 *   frames a second. Grown only once half full, the ring was sometimes grown at the start of a burst of a
 *   million frames a second, and dropped thousands (docs/benchmarks.md). Growing further on the rate as well
 *   took the ring to 64 MiB at 0.3 M frames a second and kept the daemon 50 MB larger for as long as such
 *   traffic lasts, with no fewer drops measured; so beyond the first step the ring waits for the evidence:
 * - Grow (×4, up to the maximum) when one read found half the ring's blocks waiting, or the kernel
 *   dropped frames: the reader is falling behind and the next burst would overflow it.
 * - Shrink (to the start size) when, for `quietMs`, no second carried more frame bytes than half the
 *   start ring holds: the small ring then still has two seconds of the busiest traffic seen.
 *
 * Pure decisions over counters; the re-open itself (with no frame lost) is ring_switch.ts.
 */

/** Options of a {@link RingSizer}. */
export interface RingSizerOptions {
  /** Size the ring opens at, MiB. */
  startMb: number;
  /** Largest size, MiB. */
  maxMb: number;
  /** How long traffic must stay low before the ring shrinks back, ms. @default 300_000 */
  quietMs?: number;
}

/** Factor a ring grows by at a time. */
const GROWTH = 4;
const SECOND_MS = 1000;
const MIB = 1048576;
/** Seconds of a second's traffic the start ring should hold; one that holds less grows (module comment). */
const HOLD_S = 2;

/** Decides the ring size of one capture from what each read found. */
export class RingSizer {
  /** Size the ring opens at, MiB. */
  readonly startMb: number;
  /** Largest size, MiB. */
  readonly maxMb: number;
  readonly #quietMs: number;
  #sizeMb: number;
  #secondStart = 0;
  #secondBytes = 0;
  /** Last time a second carried more than the start ring can hold comfortably. */
  #lastBusy = 0;

  constructor(opts: RingSizerOptions) {
    if (!(opts.startMb > 0) || !(opts.maxMb > 0)) {
      throw new RangeError(`ring sizes must be > 0 MiB, got start ${opts.startMb}, max ${opts.maxMb}`);
    }
    this.maxMb = opts.maxMb;
    this.startMb = Math.min(opts.startMb, opts.maxMb);
    this.#quietMs = opts.quietMs ?? 300_000;
    this.#sizeMb = this.startMb;
  }

  /**
   * Why afterRead() last asked for another size: the traffic's rate, a backlog of blocks, kernel drops, or
   * (shrinking) quiet.
   */
  reason: "rate" | "backlog" | "drops" | "quiet" = "quiet";

  /** The size the ring should have now, MiB. */
  get sizeMb(): number {
    return this.#sizeMb;
  }

  /** The ring could not be re-opened: it stays at `sizeMb`. */
  keep(sizeMb: number): void {
    this.#sizeMb = sizeMb;
  }

  /** The ring was (re)opened at the start size (after the interface came back). */
  reset(nowMs: number): void {
    this.#sizeMb = this.startMb;
    this.#lastBusy = nowMs;
  }

  /**
   * One read: `blocks` of the ring's `blockCount` were waiting, carrying `bytes` of frames, and the
   * kernel dropped `drops` frames since the last call.
   * @returns the size to re-open at, MiB, or 0 to keep the ring as it is
   */
  afterRead(nowMs: number, blocks: number, blockCount: number, bytes: number, drops: number): number {
    let fast = false;
    if (nowMs - this.#secondStart >= SECOND_MS) {
      // The second (or the quiet stretch since the last read) that just ended, as bytes a second.
      const perS = (this.#secondBytes * SECOND_MS) / (nowMs - this.#secondStart);
      fast = this.#sizeMb === this.startMb && perS * HOLD_S > this.startMb * MIB;
      this.#secondStart = nowMs;
      this.#secondBytes = 0;
    }
    this.#secondBytes += bytes;
    if (this.#secondBytes * 2 > this.startMb * MIB) this.#lastBusy = nowMs;
    const backlog = blocks >= 2 && blocks * 2 >= blockCount;
    if ((fast || backlog || drops > 0) && this.#sizeMb < this.maxMb) {
      this.reason = drops > 0 ? "drops" : backlog ? "backlog" : "rate";
      this.#sizeMb = Math.min(this.maxMb, this.#sizeMb * GROWTH);
      this.#lastBusy = nowMs;
      return this.#sizeMb;
    }
    if (this.#sizeMb > this.startMb && nowMs - this.#lastBusy >= this.#quietMs) {
      this.reason = "quiet";
      this.#sizeMb = this.startMb;
      return this.#sizeMb;
    }
    return 0;
  }
}
