/**
 * PCAP recordings (docs/visibility.md, "PCAP recording"): `POST /recordings` starts one of a host, a flow
 * or a filter; `GET /recordings` lists them; `POST /recordings/:id/stop` stops one; `DELETE
 * /recordings/:id` stops it if running and deletes its file; `GET /recordings/:id/pcap` downloads it as a
 * standard pcap — also while it runs (the file is valid up to the last whole record written).
 *
 *   curl -X POST -H "Authorization: Bearer $TOKEN" -d '{"host":"10.0.0.5","duration_s":60}' http://host:8480/recordings
 *   curl -OJ -H "Authorization: Bearer $TOKEN" http://host:8480/recordings/1/pcap
 */
import { type Context, Hono } from "hono";
import {
  parseRecordingBody,
  RecordingInputError,
  type RecordingJson,
  RecordingRefused,
  type RecordingRequest,
} from "../../recording/mod.ts";
import { BadParameter, errorResponse } from "../errors.ts";
import { invalid } from "../query_params.ts";
import { readJsonObject } from "./alerts_body.ts";

/** What the recording routes drive. */
export interface RecordingSource {
  /** The most `pre_seconds` a request may ask for (0 when no look-back ring is kept). */
  readonly maxPreSeconds: number;
  /** Every recording, oldest first. */
  list(): RecordingJson[];
  /** Starts one. @throws RecordingRefused when there is no room now */
  start(req: RecordingRequest): RecordingJson;
  /** Stops one; undefined when there is none. */
  stop(id: number): RecordingJson | undefined;
  /** Stops and deletes one; false when there is none. */
  remove(id: number): Promise<boolean>;
  /** Its file and how many octets of it are a valid pcap now. */
  download(id: number): { json: RecordingJson; path: string; bytes: number } | undefined;
}

/** The type IANA registered for pcap files. */
export const PCAP_CONTENT_TYPE = "application/vnd.tcpdump.pcap";

/** With no recorder: nothing listed, nothing started. */
export const NO_RECORDINGS: RecordingSource = {
  maxPreSeconds: 0,
  list: () => [],
  start: () => {
    throw new RecordingRefused("recording is not available in this daemon");
  },
  stop: () => undefined,
  remove: () => Promise.resolve(false),
  download: () => undefined,
};

function recordingId(text: string): number {
  if (!/^[1-9]\d{0,14}$/.test(text)) throw invalid("id", text, "a recording id (a positive integer)");
  return Number(text);
}

/** The first `bytes` octets of the file at `path`, as a stream. */
async function fileStream(path: string, bytes: number): Promise<ReadableStream<Uint8Array>> {
  const file = await Deno.open(path, { read: true });
  let left = bytes;
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      if (left <= 0) {
        file.close();
        return ctl.close();
      }
      const buf = new Uint8Array(Math.min(left, 256 * 1024));
      const n = await file.read(buf);
      if (n === null || n === 0) {
        file.close();
        return ctl.close();
      }
      left -= n;
      ctl.enqueue(n === buf.length ? buf : buf.subarray(0, n));
    },
    cancel() {
      file.close();
    },
  });
}

/** Serves /recordings. */
export function recordingsRoutes(deps: { recordings: RecordingSource }): Hono {
  const app = new Hono();
  const src = deps.recordings;
  const notFound = (c: Context, id: number) => errorResponse(c, 404, "not_found", `no recording ${id}`);
  app.post("/recordings", async (c) => {
    const body = await readJsonObject(c, false);
    let req: RecordingRequest;
    try {
      req = parseRecordingBody(body, src.maxPreSeconds);
    } catch (e) {
      if (e instanceof RecordingInputError) throw new BadParameter(e.parameter, e.message);
      throw e;
    }
    try {
      return c.json(src.start(req), 201);
    } catch (e) {
      if (e instanceof RecordingRefused) return errorResponse(c, 409, "conflict", e.message);
      throw e;
    }
  });
  app.get("/recordings", (c) => {
    const recordings = src.list();
    return c.json({ recordings, count: recordings.length });
  });
  app.post("/recordings/:id/stop", (c) => {
    const id = recordingId(c.req.param("id"));
    const r = src.stop(id);
    return r ? c.json(r) : notFound(c, id);
  });
  app.delete("/recordings/:id", async (c) => {
    const id = recordingId(c.req.param("id"));
    return (await src.remove(id)) ? c.body(null, 204) : notFound(c, id);
  });
  app.get("/recordings/:id/pcap", async (c) => {
    const id = recordingId(c.req.param("id"));
    const d = src.download(id);
    if (!d) return notFound(c, id);
    let body: ReadableStream<Uint8Array>;
    try {
      body = await fileStream(d.path, d.bytes);
    } catch {
      return notFound(c, id); // deleted meanwhile
    }
    return c.body(body, 200, {
      "Content-Type": PCAP_CONTENT_TYPE,
      "Content-Length": String(d.bytes),
      "Content-Disposition": `attachment; filename="flintnet-recording-${id}.pcap"`,
    });
  });
  return app;
}
