/**
 * Gives the heap a busy spell left behind back to the system once the isolate has gone quiet.
 *
 * Why: V8 grows an isolate's young generation (up to two 16 MiB semi-spaces) while it allocates fast, and
 * shrinks it only in a full collection that runs while allocation is slow. A daemon that goes quiet after
 * its start-up (or after a burst of new flows) runs no full collection at all, so it keeps the grown heap:
 * measured on `lo`, 20 s after start, the main thread held 36 MB of heap for 18 MB in use and each Worker
 * 8–9 MB for 5–7; one full collection per isolate took the daemon's RSS from 152 to 127 MB. A smaller fixed
 * young generation (`--max-semi-space-size=1`) made `/flows` four times slower instead (docs/benchmarks.md).
 *
 * How: every `everyMs` the reducer compares the heap V8 holds with what is in use. When the difference
 * reaches `minSlackBytes` it runs one full collection (which V8 follows with the shrink when allocation has
 * been slow). An isolate that keeps allocating grows its heap again; each time the slack is back at the next
 * look, the reducer waits twice as many looks before collecting again (up to `maxBackoff`), so a busy
 * isolate pays a full collection every few minutes at most, and a quiet one stays small.
 *
 * The collector is reached through `--expose-gc`, set at run time (node:v8) and picked up by a new context
 * (node:vm): Deno has no other way to ask for a collection, and the daemon is started as `deno run main.ts`
 * without V8 flags.
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** What a reducer reads of the heap: bytes V8 holds for it and bytes in use. */
export interface HeapSize {
  total: number;
  used: number;
}

/** Options of {@link HeapReducer}. */
export interface HeapReducerOptions {
  /** How often to look, ms. @default 10_000 */
  everyMs?: number;
  /** Heap held beyond what is in use that is worth a full collection, bytes. @default 1 MiB */
  minSlackBytes?: number;
  /** Looks to wait at most between collections while the slack keeps coming back. @default 32 */
  maxBackoff?: number;
  /** The heap's size; V8's statistics unless a test says otherwise. */
  heap?: () => HeapSize;
  /** Runs one full collection; V8's unless a test says otherwise. */
  collect?: () => void;
}

/** See the module comment. */
export class HeapReducer {
  readonly everyMs: number;
  readonly minSlackBytes: number;
  readonly maxBackoff: number;
  readonly #heap: () => HeapSize;
  readonly #collect: () => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Looks to wait before the next collection, and looks since the last one. */
  #backoff = 1;
  #since = Infinity;
  /** A look since the last collection found the slack small. */
  #quiet = true;
  #collections = 0;
  #freedBytes = 0;

  constructor(opts: HeapReducerOptions = {}) {
    this.everyMs = opts.everyMs ?? 10_000;
    this.minSlackBytes = opts.minSlackBytes ?? 1024 * 1024;
    this.maxBackoff = opts.maxBackoff ?? 32;
    this.#heap = opts.heap ?? v8Heap;
    this.#collect = opts.collect ?? v8Collect;
  }

  /** Full collections run so far. */
  get collections(): number {
    return this.#collections;
  }

  /** Heap bytes those collections gave back (what V8 held before minus after), summed. */
  get freedBytes(): number {
    return this.#freedBytes;
  }

  /** Looks every `everyMs` from now on, without keeping the process alive. Idempotent. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.check(), this.everyMs);
    Deno.unrefTimer(this.#timer);
  }

  /** Stops looking. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One look: runs a full collection when the slack is worth it and the back-off allows. True when it ran. */
  check(): boolean {
    const before = this.#heap();
    this.#since++;
    if (before.total - before.used < this.minSlackBytes) {
      this.#quiet = true;
      this.#backoff = 1; // the next slack is collected at once
      return false;
    }
    if (this.#since < this.#backoff) return false;
    // The slack came back without a quiet look since the last collection: the isolate is busy, so the
    // collection after this one waits twice as long.
    if (!this.#quiet) this.#backoff = Math.min(this.#backoff * 2, this.maxBackoff);
    this.#quiet = false;
    this.#collect();
    this.#collections++;
    this.#since = 0;
    this.#freedBytes += Math.max(0, before.total - this.#heap().total);
    return true;
  }
}

function v8Heap(): HeapSize {
  const s = getHeapStatistics();
  return { total: s.total_heap_size, used: s.used_heap_size };
}

let gc: ((opts: { type: "major"; execution: "sync" }) => void) | undefined;

function v8Collect(): void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc");
  }
  gc!({ type: "major", execution: "sync" });
}
