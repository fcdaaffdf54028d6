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
 *   taken for one, and every address it had was called a gateway). This check (two Map reads) runs only
 *   for a slotted MAC whose source differs from its last two. Scores halve every window of capture time,
 *   so the slots follow the network. Replacement is Space-Saving's (the lowest score gives its slot up), so
 *   the MAC that routes most keeps its slot.
 *
 * Time is the rows' own (the halving happens at the first row of a new window, whatever the batches), so replay and live capture give the same answers for the same frames.
 */
import type { PacketBatch } from "../decode/mod.ts";

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
  readonly #claims: (mac: number, ip: number) => boolean;

  /**
   * @param windowMs scores halve once per window of capture time; DHCP sightings are kept two windows
   * @param onRouter told, once per window and before the halving, which MAC routes (if one does)
   * @param claims whether `mac` has claimed `ip` (an IPv4 address as a 32-bit number) in ARP
   */
  constructor(
    windowMs: number,
    onRouter: (guess: RouterGuess, atMs: number) => void = () => {},
    claims: (mac: number, ip: number) => boolean = () => false,
  ) {
    this.#windowMs = Math.max(windowMs, 1);
    this.#onRouter = onRouter;
    this.#claims = claims;
  }

  /** DHCP client messages seen so far. */
  get dhcpSeen(): number {
    return this.#dhcpSeen;
  }

  /** Row `i` of `b`, an IPv4 row (RowKind.Ip, family 4): notes DHCP and feeds the router slots. */
  observe(b: PacketBatch, i: number): void {
    const eth = b.ethSrc[i];
    if (eth === 0) return; // a link type without MACs (raw IP, some cooked captures)
    const t = b.tsMs[i];
    if (t >= this.#nextDecay) this.#decay(t);
    const src = b.src[i << 2];
    if (b.proto[i] === PROTO_UDP && b.srcPort[i] === DHCP_CLIENT_PORT && b.dstPort[i] === DHCP_SERVER_PORT) {
      this.#noteDhcp(eth, t);
    }
    const prevEth = this.#prevEth, prevSrc = this.#prevSrc;
    if (eth === prevEth && src === prevSrc) return; // the same sender again: nothing new
    this.#prevEth = eth;
    this.#prevSrc = src;
    const macs = this.#mac;
    for (let k = 0; k < SLOTS; k++) {
      if (macs[k] !== eth) continue;
      if (src !== this.#src1[k] && src !== this.#src2[k]) {
        if (!this.#claims(eth, src)) this.#score[k]++;
        this.#src2[k] = this.#src1[k];
        this.#src1[k] = src;
      }
      return;
    }
    // Not in a slot: only a MAC just seen sending from two addresses in a row may take one.
    if (eth !== prevEth) return;
    let low = 0;
    for (let k = 1; k < SLOTS; k++) if (this.#score[k] < this.#score[low]) low = k;
    macs[low] = eth;
    if (!this.#claims(eth, src)) this.#score[low]++;
    this.#src1[low] = src;
    this.#src2[low] = prevSrc;
  }

  /** When `mac` was last seen doing DHCP at or after `sinceMs` (capture time, ms), or null. */
  dhcpSince(mac: number, sinceMs: number): number | null {
    const at = this.#dhcp.get(mac);
    return at !== undefined && at >= sinceMs ? at : null;
  }

  /** The MAC that forwards from the most source addresses, if it scores at least {@link MIN_ROUTER_SCORE}. */
  router(): RouterGuess | null {
    let best = -1;
    for (let k = 0; k < SLOTS; k++) {
      if (this.#mac[k] !== 0 && (best < 0 || this.#score[k] > this.#score[best])) best = k;
    }
    return best >= 0 && this.#score[best] >= MIN_ROUTER_SCORE
      ? { mac: this.#mac[best], score: this.#score[best] }
      : null;
  }

  #noteDhcp(mac: number, t: number): void {
    this.#dhcpSeen++;
    this.#dhcp.delete(mac); // re-inserted last: the Map's order is oldest first
    if (this.#dhcp.size >= MAX_DHCP_MACS) this.#dhcp.delete(this.#dhcp.keys().next().value!);
    this.#dhcp.set(mac, t);
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
