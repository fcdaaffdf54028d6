/**
 * The frame tap: a FrameSink in front of the decoder, inside the capture Worker, that copies the frames
 * a recording wants — with what a pcap record header needs — into the tap ring (tap_ring.ts) before the
 * decoder sees them. Raw frames exist only here: the ring block they sit in goes back to the kernel as
 * soon as it is walked.
 *
 * Cost: while nothing records and no look-back ring is kept, the capture loop hands frames to the
 * decoder directly and the tap is not called at all. Armed, a frame costs one header parse and a compare
 * per subject (tap_subjects.ts); a matching frame (or every frame, while the look-back ring is kept)
 * one copy of its captured octets (at most FLINTNET_SNAPLEN). Nothing is allocated per frame.
 */
import type { FrameSink } from "../decode/mod.ts";
import { type TapRingShape, TapRingWriter } from "./tap_ring.ts";
import { type TapSubject, TapSubjects } from "./tap_subjects.ts";

/** main → worker: what the tap copies from now on. */
export interface TapMessage {
  type: "tap";
  /** The ring to copy into; null disarms the tap. */
  ring: TapRingShape | null;
  /** The subjects armed (the recordings running). */
  subjects: TapSubject[];
  /** Copy every frame (the look-back ring before a trigger), marked with the subjects it matches. */
  keepAll: boolean;
  /** Increases with every message; written back into the ring once applied. */
  generation: number;
}

/** A FrameSink that copies chosen frames aside, then hands every frame on. */
export class FrameTap implements FrameSink {
  /** VLAN id for the next frame, passed on to the decoder (TpacketRing sets it). */
  vlanHint = 0;
  #inner: FrameSink & { vlanHint: number };
  #subjects = new TapSubjects();
  #writer: TapRingWriter | null = null;
  #shape: TapRingShape | null = null;
  #keepAll = false;

  constructor(inner: FrameSink & { vlanHint: number }) {
    this.#inner = inner;
  }

  /** Whether the tap has anything to do: when false, feed the decoder directly. */
  get armed(): boolean {
    return this.#writer !== null && (this.#keepAll || this.#subjects.count > 0);
  }

  /** Applies a TapMessage (once per change). */
  configure(m: TapMessage): void {
    if (m.ring === null) this.#writer = this.#shape = null;
    else if (m.ring.sab !== this.#shape?.sab) {
      this.#shape = m.ring;
      this.#writer = new TapRingWriter(m.ring);
    }
    this.#subjects.set(m.subjects);
    this.#keepAll = m.keepAll;
    this.#writer?.applied(m.generation);
  }

  /** @inheritdoc */
  frame(b: Uint8Array, off: number, capLen: number, wireLen: number, tsMs: number, linkType: number): void {
    const w = this.#writer;
    if (w !== null) {
      const mask = this.#subjects.match(b, off, capLen, linkType);
      if (mask !== 0 || this.#keepAll) w.write(b, off, capLen, wireLen, tsMs, linkType, mask);
    }
    this.#inner.vlanHint = this.vlanHint;
    this.vlanHint = 0;
    this.#inner.frame(b, off, capLen, wireLen, tsMs, linkType);
  }

  /** @inheritdoc */
  flush(): void {
    this.#inner.flush();
  }
}
