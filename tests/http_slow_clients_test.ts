/**
 * The daemon against slow and greedy clients on raw sockets, as the probe found them: 300
 * connections with half a request head, a head trickled a byte at a time, a body declared and never
 * sent, an idle keep-alive connection. The daemon must close every one of them itself (the client reads
 * end-of-file; it never gives up first), keep answering a normal client meanwhile, answer 503 over its
 * connection caps with one log line, and keep an event stream open past the idle timeout.
 */
import assert from "node:assert/strict";
import { type Daemon, startDaemon } from "./helpers/daemon.ts";
import { freePort } from "./helpers/ports.ts";

const TOKEN = "slow-clients-token-0123456789";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const enc = new TextEncoder();
const dec = new TextDecoder();
/** A connection the daemon has not closed by then counts as never closed. */
const GIVE_UP_MS = 20_000;

async function withDaemon(
  env: Record<string, string>,
  fn: (d: Daemon, port: number) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet_slow_" });
  const port = freePort();
  const d = await startDaemon({
    FLINTNET_INTERFACE: "lo",
    FLINTNET_CIDR: "127.0.0.1/32",
    FLINTNET_TRAP_LISTEN: "off",
    FLINTNET_LISTEN: `127.0.0.1:${port}`,
    FLINTNET_STATE_DIR: dir,
    FLINTNET_API_TOKEN: TOKEN,
    ...env,
  });
  try {
    await fn(d, port);
  } finally {
    await d.kill();
    await Deno.remove(dir, { recursive: true });
  }
}

async function raw(port: number, first: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  if (first) await conn.write(enc.encode(first));
  return conn;
}

/** Everything the daemon sent until it closed the connection; throws when it does not close it. */
async function readUntilClosed(conn: Deno.Conn, what: string): Promise<string> {
  let text = "", gaveUp = false;
  const timer = setTimeout(() => {
    gaveUp = true;
    conn.close();
  }, GIVE_UP_MS);
  const buf = new Uint8Array(8192);
  try {
    for (;;) {
      const n = await conn.read(buf).catch((e) => {
        if (gaveUp || e instanceof Deno.errors.ConnectionReset) return null;
        throw e;
      });
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
  if (gaveUp) throw new Error(`${what}: the daemon had not closed it after ${GIVE_UP_MS} ms`);
  conn.close();
  return text;
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: AUTH });
  return { status: res.status, body: await res.text() };
}

async function httpStats(port: number): Promise<Record<string, number>> {
  return JSON.parse((await get(port, "/stats")).body).http;
}

Deno.test("300 half-sent request heads are all closed by the daemon while a normal client is answered", async () => {
  await withDaemon({
    FLINTNET_HTTP_READ_TIMEOUT: "2s",
    FLINTNET_HTTP_MAX_CONNECTIONS_PER_ADDRESS: "400",
    FLINTNET_HTTP_MAX_CONNECTIONS: "1000",
  }, async (_d, port) => {
    const slow = await Promise.all(
      Array.from({ length: 300 }, () => raw(port, "GET /flows HTTP/1.1\r\nHost: x\r\nAuthorization: Bea")),
    );
    const answered = await get(port, "/healthz");
    assert.equal(answered.status, 200, "answered while 300 slow clients are connected");
    const got = await Promise.all(slow.map((c, i) => readUntilClosed(c, `slow client ${i}`)));
    assert.deepEqual(new Set(got), new Set([""]), "closed without an answer");
    const s = await httpStats(port);
    assert.ok(s.closed_read_timeout >= 300, JSON.stringify(s));
  });
});

Deno.test("a trickled head, a body never sent and an idle keep-alive connection are closed; a stream is not", async () => {
  await withDaemon(
    { FLINTNET_HTTP_READ_TIMEOUT: "1s", FLINTNET_HTTP_IDLE_TIMEOUT: "1s" },
    async (_d, port) => {
      const stream = await raw(
        port,
        `GET /stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
      );
      const trickled = await raw(port, "GET /healthz HTTP/1.1\r\n");
      const trickle = setInterval(() => trickled.write(enc.encode("X")).catch(() => {}), 200);
      const bodyless = await raw(
        port,
        `POST /mutes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n` +
          "Content-Length: 500\r\n\r\n{",
      );
      const idle = await raw(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      try {
        assert.equal((await get(port, "/healthz")).status, 200);
        await readUntilClosed(trickled, "the trickled head");
        assert.equal(
          await readUntilClosed(bodyless, "the body never sent"),
          "",
          "no answer to a body never sent",
        );
        assert.match(await readUntilClosed(idle, "the idle connection"), /^HTTP\/1\.1 200 OK\r\n[\s\S]*"ok"/);
      } finally {
        clearInterval(trickle);
      }
      // The stream outlived several idle timeouts and still delivers (a stats event every 2 s).
      const buf = new Uint8Array(65536);
      let seen = "";
      while (!/event: stats\n[\s\S]*event: stats\n/.test(seen)) {
        const n = await stream.read(buf);
        assert.ok(n !== null, `the stream was closed: ${seen.slice(-200)}`);
        seen += dec.decode(buf.subarray(0, n));
      }
      stream.close();
      const s = await httpStats(port);
      assert.ok(s.closed_read_timeout >= 2, JSON.stringify(s));
      assert.ok(s.closed_idle_timeout >= 1, JSON.stringify(s));
    },
  );
});

Deno.test("over FLINTNET_HTTP_MAX_CONNECTIONS_PER_ADDRESS the daemon answers 503 and logs it once", async () => {
  await withDaemon({
    FLINTNET_HTTP_READ_TIMEOUT: "3s",
    FLINTNET_HTTP_MAX_CONNECTIONS_PER_ADDRESS: "5",
  }, async (d, port) => {
    const held = await Promise.all(Array.from({ length: 5 }, () => raw(port, "GET /healthz HTTP/1.1\r\n")));
    for (let i = 0; i < 3; i++) {
      const over = await raw(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      const [head, body] = (await readUntilClosed(over, "a connection over the cap")).split("\r\n\r\n");
      assert.match(head, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
      assert.match(JSON.parse(body).error.message, /at most 5 at once/);
    }
    const lines = d.records().filter((r) => String(r.msg).startsWith("HTTP connections refused"));
    assert.equal(lines.length, 1, "one line for the three refusals");
    assert.equal(lines[0].most_refused_address, "127.0.0.1");
    // The held ones are closed at the read deadline; then the address is answered again.
    await Promise.all(held.map((c, i) => readUntilClosed(c, `held connection ${i}`)));
    assert.equal((await get(port, "/healthz")).status, 200);
    assert.equal((await httpStats(port)).refused_per_address, 3);
  });
});
