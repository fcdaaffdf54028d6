/**
 * Which commit this Flintnet was built from. `deno task compile` (scripts/compile.ts) writes the commit
 * into `build_commit.txt` beside this file and embeds it; run from a checkout, the checkout's git says
 * it. Read when asked (`flintnet version`, GET /version), never at import time.
 */

/** The file scripts/compile.ts writes and embeds; not in git. */
export const BUILD_COMMIT_FILE = new URL("./build_commit.txt", import.meta.url);

/** What the commit is called when neither an embedded file nor git can say. */
export const UNKNOWN_COMMIT = "unknown";

let cached: Promise<string> | undefined;

/**
 * The commit this build came from: the embedded `build_commit.txt`, else `git rev-parse` in the
 * checkout this file lives in (with `-dirty` when it has uncommitted changes), else "unknown".
 */
export function buildCommit(): Promise<string> {
  cached ??= readCommit();
  return cached;
}

async function readCommit(): Promise<string> {
  try {
    const text = (await Deno.readTextFile(BUILD_COMMIT_FILE)).trim();
    if (/^[0-9a-f]{7,40}(-dirty)?$/.test(text)) return text;
  } catch { /* not a compiled build: ask git */ }
  if (BUILD_COMMIT_FILE.protocol !== "file:") return UNKNOWN_COMMIT;
  return await gitCommit(decodeURIComponent(new URL("./", import.meta.url).pathname)) ?? UNKNOWN_COMMIT;
}

/**
 * `git rev-parse --short=12 HEAD` in `dir`, with `-dirty` when tracked files differ from it; undefined
 * when dir is not in a git checkout or git is not installed.
 */
export async function gitCommit(dir: string): Promise<string | undefined> {
  const git = async (...args: string[]) => {
    try {
      const out = await new Deno.Command("git", { args: ["-C", dir, ...args], stdin: "null", stderr: "null" })
        .output();
      return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
    } catch {
      return undefined; // git is not installed, or running programs is not allowed
    }
  };
  const head = await git("rev-parse", "--short=12", "HEAD");
  if (head === undefined || !/^[0-9a-f]{7,40}$/.test(head)) return undefined;
  const status = await git("status", "--porcelain", "--untracked-files=no");
  return status ? `${head}-dirty` : head;
}
