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
 * How: every `everyMs` the reducer looks at the heap. When V8 holds enough more than is in use (see below)
 * (and more than it held after the reducer's last collection, so a collection that gave nothing back is not
 * repeated), and the isolate allocated less than `quietBytesPerS` since the last look, it runs one full
 * collection, after which V8 shrinks the young generation of an isolate that allocates slowly. A busy
 * isolate is left alone: shrinking its young generation while it allocates makes every scavenge come
 * sooner (the 1 MiB semi-space's slower `/flows`). Measured: the idle daemon's threads allocate about
 * 1–1.4 MB/s each, `/flows` under load hundreds of MB/s.
 *
 * A full collection's pause grows with the objects in the heap (marking them all; the flow table's typed
 * arrays cost little): about 15–50 ms for the idle daemon, 270–630 ms for a daemon at its bounds with
 * 65,536 devices and MACs in ARP (130–190 MB of heap in use). So a collection must give back enough for the
 * pause the last one took (`slackPerPauseMs` bytes per millisecond, beside `minSlackBytes`), and the next
 * waits `gapFactor` times that pause at least: at those bounds the reducer collected every 5 s for 9–19 MB
 * each time while a sweep allocated 3.7–3.9 MB/s (just "quiet"), stopping the API for 0.3–0.6 s. A daemon's
 * first collection is always worth it when the slack is there: at the bounds it gave back what start-up left
 * (445 → 150 MB held, measured).
 *
 * Not used in the capture Worker: it reads the ring without allocating, so it looks quiet at a million
 * frames a second, and a full collection there stops the reads (its heap is 6–9 MB; the ring is what must
 * not wait).
 *
 * The collector is reached through `--expose-gc`, set at run time (node:v8) and picked up by a new context
 * (node:vm): Deno has no other way to ask for a collection, and the daemon is started as `deno run main.ts`
 * without V8 flags. node:vm is imported by start() (or {@link loadHeapCollector}), not with this module: it
 * costs about 14 ms, which replay, the CLI commands and every test that imports base/ would pay for nothing.
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";

/** What a reducer reads of the heap: bytes V8 holds for it, bytes in use, bytes ever allocated. */
export interface HeapSize {
  total: number;
  used: number;
  allocated: number;
}

/** Options of {@link HeapReducer}. */
export interface HeapReducerOptions {
  /** How often to look, ms. @default 5_000 */
  everyMs?: number;
  /** Heap held beyond what is in use that is worth a full collection, bytes. @default 1 MiB */
  minSlackBytes?: number;
  /** Heap held beyond what is in use worth a full collection per ms the last one took, bytes. @default 64 KiB */
  slackPerPauseMs?: number;
  /** After a collection that took D ms, the next comes gapFactor × D ms later at the soonest. @default 50 */
  gapFactor?: number;
  /** Allocation rate under which the isolate counts as quiet, bytes/s. @default 4 MB/s */
  quietBytesPerS?: number;
  /** The heap's size; V8's statistics unless a test says otherwise. */
  heap?: () => HeapSize;
  /** Runs one full collection (false: it could not run yet); V8's unless a test says otherwise. */
  collect?: () => unknown;
  /** The clock, ms; `performance.now()` unless a test says otherwise. */
  now?: () => number;
  /**
   * Runs after each collection: the daemon gives the C heap's free memory back to the system there
   * (glibc's malloc_trim), which a collection alone leaves in malloc's arenas.
   */
  afterCollect?: () => void;
}

/** See the module comment. */
export class HeapReducer {
  readonly everyMs: number;
  readonly minSlackBytes: number;
  readonly slackPerPauseMs: number;
  readonly gapFactor: number;
  readonly quietBytesPerS: number;
  readonly #heap: () => HeapSize;
  readonly #collect: () => unknown;
  readonly #now: () => number;
  readonly #afterCollect: (() => void) | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Bytes allocated and the clock at the last look. */
  #allocated: number;
  #lookedAt: number;
  /** Heap V8 held right after the last collection. */
  #floor = 0;
  /** No collection before this (the clock's ms): the gap after the last one. */
  #notBefore = -Infinity;
  /** How long the last collection held the thread, ms. */
  #lastPauseMs = 0;
  #collections = 0;
  #freedBytes = 0;

  constructor(opts: HeapReducerOptions = {}) {
    this.everyMs = opts.everyMs ?? 5_000;
    this.minSlackBytes = opts.minSlackBytes ?? 1024 * 1024;
    this.slackPerPauseMs = opts.slackPerPauseMs ?? 64 * 1024;
    this.gapFactor = opts.gapFactor ?? 50;
    this.quietBytesPerS = opts.quietBytesPerS ?? 4_000_000;
    this.#heap = opts.heap ?? v8Heap;
    this.#collect = opts.collect ?? v8Collect;
    this.#now = opts.now ?? (() => performance.now());
    this.#afterCollect = opts.afterCollect;
    this.#allocated = this.#heap().allocated;
    this.#lookedAt = this.#now();
  }

  /** Full collections run so far. */
  get collections(): number {
    return this.#collections;
  }

  /** Heap bytes those collections gave back (what V8 held before minus after), summed. */
  get freedBytes(): number {
    return this.#freedBytes;
  }

  /**
   * Looks every `everyMs` from now on, without keeping the process alive. Idempotent. What was allocated
   * before (a start-up) does not count against the first look.
   */
  start(): void {
    if (this.#timer !== undefined) return;
    if (this.#collect === v8Collect) void loadHeapCollector();
    this.#allocated = this.#heap().allocated;
    this.#lookedAt = this.#now();
    this.#timer = setInterval(() => this.check(), this.everyMs);
    Deno.unrefTimer(this.#timer);
  }

  /** Stops looking. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * One look: runs a full collection when the slack is worth it, the isolate is quiet and the gap after the
   * last one has passed. True when it ran.
   */
  check(): boolean {
    const before = this.#heap(), now = this.#now();
    const rate = (before.allocated - this.#allocated) / Math.max((now - this.#lookedAt) / 1000, 1e-3);
    this.#allocated = before.allocated;
    this.#lookedAt = now;
    const slack = before.total - Math.max(before.used, this.#floor);
    const worth = Math.max(this.minSlackBytes, this.#lastPauseMs * this.slackPerPauseMs);
    if (now < this.#notBefore || slack < worth || !(rate < this.quietBytesPerS)) return false;
    if (this.#collect() === false) return false;
    const done = this.#now();
    this.#lastPauseMs = done - now;
    this.#notBefore = done + this.gapFactor * this.#lastPauseMs;
    this.#collections++;
    const after = this.#heap();
    this.#freedBytes += Math.max(0, before.total - after.total);
    this.#floor = after.total;
    this.#allocated = after.allocated; // what the collection itself allocated is not the isolate's doing
    this.#afterCollect?.();
    return true;
  }
}

function v8Heap(): HeapSize {
  // Deno's node:v8 reports total_allocated_bytes (V8's counter) though Node's types lack it; without it
  // the rate is NaN and the isolate never counts as quiet.
  const s = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { total_allocated_bytes?: number };
  return { total: s.total_heap_size, used: s.used_heap_size, allocated: s.total_allocated_bytes ?? NaN };
}

let gc: ((opts: { type: "major"; execution: "sync" }) => void) | undefined;
let runInNewContext: typeof import("node:vm").runInNewContext | undefined;
let loading: Promise<void> | undefined;

/** Imports node:vm, which V8's collector is reached through; start() calls it. Idempotent. */
export function loadHeapCollector(): Promise<void> {
  return loading ??= import("node:vm").then((vm) => void (runInNewContext = vm.runInNewContext));
}

/** One full collection; false while node:vm is still being imported. */
function v8Collect(): boolean {
  if (!gc) {
    if (!runInNewContext) return false;
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc");
  }
  gc!({ type: "major", execution: "sync" });
  return true;
}
