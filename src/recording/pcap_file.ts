/**
 * One recording's file: a classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html),
 * microsecond timestamps, little-endian, written so that whatever its length at a given moment, the file is
 * a valid pcap up to the length `bytes` says: the 24-octet header first, then whole records, each appended
 * by one write. A download reads no further than `bytes`.
 */
import {
  PCAP_FILE_HEADER_LEN,
  PCAP_MAGIC_MICROS,
  PCAP_RECORD_HEADER_LEN,
  type TapRecord,
} from "../capture/mod.ts";

/** Octets buffered before a write; a drain writes what it gathered at its end anyway. */
const BUFFER_BYTES = 256 * 1024;

/** The 24-octet file header (pcap draft §4). */
export function pcapHeader(linkType: number, snaplen: number): Uint8Array {
  const h = new Uint8Array(PCAP_FILE_HEADER_LEN);
  const v = new DataView(h.buffer);
  v.setUint32(0, PCAP_MAGIC_MICROS, true);
  v.setUint16(4, 2, true); // major version
  v.setUint16(6, 4, true); // minor version
  v.setUint32(16, snaplen, true);
  v.setUint32(20, linkType, true);
  return h;
}

/** An open recording file. */
export class PcapFile {
  readonly path: string;
  /** Octets of whole records (and the header) written: what a download may read. */
  bytes = 0;
  /** Records written. */
  packets = 0;
  #file: Deno.FsFile | null;
  #buf = new Uint8Array(BUFFER_BYTES);
  #view = new DataView(this.#buf.buffer);
  #used = 0;
  #linkType: number;
  #snaplen: number;

  /** Creates `path` (replacing it) with the header for `linkType`. */
  constructor(path: string, linkType: number, snaplen: number) {
    this.path = path;
    this.#linkType = linkType;
    this.#snaplen = snaplen;
    this.#file = Deno.openSync(path, { write: true, create: true, truncate: true, mode: 0o600 });
    this.#file.writeSync(pcapHeader(linkType, snaplen));
    this.bytes = PCAP_FILE_HEADER_LEN;
  }

  /** Octets the file will hold once what is buffered is written. */
  get size(): number {
    return this.bytes + this.#used;
  }

  /**
   * Appends one record (buffered). A frame of another link type than the file's is left out (false),
   * unless the file has no record yet: then the header is rewritten for it.
   */
  append(r: TapRecord): boolean {
    if (r.linkType !== this.#linkType) {
      if (this.packets > 0 || this.#used > 0 || this.#file === null) return false;
      this.#linkType = r.linkType;
      this.#file.seekSync(0, Deno.SeekMode.Start);
      this.#file.writeSync(pcapHeader(r.linkType, this.#snaplen));
    }
    const need = PCAP_RECORD_HEADER_LEN + r.capLen;
    if (this.#used + need > this.#buf.length) this.flush();
    if (need > this.#buf.length) {
      this.#buf = new Uint8Array(need);
      this.#view = new DataView(this.#buf.buffer);
    }
    const v = this.#view, o = this.#used;
    // Record header (pcap draft §5): ts seconds, ts microseconds, captured length, original length.
    v.setUint32(o, r.sec, true);
    v.setUint32(o + 4, r.usec, true);
    v.setUint32(o + 8, r.capLen, true);
    v.setUint32(o + 12, r.wireLen, true);
    const b = this.#buf, src = r.bytes, d = o + PCAP_RECORD_HEADER_LEN;
    for (let i = 0; i < r.capLen; i++) b[d + i] = src[r.at + i];
    this.#used += need;
    this.packets++;
    return true;
  }

  /** Writes what is buffered: whole records, at the end of the file. */
  flush(): void {
    if (this.#used === 0 || this.#file === null) return;
    this.#file.seekSync(0, Deno.SeekMode.End);
    let done = 0;
    while (done < this.#used) done += this.#file.writeSync(this.#buf.subarray(done, this.#used));
    this.bytes += this.#used;
    this.#used = 0;
  }

  /** Flushes and closes. Idempotent. */
  close(): void {
    if (this.#file === null) return;
    try {
      this.flush();
    } finally {
      this.#file.close();
      this.#file = null;
    }
  }
}

/**
 * Walks a pcap written by PcapFile (after a crash or a restart): its whole records and where they end,
 * so a torn last record can be cut off.
 */
export function scanPcapFile(path: string): { packets: number; bytes: number } | null {
  let data: Uint8Array;
  try {
    data = Deno.readFileSync(path);
  } catch {
    return null;
  }
  if (data.length < PCAP_FILE_HEADER_LEN) return null;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (v.getUint32(0, true) !== PCAP_MAGIC_MICROS) return null;
  let o = PCAP_FILE_HEADER_LEN, packets = 0;
  while (o + PCAP_RECORD_HEADER_LEN <= data.length) {
    const next = o + PCAP_RECORD_HEADER_LEN + v.getUint32(o + 8, true);
    if (next > data.length) break;
    o = next;
    packets++;
  }
  return { packets, bytes: o };
}
