/**
 * NetFlow v5/v9 and IPFIX collection: pure decoders with bounded template state per exporter and
 * observation domain, one flow record shape for every source, and the UDP receive loop (a libc socket with
 * recvmmsg, in-process or in a Worker) that feeds records into the same flow table as capture.
 * The only file other folders import.
 */
export { CollectorService, type ListenerConfig } from "./collector_service.ts";
export { type FlowRecordBatch } from "./flow_record.ts";
