import assert from "node:assert/strict";
import { blockKbFor, TpacketRing } from "./tpacket_ring.ts";
import { compileBpf } from "./bpf.ts";

Deno.test("blockKbFor: 32 KiB (8 pages, what the kernel gives without compacting) while a frame fits", () => {
  assert.equal(blockKbFor(256), 32);
  assert.equal(blockKbFor(32 * 1024 - 512), 32, "the largest snaplen a 32 KiB block holds");
  assert.equal(blockKbFor(32 * 1024 - 511), 64);
  assert.equal(blockKbFor(65535), 128, "FLINTNET_SNAPLEN's maximum");
});

Deno.test("TpacketRing.open takes the block size from the snaplen and the ring size from whole blocks", () => {
  const filter = compileBpf("udp", 256);
  const ring = TpacketRing.open("lo", { ringMb: 4, snaplen: 256, filter });
  try {
    assert.equal(ring.blockSize, 32 * 1024);
    assert.equal(ring.blockCount, 128);
  } finally {
    ring.close();
  }
  const big = TpacketRing.open("lo", { ringMb: 4, snaplen: 65535, filter: compileBpf("udp", 65535) });
  try {
    assert.equal(big.blockSize, 128 * 1024);
    assert.equal(big.blockCount, 32);
  } finally {
    big.close();
  }
});
