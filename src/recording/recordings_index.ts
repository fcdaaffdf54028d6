/**
 * The recordings kept under `<state>/recordings/`: `rec-<id>.pcap` files and `index.json` describing them
 * (written atomically at each start, stop and delete). Read at start-up: a recording that was running when
 * the daemon stopped is finished ("restart"), its file cut after its last whole record; an entry whose file
 * is gone is dropped, and a pcap nobody lists is left alone: new ids start above every `rec-<id>.pcap` in
 * the directory, so an index lost or older than its files never makes a new recording replace one.
 */
import { type Logger, writeFileAtomic } from "../base/mod.ts";
import { scanPcapFile } from "./pcap_file.ts";
import type { RecordingKind } from "./recording_request.ts";

/** What started a recording. */
export type Trigger = "api" | "anomaly" | "security" | "bandwidth";
/** Why a recording stopped. */
export type StopReason =
  | "api"
  | "duration"
  | "size_limit"
  | "total_limit"
  | "shutdown"
  | "restart"
  | "deleted";

/** One recording, as GET /recordings lists it. */
export interface RecordingJson {
  /** Its id (increasing). */
  id: number;
  /** What it records, in words. */
  what: string;
  /** host, flow or filter. */
  kind: RecordingKind;
  /** The host of a host recording (or a filter of one host term); null otherwise. */
  host: string | null;
  /** What started it. */
  trigger: Trigger;
  /** The event that started it, in words; null for the API. */
  reason: string | null;
  /** When it started, ISO 8601. */
  started: string;
  /** When it stopped; null while running. */
  stopped: string | null;
  /** Seconds it runs before stopping by itself; null: until stopped. */
  duration_s: number | null;
  /** Seconds before the start it holds from the look-back ring. */
  pre_seconds: number;
  /** Octets of the pcap file (valid up to here). */
  bytes: number;
  /** Frames in it. */
  packets: number;
  /** running or stopped. */
  state: "running" | "stopped";
  /** Why it stopped; null while running. */
  stop_reason: StopReason | null;
}

interface IndexFile {
  next_id: number;
  recordings: RecordingJson[];
}

/** The list of recordings and their files. */
export class RecordingsIndex {
  readonly dir: string;
  /** Finished recordings deleted to keep within the count and size bounds. */
  deletedForSpace = 0;
  #list: RecordingJson[] = [];
  #nextId = 1;
  #log: Logger;
  #saving: Promise<void> = Promise.resolve();

  constructor(dir: string, log: Logger) {
    this.dir = dir;
    this.#log = log;
  }

  /** The file of recording `id`. */
  pathOf(id: number): string {
    return `${this.dir}/rec-${id}.pcap`;
  }

  /** Creates the directory and reads the index. */
  async load(): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.#read();
    for await (const e of Deno.readDir(this.dir)) {
      const m = /^rec-(\d{1,15})\.pcap$/.exec(e.name);
      if (m) this.#nextId = Math.max(this.#nextId, Number(m[1]) + 1);
    }
  }

  async #read(): Promise<void> {
    let doc: IndexFile;
    try {
      doc = JSON.parse(await Deno.readTextFile(`${this.dir}/index.json`));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        this.#log.warn("recordings index unreadable; starting a new one", { error: String(e) });
      }
      return;
    }
    this.#nextId = Number.isSafeInteger(doc?.next_id) ? doc.next_id : 1;
    for (const r of Array.isArray(doc?.recordings) ? doc.recordings : []) {
      if (!Number.isSafeInteger(r?.id)) continue;
      const scan = scanPcapFile(this.pathOf(r.id));
      if (!scan) continue;
      if (r.state === "running") {
        await Deno.truncate(this.pathOf(r.id), scan.bytes);
        Object.assign(r, { state: "stopped", stop_reason: "restart", stopped: new Date().toISOString() });
      }
      Object.assign(r, { bytes: scan.bytes, packets: scan.packets });
      this.#list.push(r);
      this.#nextId = Math.max(this.#nextId, r.id + 1);
    }
  }

  /** Writes the index (one write at a time, the latest state). */
  save(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      const doc: IndexFile = { next_id: this.#nextId, recordings: this.#list };
      try {
        await writeFileAtomic(`${this.dir}/index.json`, JSON.stringify(doc, null, 1), { mode: 0o600 });
      } catch (e) {
        this.#log.warn("cannot write the recordings index", { error: String(e) });
      }
    });
    return this.#saving;
  }

  /** A new id. */
  nextId(): number {
    return this.#nextId++;
  }

  /** Every recording, oldest first. */
  list(): RecordingJson[] {
    return this.#list;
  }

  /** One recording. */
  get(id: number): RecordingJson | undefined {
    return this.#list.find((r) => r.id === id);
  }

  /** Adds a new recording. */
  add(r: RecordingJson): void {
    this.#list.push(r);
  }

  /** Octets of every file together. */
  totalBytes(): number {
    let n = 0;
    for (const r of this.#list) n += r.bytes;
    return n;
  }

  /** Deletes a recording's entry and file; false when there is no such recording. */
  async remove(id: number): Promise<boolean> {
    const i = this.#list.findIndex((r) => r.id === id);
    if (i < 0) return false;
    this.#list.splice(i, 1);
    await Deno.remove(this.pathOf(id)).catch(() => {});
    return true;
  }

  /** Deletes the oldest finished recording to make room (counted, logged); false when none is finished. */
  deleteOldestFinished(): boolean {
    const i = this.#list.findIndex((r) => r.state === "stopped");
    if (i < 0) return false;
    const [r] = this.#list.splice(i, 1);
    try {
      Deno.removeSync(this.pathOf(r.id));
    } catch { /* already gone */ }
    this.deletedForSpace++;
    this.#log.info("recording deleted to make room", { id: r.id, what: r.what, bytes: r.bytes });
    void this.save();
    return true;
  }
}
