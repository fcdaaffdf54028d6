/**
 * Sources of packets: the AF_PACKET TPACKET_V3 ring in a Worker per interface, pcap/pcapng files for
 * replay (also in a Worker), and libpcap (FFI) for BPF filters. They feed decode/'s FrameSink and hand
 * PacketBatches to a BatchConsumer.
 * The only file other folders import.
 */
export { BpfError, compileBpf } from "./bpf.ts";
export { type FileStream, openCaptureStream, streamCaptureFile } from "./file_source.ts";
export { LibpcapLoadError, useLibpcap } from "./libpcap_ffi.ts";
export { LiveCapture } from "./live_capture.ts";
export { CaptureFileError } from "./capture_file.ts";
export { BatchRing, type BatchRingShape } from "./batch_ring.ts";
