/**
 * Active ARP discovery on a directly attached Ethernet segment, as arp-scan does it: who-has requests
 * (RFC 826) broadcast from the interface's own MAC and IPv4 address at a paced rate, and the replies
 * collected until a settle time after the last request. Hosts that drop every IP packet still answer
 * ARP, so this finds what an SNMP probe cannot.
 *
 * An AF_PACKET SOCK_DGRAM socket for ETH_P_ARP (packet(7)) lets the kernel build the Ethernet header;
 * we write and read only the 28-byte ARP body. Sending and receiving are non-blocking calls made on a
 * 10 ms timer: per-packet FFI is fine at ≤ a few thousand packets a second, and nothing ever blocks the
 * isolate or outlives the sweep. The socket is closed on every path.
 */
import {
  check,
  type Cidr,
  cidrContainsWords,
  cString,
  Errno,
  formatIpv4,
  formatMac,
  isMulticast,
  lastErrno,
  libc,
  LibcError,
  mac48,
  parseCidr,
  parseIpv4,
} from "../net/mod.ts";

// linux/socket.h, linux/if_ether.h, linux/if_arp.h, bits/socket.h
const AF_PACKET = 17;
const SOCK_DGRAM = 2;
/** EtherType of ARP (IEEE 802 numbers, RFC 826). */
const ETH_P_ARP = 0x0806;
/** EtherType of IPv4, ARP's protocol type for IPv4 (RFC 826 ar$pro). */
const ETH_P_IP = 0x0800;
/** ARP hardware type Ethernet (RFC 826 ar$hrd; IANA ARP parameters). */
const ARPHRD_ETHER = 1;
/** ARP opcodes (RFC 826 ar$op). */
const ARPOP_REQUEST = 1;
const ARPOP_REPLY = 2;
/** Bytes of an Ethernet/IPv4 ARP packet: 8 header + 2 × (6 MAC + 4 IP). */
const ARP_LEN = 28;
const MSG_DONTWAIT = 0x40;
/** Bytes of struct sockaddr_ll. */
const SLL_LEN = 20;

/** How often the sweep wakes to send due requests and read replies. */
const TICK_MS = 10;
/** Replies read per tick at most, so a flood cannot hold the isolate. */
const MAX_READS_PER_TICK = 4096;

/** Options of {@link arpSweep}. */
export interface ArpSweepOptions {
  /** An Ethernet interface with an IPv4 address, e.g. "eth0". */
  iface: string;
  /** Addresses to ask for; those outside the interface's own IPv4 networks (and its own) are skipped. */
  targets: Iterable<string>;
  /** Requests per second. @default 1000 */
  ratePerS?: number;
  /** How long to keep listening after the last request, in milliseconds. @default 1000 */
  settleMs?: number;
  /** Aborting stops the sweep, closes the socket and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Broadcasts an ARP who-has for each target inside `iface`'s IPv4 networks and collects the replies.
 * @returns IPv4 address → MAC ("aa:bb:cc:dd:ee:ff") of each target that answered (the first answer wins)
 * @throws RangeError for bad options or an interface that is not Ethernet; LibcError when the interface
 *   does not exist (ENODEV), the socket cannot be opened (EPERM without CAP_NET_RAW), or sending fails
 *   (ENETDOWN when the link goes away)
 */
export async function arpSweep(opts: ArpSweepOptions): Promise<Map<string, string>> {
  const rate = opts.ratePerS ?? 1000;
  const settleMs = opts.settleMs ?? 1000;
  if (!(rate > 0 && rate <= 100_000)) {
    throw new RangeError(`ARP sweep rate ${rate}/s is not valid; accepted: more than 0, at most 100000`);
  }
  if (!(settleMs >= 0 && settleMs <= 60_000)) {
    throw new RangeError(`ARP settle time ${settleMs} ms is not valid; accepted: 0 to 60000`);
  }
  opts.signal?.throwIfAborted();
  const c = libc();
  const ifindex = c.if_nametoindex(cString(opts.iface));
  if (ifindex === 0) throw new LibcError("if_nametoindex", Errno.ENODEV, opts.iface);

  const plan = planRequests(opts.iface, opts.targets);
  const found = new Map<string, string>();
  if (plan.targets.length === 0) return found;

  // Protocol 0 until bound: the socket receives nothing from other interfaces meanwhile.
  const fd = check(c.socket(AF_PACKET, SOCK_DGRAM, 0), "socket(AF_PACKET, SOCK_DGRAM)", opts.iface);
  try {
    bind(fd, ifindex, 0, opts.iface);
    const own = ownLinkAddress(fd, opts.iface);
    bind(fd, ifindex, ETH_P_ARP, opts.iface);
    const rx = new Receiver(fd, plan.asked);
    const request = new Uint8Array(ARP_LEN);
    const dest = broadcastAddress(ifindex);
    const started = performance.now();
    let sent = 0;
    let lastSentAt = started;
    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      rx.drain(found);
      const now = performance.now();
      const due = Math.min(plan.targets.length, Math.floor(((now - started) * rate) / 1000) + 1);
      while (sent < due) {
        fillRequest(request, own, plan.sources[sent], plan.targets[sent]);
        if (!sendOne(fd, request, dest, opts.iface)) break; // queue full: the rest waits for the next tick
        sent++;
        lastSentAt = performance.now();
      }
      if (sent === plan.targets.length && performance.now() - lastSentAt >= settleMs) break;
      if (found.size === plan.targets.length) break; // everyone answered: nothing left to wait for
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    rx.drain(found);
    return found;
  } finally {
    c.close(fd);
  }
}

/** What to send: target and sender IPv4 addresses (as numbers) in order, and the set asked for. */
interface Plan {
  targets: number[];
  sources: number[];
  asked: Set<number>;
}

/** The targets inside one of the interface's own IPv4 networks, each with the address to ask from. */
function planRequests(iface: string, targets: Iterable<string>): Plan {
  const nets: { cidr: Cidr; address: number }[] = [];
  for (const a of Deno.networkInterfaces()) {
    if (a.name !== iface || a.family !== "IPv4") continue;
    const address = parseIpv4(a.address);
    if (address !== undefined) nets.push({ cidr: parseCidr(a.cidr), address });
  }
  const plan: Plan = { targets: [], sources: [], asked: new Set() };
  const own = new Set(nets.map((n) => n.address));
  const word = new Uint32Array(1);
  for (const t of targets) {
    const ip = parseIpv4(t);
    if (ip === undefined || own.has(ip) || plan.asked.has(ip)) continue;
    word[0] = ip;
    const net = nets.find((n) => cidrContainsWords(n.cidr, 4, word));
    if (net === undefined) continue;
    plan.asked.add(ip);
    plan.targets.push(ip);
    plan.sources.push(net.address);
  }
  return plan;
}

/** Reads ARP replies without blocking and keeps those from addresses the sweep asked for. */
class Receiver {
  #fd: number;
  #asked: Set<number>;
  #buf = new Uint8Array(64);
  #from = new Uint8Array(SLL_LEN);
  #fromLen = new Uint8Array(4);
  #view = new DataView(this.#buf.buffer);

  constructor(fd: number, asked: Set<number>) {
    this.#fd = fd;
    this.#asked = asked;
  }

  /** Reads every queued frame (up to a cap) into `found`; anything malformed is ignored. */
  drain(found: Map<string, string>): void {
    const c = libc();
    const lenView = new DataView(this.#fromLen.buffer);
    for (let i = 0; i < MAX_READS_PER_TICK; i++) {
      lenView.setUint32(0, SLL_LEN, true);
      const n = Number(
        c.recvfrom(this.#fd, this.#buf, BigInt(this.#buf.length), MSG_DONTWAIT, this.#from, this.#fromLen),
      );
      if (n < 0) {
        const errno = lastErrno();
        if (errno === Errno.EINTR) continue;
        return; // EAGAIN: nothing queued; any other error surfaces on the next sendto
      }
      this.#accept(n, found);
    }
  }

  #accept(n: number, found: Map<string, string>): void {
    const v = this.#view, b = this.#buf;
    if (n < ARP_LEN) return;
    if (v.getUint16(0) !== ARPHRD_ETHER || v.getUint16(2) !== ETH_P_IP) return;
    if (b[4] !== 6 || b[5] !== 4 || v.getUint16(6) !== ARPOP_REPLY) return;
    const spa = v.getUint32(14);
    if (!this.#asked.has(spa)) return;
    const sha = mac48(b, 8);
    if (isMulticast(sha) || sha === 0) return; // a multicast or zero sender MAC is bogus
    const ip = formatIpv4(spa);
    if (found.has(ip)) return;
    found.set(ip, formatMac(sha));
  }
}

/** Writes a who-has request for `target` from (`mac`, `source`) into `buf` (RFC 826 packet layout). */
function fillRequest(buf: Uint8Array, mac: Uint8Array, source: number, target: number): void {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  v.setUint16(0, ARPHRD_ETHER); // ar$hrd
  v.setUint16(2, ETH_P_IP); // ar$pro
  buf[4] = 6; // ar$hln
  buf[5] = 4; // ar$pln
  v.setUint16(6, ARPOP_REQUEST); // ar$op
  buf.set(mac, 8); // ar$sha
  v.setUint32(14, source); // ar$spa
  buf.fill(0, 18, 24); // ar$tha: unknown, that is the question
  v.setUint32(24, target); // ar$tpa
}

/** Sends one frame; false when the queue is full (try again later). */
function sendOne(fd: number, frame: Uint8Array, dest: Uint8Array, iface: string): boolean {
  for (;;) {
    const r = Number(libc().sendto(fd, frame, BigInt(frame.length), MSG_DONTWAIT, dest, SLL_LEN));
    if (r >= 0) return true;
    const errno = lastErrno();
    if (errno === Errno.EINTR) continue;
    if (errno === Errno.EAGAIN || errno === Errno.ENOBUFS) return false;
    throw new LibcError("sendto(ARP request)", errno, iface);
  }
}

/** struct sockaddr_ll for the Ethernet broadcast address on `ifindex`. */
function broadcastAddress(ifindex: number): Uint8Array {
  const sll = new Uint8Array(SLL_LEN);
  const v = new DataView(sll.buffer);
  v.setUint16(0, AF_PACKET, true); // sll_family
  v.setUint16(2, ETH_P_ARP, false); // sll_protocol, network byte order
  v.setInt32(4, ifindex, true); // sll_ifindex
  sll[11] = 6; // sll_halen
  sll.fill(0xff, 12, 18); // sll_addr: ff:ff:ff:ff:ff:ff
  return sll;
}

/** bind(2): struct sockaddr_ll { u16 family; be16 protocol; int ifindex; … } on `ifindex`. */
function bind(fd: number, ifindex: number, protocol: number, iface: string): void {
  const sll = new Uint8Array(SLL_LEN);
  const v = new DataView(sll.buffer);
  v.setUint16(0, AF_PACKET, true);
  v.setUint16(2, protocol, false);
  v.setInt32(4, ifindex, true);
  check(libc().bind(fd, sll, SLL_LEN), "bind", iface);
}

/** The bound interface's MAC from getsockname (sll_hatype at 8, sll_halen at 11, sll_addr at 12). */
function ownLinkAddress(fd: number, iface: string): Uint8Array {
  const sll = new Uint8Array(SLL_LEN);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, SLL_LEN, true);
  check(libc().getsockname(fd, sll, len), "getsockname", iface);
  const hatype = new DataView(sll.buffer).getUint16(8, true);
  if (hatype !== ARPHRD_ETHER || sll[11] !== 6) {
    throw new RangeError(
      `interface ${iface} has hardware type ARPHRD ${hatype}, which has no ARP; accepted: an Ethernet interface`,
    );
  }
  return sll.slice(12, 18);
}
