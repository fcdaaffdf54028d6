/**
 * PCAP recordings on the main thread: which are running, their files under `<state>/recordings/`, and the
 * tap rings they are fed from (one per capture Worker, tap_ring.ts), drained every 100 ms.
 *
 * A recording takes one of the 32 subject slots of the tap. The Worker marks each frame it copies with
 * the slots it matches; a drain hands each marked record to the files of those slots. Starting takes
 * effect in the Worker a moment later: the Worker says which generation of subjects it applied and where
 * its ring was then, and the first drain after that looks back over the ring — from the request (or the
 * start of the look-back window) to there — matching frames itself, so nothing between the request and
 * the Worker is lost and nothing is written twice. A slot freed by a stop is reused only once the Worker
 * has stopped marking it.
 *
 * Bounds: FLINTNET_RECORDING_MAX_MB stops a file; FLINTNET_RECORDINGS_MAX_MB and FLINTNET_RECORDINGS_MAX
 * delete finished recordings, oldest first (counted and logged), and a start is refused when only
 * running ones are left to delete. Both file bounds are checked before each record is written, so no file
 * and no total ever passes them: a recording whose next frame finds no room stops (size_limit,
 * total_limit) and is kept as it is.
 */
import {
  ALL_RECORDS,
  createTapRing,
  MAX_TAP_SUBJECTS,
  PCAP_FILE_HEADER_LEN,
  PCAP_RECORD_HEADER_LEN,
  type TapMessage,
  TapRingReader,
  type TapRingShape,
  type TapSubject,
  TapSubjects,
} from "../capture/mod.ts";
import { createLogger, type Logger } from "../base/mod.ts";
import { PcapFile } from "./pcap_file.ts";
import type { RecordingSubject } from "./recording_request.ts";
import { type RecordingJson, RecordingsIndex, type StopReason, type Trigger } from "./recordings_index.ts";

/** Where the tap messages go: a capture (LiveCapture.setTap). */
export interface TapTarget {
  setTap(m: TapMessage): void;
}

/** Settings of a Recorder. */
export interface RecorderOptions {
  /** The recordings directory (`<state>/recordings`). */
  dir: string;
  /** FLINTNET_RECORDING_MAX_MB, octets. */
  maxFileBytes: number;
  /** FLINTNET_RECORDINGS_MAX_MB, octets. */
  maxTotalBytes: number;
  /** FLINTNET_RECORDINGS_MAX. */
  maxCount: number;
  /** FLINTNET_SNAPLEN: the pcap header's snapshot length. */
  snaplen: number;
  /** Octets of each tap ring (a power of two). */
  ringBytes: number;
  /** Keep every frame in the ring (the look-back before a trigger); else only the frames recorded. */
  keepAll: boolean;
  /** The clock (ms). @default Date.now */
  now?: () => number;
  /** @default createLogger("recording") */
  log?: Logger;
}

/** What a start asks for. */
export interface StartRequest {
  subject: RecordingSubject;
  trigger: Trigger;
  /** Why (the event that triggered it), null for the API. */
  reason: string | null;
  durationS: number | null;
  preSeconds: number;
}

/** A start that cannot be done now (409): every slot busy, or only running recordings to make room with. */
export class RecordingRefused extends Error {}

interface Running {
  json: RecordingJson;
  file: PcapFile;
  slot: number;
  generation: number;
  /** Per ring: where the look back starts (the ring's head at the request), and whether it is done. */
  startPos: number[];
  caughtUp: boolean[];
  /** In the drain that looks back: where the main pass takes over for it (NaN otherwise). */
  mainFrom: number;
  /** Frames before this (pcap seconds, µs) are not part of it (the look-back window). */
  fromMs: number;
  soft: TapSubjects;
  subject: Omit<TapSubject, "slot">;
}

interface Ring {
  target: TapTarget;
  shape: TapRingShape;
  reader: TapRingReader;
  /** Where the last drain stopped. */
  pos: number;
}

const DRAIN_MS = 100;

/** The recordings and their feeding. */
export class Recorder {
  readonly index: RecordingsIndex;
  #o: RecorderOptions;
  #now: () => number;
  #log: Logger;
  #rings: Ring[] = [];
  #running = new Map<number, Running>();
  #bySlot: (Running | undefined)[] = new Array(MAX_TAP_SUBJECTS);
  /** A slot stays busy until the Worker applied the generation that dropped it. */
  #slotFreeAt = new Array<number>(MAX_TAP_SUBJECTS).fill(0);
  #generation = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Octets of every file during a drain, what is buffered included (kept up by #append). */
  #total = 0;
  /** Records left out because their link type differs from their file's. */
  otherLinkType = 0;

  constructor(opts: RecorderOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.log ?? createLogger("recording");
    this.index = new RecordingsIndex(opts.dir, this.#log);
  }

  /** Reads the index (a recording that was running when the daemon stopped is finished), then feeds from `targets`. */
  async start(targets: TapTarget[]): Promise<void> {
    await this.index.load();
    for (const target of targets) {
      const shape = createTapRing(this.#o.ringBytes);
      const reader = new TapRingReader(shape);
      this.#rings.push({ target, shape, reader, pos: reader.head() });
    }
    this.#sendTap();
    this.#timer = setInterval(() => this.drain(), DRAIN_MS);
  }

  /** Stops every recording (reason shutdown) and the drain. */
  async stop(): Promise<void> {
    if (this.#timer === undefined) return; // never started
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.drain();
    for (const id of [...this.#running.keys()]) this.#finish(id, "shutdown");
    await this.index.save();
  }

  /** The running recording of `host` started by `trigger`s other than the API, if any. */
  autoRunningFor(host: string): RecordingJson | undefined {
    for (const r of this.#running.values()) {
      if (r.json.trigger !== "api" && r.json.host === host) return r.json;
    }
    return undefined;
  }

  /**
   * Starts a recording.
   * @throws RecordingRefused when 32 are running, or FLINTNET_RECORDINGS_MAX are kept and all are running
   */
  begin(req: StartRequest): RecordingJson {
    const slot = this.#freeSlot();
    if (slot < 0) throw new RecordingRefused(`${MAX_TAP_SUBJECTS} recordings are running; stop one first`);
    // Room for the file header and one whole frame, else the recording could hold nothing.
    const need = PCAP_FILE_HEADER_LEN + PCAP_RECORD_HEADER_LEN + this.#o.snaplen;
    this.#makeRoom(1, need);
    if (this.index.list().length >= this.#o.maxCount) {
      throw new RecordingRefused(
        `${this.index.list().length} recordings are kept and all are running (FLINTNET_RECORDINGS_MAX ` +
          `${this.#o.maxCount}); stop or delete one first`,
      );
    }
    if (this.#totalNow() + need > this.#o.maxTotalBytes) {
      throw new RecordingRefused(
        `running recordings take FLINTNET_RECORDINGS_MAX_MB (${this.#o.maxTotalBytes / 1048576} MiB), ` +
          `no room for another; stop or delete one first`,
      );
    }
    const now = this.#now();
    const id = this.index.nextId();
    const file = new PcapFile(this.index.pathOf(id), 1, this.#o.snaplen);
    const json: RecordingJson = {
      id,
      what: req.subject.what,
      kind: req.subject.kind,
      host: req.subject.host,
      trigger: req.trigger,
      reason: req.reason,
      started: new Date(now).toISOString(),
      stopped: null,
      duration_s: req.durationS,
      pre_seconds: req.preSeconds,
      bytes: file.bytes,
      packets: 0,
      state: "running",
      stop_reason: null,
    };
    const soft = new TapSubjects();
    soft.set([{ ...req.subject.subject, slot }]);
    const rec: Running = {
      json,
      file,
      slot,
      generation: Infinity, // set once the Worker has been told
      subject: req.subject.subject,
      startPos: this.#rings.map((r) => r.reader.head()),
      caughtUp: this.#rings.map(() => false),
      mainFrom: NaN,
      // A frame the kernel stamped a little before the request may reach the ring after it: keep it.
      fromMs: req.preSeconds > 0 ? now - req.preSeconds * 1000 : -Infinity,
      soft,
    };
    if (req.preSeconds > 0) rec.startPos = this.#rings.map((r) => r.reader.tail());
    this.#running.set(id, rec);
    this.#bySlot[slot] = rec;
    this.index.add(json);
    this.#sendTap();
    rec.generation = this.#generation;
    this.#log.info("recording started", { id, what: json.what, trigger: json.trigger, reason: json.reason });
    void this.index.save();
    return json;
  }

  /** Stops a running recording; the recording (running or not), or undefined when there is none. */
  end(id: number, reason: StopReason = "api"): RecordingJson | undefined {
    if (this.#running.has(id)) {
      this.drain();
      this.#finish(id, reason);
      void this.index.save();
    }
    return this.index.get(id);
  }

  /** Stops (if running) and deletes a recording and its file; false when there is none. */
  async remove(id: number): Promise<boolean> {
    if (this.#running.has(id)) this.#finish(id, "deleted");
    const ok = await this.index.remove(id);
    if (ok) await this.index.save();
    return ok;
  }

  /** The recording with `id` and how many octets of its file make a valid pcap now. */
  download(id: number): { json: RecordingJson; path: string; bytes: number } | undefined {
    const json = this.index.get(id);
    if (!json) return undefined;
    const r = this.#running.get(id);
    if (r) {
      this.drain(); // the latest frames too
      r.file.flush();
      json.bytes = r.file.bytes;
    }
    return { json, path: this.index.pathOf(id), bytes: json.bytes };
  }

  /** Counters for /stats. */
  stats(): Record<string, number> {
    return {
      running: this.#running.size,
      kept: this.index.list().length,
      bytes: this.index.totalBytes(),
      deleted_for_space: this.index.deletedForSpace,
      ring_overruns: this.#rings.reduce((n, r) => n + r.reader.overruns, 0),
      other_link_type: this.otherLinkType,
    };
  }

  /** Moves what the Workers copied into the files; stops recordings whose time or size is up. */
  drain(): void {
    if (this.#running.size === 0) {
      for (const r of this.#rings) r.pos = r.reader.head();
      return;
    }
    const now = this.#now();
    this.#total = this.#totalNow();
    for (let i = 0; i < this.#rings.length; i++) this.#drainRing(i);
    for (const r of [...this.#running.values()]) {
      r.file.flush();
      r.json.bytes = r.file.bytes;
      r.json.packets = r.file.packets;
      if (r.json.duration_s !== null && now >= Date.parse(r.json.started) + r.json.duration_s * 1000) {
        this.#finish(r.json.id, "duration");
        void this.index.save();
      }
    }
  }

  #drainRing(i: number): void {
    const ring = this.#rings[i], reader = ring.reader;
    const gen = reader.generation();
    // Recordings the Worker has taken on since the last drain: look back first, matching frames here.
    for (const r of this.#running.values()) {
      if (r.caughtUp[i] || gen.generation < r.generation) continue;
      r.caughtUp[i] = true;
      const bit = 1 << r.slot;
      // Up to where the main pass takes over for it: gen.head, where the Worker was when it applied the latest
      // subjects. This slot's bit may be set from an earlier point (its generation applied, then another before
      // this drain), so the main pass must skip what lies before `end`: the look back has matched that.
      const end = ((gen.head - ring.pos) | 0) > 0 ? gen.head : ring.pos;
      r.mainFrom = end;
      reader.read(r.startPos[i], end, ALL_RECORDS, (rec) => {
        if (rec.sec * 1000 + rec.usec / 1000 < r.fromMs) return;
        const before = ((rec.pos - gen.head) | 0) < 0;
        const hit = before
          ? r.soft.match(rec.bytes, rec.at, rec.capLen, rec.linkType) !== 0
          : (rec.mask & bit) !== 0;
        if (hit) this.#append(r, rec);
      });
    }
    let wanted = 0;
    for (const r of this.#running.values()) if (r.caughtUp[i]) wanted |= 1 << r.slot;
    const head = reader.head();
    if (wanted === 0) {
      ring.pos = head;
      return;
    }
    ring.pos = reader.read(ring.pos, head, wanted, (rec) => {
      let m = rec.mask & wanted;
      while (m !== 0) {
        const slot = 31 - Math.clz32(m);
        m &= ~(1 << slot);
        const r = this.#bySlot[slot];
        if (r && !(((rec.pos - r.mainFrom) | 0) < 0)) this.#append(r, rec); // NaN: never before
      }
    });
    for (const r of this.#running.values()) r.mainFrom = NaN;
  }

  #append(r: Running, rec: Parameters<PcapFile["append"]>[0]): void {
    if (r.json.state !== "running") return;
    const need = PCAP_RECORD_HEADER_LEN + rec.capLen;
    if (r.file.size + need > this.#o.maxFileBytes) {
      this.#finish(r.json.id, "size_limit");
      void this.index.save();
      return;
    }
    if (this.#total + need > this.#o.maxTotalBytes) {
      const room = this.#makeRoom(0, need);
      this.#total = this.#totalNow();
      if (!room) {
        this.#finish(r.json.id, "total_limit");
        void this.index.save();
        return;
      }
    }
    if (r.file.append(rec)) this.#total += need;
    else this.otherLinkType++;
  }

  #finish(id: number, reason: StopReason): void {
    const r = this.#running.get(id);
    if (!r) return;
    this.#running.delete(id);
    this.#bySlot[r.slot] = undefined;
    this.#sendTap();
    this.#slotFreeAt[r.slot] = this.#generation;
    try {
      r.file.close();
    } catch (e) {
      this.#log.warn("cannot finish writing a recording", {
        id,
        error: e instanceof Error ? e.message : String(e),
      });
    }
    Object.assign(r.json, {
      state: "stopped",
      stopped: new Date(this.#now()).toISOString(),
      stop_reason: reason,
      bytes: r.file.bytes,
      packets: r.file.packets,
    });
    this.#log.info("recording stopped", {
      id,
      what: r.json.what,
      reason,
      bytes: r.json.bytes,
      packets: r.json.packets,
    });
  }

  #freeSlot(): number {
    const applied = Math.min(...this.#rings.map((r) => r.reader.generation().generation), this.#generation);
    for (let s = 0; s < MAX_TAP_SUBJECTS; s++) {
      if (this.#bySlot[s] === undefined && this.#slotFreeAt[s] <= applied) return s;
    }
    return -1;
  }

  /**
   * Deletes finished recordings, oldest first, until `count` more fit in the count and `bytes` in the
   * total; false when only running ones are left and they still do not fit.
   */
  #makeRoom(count: number, bytes: number): boolean {
    while (
      this.index.list().length + count > this.#o.maxCount ||
      this.#totalNow() + bytes > this.#o.maxTotalBytes
    ) {
      if (!this.index.deleteOldestFinished()) return false;
    }
    return true;
  }

  /** Octets of every file, with what is buffered for the running ones (the listing lags a drain behind). */
  #totalNow(): number {
    let n = this.index.totalBytes();
    for (const r of this.#running.values()) n += r.file.size - r.json.bytes;
    return n;
  }

  #sendTap(): void {
    this.#generation++;
    const subjects = [...this.#running.values()].map((r) => ({ ...r.subject, slot: r.slot }));
    for (const ring of this.#rings) {
      ring.target.setTap({
        type: "tap",
        ring: this.#o.keepAll || subjects.length > 0 ? ring.shape : null,
        subjects,
        keepAll: this.#o.keepAll,
        generation: this.#generation,
      });
    }
  }
}
