/**
 * Attack signals from real tools between two namespaces: hping3 floods SYNs (-i u100, bounded by -c) at a closed
 * port, sends a few UDP datagrams with TTL 3, and the client also makes ordinary connections; tcpdump
 * records it all. `flintnet replay` must mark syn_flood on exactly the TCP conversations tshark sees
 * starting with a SYN that got no SYN/ACK, low_ttl on exactly the flows whose first packet tshark reads
 * with a TTL ≤ 5, neither on the ordinary connections, and raise an `anomaly` with rule `attack` for the
 * flooding source; with an allow list naming the port in the state directory, none of it.
 */
import assert from "node:assert/strict";
import { runFlintnet } from "./helpers/flintnet_cli.ts";
import { tsharkFields } from "./helpers/visibility_lab.ts";
import { THREAT_LAB as L, ThreatLab, threatLabUnavailable } from "./helpers/threat_lab.ts";

const skip = await threatLabUnavailable();
if (skip && Deno.env.get("CI") === "true") throw new Error(`CI=true and ${skip}`);

const SYNS = 600;
const TARGET = L.srvIps[1];
const TTL_TARGET = L.srvIps[2];

interface FlowOut {
  src_ip: string;
  dst_ip: string;
  src_port: number;
  dst_port: number;
  protocol: number;
  attack_score: number;
  attack_signals: string[];
}

interface AnomalyOut {
  kind: string;
  rule?: string;
  phase?: string;
  src_ip?: string | null;
  score?: number;
  signals?: { name: string; count: number }[];
}

Deno.test({
  name:
    "a bounded hping3 SYN flood and low-TTL datagrams are marked as tshark sees them; the allow list silences them",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new ThreatLab();
    const dir = await Deno.makeTempDir({ prefix: "fth-attack-" });
    const pcap = `${dir}/attack.pcap`;
    try {
      await lab.start();
      const rec = await lab.record(pcap);
      for (let i = 0; i < 3; i++) await lab.tcp(L.srvIps[0]);
      // A flood bounded by -c: hping3's --flood ignores -c (it ran until killed here), so the SYNs go out
      // at 10,000 a second instead; timeout only guards against a hping3 that would not stop.
      await lab.cli([
        "sh",
        "-c",
        `timeout 20 hping3 -S -p ${L.closedPort} -c ${SYNS} -i u100 ${TARGET} >/dev/null 2>&1; true`,
      ]);
      await lab.cli([
        "sh",
        "-c",
        `hping3 -2 -p ${L.udpPort} -t 3 -c 3 -i u20000 ${TTL_TARGET} >/dev/null 2>&1; true`,
      ]);
      await rec.stop();

      // ---- tshark: TCP conversations from the client that began with a SYN and never saw a SYN/ACK
      const syns = await tsharkFields(pcap, `tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src==${L.cliIp}`, [
        "tcp.stream",
      ]);
      const synAcks = await tsharkFields(pcap, "tcp.flags.syn==1 && tcp.flags.ack==1", ["tcp.stream"]);
      const answered = new Set(synAcks.map((r) => r[0]));
      const unanswered = new Set(syns.map((r) => r[0]).filter((s) => !answered.has(s)));
      assert.ok(unanswered.size >= SYNS / 2, `hping3 flooded: ${unanswered.size} SYNs without SYN/ACK`);
      assert.ok(answered.size >= 3, "the ordinary connections were answered");
      // …and the UDP flows whose first packet had a TTL ≤ 5
      const udp = await tsharkFields(pcap, `udp && ip.src==${L.cliIp}`, ["udp.srcport", "ip.ttl"]);
      const firstTtl = new Map<string, number>();
      for (const [sp, ttl] of udp) if (!firstTtl.has(sp)) firstTtl.set(sp, Number(ttl));
      const lowTtl = [...firstTtl].filter(([, t]) => t <= 5).map(([sp]) => Number(sp)).sort();
      assert.ok(lowTtl.length >= 1, "hping3 sent low-TTL datagrams");

      // ---- Flintnet
      const r = await runFlintnet(["replay", pcap, "--all-flows"], {
        FLINTNET_ATTACK_SYN_MIN: "100",
        FLINTNET_ATTACK_SCORE: "0.7",
      });
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { flows: FlowOut[]; events: AnomalyOut[] };
      const fromCli = doc.flows.filter((f) => f.src_ip === L.cliIp);
      const flooded = fromCli.filter((f) => f.attack_signals.includes("syn_flood"));
      assert.equal(flooded.length, unanswered.size, "syn_flood on each conversation tshark sees unanswered");
      assert.ok(
        flooded.every((f) => f.dst_ip === TARGET && f.dst_port === L.closedPort && f.attack_score >= 0.7),
      );
      const ordinary = fromCli.filter((f) => f.dst_port === L.tcpPort);
      assert.equal(ordinary.length, 3);
      assert.ok(ordinary.every((f) => !f.attack_signals.includes("syn_flood")), JSON.stringify(ordinary));
      const marked = fromCli.filter((f) => f.attack_signals.includes("low_ttl")).map((f) => f.src_port)
        .sort();
      assert.deepEqual(marked, lowTtl, "low_ttl on the flows whose first packet tshark reads with TTL ≤ 5");
      const opened = doc.events.filter((e) =>
        e.kind === "anomaly" && e.rule === "attack" && e.phase === "open"
      );
      assert.ok(opened.some((e) => e.src_ip === L.cliIp), JSON.stringify(opened));
      const syn = opened.flatMap((e) => e.signals ?? []).filter((s) => s.name === "syn_flood");
      const counted = syn.reduce((n, s) => n + s.count, 0);
      assert.ok(
        counted > 0 && counted <= unanswered.size,
        `the event counts the unanswered SYNs: ${counted}`,
      );

      // ---- the allow list in the state directory silences the closed port and the low-TTL target
      const state = `${dir}/state`;
      await Deno.mkdir(state);
      await Deno.writeTextFile(
        `${state}/attack-allowlist.txt`,
        `# known good\nport ${L.closedPort}\n${TTL_TARGET}\n`,
      );
      const quiet = await runFlintnet(["replay", pcap, "--all-flows"], {
        FLINTNET_ATTACK_SYN_MIN: "100",
        FLINTNET_STATE_DIR: state,
      }, { stateDir: state });
      assert.equal(quiet.code, 0, quiet.stderr);
      const qdoc = JSON.parse(quiet.stdout) as { flows: FlowOut[]; events: AnomalyOut[] };
      assert.ok(qdoc.flows.every((f) => f.attack_score === 0), "allowed traffic has no score");
      assert.equal(qdoc.events.filter((e) => e.kind === "anomaly" && e.rule === "attack").length, 0);
    } catch (e) {
      console.error(lab.output());
      throw e;
    } finally {
      await lab.destroy();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
