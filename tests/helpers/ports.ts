/**
 * Free loopback ports for tests that start a daemon in a subprocess: the kernel picks one, the listener
 * is closed, and the port is handed over. Another process could take it in between; on a test machine
 * that is rare enough, and far rarer than two tests sharing a hard-coded port.
 */

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
export function freeUdpPort(): number {
  const l = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
