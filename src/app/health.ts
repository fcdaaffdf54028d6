/**
 * What /healthz calls degraded: a configured part of the daemon that is not running — a capture whose
 * interface is missing or down, a trap port that could not be bound — each as one sentence a person can
 * act on.
 */
import type { LiveCapture } from "../capture/mod.ts";

/** A capture's report, as LiveCapture.stats() gives it. */
type CaptureStats = ReturnType<LiveCapture["stats"]>;

/** Why a capture in `state` is not capturing. */
const NOT_CAPTURING: Record<string, string> = {
  waiting: "the interface does not exist (waiting for it to appear)",
  down: "the interface is down or cannot be captured on (see the log)",
  starting: "it is starting",
  stopped: "it has stopped",
};

/** One sentence per configured part that is not running; empty when all run. */
export function healthProblems(
  captures: readonly CaptureStats[],
  devices?: Record<string, unknown>,
): string[] {
  const problems: string[] = [];
  for (const c of captures) {
    if (c.state === "capturing") continue;
    problems.push(`capture on ${c.iface} is not running: ${NOT_CAPTURING[c.state] ?? c.state}`);
  }
  const traps = devices?.traps as { listening?: boolean; error?: string | null } | undefined;
  if (traps && !traps.listening && traps.error) problems.push(`SNMP traps are not received: ${traps.error}`);
  return problems;
}
