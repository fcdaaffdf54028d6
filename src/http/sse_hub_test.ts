import assert from "node:assert/strict";
import { EventBus, type FlintnetEvent } from "../events/mod.ts";
import { setLogSink } from "../base/log.ts";
import { BadParameter } from "./errors.ts";
import { formatSseMessage, SseHub } from "./sse_hub.ts";
import { sampleAnomaly, sampleStats } from "../../tests/helpers/sample_events.ts";

/** What a client sees on the wire, parsed as the HTML spec's EventSource does. */
type Item =
  | { type: "event"; event: string; data: string; id: string | undefined }
  | { type: "comment"; text: string }
  | { type: "retry"; ms: number };

/**
 * An independent reader of an event stream: splits lines on CR, LF or CRLF, collects `data:` lines
 * joined with "\n", and dispatches on a blank line (html.spec.whatwg.org, "Interpreting an event stream").
 */
class StreamReader {
  readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly chunks: Uint8Array[] = [];
  #decoder = new TextDecoder();
  #text = "";
  #items: Item[] = [];
  #event = "";
  #data: string[] = [];
  #id: string | undefined;
  done = false;

  constructor(res: Response) {
    this.reader = res.body!.getReader();
  }

  /** The next item, or undefined once the stream has ended. */
  async next(): Promise<Item | undefined> {
    while (this.#items.length === 0 && !this.done) {
      const r = await this.reader.read();
      if (r.done) this.done = true;
      else {
        this.chunks.push(r.value);
        this.#feed(this.#decoder.decode(r.value, { stream: true }));
      }
    }
    return this.#items.shift();
  }

  /** The next dispatched event, skipping comments and retry fields. */
  async nextEvent(): Promise<Extract<Item, { type: "event" }> | undefined> {
    for (let it = await this.next(); it; it = await this.next()) if (it.type === "event") return it;
    return undefined;
  }

  /** Reads `n` events. */
  async events(n: number): Promise<Extract<Item, { type: "event" }>[]> {
    const out = [];
    while (out.length < n) {
      const e = await this.nextEvent();
      assert.ok(e, `stream ended after ${out.length} of ${n} events`);
      out.push(e);
    }
    return out;
  }

  /** Reads to the end of the stream and returns what came. */
  async rest(): Promise<Item[]> {
    const out: Item[] = [];
    for (let it = await this.next(); it; it = await this.next()) out.push(it);
    return out;
  }

  #feed(text: string): void {
    this.#text += text;
    for (let m = /\r\n|\r(?!$)|\n/.exec(this.#text); m; m = /\r\n|\r(?!$)|\n/.exec(this.#text)) {
      const line = this.#text.slice(0, m.index);
      this.#text = this.#text.slice(m.index + m[0].length);
      this.#line(line);
    }
  }

  #line(line: string): void {
    if (line === "") {
      if (this.#data.length > 0) {
        this.#items.push({
          type: "event",
          event: this.#event || "message",
          data: this.#data.join("\n"),
          id: this.#id,
        });
      }
      this.#event = "";
      this.#data = [];
      return;
    }
    if (line.startsWith(":")) {
      this.#items.push({ type: "comment", text: line.slice(1).trim() });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.#event = value;
    else if (field === "data") this.#data.push(value);
    else if (field === "id") this.#id = value;
    else if (field === "retry") this.#items.push({ type: "retry", ms: Number(value) });
  }
}

const TRICKY_REASON = 'a line with "quotes",\nan escaped newline and ünïcode';

/** Lets the bus deliver and the hub hand out (a flush is at most flushMs away). */
function settle(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `fn` with a started hub, always stopping it; log lines are collected instead of printed. */
async function withHub(
  opts: ConstructorParameters<typeof SseHub>[1],
  fn: (bus: EventBus, hub: SseHub, logs: string[]) => Promise<void>,
): Promise<void> {
  const logs: string[] = [];
  setLogSink((line) => logs.push(line));
  const bus = new EventBus();
  const hub = new SseHub(bus, opts);
  hub.start();
  try {
    await fn(bus, hub, logs);
  } finally {
    await hub.stop();
    setLogSink(undefined);
  }
}

Deno.test("SseHub.connect() answers an event stream that starts with retry: 3000", async () => {
  await withHub({}, async (_bus, hub) => {
    const res = hub.connect();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "no-store");
    const r = new StreamReader(res);
    assert.deepEqual(await r.next(), { type: "retry", ms: 3000 });
    await r.reader.cancel();
  });
});

Deno.test("SseHub sends one event per bus event, in order, with its kind, its JSON and the bus id", async () => {
  await withHub({}, async (bus, hub) => {
    const r = new StreamReader(hub.connect());
    const sent: FlintnetEvent[] = [
      sampleAnomaly(5000, TRICKY_REASON),
      sampleStats(1),
      sampleAnomaly(7000, TRICKY_REASON),
      sampleStats(2),
    ];
    for (const e of sent) bus.publish(e);
    const got = await r.events(4);
    assert.deepEqual(got.map((e) => e.event), ["anomaly", "stats", "anomaly", "stats"]);
    assert.deepEqual(got.map((e) => e.id), ["1", "2", "3", "4"]);
    // The bus stamped each object with its id: the data is that object, JSON round-tripped.
    assert.deepEqual(got.map((e) => JSON.parse(e.data)), sent.map((e) => JSON.parse(JSON.stringify(e))));
    assert.ok(got.every((e) => !e.data.includes("\n")), "JSON data is a single line");
    await r.reader.cancel();
  });
});

Deno.test("formatSseMessage() puts each line of multi-line data in its own data: field", async () => {
  const text = formatSseMessage({ event: "anomaly", data: "one\ntwo\r\nthree\rfour", id: 7 });
  assert.equal(text, "event: anomaly\ndata: one\ndata: two\ndata: three\ndata: four\nid: 7\n\n");
  const r = new StreamReader(new Response(text));
  assert.deepEqual(await r.next(), {
    type: "event",
    event: "anomaly",
    data: "one\ntwo\nthree\nfour",
    id: "7",
  });
});

Deno.test("SseHub with types= delivers only the kinds asked for", async () => {
  await withHub({}, async (bus, hub) => {
    const onlyStats = new StreamReader(hub.connect({ types: ["stats"] }));
    const all = new StreamReader(hub.connect());
    for (
      const e of [
        sampleAnomaly(1, TRICKY_REASON),
        sampleStats(1),
        sampleAnomaly(2, TRICKY_REASON),
        sampleStats(2),
        sampleAnomaly(3, TRICKY_REASON),
      ]
    ) bus.publish(e);
    bus.publish(sampleStats(3));
    assert.deepEqual((await onlyStats.events(3)).map((e) => [e.event, e.id]), [
      ["stats", "2"],
      ["stats", "4"],
      ["stats", "6"],
    ]);
    assert.deepEqual((await all.events(6)).map((e) => e.id), ["1", "2", "3", "4", "5", "6"]);
    await onlyStats.reader.cancel();
    await all.reader.cancel();
  });
});

Deno.test("SseHub.connect() rejects an unknown kind and a Last-Event-ID that is not a whole number", async () => {
  await withHub({}, (_bus, hub) => {
    for (const bad of ["-1", "abc", "1.5", " 3", "0x10", "1234567890123456"]) {
      assert.throws(() => hub.connect({ lastEventId: bad }), (err: unknown) => {
        assert.ok(err instanceof BadParameter);
        assert.equal(err.parameter, "Last-Event-ID");
        assert.match(err.message, /whole number/);
        assert.ok(err.message.includes(JSON.stringify(bad)), err.message);
        return true;
      });
    }
    assert.throws(() => hub.connect({ types: ["anomaly", "flows"] }), (err: unknown) => {
      assert.ok(err instanceof BadParameter);
      assert.equal(err.parameter, "types");
      assert.match(err.message, /"flows"/);
      assert.match(err.message, /anomaly, security, interface, device, topology, trap, advisory, stats/);
      return true;
    });
    assert.equal(hub.clientCount, 0, "a rejected request leaves no client behind");
    return Promise.resolve();
  });
});

Deno.test("SseHub resumes after Last-Event-ID with every buffered event after it, then live ones", async () => {
  await withHub({}, async (bus, hub) => {
    for (let i = 1; i <= 5; i++) bus.publish(sampleStats(i));
    await settle(20);
    const r = new StreamReader(hub.connect({ lastEventId: "2" }));
    bus.publish(sampleAnomaly(1, TRICKY_REASON));
    const got = await r.events(4);
    assert.deepEqual(got.map((e) => e.id), ["3", "4", "5", "6"]);
    assert.deepEqual(got.map((e) => JSON.parse(e.data).stats?.n), [3, 4, 5, undefined]);
    await r.reader.cancel();
  });
});

Deno.test("SseHub resume honours types= in the replay too", async () => {
  await withHub({}, async (bus, hub) => {
    for (
      const e of [
        sampleAnomaly(1, TRICKY_REASON),
        sampleStats(1),
        sampleAnomaly(2, TRICKY_REASON),
        sampleStats(2),
      ]
    ) bus.publish(e);
    await settle(20);
    const r = new StreamReader(hub.connect({ lastEventId: "0", types: ["anomaly"] }));
    assert.deepEqual((await r.events(2)).map((e) => e.id), ["1", "3"]);
    await r.reader.cancel();
  });
});

Deno.test("SseHub tells a client resuming from before its buffer which events it missed (gap)", async () => {
  await withHub({ replay: 3 }, async (bus, hub) => {
    for (let i = 1; i <= 10; i++) bus.publish(sampleAnomaly(i, "r"));
    await settle(20);
    const r = new StreamReader(hub.connect({ lastEventId: "2" }));
    const [gap, ...rest] = await r.events(4);
    assert.equal(gap.event, "gap");
    assert.deepEqual(JSON.parse(gap.data), { missed_from: 3, resumed_at: 8 });
    assert.equal(gap.id, undefined, "the gap notice does not move the client's last event id");
    assert.deepEqual(rest.map((e) => e.id), ["8", "9", "10"]);
    await r.reader.cancel();
  });
});

Deno.test("SseHub keeps only as many events for resumes as fit in replayBytes, the newest", async () => {
  // Each of these anomaly events frames to the same size; the byte bound must keep exactly the last three.
  const frame = new TextEncoder().encode(
    formatSseMessage({ event: "anomaly", data: JSON.stringify({ ...sampleAnomaly(1, "r"), id: 1 }), id: 1 }),
  ).length;
  await withHub({ replay: 1000, replayBytes: frame * 3 + 2 }, async (bus, hub) => {
    for (let i = 1; i <= 9; i++) bus.publish(sampleAnomaly(1, "r"));
    await settle(20);
    const r = new StreamReader(hub.connect({ lastEventId: "1" }));
    const [gap, ...rest] = await r.events(4);
    assert.equal(gap.event, "gap");
    assert.deepEqual(JSON.parse(gap.data), { missed_from: 2, resumed_at: 7 });
    assert.deepEqual(rest.map((e) => e.id), ["7", "8", "9"]);
    await r.reader.cancel();
  });
});

Deno.test("SseHub keeps the newest replayStats stats snapshots for resumes; older ones missed are no gap", async () => {
  await withHub({ replayStats: 3 }, async (bus, hub) => {
    for (let i = 1; i <= 10; i++) bus.publish(sampleStats(i));
    await settle(20);
    const r = new StreamReader(hub.connect({ lastEventId: "2" }));
    // A snapshot says all an older one said: the resume gets the newest three, and no gap notice.
    assert.deepEqual((await r.events(3)).map((e) => [e.event, e.id]), [["stats", "8"], ["stats", "9"], [
      "stats",
      "10",
    ]]);
    await r.reader.cancel();
  });
});

Deno.test("SseHub does not let stats snapshots crowd other events out of the replay", async () => {
  // Room for two anomaly events' bytes; a thousand snapshots in between do not push the first one out.
  const frame = new TextEncoder().encode(
    formatSseMessage({ event: "anomaly", data: JSON.stringify({ ...sampleAnomaly(1, "r"), id: 1 }), id: 1 }),
  ).length;
  await withHub({ replayBytes: frame * 2 + 10, replayStats: 2 }, async (bus, hub) => {
    bus.publish(sampleAnomaly(1, "r"));
    for (let i = 0; i < 1000; i++) bus.publish(sampleStats(i));
    bus.publish(sampleAnomaly(2, "r"));
    await settle(20);
    const r = new StreamReader(hub.connect({ lastEventId: "0" }));
    const got = (await r.events(4)).map((e) => [e.event, e.id]);
    assert.deepEqual(got, [["anomaly", "1"], ["stats", "1000"], ["stats", "1001"], ["anomaly", "1002"]]);
    await r.reader.cancel();
  });
});

Deno.test("SseHub sends no gap when the buffer still holds the event after Last-Event-ID", async () => {
  await withHub({ replay: 3 }, async (bus, hub) => {
    for (let i = 1; i <= 10; i++) bus.publish(sampleStats(i));
    await settle(20);
    const r = new StreamReader(hub.connect({ lastEventId: "7" }));
    assert.deepEqual((await r.events(3)).map((e) => [e.event, e.id]), [["stats", "8"], ["stats", "9"], [
      "stats",
      "10",
    ]]);
    await r.reader.cancel();
  });
});

Deno.test("SseHub treats a Last-Event-ID beyond its last event as one from an earlier run", async () => {
  await withHub({}, async (bus, hub) => {
    for (let i = 1; i <= 3; i++) bus.publish(sampleStats(i));
    await settle(20);
    const r = new StreamReader(hub.connect({ lastEventId: "5000" }));
    const [gap, ...rest] = await r.events(4);
    assert.equal(gap.event, "gap");
    assert.deepEqual(JSON.parse(gap.data), { missed_from: 1, resumed_at: 1, restarted: true });
    assert.deepEqual(rest.map((e) => e.id), ["1", "2", "3"]);
    await r.reader.cancel();
  });
});

Deno.test("SseHub gives an event published just before a resume exactly once", async () => {
  await withHub({ flushMs: 50 }, async (bus, hub) => {
    bus.publish(sampleStats(1));
    await settle(); // delivered and handed out at once (nothing was handed out before)
    bus.publish(sampleStats(2));
    await Promise.resolve(); // the hub has it, but holds it back for at most flushMs
    const r = new StreamReader(hub.connect({ lastEventId: "0" }));
    bus.publish(sampleStats(3));
    assert.deepEqual((await r.events(3)).map((e) => e.id), ["1", "2", "3"]);
    await settle(60);
    bus.publish(sampleStats(4));
    assert.deepEqual((await r.events(1)).map((e) => e.id), ["4"], "nothing repeated in between");
    await r.reader.cancel();
  });
});

Deno.test("SseHub sends a heartbeat comment every heartbeatMs", async () => {
  await withHub({ heartbeatMs: 5 }, async (_bus, hub) => {
    const r = new StreamReader(hub.connect());
    assert.deepEqual(await r.next(), { type: "retry", ms: 3000 });
    assert.deepEqual(await r.next(), { type: "comment", text: "hb" });
    assert.deepEqual(await r.next(), { type: "comment", text: "hb" });
    await r.reader.cancel();
  });
});

Deno.test("SseHub drops a client that stops reading once its queue is full; the others get everything", async () => {
  await withHub({ clientQueue: 3 }, async (bus, hub, logs) => {
    const reading = new StreamReader(hub.connect());
    const stalled = new StreamReader(hub.connect());
    assert.equal(hub.clientCount, 2);
    // One event at a time, each read by the reading client before the next, so only the stalled
    // client's queue grows: it holds 3 events after the third, and the fourth finds it full.
    for (let i = 1; i <= 4; i++) {
      bus.publish(sampleStats(i));
      assert.deepEqual((await reading.events(1)).map((e) => e.id), [String(i)]);
      assert.equal(hub.droppedClients, i < 4 ? 0 : 1, `after event ${i}`);
    }
    assert.equal(hub.clientCount, 1);
    for (let i = 5; i <= 20; i++) bus.publish(sampleStats(i));
    assert.deepEqual(
      (await reading.events(16)).map((e) => Number(e.id)),
      Array.from({ length: 16 }, (_, i) => i + 5),
    );
    // Its queue was freed: all the dropped client still reads is the closing comment.
    assert.deepEqual(await stalled.rest(), [
      { type: "comment", text: "dropped: 3 events were waiting; reconnect with Last-Event-ID" },
    ]);
    assert.ok(logs.some((l) => l.includes('"level":"warn"') && l.includes("stopped reading")));
    await reading.reader.cancel();
  });
});

Deno.test("SseHub lets a burst bigger than the queue through to a client that keeps up", async () => {
  await withHub({ clientQueue: 2 }, async (bus, hub) => {
    const r = new StreamReader(hub.connect());
    assert.deepEqual(await r.next(), { type: "retry", ms: 3000 }); // now waiting for more
    for (let i = 1; i <= 50; i++) bus.publish(sampleStats(i));
    assert.equal((await r.events(50)).length, 50);
    assert.equal(hub.droppedClients, 0);
    await r.reader.cancel();
  });
});

Deno.test("SseHub hands clients with the same filter the same bytes, framed once", async () => {
  await withHub({}, async (bus, hub) => {
    const a = new StreamReader(hub.connect());
    const b = new StreamReader(hub.connect());
    await a.next();
    await b.next();
    bus.publish(sampleAnomaly(1, TRICKY_REASON));
    await a.events(1);
    await b.events(1);
    assert.equal(a.chunks[1], b.chunks[1], "the very same Uint8Array");
    await a.reader.cancel();
    await b.reader.cancel();
  });
});

Deno.test("SseHub forgets a client at once when its signal aborts or its reader cancels", async () => {
  await withHub({}, async (bus, hub) => {
    const ac = new AbortController();
    const aborted = new StreamReader(hub.connect({ signal: ac.signal }));
    const cancelled = new StreamReader(hub.connect());
    assert.equal(hub.clientCount, 2);
    ac.abort();
    assert.equal(hub.clientCount, 1);
    await cancelled.reader.cancel();
    assert.equal(hub.clientCount, 0);
    bus.publish(sampleStats(1));
    await settle(20);
    assert.deepEqual(await aborted.rest(), [], "its queue (even retry:) was dropped with it");
    assert.equal(hub.droppedClients, 0, "leaving is not being dropped");
    const late = new AbortController();
    late.abort();
    const never = new StreamReader(hub.connect({ signal: late.signal }));
    assert.equal(hub.clientCount, 0, "an already-aborted request is never added");
    await never.rest();
  });
});

Deno.test("SseHub.stop() ends every stream after what was queued and a later connect gets none", async () => {
  const bus = new EventBus();
  const hub = new SseHub(bus, { heartbeatMs: 1000 });
  hub.start();
  const r = new StreamReader(hub.connect());
  bus.publish(sampleStats(1));
  await settle();
  bus.publish(sampleStats(2)); // published but not handed out yet when stop() comes
  await Promise.resolve();
  const rest = r.rest(); // a reader that keeps reading
  await hub.stop();
  assert.equal(hub.clientCount, 0);
  assert.deepEqual((await rest).map((it) => it.type === "event" ? it.id : it.type), ["retry", "1", "2"]);
  const after = new StreamReader(hub.connect());
  assert.deepEqual(await after.rest(), [{ type: "retry", ms: 3000 }]);
  assert.equal(hub.clientCount, 0);
  // Test sanitizers fail this test if stop() left a timer or the bus subscription behind.
  assert.equal(bus.subscriberCount, 0);
});

Deno.test("SseHub.stop() cuts a client that does not take its queue within a second", async () => {
  const bus = new EventBus();
  const hub = new SseHub(bus);
  hub.start();
  const stalled = new StreamReader(hub.connect());
  bus.publish(sampleStats(1));
  await settle();
  await hub.stop();
  assert.equal(hub.clientCount, 0);
  assert.deepEqual(await stalled.rest(), [], "its queue was freed");
});

Deno.test("new SseHub() refuses bounds that make no sense", () => {
  const bus = new EventBus();
  assert.throws(() => new SseHub(bus, { replay: 0 }), /replay must be a positive whole number, got 0/);
  assert.throws(() => new SseHub(bus, { clientQueue: 1.5 }), /clientQueue/);
  assert.throws(() => new SseHub(bus, { heartbeatMs: -1 }), /heartbeatMs/);
  assert.throws(() => new SseHub(bus, { flushMs: Number.NaN }), /flushMs/);
});
