/**
 * A capture Worker's tap without the Worker, for tests of the recorder on the main thread: it takes the
 * recorder's TapMessages and applies them at once to a real FrameTap (src/capture/frame_tap.ts), which
 * copies frames into the real tap ring exactly as the capture Worker does; `send` hands it one frame.
 * The frames come from `udpFrame`: every octet known, the sequence number inside.
 *
 * @example
 * const cap = new TapFeeder();
 * await recorder.start([cap]);
 * cap.send(udpFrame("10.0.0.1", "10.0.0.2", 7, 200), Date.now());
 * recorder.drain();
 */
import { FrameTap } from "../../src/capture/frame_tap.ts";
import type { TapMessage } from "../../src/capture/mod.ts";
import { LinkType } from "../../src/decode/mod.ts";
import { ethernet, ETHERTYPE_IPV4, ipv4, PROTO, udp } from "./frames.ts";

/** A TapTarget (src/recording/recorder.ts) feeding a real FrameTap synchronously. */
export class TapFeeder {
  readonly tap = new FrameTap({ vlanHint: 0, frame() {}, flush() {} });
  /** Messages received, the latest last. */
  readonly messages: TapMessage[] = [];

  setTap(m: TapMessage): void {
    this.messages.push(m);
    this.tap.configure(m);
  }

  /** Hands the tap one Ethernet frame captured at `tsMs`, whole (or cut to `capLen`). */
  send(frame: Uint8Array, tsMs: number, capLen = frame.length): void {
    this.tap.frame(frame, 0, capLen, frame.length, tsMs, LinkType.Ethernet);
  }
}

/** An Ethernet/IPv4/UDP frame of `size` octets from `src` to `dst`, its payload numbered `seq`. */
export function udpFrame(src: string, dst: string, seq: number, size: number): Uint8Array {
  const data = new Uint8Array(Math.max(4, size - 14 - 20 - 8));
  for (let i = 0; i < data.length; i++) data[i] = (seq * 7 + i) & 0xff;
  new DataView(data.buffer).setUint32(0, seq);
  return ethernet(
    { etherType: ETHERTYPE_IPV4 },
    ipv4({ src, dst, proto: PROTO.UDP }, udp({ srcPort: 40000, dstPort: 9000 }, data)),
  );
}
