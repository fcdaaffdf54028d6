/**
 * The local networks of the anomaly detector as two flat typed arrays (network and mask words), asked twice a
 * flow at every interval close: whether an address lies in any of them. The list of CIDR objects, walked
 * with inNetwork() for each, cost ~8 ms of a bench capture replay's interval closes (40 k addresses each).
 */
import type { CidrWords } from "../flow/mod.ts";

/** See the module comment. */
export class LocalNetworks {
  /** IPv4: network, mask per network. */
  readonly #v4: Uint32Array;
  /** IPv6: four network words, then four mask words, per network. */
  readonly #v6: Uint32Array;

  constructor(networks: readonly CidrWords[]) {
    const v4 = networks.filter((n) => n.family === 4), v6 = networks.filter((n) => n.family === 6);
    this.#v4 = new Uint32Array(v4.length * 2);
    v4.forEach((n, i) => {
      this.#v4[i * 2] = n.network[0];
      this.#v4[i * 2 + 1] = n.mask[0];
    });
    this.#v6 = new Uint32Array(v6.length * 8);
    v6.forEach((n, i) => {
      this.#v6.set(n.network.subarray(0, 4), i * 8);
      this.#v6.set(n.mask.subarray(0, 4), i * 8 + 4);
    });
  }

  /** True when the address of `family` at words `w[o … o+3]` lies in one of the networks. */
  has(family: number, w: ArrayLike<number>, o: number): boolean {
    const w0 = w[o];
    if (family === 4) {
      const v4 = this.#v4;
      for (let i = 0; i < v4.length; i += 2) if (((w0 & v4[i + 1]) >>> 0) === v4[i]) return true;
      return false;
    }
    if (family !== 6) return false;
    const v6 = this.#v6, w1 = w[o + 1], w2 = w[o + 2], w3 = w[o + 3];
    for (let i = 0; i < v6.length; i += 8) {
      if (
        ((w0 & v6[i + 4]) >>> 0) === v6[i] && ((w1 & v6[i + 5]) >>> 0) === v6[i + 1] &&
        ((w2 & v6[i + 6]) >>> 0) === v6[i + 2] && ((w3 & v6[i + 7]) >>> 0) === v6[i + 3]
      ) return true;
    }
    return false;
  }
}
