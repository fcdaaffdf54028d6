/**
 * Known-good traffic the attack signals leave alone: `attack-allowlist.txt` in the state directory, one
 * entry a line — an address (`192.0.2.7`), a network (`10.0.0.0/8`, `2001:db8::/32`), a range, or a port
 * (`port 443`, `443/tcp`, `53/udp`; a port is TCP and UDP when no protocol is given) — with `#` and `;`
 * comments. A flow with an allowed address on either side, or an allowed port on either side, gets no score
 * and does not count towards its source's. The file is optional; it is looked at on a timer (never per
 * packet) and read again when its modification time or size changed.
 */
import { createLogger, type Logger } from "../base/mod.ts";
import type { IpRangeSet } from "../net/mod.ts";
import { parseBlocklist } from "./blocklist_file.ts";

/** The file's name in the state directory. */
export const ALLOWLIST_FILE = "attack-allowlist.txt";

/** What an allow-list file holds. */
export interface ParsedAllowlist {
  /** Allowed addresses and networks. */
  addresses: IpRangeSet;
  /** Allowed TCP ports (a bit per port). */
  tcpPorts: Uint8Array;
  /** Allowed UDP ports. */
  udpPorts: Uint8Array;
  /** Entries read. */
  entries: number;
  /** Lines not understood. */
  malformed: number;
}

/** Parses an allow list's text. */
export function parseAllowlist(text: string): ParsedAllowlist {
  const tcp = new Uint8Array(65_536), udp = new Uint8Array(65_536);
  const addressLines: string[] = [];
  let ports = 0, malformed = 0;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[#;].*$/, "").trim();
    if (line === "") continue;
    const m = /^(?:port\s+)?(\d{1,5})(?:\/(tcp|udp))?$/i.exec(line);
    if (m && (line.toLowerCase().startsWith("port") || m[2] !== undefined)) {
      const p = Number(m[1]);
      if (p > 65_535) {
        malformed++;
        continue;
      }
      const proto = m[2]?.toLowerCase();
      if (proto !== "udp") tcp[p] = 1;
      if (proto !== "tcp") udp[p] = 1;
      ports++;
    } else addressLines.push(line);
  }
  const parsed = parseBlocklist(new TextEncoder().encode(addressLines.join("\n")));
  return {
    addresses: parsed.set,
    tcpPorts: tcp,
    udpPorts: udp,
    entries: ports + parsed.entries,
    malformed: malformed + parsed.malformed,
  };
}

/** The allow list, kept current. */
export class AttackAllowlist {
  readonly #path: string | null;
  readonly #log: Logger = createLogger("attack");
  #mtime = NaN;
  #size = -1;
  #list: ParsedAllowlist = parseAllowlist("");
  /** Entries in use. */
  entries = 0;

  /** `path` null: nothing is allowed (replay without a state directory). */
  constructor(path: string | null) {
    this.#path = path;
  }

  /** Reads the file if it changed; a missing file allows nothing. Never throws. */
  async refresh(): Promise<void> {
    if (this.#path === null) return;
    let info: Deno.FileInfo | null = null;
    try {
      info = await Deno.stat(this.#path);
    } catch { /* no file: nothing allowed */ }
    const mtime = info?.mtime?.getTime() ?? 0, size = info?.size ?? -1;
    if (mtime === this.#mtime && size === this.#size) return;
    this.#mtime = mtime;
    this.#size = size;
    let text = "";
    if (info) {
      try {
        text = await Deno.readTextFile(this.#path);
      } catch (err) {
        this.#log.error("the attack allow list cannot be read; nothing is allowed", {
          path: this.#path,
          error: err,
        });
      }
    }
    this.#list = parseAllowlist(text);
    this.entries = this.#list.entries;
    if (info) {
      this.#log.info("attack allow list loaded", {
        path: this.#path,
        entries: this.#list.entries,
        malformed: this.#list.malformed,
      });
    }
  }

  /** True when the flow's addresses or ports are allowed. No allocation. */
  allows(
    family: number,
    src: ArrayLike<number>,
    dst: ArrayLike<number>,
    o: number,
    proto: number,
    sp: number,
    dp: number,
  ): boolean {
    const l = this.#list;
    if (this.entries === 0) return false;
    const ports = proto === 6 ? l.tcpPorts : proto === 17 ? l.udpPorts : null;
    if (ports !== null && (ports[sp] === 1 || ports[dp] === 1)) return true;
    return l.addresses.find(family, src, o) >= 0 || l.addresses.find(family, dst, o) >= 0;
  }
}
