/**
 * `GET /stream`: the event stream (Server-Sent Events) for dashboards, scripts and the UI.
 *
 *   curl -N -H "Authorization: Bearer $TOKEN" "http://flintnet:8480/stream?types=anomaly,security"
 *
 * `Last-Event-ID` (the header an EventSource sends when it reconnects, or `?last_event_id=` for
 * clients that cannot set headers) resumes after that event; `?types=` keeps only some kinds.
 */
import { Hono } from "hono";
import { parseLastEventId, parseStreamTypes, type SseHub } from "../sse_hub.ts";

/** The stream route, relative to the root; authentication is the app's middleware's job. */
export function streamRoutes(hub: SseHub): Hono {
  const app = new Hono();
  app.get("/stream", (c) => {
    // An EventSource sends the header only when it has an id; an empty one means "none".
    const header = c.req.header("Last-Event-ID");
    const query = c.req.query("last_event_id");
    let lastEventId: string | undefined;
    if (header) {
      parseLastEventId(header, "Last-Event-ID");
      lastEventId = header;
    } else if (query) {
      parseLastEventId(query, "last_event_id");
      lastEventId = query;
    }
    const types = c.req.queries("types");
    // The request's signal is not passed: Deno cancels the body stream when the connection closes,
    // which already ends the client, and reading the signal makes Deno 2.9 warn on every clean end.
    return hub.connect({ lastEventId, types: types ? parseStreamTypes(types.join(",")) : undefined });
  });
  return app;
}
