import assert from "node:assert/strict";
import {
  CaptureFileError,
  type CaptureFileStats,
  DEFAULT_CHUNK_BYTES,
  readCaptureFile,
} from "./capture_file.ts";
import { type FrameSink, LinkType } from "../decode/frame_sink.ts";
import {
  type CaptureFrame,
  type PcapngBlock,
  type PcapngSection,
  writePcap,
  writePcapng,
} from "../../tests/helpers/capture_writer.ts";

/** A frame as the sink saw it, copied out of the reader's buffer. */
interface Seen {
  data: Uint8Array;
  wireLen: number;
  tsMs: number;
  linkType: number;
}

class RecordingSink implements FrameSink {
  seen: Seen[] = [];
  flushes = 0;
  frame(buf: Uint8Array, off: number, capLen: number, wireLen: number, tsMs: number, linkType: number): void {
    this.seen.push({ data: buf.slice(off, off + capLen), wireLen, tsMs, linkType });
  }
  flush(): void {
    this.flushes++;
  }
}

/** Distinct, recognisable bytes for frame `i` of length `len`. */
function bytes(i: number, len: number): Uint8Array {
  return Uint8Array.from({ length: len }, (_, k) => (i * 31 + k * 7) & 0xff);
}

async function read(
  file: Uint8Array,
  opts?: Parameters<typeof readCaptureFile>[2],
): Promise<{ stats: CaptureFileStats; sink: RecordingSink }> {
  const path = await Deno.makeTempFile({ prefix: "flintnet_capture_" });
  try {
    await Deno.writeFile(path, file);
    const sink = new RecordingSink();
    const stats = await readCaptureFile(path, sink, opts);
    return { stats, sink };
  } finally {
    await Deno.remove(path);
  }
}

/** Milliseconds within `tol` (float ms cannot hold every ns of a modern epoch: 1 ulp ≈ 0.24 µs). */
function assertTs(actual: number, expected: number, tol = 0.0005, what = "tsMs"): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, wrote ${expected}`);
}

/** Asserts the sink saw exactly `frames` (bytes, wire length, time) with the given link types. */
function assertFrames(seen: Seen[], frames: CaptureFrame[], linkTypes: number[], tol?: number): void {
  assert.equal(seen.length, frames.length, "frame count");
  frames.forEach((f, i) => {
    assert.deepEqual(seen[i].data, f.data, `frame ${i} bytes`);
    assert.equal(seen[i].wireLen, f.wireLen ?? f.data.length, `frame ${i} wire length`);
    assertTs(seen[i].tsMs, f.tsMs ?? 0, tol, `frame ${i} tsMs`);
    assert.equal(seen[i].linkType, linkTypes[i], `frame ${i} link type`);
  });
}

const T0 = 1_700_000_000_000; // 2023-11-14T22:13:20Z

for (const bigEndian of [false, true]) {
  for (const nanos of [false, true]) {
    const name = `${bigEndian ? "big" : "little"}-endian ${nanos ? "nanosecond" : "microsecond"}`;
    Deno.test(`readCaptureFile() reads a ${name} pcap`, async () => {
      const frames: CaptureFrame[] = [
        { data: bytes(0, 60), tsMs: T0 + 123.456 },
        { data: bytes(1, 1514), tsMs: T0 + 999.999 },
        { data: bytes(2, 128), wireLen: 1500, tsMs: T0 + 60_000.001 },
        { data: bytes(3, 0), wireLen: 64, tsMs: T0 + 60_000.002 },
      ];
      const { stats, sink } = await read(
        writePcap(frames, { bigEndian, nanos, linkType: LinkType.LinuxSll }),
      );
      assert.deepEqual(stats, {
        format: "pcap",
        frames: 4,
        bytes: 60 + 1514 + 1500 + 64,
        truncatedTail: false,
        skippedBlocks: 0,
        badRecords: 0,
      });
      assertFrames(sink.seen, frames, [113, 113, 113, 113]);
    });
  }
}

Deno.test("readCaptureFile() keeps every nanosecond of a small pcap timestamp", async () => {
  // 5 s + 7 ns, and 1 s + 999999999 ns: small enough for a float to hold each nanosecond.
  const frames = [{ data: bytes(0, 20), tsMs: 5000.000007 }, { data: bytes(1, 20), tsMs: 1999.999999 }];
  const { sink } = await read(writePcap(frames, { nanos: true, bigEndian: true }));
  assertTs(sink.seen[0].tsMs, 5000.000007, 1e-9);
  assertTs(sink.seen[1].tsMs, 1999.999999, 1e-9);
});

Deno.test("readCaptureFile() takes the low 16 bits of a pcap LinkType field that carries FCS bits", async () => {
  // FCS length 4 (bits 28–31) and the F bit (26), as written by captures that keep the Ethernet FCS.
  const { sink } = await read(writePcap([{ data: bytes(0, 64) }], { linkType: (4 << 28) | (1 << 26) | 1 }));
  assert.equal(sink.seen[0].linkType, LinkType.Ethernet);
});

Deno.test("readCaptureFile() reads pcapng interfaces with their own link types and resolutions", async () => {
  const ns: CaptureFrame = { data: bytes(0, 74), tsMs: T0 + 123.456789 };
  const twoPow20: CaptureFrame = { data: bytes(1, 40), wireLen: 1400, tsMs: T0 + 5000 + 3 * 1000 / 2 ** 20 };
  const us: CaptureFrame = { data: bytes(2, 33), tsMs: T0 + 7000.001 };
  const blocks: PcapngBlock[] = [
    { type: "idb", linkType: LinkType.Ethernet, tsresol: 9, name: "eth0" },
    { type: "idb", linkType: LinkType.Raw, tsresol: 0x94, snaplen: 1500 },
    { type: "epb", iface: 0, ...ns, comment: "options after the data are skipped" },
    { type: "epb", iface: 1, ...twoPow20 },
    { type: "idb", linkType: LinkType.LinuxSll2 }, // no if_tsresol: 10^-6
    { type: "epb", iface: 2, ...us },
    { type: "epb", iface: 0, ...ns },
  ];
  const { stats, sink } = await read(writePcapng([{ blocks }]));
  assert.equal(stats.format, "pcapng");
  assert.equal(stats.frames, 4);
  assert.equal(stats.bytes, 74 + 1400 + 33 + 74);
  assert.equal(stats.badRecords, 0);
  assertFrames(sink.seen, [ns, twoPow20, us, ns], [1, 101, 276, 1]);
  // 3 units of 2^-20 s are exact in a float: no rounding beyond the ms scaling.
  assertTs(sink.seen[1].tsMs, T0 + 5000 + 3000 / 1048576, 1e-6);
});

Deno.test("readCaptureFile() adds if_tsoffset and reads the obsolete Packet Block", async () => {
  const frames: CaptureFrame[] = [{ data: bytes(0, 50), tsMs: T0 + 1.5 }, {
    data: bytes(1, 51),
    tsMs: T0 + 2.5,
  }];
  const { stats, sink } = await read(writePcapng([{
    blocks: [
      { type: "idb", linkType: LinkType.Ethernet, tsoffsetSec: 1_600_000_000 },
      { type: "epb", ...frames[0] },
      { type: "pb", ...frames[1] },
    ],
  }]));
  assert.equal(stats.frames, 2);
  assertFrames(sink.seen, frames, [1, 1]);
});

Deno.test("readCaptureFile() gives an SPB interface 0, the last timestamp and min(orig, snaplen, body)", async () => {
  const blocks: PcapngBlock[] = [
    { type: "idb", linkType: LinkType.Raw, snaplen: 100 },
    { type: "spb", data: bytes(0, 40) }, // before any timestamp: 0
    { type: "epb", data: bytes(1, 20), tsMs: T0 + 42.125 },
    { type: "spb", data: bytes(2, 100), wireLen: 1500 }, // snaplen limits: 100
    { type: "spb", data: bytes(3, 40), wireLen: 38 }, // original length limits: 38 (2 bytes of padding)
    { type: "spb", data: bytes(4, 60), wireLen: 9000 }, // the block body limits: 60
    { type: "spb", data: bytes(5, 120), wireLen: 1500 }, // a body longer than the snaplen: 100
  ];
  const { stats, sink } = await read(writePcapng([{ blocks }]));
  assert.equal(stats.frames, 6);
  assertFrames(sink.seen, [
    { data: bytes(0, 40), tsMs: 0 },
    { data: bytes(1, 20), tsMs: T0 + 42.125 },
    { data: bytes(2, 100), wireLen: 1500, tsMs: T0 + 42.125 },
    { data: bytes(3, 38), tsMs: T0 + 42.125 },
    { data: bytes(4, 60), wireLen: 9000, tsMs: T0 + 42.125 },
    { data: bytes(5, 120).subarray(0, 100), wireLen: 1500, tsMs: T0 + 42.125 },
  ], [101, 101, 101, 101, 101, 101]);
});

Deno.test("readCaptureFile() skips and counts NRB, ISB, DSB, custom and unknown blocks", async () => {
  const frame: CaptureFrame = { data: bytes(0, 60), tsMs: T0 };
  const { stats, sink } = await read(writePcapng([{
    blocks: [
      { type: "idb", linkType: LinkType.Ethernet },
      { type: "other", blockType: 4, body: new Uint8Array(4) }, // NRB holding only nrb_record_end
      { type: "epb", ...frame },
      { type: "other", blockType: 5, body: new Uint8Array(12) }, // ISB: interface 0, timestamp 0
      { type: "other", blockType: 0x0a, body: new Uint8Array(8) }, // DSB, no secrets
      { type: "other", blockType: 0x00000bad, body: bytes(1, 9) }, // custom block, copyable
      { type: "other", blockType: 0x12345678, body: bytes(2, 16) }, // a type nobody knows
    ],
  }]));
  assert.equal(stats.skippedBlocks, 5);
  assert.equal(stats.badRecords, 0);
  assertFrames(sink.seen, [frame], [1]);
});

Deno.test("readCaptureFile() starts over at a second, big-endian SHB", async () => {
  const a: CaptureFrame = { data: bytes(0, 60), tsMs: T0 + 1 };
  const b: CaptureFrame = { data: bytes(1, 61), wireLen: 70, tsMs: T0 + 2.000001 };
  const sections: PcapngSection[] = [
    {
      blocks: [{ type: "idb", linkType: LinkType.Ethernet }, { type: "idb", linkType: LinkType.Raw }, {
        type: "epb",
        iface: 1,
        ...a,
      }],
    },
    {
      bigEndian: true,
      blocks: [
        { type: "idb", linkType: LinkType.LinuxSll, tsresol: 9 },
        { type: "epb", iface: 0, ...b },
        { type: "epb", iface: 1, ...a }, // interface 1 belonged to the first section
      ],
    },
  ];
  const { stats, sink } = await read(writePcapng(sections));
  assert.equal(stats.frames, 2);
  assert.equal(stats.badRecords, 1);
  assertFrames(sink.seen, [a, b], [101, 113]);
});

Deno.test("readCaptureFile() delivers every complete record of a truncated file and flags the tail", async () => {
  const frames = [0, 1, 2].map((i) => ({ data: bytes(i, 100), tsMs: T0 + i }));
  const pcap = writePcap(frames);
  const pcapng = writePcapng([{
    blocks: [{ type: "idb", linkType: 1 }, ...frames.map((f) => ({ type: "epb" as const, ...f }))],
  }]);
  const epbLen = 32 + 100;
  for (
    const [file, cut] of [[pcap, pcap.length - 50], [pcap, pcap.length - 116 + 8], [
      pcapng,
      pcapng.length - 4,
    ], [pcapng, pcapng.length - epbLen + 6]] as const
  ) {
    const { stats, sink } = await read(file.subarray(0, cut));
    assert.equal(stats.truncatedTail, true, `cut at ${cut} of ${file.length}`);
    assertFrames(sink.seen, frames.slice(0, 2), [1, 1]);
  }
  // A cut on a record boundary is a whole file.
  const { stats } = await read(pcap.subarray(0, pcap.length - 116));
  assert.equal(stats.truncatedTail, false);
  assert.equal(stats.frames, 2);
});

Deno.test("readCaptureFile() explains which bytes it found when the file is not a capture", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeTextFile(path, "GET / HTTP/1.1\r\n\r\n");
    await assert.rejects(readCaptureFile(path, new RecordingSink()), (err: Error) => {
      assert.ok(err instanceof CaptureFileError);
      assert.equal(
        err.message,
        `${path}: not a pcap or pcapng file (first bytes 0x474554202f204854); ` +
          "Flintnet reads classic pcap (µs or ns, either byte order) and pcapng",
      );
      return true;
    });
    await Deno.writeFile(path, new Uint8Array(0));
    await assert.rejects(
      readCaptureFile(path, new RecordingSink()),
      /not a pcap or pcapng file \(the file is empty\)/,
    );
    await Deno.remove(path);
    await assert.rejects(readCaptureFile(path, new RecordingSink()), {
      name: "CaptureFileError",
      message: `${path}: cannot open capture file: no such file`,
    });
  } finally {
    await Deno.remove(path).catch(() => {});
  }
});

Deno.test("readCaptureFile() refuses a pcapng of an unknown major version", async () => {
  const file = writePcapng([{ blocks: [] }]);
  new DataView(file.buffer).setUint16(12, 2, true); // major version 2
  await assert.rejects(read(file), /pcapng version 2\.0 is not supported/);
});

Deno.test("readCaptureFile() counts and skips a pcap record over 262144 bytes", async () => {
  const frames = [{ data: bytes(0, 60), tsMs: T0 }, { data: bytes(1, 300_000), tsMs: T0 + 1 }, {
    data: bytes(2, 61),
    tsMs: T0 + 2,
  }];
  const { stats, sink } = await read(writePcap(frames), { chunkBytes: 4096 });
  assert.equal(stats.badRecords, 1);
  assert.equal(stats.truncatedTail, false);
  assertFrames(sink.seen, [frames[0], frames[2]], [1, 1]);
});

Deno.test("readCaptureFile() stops at a record length over 16 MiB, keeping what came before", async () => {
  const file = writePcap([{ data: bytes(0, 60) }, { data: bytes(1, 60) }, { data: bytes(2, 60) }]);
  new DataView(file.buffer).setUint32(24 + 76 + 8, 0x7fff_0000, true); // second record's caplen
  const { stats, sink } = await read(file);
  assert.equal(stats.frames, 1);
  assert.equal(stats.badRecords, 1);
  assert.equal(stats.truncatedTail, true);
  assert.deepEqual(sink.seen[0].data, bytes(0, 60));
});

for (const format of ["pcap", "pcapng"] as const) {
  Deno.test(`readCaptureFile() reads a ${format} bigger than its chunk, straddling and oversized records included`, async () => {
    // Odd lengths so records fall across 4096-byte chunk ends at every offset; one 10000-byte frame
    // grows the buffer, and the records after it still straddle.
    const frames: CaptureFrame[] = [];
    for (let i = 0; i < 300; i++) {
      const len = i === 150 ? 10_000 : 40 + ((i * 37) % 200);
      frames.push({ data: bytes(i, len), wireLen: len + (i % 3), tsMs: T0 + i * 0.001 });
    }
    const file = format === "pcap" ? writePcap(frames) : writePcapng([{
      blocks: [{ type: "idb", linkType: 1 }, ...frames.map((f) => ({ type: "epb" as const, ...f }))],
    }]);
    assert.ok(file.length > 10 * 4096);
    const progress: [number, number][] = [];
    const { stats, sink } = await read(file, {
      chunkBytes: 4096,
      onProgress: (n, t) => progress.push([n, t]),
    });
    assert.equal(stats.truncatedTail, false);
    assert.equal(stats.badRecords, 0);
    assertFrames(sink.seen, frames, frames.map(() => 1));
    assert.ok(progress.length >= 10, `onProgress called ${progress.length} times`);
    assert.deepEqual(progress.at(-1), [file.length, file.length]);
    assert.ok(progress.every(([n], i) => i === 0 || n >= progress[i - 1][0]), "progress never goes back");
    assert.equal(sink.flushes, progress.length + 1, "a flush after each chunk and one at the end");
  });
}

Deno.test("readCaptureFile() starts with a small read and doubles it up to the chunk, losing no frame", async () => {
  // About 6 MiB of frames with odd lengths: reads of 256 KiB, 512 KiB, 1 MiB … end inside records.
  const frames: CaptureFrame[] = [];
  for (let i = 0, size = 0; size < 6 * 1024 * 1024; i++) {
    const len = 60 + ((i * 97) % 1400);
    frames.push({ data: bytes(i, len), tsMs: T0 + i * 0.001 });
    size += 16 + len;
  }
  const progress: number[] = [];
  const { stats, sink } = await read(writePcap(frames), { onProgress: (n) => progress.push(n) });
  assert.equal(stats.truncatedTail, false);
  assertFrames(sink.seen, frames, frames.map(() => 1));
  const reads = progress.map((n, i) => n - (progress[i - 1] ?? 0));
  assert.equal(reads[0], 256 * 1024, "the first read");
  // each later read fills the buffer to twice the last size (at most the chunk), less the record carried over
  for (let i = 1; i < reads.length - 1; i++) {
    const fill = Math.min(2 ** i * 256 * 1024, DEFAULT_CHUNK_BYTES);
    assert.ok(reads[i] <= fill && reads[i] > fill - 1500, `read ${i}: ${reads}`);
  }
  assert.ok(
    reads.length > 4 && reads.slice(-2)[0] > DEFAULT_CHUNK_BYTES - 1500,
    `the reads reach the chunk: ${reads}`,
  );
});

// --- the oracle: tshark must read the same frames from the same bytes ---

const CI = Deno.env.get("CI") === "true";
const TSHARK = "/usr/bin/tshark";
const hasTshark = await Deno.stat(TSHARK).then(() => true, () => false);

/** Rows of `tshark -T fields`: frame.len, frame.cap_len, frame.time_epoch, frame.interface_id. */
async function tsharkFrames(file: Uint8Array): Promise<string[][]> {
  const path = await Deno.makeTempFile({ prefix: "flintnet_oracle_" });
  try {
    await Deno.writeFile(path, file);
    const args = [
      "-r",
      path,
      "-T",
      "fields",
      "-e",
      "frame.len",
      "-e",
      "frame.cap_len",
      "-e",
      "frame.time_epoch",
      "-e",
      "frame.interface_id",
    ];
    const out = await new Deno.Command(TSHARK, { args, stdout: "piped", stderr: "piped" }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.ok(out.success, `tshark failed: ${stderr}`);
    return new TextDecoder().decode(out.stdout).trimEnd().split("\n").map((line) => line.split("\t"));
  } finally {
    await Deno.remove(path);
  }
}

/** "1700000000.123456789" → ms, without the rounding of parsing the whole number as seconds first. */
function epochToMs(s: string): number {
  const [sec, frac = ""] = s.split(".");
  return Number(sec) * 1000 + Number(`0.${frac}`) * 1000;
}

Deno.test({
  name: "readCaptureFile() agrees with tshark on every frame of a pcapng and a pcap",
  ignore: !hasTshark && !CI,
  async fn() {
    assert.ok(hasTshark, `${TSHARK} is missing (apt-get install tshark); CI=true requires it`);
    const linkOf = [[LinkType.Ethernet, LinkType.Raw], [LinkType.LinuxSll]];
    const section0: PcapngBlock[] = [
      { type: "idb", linkType: LinkType.Ethernet, tsresol: 9, name: "eth0" },
      { type: "idb", linkType: LinkType.Raw, tsresol: 0x94, snaplen: 96 },
      { type: "other", blockType: 4, body: new Uint8Array(4) },
    ];
    for (let i = 0; i < 40; i++) {
      const iface = i % 2;
      const len = 20 + ((i * 53) % 90);
      section0.push({
        type: "epb",
        iface,
        data: bytes(i, iface === 1 ? Math.min(len, 96) : len),
        wireLen: len + i,
        tsMs: T0 + i * 17.123457,
      });
      if (i % 9 === 0) section0.push({ type: "other", blockType: 0x12345678, body: bytes(i, 8) });
    }
    const section1: PcapngBlock[] = [
      { type: "idb", linkType: LinkType.LinuxSll, snaplen: 64, tsoffsetSec: 1000 },
      { type: "spb", data: bytes(50, 64), wireLen: 400 },
      { type: "epb", data: bytes(51, 64), wireLen: 64, tsMs: T0 + 999.999001 },
      { type: "other", blockType: 5, body: new Uint8Array(12) },
      { type: "spb", data: bytes(52, 30), wireLen: 30 },
    ];
    const pcapng = writePcapng([{ blocks: section0 }, { bigEndian: true, blocks: section1 }]);
    const frames = Array.from(
      { length: 30 },
      (_, i) => ({ data: bytes(i, 40 + i), wireLen: 100 + i, tsMs: T0 + i * 1.000001 }),
    );
    const pcap = writePcap(frames, { bigEndian: true, nanos: true, linkType: LinkType.Raw });

    for (const [file, section0Count] of [[pcapng, 40], [pcap, 0]] as const) {
      const rows = await tsharkFrames(file);
      const { stats, sink } = await read(file);
      assert.equal(sink.seen.length, rows.length, "frame count");
      assert.equal(stats.frames, rows.length);
      rows.forEach(([len, capLen, epoch, ifaceId], i) => {
        const seen = sink.seen[i];
        assert.equal(seen.wireLen, Number(len), `frame ${i} frame.len`);
        assert.equal(seen.data.length, Number(capLen), `frame ${i} frame.cap_len`);
        if (epoch !== "") assertTs(seen.tsMs, epochToMs(epoch), 0.0005, `frame ${i} frame.time_epoch`);
        const expectedLink = file === pcap
          ? LinkType.Raw
          : linkOf[i < section0Count ? 0 : 1][Number(ifaceId)];
        assert.equal(seen.linkType, expectedLink, `frame ${i} link type of interface ${ifaceId}`);
      });
    }
  },
});
