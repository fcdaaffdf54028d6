/**
 * What start-up checks before it changes anything, so that every failure a user can cause (a state
 * directory that cannot be written, a port in use, an interface that does not exist, an API token file
 * that holds no token, a history written by a newer version) stops Flintnet with exit code 2 and one line
 * naming the setting, the value and what to do — a {@link ConfigError} — instead of a stack trace after
 * half the daemon has started.
 */
import { type Config, ConfigError, interfaceNames, loadOrCreateApiToken } from "../config/mod.ts";
import { bindHttpServer, type BoundHttpServer } from "../http/mod.ts";
import { cString, libc } from "../net/mod.ts";

/** Why a directory cannot be used, in words, from the error a file operation threw. */
function why(err: unknown): string {
  if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
    return "permission denied";
  }
  if (err instanceof Deno.errors.NotADirectory) return "a part of the path is a file, not a directory";
  if (err instanceof Deno.errors.AlreadyExists) return "a file of that name is in the way";
  const text = err instanceof Error ? err.message : String(err);
  const plain = text.replace(/ \(os error \d+\).*$/, "");
  return plain.charAt(0).toLowerCase() + plain.slice(1);
}

/**
 * Creates the state directory (mode 0700) when it is missing and proves it writable by writing and
 * removing a file; a directory that exists and is writable is left exactly as it was.
 * @throws ConfigError naming FLINTNET_STATE_DIR
 */
export async function ensureStateDir(dir: string): Promise<void> {
  const refuse = (problem: string) =>
    new ConfigError(
      `FLINTNET_STATE_DIR=${JSON.stringify(dir)} cannot be used: ${problem}; create it as a directory the ` +
        "user running Flintnet can write (e.g. mkdir -m 700), or point FLINTNET_STATE_DIR at one",
      "FLINTNET_STATE_DIR",
    );
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw refuse(why(err));
  }
  if (!(await Deno.stat(dir)).isDirectory) throw refuse("it is not a directory");
  const probe = `${dir}/.write-test-${Deno.pid}`;
  try {
    await Deno.writeTextFile(probe, "");
  } catch (err) {
    throw refuse(`it cannot be written (${why(err)})`);
  }
  await Deno.remove(probe).catch(() => {});
}

/**
 * Refuses an interface that does not exist, unless FLINTNET_INTERFACE_WAIT says to wait for it (a VLAN or
 * a USB adapter that comes up after Flintnet). An interface that exists but is down is not refused: that
 * is a cable, and capture starts when it comes up.
 * @throws ConfigError naming FLINTNET_INTERFACE
 */
export function checkInterfaces(cfg: Pick<Config, "interfaces" | "interfaceWait">): void {
  if (cfg.interfaceWait) return;
  for (const name of cfg.interfaces) {
    if (libc().if_nametoindex(cString(name)) !== 0) continue;
    const known = interfaceNames();
    throw new ConfigError(
      `FLINTNET_INTERFACE=${JSON.stringify(cfg.interfaces.join(","))} is not valid: this machine has no ` +
        `interface ${JSON.stringify(name)}${known.length ? ` (it has ${known.join(", ")})` : ""}; correct ` +
        "the name, or set FLINTNET_INTERFACE_WAIT=1 to start anyway and capture once it appears",
      "FLINTNET_INTERFACE",
    );
  }
}

/**
 * Binds the HTTP port, before anything writes state: a port in use stops start-up having changed
 * nothing.
 * @throws ConfigError naming FLINTNET_LISTEN (or the TLS files when they cannot be used together)
 */
export function bindListener(cfg: Pick<Config, "listen" | "tls" | "http">): BoundHttpServer {
  const { hostname, port } = cfg.listen;
  try {
    return bindHttpServer({
      hostname,
      port,
      cert: cfg.tls?.cert,
      key: cfg.tls?.key,
      limits: {
        readTimeoutMs: cfg.http.readTimeoutS * 1000,
        idleTimeoutMs: cfg.http.idleTimeoutS * 1000,
        maxConnections: cfg.http.maxConnections,
        maxConnectionsPerAddress: cfg.http.maxConnectionsPerAddress,
      },
    });
  } catch (err) {
    const shown = `FLINTNET_LISTEN=${
      JSON.stringify(`${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`)
    }`;
    if (err instanceof Deno.errors.AddrInUse) {
      throw new ConfigError(
        `${shown} cannot be used: the port is already in use (another Flintnet, or another server: ` +
          `ss -ltnp 'sport = :${port}' shows which); stop it, or choose another port`,
        "FLINTNET_LISTEN",
      );
    }
    if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
      throw new ConfigError(
        `${shown} cannot be used: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE); ` +
          "grant it, or choose a port of 1024 or above",
        "FLINTNET_LISTEN",
      );
    }
    if (err instanceof Deno.errors.AddrNotAvailable) {
      throw new ConfigError(
        `${shown} cannot be used: ${hostname} is not an address of this machine; use one of its ` +
          "addresses, or 0.0.0.0 for all of them",
        "FLINTNET_LISTEN",
      );
    }
    if (cfg.tls) {
      throw new ConfigError(
        `FLINTNET_TLS_CERT=${JSON.stringify(cfg.tls.cert)} and FLINTNET_TLS_KEY=${
          JSON.stringify(cfg.tls.key)
        } ` +
          `cannot be used together: ${why(err)}; give a PEM certificate chain and the private key that ` +
          "belongs to it",
        "FLINTNET_TLS_CERT",
      );
    }
    throw err;
  }
}

/**
 * The API token: FLINTNET_API_TOKEN, or the state directory's token file (created on the first start).
 * @throws ConfigError when the file holds no usable token
 */
export async function apiToken(cfg: Pick<Config, "apiToken" | "stateDir">) {
  if (cfg.apiToken) return { token: cfg.apiToken, created: false, path: "" };
  try {
    return await loadOrCreateApiToken(cfg.stateDir);
  } catch (err) {
    // loadOrCreateApiToken's own errors (plain Errors) name the file and the fix; Deno's say what failed.
    const problem = err instanceof Error && err.constructor === Error
      ? err.message
      : `the API token file in ${cfg.stateDir} cannot be read or written: ${why(err)}`;
    throw new ConfigError(`${problem}; or set FLINTNET_API_TOKEN`, "FLINTNET_API_TOKEN");
  }
}
