/**
 * A helper's view of a real daemon it spawned (snmpd, snmpsimd, aiosmtpd): everything the daemon prints
 * collected as text for a failing test to show, whether it has exited, and a stop that cannot hang on a
 * daemon that ignores SIGTERM.
 *
 * @example
 * const child = watchChild(new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).spawn());
 * try { … child.output() … } finally { await child.stop(); }
 */

/** Options of {@link watchChild}. */
export interface WatchOptions {
  /** Keep only about this many of the last characters of output (a daemon that logs every request). */
  outputLimit?: number;
}

/** A spawned daemon being watched. */
export interface WatchedChild {
  /** Whether it has exited. */
  readonly exited: boolean;
  /** Its stdout and stderr so far, interleaved as they arrived (the last `outputLimit` characters). */
  output(): string;
  /**
   * SIGTERM, then SIGKILL when it is still running 3 s later; resolves once it has exited and its
   * output is drained. Idempotent; never throws.
   */
  stop(): Promise<void>;
}

/** How long a daemon gets to exit after SIGTERM before it is killed. */
const KILL_AFTER_MS = 3000;

/** Collects the output of `child` (spawned with stdout and stderr piped) and returns a handle to stop it. */
export function watchChild(child: Deno.ChildProcess, opts: WatchOptions = {}): WatchedChild {
  const limit = opts.outputLimit ?? Infinity;
  let text = "";
  const decoder = new TextDecoder();
  const append = (chunk: Uint8Array) => {
    text += decoder.decode(chunk, { stream: true });
    // Cut at twice the limit, not at every chunk, so a chatty daemon does not cost a copy per line.
    if (text.length > 2 * limit) text = text.slice(-limit);
  };
  const pump = (s: ReadableStream<Uint8Array>) =>
    s.pipeTo(new WritableStream({ write: append })).catch(() => {});
  const pumps = [pump(child.stdout), pump(child.stderr)];
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  let stopping: Promise<void> | undefined;
  const signal = (sig: Deno.Signal) => {
    try {
      child.kill(sig);
    } catch { /* already gone */ }
  };
  return {
    get exited() {
      return exited;
    },
    output: () => text.length > limit ? text.slice(-limit) : text,
    stop() {
      stopping ??= (async () => {
        if (!exited) signal("SIGTERM");
        const timer = setTimeout(() => signal("SIGKILL"), KILL_AFTER_MS);
        await status;
        clearTimeout(timer);
        await Promise.all(pumps);
      })();
      return stopping;
    },
  };
}
