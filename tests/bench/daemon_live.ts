/**
 * The whole daemon, live: start-up, idle memory, kernel drops under trafgen streams beside tcpdump, peak
 * memory under an ARP flood it cannot keep up with, and memory with 100 k and 1 M flows. Prints ONE JSON line (DaemonLiveResult) on stdout, progress on
 * stderr.
 *
 *   deno run --allow-all tests/bench/daemon_live.ts
 *
 * A veth pair (namespace fpf-dmn, host end fpfdmn-h 10.231.82.1/24) carries the traffic; the daemon is
 * `deno run -A main.ts` as `deno task start` runs it, with its defaults but for FLINTNET_INTERFACE,
 * FLINTNET_CIDR, a temporary FLINTNET_STATE_DIR, FLINTNET_TRAP_LISTEN=off and the NetFlow listeners
 * off. While streams run, an SSE client reads /stream and a client asks /flows?limit=100 every second.
 * trafgen (Debian netsniff-ng) sends from the namespace: with `-b` (sendto, paced; it reaches about
 * 0.4 M frames/s here) and with its TX ring on one and on two CPUs (as fast as it goes). The rate
 * reported is the one the veth's receive counter saw. tcpdump -w /dev/null captures the same stream at
 * the same time (libpcap's default 2 MiB buffer, as a user runs it). Needs root, iproute2, netsniff-ng,
 * tcpdump.
 */
import { type Daemon, startDaemon as spawnDaemon } from "../helpers/daemon.ts";
import { createVethPair } from "../helpers/netns.ts";

/** One stream. */
export interface StreamResult {
  /** How trafgen was run. */
  mode: string;
  /** Frames sent (trafgen -n). */
  frames: number;
  /** Frames the host end received / trafgen's run time. */
  rate_pps: number;
  /** Kernel drops of the daemon's rings during the stream, and frames its rings counted. */
  daemon_drops: number;
  daemon_packets: number;
  /** tcpdump's own "received by filter" and "dropped by kernel". */
  tcpdump_received: number;
  tcpdump_drops: number;
  /** The daemon's ring size after the stream, MiB (from its log), and its RSS. */
  ring_mb: number;
  rss_bytes: number;
  /** Times the capture Worker waited for the main thread during the stream (/stats waitsForMain). */
  waits_for_main: number;
}

/** What one run reports. */
export interface DaemonLiveResult {
  /** Spawn → first 200 from /healthz, empty state dir, s. */
  startup_s: number;
  /** After 20 s idle: RSS, PSS, the ring's resident bytes, and the ring's size. */
  idle: {
    rss_bytes: number;
    pss_bytes: number;
    ring_rss_bytes: number;
    anon_bytes: number;
    file_bytes: number;
  };
  streams: StreamResult[];
  /**
   * A flood the daemon cannot keep up with: one MAC claiming ever new addresses in ARP requests, as fast as
   * trafgen sends. Memory must stay bounded (frames wait in the kernel's ring, which counts what overflows).
   */
  arp_flood: {
    frames: number;
    rate_pps: number;
    daemon_drops: number;
    daemon_packets: number;
    tcpdump_drops: number;
    /** Highest RSS sampled every 100 ms from the first frame until 3 s after the last. */
    peak_rss_bytes: number;
    /** Times the capture Worker waited for the main thread (/stats waitsForMain). */
    waits_for_main: number;
  } | null;
  /**
   * RSS with that many active flows (as /stats says), and the frames of those flows the daemon's ring
   * dropped (a flow not made is memory not measured).
   */
  flows: { target: number; active: number; daemon_drops: number; rss_bytes: number; pss_bytes: number }[];
  /** Ring re-opens the daemon logged. */
  ring_log: Record<string, unknown>[];
  loadavg: string;
}

const TRAFGEN = "/usr/sbin/trafgen";
const PAIR = {
  ns: "fpf-dmn",
  hostIf: "fpfdmn-h",
  nsIf: "fpfdmn-n",
  hostAddr: "10.231.82.1/24",
  nsAddr: "10.231.82.2/24",
};

function progress(msg: string): void {
  console.error(`daemon_live: ${msg}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS, PSS and the resident bytes of the ring (the packet socket's mapping) of `pid`. */
function memoryOf(pid: number) {
  let rss = 0, pss = 0, ring = 0, anon = 0, file = 0, socket = false, named = false;
  for (const line of Deno.readTextFileSync(`/proc/${pid}/smaps`).split("\n")) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      socket = m[1].startsWith("socket:");
      named = m[1] !== "" && !m[1].startsWith("[");
      continue;
    }
    const kb = /^(Rss|Pss):\s+(\d+) kB/.exec(line);
    if (!kb) continue;
    const bytes = Number(kb[2]) * 1024;
    if (kb[1] === "Pss") pss += bytes;
    else {
      rss += bytes;
      if (socket) ring += bytes;
      else if (named) file += bytes;
      else anon += bytes;
    }
  }
  return { rss_bytes: rss, pss_bytes: pss, ring_rss_bytes: ring, anon_bytes: anon, file_bytes: file };
}

async function main(): Promise<DaemonLiveResult> {
  for (const tool of [TRAFGEN, "/usr/bin/tcpdump"]) {
    await Deno.stat(tool).catch(() => {
      throw new Error(`${tool} is missing (apt-get install -y netsniff-ng tcpdump)`);
    });
  }
  const pair = await createVethPair(PAIR);
  const stateDir = await Deno.makeTempDir({ prefix: "flintnet-daemon-live-" });
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  /** The log lines of each start, in order. */
  const logs: (readonly string[])[] = [];
  const lines = () => logs.flat();
  let daemon: Daemon | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    /** Starts the daemon on the veth (the state dir, and so the token, kept across starts); s to /healthz. */
    const startDaemon = async (): Promise<number> => {
      const started = performance.now();
      daemon = await spawnDaemon({
        FLINTNET_INTERFACE: PAIR.hostIf,
        FLINTNET_CIDR: "10.231.82.0/24",
        FLINTNET_STATE_DIR: stateDir,
        FLINTNET_TRAP_LISTEN: "off",
        FLINTNET_LISTEN: `127.0.0.1:${port}`,
      }, 30_000);
      logs.push(daemon.lines);
      for (let i = 0; i < 3000; i++) {
        const ok = await fetch(`${base}/healthz`).then((r) => (r.body?.cancel(), r.ok), () => false);
        if (ok) return (performance.now() - started) / 1000;
        await sleep(10);
      }
      throw new Error(`the daemon never answered /healthz:\n${daemon.lines.join("\n")}`);
    };
    const startup = await startDaemon();
    progress(`started in ${startup.toFixed(3)} s; idle 20 s (the start-up discovery sweep included)…`);
    const token = (await Deno.readTextFile(`${stateDir}/api-token`)).trim();
    const auth = { Authorization: `Bearer ${token}` };
    await sleep(20_000);
    const idle = memoryOf(daemon!.pid);

    // Clients: SSE attached, /flows polled every second.
    const sseAbort = new AbortController();
    const sse = fetch(`${base}/stream`, { headers: auth, signal: sseAbort.signal })
      .then(async (r) => {
        for await (const _ of r.body!) { /* read and drop */ }
      }).catch(() => {});
    cleanups.push(async () => {
      sseAbort.abort();
      await sse;
    });
    let polling = true;
    const poller = (async () => {
      while (polling) {
        await fetch(`${base}/flows?limit=100`, { headers: auth }).then((r) => r.text(), () => "");
        await sleep(1000);
      }
    })();
    cleanups.push(async () => {
      polling = false;
      await poller;
    });

    const stats = async () => {
      const s = await (await fetch(`${base}/stats`, { headers: auth })).json();
      const c = s.capture[PAIR.hostIf];
      return { kernel: c.kernel, active: s.flows.active as number, waits: c.waitsForMain as number };
    };
    const ringMb = () => {
      let mb = 4;
      for (const l of daemon!.lines) {
        if (l.includes("capture ring re-opened")) mb = JSON.parse(l).to_mb;
      }
      return mb;
    };

    const streams: StreamResult[] = [];
    const conf = await Deno.makeTempFile({ suffix: ".cfg" });
    cleanups.push(() => Deno.remove(conf));
    const send = async (udp: string, frames: number, args: string[], packet?: string) => {
      await Deno.writeTextFile(
        conf,
        packet ??
          `{ eth(da=02:00:00:00:82:01), ipv4(saddr=10.231.82.2, daddr=10.231.82.1, ttl=64), ${udp}, fill(0x00, 18) }`,
      );
      const rx = () => Number(Deno.readTextFileSync(`/sys/class/net/${PAIR.hostIf}/statistics/rx_packets`));
      const before = rx(), t0 = performance.now();
      await pair.exec([TRAFGEN, "-i", conf, "-o", PAIR.nsIf, "-n", String(frames), "-q", ...args]);
      return (rx() - before) / ((performance.now() - t0) / 1000);
    };
    for (
      const [mode, frames, args] of [
        ["trafgen -b 500000pps (sendto)", 1_000_000, ["-b", "500000pps", "-P", "1"]],
        ["trafgen TX ring, 1 CPU", 3_000_000, ["-P", "1"]],
        ["trafgen TX ring, 2 CPUs", 4_000_000, ["-P", "2"]],
      ] as const
    ) {
      const s0 = await stats(), k0 = s0.kernel;
      const tcpdump = new Deno.Command("/usr/bin/tcpdump", {
        args: ["-i", PAIR.hostIf, "-w", "/dev/null", "-n", "udp"],
        stdout: "null",
        stderr: "piped",
      }).spawn();
      await sleep(1000); // tcpdump is listening
      progress(`${mode}: ${frames.toLocaleString("en-US")} frames of 20,000 flows…`);
      const rate = await send("udp(sport=dinc(10000, 29999), dport=5000, len=26)", frames, [...args]);
      await sleep(2000); // both catch up and report
      tcpdump.kill("SIGINT");
      const td = new TextDecoder().decode((await tcpdump.output()).stderr);
      const s1 = await stats(), k1 = s1.kernel;
      streams.push({
        mode,
        frames,
        rate_pps: Math.round(rate),
        daemon_drops: k1.drops - k0.drops,
        daemon_packets: k1.packets - k0.packets,
        tcpdump_received: Number(/(\d+) packets? received by filter/.exec(td)?.[1] ?? NaN),
        tcpdump_drops: Number(/(\d+) packets? dropped by kernel/.exec(td)?.[1] ?? NaN),
        ring_mb: ringMb(),
        rss_bytes: memoryOf(daemon!.pid).rss_bytes,
        waits_for_main: s1.waits - s0.waits,
      });
      progress(`  ${JSON.stringify(streams.at(-1))}`);
    }

    const flows: DaemonLiveResult["flows"] = [];
    for (const target of [100_000, 1_000_000]) {
      progress(`${target.toLocaleString("en-US")} flows: one frame each…`);
      // Frame i: source port i mod 65536, destination port 1024 + i mod 251: distinct for 16 M frames.
      const dropsBefore = (await stats()).kernel.drops;
      await send("udp(sport=dinc(0, 65535), dport=dinc(1024, 1274), len=26)", target, ["-P", "1"]);
      let s = await stats();
      for (let i = 0; i < 60 && s.active < target; i++) {
        await sleep(1000);
        s = await stats();
      }
      await sleep(3000);
      const m = memoryOf(daemon!.pid);
      const daemon_drops = s.kernel.drops - dropsBefore;
      flows.push({ target, active: s.active, daemon_drops, rss_bytes: m.rss_bytes, pss_bytes: m.pss_bytes });
      progress(`  ${JSON.stringify(flows.at(-1))}`);
    }
    // ARP requests from one MAC, each claiming a random address of 10.0.0.0/8 and asking for one nobody
    // has (so the host's kernel does not answer): the ARP watcher judges every claim, slower than they come.
    // In a daemon started again: what the flows above left in memory is not the flood's.
    await daemon!.terminate();
    await startDaemon();
    await sleep(5000);
    const arpFrames = 3_000_000;
    progress(
      `ARP flood: ${arpFrames.toLocaleString("en-US")} claims of new addresses, as fast as trafgen goes…`,
    );
    const a0 = await stats();
    const arpDump = new Deno.Command("/usr/bin/tcpdump", {
      args: ["-i", PAIR.hostIf, "-w", "/dev/null", "-n", "arp"],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    await sleep(1000);
    let peak = 0, sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, memoryOf(daemon!.pid).rss_bytes);
        await sleep(100);
      }
    })();
    const arpRate = await send(
      "",
      arpFrames,
      ["-P", "1"],
      [
        "{ eth(da=ff:ff:ff:ff:ff:ff, sa=02:00:00:00:00:09, type=0x0806), const16(1), const16(0x0800), const8(6),",
        "const8(4), const16(1), 0x02, 0x00, 0x00, 0x00, 0x00, 0x09, 10, drnd(), drnd(), drnd(),",
        "0, 0, 0, 0, 0, 0, 10, 231, 82, 200, fill(0x00, 18) }",
      ].join(" "),
    );
    await sleep(3000);
    sampling = false;
    await sampler;
    arpDump.kill("SIGINT");
    const arpTd = new TextDecoder().decode((await arpDump.output()).stderr);
    const a1 = await stats();
    const arpFlood: DaemonLiveResult["arp_flood"] = {
      frames: arpFrames,
      rate_pps: Math.round(arpRate),
      daemon_drops: a1.kernel.drops - a0.kernel.drops,
      daemon_packets: a1.kernel.packets - a0.kernel.packets,
      tcpdump_drops: Number(/(\d+) packets? dropped by kernel/.exec(arpTd)?.[1] ?? NaN),
      peak_rss_bytes: peak,
      waits_for_main: a1.waits - a0.waits,
    };
    progress(`  ${JSON.stringify(arpFlood)}`);

    const ringLog = lines().filter((l) => l.includes("capture ring")).map((l) => JSON.parse(l));
    const loadavg = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
    return { startup_s: startup, idle, streams, arp_flood: arpFlood, flows, ring_log: ringLog, loadavg };
  } finally {
    await daemon?.kill();
    for (const c of cleanups.reverse()) await c();
    await pair.destroy();
    await Deno.remove(stateDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await main()));
}
