/**
 * Shuts down one of this process's TCP sockets by its addresses, through /proc and libc's shutdown(2),
 * for the one case where Deno cannot close a socket itself: a TLS connection whose handshake the client
 * never starts or never finishes. Deno keeps such a socket open after `close()` for as long as the client
 * does (measured on 2.9.6: a silent client stayed connected, ESTABLISHED on the server, after the
 * TlsConn was closed), because the pending handshake still holds it. shutdown(SHUT_RDWR) makes that
 * handshake read end-of-file, so it fails and Deno lets the socket go.
 *
 * The socket is found by its local and remote address and port in /proc/self/net/tcp and tcp6 (its
 * inode), then among /proc/self/fd (the descriptor whose link is `socket:[inode]`). Linux only; rare
 * path (a deadline missed by a TLS client), so reading /proc each time is fine.
 */
import { parseIp } from "./address.ts";
import { libc } from "./libc_ffi.ts";

/** shutdown(2) `how`: further receptions and transmissions are disallowed (<sys/socket.h>). */
const SHUT_RDWR = 2;

/** An address as 16 bytes of words in network order, IPv4 as ::ffff:a.b.c.d, or undefined. */
function mapped(hostname: string): string | undefined {
  const ip = parseIp(hostname);
  if (ip === undefined) return undefined;
  const w = ip.family === 4 ? [0, 0, 0xffff, ip.words[0]] : [...ip.words];
  return w.map((x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
}

/** A /proc/net/tcp{,6} address ("0100007F:1F90"): the words as printed in host (little-endian) order. */
function procAddress(field: string): { addr: string; port: number } | undefined {
  const [hex, port] = field.split(":");
  if (hex === undefined || port === undefined || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const words: number[] = [];
  for (let i = 0; i < hex.length; i += 8) {
    const le = parseInt(hex.slice(i, i + 8), 16);
    words.push(((le & 0xff) << 24 | (le & 0xff00) << 8 | (le >>> 8) & 0xff00 | le >>> 24) >>> 0);
  }
  const w = words.length === 1 ? [0, 0, 0xffff, words[0]] : words;
  return { addr: w.map((x) => x.toString(16).padStart(8, "0")).join(""), port: parseInt(port, 16) };
}

/** The inode of this process's TCP socket from `local` to `remote`, or undefined. */
export function tcpSocketInode(
  local: Deno.NetAddr,
  remote: Deno.NetAddr,
  proc = "/proc/self/net",
): string | undefined {
  const [l, r] = [mapped(local.hostname), mapped(remote.hostname)];
  if (l === undefined || r === undefined) return undefined;
  for (const table of ["tcp", "tcp6"]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(`${proc}/${table}`);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode (proc(5))
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[9] === "0") continue;
      const a = procAddress(f[1]), b = procAddress(f[2]);
      if (a?.port === local.port && b?.port === remote.port && a.addr === l && b.addr === r) return f[9];
    }
  }
  return undefined;
}

/**
 * shutdown(SHUT_RDWR) on this process's TCP socket from `local` to `remote`; true when one was found and
 * shut down. Never throws.
 */
export function shutdownTcpSocket(local: Deno.NetAddr, remote: Deno.NetAddr): boolean {
  try {
    const inode = tcpSocketInode(local, remote);
    if (inode === undefined) return false;
    const link = `socket:[${inode}]`;
    for (const e of Deno.readDirSync("/proc/self/fd")) {
      let target: string;
      try {
        target = Deno.readLinkSync(`/proc/self/fd/${e.name}`);
      } catch {
        continue; // closed meanwhile
      }
      if (target === link) return libc().shutdown(Number(e.name), SHUT_RDWR) === 0;
    }
  } catch { /* no /proc, or no libc: nothing more can be done */ }
  return false;
}
