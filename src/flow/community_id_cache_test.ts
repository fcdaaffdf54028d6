import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createPacketBatch } from "../decode/mod.ts";
import { addIpRow } from "../../tests/helpers/batch_rows.ts";
import { communityId, sha1OneBlock } from "./community_id.ts";
import { CommunityIdCache } from "./community_id_cache.ts";
import { FlowTable } from "./flow_table.ts";

function tableWith(rows: Parameters<typeof addIpRow>[1][]): FlowTable {
  const t = new FlowTable(1000);
  const b = createPacketBatch(16);
  for (const r of rows) addIpRow(b, r);
  t.update(b, 0, b.count);
  return t;
}

const TCP = { srcPort: 40000, dstPort: 443, proto: 6, ipBytes: 60, tsMs: 1000 };

Deno.test("CommunityIdCache hashes a flow once and answers what communityId() computes", () => {
  const t = tableWith([{ src: "10.0.0.1", dst: "10.0.0.2", ...TCP }, {
    src: "2001:db8::1",
    dst: "2001:db8::2",
    ...TCP,
  }]);
  const c = new CommunityIdCache();
  for (const id of [0, 1]) {
    const a = id << 2;
    const direct = communityId(t.family[id], t.src, a, t.dst, a, t.proto[id], t.srcPort[id], t.dstPort[id]);
    assert.equal(c.get(t, id), direct);
    assert.equal(c.get(t, id), direct);
  }
  assert.deepEqual({ hits: c.hits, misses: c.misses }, { hits: 2, misses: 2 });
});

Deno.test("CommunityIdCache hashes again when the id holds another flow (expired, id reused)", () => {
  const t = tableWith([{ src: "10.0.0.1", dst: "10.0.0.2", ...TCP }]);
  const c = new CommunityIdCache();
  const first = c.get(t, 0);
  t.expireIdle(2000);
  const b = createPacketBatch(4);
  addIpRow(b, { src: "10.0.0.1", dst: "10.0.0.2", ...TCP, dstPort: 80, tsMs: 3000 });
  t.update(b, 0, b.count);
  assert.equal(t.family[0], 4, "the new flow took id 0");
  const second = c.get(t, 0);
  assert.notEqual(second, first);
  assert.equal(second, communityId(4, t.src, 0, t.dst, 0, 6, 40000, 80));
  assert.equal(c.misses, 2);
});

Deno.test("sha1OneBlock() equals node:crypto's SHA-1 for every input length 0–40", () => {
  const block = new Uint8Array(64), out = new Uint8Array(20);
  for (let len = 0; len <= 40; len++) {
    const data = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len * 11) & 255);
    block.fill(0);
    block.set(data);
    sha1OneBlock(block, len, out);
    assert.equal(
      Buffer.from(out).toString("hex"),
      createHash("sha1").update(data).digest("hex"),
      `length ${len}`,
    );
  }
  assert.throws(() => sha1OneBlock(block, 41, out), RangeError);
});
