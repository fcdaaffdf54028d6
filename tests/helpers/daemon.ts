/**
 * The Flintnet daemon as a user starts it, for end-to-end tests: `deno run main.ts` in a subprocess with
 * FLINTNET_* settings, its JSON log lines collected, and an SSE reader for its /stream. The test owns the
 * state dir and the ports; the helper waits until the daemon says it started and prints what it logged
 * when that never happens.
 *
 * @example
 * const d = await startDaemon({ FLINTNET_INTERFACE: "lo", FLINTNET_LISTEN: "127.0.0.1:18400", … });
 * try { … } finally { await d.kill(); }
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A running daemon. */
export interface Daemon {
  /** The PID of the process started (the wrapper's, when there is one). */
  readonly pid: number;
  /** Every line it wrote to stderr so far (its JSON log). */
  readonly lines: readonly string[];
  /** The log lines parsed, skipping any that are not JSON. */
  records(): Record<string, unknown>[];
  /** Waits until a log record satisfies `pred`; rejects with the whole log after `ms`. */
  waitForLog(
    pred: (r: Record<string, unknown>) => boolean,
    ms: number,
    what: string,
  ): Promise<Record<string, unknown>>;
  /** Sends SIGTERM and waits for the exit; the exit code and how long it took. */
  terminate(): Promise<{ code: number; ms: number }>;
  /** SIGKILL if still running, then waits for the output to drain. Idempotent; never throws. */
  kill(): Promise<void>;
}

/**
 * Starts the daemon with `env` (added to this process's environment) and waits for "Flintnet started".
 * With `netns` it runs inside that network namespace (`ip netns exec`, which execs it: the child is deno).
 */
export async function startDaemon(
  env: Record<string, string>,
  startMs = 20_000,
  netns?: string,
  opts: { cwd?: string; wrap?: (argv: string[]) => string[] } = {},
): Promise<Daemon> {
  const deno = [Deno.execPath(), "run", "--allow-all", MAIN];
  const plain = netns ? ["ip", "netns", "exec", netns, ...deno] : deno;
  // A wrapper (strace, unshare …) that execs or traces the daemon; `pid` is then the wrapper's.
  const cmd = opts.wrap ? opts.wrap(plain) : plain;
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    // The collector's well-known ports stay free unless a test asks for its own.
    env: {
      FLINTNET_ENV_FILE: "/dev/null",
      FLINTNET_NETFLOW_LISTEN: "off",
      FLINTNET_IPFIX_LISTEN: "off",
      FLINTNET_SFLOW_LISTEN: "off",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // The working directory a service manager gives it (/ under systemd), when the test says.
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  }).spawn();
  const lines: string[] = [];
  const reading = (async () => {
    let buf = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      const parts = buf.split("\n");
      buf = parts.pop()!;
      lines.push(...parts);
    }
    if (buf !== "") lines.push(buf);
  })().catch(() => {});
  const stdoutDone = child.stdout.cancel().catch(() => {});
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  const records = () => {
    const out: Record<string, unknown>[] = [];
    for (const l of lines) {
      try {
        out.push(JSON.parse(l));
      } catch { /* not a log record */ }
    }
    return out;
  };
  const daemon: Daemon = {
    pid: child.pid,
    lines,
    records,
    async waitForLog(pred, ms, what) {
      const until = Date.now() + ms;
      for (;;) {
        const hit = records().find(pred);
        if (hit) return hit;
        if (exited || Date.now() > until) {
          throw new Error(`${exited ? "the daemon exited" : `timed out after ${ms} ms`} waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async terminate() {
      const at = Date.now();
      child.kill("SIGTERM");
      const s = await status;
      const ms = Date.now() - at;
      await reading;
      return { code: s.code, ms };
    },
    async kill() {
      if (!exited) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }
      await status;
      await stdoutDone;
      await reading;
    },
  };
  try {
    await daemon.waitForLog((r) => r.msg === "Flintnet started", startMs, '"Flintnet started"');
  } catch (err) {
    await daemon.kill();
    throw new Error(`${(err as Error).message}; the daemon said:\n${lines.join("\n")}`);
  }
  return daemon;
}

/** One Server-Sent Event. */
export interface SseEvent {
  /** `event:` (the event kind), "message" when absent. */
  event: string;
  /** `id:`, "" when absent. */
  id: string;
  /** `data:` lines joined with "\n". */
  data: string;
}

/** A /stream being read in the background. */
export interface SseReader {
  /** Every event received so far, in order. */
  readonly events: readonly SseEvent[];
  /** Waits for an event satisfying `pred` (already received or still to come); rejects after `ms`. */
  waitFor(pred: (e: SseEvent) => boolean, ms: number, what: string): Promise<SseEvent>;
  /** Stops reading and closes the connection. */
  close(): Promise<void>;
}

/** Opens an SSE stream with `headers` and reads it in the background. */
export async function openSse(url: string, headers: Record<string, string>): Promise<SseReader> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  if (res.status !== 200) {
    throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  }
  const events: SseEvent[] = [];
  const done = (async () => {
    let buf = "";
    for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let end;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const e: SseEvent = { event: "message", id: "", data: "" };
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) e.event = line.slice(7);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
          else if (line.startsWith("id: ")) e.id = line.slice(4);
        }
        e.data = data.join("\n");
        if (data.length > 0) events.push(e);
      }
    }
  })().catch(() => {});
  return {
    events,
    async waitFor(pred, ms, what) {
      const until = Date.now() + ms;
      for (;;) {
        const hit = events.find(pred);
        if (hit) return hit;
        if (Date.now() > until) throw new Error(`no SSE event (${what}) within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      abort.abort();
      await done;
    },
  };
}

/**
 * The settings every daemon a test starts needs (the rules of tests: loopback only, a state directory of
 * the test's, no trap port, no sweeps beyond the first), listening on 127.0.0.1:`httpPort`.
 */
export function loopbackEnv(stateDir: string, httpPort: number): Record<string, string> {
  return {
    FLINTNET_INTERFACE: "lo",
    FLINTNET_CIDR: "127.0.0.1/32",
    FLINTNET_STATE_DIR: stateDir,
    FLINTNET_TRAP_LISTEN: "off",
    FLINTNET_DISCOVERY_INTERVAL: "0",
    FLINTNET_LISTEN: `127.0.0.1:${httpPort}`,
  };
}
