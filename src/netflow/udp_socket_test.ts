/**
 * The collector's libc UDP socket against the kernel: datagrams and their senders as sent, the receive
 * buffer the kernel reports, and drops read from /proc/net/udp adding up with what was received to
 * what was sent.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { DatagramBatch, kernelDrops, UdpSocket } from "./udp_socket.ts";
import { LibcError } from "../net/libc_ffi.ts";

const LOOPBACK = { family: 4, words: [0x7f000001, 0, 0, 0] };

/** Sends `payloads` from a fresh socket to 127.0.0.1:`port`; resolves with the sender's port. */
function send(port: number, payloads: Uint8Array[]): Promise<number> {
  const s = createSocket("udp4");
  return new Promise((resolve, reject) => {
    s.bind(0, "127.0.0.1", async () => {
      try {
        for (const p of payloads) {
          await new Promise<void>((ok, ko) => s.send(p, port, "127.0.0.1", (e) => e ? ko(e) : ok()));
        }
        const from = s.address().port;
        s.close(() => resolve(from));
      } catch (e) {
        reject(e);
      }
    });
  });
}

Deno.test("UdpSocket.receive() reads waiting datagrams in one call, each with its length and sender", async () => {
  const sock = UdpSocket.open({ ...LOOPBACK, port: 0 }, 1 << 20);
  try {
    const payloads = Array.from(
      { length: 10 },
      (_, i) => Uint8Array.from({ length: 100 + i }, (_, k) => (i + k) & 255),
    );
    await send(sock.port, payloads);
    const b = new DatagramBatch();
    const n = sock.receive(b);
    assert.equal(n, 10);
    for (let i = 0; i < n; i++) {
      assert.deepEqual(b.slots[i].subarray(0, b.length[i]), payloads[i]);
      assert.deepEqual([b.family[i], b.words[i * 4]], [4, 0x7f000001]);
    }
    assert.equal(sock.receive(b), 0, "nothing more waits");
  } finally {
    sock.close();
  }
});

Deno.test("UdpSocket: a sender on a dual-stack socket is given as IPv4, and the buffer size is the kernel's", async () => {
  const sock = UdpSocket.open({ family: 6, words: [0, 0, 0, 0], port: 0 }, 8 << 20);
  try {
    // Linux reports twice what was set (socket(7)); as root SO_RCVBUFFORCE passes net.core.rmem_max.
    if (Deno.uid() === 0) assert.equal(sock.rcvbufBytes, 16 << 20);
    else assert.ok(sock.rcvbufBytes > 0);
    await send(sock.port, [Uint8Array.of(1, 2, 3)]);
    const b = new DatagramBatch();
    assert.equal(sock.receive(b), 1);
    assert.deepEqual([b.family[0], b.words[0], b.words[1], b.words[2], b.words[3]], [4, 0x7f000001, 0, 0, 0]);
  } finally {
    sock.close();
  }
});

Deno.test("kernelDrops() counts the datagrams a full buffer refused: received + dropped = sent", async () => {
  // The smallest buffer the kernel allows: a few datagrams of 1,000 octets fill it.
  const sock = UdpSocket.open({ ...LOOPBACK, port: 0 }, 1);
  try {
    const sent = 200;
    await send(sock.port, Array.from({ length: sent }, () => new Uint8Array(1000)));
    const b = new DatagramBatch();
    let received = 0;
    for (let n; (n = sock.receive(b)) > 0;) received += n;
    const dropped = kernelDrops(sock.inode());
    assert.ok(received < sent && received > 0, `${received} received`);
    assert.equal(received + dropped, sent);
  } finally {
    sock.close();
  }
});

Deno.test("UdpSocket.open() refuses a port in use with EADDRINUSE", () => {
  const first = UdpSocket.open({ ...LOOPBACK, port: 0 }, 1 << 20);
  try {
    assert.throws(
      () => UdpSocket.open({ ...LOOPBACK, port: first.port }, 1 << 20),
      (e: unknown) => e instanceof LibcError && e.code === "EADDRINUSE",
    );
  } finally {
    first.close();
  }
});
