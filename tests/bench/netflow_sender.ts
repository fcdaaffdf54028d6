/**
 * The paced NetFlow v9 sender of the ingest benchmark, run as its own process (its own core): sends the
 * stream of netflow_stream.ts to every port given on 127.0.0.1, each datagram to each port in turn, at
 * `--rate` records per second for `--seconds`, one sendto(2) per datagram through libc. Prints one JSON
 * line: what it sent and how long it took.
 *
 *   deno run -A tests/bench/netflow_sender.ts --ports=2055,9995 --rate=1000000 --seconds=3
 */
import { lastErrno, libc } from "../../src/net/libc_ffi.ts";
import { dataDatagrams, RECORDS_PER_DATAGRAM, setSequence, templateDatagram } from "./netflow_stream.ts";

const AF_INET = 2, SOCK_DGRAM = 2, SOL_SOCKET = 1, SO_SNDBUF = 7;
/** A template every this many data datagrams, as exporters refresh theirs. */
const TEMPLATE_EVERY = 512;

function arg(name: string, fallback?: string): string {
  const a = Deno.args.find((x) => x.startsWith(`--${name}=`));
  const v = a?.slice(name.length + 3) ?? fallback;
  if (v === undefined) throw new Error(`--${name}= is required`);
  return v;
}

const ports = arg("ports").split(",").map(Number);
const rate = Number(arg("rate"));
const seconds = Number(arg("seconds", "3"));
const pool = dataDatagrams(Number(arg("pool", "4096")));
const L = libc();
const fd = L.socket(AF_INET, SOCK_DGRAM, 0);
L.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, new Uint8Array(new Int32Array([4 << 20]).buffer), 4);
const addrs = ports.map((port) => {
  const sa = new Uint8Array(16), v = new DataView(sa.buffer);
  v.setUint16(0, AF_INET, true);
  v.setUint16(2, port, false);
  v.setUint32(4, 0x7f000001, false);
  return sa;
});

let sequence = 0, failed = 0, lastError = 0;
function send(d: Uint8Array): void {
  setSequence(d, sequence++);
  for (const sa of addrs) {
    if (L.sendto(fd, d, BigInt(d.length), 0, sa, 16) < 0) {
      failed++;
      lastError = lastErrno();
    }
  }
}

const total = Math.round((rate * seconds) / RECORDS_PER_DATAGRAM);
const perMs = rate / RECORDS_PER_DATAGRAM / 1000;
send(templateDatagram(0));
const start = performance.now();
// Between bursts the sender sleeps (Atomics.wait, 0.2 ms) instead of spinning: on 2 cores a spinning
// sender would take a whole core from the receivers it measures.
const nap = new Int32Array(new SharedArrayBuffer(4));
let sent = 0;
while (sent < total) {
  const due = Math.min(total, Math.floor((performance.now() - start) * perMs) + 1);
  if (sent >= due) Atomics.wait(nap, 0, 0, 0.2);
  while (sent < due) {
    if (sent % TEMPLATE_EVERY === TEMPLATE_EVERY - 1) send(templateDatagram(0));
    send(pool[sent % pool.length]);
    sent++;
  }
}
const elapsed = (performance.now() - start) / 1000;
L.close(fd);
console.log(JSON.stringify({
  datagrams: sequence,
  data_datagrams: sent,
  records: sent * RECORDS_PER_DATAGRAM,
  seconds: elapsed,
  records_per_s: (sent * RECORDS_PER_DATAGRAM) / elapsed,
  failed,
  last_errno: lastError,
}));
