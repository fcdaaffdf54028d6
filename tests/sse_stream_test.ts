/**
 * GET /stream over real sockets: a Deno.serve on loopback serving streamRoutes() mounted on a Hono
 * app, read with fetch (as a script would) and with a raw TCP client that never reads.
 * Nothing here is measured by time; waits are for conditions, bounded by counts.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { EventBus } from "../src/events/mod.ts";
import { BadParameter, errorResponse } from "../src/http/errors.ts";
import { streamRoutes } from "../src/http/routes/stream.ts";
import { SseHub, type SseHubOptions } from "../src/http/sse_hub.ts";
import { setLogSink } from "../src/base/log.ts";
import { sampleAnomaly, sampleStats } from "./helpers/sample_events.ts";

interface Ev {
  event: string;
  id: string;
  data: string;
}

/** Reads events from a fetch response body: blocks end at a blank line, comments are skipped. */
class EventReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #text = "";
  #ready: Ev[] = [];

  constructor(res: Response) {
    this.#reader = res.body!.getReader();
  }

  /** The next event, or undefined at the end of the stream. */
  async next(): Promise<Ev | undefined> {
    while (this.#ready.length === 0) {
      const r = await this.#reader.read();
      if (r.done) return undefined;
      this.#text += this.#decoder.decode(r.value, { stream: true });
      let end;
      while ((end = this.#text.indexOf("\n\n")) >= 0) {
        const lines = this.#text.slice(0, end).split("\n");
        this.#text = this.#text.slice(end + 2);
        const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6));
        if (data.length === 0) continue;
        const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
        this.#ready.push({
          event: field("event") ?? "message",
          id: field("id") ?? "",
          data: data.join("\n"),
        });
      }
    }
    return this.#ready.shift();
  }

  async ids(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const e = await this.next();
      assert.ok(e, `stream ended after ${out.length} of ${n} events`);
      out.push(e.id);
    }
    return out;
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

interface Served {
  bus: EventBus;
  hub: SseHub;
  url: string;
  port: number;
}

/** Serves /stream on 127.0.0.1 (any free port) for the length of `fn`, then takes it all down. */
async function serve(opts: SseHubOptions, fn: (s: Served) => Promise<void>): Promise<void> {
  setLogSink(() => {});
  const bus = new EventBus();
  const hub = new SseHub(bus, opts);
  hub.start();
  const app = new Hono();
  app.route("/", streamRoutes(hub));
  app.onError((err, c) =>
    err instanceof BadParameter
      ? errorResponse(c, 400, "bad_parameter", err.message, err.parameter)
      : errorResponse(c, 500, "internal", String(err))
  );
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
  const port = server.addr.port;
  try {
    await fn({ bus, hub, url: `http://127.0.0.1:${port}/stream`, port });
  } finally {
    await hub.stop();
    await server.shutdown();
    setLogSink(undefined);
  }
}

/** Yields to the event loop until `cond` holds, at most `tries` times. */
async function until(cond: () => boolean, what: string, tries = 2000): Promise<void> {
  for (let i = 0; i < tries && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), `gave up waiting until ${what}`);
}

Deno.test("GET /stream over a socket resumes after the Last-Event-ID header, then goes live", async () => {
  await serve({}, async ({ bus, url }) => {
    for (let i = 1; i <= 5; i++) bus.publish(sampleStats(i));
    await new Promise((r) => setTimeout(r, 20));
    const res = await fetch(url, { headers: { "Last-Event-ID": "2" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const r = new EventReader(res);
    assert.deepEqual(await r.ids(3), ["3", "4", "5"]);
    bus.publish(sampleAnomaly(9000));
    const live = await r.next();
    assert.equal(live?.event, "anomaly");
    assert.equal(live?.id, "6");
    assert.equal(JSON.parse(live!.data).bytes, 9000);
    await r.cancel();
  });
});

Deno.test("GET /stream?types= over a socket carries only the kinds asked for", async () => {
  await serve({}, async ({ bus, url }) => {
    const r = new EventReader(await fetch(`${url}?types=anomaly`));
    const all = new EventReader(await fetch(url));
    bus.publish(sampleStats(1));
    bus.publish(sampleAnomaly(2000));
    bus.publish(sampleStats(2));
    bus.publish(sampleAnomaly(3000));
    assert.deepEqual(await all.ids(4), ["1", "2", "3", "4"]);
    const got = [await r.next(), await r.next()];
    assert.deepEqual(got.map((e) => [e?.event, e?.id]), [["anomaly", "2"], ["anomaly", "4"]]);
    await r.cancel();
    await all.cancel();
  });
});

Deno.test("GET /stream over a socket answers 400 naming the bad parameter", async () => {
  await serve({}, async ({ url, hub }) => {
    const res = await fetch(url, { headers: { "Last-Event-ID": "x" } });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.parameter, "Last-Event-ID");
    const types = await fetch(`${url}?types=nope`);
    assert.equal(types.status, 400);
    assert.equal((await types.json()).error.parameter, "types");
    assert.equal(hub.clientCount, 0);
  });
});

Deno.test("a client that disconnects mid-stream is forgotten by the server", async () => {
  await serve({}, async ({ bus, hub, url }) => {
    const ac = new AbortController();
    const r = new EventReader(await fetch(url, { signal: ac.signal }));
    const stays = new EventReader(await fetch(url));
    await until(() => hub.clientCount === 2, "both clients are connected");
    bus.publish(sampleStats(1));
    assert.deepEqual(await r.ids(1), ["1"]);
    ac.abort();
    await r.cancel().catch(() => {});
    await until(() => hub.clientCount === 1, "the server has forgotten the client that left");
    bus.publish(sampleStats(2));
    assert.deepEqual(await stays.ids(2), ["1", "2"]);
    assert.equal(hub.droppedClients, 0, "leaving is not being dropped");
    await stays.cancel();
    await until(() => hub.clientCount === 0, "the server has forgotten both");
  });
});

Deno.test("a client that stops reading is dropped while another keeps getting every event", async () => {
  await serve({ clientQueue: 8 }, async ({ bus, hub, url, port }) => {
    // The stalled client: a raw socket that sends the request and never reads a byte.
    const stalled = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await stalled.write(new TextEncoder().encode(
        `GET /stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`,
      ));
      const reading = new EventReader(await fetch(url));
      await until(() => hub.clientCount === 2, "both clients are connected");
      // 64 KiB events fill the stalled socket's kernel buffers quickly; the reading client takes each
      // before the next is published, so only the stalled client falls behind.
      let id = 0;
      for (let i = 1; i <= 4000 && hub.droppedClients === 0; i++) {
        id = bus.publish(sampleStats(i, 64 * 1024)).id;
        const e = await reading.next();
        assert.equal(e?.id, String(id), "the reading client gets every event, in order");
      }
      assert.equal(hub.droppedClients, 1, "the stalled client was dropped");
      assert.equal(hub.clientCount, 1);
      for (let i = 0; i < 3; i++) bus.publish(sampleStats(i));
      assert.deepEqual(await reading.ids(3), [id + 1, id + 2, id + 3].map(String));
      await reading.cancel();
    } finally {
      stalled.close();
    }
  });
});

Deno.test("hub.stop() ends the streams so the server can shut down", async () => {
  const bus = new EventBus();
  const hub = new SseHub(bus);
  hub.start();
  const app = new Hono().route("/", streamRoutes(hub));
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
  const r = new EventReader(await fetch(`http://127.0.0.1:${server.addr.port}/stream`));
  bus.publish(sampleStats(1));
  assert.deepEqual(await r.ids(1), ["1"]);
  await hub.stop();
  assert.equal(await r.next(), undefined, "the stream ended cleanly");
  await server.shutdown();
});
