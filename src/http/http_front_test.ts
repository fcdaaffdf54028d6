/**
 * The front against real slow clients on raw sockets: each bad client is closed by the server (it reads
 * end-of-file, not its own timeout), and a normal client is answered meanwhile. Deadlines are short here;
 * the helpers wait up to 10 s for a close, so a server that never closes fails instead of hanging.
 */
import assert from "node:assert/strict";
import { createLogger, setLogSink } from "../base/log.ts";
import { type FrontLimits, HttpFront } from "./http_front.ts";
import { hasOpenssl, makeTestCert } from "../../tests/helpers/test_cert.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
/** How long a test waits for the server to close a connection before calling it never closed. */
const GIVE_UP_MS = 10_000;

/** A front on `hostname` answering "hello" (and an event stream on /stream), with the given limits. */
async function withFront(
  limits: Partial<FrontLimits>,
  fn: (front: HttpFront, port: number, logs: string[]) => Promise<void>,
  hostname = "127.0.0.1",
): Promise<void> {
  const logs: string[] = [];
  setLogSink((l) => logs.push(l));
  const front = HttpFront.listen({ hostname, port: 0, limits, log: createLogger("http") });
  const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  front.serve(async (req) => {
    if (req.body) await req.arrayBuffer();
    if (new URL(req.url).pathname === "/stream") {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          streams.push(c);
          c.enqueue(enc.encode(": hi\n\n"));
        },
      });
      return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
    }
    return new Response("hello");
  });
  try {
    await fn(front, front.addr.port, logs);
  } finally {
    for (const s of streams) {
      try {
        s.close();
      } catch { /* ended */ }
    }
    await front.close(1000);
    setLogSink(undefined);
  }
}

/** A raw client that has sent `first`. */
async function raw(port: number, first: string, hostname = "127.0.0.1"): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname, port });
  if (first) await conn.write(enc.encode(first));
  return conn;
}

/** Reads until the server closes; returns what it sent, or throws when it has not closed in time. */
async function closedByServer(conn: Deno.Conn, what: string): Promise<string> {
  let text = "";
  const timer = setTimeout(() => conn.close(), GIVE_UP_MS);
  let gaveUp = false;
  try {
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buf).catch((e) => {
        if (e instanceof Deno.errors.BadResource) gaveUp = true;
        else if (!(e instanceof Deno.errors.ConnectionReset)) throw e;
        return null;
      });
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
  if (gaveUp) throw new Error(`${what}: the server had not closed it after ${GIVE_UP_MS} ms`);
  try {
    conn.close();
  } catch { /* closed */ }
  return text;
}

async function answered(port: number, hostname = "127.0.0.1"): Promise<number> {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const res = await fetch(`http://${host}:${port}/`);
  await res.text();
  return res.status;
}

Deno.test("the front closes a client that sent half a request head, and answers others meanwhile", async () => {
  await withFront({ readTimeoutMs: 300 }, async (front, port) => {
    const slow = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n");
    assert.equal(await answered(port), 200);
    assert.equal(await closedByServer(slow, "half a head"), "", "closed without an answer");
    assert.equal(front.counters().closed_read_timeout, 1);
  });
});

Deno.test("the front closes a client that trickles its head a byte at a time (slowloris)", async () => {
  await withFront({ readTimeoutMs: 500 }, async (front, port) => {
    const slow = await raw(port, "GET / HTTP/1.1\r\n");
    const trickle = setInterval(() => slow.write(enc.encode("X")).catch(() => {}), 50);
    try {
      assert.equal(await answered(port), 200);
      await closedByServer(slow, "a trickled head");
    } finally {
      clearInterval(trickle);
    }
    assert.equal(front.counters().closed_read_timeout, 1);
  });
});

Deno.test("the front closes a client that declared a body and never sent it", async () => {
  await withFront({ readTimeoutMs: 300 }, async (front, port) => {
    const slow = await raw(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab");
    assert.equal(await answered(port), 200);
    await closedByServer(slow, "a body never sent");
    assert.equal(front.counters().closed_read_timeout, 1);
  });
});

Deno.test("the front closes an idle keep-alive connection after answering it", async () => {
  await withFront({ idleTimeoutMs: 300 }, async (front, port) => {
    const idle = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const got = await closedByServer(idle, "an idle keep-alive connection");
    assert.match(got, /^HTTP\/1\.1 200 OK\r\n/, "the request itself was answered");
    assert.match(got, /\r\n\r\nhello$/);
    assert.equal(front.counters().closed_idle_timeout, 1);
  });
});

Deno.test("an event stream outlives the idle timeout, and counts towards its address's cap", async () => {
  await withFront({ idleTimeoutMs: 200, maxConnectionsPerAddress: 2 }, async (front, port) => {
    const stream = await raw(port, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    const buf = new Uint8Array(4096);
    const first = dec.decode(buf.subarray(0, (await stream.read(buf))!));
    assert.match(first, /text\/event-stream/);
    await new Promise((r) => setTimeout(r, 1000)); // five idle timeouts
    assert.equal(front.counters().closed_idle_timeout, 0);
    assert.equal(front.counters().open, 1, "the stream is still open");
    const second = await raw(port, "");
    const third = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const refused = await closedByServer(third, "a third connection");
    assert.match(refused, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    second.close();
    stream.close();
  });
});

Deno.test("over the per-address cap a connection gets 503 naming it; another address is still answered", async () => {
  await withFront({ maxConnectionsPerAddress: 3, maxConnections: 100 }, async (front, port, logs) => {
    const held = await Promise.all([0, 1, 2].map(() => raw(port, "GET / HTTP/1.1\r\nHost: x\r\n")));
    const over = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const text = await closedByServer(over, "the connection over the cap");
    const [head, body] = text.split("\r\n\r\n");
    assert.match(head, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(head, /\r\nRetry-After: 10/);
    const err = JSON.parse(body).error;
    assert.equal(err.code, "unavailable");
    assert.match(err.message, /too many connections from your address \(at most 3 at once\)/);
    // IPv6 loopback is another address: its own count, still under the cap.
    assert.equal(await answered(port, "::1"), 200);
    assert.equal(front.counters().refused_per_address, 1);
    const refusals = logs.filter((l) => l.includes("HTTP connections refused"));
    assert.equal(refusals.length, 1, logs.join("\n"));
    assert.equal(JSON.parse(refusals[0]).most_refused_address, "127.0.0.1");
    for (const c of held) c.close();
  }, "::");
});

Deno.test("over the overall cap a connection gets 503, and the refusal is logged once a minute", async () => {
  await withFront({ maxConnectionsPerAddress: 10, maxConnections: 2 }, async (front, port, logs) => {
    const held = await Promise.all([0, 1].map(() => raw(port, "GET / HTTP/1.1\r\nHost: x\r\n")));
    for (let i = 0; i < 3; i++) {
      const text = await closedByServer(await raw(port, "GET / HTTP/1.1\r\n\r\n"), `refusal ${i}`);
      assert.match(JSON.parse(text.split("\r\n\r\n")[1]).error.message, /at most 2\)/);
    }
    assert.equal(front.counters().refused_total, 3);
    assert.equal(logs.filter((l) => l.includes("HTTP connections refused")).length, 1);
    for (const c of held) c.close();
    // Once the held connections are gone, the next one is answered again.
    for (let tries = 0; front.counters().open > 0 && tries < 100; tries++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await answered(port), 200);
  });
});

Deno.test("close() closes idle connections and resolves true when nothing was cut", async () => {
  const front = HttpFront.listen({ hostname: "127.0.0.1", port: 0, log: createLogger("http") });
  front.serve(() => Promise.resolve(new Response("x")));
  const idle = await raw(front.addr.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const closing = front.close(2000);
  assert.match(await closedByServer(idle, "an idle connection at shutdown"), /\r\n\r\nx$/);
  assert.equal(await closing, true);
});

Deno.test({
  name: "over TLS the read deadline covers the handshake: a client that never starts one is closed",
  ignore: Deno.env.get("CI") !== "true" && !hasOpenssl(),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "flintnet-front-tls-" });
    try {
      const files = await makeTestCert(dir);
      const front = HttpFront.listen({
        hostname: "127.0.0.1",
        port: 0,
        tls: { cert: await Deno.readTextFile(files.cert), key: await Deno.readTextFile(files.key) },
        limits: { readTimeoutMs: 300, maxConnectionsPerAddress: 2 },
        log: createLogger("http"),
      });
      front.serve(() => Promise.resolve(new Response("x")));
      try {
        const silent = await raw(front.addr.port, "");
        const halfHello = await raw(front.addr.port, "\x16\x03\x01\x00\xc8\x01"); // a ClientHello cut short
        // Over the cap: its 503 needs a handshake that never comes, so it is closed unanswered.
        const refused = await raw(front.addr.port, "");
        await closedByServer(silent, "a TCP client that never says hello");
        await closedByServer(halfHello, "half a ClientHello");
        await closedByServer(refused, "a silent client over the cap");
        assert.equal(front.counters().closed_read_timeout, 2);
        assert.equal(front.counters().refused_per_address, 1);
      } finally {
        await front.close(1000);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
