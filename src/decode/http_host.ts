/**
 * The Host of an HTTP/1.x request head (RFC 9112 §3.2: the Host header field; an absolute-form target's
 * authority when a proxy is asked). The slow path, on the copy the decoder set aside. Bad input gives null.
 */
import { hostText } from "./tls_client_hello.ts";

/** The head is read up to this many lines (request line included). */
const MAX_LINES = 64;

/** The host name (without a port) of the request whose head starts at `b[0]`, lower case, or null. */
export function httpRequestHost(b: Uint8Array): string | null {
  let p = 0, line = 0;
  while (p < b.length && line++ < MAX_LINES) {
    let e = p;
    while (e < b.length && b[e] !== 0x0a) e++;
    if (e >= b.length) return null; // the line (and the head) was cut off
    const stop = e > p && b[e - 1] === 0x0d ? e - 1 : e;
    if (stop === p) return null; // the empty line: end of the head without a Host
    if (line === 1) {
      // method SP request-target SP HTTP-version; absolute-form "http://host[:port]/…"
      const sp = b.indexOf(0x20, p);
      if (sp < 0 || sp > stop) return null;
      if (stop - sp > 8 && b[sp + 1] === 0x68 && b[sp + 5] === 0x3a && b[sp + 6] === 0x2f) {
        let q = sp + 8, r = q;
        while (r < stop && b[r] !== 0x2f && b[r] !== 0x3a && b[r] !== 0x20) r++;
        const h = hostText(b, q, r);
        if (h) return h;
        q = r;
      }
    } else if (
      stop - p > 5 && (b[p] | 0x20) === 0x68 && (b[p + 1] | 0x20) === 0x6f &&
      (b[p + 2] | 0x20) === 0x73 && (b[p + 3] | 0x20) === 0x74 && b[p + 4] === 0x3a
    ) {
      let q = p + 5;
      while (q < stop && (b[q] === 0x20 || b[q] === 0x09)) q++;
      let r = stop;
      while (r > q && (b[r - 1] === 0x20 || b[r - 1] === 0x09)) r--;
      // drop a port, but not the colons of a bracketed IPv6 literal
      if (b[q] === 0x5b) {
        const close = b.indexOf(0x5d, q);
        if (close > q && close < r) return hostText(b, q, close + 1);
        return null;
      }
      for (let i = q; i < r; i++) {
        if (b[i] === 0x3a) {
          r = i;
          break;
        }
      }
      return hostText(b, q, r);
    }
    p = e + 1;
  }
  return null;
}
