/**
 * The bearer token that guards the REST API when FLINTNET_API_TOKEN is not set.
 *
 * Zero configuration still means authenticated: on first start a random token
 * is written to `<state dir>/api-token` (mode 0600), and the operator reads it
 * from there (`sudo cat /var/lib/flintnet/api-token`).
 */

import { createLogger, writeFileAtomic } from "../base/mod.ts";

/** Name of the token file inside the state directory. */
export const API_TOKEN_FILE = "api-token";

/** Shortest token accepted, from a file or FLINTNET_API_TOKEN. */
export const MIN_API_TOKEN_LENGTH = 16;

/** Result of {@link loadOrCreateApiToken}. */
export interface ApiTokenFile {
  /** The token, without surrounding whitespace. */
  token: string;
  /** True when this call generated the token. */
  created: boolean;
  /** Where the token is kept. */
  path: string;
}

/**
 * Reads the API token from `<stateDir>/api-token`, creating it (32 random
 * bytes, base64url, mode 0600) when absent. A file readable by group or
 * others is tightened to 0600 with a warning.
 *
 * @throws Error naming the path and the fix when the file holds no usable token
 */
export async function loadOrCreateApiToken(stateDir: string): Promise<ApiTokenFile> {
  const path = `${stateDir.length > 1 ? stateDir.replace(/\/+$/, "") : stateDir}/${API_TOKEN_FILE}`;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    const token = generateApiToken();
    await Deno.mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, token + "\n", { mode: 0o600 });
    return { token, created: true, path };
  }
  if (!info.isFile) {
    throw new Error(`${path} is not a regular file: remove it so a new API token can be generated`);
  }
  const mode = (info.mode ?? 0) & 0o777;
  if ((mode & 0o077) !== 0) {
    // Tighten before reading so the window in which others can read it closes as early as possible.
    await Deno.chmod(path, 0o600);
    createLogger("api").warn("API token file was readable by other users; changed its mode to 0600", {
      path,
      previousMode: "0" + mode.toString(8),
    });
  }
  const token = (await Deno.readTextFile(path)).trim();
  const problem = apiTokenProblem(token);
  if (problem !== undefined) {
    throw new Error(
      `${path} does not hold a usable API token (${problem}): delete it to have a new one generated, ` +
        `or write a token of at least ${MIN_API_TOKEN_LENGTH} characters without whitespace into it`,
    );
  }
  return { token, created: false, path };
}

/** 32 random bytes as unpadded base64url (43 characters). */
export function generateApiToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Why `token` is unusable (without echoing it), or undefined when it is fine. */
export function apiTokenProblem(token: string): string | undefined {
  if (token.length === 0) return "it is empty";
  if (token.length < MIN_API_TOKEN_LENGTH) return `it has ${token.length} characters`;
  // deno-lint-ignore no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(token)) return "it contains whitespace or control characters";
  return undefined;
}
