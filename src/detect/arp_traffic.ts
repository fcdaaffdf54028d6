/**
 * What the ARP watcher learns from the IPv4 rows it otherwise skips, read in the same pass over a batch
 * and without allocating per row:
 *
 * - **DHCP seen for a MAC.** A DHCP client's DISCOVER/REQUEST goes from UDP port 68 to 67 (RFC 2131 §4.1)
 *   in a frame whose Ethernet source is the client's own MAC. A MAC that just did DHCP and then uses a new
 *   address was renumbered, not spoofing. These rows are rare; each costs one Map write.
 * - **Which MAC routes.** A host sends from its own address; a router forwards packets from many source
 *   addresses under one MAC (traffic from outside the local network arrives through the gateway). Per row
 *   the MAC is looked up in a few fixed slots (typed arrays); a MAC enters a slot only when it is seen
 *   sending from two addresses in consecutive rows, and its score grows with every source address that
 *   differs from its last two (a host with a secondary address alternating between the two scores
 *   nothing). A source address the MAC itself claims in ARP scores nothing either: a server or a
 *   namespace host with eight addresses of its own sends from all of them, and is not a router (it was
 *   taken for one, and every address it had was called a gateway). This check runs only for a slotted MAC
 *   whose source differs from its last two, which on a router's traffic is nearly every row: the MAC's
 *   claimed addresses (64 at most by default) are therefore copied once into a small open-addressing
 *   table of 32-bit words and looked up in place (two Map reads keyed by numbers beyond the small-integer
 *   range, boxed per call, were a tenth of a replay's time). The copy stays valid while the ARP history
 *   does: the detector calls {@link TrafficFacts.forgetClaims} whenever it may have changed. Scores halve every window of capture time,
 *   so the slots follow the network. Replacement is Space-Saving's (the lowest score gives its slot up), so
 *   the MAC that routes most keeps its slot.
 *
 * Time is the rows' own (the halving happens at the first row of a new window, whatever the batches), so replay and live capture give the same answers for the same frames.
 */
import { type PacketBatch, RowKind } from "../decode/mod.ts";

/** DHCP client and server ports (RFC 2131 §4.1). */
const DHCP_CLIENT_PORT = 68, DHCP_SERVER_PORT = 67;
/** UDP (IANA protocol numbers). */
const PROTO_UDP = 17;
/** MACs remembered as having done DHCP; beyond it the oldest is forgotten (a flood of forged requests). */
const MAX_DHCP_MACS = 4096;
/** Routing candidates kept: a LAN has one or two routers; a few more slots absorb the noise. */
const SLOTS = 8;
/** Source-address changes (after halving) below which a MAC is not called a router. */
export const MIN_ROUTER_SCORE = 8;

/** A MAC's claimed addresses looked up in place up to this many (ArpHistory's default maxIpsPerMac); more are asked of its set. */
const SMALL_CLAIMS = 64;
/**
 * Slots of the in-place table: a power of two, at most 1/16 full, so that looking up an address that is
 * not there (a router's traffic: nearly every row) nearly always ends at the first slot. At 128 slots
 * (half full with a MAC's 64 claims) the probing was half of the time spent on the bench capture's rows.
 */
const CLAIM_SLOTS = 1024;
/** Its slot of address `ip` (Fibonacci hashing; 0 marks an empty slot, and no claimed address is 0). */
function claimSlot(ip: number): number {
  return Math.imul(ip, 0x9e3779b1) >>> 22;
}

/** The IPv4 addresses (32-bit numbers) one MAC has claimed in ARP: a Set, or the keys of a Map. */
export interface ClaimedAddresses {
  /** How many. */
  readonly size: number;
  /** Whether `ip` is one. */
  has(ip: number): boolean;
  /** Every one. */
  keys(): Iterable<number>;
}

/** A MAC that forwards traffic from many source addresses. */
export interface RouterGuess {
  /** The MAC (48-bit integer). */
  mac: number;
  /** Its score: source-address changes, halved every window. */
  score: number;
}

/** See the module comment. */
export class TrafficFacts {
  readonly #windowMs: number;
  /** MAC → capture time of its latest DHCP client message, ms. */
  #dhcp = new Map<number, number>();
  #dhcpSeen = 0;
  readonly #mac = new Float64Array(SLOTS);
  readonly #score = new Float64Array(SLOTS);
  /** The slot's last two source addresses. */
  readonly #src1 = new Uint32Array(SLOTS);
  readonly #src2 = new Uint32Array(SLOTS);
  #prevEth = 0;
  #prevSrc = 0;
  #nextDecay = -Infinity;
  readonly #onRouter: (guess: RouterGuess, atMs: number) => void;
  readonly #claimedBy: (mac: number) => ClaimedAddresses | undefined;
  /** The MAC whose claims are copied below, or -1 (none: MACs are 0 … 2^48 − 1). */
  #claimMac = -1;
  readonly #claimIps = new Uint32Array(CLAIM_SLOTS);
  /** The slots of #claimIps in use (#claimUsed of them), cleared one by one instead of the whole table. */
  readonly #claimSlots = new Uint16Array(SMALL_CLAIMS);
  #claimUsed = 0;
  /** Its claims, when they are more than SMALL_CLAIMS. */
  #claimMany: ClaimedAddresses | null = null;

  /**
   * @param windowMs scores halve once per window of capture time; DHCP sightings are kept two windows
   * @param onRouter told, once per window and before the halving, which MAC routes (if one does)
   * @param claimedBy the addresses `mac` has claimed in ARP, if any (read again after forgetClaims())
   */
  constructor(
    windowMs: number,
    onRouter: (guess: RouterGuess, atMs: number) => void = () => {},
    claimedBy: (mac: number) => ClaimedAddresses | undefined = () => undefined,
  ) {
    this.#windowMs = Math.max(windowMs, 1);
    this.#onRouter = onRouter;
    this.#claimedBy = claimedBy;
  }

  /** The ARP claims may have changed (an ARP row or a polled table applied, pruning): read them again. */
  forgetClaims(): void {
    this.#claimMac = -1;
    this.#claimMany = null;
  }

  /** DHCP client messages seen so far. */
  get dhcpSeen(): number {
    return this.#dhcpSeen;
  }

  /** Row `i` of `b`, an IPv4 row (RowKind.Ip, family 4): notes DHCP and feeds the router slots. */
  observe(b: PacketBatch, i: number): void {
    this.observeRows(b, i, i + 1);
  }

  /**
   * The IPv4 rows among rows `from … to-1` of `b`, in order (other rows are skipped): one call per run of
   * rows, the columns and the previous sender in locals, nothing allocated.
   */
  observeRows(b: PacketBatch, from: number, to: number): void {
    const kind = b.kind, family = b.family, ethCol = b.ethSrc, tsCol = b.tsMs, srcCol = b.src;
    const proto = b.proto, srcPort = b.srcPort, dstPort = b.dstPort;
    const macs = this.#mac, score = this.#score, src1 = this.#src1, src2 = this.#src2, ips = this.#claimIps;
    let prevEth = this.#prevEth, prevSrc = this.#prevSrc, nextDecay = this.#nextDecay;
    // The fields a row reads, in locals (reloaded after the calls that change them): the previous sender's
    // slot (-1: none; a slot changes hands only below), and the MAC whose claims are in `ips`.
    let prevSlot = prevEth === 0 ? -1 : macs.indexOf(prevEth),
      claimMac = this.#claimMac,
      many = this.#claimMany;
    for (let i = from; i < to; i++) {
      if (family[i] !== 4 || kind[i] !== RowKind.Ip) continue;
      const eth = ethCol[i];
      if (eth === 0) continue; // a link type without MACs (raw IP, some cooked captures)
      const t = tsCol[i];
      if (t >= nextDecay) {
        this.#decay(t);
        nextDecay = this.#nextDecay;
      }
      const src = srcCol[i << 2];
      // the port first: the protocol alone (UDP or not) would be a branch mispredicted on mixed traffic
      if (srcPort[i] === DHCP_CLIENT_PORT && dstPort[i] === DHCP_SERVER_PORT && proto[i] === PROTO_UDP) {
        this.#noteDhcp(eth, t);
      }
      if (eth === prevEth) {
        if (src === prevSrc) continue; // the same sender again: nothing new
      } else {
        prevSlot = 0;
        while (prevSlot < SLOTS && macs[prevSlot] !== eth) prevSlot++;
        if (prevSlot === SLOTS) prevSlot = -1;
      }
      const lastEth = prevEth, lastSrc = prevSrc;
      prevEth = eth;
      prevSrc = src;
      const k = prevSlot;
      if (k >= 0) {
        if (src !== src1[k] && src !== src2[k]) {
          // inline, not a call: a call would box the MAC and the address (see the module comment)
          if (eth !== claimMac) {
            this.#loadClaims(eth);
            claimMac = eth;
            many = this.#claimMany;
          }
          let own = false;
          if (many !== null) own = many.has(src);
          else {
            for (let j = claimSlot(src);; j = (j + 1) & (CLAIM_SLOTS - 1)) {
              const ip = ips[j];
              if (ip === 0) break;
              if (ip === src) {
                own = true;
                break;
              }
            }
          }
          if (!own) score[k]++;
          src2[k] = src1[k];
          src1[k] = src;
        }
        continue;
      }
      // Not in a slot: only a MAC just seen sending from two addresses in a row may take one.
      if (eth !== lastEth) continue;
      let low = 0;
      for (let s = 1; s < SLOTS; s++) if (score[s] < score[low]) low = s;
      macs[low] = eth;
      if (!this.#claimedBy(eth)?.has(src)) score[low]++;
      src1[low] = src;
      src2[low] = lastSrc;
      prevSlot = low;
    }
    this.#prevEth = prevEth;
    this.#prevSrc = prevSrc;
  }

  /** When `mac` was last seen doing DHCP at or after `sinceMs` (capture time, ms), or null. */
  dhcpSince(mac: number, sinceMs: number): number | null {
    const at = this.#dhcp.get(mac);
    return at !== undefined && at >= sinceMs ? at : null;
  }

  /** The MAC that forwards from the most source addresses, if it scores at least {@link MIN_ROUTER_SCORE}. */
  router(): RouterGuess | null {
    const k = this.#routerSlot();
    return k < 0 ? null : { mac: this.#mac[k], score: this.#score[k] };
  }

  /** {@link router}'s MAC, or -1 when none routes: nothing allocated (asked for every address an ARP claim judges). */
  routerMac(): number {
    const k = this.#routerSlot();
    return k < 0 ? -1 : this.#mac[k];
  }

  /** The slot of the MAC {@link router} names, or -1. */
  #routerSlot(): number {
    let best = -1;
    for (let k = 0; k < SLOTS; k++) {
      if (this.#mac[k] !== 0 && (best < 0 || this.#score[k] > this.#score[best])) best = k;
    }
    return best >= 0 && this.#score[best] >= MIN_ROUTER_SCORE ? best : -1;
  }

  #noteDhcp(mac: number, t: number): void {
    this.#dhcpSeen++;
    this.#dhcp.delete(mac); // re-inserted last: the Map's order is oldest first
    if (this.#dhcp.size >= MAX_DHCP_MACS) this.#dhcp.delete(this.#dhcp.keys().next().value!);
    this.#dhcp.set(mac, t);
  }

  /** Copies the addresses `mac` claims into #claimIps (or keeps their set, when there are many). */
  #loadClaims(mac: number): void {
    this.#claimMac = mac;
    this.#claimMany = null;
    const ips = this.#claimIps, used = this.#claimSlots;
    for (let k = 0; k < this.#claimUsed; k++) ips[used[k]] = 0;
    this.#claimUsed = 0;
    const claimed = this.#claimedBy(mac);
    if (claimed === undefined) return;
    if (claimed.size > SMALL_CLAIMS) {
      this.#claimMany = claimed;
      return;
    }
    for (const ip of claimed.keys()) {
      // Rows' source addresses are unsigned 32-bit words and never 0: any other key could never match.
      if (ip >>> 0 !== ip || ip === 0) continue;
      let j = claimSlot(ip);
      while (ips[j] !== 0 && ips[j] !== ip) j = (j + 1) & (CLAIM_SLOTS - 1);
      if (ips[j] === 0) used[this.#claimUsed++] = j;
      ips[j] = ip;
    }
  }

  /** Halves the scores and forgets DHCP sightings older than two windows. */
  #decay(t: number): void {
    if (this.#nextDecay !== -Infinity) {
      const guess = this.router();
      if (guess !== null) this.#onRouter(guess, t);
      for (let k = 0; k < SLOTS; k++) this.#score[k] = Math.floor(this.#score[k] / 2);
      const before = t - 2 * this.#windowMs;
      for (const [mac, at] of this.#dhcp) if (at < before) this.#dhcp.delete(mac);
    }
    this.#nextDecay = t + this.#windowMs;
  }
}
