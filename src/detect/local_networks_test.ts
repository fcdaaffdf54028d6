import assert from "node:assert/strict";
import { type Cidr, cidrContains, formatIp, parseCidr } from "../net/mod.ts";
import { seededRng } from "../../tests/helpers/seeded_rng.ts";
import { LocalNetworks } from "./local_networks.ts";

Deno.test("LocalNetworks holds an address of a listed network of its family and nothing else", () => {
  const l = new LocalNetworks(["10.0.0.0/8", "192.168.0.0/16", "fc00::/7"].map(parseCidr));
  const at = (text: string) => {
    const c = parseCidr(text); // an address as a /32 or /128: its words
    return l.has(c.family, c.network, 0);
  };
  assert.deepEqual(
    ["10.1.2.3/32", "192.168.255.1/32", "192.169.0.1/32", "172.16.0.1/32", "fd12::1/128", "2001:db8::1/128"]
      .map(at),
    [true, true, false, false, true, false],
  );
  assert.equal(new LocalNetworks([]).has(4, new Uint32Array([0x0a000001, 0, 0, 0]), 0), false);
  assert.equal(l.has(0, new Uint32Array(4), 0), false, "no family, no network");
});

Deno.test("LocalNetworks agrees with cidrContains() on the address text over 20,000 random addresses and networks", () => {
  const rand = seededRng(15);
  for (let round = 0; round < 200; round++) {
    const nets: Cidr[] = [];
    for (let k = rand() % 5; k > 0; k--) {
      const v6 = rand() % 2 === 0, prefix = rand() % (v6 ? 129 : 33);
      const words = [rand(), rand(), rand(), rand()];
      nets.push(parseCidr(`${formatIp(v6 ? 6 : 4, words, 0)}/${prefix}`));
    }
    const l = new LocalNetworks(nets);
    for (let i = 0; i < 100; i++) {
      // a third of the addresses inside one of the networks (their bits past the prefix random), a third
      // just outside (one bit of the prefix flipped), a third anywhere
      const kind = i % 3, n = nets.length > 0 && kind < 2 ? nets[rand() % nets.length] : undefined;
      const fam: number = n?.family ?? (rand() % 2 === 0 ? 6 : 4);
      const w = new Uint32Array(4);
      for (let j = 0; j < (fam === 4 ? 1 : 4); j++) {
        w[j] = n ? (n.network[j] | (rand() & ~n.mask[j])) >>> 0 : rand();
      }
      if (n && kind === 1 && n.prefix > 0) {
        const bit = rand() % n.prefix;
        w[bit >>> 5] ^= 1 << (31 - (bit & 31));
      }
      const text = formatIp(fam, w, 0);
      assert.equal(
        l.has(fam, w, 0),
        nets.some((c) => cidrContains(c, text)),
        `${text} in ${nets.length} networks`,
      );
    }
  }
});
