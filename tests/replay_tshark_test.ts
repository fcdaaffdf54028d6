/**
 * `flintnet replay FILE --all-flows` against tshark: the same capture, read by both, must give the same
 * flows (per direction) with the same IP bytes and packet counts. tshark prints per-packet fields and this
 * test aggregates them itself, so the expected numbers come from an independent dissector.
 */
import assert from "node:assert/strict";
import {
  type CaptureFrame,
  type PcapngBlock,
  type PcapngEpb,
  writePcap,
  writePcapng,
} from "./helpers/capture_writer.ts";
import {
  arp,
  ethernet,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_LLDP,
  icmp,
  icmpv6,
  ipv4,
  ipv6,
  type Ipv6Extension,
  payload,
  PROTO,
  sll,
  tcp,
  udp,
} from "./helpers/frames.ts";
import { SWITCH_LLDPDU } from "./helpers/discovery_frames.ts";

const CI = Deno.env.get("CI") === "true";
const hasTshark = await Deno.stat("/usr/bin/tshark").then(() => true, () => false);
const ignore = !hasTshark && !CI; // with CI=true a missing tshark fails the tests instead

const REPO = new URL("../", import.meta.url);
const MAIN = decodeURIComponent(new URL("main.ts", REPO).pathname);
const CONFIG = decodeURIComponent(new URL("deno.json", REPO).pathname);
/** The benchmark's capture generator, kept beside the repository (shared/), or where FLINTNET_BENCH_GEN says. */
const GEN_PCAP = Deno.env.get("FLINTNET_BENCH_GEN") ??
  decodeURIComponent(new URL("../shared/bench/gen-pcap.py", REPO).pathname);

/** Per-direction flow totals keyed by "src|dst|proto|sport|dport". */
type Flows = Map<string, { bytes: number; packets: number }>;

function add(flows: Flows, key: string, bytes: number): void {
  const f = flows.get(key) ?? { bytes: 0, packets: 0 };
  f.bytes += bytes;
  f.packets++;
  flows.set(key, f);
}

// ---------------------------------------------------------------- the two readers

interface ReplayDoc {
  format: string;
  totals: {
    frames: number;
    wire_bytes: number;
    decode:
      & { ipv4: number; ipv6: number; arp: number; lldp: number; malformed_total: number }
      & Record<
        string,
        unknown
      >;
  };
  flows: {
    src_ip: string;
    dst_ip: string;
    src_port: number;
    dst_port: number;
    protocol: number;
    bytes: number;
    packets: number;
  }[];
}

/** Runs `main.ts replay FILE --all-flows` in a scratch directory, as a user would. */
async function replay(path: string, dir: string): Promise<ReplayDoc> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, MAIN, "replay", path, "--all-flows"],
    cwd: dir,
    env: { FLINTNET_ENV_FILE: "/dev/null", FLINTNET_STATE_DIR: dir, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `replay exited ${out.code}: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

function replayFlows(doc: ReplayDoc): Flows {
  const flows: Flows = new Map();
  for (const f of doc.flows) {
    const key = `${f.src_ip}|${f.dst_ip}|${f.protocol}|${f.src_port}|${f.dst_port}`;
    const sum = flows.get(key) ?? { bytes: 0, packets: 0 };
    // A flow cut by a timeout appears as several records: their sum is the flow.
    sum.bytes += f.bytes;
    sum.packets += f.packets;
    flows.set(key, sum);
  }
  return flows;
}

const FIELDS = [
  "ip.src",
  "ip.dst",
  "ipv6.src",
  "ipv6.dst",
  "ip.proto",
  "ip.len",
  "ip.id",
  "ip.flags.mf",
  "ip.frag_offset",
  "ipv6.plen",
  "ipv6.fraghdr.nxt",
  "ipv6.fraghdr.offset",
  "ipv6.fraghdr.more",
  "ipv6.fraghdr.ident",
  "tcp.srcport",
  "tcp.dstport",
  "udp.srcport",
  "udp.dstport",
  "sctp.srcport",
  "sctp.dstport",
  "icmp.type",
  "icmp.code",
  "icmpv6.type",
  "icmpv6.code",
  "arp.opcode",
] as const;

/** What tshark says, aggregated per direction the way Flintnet counts (IP bytes, fragments attributed). */
interface TsharkView {
  flows: Flows;
  packets: number;
  ipv4: number;
  ipv6: number;
  arp: number;
}

async function tshark(path: string): Promise<TsharkView> {
  const out = await new Deno.Command("tshark", {
    args: [
      "-r",
      path,
      // Per-packet view: no reassembly, so each fragment is its own row.
      "-o",
      "ip.defragment:FALSE",
      "-o",
      "ipv6.defragment:FALSE",
      "-T",
      "fields",
      "-E",
      "separator=/t",
      // The first occurrence is the outer header (an ICMP error repeats ip.src/udp.* for the packet it quotes).
      "-E",
      "occurrence=f",
      ...FIELDS.flatMap((f) => ["-e", f]),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, `tshark failed: ${new TextDecoder().decode(out.stderr)}`);
  const lines = new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
  const view: TsharkView = { flows: new Map(), packets: lines.length, ipv4: 0, ipv6: 0, arp: 0 };
  const firstFragment = new Map<string, string>(); // src|dst|id|proto → "sport|dport"
  for (const line of lines) {
    const cols = line.split("\t");
    const f = Object.fromEntries(FIELDS.map((name, i) => [name, cols[i] ?? ""])) as Record<
      (typeof FIELDS)[number],
      string
    >;
    if (f["arp.opcode"] !== "" && f["ip.src"] === "" && f["ipv6.src"] === "") {
      view.arp++;
      continue;
    }
    const v4 = f["ip.src"] !== "";
    const v6 = !v4 && f["ipv6.src"] !== "";
    if (!v4 && !v6) continue;
    const src = v4 ? f["ip.src"] : f["ipv6.src"];
    const dst = v4 ? f["ip.dst"] : f["ipv6.dst"];
    const bytes = v4 ? Number(f["ip.len"]) : Number(f["ipv6.plen"]) + 40;
    let proto: number;
    let later = false, more = false, id = "";
    if (v4) {
      view.ipv4++;
      proto = Number(f["ip.proto"]);
      later = Number(f["ip.frag_offset"]) > 0;
      more = f["ip.flags.mf"] === "1" || f["ip.flags.mf"] === "True";
      id = f["ip.id"];
    } else {
      view.ipv6++;
      if (f["ipv6.fraghdr.ident"] !== "") {
        proto = Number(f["ipv6.fraghdr.nxt"]);
        later = Number(f["ipv6.fraghdr.offset"]) > 0;
        more = f["ipv6.fraghdr.more"] === "1" || f["ipv6.fraghdr.more"] === "True";
        id = f["ipv6.fraghdr.ident"];
      } else if (f["icmpv6.type"] !== "") proto = 58;
      else if (f["tcp.srcport"] !== "") proto = 6;
      else if (f["udp.srcport"] !== "") proto = 17;
      else if (f["sctp.srcport"] !== "") proto = 132;
      else throw new Error(`cannot tell the transport of ${line}`);
    }
    let ports: string;
    if (later) {
      // Flintnet's rule, restated: a later fragment takes its first fragment's ports, else 0/0.
      ports = firstFragment.get(`${src}|${dst}|${id}|${proto}`) ?? "0|0";
    } else {
      ports = proto === 6
        ? `${f["tcp.srcport"]}|${f["tcp.dstport"]}`
        : proto === 17
        ? `${f["udp.srcport"]}|${f["udp.dstport"]}`
        : proto === 132
        ? `${f["sctp.srcport"]}|${f["sctp.dstport"]}`
        : proto === 1
        ? `${f["icmp.type"]}|${f["icmp.code"]}`
        : proto === 58
        ? `${f["icmpv6.type"]}|${f["icmpv6.code"]}`
        : "0|0";
      if (more) firstFragment.set(`${src}|${dst}|${id}|${proto}`, ports);
    }
    add(view.flows, `${src}|${dst}|${proto}|${ports}`, bytes);
  }
  return view;
}

/** Both flow sets hold the same keys with the same bytes and packets. */
function assertSameFlows(ours: Flows, theirs: Flows): void {
  const sortedKeys = (m: Flows) => [...m.keys()].sort();
  const missing = sortedKeys(theirs).filter((k) => !ours.has(k));
  const extra = sortedKeys(ours).filter((k) => !theirs.has(k));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, "flow keys (src|dst|proto|sport|dport)");
  for (const [key, t] of theirs) assert.deepEqual(ours.get(key), t, `flow ${key}`);
}

// ---------------------------------------------------------------- captures written here

function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** A frame with the number of bytes that belong to the application (what a snaplen may cut). */
interface Made {
  frame: Uint8Array;
  appBytes: number;
}

/** A mixed capture: TCP/UDP/ICMP over IPv4 and IPv6, VLANs, fragments, ARP, LLDP, varied sizes. */
function mixedFrames(seed: number): Made[] {
  const int = prng(seed);
  const made: Made[] = [];
  const push = (frame: Uint8Array, appBytes: number) => made.push({ frame, appBytes });
  const inOrder: Made[] = []; // fragments: shuffled in, but each after the one before it
  const pushInOrder = (frame: Uint8Array, appBytes: number) => inOrder.push({ frame, appBytes });
  const v4 = (
    vlans: number[] | undefined,
    src: string,
    dst: string,
    proto: number,
    l4: Uint8Array,
    app: number,
  ) => push(ethernet({ etherType: ETHERTYPE_IPV4, vlans }, ipv4({ src, dst, proto }, l4)), app);
  const v6 = (
    src: string,
    dst: string,
    proto: number,
    l4: Uint8Array,
    app: number,
    extensions?: Ipv6Extension[],
  ) => push(ethernet({ etherType: ETHERTYPE_IPV6 }, ipv6({ src, dst, proto, extensions }, l4)), app);

  for (
    const [vlans, c, s] of [
      [undefined, "192.0.2.10", "198.51.100.20"],
      [[10], "10.10.0.5", "10.10.0.1"],
      [[100, 200], "172.16.5.5", "172.16.5.6"],
    ] as [number[] | undefined, string, string][]
  ) {
    for (let i = 0; i < 15; i++) {
      const up = int(1400), down = int(1460);
      v4(vlans, c, s, PROTO.TCP, tcp({ srcPort: 40000, dstPort: 443, flags: 0x18 }, payload(up)), up);
      v4(vlans, s, c, PROTO.TCP, tcp({ srcPort: 443, dstPort: 40000, flags: 0x10 }, payload(down)), down);
    }
  }
  for (let i = 0; i < 5; i++) {
    const q = 20 + int(40), r = 40 + int(400);
    v4(
      undefined,
      "192.168.1.52",
      "192.168.1.1",
      PROTO.UDP,
      udp({ srcPort: 50000 + i, dstPort: 53 }, payload(q)),
      q,
    );
    v4(
      undefined,
      "192.168.1.1",
      "192.168.1.52",
      PROTO.UDP,
      udp({ srcPort: 53, dstPort: 50000 + i }, payload(r)),
      r,
    );
  }
  for (let i = 0; i < 4; i++) {
    v4(undefined, "192.0.2.1", "192.0.2.2", PROTO.ICMP, icmp({ type: 8 }, payload(56)), 56);
    v4(undefined, "192.0.2.2", "192.0.2.1", PROTO.ICMP, icmp({ type: 0 }, payload(56)), 56);
  }
  // ICMP errors quote the offending header: tshark repeats ip.src and udp.* for it
  const quoted = ipv4(
    { src: "192.0.2.1", dst: "192.0.2.2", proto: PROTO.UDP },
    udp({ srcPort: 33434, dstPort: 33435 }, payload(8)),
  );
  for (let i = 0; i < 3; i++) {
    v4(
      undefined,
      "192.0.2.2",
      "192.0.2.1",
      PROTO.ICMP,
      icmp({ type: 3, code: 3, rest: new Uint8Array(4) }, quoted),
      quoted.length,
    );
  }
  // IPv4 fragments: a datagram in two pieces, and a later piece whose first was never seen
  const big = udp({ srcPort: 7000, dstPort: 7001 }, payload(1800));
  pushInOrder(
    ethernet(
      { etherType: ETHERTYPE_IPV4 },
      ipv4({ src: "10.9.9.1", dst: "10.9.9.2", proto: PROTO.UDP, id: 4242, mf: true }, big.subarray(0, 1480)),
    ),
    0,
  );
  pushInOrder(
    ethernet(
      { etherType: ETHERTYPE_IPV4 },
      ipv4(
        { src: "10.9.9.1", dst: "10.9.9.2", proto: PROTO.UDP, id: 4242, fragOffset: 1480 },
        big.subarray(1480),
      ),
    ),
    0,
  );
  pushInOrder(
    ethernet(
      { etherType: ETHERTYPE_IPV4 },
      ipv4(
        { src: "10.9.9.1", dst: "10.9.9.2", proto: PROTO.UDP, id: 999, fragOffset: 1480 },
        big.subarray(1480),
      ),
    ),
    0,
  );
  // IPv6: TCP both ways (one way behind extension headers), UDP, ICMPv6 echo and an error, fragments
  const a = "2001:db8::1", b = "2001:db8:0:1::2";
  for (let i = 0; i < 10; i++) {
    const up = int(1200), down = int(1400);
    v6(a, b, PROTO.TCP, tcp({ srcPort: 51000, dstPort: 22 }, payload(up)), up);
    v6(b, a, PROTO.TCP, tcp({ srcPort: 22, dstPort: 51000 }, payload(down)), down, [{ type: 0 }, {
      type: 60,
      len8: 1,
    }]);
  }
  for (let i = 0; i < 3; i++) {
    v6(a, "ff02::fb", PROTO.UDP, udp({ srcPort: 5353, dstPort: 5353 }, payload(100 + i)), 100 + i);
    v6(a, b, PROTO.ICMPV6, icmpv6({ type: 128 }, payload(32)), 32);
    v6(b, a, PROTO.ICMPV6, icmpv6({ type: 129 }, payload(32)), 32);
  }
  const quoted6 = ipv6(
    { src: a, dst: b, proto: PROTO.UDP },
    udp({ srcPort: 6000, dstPort: 6001 }, payload(4)),
  );
  v6(b, a, PROTO.ICMPV6, icmpv6({ type: 1, code: 4, rest: new Uint8Array(4) }, quoted6), quoted6.length);
  const big6 = udp({ srcPort: 8000, dstPort: 8001 }, payload(2000));
  for (
    const ext of [{ type: 44, more: true, id: 0xabcdef }, { type: 44, offset: 1448, id: 0xabcdef }] as const
  ) {
    const piece = ext.more ? big6.subarray(0, 1448) : big6.subarray(1448);
    inOrder.push({
      frame: ethernet(
        { etherType: ETHERTYPE_IPV6 },
        ipv6({ src: a, dst: b, proto: PROTO.UDP, extensions: [ext] }, piece),
      ),
      appBytes: 0,
    });
  }
  // ARP and LLDP: counted, not flows
  for (let i = 0; i < 4; i++) {
    push(
      ethernet(
        { etherType: ETHERTYPE_ARP, dst: "ff:ff:ff:ff:ff:ff" },
        arp({ op: 1, sha: "02:00:00:00:00:01", spa: "192.0.2.1", tpa: `192.0.2.${10 + i}` }),
      ),
      0,
    );
    push(
      ethernet(
        { etherType: ETHERTYPE_ARP },
        arp({
          op: 2,
          sha: "02:00:00:00:00:0a",
          spa: `192.0.2.${10 + i}`,
          tha: "02:00:00:00:00:01",
          tpa: "192.0.2.1",
        }),
      ),
      0,
    );
  }
  push(
    ethernet(
      { etherType: ETHERTYPE_LLDP, dst: "01:80:c2:00:00:0e" },
      Uint8Array.from(SWITCH_LLDPDU),
    ),
    0,
  );

  // Interleave the flows as a network would (Fisher–Yates with the seeded PRNG).
  for (let i = made.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [made[i], made[j]] = [made[j], made[i]];
  }
  let at = 0;
  for (const m of inOrder) {
    at += int(Math.floor((made.length - at) / 2) + 1);
    made.splice(at++, 0, m);
  }
  return made;
}

/** Capture records with a short snaplen on about a third of them (never cutting into a header). */
function records(made: Made[], seed: number): CaptureFrame[] {
  const int = prng(seed);
  return made.map(({ frame, appBytes }, i) => {
    const tsMs = 1_700_000_000_000 + i * 3 + int(3);
    const headers = frame.length - appBytes;
    if (appBytes > 0 && int(3) === 0) {
      return { data: frame.slice(0, headers + int(Math.min(appBytes, 64))), wireLen: frame.length, tsMs };
    }
    return { data: frame, tsMs };
  });
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet_replay_tshark_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "replay of a pcap gives tshark's per-direction bytes and packets for every flow",
  ignore,
  async fn() {
    await withTempDir(async (dir) => {
      const made = mixedFrames(1);
      const recs = records(made, 2);
      assert.ok(
        recs.some((r) => r.wireLen !== undefined && r.wireLen > r.data.length),
        "some records are cut",
      );
      const path = `${dir}/mixed.pcap`;
      await Deno.writeFile(path, writePcap(recs));
      const [doc, view] = await Promise.all([replay(path, dir), tshark(path)]);
      assert.equal(doc.format, "pcap");
      assert.equal(doc.totals.frames, recs.length);
      assert.equal(view.packets, recs.length);
      assert.equal(doc.totals.wire_bytes, recs.reduce((n, r) => n + (r.wireLen ?? r.data.length), 0));
      assert.deepEqual(
        { ipv4: doc.totals.decode.ipv4, ipv6: doc.totals.decode.ipv6, arp: doc.totals.decode.arp },
        { ipv4: view.ipv4, ipv6: view.ipv6, arp: view.arp },
      );
      assert.equal(doc.totals.decode.lldp, 1, "the LLDP frame");
      assert.equal(doc.totals.decode.malformed_total, 0);
      assert.equal(doc.totals.decode.fragments_attributed, 2);
      assert.equal(doc.totals.decode.fragments_unattributed, 1);
      assert.equal(view.flows.size, 28, "flows written above, per direction");
      assertSameFlows(replayFlows(doc), view.flows);
    });
  },
});

Deno.test({
  name: "replay of a pcapng with an Ethernet and a Linux cooked interface gives tshark's flows",
  ignore,
  async fn() {
    await withTempDir(async (dir) => {
      const eth = records(mixedFrames(3), 4);
      // The second interface: the same kind of traffic without Ethernet, as `tcpdump -i any` writes it.
      const int = prng(5);
      const cooked: CaptureFrame[] = [];
      for (let i = 0; i < 40; i++) {
        const up = int(1000);
        const body = i % 2 === 0
          ? ipv4(
            { src: "10.20.0.2", dst: "10.20.0.1", proto: PROTO.TCP },
            tcp({ srcPort: 45000, dstPort: 8080 }, payload(up)),
          )
          : ipv6(
            { src: "2001:db8:20::2", dst: "2001:db8:20::1", proto: PROTO.UDP },
            udp({ srcPort: 9999, dstPort: 123 }, payload(up)),
          );
        cooked.push({
          data: sll({ etherType: i % 2 === 0 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6 }, body),
          tsMs: 1_700_000_000_000 + i * 7,
        });
      }
      // Interleave the two interfaces by time, as a capture of both would be.
      const packets: PcapngEpb[] = [
        ...eth.map((r) => ({ type: "epb" as const, iface: 0, ...r })),
        ...cooked.map((r) => ({ type: "epb" as const, iface: 1, ...r })),
      ].sort((x, y) => x.tsMs! - y.tsMs!);
      const blocks: PcapngBlock[] = [
        { type: "idb", linkType: 1, name: "eth0" },
        { type: "idb", linkType: 113, name: "any", tsresol: 9 },
        ...packets,
      ];
      const path = `${dir}/two_interfaces.pcapng`;
      await Deno.writeFile(path, writePcapng([{ blocks }]));
      const [doc, view] = await Promise.all([replay(path, dir), tshark(path)]);
      assert.equal(doc.format, "pcapng");
      assert.equal(doc.totals.frames, eth.length + cooked.length);
      assert.equal(view.packets, eth.length + cooked.length);
      assert.deepEqual(
        { ipv4: doc.totals.decode.ipv4, ipv6: doc.totals.decode.ipv6, arp: doc.totals.decode.arp },
        { ipv4: view.ipv4, ipv6: view.ipv6, arp: view.arp },
      );
      assert.ok(view.flows.has("10.20.0.2|10.20.0.1|6|45000|8080"), "the cooked interface's flows are there");
      assertSameFlows(replayFlows(doc), view.flows);
    });
  },
});

const hasGenerator = await Deno.stat(GEN_PCAP).then(() => true, () => false);

Deno.test({
  name: "replay of the benchmark generator's capture matches its ground truth and tshark's flows",
  ignore: ignore || (!hasGenerator && !CI),
  async fn() {
    await withTempDir(async (dir) => {
      const path = `${dir}/bench.pcap`;
      const gen = await new Deno.Command("/usr/bin/python3", {
        args: [GEN_PCAP, path, "--packets", "20000", "--flows", "300"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(gen.code, 0, new TextDecoder().decode(gen.stderr));
      const truth = JSON.parse(new TextDecoder().decode(gen.stdout).trim());
      const [doc, view] = await Promise.all([replay(path, dir), tshark(path)]);
      assert.deepEqual(
        {
          packets: doc.totals.frames,
          bytes: doc.totals.wire_bytes,
          ipv4: doc.totals.decode.ipv4,
          ipv6: doc.totals.decode.ipv6,
          arp: doc.totals.decode.arp,
        },
        { packets: truth.packets, bytes: truth.bytes, ipv4: truth.ipv4, ipv6: truth.ipv6, arp: truth.arp },
      );
      assert.equal(doc.totals.decode.malformed_total, 0);
      assert.equal(view.packets, truth.packets);
      assert.equal(view.flows.size, truth.flows, "every generated flow is seen");
      assertSameFlows(replayFlows(doc), view.flows);
    });
  },
});
