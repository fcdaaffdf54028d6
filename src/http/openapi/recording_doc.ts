/**
 * /recordings in the OpenAPI document: PCAP recordings of a host, a flow or a filter (RecordingJson in
 * src/recording/recordings_index.ts, the body parsed by src/recording/recording_request.ts).
 */
import { FILTER_ACCEPTED } from "../../recording/mod.ts";
import { MAX_BODY_BYTES } from "../app.ts";
import {
  array,
  AUTH_ERRORS,
  BAD_PARAMETER,
  errorResponse,
  int,
  type Json,
  json,
  jsonBody,
  nullable,
  obj,
  oneOf,
  pathParam,
  ref,
  str,
  tooLarge,
} from "./kit.ts";

const TRIGGERS = ["api", "anomaly", "security", "bandwidth"];
const STOP_REASONS = ["api", "duration", "size_limit", "total_limit", "shutdown", "restart", "deleted"];

/** The component schemas. */
export const RECORDING_SCHEMAS: Record<string, Json> = {
  Recording: obj({
    id: int("Its id.", { minimum: 1 }),
    what: str(
      'What it records, in words: "host 10.0.0.5", "tcp 10.0.0.5:40000 <-> 192.0.2.9:443", a filter.',
    ),
    kind: oneOf(["host", "flow", "filter"], "What was asked for."),
    host: nullable(str("The host of a host recording; null otherwise.")),
    trigger: oneOf(TRIGGERS, "api, or the event that started it (FLINTNET_RECORDING_AUTO=1)."),
    reason: nullable(str("The triggering event in words; null for the API.")),
    started: str("When it started.", { format: "date-time" }),
    stopped: nullable(str("When it stopped; null while running.", { format: "date-time" })),
    duration_s: nullable(int("Seconds it runs before stopping by itself; null: until stopped.")),
    pre_seconds: int("Seconds before the start it holds, from the ring of recent frames.", { minimum: 0 }),
    bytes: int("Octets of the pcap file: a download of a running recording gets this many.", { minimum: 24 }),
    packets: int("Frames in the file.", { minimum: 0 }),
    state: oneOf(["running", "stopped"], ""),
    stop_reason: {
      type: ["string", "null"],
      enum: [...STOP_REASONS, null],
      description: "Why it stopped; null while running.",
    },
  }, "A PCAP recording."),
  RecordingsPage: obj({
    recordings: array(ref("Recording"), "Oldest first."),
    count: int("How many."),
  }, "Every recording kept."),
  NewRecording: {
    type: "object",
    description: "Exactly one of host, flow, filter.",
    properties: {
      host: str("Record this host (IPv4 or IPv6): frames to or from it, and ARP naming it."),
      flow: obj(
        {
          src_ip: str("One end."),
          dst_ip: str("The other end."),
          protocol: {
            anyOf: [
              int("", { minimum: 0, maximum: 255 }),
              oneOf(["tcp", "udp", "icmp", "icmp6", "sctp"], ""),
            ],
          },
          src_port: int("src_ip's port (with dst_port).", { minimum: 0, maximum: 65535 }),
          dst_port: int("dst_ip's port.", { minimum: 0, maximum: 65535 }),
        },
        "Both directions of one connection.",
        ["src_ip", "dst_ip", "protocol"],
      ),
      filter: str(`A filter: ${FILTER_ACCEPTED}. E.g. "host 10.0.0.5 and port 443 and proto tcp".`, {
        maxLength: 200,
      }),
      duration_s: nullable(int("Stop by itself after this many seconds; null or absent: until stopped.", {
        minimum: 1,
        maximum: 86_400,
      })),
      pre_seconds: int(
        "Begin with this many seconds before the start from the ring of recent frames (kept only with " +
          "FLINTNET_RECORDING_AUTO=1; at most FLINTNET_RECORDING_PRE_SECONDS).",
        { minimum: 0 },
      ),
    },
    oneOf: [{ required: ["host"] }, { required: ["flow"] }, { required: ["filter"] }],
    additionalProperties: false,
  },
};

const ID = pathParam("id", "A recording id.", int("", { minimum: 1 }));
const NOT_FOUND = errorResponse("No such recording (code not_found).");

/** The path items. */
export function recordingPaths(): Json {
  return {
    "/recordings": {
      get: {
        summary: "Every PCAP recording kept: running and finished.",
        responses: { "200": json(ref("RecordingsPage"), "The recordings."), ...AUTH_ERRORS },
      },
      post: {
        summary: "Starts a PCAP recording of a host, a flow or a filter.",
        description: "Frames are kept up to FLINTNET_SNAPLEN octets each. Files are bounded by " +
          "FLINTNET_RECORDING_MAX_MB each, FLINTNET_RECORDINGS_MAX_MB and FLINTNET_RECORDINGS_MAX together " +
          "(the oldest finished recordings are deleted first). Anything but the accepted filter terms is a 400.",
        requestBody: jsonBody(ref("NewRecording"), "What to record."),
        responses: {
          "201": json(ref("Recording"), "Started."),
          "400": BAD_PARAMETER,
          "409": errorResponse(
            "No room: 32 recordings running, or FLINTNET_RECORDINGS_MAX kept and all running, or running " +
              "recordings take FLINTNET_RECORDINGS_MAX_MB (code conflict).",
          ),
          "413": tooLarge(MAX_BODY_BYTES),
          ...AUTH_ERRORS,
        },
      },
    },
    "/recordings/{id}/stop": {
      post: {
        summary: "Stops a recording (a finished one is answered as it is).",
        parameters: [ID],
        responses: {
          "200": json(ref("Recording"), "The recording."),
          "400": BAD_PARAMETER,
          "404": NOT_FOUND,
          ...AUTH_ERRORS,
        },
      },
    },
    "/recordings/{id}": {
      delete: {
        summary: "Stops a recording if it runs and deletes its file.",
        parameters: [ID],
        responses: {
          "204": { description: "Deleted." },
          "400": BAD_PARAMETER,
          "404": NOT_FOUND,
          ...AUTH_ERRORS,
        },
      },
    },
    "/recordings/{id}/pcap": {
      get: {
        summary: "Downloads a recording as a standard pcap (also while it runs: whole records up to now).",
        parameters: [ID],
        responses: {
          "200": {
            description: "The pcap file (microsecond timestamps), as an attachment.",
            headers: {
              "Content-Disposition": { description: "attachment; filename=…", schema: str("") },
            },
            content: { "application/vnd.tcpdump.pcap": { schema: str("pcap", { format: "binary" }) } },
          },
          "400": BAD_PARAMETER,
          "404": NOT_FOUND,
          ...AUTH_ERRORS,
        },
      },
    },
  };
}
