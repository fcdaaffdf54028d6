/**
 * Sources of packets: the AF_PACKET TPACKET_V3 ring in a Worker per interface, pcap/pcapng files for
 * replay (also in a Worker), and libpcap (FFI) for BPF filters. They feed decode/'s FrameSink and hand
 * PacketBatches to a BatchConsumer.
 * The only file other folders import.
 */
export { BpfError, compileBpf } from "./bpf.ts";
export { streamCaptureFile } from "./file_source.ts";
export { LibpcapLoadError, useLibpcap } from "./libpcap_ffi.ts";
export { LiveCapture } from "./live_capture.ts";
export { CaptureFileError } from "./capture_file.ts";
export { BatchRing, type BatchRingShape } from "./batch_ring.ts";
export { type TapMessage } from "./frame_tap.ts";
export {
  ALL_RECORDS,
  createTapRing,
  TAP_RECORD_HEADER,
  type TapRecord,
  tapRingBytes,
  TapRingReader,
  type TapRingShape,
} from "./tap_ring.ts";
export { MAX_TAP_SUBJECTS, type TapSubject, TapSubjects } from "./tap_subjects.ts";
export { PCAP_FILE_HEADER_LEN, PCAP_MAGIC_MICROS, PCAP_RECORD_HEADER_LEN } from "./pcap_format.ts";
