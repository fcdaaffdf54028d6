/**
 * SSE fan-out benchmark: GET /stream served by SseHub behind Deno.serve + Hono on loopback, with
 * 1,000 clients in a child process: raw sockets that parse chunked HTTP/1.1 and the `data:` lines,
 * the cheapest client there is, since on a small machine the clients share the server's CPUs.
 *
 *   deno run --allow-all tests/bench/sse_fanout.ts [--clients=1000] [--rate=1000] [--seconds=10]
 *                        [--stall-seconds=10] [--warmup-seconds=20] [--flush-ms=50]
 *
 * A warm-up publishes at the same rate without measuring, until the replay buffer (10,000 events) is
 * full and the heap has settled; RSS climbs during it and then stays level. Phase 1: `rate` events/s for `seconds`; each event carries its publish time (performance.timeOrigin +
 * performance.now(), comparable across processes on one machine); every client records
 * publish-to-receive latency and checks that it misses no event. Phase 2: one more client that
 * connects and never reads, for at least `stall-seconds` and until it is dropped (at most 60 s), while
 * the others keep reading; the server's RSS is sampled throughout.
 *
 * Prints ONE JSON line on stdout; progress goes to stderr. Exit 1 if a step could not run.
 */
import { Hono } from "hono";
import { EventBus, type StatsEvent } from "../../src/events/mod.ts";
import { streamRoutes } from "../../src/http/routes/stream.ts";
import { DEFAULT_FLUSH_MS, SseHub } from "../../src/http/sse_hub.ts";
import { StatsTicker } from "../../src/app/stats_ticker.ts";
import { setLogSink } from "../../src/base/log.ts";

/** What one run reports. */
export interface SseFanoutResult {
  clients: number;
  events_per_s: number;
  seconds: number;
  /** Seconds of publishing before phase 1, so both phases run with a full replay buffer and a settled heap. */
  warmup_seconds: number;
  flush_ms: number;
  /** CPUs of the machine (the server and the clients share them). */
  cpus: number;
  events_published: number;
  /** Events received by all clients together in phases 1 and 2 (clients × events_published when nothing is lost). */
  events_received: number;
  /** Events a client never got (a gap in its sequence), all clients together. */
  events_lost: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Clients the hub dropped in phase 1 (target 0). */
  dropped_clients: number;
  /** Clients whose stream ended before the end of the run, as the clients saw it (target 0). */
  clients_ended_early: number;
  /** Disagreement of the two processes' clocks (performance.timeOrigin + now() against Date.now()), ms. */
  clock_skew_ms: number;
  /** Server RSS with every client connected, before any event. */
  rss_mb_connected: number;
  /** Server RSS at the start and the end of phase 1 (after the warm-up). */
  rss_mb_start: number;
  rss_mb_end: number;
  /** Server RSS at the start of phase 1 and after each second of it. */
  rss_mb_by_second: number[];
  /** Worst latency per second of publishing (events 1000·s … 1000·s+999), both phases. */
  second_max_ms: number[];
  /** Worst event-loop delay per second of phase 1 in the server, ms. */
  server_loop_lag_ms: number[];
  /** Worst event-loop delay per second in the client process (both phases), ms. */
  clients_loop_lag_ms: number[];
  /** CPU used by the server process in phase 1, % of one core, and the kernel's part of it. */
  server_cpu_pct: number;
  server_sys_pct: number;
  /** CPU used by the client process in phase 1, % of one core. */
  clients_cpu_pct: number;
  clients_sys_pct: number;
  /** Phase 2: one stalled client among the others. */
  stalled: {
    seconds: number;
    /** The stalled client, reading at last, found the hub's closing comment and the end of the body. */
    dropped: boolean;
    /** When the hub dropped a client in phase 2 (the stalled one unless others were dropped too). */
    dropped_after_s: number | null;
    /** Clients dropped besides the stalled one (target 0). */
    other_clients_dropped: number;
    p50_ms: number;
    p99_ms: number;
    rss_mb_start: number;
    rss_mb_max: number;
    rss_mb_end: number;
    /** Server RSS at the start of phase 2, after each second, and at the end. */
    rss_mb_by_second: number[];
    server_loop_lag_ms: number[];
    server_cpu_pct: number;
    clients_cpu_pct: number;
  };
}

const HERE = new URL(import.meta.url).pathname;
const MB = 1024 * 1024;
const END_PHASE = 9;
/** Latency histogram: 0.1 ms buckets up to 60 s. */
const BUCKET_MS = 0.1;
const BUCKETS = 600_000;
/** Worst latency seen for events numbered 1000·s … 1000·s+999 (diagnostic). */
const SECOND_MAX = new Float64Array(120);

function arg(name: string, fallback: number): number {
  const a = Deno.args.find((x) => x.startsWith(`--${name}=`));
  if (!a) return fallback;
  const v = Number(a.slice(name.length + 3));
  if (!Number.isFinite(v) || v < 0) {
    console.error(`--${name}=${a.slice(name.length + 3)} is not valid: expected a number ≥ 0`);
    Deno.exit(2);
  }
  return v;
}

function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function progress(msg: string): void {
  console.error(`sse_fanout: ${msg}`);
}

/** CPU seconds a process has used, user and system, from /proc/PID/stat. */
function cpuSeconds(pid: number): [number, number] {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [Number(f[11]) / 100, Number(f[12]) / 100]; // utime, stime in clock ticks (USER_HZ = 100)
}

/** CPU use between two readings, % of one core: user + system, and system alone. */
function cpuPct(a: [number, number], b: [number, number], wallS: number): { total: number; sys: number } {
  return {
    total: Math.round((b[0] - a[0] + b[1] - a[1]) / wallS * 100),
    sys: Math.round((b[1] - a[1]) / wallS * 100),
  };
}

/** Watches the event loop: the worst delay of a 5 ms timer, per second, in ms. */
function loopLag(): { stop(): number[] } {
  const worst: number[] = [];
  let last = performance.now();
  let second = last + 1000;
  let max = 0;
  const t = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 5);
    last = now;
    if (now >= second) {
      worst.push(Math.round(max));
      max = 0;
      second += 1000;
    }
  }, 5);
  return {
    stop() {
      clearInterval(t);
      return worst;
    },
  };
}

function rssMb(): number {
  return Math.round(Deno.memoryUsage().rss / MB * 10) / 10;
}

// ───────────────────────────── clients (child process) ─────────────────────────────

const enc = new TextEncoder();
/** Length of a bench event's data line up to its publish time (`ts` is always 24 characters). */
const MARK_LEN = 'data: {"kind":"stats","ts":"2000-01-01T00:00:00.000Z","stats":{"bench_t":'.length;

/**
 * Per-connection parser: HTTP/1.1 headers, chunked framing, then SSE lines. It works on the text of
 * each read (every byte the bench sends is ASCII, so character offsets are byte offsets); V8 searches
 * strings several times faster than Uint8Arrays, and the clients must cost as little as possible.
 */
class Client {
  headersDone = false;
  ready = false;
  done = false;
  received = 0;
  lost = 0;
  lastSeq = -1;
  #head = "";
  #chunkLeft = 0; // payload bytes left in the current chunk
  #sizeLine = ""; // chunk-size line read so far
  #skipCrlf = 0; // CRLF after a chunk's payload
  #carry = ""; // a line cut by a read or chunk boundary
  constructor(readonly hist: Uint32Array[]) {}

  feed(s: string, now: number): void {
    let i = 0;
    if (!this.headersDone) {
      this.#head += s;
      const end = this.#head.indexOf("\r\n\r\n");
      if (end < 0) return;
      if (!this.#head.startsWith("HTTP/1.1 200")) throw new Error(`bad response: ${this.#head.slice(0, 80)}`);
      this.headersDone = true;
      i = s.length - (this.#head.length - end - 4); // where this read's body starts
    }
    while (i < s.length) {
      if (this.#skipCrlf > 0) {
        const k = Math.min(this.#skipCrlf, s.length - i);
        i += k;
        this.#skipCrlf -= k;
        continue;
      }
      if (this.#chunkLeft === 0) {
        const e = s.indexOf("\r\n", i);
        if (e < 0) {
          this.#sizeLine += s.slice(i);
          return;
        }
        this.#chunkLeft = parseInt(this.#sizeLine + s.slice(i, e), 16);
        this.#sizeLine = "";
        i = e + 2;
        if (this.#chunkLeft === 0) this.done = true; // the last chunk: the server ended the stream
        continue;
      }
      const take = Math.min(this.#chunkLeft, s.length - i);
      this.#payload(s, i, i + take, now);
      i += take;
      this.#chunkLeft -= take;
      if (this.#chunkLeft === 0) this.#skipCrlf = 2;
    }
  }

  #payload(s: string, from: number, to: number, now: number): void {
    while (from < to) {
      const nl = s.indexOf("\n", from);
      if (nl < 0 || nl >= to) {
        this.#carry += s.slice(from, to);
        return;
      }
      if (this.#carry) {
        const line = this.#carry + s.slice(from, nl);
        this.#carry = "";
        this.#onLine(line, 0, line.length, now);
      } else {
        this.#onLine(s, from, nl, now);
      }
      from = nl + 1;
    }
  }

  #onLine(s: string, from: number, end: number, now: number): void {
    if (end - from < MARK_LEN + 30) {
      if (!this.ready && s.startsWith("retry:", from)) this.ready = true;
      return;
    }
    // "data: {" and the ':' before the number mark a bench event (the others are `event:`, `id:`, blank).
    if (
      s.charCodeAt(from) !== 0x64 || s.charCodeAt(from + 6) !== 0x7b ||
      s.charCodeAt(from + MARK_LEN - 1) !== 0x3a ||
      s.charCodeAt(from + MARK_LEN - 3) !== 0x74 /* t of bench_t */
    ) return;
    // {"bench_t":<ms with a fraction>,"phase":<p>,"seq":<n>,...
    let k = from + MARK_LEN;
    let t = 0;
    let c = s.charCodeAt(k);
    for (; c !== 0x2e && c !== 0x2c; c = s.charCodeAt(++k)) t = t * 10 + (c - 48);
    if (c === 0x2e) {
      let scale = 1;
      for (c = s.charCodeAt(++k); c !== 0x2c; c = s.charCodeAt(++k)) t += (c - 48) * (scale /= 10);
    }
    k += 1 + '"phase":'.length;
    const phase = s.charCodeAt(k) - 48;
    k += '1,"seq":'.length;
    let seq = 0;
    for (c = s.charCodeAt(k); c !== 0x2c; c = s.charCodeAt(++k)) seq = seq * 10 + (c - 48);
    if (phase === END_PHASE) {
      this.done = true;
      return;
    }
    if (phase === 0) { // warm-up: checked for gaps, not timed
      this.lastSeq = seq;
      return;
    }
    if (this.lastSeq >= 0 && seq > this.lastSeq + 1) this.lost += seq - this.lastSeq - 1;
    this.lastSeq = seq;
    this.received++;
    const b = Math.min(BUCKETS - 1, Math.max(0, Math.floor((now - t) / BUCKET_MS)));
    this.hist[phase][b]++;
    const sec = Math.floor(seq / 1000);
    if (sec < SECOND_MAX.length && now - t > SECOND_MAX[sec]) SECOND_MAX[sec] = now - t;
  }
}

async function runClients(port: number, count: number): Promise<void> {
  const hist = [new Uint32Array(1), new Uint32Array(BUCKETS), new Uint32Array(BUCKETS)];
  const clients: Client[] = [];
  const request = enc.encode(
    `GET /stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  const loops: Promise<void>[] = [];
  let endedEarly = 0;
  async function one(): Promise<void> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    const c = new Client(hist);
    clients.push(c);
    await conn.write(request);
    loops.push((async () => {
      const buf = new Uint8Array(64 * 1024);
      const decoder = new TextDecoder();
      try {
        while (!c.done) {
          const n = await conn.read(buf);
          if (n === null) break;
          c.feed(decoder.decode(buf.subarray(0, n)), wallMs());
        }
      } finally {
        if (!c.done) endedEarly++;
        conn.close();
      }
    })());
  }
  for (let i = 0; i < count; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, count - i) }, one));
  }
  while (clients.some((c) => !c.ready)) await sleep(10);
  const lag = loopLag();
  console.log(JSON.stringify({ ready: clients.length, clock_skew_ms: wallMs() - Date.now() }));
  await Promise.all(loops);
  console.log(JSON.stringify({
    loop_lag: lag.stop(),
    received: clients.reduce((s, c) => s + c.received, 0),
    lost: clients.reduce((s, c) => s + c.lost, 0),
    ended_early: endedEarly,
    phase1: summarise(hist[1]),
    phase2: summarise(hist[2]),
    second_max: Array.from(SECOND_MAX.filter((x) => x > 0), (x) => Math.round(x)),
  }));
}

function summarise(h: Uint32Array): { p50: number; p90: number; p99: number; max: number; n: number } {
  let n = 0;
  for (const v of h) n += v;
  const at = (q: number) => {
    const want = Math.ceil(q * n);
    let acc = 0;
    for (let i = 0; i < h.length; i++) if ((acc += h[i]) >= want && h[i] > 0) return (i + 1) * BUCKET_MS;
    return NaN;
  };
  let max = 0;
  for (let i = h.length - 1; i >= 0; i--) {
    if (h[i]) {
      max = (i + 1) * BUCKET_MS;
      break;
    }
  }
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50: r(at(0.5)), p90: r(at(0.9)), p99: r(at(0.99)), max: r(max), n };
}

async function runStalled(port: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(enc.encode(`GET /stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
  console.log(JSON.stringify({ stalled: true }));
  // Never reads the socket until the driver closes stdin; then reads what is left to see how it ended.
  for await (const _ of Deno.stdin.readable) { /* wait */ }
  const buf = new Uint8Array(1 << 20);
  let tail = "";
  let bytes = 0;
  const timer = setTimeout(() => conn.close(), 5000);
  try {
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
      bytes += n;
      tail = (tail + new TextDecoder().decode(buf.subarray(Math.max(0, n - 400), n))).slice(-400);
    }
  } catch { /* closed by the timer */ }
  clearTimeout(timer);
  console.log(JSON.stringify({
    bytes,
    // The hub's last words to a dropped client, then the end of the chunked body.
    saw_dropped: tail.includes(": dropped:"),
    ended: tail.endsWith("0\r\n\r\n"),
  }));
  try {
    conn.close();
  } catch { /* already closed */ }
}

// ───────────────────────────── driver (server) ─────────────────────────────

/** Lines of a child's stdout, one JSON object each. */
async function* jsonLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<Record<string, unknown>> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    let nl;
    while ((nl = text.indexOf("\n")) >= 0) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (line.trim()) yield JSON.parse(line);
    }
  }
}

function spawnChild(role: string, port: number, extra: string[] = []): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", HERE, `--role=${role}`, `--port=${port}`, ...extra],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

/** A realistic stats-sized event whose first field is its publish time. */
function benchEvent(phase: number, seq: number): StatsEvent {
  return {
    kind: "stats",
    ts: new Date().toISOString(),
    stats: {
      bench_t: wallMs(),
      phase,
      seq,
      uptime_s: 3600 + seq,
      capture: { eth0: { packets: 123456789 + seq, bytes: 98765432100, kernel_drops: 0, malformed: 3 } },
      flows: { active: 20000, capacity: 1000000, created: 45000 + seq, expired_idle: 25000, evicted_full: 0 },
      events: { anomaly: 12, stats: seq },
      note: "padding to the size of a typical anomaly event on the wire...........................",
    },
  };
}

/** Publishes `rate`/s for `seconds` (catching up on late timer ticks) and then while `more()` holds. */
async function publishFor(
  bus: EventBus,
  phase: number,
  rate: number,
  seconds: number,
  firstSeq: number,
  more: () => boolean = () => false,
  onSecond: () => void = () => {},
): Promise<number> {
  const t0 = performance.now();
  let seq = firstSeq;
  let nextSecond = t0 + 1000;
  while (true) {
    const now = performance.now();
    const elapsed = now - t0;
    if (elapsed >= seconds * 1000 && !more()) break;
    const due = firstSeq + Math.floor(elapsed * rate / 1000);
    while (seq < due) bus.publish(benchEvent(phase, seq++));
    if (now >= nextSecond) {
      nextSecond += 1000;
      onSecond();
    }
    await sleep(1);
  }
  return seq;
}

async function drive(): Promise<void> {
  const clients = arg("clients", 1000);
  const rate = arg("rate", 1000);
  const seconds = arg("seconds", 10);
  const stallSeconds = arg("stall-seconds", 10);
  const warmup = arg("warmup-seconds", 20);
  const flushMs = arg("flush-ms", DEFAULT_FLUSH_MS);
  setLogSink(() => {}); // the dropped-client warning is expected here
  const bus = new EventBus();
  const hub: SseHub = new SseHub(bus, { flushMs });
  // As in the daemon: a stats event every 2 s beside the load.
  const ticker = new StatsTicker({
    publish: (e) => bus.publish(e),
    snapshot: () => ({ clients: hub.clientCount }),
  });
  hub.start();
  ticker.start();
  const app = new Hono().route("/", streamRoutes(hub));
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    app.fetch,
  );
  const port = server.addr.port;

  progress(`${clients} clients connecting to 127.0.0.1:${port}`);
  const swarm = spawnChild("clients", port, [`--clients=${clients}`]);
  const lines = jsonLines(swarm.stdout);
  const ready = (await lines.next()).value;
  if (!ready || ready.ready !== clients) {
    throw new Error(`client swarm did not start: ${JSON.stringify(ready)}`);
  }
  const parentSkew = wallMs() - Date.now();
  while (hub.clientCount < clients) await sleep(10);
  const rssConnected = rssMb();
  let seq = 0;
  if (warmup > 0) {
    progress(`warm-up: ${rate} events/s for ${warmup} s (not measured)`);
    seq = await publishFor(bus, 0, rate, warmup, seq);
  }
  const measuredFrom = seq;
  progress(`phase 1: ${rate} events/s for ${seconds} s`);
  const rssStart = rssMb();
  const cpu0 = [cpuSeconds(Deno.pid), cpuSeconds(swarm.pid)];
  const w0 = performance.now();
  const lag = loopLag();
  const rss1: number[] = [rssStart];
  seq = await publishFor(bus, 1, rate, seconds, seq, undefined, () => rss1.push(rssMb()));
  const wall1 = (performance.now() - w0) / 1000;
  const serverLag = lag.stop();
  const serverCpu = cpuPct(cpu0[0], cpuSeconds(Deno.pid), wall1);
  const clientsCpu = cpuPct(cpu0[1], cpuSeconds(swarm.pid), wall1);
  await sleep(200);
  const rssEnd = rssMb();
  const dropped1 = hub.droppedClients;

  progress(`phase 2: one stalled client, at least ${stallSeconds} s and until it is dropped (≤ 60 s)`);
  const staller = spawnChild("stall", port);
  const stallLines = jsonLines(staller.stdout);
  await stallLines.next();
  while (hub.clientCount < clients + 1 - dropped1) await sleep(10);
  const rss2: number[] = [rssMb()];
  const cpu2 = [cpuSeconds(Deno.pid), cpuSeconds(swarm.pid)];
  const lag2 = loopLag();
  const t2 = performance.now();
  let droppedAfter: number | null = null;
  const watch = setInterval(() => {
    if (droppedAfter === null && hub.droppedClients > dropped1) {
      droppedAfter = (performance.now() - t2) / 1000;
    }
  }, 10);
  seq = await publishFor(
    bus,
    2,
    rate,
    stallSeconds,
    seq,
    () => droppedAfter === null && performance.now() - t2 < 60_000,
    () => rss2.push(rssMb()),
  );
  clearInterval(watch);
  const phase2S = (performance.now() - t2) / 1000;
  const serverLag2 = lag2.stop();
  const serverCpu2 = cpuPct(cpu2[0], cpuSeconds(Deno.pid), phase2S);
  const clientsCpu2 = cpuPct(cpu2[1], cpuSeconds(swarm.pid), phase2S);
  await sleep(200);
  rss2.push(rssMb());

  bus.publish(benchEvent(END_PHASE, seq));
  const result = (await lines.next()).value as Record<string, Record<string, number> & number>;
  await swarm.status;
  await staller.stdin.close();
  const stallEnd = (await stallLines.next()).value as { saw_dropped: boolean; ended: boolean; bytes: number };
  await staller.status;
  ticker.stop();
  await hub.stop();
  // Every client has gone by now, so a graceful shutdown finishes at once. (Had a peer stopped reading
  // with its socket full, Deno's shutdown() would wait for it forever.)
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const shutdown = await Promise.race([
    server.shutdown().then(() => "done"),
    new Promise<string>((r) => deadline = setTimeout(() => r("timed out"), 3000)),
  ]);
  clearTimeout(deadline);
  if (shutdown !== "done") progress("the server's shutdown did not finish within 3 s");

  // The stalled client itself saw the hub's closing comment: it was the one dropped.
  const stalledDropped = stallEnd.saw_dropped && stallEnd.ended;
  const out: SseFanoutResult = {
    clients,
    events_per_s: rate,
    seconds,
    warmup_seconds: warmup,
    flush_ms: flushMs,
    cpus: navigator.hardwareConcurrency,
    events_published: seq - measuredFrom,
    events_received: result.received,
    events_lost: result.lost,
    clock_skew_ms: Math.round(Math.abs((ready.clock_skew_ms as number) - parentSkew) * 100) / 100,
    p50_ms: result.phase1.p50,
    p90_ms: result.phase1.p90,
    p99_ms: result.phase1.p99,
    max_ms: result.phase1.max,
    dropped_clients: dropped1,
    clients_ended_early: result.ended_early,
    rss_mb_connected: rssConnected,
    rss_mb_start: rssStart,
    rss_mb_end: rssEnd,
    rss_mb_by_second: rss1,
    second_max_ms: result.second_max as unknown as number[],
    server_loop_lag_ms: serverLag,
    clients_loop_lag_ms: result.loop_lag as unknown as number[],
    server_cpu_pct: serverCpu.total,
    server_sys_pct: serverCpu.sys,
    clients_cpu_pct: clientsCpu.total,
    clients_sys_pct: clientsCpu.sys,
    stalled: {
      seconds: Math.round(phase2S * 10) / 10,
      dropped: stalledDropped,
      dropped_after_s: droppedAfter === null ? null : Math.round(droppedAfter * 10) / 10,
      other_clients_dropped: hub.droppedClients - dropped1 - (stalledDropped ? 1 : 0),
      p50_ms: result.phase2.p50,
      p99_ms: result.phase2.p99,
      rss_mb_start: rss2[0],
      rss_mb_max: Math.max(...rss2),
      rss_mb_end: rss2[rss2.length - 1],
      rss_mb_by_second: rss2,
      server_loop_lag_ms: serverLag2,
      server_cpu_pct: serverCpu2.total,
      clients_cpu_pct: clientsCpu2.total,
    },
  };
  console.log(JSON.stringify(out));
}

if (import.meta.main) {
  const role = Deno.args.find((a) => a.startsWith("--role="))?.slice(7);
  try {
    if (role === "clients") await runClients(arg("port", 0), arg("clients", 1000));
    else if (role === "stall") await runStalled(arg("port", 0));
    else {
      await drive();
      Deno.exit(0); // a connection the shutdown could not finish must not keep the bench alive
    }
  } catch (err) {
    console.error(`sse_fanout: ${role ?? "driver"} failed: ${err instanceof Error ? err.stack : err}`);
    Deno.exit(1);
  }
}
