/**
 * PCAP recordings: frames the capture Worker's tap copied, written to standard pcap files in the state
 * directory; started and stopped through the API, or by an anomaly, a security event or a bandwidth
 * threshold (docs/visibility.md, "PCAP recording").
 * The only file other folders import.
 */
export {
  Recorder,
  type RecorderOptions,
  RecordingRefused,
  type StartRequest,
  type TapTarget,
} from "./recorder.ts";
export {
  BODY_MEMBERS,
  FILTER_ACCEPTED,
  hostSubject,
  parseRecordingBody,
  parseRecordingFilter,
  RecordingInputError,
  type RecordingKind,
  type RecordingRequest,
  type RecordingSubject,
} from "./recording_request.ts";
export { type RecordingJson, type StopReason, type Trigger } from "./recordings_index.ts";
export { AutoRecorder, type AutoRecorderOptions, BandwidthTrigger } from "./auto_record.ts";
