/**
 * A sink's retry buffer on disk: batches waiting for their server, one file each
 * (`<dir>/<sequence>.batch`, written atomically), sent oldest first, removed once the server took
 * them. Bounded in bytes: a batch that would pass the bound first removes the oldest ones, counted as
 * dropped. Survives restarts: batches left by the last run are sent first.
 */
import { writeFileAtomic } from "../base/mod.ts";

/** A batch waiting in the spool. */
export interface SpooledBatch {
  /** Its sequence number (file name). */
  readonly seq: number;
  /** Rows it holds (for counters). */
  readonly rows: number;
  /** The body to send. */
  readonly body: Uint8Array<ArrayBuffer>;
}

/** Counters of a spool. */
export interface SpoolStats {
  /** Batches waiting now. */
  batches: number;
  /** Bytes waiting now. */
  bytes: number;
  /** Batches removed unsent to stay within the bound. */
  dropped_batches: number;
  /** Rows in those batches. */
  dropped_rows: number;
}

const SUFFIX = ".batch";

/** The on-disk queue of one sink. */
export class Spool {
  readonly #dir: string;
  readonly #maxBytes: number;
  /** seq → [bytes, rows], oldest first (sequence numbers only grow). */
  readonly #index = new Map<number, [number, number]>();
  #next = 1;
  #bytes = 0;
  #droppedBatches = 0;
  #droppedRows = 0;

  private constructor(dir: string, maxBytes: number) {
    this.#dir = dir;
    this.#maxBytes = maxBytes;
  }

  /** Opens (creating) the spool in `dir`, indexing what an earlier run left there. */
  static async open(dir: string, maxBytes: number): Promise<Spool> {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    const s = new Spool(dir, maxBytes);
    const found: [number, number, number][] = [];
    for await (const e of Deno.readDir(dir)) {
      const m = e.isFile ? e.name.match(/^(\d+)-(\d+)\.batch$/) : null;
      if (!m) continue;
      const size = (await Deno.stat(`${dir}/${e.name}`)).size;
      found.push([Number(m[1]), Number(m[2]), size]);
    }
    found.sort((a, b) => a[0] - b[0]);
    for (const [seq, rows, size] of found) {
      s.#index.set(seq, [size, rows]);
      s.#bytes += size;
      s.#next = seq + 1;
    }
    return s;
  }

  /** Queues `body` (holding `rows` rows), dropping the oldest batches when it would pass the bound. */
  async push(body: Uint8Array<ArrayBuffer>, rows: number): Promise<void> {
    if (body.length > this.#maxBytes) {
      this.#droppedBatches++;
      this.#droppedRows += rows;
      return;
    }
    while (this.#bytes + body.length > this.#maxBytes && this.#index.size > 0) {
      const [seq, [size, r]] = this.#index.entries().next().value!;
      await this.#remove(seq, size);
      this.#droppedBatches++;
      this.#droppedRows += r;
    }
    const seq = this.#next++;
    await writeFileAtomic(this.#path(seq, rows), body, { mode: 0o600 });
    this.#index.set(seq, [body.length, rows]);
    this.#bytes += body.length;
  }

  /** The oldest batch, or undefined when empty. */
  async peek(): Promise<SpooledBatch | undefined> {
    for (const [seq, [size, rows]] of this.#index) {
      try {
        return { seq, rows, body: await Deno.readFile(this.#path(seq, rows)) };
      } catch {
        // Removed behind our back: forget it and look at the next one.
        this.#index.delete(seq);
        this.#bytes -= size;
      }
    }
    return undefined;
  }

  /** Removes a batch its server took. */
  async ack(seq: number): Promise<void> {
    const entry = this.#index.get(seq);
    if (entry) await this.#remove(seq, entry[0]);
  }

  /** Counters. */
  stats(): SpoolStats {
    return {
      batches: this.#index.size,
      bytes: this.#bytes,
      dropped_batches: this.#droppedBatches,
      dropped_rows: this.#droppedRows,
    };
  }

  async #remove(seq: number, size: number): Promise<void> {
    const rows = this.#index.get(seq)?.[1] ?? 0;
    this.#index.delete(seq);
    this.#bytes -= size;
    await Deno.remove(this.#path(seq, rows)).catch(() => {});
  }

  #path(seq: number, rows: number): string {
    return `${this.#dir}/${String(seq).padStart(12, "0")}-${rows}${SUFFIX}`;
  }
}
