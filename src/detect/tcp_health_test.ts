/**
 * TCP health's sequence analysis on hand-built connections, frame by frame. Each expected mark is what
 * tshark 4.0.17 (`-o tcp.analyze_sequence_numbers:TRUE`, fields tcp.analysis.retransmission and
 * tcp.analysis.out_of_order) says of the same pcap; to check again:
 * `deno run -A src/detect/tcp_health_test.ts DIR` writes each scenario to DIR/NAME.pcap, then
 * `tshark -r DIR/NAME.pcap -T fields -e frame.number -e tcp.analysis.retransmission \
 *   -e tcp.analysis.out_of_order`.
 */
import assert from "node:assert/strict";
import { readCaptureFile } from "../capture/capture_file.ts";
import { Decoder, type PacketBatch } from "../decode/mod.ts";
import { FlowPipeline, FlowTable } from "../flow/mod.ts";
import { TcpHealthDetector } from "./tcp_health.ts";
import { type CaptureFrame, writePcap } from "../../tests/helpers/capture_writer.ts";
import { ethernet, ETHERTYPE_IPV4, ipv4, payload, PROTO, tcp } from "../../tests/helpers/frames.ts";

const T0 = 1_700_000_000_000;
const C = { ip: "10.0.0.1", port: 40000 }, S = { ip: "10.0.0.2", port: 80 };
const SYN = 0x02, ACK = 0x10, SYNACK = 0x12;

/** One segment: who sends it, when (ms after T0), seq, ack, payload length, flags, window. */
type Seg = [from: "c" | "s", ms: number, seq: number, ack: number, len: number, flags?: number, win?: number];
/** What tshark marks a frame: R retransmission, O out of order, "" neither. */
type Mark = "" | "R" | "O";

function frames(segs: Seg[]): CaptureFrame[] {
  return segs.map(([from, ms, seq, ack, len, flags = ACK, window = 1000]) => {
    const [a, b] = from === "c" ? [C, S] : [S, C];
    const seg = tcp(
      { srcPort: a.port, dstPort: b.port, seq: seq >>> 0, ack: ack >>> 0, flags, window },
      payload(len),
    );
    const ip = ipv4({ src: a.ip, dst: b.ip, proto: PROTO.TCP }, seg);
    return { data: ethernet({ etherType: ETHERTYPE_IPV4 }, ip), tsMs: T0 + ms };
  });
}

/** Replays the segments' pcap through the decoder, the flow table and the detector: each frame's mark. */
async function marks(segs: Seg[]): Promise<Mark[]> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, writePcap(frames(segs)));
    const table = new FlowTable(64);
    const det = new TcpHealthDetector(table, () => {}, { rate: 0.5, minSegments: 50 });
    const out: Mark[] = [];
    let retx = 0, ooo = 0;
    const recorder = {
      name: "recorder",
      onRows(_b: PacketBatch, from: number, to: number) {
        for (let r = from; r < to; r++) {
          const t = det.totals;
          out.push(t.retransmissions > retx ? "R" : t.out_of_order > ooo ? "O" : "");
          retx = t.retransmissions;
          ooo = t.out_of_order;
        }
      },
    };
    const pipeline = new FlowPipeline(table, [det, recorder], {
      intervalMs: 60_000,
      idleTimeoutMs: 600_000,
      activeTimeoutMs: 3_600_000,
    });
    await readCaptureFile(path, new Decoder(pipeline, 1));
    return out;
  } finally {
    await Deno.remove(path);
  }
}

/** SYN at 0, SYN/ACK at 0.1 ms, the client's ACK at `rttMs`: the initial RTT tshark reports. */
function handshake(isn: number, rttMs: number): Seg[] {
  return [["c", 0, isn - 1, 0, 0, SYN], ["s", 0.1, 5000, isn, 0, SYNACK], ["c", rttMs, isn, 5001, 0]];
}

const SCENARIOS: Record<string, { segs: Seg[]; tshark: Mark[] }> = {
  // Four segments, the second lost behind the capture; the server asks for it with three duplicate ACKs,
  // the last one 15 ms after the ACK number last changed. Initial RTT 50 ms.
  fast_retransmission: {
    segs: [
      ...handshake(1001, 50),
      ["c", 60, 1001, 5001, 100],
      ["c", 60.1, 1101, 5001, 100],
      ["c", 60.2, 1201, 5001, 100],
      ["c", 60.3, 1301, 5001, 100],
      ["c", 60.4, 1401, 5001, 100],
      ["s", 61, 5001, 1101, 0],
      ["s", 61.1, 5001, 1101, 0], // duplicate ACK 1
      ["s", 61.2, 5001, 1101, 0], // duplicate ACK 2
      ["s", 76, 5001, 1101, 0], // duplicate ACK 3
      // 10 ms after the server's last segment (25 ms after its ACK number changed), 25.6 ms after the
      // last advance: a fast retransmission, which takes precedence over out of order
      ["c", 86, 1101, 5001, 100],
      ["s", 87, 5001, 1201, 0],
      // the next hole, no duplicate ACKs for it, 27.6 ms after the last advance: out of order
      ["c", 88, 1201, 5001, 100],
      ["s", 89, 5001, 1301, 0],
      ["s", 89.1, 5001, 1301, 0],
      ["s", 89.2, 5001, 1301, 0],
      // asked for by two duplicate ACKs but 20.8 ms after the server's last segment: not fast; within the
      // RTT of the last advance (49.6 ms): out of order
      ["c", 110, 1301, 5001, 100],
    ],
    tshark: ["", "", "", "", "", "", "", "", "", "", "", "", "R", "", "O", "", "", "", "O"],
  },
  // Initial RTT 10 ms, though the SYN/ACK came 0.1 ms after the SYN: the threshold is the RTT.
  out_of_order_threshold: {
    segs: [
      ...handshake(1001, 10),
      ["c", 20, 1001, 5001, 100],
      ["c", 20.1, 1101, 5001, 100],
      ["c", 20.2, 1201, 5001, 100],
      ["c", 20.3, 1301, 5001, 100], // last advance
      ["c", 25, 1101, 5001, 100], // 4.7 ms after it: out of order
      ["c", 30.2, 1201, 5001, 100], // 9.9 ms: out of order
      ["c", 30.4, 1001, 5001, 100], // 10.1 ms: retransmission
      ["c", 31, 1401, 5001, 100], // new data: last advance
      ["c", 31.5, 1401, 5001, 100], // a copy of it, ending at nextseq: retransmission, not out of order
      ["s", 32, 5001, 1501, 0],
      ["c", 32.5, 1301, 5001, 100], // already acknowledged: (spurious) retransmission
    ],
    tshark: ["", "", "", "", "", "", "", "O", "O", "R", "", "R", "", "R"],
  },
  // No handshake seen: 3 ms. Keep-alives (empty and one octet, one below nextseq) and the answers to them.
  keep_alive: {
    segs: [
      ["c", 0, 1001, 5001, 100],
      ["c", 0.1, 1101, 5001, 100],
      ["c", 2, 1001, 5001, 100], // 1.9 ms after the last advance: out of order
      ["c", 4, 1001, 5001, 100], // 3.9 ms: retransmission
      ["s", 5, 5001, 1201, 0],
      ["c", 1000, 1200, 5001, 0], // keep-alive
      ["s", 1000.1, 5001, 1201, 0], // its ACK (not a duplicate ACK)
      ["c", 2000, 1200, 5001, 1], // keep-alive with one octet
      ["s", 2000.1, 5001, 1201, 0],
      ["c", 2001, 1200, 5001, 50], // one below nextseq with more than one octet: new data
    ],
    tshark: ["", "", "O", "R", "", "", "", "", "", ""],
  },
  // The client's sequence numbers wrap past 2^32 during the transfer (nextseq never lands on 0).
  sequence_wrap_around: {
    segs: [
      ...handshake(0xffffffd0, 10),
      ["c", 20, 0xffffffd0, 5001, 100], // ends at 0x34, past the wrap
      ["c", 20.1, 0x34, 5001, 100], // in order
      ["c", 20.2, 0x98, 5001, 100], // in order
      ["c", 21, 0x34, 5001, 100], // 0.8 ms after the last advance: out of order
      ["c", 40, 0xffffffd0, 5001, 100], // before the wrap, 19.8 ms: retransmission
      ["c", 40.1, 0xfc, 5001, 100], // in order
    ],
    tshark: ["", "", "", "", "", "", "O", "R", ""],
  },
};

for (
  const [name, text] of [
    [
      "fast_retransmission",
      "two duplicate ACKs, the last segment back within 20 ms, make their segment a retransmission",
    ],
    [
      "out_of_order_threshold",
      "behind nextseq is out of order within the initial RTT of the last advance, else retransmitted",
    ],
    [
      "keep_alive",
      "keep-alives are not counted, and 3 ms is the out-of-order threshold without a handshake",
    ],
    ["sequence_wrap_around", "sequence numbers compare modulo 2^32 across the wrap"],
  ] as const
) {
  Deno.test(`TcpHealthDetector: ${text} (as tshark marks it)`, async () => {
    const s = SCENARIOS[name];
    assert.deepEqual(await marks(s.segs), s.tshark);
  });
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? Deno.cwd();
  for (const [name, s] of Object.entries(SCENARIOS)) {
    await Deno.writeFile(`${dir}/${name}.pcap`, writePcap(frames(s.segs)));
  }
}
