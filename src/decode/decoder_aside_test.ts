/**
 * The decoder's slow path: LLDP and CDP frames become rows whose bytes are copied into the batch's
 * aside area. Expected bytes are the octets the test put into the frame (tests/helpers/discovery_frames.ts).
 */
import assert from "node:assert/strict";
import { LinkType } from "./frame_sink.ts";
import { Decoder } from "./decoder.ts";
import { ASIDE_BYTES, AsideUse, type BatchConsumer, type PacketBatch, RowKind } from "./packet_batch.ts";
import { cdpFrame, lldpFrame, SWITCH_CDP, SWITCH_LLDPDU } from "../../tests/helpers/discovery_frames.ts";
import { ethernet, ETHERTYPE_IPV4, ipv4, sll2, udp } from "../../tests/helpers/frames.ts";

/** One set-aside row, its bytes copied out. */
interface AsideRow {
  kind: number;
  tsMs: number;
  vlan: number;
  ethSrc: number;
  frameLen: number;
  bytes: number[];
}

/** Keeps the aside rows of every batch, checking each batch's aside accounting on the way. */
class AsideConsumer implements BatchConsumer {
  rows: AsideRow[] = [];
  ipRows = 0;
  batches: number[] = [];
  consume(b: PacketBatch): void {
    let asideRows = 0, asideBytes = 0;
    for (let r = 0; r < b.count; r++) {
      if (b.kind[r] === RowKind.Ip) this.ipRows++;
      if (b.kind[r] !== RowKind.Lldp && b.kind[r] !== RowKind.Cdp) continue;
      asideRows++;
      asideBytes += b.dstPort[r];
      this.rows.push({
        kind: b.kind[r],
        tsMs: b.tsMs[r],
        vlan: b.vlan[r],
        ethSrc: b.ethSrc[r],
        frameLen: b.frameLen[r],
        bytes: Array.from(b.aside.subarray(b.srcPort[r], b.srcPort[r] + b.dstPort[r])),
      });
    }
    assert.equal(b.asideUse[AsideUse.Rows], asideRows, "aside rows");
    assert.equal(b.asideUse[AsideUse.Bytes], asideBytes, "aside bytes");
    this.batches.push(b.count);
  }
}

function feed(frames: { bytes: Uint8Array; linkType?: number }[], capacity = 64) {
  const sink = new AsideConsumer();
  const d = new Decoder(sink, capacity);
  frames.forEach((f, i) => {
    const buf = new Uint8Array(f.bytes.length + 10).fill(0xee);
    buf.set(f.bytes, 5);
    d.frame(buf, 5, f.bytes.length, f.bytes.length, 1000 + i, f.linkType ?? LinkType.Ethernet);
  });
  d.flush();
  return { sink, counters: d.counters() };
}

/** The LLDPDU of SWITCH_LLDPDU without the two trailer octets the frame carries after End. */
const LLDPDU_IN_FRAME = (frame: Uint8Array) => Array.from(frame.subarray(14));

Deno.test("an LLDP frame becomes an Lldp row holding the frame's bytes after the EtherType", () => {
  const frame = lldpFrame(SWITCH_LLDPDU, { src: "00:a7:42:0a:00:01" });
  const { sink, counters } = feed([{ bytes: frame }]);
  assert.equal(counters.lldp, 1);
  assert.equal(counters.other, 0);
  assert.deepEqual(sink.rows, [{
    kind: RowKind.Lldp,
    tsMs: 1000,
    vlan: 0,
    ethSrc: 0x00a7420a0001,
    frameLen: frame.length,
    bytes: LLDPDU_IN_FRAME(frame),
  }]);
});

Deno.test("a VLAN-tagged LLDP frame keeps its VLAN", () => {
  const { sink } = feed([{ bytes: lldpFrame(SWITCH_LLDPDU, { vlans: [20] }) }]);
  assert.equal(sink.rows[0].vlan, 20);
  assert.deepEqual(sink.rows[0].bytes, [...SWITCH_LLDPDU]);
});

Deno.test("a CDP frame becomes a Cdp row holding the message after LLC/SNAP, without Ethernet padding", () => {
  const short = [0x01, 0xb4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x72, 0x31]; // v1, Device ID "r1"
  const { sink, counters } = feed([{ bytes: cdpFrame(SWITCH_CDP) }, { bytes: cdpFrame(short) }]);
  assert.equal(counters.cdp, 2);
  assert.deepEqual(sink.rows.map((r) => r.kind), [RowKind.Cdp, RowKind.Cdp]);
  assert.deepEqual(sink.rows[0].bytes, [...SWITCH_CDP]);
  assert.deepEqual(sink.rows[1].bytes, short, "the 802.3 length cuts the padding off");
});

Deno.test("a CDP frame in a Linux cooked v2 capture (protocol ETH_P_802_2) is found too", () => {
  const llc = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, ...SWITCH_CDP];
  const frame = sll2({ etherType: 0x0004 }, Uint8Array.from(llc));
  const { sink } = feed([{ bytes: frame, linkType: LinkType.LinuxSll2 }]);
  assert.deepEqual(sink.rows.map((r) => r.bytes), [[...SWITCH_CDP]]);
});

Deno.test("a full aside area hands the batch off early and loses nothing", () => {
  const ip = ethernet(
    { etherType: ETHERTYPE_IPV4 },
    ipv4({ src: "192.0.2.1", dst: "192.0.2.2", proto: 17 }, udp({ srcPort: 1, dstPort: 2 })),
  );
  const lldp = lldpFrame(SWITCH_LLDPDU);
  const perBatch = Math.floor(ASIDE_BYTES / (lldp.length - 14));
  const frames = [];
  for (let i = 0; i < perBatch * 3; i++) frames.push({ bytes: lldp }, { bytes: ip });
  const { sink, counters } = feed(frames, 4096);
  assert.equal(counters.lldp, perBatch * 3);
  assert.equal(sink.rows.length, perBatch * 3);
  assert.equal(sink.ipRows, perBatch * 3);
  assert.ok(sink.batches.length >= 3, `${sink.batches.length} batches`);
  assert.deepEqual(
    sink.rows.map((r) => r.tsMs),
    frames.map((_, i) => 1000 + i).filter((_, i) => i % 2 === 0),
  );
});

Deno.test("an LLDPDU larger than the aside area is counted as bad, not kept", () => {
  const tlvs = [...SWITCH_LLDPDU.slice(0, 23)];
  while (tlvs.length < ASIDE_BYTES + 600) tlvs.push(0xfe, 0xff, 0x00, 0x12, 0x0f, ...new Array(252).fill(0)); // 802.3 org TLVs, 255 octets
  const { sink, counters } = feed([{ bytes: lldpFrame(tlvs) }]);
  assert.equal(sink.rows.length, 0);
  assert.equal(counters.malformed.bad_lldp, 1);
});
