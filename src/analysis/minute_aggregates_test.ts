import assert from "node:assert/strict";
import { parseCidr, parseIp } from "../net/mod.ts";
import { MinuteAggregates } from "./minute_aggregates.ts";

/** Adds one flow of `bytes` octets in `packets` packets from `src` to `dst`. */
function add(sums: MinuteAggregates, src: string, dst: string, bytes: number, packets: number) {
  const s = parseIp(src)!, d = parseIp(dst)!;
  sums.addFlow(s.family, Uint32Array.from(s.words), Uint32Array.from(d.words), 0, 443, 6, bytes, packets);
}

Deno.test("subnet sums: /24 and /64 per local address, traffic within a subnet counted once, in the order first met", () => {
  const sums = new MinuteAggregates([parseCidr("10.0.0.0/8"), parseCidr("fd00::/8")]);
  add(sums, "10.1.2.3", "10.1.2.200", 100, 1); // within 10.1.2.0/24
  add(sums, "10.1.2.3", "10.9.9.9", 10, 2); // 10.1.2.0/24 to 10.9.9.0/24
  add(sums, "8.8.8.8", "10.9.9.1", 1, 3); // from outside into 10.9.9.0/24
  add(sums, "fd00:1:2:3:aaaa::1", "fd00:1:2:3:bbbb::2", 1000, 4); // within fd00:1:2:3::/64
  add(sums, "fd00:1:2:3::1", "fd00:1:2:4::1", 5000, 5); // to another /64
  add(sums, "2001:db8::1", "fd00:1:2:4::9", 7, 1);
  assert.deepEqual(sums.take().subnets, [
    {
      cidr: "10.1.2.0/24",
      bytes: 110,
      sent_bytes: 110,
      received_bytes: 100,
      sent_packets: 3,
      received_packets: 1,
    },
    {
      cidr: "10.9.9.0/24",
      bytes: 11,
      sent_bytes: 0,
      received_bytes: 11,
      sent_packets: 0,
      received_packets: 5,
    },
    {
      cidr: "fd00:1:2:3::/64",
      bytes: 6000,
      sent_bytes: 6000,
      received_bytes: 1000,
      sent_packets: 9,
      received_packets: 4,
    },
    {
      cidr: "fd00:1:2:4::/64",
      bytes: 5007,
      sent_bytes: 0,
      received_bytes: 5007,
      sent_packets: 0,
      received_packets: 6,
    },
  ]);
  assert.deepEqual(sums.take().subnets, [], "a new minute starts empty");
});
