/**
 * `flintnet replay` runs every detector that works from packets, with the capture's clock: the same ARP
 * frames give the same security events, word for word and with the same evidence, whether the file is
 * replayed or its frames are sent live (tcpreplay, at the capture's own pace, through a veth pair to a
 * running daemon). One capture holds a scene per rule: a rogue device after the learning period, a MAC
 * answering for its own and the gateway's address (arp_spoof), a gratuitous ARP for an address in use
 * (duplicate_ip) and a reply whose Ethernet source is not its sender (mac_spoof).
 *
 * Needs root, iproute2, tcpreplay and libpcap; with CI=true a missing one fails the test.
 */
import assert from "node:assert/strict";
import type { SecurityEvent } from "../src/events/mod.ts";
import { type CaptureFrame, writePcap } from "./helpers/capture_writer.ts";
import { openSse, startDaemon } from "./helpers/daemon.ts";
import { arp, ethernet, ETHERTYPE_ARP } from "./helpers/frames.ts";
import { createVethPair, netnsUnavailable, run, vethNames } from "./helpers/netns.ts";
import { freePort } from "./helpers/ports.ts";

const CI = Deno.env.get("CI") === "true";
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const TOKEN = "replay-parity-token-0123456789";
const BROADCAST = "ff:ff:ff:ff:ff:ff";
/** Learning lasts 3 s from the first ARP packet; every scene plays after it. */
const LEARNING = "3s";

const ROUTER = "00:00:0c:12:34:01", HOST = "52:54:00:aa:00:02", MALLORY = "52:54:00:aa:00:66";
const NEWBIE = "52:54:00:aa:00:77", ROGUE = "00:00:0c:99:99:99", LIAR = "52:54:00:aa:00:55";
const GW = "192.0.2.1", HOST_IP = "192.0.2.10", MALLORY_IP = "192.0.2.66", NEWBIE_IP = "192.0.2.77";

interface Arp {
  /** Seconds from the start of the capture. */
  t: number;
  op: 1 | 2;
  sha: string;
  spa: string;
  tpa: string;
  tha?: string;
  eth?: string;
}

function frame(t0: number, p: Arp): CaptureFrame {
  const tha = p.tha ?? (p.op === 1 ? "00:00:00:00:00:00" : BROADCAST);
  const dst = p.op === 1 || tha === "00:00:00:00:00:00" ? BROADCAST : tha;
  return {
    tsMs: t0 + p.t * 1000,
    data: ethernet(
      { src: p.eth ?? p.sha, dst, etherType: ETHERTYPE_ARP },
      arp({ op: p.op, sha: p.sha, spa: p.spa, tha, tpa: p.tpa }),
    ),
  };
}

/** The scenes, in capture time (seconds). */
const SCENES: Arp[] = [
  // Learning: the router, a host, an insider and a newcomer who will not be new later.
  { t: 0, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
  { t: 0.1, op: 2, sha: HOST, spa: HOST_IP, tpa: GW, tha: ROUTER },
  { t: 0.2, op: 1, sha: MALLORY, spa: MALLORY_IP, tpa: GW },
  { t: 0.3, op: 1, sha: NEWBIE, spa: NEWBIE_IP, tpa: GW },
  // rogue_device: a MAC first seen after learning.
  { t: 4.0, op: 1, sha: ROGUE, spa: "192.0.2.99", tpa: GW },
  // arp_spoof: Mallory answers for its own address and the gateway's, back and forth.
  ...[0, 1, 2, 3, 4, 5].map((i): Arp => ({
    t: 4.5 + i * 0.25,
    op: 2,
    sha: MALLORY,
    spa: i % 2 ? MALLORY_IP : GW,
    tpa: HOST_IP,
    tha: HOST,
  })),
  // duplicate_ip: the host is seen, then the newcomer announces the host's address.
  { t: 6.5, op: 2, sha: HOST, spa: HOST_IP, tpa: GW, tha: ROUTER },
  { t: 6.8, op: 1, sha: NEWBIE, spa: HOST_IP, tpa: HOST_IP },
  // mac_spoof: a reply for the router sent from another MAC.
  { t: 7.5, op: 2, sha: ROUTER, spa: GW, tpa: HOST_IP, tha: HOST, eth: LIAR },
];

/** What must be equal between the two paths: everything but the id, the time and where it was seen. */
function comparable(e: SecurityEvent): Record<string, unknown> {
  const { id: _id, ts: _ts, source: _source, ...rest } = e as SecurityEvent & { id?: number };
  const evidence = { ...e.evidence };
  // Times inside the evidence are on each path's own clock (capture time vs. arrival time).
  for (const k of Object.keys(evidence)) if (/(^|_)(ts|first|last|since|at)$/.test(k)) delete evidence[k];
  return JSON.parse(JSON.stringify({ ...rest, evidence }, (_k, v) => dropTimes(v)));
}

/** Removes ISO timestamps anywhere in a value: they differ by construction between the paths. */
function dropTimes(v: unknown): unknown {
  return typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v) ? "<time>" : v;
}

async function replayEvents(
  path: string,
): Promise<{ events: SecurityEvent[]; totals: Record<string, unknown> }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "replay", path],
    env: { FLINTNET_ENV_FILE: "/dev/null", FLINTNET_LEARNING_PERIOD: LEARNING },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const doc = JSON.parse(new TextDecoder().decode(out.stdout));
  return { events: doc.events.filter((e: SecurityEvent) => e.kind === "security"), totals: doc.totals };
}

async function missingPeers(): Promise<string | null> {
  const ns = await netnsUnavailable();
  if (ns) return ns;
  const r = await run(["tcpreplay", "--version"], false).catch(() => null);
  return r ? null : "tcpreplay is missing (apt-get install tcpreplay)";
}
const missing = await missingPeers();

Deno.test({
  name: "replay and live capture give the same ARP security events for the same frames",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`cannot run: ${missing}`);
    const dir = await Deno.makeTempDir({ prefix: "flintnet-parity-" });
    const path = `${dir}/arp-scenes.pcap`;
    await Deno.writeFile(path, writePcap(SCENES.map((p) => frame(Date.UTC(2025, 0, 6, 9), p))));

    const replayed = await replayEvents(path);
    const types = replayed.events.map((e) => e.type);
    for (const t of ["rogue_device", "arp_spoof", "duplicate_ip", "mac_spoof"]) {
      assert.ok(types.includes(t as SecurityEvent["type"]), `replay reports ${t}: got ${types.join(", ")}`);
    }
    assert.equal(
      replayed.totals.events && (replayed.totals.events as Record<string, number>).security,
      types.length,
    );
    for (const t of new Set(types)) {
      assert.equal(
        (replayed.totals.events as Record<string, number>)[`security.${t}`],
        types.filter((x) => x === t).length,
        `totals count ${t}`,
      );
    }
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      ["arp-scenes.pcap"],
      "replay wrote no state",
    );

    const pair = await createVethPair({
      ...vethNames("parity"),
      hostAddr: "10.231.44.1/24",
      nsAddr: "10.231.44.2/24",
    });
    const port = freePort();
    const stateDir = `${dir}/state`;
    await Deno.mkdir(stateDir);
    const daemon = await startDaemon({
      FLINTNET_INTERFACE: pair.hostIf,
      // Not the veth's network: the daemon's own discovery must not ARP on the link under test.
      FLINTNET_CIDR: "127.0.0.1/32",
      FLINTNET_LISTEN: `127.0.0.1:${port}`,
      FLINTNET_STATE_DIR: stateDir,
      FLINTNET_API_TOKEN: TOKEN,
      FLINTNET_TRAP_LISTEN: "off",
      FLINTNET_BPF: "arp",
      FLINTNET_LEARNING_PERIOD: LEARNING,
    });
    try {
      const stream = await openSse(`http://127.0.0.1:${port}/stream?types=security`, {
        authorization: `Bearer ${TOKEN}`,
      });
      // tcpreplay keeps the capture's pacing, so the learning period passes in real time as it did in capture time.
      await pair.exec(["tcpreplay", "-q", "-i", pair.nsIf, path]);
      const want = replayed.events.length;
      const until = Date.now() + 10_000;
      while (stream.events.length < want && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500)); // anything extra would show now
      await stream.close();
      const live = stream.events.map((e) => JSON.parse(e.data) as SecurityEvent);
      assert.deepEqual(live.map(comparable), replayed.events.map(comparable));
      assert.ok(live.every((e) => e.source === "capture"));
    } catch (err) {
      console.error(daemon.lines.join("\n"));
      throw err;
    } finally {
      await daemon.kill();
      await pair.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
