/**
 * The server name of a TLS ClientHello (RFC 8446 §4.1.2; the server_name extension of RFC 6066 §3). The
 * slow path, on reassembled bytes: the handshake message may span several records' worth of TCP segments,
 * the caller hands in what it gathered. Bad input gives null, never a throw.
 */

/** Record type handshake and handshake type client_hello (RFC 8446 §5.1, §4). */
const HANDSHAKE = 0x16, CLIENT_HELLO = 1;
/** Extension type server_name (RFC 6066 §3) and its name type host_name. */
const SERVER_NAME = 0, HOST_NAME = 0;

/** The octets a ClientHello starting at `b[0]` (its record header) needs in all: 5 + the record length. */
export function clientHelloLength(b: Uint8Array): number {
  if (b.length < 5 || b[0] !== HANDSHAKE) return 0;
  return 5 + ((b[3] << 8) | b[4]);
}

/**
 * The SNI host name of the ClientHello whose TLS record starts at `b[0]`, lower case, or null when there is
 * none (no extension, not a ClientHello, cut short before the extension).
 */
export function clientHelloServerName(b: Uint8Array): string | null {
  // record: type (1) | legacy_version (2) | length (2)
  if (b.length < 9 || b[0] !== HANDSHAKE || b[5] !== CLIENT_HELLO) return null;
  const end = Math.min(b.length, 5 + ((b[3] << 8) | b[4]));
  // handshake: type (1) | length (3); then legacy_version (2) | random (32)
  let p = 9 + 2 + 32;
  if (p + 1 > end) return null;
  p += 1 + b[p]; // legacy_session_id <0..32>
  if (p + 2 > end) return null;
  p += 2 + ((b[p] << 8) | b[p + 1]); // cipher_suites <2..2^16-2>
  if (p + 1 > end) return null;
  p += 1 + b[p]; // legacy_compression_methods <1..2^8-1>
  if (p + 2 > end) return null;
  const extEnd = Math.min(end, p + 2 + ((b[p] << 8) | b[p + 1]));
  p += 2;
  while (p + 4 <= extEnd) {
    const type = (b[p] << 8) | b[p + 1], len = (b[p + 2] << 8) | b[p + 3];
    p += 4;
    if (p + len > extEnd) return null;
    if (type === SERVER_NAME) {
      // ServerNameList: length (2), then entries of name_type (1) | HostName <1..2^16-1>
      let q = p + 2;
      const listEnd = Math.min(p + len, p + 2 + ((b[p] << 8) | b[p + 1]));
      while (q + 3 <= listEnd) {
        const t = b[q], n = (b[q + 1] << 8) | b[q + 2];
        q += 3;
        if (q + n > listEnd) return null;
        if (t === HOST_NAME) return hostText(b, q, q + n);
        q += n;
      }
      return null;
    }
    p += len;
  }
  return null;
}

/** Host name octets as text: printable ASCII only (RFC 6066 §3: no trailing dot, ASCII), lower case. */
export function hostText(b: Uint8Array, from: number, to: number): string | null {
  if (to <= from || to - from > 253) return null;
  let s = "";
  for (let i = from; i < to; i++) {
    const c = b[i];
    if (c <= 0x20 || c >= 0x7f) return null;
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
  }
  return s;
}
