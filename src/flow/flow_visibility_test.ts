/**
 * The TCP columns beside the flow table are written for TCP flows only: a UDP flow leaves them as the
 * kernel gave them (zero pages, not resident), and still shows no TCP health, also on an id an earlier
 * TCP connection held. Expected values come from the frames written (a UDP flow has no TCP health; the
 * handshake's RTT is the time between the SYN and the client's ACK written into the capture).
 */
import assert from "node:assert/strict";
import { readCaptureFile } from "../capture/capture_file.ts";
import { Decoder } from "../decode/mod.ts";
import { TcpHealthDetector } from "../detect/tcp_health.ts";
import { FlowPipeline } from "./flow_pipeline.ts";
import { FlowTable } from "./flow_table.ts";
import { flowVisibilityJson, visibilityOf } from "./flow_visibility.ts";
import { type CaptureFrame, writePcap } from "../../tests/helpers/capture_writer.ts";
import { ethernet, ETHERTYPE_IPV4, ipv4, PROTO, tcp, udp } from "../../tests/helpers/frames.ts";

const T0 = 1_700_000_000_000;
const SYN = 0x02, ACK = 0x10, SYNACK = 0x12;

function tcpFrame(ms: number, fromClient: boolean, seq: number, ack: number, flags: number): CaptureFrame {
  const [src, dst, sp, dp] = fromClient
    ? ["10.0.0.1", "10.0.0.2", 40000, 80]
    : ["10.0.0.2", "10.0.0.1", 80, 40000];
  const seg = tcp({ srcPort: sp, dstPort: dp, seq, ack, flags, window: 1000 });
  return {
    data: ethernet({ etherType: ETHERTYPE_IPV4 }, ipv4({ src, dst, proto: PROTO.TCP }, seg)),
    tsMs: T0 + ms,
  };
}

function udpFrame(ms: number, srcPort: number): CaptureFrame {
  const dg = udp({ srcPort, dstPort: 53 }, new Uint8Array(8));
  const ip = ipv4({ src: "10.0.0.3", dst: "10.0.0.4", proto: PROTO.UDP }, dg);
  return { data: ethernet({ etherType: ETHERTYPE_IPV4 }, ip), tsMs: T0 + ms };
}

/** Replays `frames` through the decoder, a flow table with 1 s intervals and idle timeout, and TCP health. */
async function replay(frames: CaptureFrame[]): Promise<FlowTable> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, writePcap(frames));
    const table = new FlowTable(64);
    const det = new TcpHealthDetector(table, () => {}, { rate: 0.5, minSegments: 50 });
    const pipeline = new FlowPipeline(table, [det], {
      intervalMs: 1_000, // idle flows are expired as intervals close
      idleTimeoutMs: 1_000,
      activeTimeoutMs: 3_600_000,
    });
    await readCaptureFile(path, new Decoder(pipeline, 1));
    return table;
  } finally {
    await Deno.remove(path);
  }
}

/** Ids of the flows the table holds with protocol `proto`. */
function idsOf(table: FlowTable, proto: number): number[] {
  const out: number[] = [];
  for (let id = 0; id < table.highWater; id++) {
    if (table.family[id] !== 0 && table.proto[id] === proto) out.push(id);
  }
  return out;
}

Deno.test("TCP health columns: written for the TCP flows, never for a UDP flow, which shows none", async () => {
  const table = await replay([
    tcpFrame(0, true, 1000, 0, SYN),
    tcpFrame(2, false, 5000, 1001, SYNACK),
    tcpFrame(12, true, 1001, 5001, ACK),
    udpFrame(20, 5353),
  ]);
  const v = visibilityOf(table);
  const [client] = idsOf(table, 6).filter((id) => table.srcPort[id] === 40000);
  assert.equal(flowVisibilityJson(table, client).rtt_ms, 12, "SYN at 0 ms, the client's ACK at 12 ms");
  const udpIds = idsOf(table, 17);
  assert.equal(udpIds.length, 1);
  const u = udpIds[0];
  // untouched: the fill values of a cleared row (NaN RTT, -1 peer, all-ones window) were never written
  assert.equal(v.tcpGen[u], 0);
  assert.equal(v.rttMs[u], 0);
  assert.equal(v.peer[u], 0);
  assert.equal(v.lastWindow[u], 0);
  assert.deepEqual(
    { ...flowVisibilityJson(table, u), server_name: null, name_source: null },
    {
      server_name: null,
      name_source: null,
      retransmissions: 0,
      out_of_order: 0,
      zero_windows: 0,
      rtt_ms: null,
    },
  );
});

Deno.test("TCP health columns: a UDP flow on an id a TCP connection held shows none of its health", async () => {
  // The connection (a retransmitted SYN/ACK counts a retransmission) ends; 5 s later, past the 1 s idle
  // timeout, UDP flows take the freed ids.
  const table = await replay([
    tcpFrame(0, true, 1000, 0, SYN),
    tcpFrame(2, false, 5000, 1001, SYNACK),
    tcpFrame(400, false, 5000, 1001, SYNACK),
    tcpFrame(402, true, 1001, 5001, ACK),
    udpFrame(5_000, 5353),
    udpFrame(5_000, 5354),
    udpFrame(5_000, 5355),
  ]);
  const v = visibilityOf(table);
  assert.deepEqual(idsOf(table, 6), [], "the connection expired");
  const reused = idsOf(table, 17).filter((id) => v.tcpGen[id] !== 0);
  assert.ok(reused.length > 0, "a UDP flow took an id whose TCP columns were written");
  for (const id of reused) {
    const j = flowVisibilityJson(table, id);
    assert.deepEqual([j.retransmissions, j.out_of_order, j.zero_windows, j.rtt_ms], [0, 0, 0, null]);
  }
  assert.ok(
    reused.some((id) => v.retransmissions[id] > 0 || !Number.isNaN(v.rttMs[id])),
    "old values were there",
  );
});
