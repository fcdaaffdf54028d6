/**
 * What every state file in the state dir (devices.json, arp-state.json) needs around writeFileAtomic:
 * an unreadable file is renamed out of the way rather than overwritten or dropped, and the temporary
 * files of saves killed mid-write are cleared at start.
 */

/**
 * Renames `path` to `<path>.corrupt-<UTC timestamp>` (with `-<n>` when that name is taken), so a later
 * save cannot overwrite what a person may want to look at. Returns the new name.
 */
export async function moveAside(path: string, now: () => number = Date.now): Promise<string> {
  // 2026-01-22T10:15:00.123Z → 20260122T101500123Z: no colons, sorts by time.
  const stamp = new Date(now()).toISOString().replace(/[-:.]/g, "");
  let target = `${path}.corrupt-${stamp}`;
  for (let n = 1; await exists(target); n++) target = `${path}.corrupt-${stamp}-${n}`;
  await Deno.rename(path, target);
  return target;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/**
 * Loads a state file written with writeFileAtomic: clears the temporary files of saves killed mid-write,
 * reads the text and hands it to `restore`. When `restore` throws an error of class `Unusable` (the content
 * is wrong, not the disk), the file is moved aside and `onUnusable` told where, with the reason; any other
 * error is thrown. Returns false when there is no file (a first start).
 */
export async function loadStateFile(
  path: string,
  restore: (text: string) => void,
  Unusable: new (...args: never[]) => Error,
  onUnusable: (movedTo: string, reason: string) => void,
): Promise<boolean> {
  await removeStaleTempFiles(path);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
  try {
    restore(text);
  } catch (err) {
    if (!(err instanceof Unusable)) throw err;
    onUnusable(await moveAside(path), err.message);
  }
  return true;
}

/**
 * Removes the `.<name>.<pid>.<random>.tmp` files writeFileAtomic left beside `path` when a save was
 * killed mid-write. Only other processes' files: this one's own saves may be in flight. Returns how
 * many were removed.
 */
export async function removeStaleTempFiles(path: string): Promise<number> {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
  const base = path.slice(slash + 1);
  let removed = 0;
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile || !e.name.startsWith(`.${base}.`) || !e.name.endsWith(".tmp")) continue;
      const pid = e.name.slice(base.length + 2).split(".")[0];
      if (!/^\d+$/.test(pid) || Number(pid) === Deno.pid) continue;
      await Deno.remove(`${dir}/${e.name}`).then(() => removed++, () => {});
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return removed;
}

/**
 * The whole of `path`, read into one buffer of the file's size. Deno.readFile grows its buffer as it
 * reads: on a 57 MB devices.json (100 k devices) that took 370–690 ms here against 200–290 ms for this,
 * every first touch of a page being the cost on this machine. Throws as Deno.readFile does (NotFound…).
 */
export async function readWholeFile(path: string): Promise<Uint8Array> {
  using file = await Deno.open(path);
  const size = (await file.stat()).size;
  let buf = new Uint8Array(size + 1); // one byte more: a file that grew since stat is read to its end
  let used = 0;
  for (;;) {
    if (used === buf.length) {
      const grown = new Uint8Array(buf.length * 2);
      grown.set(buf);
      buf = grown;
    }
    const n = await file.read(buf.subarray(used));
    if (n === null) break;
    used += n;
  }
  return buf.subarray(0, used);
}

/**
 * `bytes` as UTF-8 text; a TypeError when they are not UTF-8. The lenient decoder is three times faster
 * than the fatal one on large files (160 against 470–620 ms on 57 MB) and turns a bad sequence into
 * U+FFFD; only when that character appears (a bad byte, or a U+FFFD the file really holds) is the text
 * decoded again strictly to tell which.
 */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes);
  return text.includes("\uFFFD") ? new TextDecoder("utf-8", { fatal: true }).decode(bytes) : text;
}
