/**
 * Crash-safe file replacement for state (devices.json, the API token, …).
 *
 * Readers see either the old file or the new one, never a torn mix: the data
 * goes to a temporary file in the same directory (rename(2) is only atomic
 * within one filesystem), is fsync'ed so the rename cannot reach the disk
 * before the bytes do, and then replaces the target. The directory is
 * fsync'ed last so the rename itself survives a power cut.
 * See rename(2) and fsync(2) ("calling fsync() on a file does not necessarily
 * ensure that the entry in the directory containing the file has also
 * reached disk").
 */

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * Permission bits of the new file (e.g. 0o600), applied regardless of umask.
   * @default the existing target's mode, or 0o666 minus the umask for a new file
   */
  mode?: number;
}

/**
 * Replaces `path` with `data` atomically. `data` may also be the text in pieces, in order: each piece is
 * asked for only after the one before was written, and each write is awaited, so a large state file is
 * made a slice at a time while the thread runs other work between slices, instead of the thread stopping
 * until the whole text is built (the device registry and the ARP history at their bounds held it
 * 0.3–0.6 s a save).
 *
 * On failure — of a write, or of the pieces themselves (an exception while making one) — the target is
 * untouched, the temporary file is removed and the error is rethrown.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | Iterable<string>,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
  const base = path.slice(slash + 1);
  const rand = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  // A dot name keeps it out of globs; pid + random keeps two writers apart.
  const tmp = `${dir === "/" ? "" : dir}/.${base}.${Deno.pid}.${rand}.tmp`;
  const mode = opts.mode ?? await existingMode(path);
  // A string is iterable too (by characters): it is one piece.
  const pieces = typeof data === "string" || data instanceof Uint8Array ? [data] : data;
  const encoder = new TextEncoder();

  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(tmp, { write: true, createNew: true, mode: mode ?? 0o666 });
    // open(2) applies the umask; an explicit mode must hold exactly.
    if (mode !== undefined) await Deno.chmod(tmp, mode);
    for (const piece of pieces) {
      const bytes = typeof piece === "string" ? encoder.encode(piece) : piece;
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
    }
    await file.sync();
    file.close();
    file = undefined;
    await Deno.rename(tmp, path);
  } catch (err) {
    try {
      file?.close();
    } catch {
      // already closed
    }
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
  syncDirectory(dir);
}

async function existingMode(path: string): Promise<number | undefined> {
  try {
    const mode = (await Deno.stat(path)).mode;
    return mode === null ? undefined : mode & 0o7777;
  } catch {
    return undefined;
  }
}

function syncDirectory(dir: string): void {
  let handle: Deno.FsFile | undefined;
  try {
    handle = Deno.openSync(dir, { read: true });
    handle.syncSync();
  } catch (err) {
    // Some filesystems refuse fsync on a directory; the rename already happened.
    const code = (err as { code?: string }).code;
    if (code !== "EINVAL" && code !== "EISDIR" && !(err instanceof Deno.errors.IsADirectory)) throw err;
  } finally {
    handle?.close();
  }
}
