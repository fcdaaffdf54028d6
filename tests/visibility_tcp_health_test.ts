/**
 * TCP health from real stacks between two namespaces: the client uploads, losing 3 % of its segments
 * just after the capture point (nftables' random drop on the server's prerouting hook: the kernel here has
 * no sch_netem, so `tc netem` is not available), to a receiver that stops reading for a while (so its
 * window closes), and tcpdump records on the receiver's side. `flintnet replay` of that capture must
 * count what tshark's TCP analysis marks on the same file: `tcp.analysis.retransmission` (fast and
 * spurious ones included) and `tcp.analysis.out_of_order` per direction, `tcp.analysis.zero_window`, and
 * the handshake's `tcp.analysis.initial_rtt`; and with a low rate threshold the flow raises a `retransmissions` anomaly.
 */
import assert from "node:assert/strict";
import { netnsUnavailable } from "./helpers/netns.ts";
import { runFlintnet } from "./helpers/flintnet_cli.ts";
import { LAB, tsharkFields, VisibilityLab } from "./helpers/visibility_lab.ts";

const skip = await netnsUnavailable();
if (skip && Deno.env.get("CI") === "true") throw new Error(`CI=true and ${skip}`);

const SINK_PORT = 5001;
/** Accepts one connection, sleeps (the window fills and closes), then reads to the end. */
const SINK = `
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
s.bind(("${LAB.srvIp}", ${SINK_PORT}))
s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
time.sleep(1.5)
while c.recv(65536):
    pass
c.close()
`;

interface FlowOut {
  src_ip: string;
  src_port: number;
  dst_port: number;
  protocol: number;
  retransmissions: number;
  out_of_order: number;
  zero_windows: number;
  rtt_ms: number | null;
}

Deno.test({
  name:
    "retransmissions, out-of-order segments, zero windows and handshake RTT under random loss agree with tshark",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new VisibilityLab();
    const dir = await Deno.makeTempDir({ prefix: "fvi-tcp-" });
    const pcap = `${dir}/tcp.pcap`;
    try {
      await lab.start();
      const sink = lab.spawn(LAB.srv, ["/usr/bin/python3", "-c", SINK]);
      await lab.waitForOutput(sink, /listening/);
      // Loss on the server's way in: this kernel has no sch_netem, so nftables drops 3 % of the upload's
      // segments at random (numgen random) after the capture (on the server's interface) saw them, as a
      // capture before a lossy link sees it. Not on the client's output hook: a segment dropped there is
      // handed back to the client's TCP and sent again as if new, so the wire showed almost no loss.
      await lab.srv(["nft", "add", "table", "inet", "fvi"]);
      await lab.srv(["nft", "add chain inet fvi in { type filter hook prerouting priority -300; }"]);
      await lab.srv(["nft", `add rule inet fvi in tcp dport ${SINK_PORT} numgen random mod 100 < 3 drop`]);
      const rec = await lab.record(pcap);
      await lab.cli([
        "bash",
        "-c",
        `head -c 3000000 /dev/zero > /dev/tcp/${LAB.srvIp}/${SINK_PORT}`,
      ]);
      await lab.waitForExit(sink);
      await rec.stop();

      // ---- tshark's view, per direction (by source port)
      const marked = await tsharkFields(pcap, "tcp.analysis.retransmission || tcp.analysis.out_of_order", [
        "tcp.srcport",
        "tcp.analysis.retransmission",
        "tcp.analysis.out_of_order",
      ], ["-o", "tcp.analyze_sequence_numbers:TRUE"]);
      const zero = await tsharkFields(pcap, "tcp.analysis.zero_window", ["tcp.srcport"]);
      const irtt = await tsharkFields(pcap, "tcp.analysis.initial_rtt", [
        "tcp.srcport",
        "tcp.analysis.initial_rtt",
      ]);
      const clientPort = Number(irtt.find((r) => Number(r[0]) !== SINK_PORT)![0]);
      const count = (rows: string[][], port: number, col?: number) =>
        rows.filter((r) => Number(r[0]) === port && (col === undefined || r[col] !== "")).length;
      const tsharkRetx = count(marked, clientPort, 1),
        tsharkOoo = count(marked, clientPort, 2) -
          marked.filter((r) => Number(r[0]) === clientPort && r[1] !== "" && r[2] !== "").length;
      assert.ok(tsharkRetx + tsharkOoo > 0, "netem loss made tshark mark some segments");
      assert.ok(count(zero, SINK_PORT) > 0, "the sleeping receiver advertised a zero window");

      // ---- Flintnet's view
      const r = await runFlintnet(["replay", pcap, "--all-flows"], {
        FLINTNET_TCP_RETRANS_RATE: "0.001",
        FLINTNET_TCP_RETRANS_MIN_SEGMENTS: "20",
      });
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as {
        flows: FlowOut[];
        events: { kind: string; rule?: string; phase?: string; src_port?: number; score?: number }[];
      };
      const up = doc.flows.find((f) => f.src_port === clientPort && f.dst_port === SINK_PORT)!;
      const down = doc.flows.find((f) => f.src_port === SINK_PORT && f.dst_port === clientPort)!;
      assert.ok(up && down, "both directions of the upload");
      // Every segment tshark marks is counted once, as a retransmission or as out of order.
      assert.equal(
        up.retransmissions + up.out_of_order,
        tsharkRetx + tsharkOoo,
        JSON.stringify({ up, tsharkRetx, tsharkOoo }),
      );
      assert.equal(up.retransmissions, tsharkRetx, "retransmissions as tshark marks them");
      assert.equal(up.out_of_order, tsharkOoo, "out of order as tshark marks them");
      assert.equal(down.zero_windows, count(zero, SINK_PORT), "zero windows");
      assert.equal(up.zero_windows, count(zero, clientPort));
      // tshark's initial RTT is SYN → ACK of the SYN/ACK, in seconds with µs resolution
      const rttS = Number(irtt.find((x) => Number(x[0]) === clientPort)![1]);
      assert.ok(up.rtt_ms !== null && Math.abs(up.rtt_ms - rttS * 1000) < 0.002, `${up.rtt_ms} vs ${rttS} s`);
      assert.equal(down.rtt_ms, up.rtt_ms);
      // The retransmission rule (0.1 %, the lowest it takes): an anomaly opened for the upload.
      const retx = doc.events.filter((e) => e.kind === "anomaly" && e.rule === "retransmissions");
      const open = retx.find((e) => e.phase === "open" && e.src_port === clientPort);
      assert.ok(open, JSON.stringify({ retx, up, kinds: doc.events.map((e) => e.kind + ":" + e.rule) }));
      assert.ok(open.score! > 0 && open.score! <= up.retransmissions);
    } catch (e) {
      console.error(lab.output());
      throw e;
    } finally {
      await lab.destroy();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
