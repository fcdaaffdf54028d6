import assert from "node:assert/strict";
import { BpfError, compileBpf, runBpf } from "./bpf.ts";
import { LinkType } from "../decode/frame_sink.ts";
import { libpcap } from "./libpcap_ffi.ts";

const CI = Deno.env.get("CI") === "true";
const pcapMissing = (() => {
  try {
    libpcap();
    return false;
  } catch {
    return true;
  }
})();
const ignore = pcapMissing && !CI; // with CI=true a missing libpcap fails the test instead

// Frames built byte by byte from the RFCs, so the test knows what each one is independently of bpf.ts.

function ethernet(etherType: number, payload: number[], vlanId?: number): Uint8Array {
  const head = [
    ...[0x02, 0, 0, 0, 0, 0x02], // destination MAC
    ...[0x02, 0, 0, 0, 0, 0x01], // source MAC
  ];
  if (vlanId !== undefined) head.push(0x81, 0x00, (vlanId >> 8) & 0x0f, vlanId & 0xff); // 802.1Q TPID + TCI
  head.push(etherType >> 8, etherType & 0xff);
  return new Uint8Array([...head, ...payload]);
}

/** RFC 791 header, no options; checksum left 0 (BPF does not look at it). */
function ipv4(proto: number, src: number[], dst: number[], payload: number[]): number[] {
  const total = 20 + payload.length;
  return [0x45, 0, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, proto, 0, 0, ...src, ...dst, ...payload];
}

/** RFC 793 header, 20 bytes, SYN. */
function tcp(sport: number, dport: number): number[] {
  return [
    sport >> 8,
    sport & 0xff,
    dport >> 8,
    dport & 0xff,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0x50,
    0x02,
    0xff,
    0xff,
    0,
    0,
    0,
    0,
  ];
}

/** RFC 768 header plus 4 payload bytes. */
function udp(sport: number, dport: number): number[] {
  return [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 12, 0, 0, 1, 2, 3, 4];
}

/** RFC 792 echo request. */
function icmpEcho(): number[] {
  return [8, 0, 0, 0, 0, 1, 0, 1];
}

/** RFC 826 request for IPv4 over Ethernet. */
function arpRequest(): number[] {
  return [0, 1, 0x08, 0x00, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2];
}

const A = [10, 0, 0, 1];
const B = [10, 0, 0, 2];
const C = [192, 168, 7, 9];

const frames = {
  tcp80: ethernet(0x0800, ipv4(6, B, A, tcp(40000, 80))),
  tcp443: ethernet(0x0800, ipv4(6, B, C, tcp(40000, 443))),
  udp53: ethernet(0x0800, ipv4(17, C, B, udp(5353, 53))),
  icmp: ethernet(0x0800, ipv4(1, C, B, icmpEcho())),
  arp: ethernet(0x0806, arpRequest()),
  vlanUdp: ethernet(0x0800, ipv4(17, C, A, udp(1000, 2000)), 42),
};
type Name = keyof typeof frames;

function accepted(expression: string): Name[] {
  const prog = compileBpf(expression, 65535);
  return (Object.keys(frames) as Name[]).filter((n) => {
    const f = frames[n];
    return runBpf(prog, f, 0, f.length, f.length) > 0;
  });
}

Deno.test({
  name: "runBpf() with libpcap's programs accepts exactly the frames each expression describes",
  ignore,
  fn() {
    assert.deepEqual(accepted("tcp port 80"), ["tcp80"]);
    // the VLAN-tagged UDP frame hides its EtherType behind the tag, as in libpcap on a file
    assert.deepEqual(accepted("udp"), ["udp53"]);
    assert.deepEqual(accepted("vlan"), ["vlanUdp"]);
    assert.deepEqual(accepted("vlan 42 and udp"), ["vlanUdp"]);
    assert.deepEqual(accepted("vlan 43"), []);
    // pcap-filter(7): an unqualified "host" also matches ARP/RARP addresses
    assert.deepEqual(accepted("host 10.0.0.1"), ["tcp80", "arp"]);
    assert.deepEqual(accepted("ip host 10.0.0.1"), ["tcp80"]);
    assert.deepEqual(accepted("arp"), ["arp"]);
    assert.deepEqual(accepted("not icmp"), ["tcp80", "tcp443", "udp53", "arp", "vlanUdp"]);
    assert.deepEqual(accepted("tcp[tcpflags] & tcp-syn != 0 and dst port 443"), ["tcp443"]);
  },
});

Deno.test({
  name: "compileBpf() of the empty expression returns the snaplen for every frame",
  ignore,
  fn() {
    const prog = compileBpf("", 96);
    assert.equal(prog.length, 8); // a single `ret #96`
    for (const f of Object.values(frames)) assert.equal(runBpf(prog, f, 0, f.length, f.length), 96);
  },
});

Deno.test({
  name: "compileBpf() for raw IP frames matches without an Ethernet header",
  ignore,
  fn() {
    const prog = compileBpf("udp", 65535, LinkType.Raw);
    const raw = new Uint8Array(ipv4(17, C, B, udp(1, 2)));
    const rawTcp = new Uint8Array(ipv4(6, C, B, tcp(1, 2)));
    assert.ok(runBpf(prog, raw, 0, raw.length, raw.length) > 0);
    assert.equal(runBpf(prog, rawTcp, 0, rawTcp.length, rawTcp.length), 0);
  },
});

Deno.test({
  name: "compileBpf() rejects a bad expression with libpcap's message and the expression",
  ignore,
  fn() {
    assert.throws(() => compileBpf("tcp port", 65535), (e: unknown) => {
      assert.ok(e instanceof BpfError);
      assert.equal(e.expression, "tcp port");
      assert.match(
        e.message,
        /^FLINTNET_BPF="tcp port" is not valid: .*syntax error.* \(libpcap\); accepted: a pcap-filter\(7\) expression$/,
      );
      return true;
    });
    assert.throws(() => compileBpf("host nosuchhost.invalid.", 65535), BpfError);
    assert.throws(() => compileBpf("", 0), RangeError);
  },
});

Deno.test({
  name: "runBpf() reads the frame at an offset and drops frames truncated before the tested field",
  ignore,
  fn() {
    const prog = compileBpf("tcp port 80", 65535);
    const f = frames.tcp80;
    const buf = new Uint8Array(f.length + 100);
    buf.set(f, 37);
    assert.equal(runBpf(prog, buf, 37, f.length, f.length), 65535);
    // port bytes sit at 34..37: a 30-byte capture cannot prove the port, so the kernel's answer is drop
    assert.equal(runBpf(prog, buf, 37, 30, f.length), 0);
    // capLen larger than the buffer is clamped to the buffer, never read beyond it
    assert.equal(runBpf(prog, f.subarray(0, 30), 0, 1000, 1000), 0);
  },
});

/** One `struct sock_filter`, little-endian. */
function insn(code: number, jt: number, jf: number, k: number): number[] {
  return [code & 0xff, code >> 8, jt, jf, k & 0xff, (k >>> 8) & 0xff, (k >>> 16) & 0xff, k >>> 24];
}

Deno.test("runBpf() computes arithmetic, scratch memory and register moves like bpf_filter()", () => {
  const f = frames.udp53;
  const prog = new Uint8Array([
    ...insn(0x80, 0, 0, 0), // ld #len
    ...insn(0x02, 0, 0, 3), // st M[3]
    ...insn(0x00, 0, 0, 7), // ld #7
    ...insn(0x07, 0, 0, 0), // tax
    ...insn(0x60, 0, 0, 3), // ld M[3]
    ...insn(0x2c, 0, 0, 0), // mul x
    ...insn(0x14, 0, 0, 1), // sub #1
    ...insn(0x94, 0, 0, 1000), // mod #1000
    ...insn(0x16, 0, 0, 0), // ret a
  ]);
  assert.equal(runBpf(prog, f, 0, f.length, 80), (80 * 7 - 1) % 1000);
  const neg = new Uint8Array([...insn(0x00, 0, 0, 5), ...insn(0x84, 0, 0, 0), ...insn(0x16, 0, 0, 0)]);
  assert.equal(runBpf(neg, f, 0, f.length, f.length), 0xfffffffb); // ld #5; neg; ret a → u32
});

Deno.test("runBpf() ends malformed programs with 0 instead of throwing or reading out of bounds", () => {
  const f = frames.tcp80;
  const cases: Record<string, number[]> = {
    empty: [],
    partial: insn(0x06, 0, 0, 1).slice(0, 7),
    "jump past the end": [...insn(0x05, 0, 0, 1000), ...insn(0x06, 0, 0, 1)],
    "conditional jump past the end": [...insn(0x15, 200, 200, 0), ...insn(0x06, 0, 0, 1)],
    "division by zero": [...insn(0x00, 0, 0, 1), ...insn(0x34, 0, 0, 0), ...insn(0x06, 0, 0, 1)],
    "division by X = 0": [...insn(0x00, 0, 0, 1), ...insn(0x3c, 0, 0, 0), ...insn(0x06, 0, 0, 1)],
    "load past the frame": [...insn(0x20, 0, 0, 10_000), ...insn(0x06, 0, 0, 1)],
    "indirect load wrapping around": [
      ...insn(0x01, 0, 0, 0xffffffff),
      ...insn(0x48, 0, 0, 2),
      ...insn(0x06, 0, 0, 1),
    ],
    "Linux ancillary load": [...insn(0x20, 0, 0, 0xfffff000), ...insn(0x06, 0, 0, 1)],
    "scratch slot 16": [...insn(0x60, 0, 0, 16), ...insn(0x06, 0, 0, 1)],
    "unknown opcode": [...insn(0xff, 0, 0, 0), ...insn(0x06, 0, 0, 1)],
    "falls off the end": insn(0x00, 0, 0, 1),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    assert.equal(runBpf(new Uint8Array(bytes), f, 0, f.length, f.length), 0, name);
  }
  // random programs: any u32 answer is fine, an exception or a hang is not
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 2000; i++) {
    const prog = new Uint8Array(8 * (1 + (i % 40)));
    for (let j = 0; j < prog.length; j++) prog[j] = rand();
    const r = runBpf(prog, f, 0, f.length, f.length);
    assert.ok(Number.isInteger(r) && r >= 0 && r <= 0xffffffff);
  }
});
