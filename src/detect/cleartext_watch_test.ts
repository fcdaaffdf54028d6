import assert from "node:assert/strict";
import { CleartextWatch } from "./cleartext_watch.ts";
import { PayloadHint } from "../decode/mod.ts";
import { batchOf, type IpRow } from "../../tests/helpers/batch_rows.ts";

const row = (o: Partial<IpRow>): IpRow => ({
  src: "10.231.240.2",
  dst: "10.231.240.1",
  srcPort: 50000,
  dstPort: 80,
  proto: 6,
  ipBytes: 200,
  tsMs: 1000,
  ...o,
});

Deno.test("cleartextWatch remembers each server once per kind, with its last client and its packets, and SNMP agents by their answers", () => {
  const w = new CleartextWatch();
  const b = batchOf([
    row({ hint: PayloadHint.HttpBasicAuth, tsMs: 1000 }),
    row({ hint: PayloadHint.HttpBasicAuth, src: "10.231.240.3", tsMs: 3000 }),
    row({}), // no hint
    row({ hint: PayloadHint.Smb1, src: "10.231.240.9", srcPort: 445, dst: "10.231.240.2", dstPort: 50001 }),
    // A request nobody answered says nothing of the agent: only its response (from 161) counts.
    row({ hint: PayloadHint.SnmpV2cPublic, proto: 17, srcPort: 40000, dstPort: 161, dst: "10.231.240.7" }),
    row({ hint: PayloadHint.SnmpV2cPublic, proto: 17, src: "10.231.240.7", srcPort: 161, dstPort: 40000 }),
    row({ hint: PayloadHint.SnmpV1Private, proto: 17, src: "10.231.240.8", srcPort: 40001, dstPort: 162 }),
  ]);
  w.onRows(b, 0, b.count);
  assert.deepEqual(w.take(), [
    {
      what: "http_basic_auth",
      server: "10.231.240.1",
      port: 80,
      client: "10.231.240.3",
      packets: 2,
      firstMs: 1000,
      lastMs: 3000,
    },
    {
      what: "smb1",
      server: "10.231.240.9",
      port: 445,
      client: "10.231.240.2",
      packets: 1,
      firstMs: 1000,
      lastMs: 1000,
    },
    {
      what: "snmp_v2c_public",
      server: "10.231.240.7",
      port: 161,
      client: "10.231.240.1",
      packets: 1,
      firstMs: 1000,
      lastMs: 1000,
    },
    {
      what: "snmp_v1_private",
      server: "10.231.240.8",
      port: 40001,
      client: "10.231.240.1",
      packets: 1,
      firstMs: 1000,
      lastMs: 1000,
    },
  ]);
  assert.deepEqual(w.take(), [], "taken once");
  assert.equal(w.seen, 5);
});

Deno.test("cleartextWatch skips a batch without hinted rows, and bounds what it remembers", () => {
  const w = new CleartextWatch();
  const plain = batchOf([row({})]);
  plain.hint[0] = PayloadHint.HttpBasicAuth; // a stale hint the batch does not count: not read
  w.onRows(plain, 0, 1);
  assert.equal(w.seen, 0);
  const many = batchOf(
    Array.from(
      { length: 1100 },
      (_, i) => row({ hint: PayloadHint.HttpBasicAuth, dst: `10.231.${241 + (i >> 8)}.${i & 255}` }),
    ),
  );
  w.onRows(many, 0, many.count);
  assert.equal(w.take().length, 1024);
  assert.equal(w.dropped, 1100 - 1024);
});
