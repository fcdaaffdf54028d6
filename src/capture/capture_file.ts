/**
 * Offline capture files: classic pcap and pcapng, read in large chunks and walked in JS.
 *
 * The file is read with `Deno.open` into one reused buffer; the format walker hands each frame to a
 * FrameSink as a view into that buffer. A record that straddles the end of a chunk is moved to the
 * front and completed by the next read; one larger than the buffer grows it, up to MAX_RECORD_BYTES.
 *
 * Damage is reported, not thrown: a file cut short delivers every complete record and sets
 * `truncatedTail`; a malformed record is skipped and counted in `badRecords`; a length field beyond
 * MAX_RECORD_BYTES (or, in pcapng, one that breaks the block framing) cannot be skipped safely, so
 * reading stops there with `badRecords` incremented and `truncatedTail` set. Only a file that is not
 * a capture at all (or cannot be opened) raises CaptureFileError.
 */

import type { FrameSink } from "../decode/mod.ts";
import {
  isPcapMagic,
  MAX_RECORD_BYTES,
  parsePcapHeader,
  PCAP_FILE_HEADER_LEN,
  PcapWalker,
} from "./pcap_format.ts";
import { BLOCK_SHB, PcapngWalker, shbLittleEndian, shbVersion } from "./pcapng_format.ts";

/**
 * Default read size: large enough to amortise each read and walk, small enough that the frames are still in
 * the CPU's cache when the walker reaches them and the buffer's pages are faulted in once. Replay's reading
 * Worker kept the flow table waiting for batches 88 ms (median of six runs) with 8 MiB reads, 65 ms with
 * 2 MiB ones, and the replay took 2–6 % less time (alternating runs; 1 MiB was no better than 2).
 */
export const DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024;
/**
 * The first read's size; each read after it is twice the last, up to the chunk size. Replay's flow table
 * waits for the reading Worker's first batch, and one 8 MiB read into a fresh buffer (its pages faulted in
 * as the kernel copies) measured 25–30 ms here before a single frame was decoded; 256 KiB take under 1 ms,
 * and the larger reads then come while the first batches are counted.
 */
const FIRST_READ_BYTES = 256 * 1024;

/** What one pass over a capture file found. */
export interface CaptureFileStats {
  /** The file's format. */
  format: "pcap" | "pcapng";
  /** Frames handed to the sink. */
  frames: number;
  /** Sum of the wire (original) lengths of those frames. */
  bytes: number;
  /** The file ended in the middle of a record or block, or reading stopped at a corrupt length. */
  truncatedTail: boolean;
  /** pcapng blocks that are not packets (NRB, ISB, DSB, custom, unknown), skipped. */
  skippedBlocks: number;
  /** Records rejected as malformed (caplen over 262144, EPB for an unknown interface, …). */
  badRecords: number;
}

/** A file that cannot be read as a capture: missing, not a file, not pcap/pcapng, unsupported version. */
export class CaptureFileError extends Error {
  override name = "CaptureFileError";
}

/** Options of readCaptureFile(). */
export interface ReadCaptureFileOptions {
  /** Size of the read buffer in bytes, 64 B to 16 MiB; it grows for a single larger record. @default 2 MiB */
  chunkBytes?: number;
  /** Called after each chunk is walked with the bytes read so far and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

interface Walker {
  frames: number;
  bytes: number;
  badRecords: number;
  need: number;
  stopped: boolean;
  walk(buf: Uint8Array, dv: DataView, start: number, end: number, sink: FrameSink): number;
}

const ACCEPTED = "Flintnet reads classic pcap (µs or ns, either byte order) and pcapng";

/**
 * Reads a pcap or pcapng file and hands every captured frame to `sink`, calling `sink.flush()` after
 * each chunk and once at the end.
 *
 * @throws CaptureFileError when the file cannot be opened or is not a supported capture file
 * @example
 * const stats = await readCaptureFile("/tmp/x.pcapng", sink, { onProgress: (n, t) => show(n / t) });
 */
export async function readCaptureFile(
  path: string,
  sink: FrameSink,
  opts: ReadCaptureFileOptions = {},
): Promise<CaptureFileStats> {
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 64 || chunkBytes > MAX_RECORD_BYTES) {
    throw new RangeError(`chunkBytes must be an integer from 64 to ${MAX_RECORD_BYTES}, got ${chunkBytes}`);
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "no such file"
      : err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : (err as Error).message;
    throw new CaptureFileError(`${path}: cannot open capture file: ${why}`);
  }
  try {
    const info = await file.stat();
    if (!info.isFile) throw new CaptureFileError(`${path}: not a regular file, so not a capture file`);
    return await readOpenFile(path, file, info.size, sink, chunkBytes, opts.onProgress);
  } finally {
    file.close();
  }
}

async function readOpenFile(
  path: string,
  file: Deno.FsFile,
  totalBytes: number,
  sink: FrameSink,
  chunkBytes: number,
  onProgress: ReadCaptureFileOptions["onProgress"],
): Promise<CaptureFileStats> {
  let buf = new Uint8Array(chunkBytes);
  let dv = new DataView(buf.buffer);
  let want = Math.min(chunkBytes, FIRST_READ_BYTES); // bytes the buffer holds after the next read
  let filled = await fill(file, buf.subarray(0, want), 0);
  let bytesRead = filled;
  let eof = filled < want;

  const { format, walker, start, truncatedHeader } = sniff(path, buf, dv, filled);
  const stats: CaptureFileStats = {
    format,
    frames: 0,
    bytes: 0,
    truncatedTail: truncatedHeader,
    skippedBlocks: 0,
    badRecords: 0,
  };
  if (walker === null) return stats;

  let off = start;
  for (;;) {
    off = walker.walk(buf, dv, off, filled, sink);
    sink.flush();
    onProgress?.(bytesRead, totalBytes);
    if (walker.stopped) {
      stats.truncatedTail = true;
      break;
    }
    if (eof) {
      stats.truncatedTail = off < filled;
      break;
    }
    // Carry the incomplete record to the front, growing the buffer if the record needs it; the
    // walkers bound `need` by MAX_RECORD_BYTES (+ a header), so growth is bounded too.
    const rest = filled - off;
    if (walker.need > buf.length) {
      const grown = new Uint8Array(walker.need);
      grown.set(buf.subarray(off, filled));
      buf = grown;
      dv = new DataView(buf.buffer);
    } else if (off > 0) {
      buf.copyWithin(0, off, filled);
    }
    // rest < buf.length here (a record that did not fit grew the buffer), so the read asks for ≥ 1 byte
    want = Math.min(buf.length, Math.max(want * 2, walker.need, rest + 1));
    const n = await fill(file, buf.subarray(0, want), rest);
    bytesRead += n;
    filled = rest + n;
    eof = filled < want;
    off = 0;
  }
  sink.flush();
  stats.frames = walker.frames;
  stats.bytes = walker.bytes;
  stats.badRecords = walker.badRecords;
  if (walker instanceof PcapngWalker) stats.skippedBlocks = walker.skippedBlocks;
  return stats;
}

/** Reads until buf is full from `from` on, or the file ends; returns the bytes read. */
async function fill(file: Deno.FsFile, buf: Uint8Array, from: number): Promise<number> {
  let pos = from;
  while (pos < buf.length) {
    const n = await file.read(buf.subarray(pos));
    if (n === null) break;
    pos += n;
  }
  return pos - from;
}

interface Sniffed {
  format: CaptureFileStats["format"];
  /** null when the file ends inside its own header: nothing to walk. */
  walker: Walker | null;
  /** Where the first record starts. */
  start: number;
  truncatedHeader: boolean;
}

/** Recognises the format from the first bytes (the first chunk holds at least 64 of them, if the file does). */
function sniff(path: string, buf: Uint8Array, dv: DataView, filled: number): Sniffed {
  if (filled >= 4 && isPcapMagic(dv)) {
    if (filled < PCAP_FILE_HEADER_LEN) {
      return { format: "pcap", walker: null, start: 0, truncatedHeader: true };
    }
    const header = parsePcapHeader(dv);
    if (header !== null) {
      return {
        format: "pcap",
        walker: new PcapWalker(header),
        start: PCAP_FILE_HEADER_LEN,
        truncatedHeader: false,
      };
    }
  }
  if (filled >= 4 && dv.getUint32(0, true) === BLOCK_SHB) {
    if (filled < 16) return { format: "pcapng", walker: null, start: 0, truncatedHeader: true };
    const le = shbLittleEndian(dv, 0);
    if (le !== null) {
      const { major, minor } = shbVersion(dv, 0, le);
      if (major !== 1) {
        throw new CaptureFileError(
          `${path}: pcapng version ${major}.${minor} is not supported; Flintnet reads pcapng version 1.x`,
        );
      }
      return { format: "pcapng", walker: new PcapngWalker(), start: 0, truncatedHeader: false };
    }
  }
  const first = Array.from(buf.subarray(0, Math.min(filled, 8)), (b) => b.toString(16).padStart(2, "0"))
    .join("");
  const found = filled === 0 ? "the file is empty" : `first bytes 0x${first}`;
  throw new CaptureFileError(`${path}: not a pcap or pcapng file (${found}); ${ACCEPTED}`);
}
