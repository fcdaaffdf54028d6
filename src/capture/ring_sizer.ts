/**
 * When a capture ring should be re-opened at another size: the ring starts small, because its
 * memory is the kernel's and all resident (64 MiB of a 170 MB daemon, idle), and grows when traffic
 * shows it is needed; after a long quiet stretch it goes back to the start size.
 *
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
    if (nowMs - this.#secondStart >= SECOND_MS) {
      this.#secondStart = nowMs;
      this.#secondBytes = 0;
    }
    this.#secondBytes += bytes;
    if (this.#secondBytes * 2 > this.startMb * 1048576) this.#lastBusy = nowMs;
    if (((blocks >= 2 && blocks * 2 >= blockCount) || drops > 0) && this.#sizeMb < this.maxMb) {
      this.#sizeMb = Math.min(this.maxMb, this.#sizeMb * GROWTH);
      this.#lastBusy = nowMs;
      return this.#sizeMb;
    }
    if (this.#sizeMb > this.startMb && nowMs - this.#lastBusy >= this.#quietMs) {
      this.#sizeMb = this.startMb;
      return this.#sizeMb;
    }
    return 0;
  }
}
