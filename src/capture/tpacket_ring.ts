/**
 * An AF_PACKET socket with a TPACKET_V3 receive ring, driven from JS.
 *
 * The kernel fills fixed-size blocks with frames and hands a block to user space by setting
 * TP_STATUS_USER in its descriptor; we walk the block over one zero-copy view of the mmap'd ring and give
 * it back by writing TP_STATUS_KERNEL. FFI is used per open, per poll and per stats read, never per frame.
 * Layouts and constants: /usr/include/linux/if_packet.h, packet(7), and
 * https://docs.kernel.org/networking/packet_mmap.html.
 */
import { type FrameSink, LinkType } from "../decode/mod.ts";
import { check, cString, Errno, libc, LibcError } from "../net/mod.ts";
import { DROP_ALL, joinFanout, selectMember, setSocketFilter } from "./fanout.ts";

// linux/socket.h, linux/if_ether.h, asm-generic/socket.h, linux/if_packet.h, asm-generic/mman-common.h
const AF_PACKET = 17;
const SOCK_RAW = 3;
/** Closed on exec: a child process must not keep a ring's socket (and its fanout membership) alive. */
const SOCK_CLOEXEC = 0o2000000;
const ETH_P_ALL = 0x0003;
const SOL_SOCKET = 1;
const SO_ERROR = 4;
const SOL_PACKET = 263;
const PACKET_ADD_MEMBERSHIP = 1;
const PACKET_MR_PROMISC = 1;
const PACKET_RX_RING = 5;
const PACKET_STATISTICS = 6;
const PACKET_VERSION = 10;
const TPACKET_V3 = 2;
const PROT_READ_WRITE = 0x1 | 0x2;
const MAP_SHARED = 0x01;
const POLLIN = 0x001;
const POLLERR = 0x008;
/** Frame "slot" size the V3 ring API insists on; V3 packs frames tightly, so it only sets a maximum. */
const FRAME_SIZE = 2048;

/** tp_status / block_status bits. */
const TP_STATUS_USER = 1 << 0;
const TP_STATUS_VLAN_VALID = 1 << 4;
/** Bytes of an 802.1Q tag (IEEE 802.1Q: TPID + TCI). */
const VLAN_TAG_LEN = 4;
/** sll_pkttype of a frame this host sent (linux/if_packet.h). */
const PACKET_OUTGOING = 4;

/** ARPHRD_* (linux/if_arp.h) of interfaces whose frames the decoder understands. */
export const Arphrd = { Ether: 1, RawIp: 519, Loopback: 772, None: 0xfffe } as const;

// struct tpacket_block_desc { __u32 version; __u32 offset_to_priv; struct tpacket_hdr_v1 hdr; }
// struct tpacket_hdr_v1 { __u32 block_status; __u32 num_pkts; __u32 offset_to_first_pkt; __u32 blk_len; … }
const BD_STATUS = 8;
const BD_NUM_PKTS = 12;
const BD_FIRST = 16;
const BD_LEN = 20;
// struct tpacket3_hdr { __u32 tp_next_offset; __u32 tp_sec; __u32 tp_nsec; __u32 tp_snaplen; __u32 tp_len;
//   __u32 tp_status; __u16 tp_mac; __u16 tp_net; struct tpacket_hdr_variant1 { __u32 tp_rxhash;
//   __u32 tp_vlan_tci; __u16 tp_vlan_tpid; __u16 tp_padding; } hv1; __u8 tp_padding[8]; }  — 48 bytes,
// followed (TPACKET_ALIGN'd) by struct sockaddr_ll, whose sll_pkttype is at byte 10.
const H_MAC = 24;
const H_VLAN_TCI_WORD = 8; // in u32 words
const H_PKTTYPE = 48 + 10;

/** Options of {@link TpacketRing.open}. */
export interface RingOptions {
  /** Ring size in MiB (rounded down to whole blocks, at least 2 blocks). */
  ringMb: number;
  /** Block size in KiB, a multiple of the page size. @default {@link blockKbFor}(snaplen) */
  blockKb?: number;
  /** Bytes kept per frame; also what the attached filter returns for "accept". */
  snaplen: number;
  /** The compiled BPF program, or a function compiling one for the interface's link type (LinkType). */
  filter: Uint8Array | ((linkType: number) => Uint8Array);
  /** How long the kernel waits before handing over a partly filled block. @default 50 */
  retireTimeoutMs?: number;
  /** Put a (non-loopback) interface in promiscuous mode while the socket is open. @default true */
  promisc?: boolean;
  /**
   * Join this PACKET_FANOUT selector group (fanout.ts): 0 makes a new group. A socket joining an
   * existing group accepts nothing until it is a member, so no frame reaches two rings.
   */
  fanoutGroup?: number;
}

/**
 * The block size for `snaplen`: 32 KiB when a frame of it fits (with the 512 bytes of headers allowed for
 * below), else the next power of two that holds one. Why small: the kernel allocates each block as one
 * physically contiguous piece, and 32 KiB (8 pages) is the largest it hands out without reclaiming or
 * compacting memory first. A 64 MiB ring opened on a machine that had sat a while took 125 ms in 1 MiB
 * blocks, 63–100 ms in 256 KiB ones and 11 ms in 32 KiB ones (docs/benchmarks.md), and the capture reads
 * nothing while a re-opened ring is being allocated: the 16 → 64 MiB re-opens of 124–309 ms were when the
 * live streams dropped frames.
 */
export function blockKbFor(snaplen: number): number {
  let kb = 32;
  while (kb * 1024 < snaplen + 512) kb *= 2;
  return kb;
}

/** Kernel counters (struct tpacket_stats_v3), accumulated since the ring was opened. */
export interface RingStats {
  /** Frames that passed the filter, including those dropped (as the kernel counts). */
  packets: number;
  /** Frames lost because the ring was full. */
  drops: number;
  /** Times the ring froze because every block was still with user space. */
  freezes: number;
}

const EMPTY = new ArrayBuffer(0);

/** One open capture socket with its ring. Close it; the ring memory is unmapped then. */
export class TpacketRing {
  /** Interface name. */
  readonly iface: string;
  /** Interface index at open time. */
  readonly ifindex: number;
  /** ARPHRD_* of the interface. */
  readonly hatype: number;
  /** LinkType of the frames the ring delivers. */
  readonly linkType: number;
  /** Loopback: each packet is seen leaving and arriving, so outgoing copies are skipped. */
  readonly loopback: boolean;
  /** Blocks in the ring. */
  readonly blockCount: number;
  /** Bytes per block. */
  readonly blockSize: number;
  /** The fanout group joined, 0 for none. */
  readonly fanoutGroup: number;
  #fd: number;
  #ring: Deno.PointerObject | null;
  #size: number;
  #u8: Uint8Array = new Uint8Array(EMPTY);
  #u16: Uint16Array = new Uint16Array(EMPTY);
  #u32: Uint32Array = new Uint32Array(EMPTY);
  #current = 0;
  /** Bytes of frame data (blk_len) in the blocks read so far: how full the ring's traffic keeps it. */
  bytesRead = 0;
  #pollfd = new Uint8Array(8); // struct pollfd { int fd; short events; short revents; }
  #waiting = false;
  #closed = false;
  #stats: RingStats = { packets: 0, drops: 0, freezes: 0 };
  #statsBuf = new Uint8Array(12);
  #statsLen = new Uint8Array(4);

  private constructor(
    iface: string,
    fd: number,
    ifindex: number,
    hatype: number,
    ring: Deno.PointerObject,
    blockSize: number,
    blockCount: number,
    fanoutGroup: number,
  ) {
    this.iface = iface;
    this.fanoutGroup = fanoutGroup;
    this.#fd = fd;
    this.ifindex = ifindex;
    this.hatype = hatype;
    this.linkType = linkTypeOf(hatype);
    this.loopback = hatype === Arphrd.Loopback;
    this.#ring = ring;
    this.blockSize = blockSize;
    this.blockCount = blockCount;
    this.#size = blockSize * blockCount;
    const ab = Deno.UnsafePointerView.getArrayBuffer(ring, this.#size);
    this.#u8 = new Uint8Array(ab);
    this.#u16 = new Uint16Array(ab);
    this.#u32 = new Uint32Array(ab);
    const pv = new DataView(this.#pollfd.buffer);
    pv.setInt32(0, fd, true);
    pv.setInt16(4, POLLIN | POLLERR, true);
  }

  /**
   * Opens a capture socket on `iface` with a filter attached before any frame can arrive.
   * @throws LibcError (ENODEV for a missing interface, ENETDOWN for one that is down, EPERM without
   *   CAP_NET_RAW), RangeError for bad options, Error for a link type the decoder cannot read
   */
  static open(iface: string, opts: RingOptions): TpacketRing {
    const blockSize = (opts.blockKb ?? blockKbFor(opts.snaplen)) * 1024;
    const page = libc().getpagesize();
    if (!Number.isInteger(blockSize) || blockSize < page || blockSize % page !== 0) {
      throw new RangeError(
        `ring block size ${opts.blockKb} KiB is not valid; accepted: a multiple of ${page / 1024} KiB`,
      );
    }
    if (!Number.isInteger(opts.snaplen) || opts.snaplen < 1 || opts.snaplen + 512 > blockSize) {
      throw new RangeError(
        `snaplen ${opts.snaplen} is not valid; accepted: 1 to ${blockSize - 512} for this block size`,
      );
    }
    if (!(opts.ringMb > 0)) {
      throw new RangeError(`ring size ${opts.ringMb} MiB is not valid; accepted: more than 0`);
    }
    const blockCount = Math.max(2, Math.floor((opts.ringMb * 1048576) / blockSize));
    const c = libc();
    const ifindex = c.if_nametoindex(cString(iface));
    if (ifindex === 0) throw new LibcError("if_nametoindex", Errno.ENODEV, iface);
    // Protocol 0: the socket receives nothing until the final bind, so no frame slips past the filter.
    const fd = check(c.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), "socket(AF_PACKET)", iface);
    let ring: Deno.PointerObject | null = null;
    try {
      bind(fd, ifindex, 0, iface); // learn the interface's hardware type without receiving yet
      const hatype = hardwareType(fd, iface);
      const linkType = linkTypeOf(hatype);
      setInt(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3, "PACKET_VERSION", iface);
      const program = typeof opts.filter === "function" ? opts.filter(linkType) : opts.filter;
      // Joining a group that already receives: accept nothing until this socket is one of its members.
      const joining = opts.fanoutGroup !== undefined && opts.fanoutGroup !== 0;
      setSocketFilter(fd, joining ? DROP_ALL : program, iface);
      // struct tpacket_req3 { tp_block_size, tp_block_nr, tp_frame_size, tp_frame_nr, tp_retire_blk_tov,
      //   tp_sizeof_priv, tp_feature_req_word } — seven unsigned ints
      const req = new Uint32Array([
        blockSize,
        blockCount,
        FRAME_SIZE,
        (blockSize / FRAME_SIZE) * blockCount,
        opts.retireTimeoutMs ?? 50,
        0,
        0,
      ]);
      check(
        c.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, new Uint8Array(req.buffer), 28),
        "setsockopt(PACKET_RX_RING)",
        `${iface}, ${blockCount} × ${blockSize} bytes`,
      );
      const size = blockSize * blockCount;
      ring = c.mmap(null, BigInt(size), PROT_READ_WRITE, MAP_SHARED, fd, 0n);
      if (ring === null || BigInt(Deno.UnsafePointer.value(ring)) === 0xffff_ffff_ffff_ffffn) {
        ring = null;
        check(-1, "mmap(ring)", `${iface}, ${size} bytes`);
      }
      bind(fd, ifindex, ETH_P_ALL, iface);
      // bind() to a down interface succeeds but leaves ENETDOWN pending; report it now, not on first poll.
      const pending = getInt(fd, SOL_SOCKET, SO_ERROR, "SO_ERROR", iface);
      if (pending !== 0) throw new LibcError("bind", pending, iface);
      const group = opts.fanoutGroup === undefined ? 0 : joinFanout(fd, opts.fanoutGroup, iface);
      if (joining) setSocketFilter(fd, program, iface);
      if (hatype !== Arphrd.Loopback && opts.promisc !== false) {
        // struct packet_mreq { int mr_ifindex; unsigned short mr_type; unsigned short mr_alen; unsigned char mr_address[8]; }
        const mreq = new Uint8Array(16);
        const mv = new DataView(mreq.buffer);
        mv.setInt32(0, ifindex, true);
        mv.setUint16(4, PACKET_MR_PROMISC, true);
        check(c.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq, 16), "PACKET_ADD_MEMBERSHIP", iface);
      }
      return new TpacketRing(
        iface,
        fd,
        ifindex,
        hatype,
        ring as Deno.PointerObject,
        blockSize,
        blockCount,
        group,
      );
    } catch (e) {
      if (ring !== null) c.munmap(ring, BigInt(blockSize * blockCount));
      c.close(fd);
      throw e;
    }
  }

  /** Blocks the kernel has filled and nobody read yet, from the current one on (read nothing). */
  readyBlocks(): number {
    const u32 = this.#u32, blockSize = this.blockSize;
    let n = 0;
    while (!this.#closed && n < this.blockCount) {
      const base = ((this.#current + n) % this.blockCount) * blockSize;
      if ((u32[(base + BD_STATUS) >> 2] & TP_STATUS_USER) === 0) break;
      n++;
    }
    return n;
  }

  /**
   * Hands every frame of every ready block, from the current one on, to `sink`, returning each block to the
   * kernel once walked (the sink copies what it keeps), and flushes the sink once at the end: a flush a
   * block would hand the main thread a batch of a few hundred rows per 32 KiB block. A VLAN tag the kernel
   * stripped is passed as `sink.vlanHint` (set before every frame, 0 when untagged) and its 4 bytes are
   * added to wireLen. Frames whose data would run past their block are not trusted and end the block's walk.
   * `enough`, asked after each block, ends the read early (the rest stays in the ring for the next one).
   * @returns blocks consumed
   */
  readReady(sink: FrameSink & { vlanHint: number }, enough?: () => boolean): number {
    const u8 = this.#u8, u16 = this.#u16, u32 = this.#u32;
    const blockSize = this.blockSize, linkType = this.linkType, loopback = this.loopback;
    let blocks = 0;
    while (!this.#closed && blocks < this.blockCount) {
      const base = this.#current * blockSize;
      const statusWord = (base + BD_STATUS) >> 2;
      if ((u32[statusWord] & TP_STATUS_USER) === 0) break;
      const limit = base + blockSize;
      const n = u32[(base + BD_NUM_PKTS) >> 2];
      let h = base + u32[(base + BD_FIRST) >> 2];
      for (let i = 0; i < n; i++) {
        if (h + 64 > limit || (h & 7) !== 0) break; // V3 packs frames on 8-byte boundaries (V3_ALIGNMENT)
        const w = h >> 2;
        const capLen = u32[w + 3];
        const data = h + u16[(h + H_MAC) >> 1];
        if (data + capLen > limit) break;
        if (!(loopback && u8[h + H_PKTTYPE] === PACKET_OUTGOING)) {
          // A stripped 802.1Q tag goes to the sink as a hint; it still counts in the length on the wire, as
          // libpcap (which puts it back) and capture files report it.
          const tagged = (u32[w + 5] & TP_STATUS_VLAN_VALID) !== 0;
          sink.vlanHint = tagged ? u32[w + H_VLAN_TCI_WORD] & 0x0fff : 0;
          const wireLen = tagged ? u32[w + 4] + VLAN_TAG_LEN : u32[w + 4];
          sink.frame(u8, data, capLen, wireLen, u32[w + 1] * 1000 + u32[w + 2] / 1e6, linkType);
        }
        const next = u32[w];
        if (next === 0) break;
        h += next;
      }
      this.bytesRead += u32[(base + BD_LEN) >> 2];
      u32[statusWord] = 0; // TP_STATUS_KERNEL: the block is the kernel's again
      this.#current = (this.#current + 1) % this.blockCount;
      blocks++;
      if (enough?.()) break;
    }
    if (blocks > 0) sink.flush();
    return blocks;
  }

  /**
   * Waits up to `timeoutMs` for a block or an error, off the isolate's thread.
   * @returns poll(2) revents: POLLIN, POLLERR (interface down or gone), POLLNVAL; 0 on timeout
   */
  async wait(timeoutMs: number): Promise<number> {
    if (this.#closed || this.#waiting) return 0;
    this.#waiting = true;
    try {
      const r = await libc().poll(this.#pollfd, 1n, Math.max(0, Math.trunc(timeoutMs)));
      return r > 0 ? new DataView(this.#pollfd.buffer).getInt16(6, true) & 0xffff : 0;
    } finally {
      this.#waiting = false;
      if (this.#closed) this.#release(); // close() came while poll() still held the descriptor
    }
  }

  /** In a fanout group: sends every frame of the group to its member at `index` (joining order). */
  selectFanoutMember(index: number): void {
    if (!this.#closed && this.fanoutGroup !== 0) selectMember(this.#fd, index, this.iface);
  }

  /** The socket's pending error (SO_ERROR, cleared by reading): e.g. ENETDOWN after the link went away. */
  pendingError(): number {
    if (this.#closed) return 0;
    try {
      return getInt(this.#fd, SOL_SOCKET, SO_ERROR, "SO_ERROR", this.iface);
    } catch (e) {
      return e instanceof LibcError ? e.errno : 0;
    }
  }

  /** Kernel counters since open (reading them resets the kernel's copy, so they are accumulated here). */
  stats(): RingStats {
    if (!this.#closed) {
      new DataView(this.#statsLen.buffer).setUint32(0, 12, true);
      const r = libc().getsockopt(this.#fd, SOL_PACKET, PACKET_STATISTICS, this.#statsBuf, this.#statsLen);
      if (r === 0) {
        const v = new DataView(this.#statsBuf.buffer);
        this.#stats.packets += v.getUint32(0, true);
        this.#stats.drops += v.getUint32(4, true);
        this.#stats.freezes += v.getUint32(8, true);
      }
    }
    return { ...this.#stats };
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Closes the socket and unmaps the ring. Idempotent. When a wait() is in flight, the release happens
   * as soon as its poll returns, so the descriptor is never closed under a running poll().
   */
  close(): void {
    if (this.#closed) return;
    this.stats(); // keep the last counts
    this.#closed = true;
    // Drop the views first: the memory behind them is about to disappear.
    this.#u8 = new Uint8Array(EMPTY);
    this.#u16 = new Uint16Array(EMPTY);
    this.#u32 = new Uint32Array(EMPTY);
    if (!this.#waiting) this.#release();
  }

  #release(): void {
    const c = libc();
    if (this.#ring !== null) {
      c.munmap(this.#ring, BigInt(this.#size));
      this.#ring = null;
    }
    if (this.#fd >= 0) {
      c.close(this.#fd);
      this.#fd = -1;
    }
  }
}

/** LinkType of the frames an interface with hardware type `hatype` delivers on a SOCK_RAW socket. */
export function linkTypeOf(hatype: number): number {
  switch (hatype) {
    case Arphrd.Ether:
    case Arphrd.Loopback: // Linux lo carries zeroed Ethernet headers
      return LinkType.Ethernet;
    case Arphrd.None: // tun, WireGuard
    case Arphrd.RawIp:
      return LinkType.Raw;
    default:
      throw new Error(
        `interface hardware type ARPHRD ${hatype} is not supported; accepted: Ethernet, loopback, raw IP (tun)`,
      );
  }
}

/** bind(2) to an interface: struct sockaddr_ll { u16 family; be16 protocol; int ifindex; …; } (20 bytes). */
function bind(fd: number, ifindex: number, protocol: number, iface: string): void {
  const sll = new Uint8Array(20);
  const v = new DataView(sll.buffer);
  v.setUint16(0, AF_PACKET, true);
  v.setUint16(2, protocol, false); // network byte order: htons()
  v.setInt32(4, ifindex, true);
  check(libc().bind(fd, sll, 20), "bind", iface);
}

/** sll_hatype (offset 8 of struct sockaddr_ll) of a bound packet socket. */
function hardwareType(fd: number, iface: string): number {
  const sll = new Uint8Array(20);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, 20, true);
  check(libc().getsockname(fd, sll, len), "getsockname", iface);
  return new DataView(sll.buffer).getUint16(8, true);
}

function setInt(fd: number, level: number, opt: number, value: number, what: string, iface: string): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value, true);
  check(libc().setsockopt(fd, level, opt, b, 4), `setsockopt(${what})`, iface);
}

function getInt(fd: number, level: number, opt: number, what: string, iface: string): number {
  const b = new Uint8Array(4);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, 4, true);
  check(libc().getsockopt(fd, level, opt, b, len), `getsockopt(${what})`, iface);
  return new DataView(b.buffer).getInt32(0, true);
}
