/**
 * One Flintnet per state directory: two daemons writing the same devices.json, ARP state and history
 * would each overwrite what the other learned. The first takes an exclusive flock(2) on
 * `<state dir>/flintnet.lock` (Deno's FsFile.tryLockSync) and holds it while it runs; the kernel drops it
 * when the process ends, however it ends, so a crash leaves no stale lock. A second one is refused with
 * the PID of the holder, read from /proc/locks (the kernel's own record) or, failing that, from the file,
 * where the holder writes its PID for people too.
 */
import { join } from "node:path";
import { ConfigError } from "../config/mod.ts";

/** The lock file's name in the state directory. */
export const LOCK_FILE = "flintnet.lock";

/** A held lock. */
export interface InstanceLock {
  /** The lock file. */
  readonly path: string;
  /** Releases the lock (the file stays: removing it could let two holders lock two different files). */
  release(): void;
}

/**
 * Takes the lock of `stateDir`, or throws ConfigError naming the PID that holds it.
 * @throws ConfigError when another process holds it; Deno's errors when the file cannot be opened
 */
export function acquireInstanceLock(stateDir: string): InstanceLock {
  const path = join(stateDir, LOCK_FILE);
  const file = Deno.openSync(path, { read: true, write: true, create: true, mode: 0o600 });
  let locked = false;
  try {
    locked = file.tryLockSync(true);
    if (!locked) {
      const pid = holderPid(path);
      const who = pid === null ? "another Flintnet" : `another Flintnet (PID ${pid})`;
      throw new ConfigError(
        `FLINTNET_STATE_DIR=${JSON.stringify(stateDir)} is in use by ${who}: stop that one first` +
          `${pid === null ? "" : ` (kill ${pid})`}, or give this one a FLINTNET_STATE_DIR of its own`,
        "FLINTNET_STATE_DIR",
      );
    }
    file.truncateSync(0);
    const text = new TextEncoder().encode(`${Deno.pid}\n`);
    for (let at = 0; at < text.length;) at += file.writeSync(text.subarray(at));
  } catch (err) {
    if (locked) file.unlockSync();
    file.close();
    throw err;
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      file.unlockSync();
      file.close();
    },
  };
}

/** The PID holding an flock on `path`: the kernel's /proc/locks entry for its inode, else the file's text. */
export function holderPid(path: string, procLocks = "/proc/locks"): number | null {
  try {
    const ino = Deno.statSync(path).ino;
    for (const line of Deno.readTextFileSync(procLocks).split("\n")) {
      // "1: FLOCK  ADVISORY  WRITE 14100 fe:00:2146471 0 EOF" (proc(5)); blocked waiters have "->".
      const f = line.trim().split(/\s+/);
      if (f[1] !== "FLOCK" || f[3] !== "WRITE") continue;
      if (Number(f[5]?.split(":")[2]) === ino && /^\d+$/.test(f[4])) return Number(f[4]);
    }
  } catch { /* no /proc, or the file went: fall back to its text */ }
  try {
    const text = Deno.readTextFileSync(path).trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}
