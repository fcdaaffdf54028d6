/**
 * Pure byte parsers: a captured frame (Ethernet, VLAN, Linux cooked, raw IP) → IPv4/IPv6/ARP →
 * transport, one row per frame into a struct-of-arrays PacketBatch. Declares the seams on both sides:
 * FrameSink (what packet sources feed) and BatchConsumer (what receives batches). Imports only net/.
 * The only file other folders import.
 */
export { type DecodeCounters, Decoder } from "./decoder.ts";
export { type FrameSink, LinkType } from "./frame_sink.ts";
export {
  batchBytes,
  type BatchConsumer,
  batchTransferList,
  createPacketBatch,
  DEFAULT_BATCH_ROWS,
  type PacketBatch,
  RowKind,
} from "./packet_batch.ts";
export { type CdpPdu, parseCdp } from "./cdp.ts";
export { type LldpPdu, parseLldp } from "./lldp.ts";
export { AsideUse } from "./packet_batch.ts";
// visibility: the name decoders (slow path, main thread) and what the decoder sets aside for them
export { type DnsAnswer, type DnsMessage, type DnsQuestion, DnsType, parseDnsMessage } from "./dns.ts";
export { clientHelloLength, clientHelloServerName } from "./tls_client_hello.ts";
export { httpRequestHost } from "./http_host.ts";
export { DNS_PORT, MAX_CLIENT_HELLO, PENDING_MS } from "./name_payloads.ts";
export { PAYLOAD_HINT_NAMES, PayloadHint } from "./payload_hint.ts";
