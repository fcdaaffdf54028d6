/**
 * The block lists of FLINTNET_BLOCKLISTS, loaded and kept current: each file is read into an IpRangeSet
 * (blocklist_file.ts), and {@link ThreatLists.refresh} — called on a timer by the daemon, never per
 * packet — looks at each file's modification time and size and reads again only the ones that changed.
 * A list that fails to read keeps its previous entries (a half-written download must not empty it) and
 * the failure is logged once per change. Every change bumps {@link ThreatLists.version}, so flows checked
 * against an older version are checked again.
 */
import { basename, extname } from "node:path";
import { createLogger, type Logger } from "../base/mod.ts";
import { IpRangeSet } from "../net/mod.ts";
import { parseBlocklist } from "./blocklist_file.ts";

/** One list as /stats shows it. */
export interface ThreatListStatus {
  /** Its name: the file name without the extension. */
  name: string;
  /** The file. */
  path: string;
  /** IPv4 and IPv6 entries in use (nested ones dropped). */
  entries: number;
  /** Lines that were not entries, comments or blank, at the last load. */
  malformed: number;
  /** When it was last read, ISO 8601; null before the first good read. */
  loaded_at: string | null;
  /** Milliseconds the last read took. */
  load_ms: number;
  /** Why the last read failed, or null. */
  error: string | null;
}

interface List {
  name: string;
  path: string;
  set: IpRangeSet;
  mtimeMs: number;
  size: number;
  status: ThreatListStatus;
}

/** A block list an address is on. */
export interface ThreatHit {
  /** The list's name. */
  list: string;
  /** Its index among the lists. */
  index: number;
  /** The entry, address/prefix. */
  entry: string;
}

/** Names lists after their files; two files of one name get their directory too. */
function listNames(paths: readonly string[]): string[] {
  const short = paths.map((p) => basename(p, extname(p)));
  return short.map((n, i) => short.indexOf(n) !== short.lastIndexOf(n) ? paths[i] : n);
}

/** The configured block lists. */
export class ThreatLists {
  readonly #lists: List[];
  readonly #log: Logger;
  readonly #readFile: (path: string) => Promise<Uint8Array>;
  #refreshing: Promise<void> | null = null;
  /** Bumped whenever a list's entries change (from 1). */
  version = 1;

  constructor(paths: readonly string[], readFile: (path: string) => Promise<Uint8Array> = Deno.readFile) {
    const names = listNames(paths);
    this.#lists = paths.map((path, i) => ({
      name: names[i],
      path,
      set: IpRangeSet.empty(),
      mtimeMs: NaN,
      size: -1,
      status: {
        name: names[i],
        path,
        entries: 0,
        malformed: 0,
        loaded_at: null,
        load_ms: 0,
        error: null,
      },
    }));
    this.#log = createLogger("blocklists");
    this.#readFile = readFile;
  }

  /** How many lists are configured. */
  get count(): number {
    return this.#lists.length;
  }

  /** Each list's state. */
  status(): ThreatListStatus[] {
    return this.#lists.map((l) => ({ ...l.status }));
  }

  /** Reads the lists whose file changed since the last look (all of them the first time). */
  refresh(): Promise<void> {
    // one refresh at a time: a slow read of a big list is not started twice by the timer
    return this.#refreshing ??= this.#refreshAll().finally(() => this.#refreshing = null);
  }

  async #refreshAll(): Promise<void> {
    for (const l of this.#lists) await this.#refreshOne(l);
  }

  async #refreshOne(l: List): Promise<void> {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(l.path);
    } catch (err) {
      this.#failed(l, `cannot be read: ${err instanceof Error ? err.message : err}`);
      return;
    }
    const mtime = info.mtime?.getTime() ?? 0;
    if (mtime === l.mtimeMs && info.size === l.size) return;
    const started = performance.now();
    let bytes: Uint8Array;
    try {
      bytes = await this.#readFile(l.path);
    } catch (err) {
      this.#failed(l, `cannot be read: ${err instanceof Error ? err.message : err}`);
      return;
    }
    l.mtimeMs = mtime;
    l.size = info.size;
    const parsed = parseBlocklist(bytes);
    const ms = performance.now() - started;
    if (parsed.entries === 0 && bytes.length > 0 && parsed.malformed > 0) {
      this.#failed(l, `has no address or network on any line (${parsed.malformed} lines not understood)`);
      return;
    }
    l.set = parsed.set;
    this.version++;
    l.status = {
      ...l.status,
      entries: parsed.set.sizeV4 + parsed.set.sizeV6,
      malformed: parsed.malformed,
      loaded_at: new Date().toISOString(),
      load_ms: Math.round(ms * 10) / 10,
      error: null,
    };
    this.#log.info("block list loaded", {
      list: l.name,
      path: l.path,
      entries: l.status.entries,
      malformed: parsed.malformed,
      first_malformed: parsed.firstMalformed,
      load_ms: l.status.load_ms,
    });
  }

  #failed(l: List, why: string): void {
    if (l.status.error === why) return;
    l.status = { ...l.status, error: why };
    this.#log.error(`block list ${l.path} ${why}; its previous entries stay in use`, { list: l.name });
  }

  /**
   * The first list holding the address of `family` at words `w[o…]`, from list `fromIndex` on, or -1.
   * No allocation: call {@link hitAt} for the names.
   */
  find(family: number, w: ArrayLike<number>, o: number, fromIndex = 0): number {
    for (let i = fromIndex; i < this.#lists.length; i++) {
      if (this.#lists[i].set.find(family, w, o) >= 0) return i;
    }
    return -1;
  }

  /** The names of the hit of list `index` for the address at `w[o…]` (call after {@link find} said so). */
  hitAt(index: number, family: number, w: ArrayLike<number>, o: number): ThreatHit {
    const l = this.#lists[index];
    return { list: l.name, index, entry: l.set.entryText(l.set.find(family, w, o)) };
  }

  /** The path of list `index`. */
  pathOf(index: number): string {
    return this.#lists[index].path;
  }
}
