/**
 * Gives back the resident pages of the process's own executable that start-up read and nothing reads again.
 *
 * Why: the `deno` executable (or the compiled `flintnet` binary) is about 100 MB of code and read-only data;
 * whatever start-up touched (the module loader, the transpile cache, the Worker snapshots, the first sweep's
 * SNMP and crypto code) stays mapped and counted in the process's RSS for its whole life: 47 MB of the idle
 * daemon's 110 MB on `lo`, though its event loop runs a small part of it. `MADV_DONTNEED` on a private file
 * mapping unmaps those pages from the process; the file's pages stay in the page cache (shared with any other
 * process running the same file, and freeable by the kernel like any cache), and a page the daemon runs again
 * faults back in from there (from the disk only if the kernel has since reclaimed it, as it may with any
 * clean page of a running program). Measured on the idle daemon on `lo`: 111 → 90 MB, and
 * 91 MB 45 s later (what its loop runs came back within a second, and the rest stayed out).
 *
 * Which pages: only mappings of the executable that are not writable and hold no page the process wrote
 * (`Anonymous: 0 kB` in /proc/self/smaps). For those, dropping and re-reading gives the same bytes. A mapping
 * that was written once — the dynamic linker's relocations (RELRO) before they were made read-only, the data
 * section — keeps its private copies, which `MADV_DONTNEED` would throw away: those are never touched.
 * V8's per-isolate copies of its builtins are file mappings of the executable too, and are included.
 *
 * Not `MADV_PAGEOUT` (it would write nothing either, but since Linux 5.19 it is refused to a process that
 * neither owns the file nor may write it, which the unit's DynamicUser never does) and not `MADV_COLD` (it
 * leaves the pages resident).
 */
import { adviseDontNeed } from "./libc_ffi.ts";

/** One mapping of /proc/self/smaps that may be given back. */
export interface DroppableRange {
  /** First address. */
  start: bigint;
  /** Length, bytes. */
  length: bigint;
  /** Resident bytes when smaps was read. */
  residentBytes: number;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/;

/**
 * The mappings of `path` in `smaps` (the text of /proc/PID/smaps) that can be dropped and read again from
 * the file: private, not writable, with no anonymous (written) page, and something resident.
 */
export function droppableRanges(smaps: string, path: string): DroppableRange[] {
  const out: DroppableRange[] = [];
  let cur: { start: bigint; end: bigint; ok: boolean; rss: number; anon: number } | null = null;
  const close = () => {
    if (cur !== null && cur.ok && cur.anon === 0 && cur.rss > 0) {
      out.push({ start: cur.start, length: cur.end - cur.start, residentBytes: cur.rss * 1024 });
    }
  };
  for (const line of smaps.split("\n")) {
    const m = HEADER.exec(line);
    if (m !== null) {
      close();
      const perms = m[3];
      cur = {
        start: BigInt(`0x${m[1]}`),
        end: BigInt(`0x${m[2]}`),
        ok: m[4] === path && perms[1] === "-" && perms[3] === "p",
        rss: 0,
        anon: -1, // unknown until its line: a kernel without the field drops nothing
      };
      continue;
    }
    if (cur === null) continue;
    if (line.startsWith("Rss:")) cur.rss = parseInt(line.slice(4));
    else if (line.startsWith("Anonymous:")) cur.anon = parseInt(line.slice(10));
  }
  close();
  return out;
}

/** What {@link releaseExecutablePages} gave back. */
export interface ReleasedPages {
  /** Mappings advised. */
  ranges: number;
  /** Their resident bytes before (some come back as soon as they run again). */
  bytes: number;
}

/**
 * Drops this process's clean executable pages (see the module comment); null where it cannot (no
 * /proc/self/smaps, no madvise). Reads smaps once, which walks the process's page tables: 11–18 ms measured in
 * a process holding 480 MB.
 */
export function releaseExecutablePages(): ReleasedPages | null {
  let exe: string, smaps: string;
  try {
    exe = Deno.readLinkSync("/proc/self/exe");
    smaps = Deno.readTextFileSync("/proc/self/smaps");
  } catch {
    return null;
  }
  let ranges = 0, bytes = 0;
  for (const r of droppableRanges(smaps, exe)) {
    if (!adviseDontNeed(r.start, r.length)) return ranges === 0 ? null : { ranges, bytes };
    ranges++;
    bytes += r.residentBytes;
  }
  return { ranges, bytes };
}
