import assert from "node:assert/strict";
import { Hono } from "hono";
import { setLogSink } from "../base/log.ts";
import { clientAddress } from "./auth.ts";
import { shutdownSignal, startHttpServer } from "./server.ts";
import { hasOpenssl, makeTestCert } from "../../tests/helpers/test_cert.ts";

const CI = Deno.env.get("CI") === "true";

/** Runs `fn` with log lines captured (the server logs where it listens). */
async function quietly(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  try {
    await fn();
  } finally {
    setLogSink(undefined);
  }
  return lines;
}

/** An event stream that sends one message and then stays open until cancelled. */
function endlessStream(onCancel: () => void): Response {
  const body = new ReadableStream<Uint8Array>({
    start(ctrl) {
      ctrl.enqueue(new TextEncoder().encode("event: hello\ndata: {}\n\n"));
    },
    cancel() {
      onCancel();
    },
  });
  return new Response(body, { headers: { "Content-Type": "text/event-stream; charset=utf-8" } });
}

function testApp(hooks: { cancelled?: () => void } = {}): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get(
    "/whoami",
    (c) => c.json({ address: clientAddress(c), hasSignal: shutdownSignal(c) !== undefined }),
  );
  app.get("/stream", () => endlessStream(() => hooks.cancelled?.()));
  return app;
}

Deno.test("startHttpServer() serves the app and passes the client's address to it", async () => {
  const lines = await quietly(async () => {
    let listened: Deno.NetAddr | undefined;
    const server = startHttpServer(testApp(), {
      hostname: "127.0.0.1",
      port: 0,
      onListen: (a) => listened = a,
    });
    try {
      assert.ok(server.addr.port > 0);
      assert.deepEqual(listened, server.addr);
      const res = await fetch(`http://127.0.0.1:${server.addr.port}/whoami`);
      assert.deepEqual(await res.json(), { address: "127.0.0.1", hasSignal: true });
    } finally {
      await server.shutdown();
    }
  });
  assert.ok(lines.some((l) => l.includes('"url":"http://127.0.0.1:')), lines.join("\n"));
});

Deno.test("shutdown() ends open event streams, cancels their producers and resolves", async () => {
  await quietly(async () => {
    let cancelled = false;
    const server = startHttpServer(testApp({ cancelled: () => cancelled = true }), {
      hostname: "127.0.0.1",
      port: 0,
    });
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/stream`);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), "event: hello\ndata: {}\n\n");
    assert.equal(server.signal.aborted, false);
    const stopped = server.shutdown();
    assert.equal(server.signal.aborted, true, "handlers hear about the shutdown at once");
    const rest = await reader.read();
    assert.equal(rest.done, true, "the client sees the stream end");
    await stopped;
    assert.equal(cancelled, true, "the producer was told to stop");
    assert.equal(server.shutdown(), stopped, "a second call waits for the same shutdown");
    await assert.rejects(fetch(`http://127.0.0.1:${server.addr.port}/healthz`), "no longer listening");
  });
});

Deno.test("shutdownSignal() is undefined for in-process requests", async () => {
  const res = await testApp().request("/whoami");
  assert.deepEqual(await res.json(), { address: "unknown", hasSignal: false });
});

Deno.test("startHttpServer() wants both cert and key, or neither", () => {
  assert.throws(
    () => startHttpServer(testApp(), { hostname: "127.0.0.1", port: 0, cert: "/nonexistent/cert.pem" }),
    TypeError,
  );
});

Deno.test({
  name: "startHttpServer() speaks HTTPS with the given certificate and key",
  ignore: !CI && !hasOpenssl(),
  async fn() {
    assert.ok(hasOpenssl(), "openssl is needed to make a test certificate (Debian package openssl)");
    const dir = await Deno.makeTempDir({ prefix: "flintnet-tls-" });
    try {
      const files = await makeTestCert(dir);
      const cert = await Deno.readTextFile(files.cert);
      await quietly(async () => {
        const server = startHttpServer(testApp(), {
          hostname: "127.0.0.1",
          port: 0,
          cert: files.cert,
          key: files.key,
        });
        const client = Deno.createHttpClient({ caCerts: [cert] });
        try {
          const res = await fetch(`https://127.0.0.1:${server.addr.port}/whoami`, { client });
          assert.deepEqual(await res.json(), { address: "127.0.0.1", hasSignal: true });
          // Without the certificate as a trust anchor the client refuses: it really is TLS with that cert.
          await assert.rejects(fetch(`https://127.0.0.1:${server.addr.port}/healthz`));
          const plain = await fetch(`http://127.0.0.1:${server.addr.port}/healthz`).then(
            (r) => r.body?.cancel().then(() => r.status),
            () => "refused",
          );
          assert.notEqual(plain, 200, "plain HTTP is not served on the TLS port");
        } finally {
          client.close();
          await server.shutdown();
        }
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
