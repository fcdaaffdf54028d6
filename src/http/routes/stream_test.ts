import assert from "node:assert/strict";
import { Hono } from "hono";
import { EventBus } from "../../events/mod.ts";
import { setLogSink } from "../../base/log.ts";
import { BadParameter, type ErrorBody, errorResponse } from "../errors.ts";
import { SseHub } from "../sse_hub.ts";
import { streamRoutes } from "./stream.ts";
import { sampleStats } from "../../../tests/helpers/sample_events.ts";

/** The routes mounted as the lead's app does, with an error handler like the app's. */
function mount(hub: SseHub): Hono {
  const app = new Hono();
  app.route("/", streamRoutes(hub));
  app.onError((err, c) =>
    err instanceof BadParameter
      ? errorResponse(c, 400, "bad_parameter", err.message, err.parameter)
      : errorResponse(c, 500, "internal", String(err))
  );
  return app;
}

/** Reads `(event, id)` pairs from an event stream until `n` events have come. */
async function readEvents(res: Response, n: number): Promise<[string, string][]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const out: [string, string][] = [];
  while (out.length < n) {
    const r = await reader.read();
    assert.ok(!r.done, `stream ended after ${out.length} events`);
    text += decoder.decode(r.value, { stream: true });
    let end;
    while ((end = text.indexOf("\n\n")) >= 0) {
      const block = text.slice(0, end).split("\n");
      text = text.slice(end + 2);
      const field = (name: string) => block.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      if (block.some((l) => l.startsWith("data:"))) {
        out.push([field("event") ?? "message", field("id") ?? ""]);
      }
    }
  }
  await reader.cancel();
  return out;
}

/** A started hub with five stats events in its buffer, always stopped. */
async function withHub(fn: (app: Hono, hub: SseHub, bus: EventBus) => Promise<void>): Promise<void> {
  setLogSink(() => {});
  const bus = new EventBus();
  const hub = new SseHub(bus);
  hub.start();
  for (let i = 1; i <= 5; i++) bus.publish(sampleStats(i));
  await new Promise((r) => setTimeout(r, 20));
  try {
    await fn(mount(hub), hub, bus);
  } finally {
    await hub.stop();
    setLogSink(undefined);
  }
}

async function badParameter(res: Response): Promise<ErrorBody["error"]> {
  assert.equal(res.status, 400);
  return ((await res.json()) as ErrorBody).error;
}

Deno.test("GET /stream answers text/event-stream and resumes after the Last-Event-ID header", async () => {
  await withHub(async (app) => {
    const res = await app.request("/stream", { headers: { "Last-Event-ID": "3" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.deepEqual(await readEvents(res, 2), [["stats", "4"], ["stats", "5"]]);
  });
});

Deno.test("GET /stream?last_event_id= resumes for clients that cannot set headers; the header wins", async () => {
  await withHub(async (app) => {
    assert.deepEqual(await readEvents(await app.request("/stream?last_event_id=4"), 1), [["stats", "5"]]);
    const both = await app.request("/stream?last_event_id=1", { headers: { "Last-Event-ID": "4" } });
    assert.deepEqual(await readEvents(both, 1), [["stats", "5"]]);
  });
});

Deno.test("GET /stream with an empty Last-Event-ID streams live events only", async () => {
  await withHub(async (app, _hub, bus) => {
    const res = await app.request("/stream", { headers: { "Last-Event-ID": "" } });
    bus.publish(sampleStats(6));
    assert.deepEqual(await readEvents(res, 1), [["stats", "6"]]);
  });
});

Deno.test("GET /stream answers 400 naming Last-Event-ID or last_event_id when it is not a whole number", async () => {
  await withHub(async (app, hub) => {
    const header = await badParameter(
      await app.request("/stream", { headers: { "Last-Event-ID": "12abc" } }),
    );
    assert.equal(header.code, "bad_parameter");
    assert.equal(header.parameter, "Last-Event-ID");
    assert.equal(
      header.message,
      'Last-Event-ID="12abc" is not valid: expected the id of an event, a whole number of at most 15 digits',
    );
    const query = await badParameter(await app.request("/stream?last_event_id=-3"));
    assert.equal(query.parameter, "last_event_id");
    assert.match(query.message, /^last_event_id="-3" is not valid/);
    assert.equal(hub.clientCount, 0);
  });
});

Deno.test("GET /stream?types= filters kinds and answers 400 naming types for an unknown one", async () => {
  await withHub(async (app, hub, bus) => {
    const res = await app.request("/stream?types=anomaly,stats");
    bus.publish(sampleStats(6));
    assert.deepEqual(await readEvents(res, 1), [["stats", "6"]]);
    const bad = await badParameter(await app.request("/stream?types=anomaly,flow"));
    assert.equal(bad.parameter, "types");
    assert.equal(
      bad.message,
      'types="anomaly,flow" is not valid: "flow" is not a kind; expected one or more of anomaly, security, ' +
        "interface, device, topology, trap, advisory, stats, separated by commas",
    );
    const empty = await badParameter(await app.request("/stream?types="));
    assert.equal(empty.parameter, "types");
    assert.match(empty.message, /^types="" is not valid: a kind is empty; expected one or more of/);
    assert.equal(hub.clientCount, 0, "only the good request is connected, and it has ended");
  });
});

Deno.test("GET /stream?types=a&types=b takes the kinds of every types parameter", async () => {
  await withHub(async (app, _hub, bus) => {
    const res = await app.request("/stream?types=security&types=stats");
    bus.publish(sampleStats(6));
    assert.deepEqual(await readEvents(res, 1), [["stats", "6"]]);
  });
});
