/**
 * Community ID v1 against the spec's published baseline (corelight/community-id-spec, baseline/) and
 * against tshark's own `communityid` dissector over a capture this test writes.
 */
import assert from "node:assert/strict";
import {
  arp,
  concatBytes,
  ethernet,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  icmp,
  icmpv6,
  ipv4,
  ipv4Bytes,
  ipv6,
  ipv6Bytes,
  payload,
  PROTO,
  tcp,
  udp,
} from "../../tests/helpers/frames.ts";
import { writePcap } from "../../tests/helpers/capture_writer.ts";
import { LinkType } from "../decode/frame_sink.ts";
import { Decoder } from "../decode/decoder.ts";
import { type PacketBatch, RowKind } from "../decode/packet_batch.ts";
import { setLogSink } from "../base/log.ts";
import { replayFile } from "../app/replay.ts";
import { communityId } from "./community_id.ts";

const CI = Deno.env.get("CI") === "true";

/** Address text → the 4-word column layout (IPv4 in word 0), via the test helper's own parser. */
function addr(text: string): { family: 4 | 6; words: number[] } {
  const b = text.includes(":") ? ipv6Bytes(text) : ipv4Bytes(text);
  const words = [0, 0, 0, 0];
  for (let i = 0; i < b.length; i += 4) {
    words[i / 4] = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  }
  return { family: b.length === 4 ? 4 : 6, words };
}

function cid(src: string, dst: string, proto: number, sport: number, dport: number, seed = 0): string {
  const s = addr(src), d = addr(dst);
  return communityId(s.family, s.words, 0, d.words, 0, proto, sport, dport, seed);
}

const FE1 = "fe80:0001:0203:0405:0607:0809:0A0B:0C0D";
const FE2 = "fe80:1011:1213:1415:1617:1819:1A1B:1C1D";

/**
 * baseline/README.md tables: [proto, src, dst, sport or ICMP type, dport or ICMP code, seed 0 id, seed 1 id].
 * Port-less protocols have sport = dport = 0 here (the spec leaves them out of the hash).
 */
const TABLE: [number, string, string, number, number, string, string][] = [
  [6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:wCb3OG7yAFWelaUydu0D+125CLM=", "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk="],
  [6, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:wCb3OG7yAFWelaUydu0D+125CLM=", "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk="],
  [17, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=", "1:OShq+iKDAMVouh/4bMxB9Sz4amw="],
  [17, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=", "1:OShq+iKDAMVouh/4bMxB9Sz4amw="],
  [132, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=", "1:uitchpn5MMGAQKBJh7bIr/bAr7s="],
  [132, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=", "1:uitchpn5MMGAQKBJh7bIr/bAr7s="],
  [1, "1.2.3.4", "5.6.7.8", 8, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=", "1:9pr4ZGTICiuZoIh90RRYE2RyXpU="],
  [1, "5.6.7.8", "1.2.3.4", 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=", "1:9pr4ZGTICiuZoIh90RRYE2RyXpU="],
  [1, "1.2.3.4", "5.6.7.8", 11, 0, "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=", "1:1DD7cWGC/Yg91YGsQeni8du3pIA="],
  [58, FE1, FE2, 128, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=", "1:IO27GQzPuCtNnwFvjWALMHu5tJE="],
  [58, FE2, FE1, 129, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=", "1:IO27GQzPuCtNnwFvjWALMHu5tJE="],
  [58, FE1, FE2, 146, 0, "1:fYC8+pz24E+EhANP1EZhpX0Dw10=", "1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s="],
  [46, "1.2.3.4", "5.6.7.8", 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768=", "1:/buhqeOmaRCopOZFy9HnoJd5XW8="],
  [46, "5.6.7.8", "1.2.3.4", 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768=", "1:/buhqeOmaRCopOZFy9HnoJd5XW8="],
  [46, FE1, FE2, 0, 0, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=", "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM="],
  [46, FE2, FE1, 0, 0, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=", "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM="],
];

for (const [proto, src, dst, sport, dport, seed0, seed1] of TABLE) {
  Deno.test(`communityId() matches the spec baseline for proto ${proto} ${src}:${sport} → ${dst}:${dport}`, () => {
    assert.equal(cid(src, dst, proto, sport, dport), seed0, "seed 0");
    assert.equal(cid(src, dst, proto, sport, dport, 1), seed1, "seed 1");
  });
}

/**
 * baseline/baseline_deflt.json (flows from the spec's pcaps/combined.pcap.gz): [proto, src, dst, sport or
 * ICMP type, dport or ICMP code, id]. The JSON lists the paired ICMP type as dport; the code of every such
 * message there is 0, which is what this API takes.
 */
const PCAP_BASELINE: [number, string, string, number, number, string][] = [
  [58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="],
  [58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="],
  [58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 0, "1:zavyT/cezQr1fmImYCwYnMXbgck="],
  [58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 0, "1:zavyT/cezQr1fmImYCwYnMXbgck="],
  [58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ="],
  [
    58,
    "3ffe:501:410:0:2c0:dfff:fe47:33e",
    "3ffe:507:0:1:200:86ff:fe05:80da",
    1,
    4,
    "1:hLZd0XGWojozrvxqE0dWB1iM6R0=",
  ],
  [58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 0, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="],
  [58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 0, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="],
  [58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 0, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="],
  [58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 0, "1:pkvHqCL88/tg1k4cPigmZXUtL00="],
  [1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="],
  [1, "192.168.0.1", "192.168.0.89", 0, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="],
  [1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM="],
  [
    6,
    "2001:470:e5bf:dead:4957:2174:e82c:4887",
    "2607:f8b0:400c:c03::1a",
    63943,
    25,
    "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=",
  ],
  [
    6,
    "2607:f8b0:400c:c03::1a",
    "2001:470:e5bf:dead:4957:2174:e82c:4887",
    25,
    63943,
    "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=",
  ],
  [132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="],
  [132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="],
  [6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="],
  [6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="],
  [17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="],
  [17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="],
  [46, "10.1.12.1", "10.1.12.2", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="],
  [46, "10.1.12.2", "10.1.12.1", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="],
];

Deno.test("communityId() matches every flow of the spec's pcap baseline (baseline_deflt.json)", () => {
  for (const [proto, src, dst, sport, dport, id] of PCAP_BASELINE) {
    assert.equal(cid(src, dst, proto, sport, dport), id, `${proto} ${src}:${sport} → ${dst}:${dport}`);
  }
});

Deno.test("communityId() is the same for both directions of TCP, UDP and SCTP, and differs between flows", () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const v6 = i % 2 === 1;
    const a = v6 ? `2001:db8::${rand(0xffff).toString(16)}` : `10.0.${rand(256)}.${rand(256)}`;
    const b = v6 ? `2001:db8::${rand(0xffff).toString(16)}` : `10.0.${rand(256)}.${rand(256)}`;
    const proto = [6, 17, 132][i % 3];
    const pa = rand(65536), pb = rand(65536);
    const forward = cid(a, b, proto, pa, pb);
    assert.equal(cid(b, a, proto, pb, pa), forward, `${a}:${pa} ↔ ${b}:${pb}`);
    seen.add(`${forward}`);
  }
  assert.ok(seen.size > 490, "distinct flows give distinct ids");
});

Deno.test("communityId() orders equal addresses by port", () => {
  assert.equal(cid("10.0.0.5", "10.0.0.5", 6, 80, 1234), cid("10.0.0.5", "10.0.0.5", 6, 1234, 80));
  assert.notEqual(cid("10.0.0.5", "10.0.0.5", 6, 80, 1234), cid("10.0.0.5", "10.0.0.5", 6, 80, 1235));
});

Deno.test("communityId() reads addresses at the given word offsets", () => {
  const src = new Uint32Array(12), dst = new Uint32Array(12);
  src[4] = 0x80e86e78; // 128.232.110.120
  dst[8] = 0x4223facc; // 66.35.250.204
  assert.equal(communityId(4, src, 4, dst, 8, 6, 34855, 80), "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
});

// ---------------------------------------------------------------- tshark oracle

const hasTshark = await Deno.stat("/usr/bin/tshark").then(() => true, () => false);

/** The frames of the oracle capture: flows in both directions, one-way ICMP, IPv6 with extension headers. */
function oracleFrames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const e4 = (p: Uint8Array, vlans?: number[]) => out.push(ethernet({ etherType: ETHERTYPE_IPV4, vlans }, p));
  const e6 = (p: Uint8Array) => out.push(ethernet({ etherType: ETHERTYPE_IPV6 }, p));
  for (let i = 0; i < 3; i++) {
    // TCP both ways, the client's address above the server's (so the hash must swap)
    e4(
      ipv4(
        { src: "198.51.100.20", dst: "192.0.2.10", proto: PROTO.TCP },
        tcp({ srcPort: 40000, dstPort: 443, flags: 0x18 }, payload(i * 10)),
      ),
    );
    e4(
      ipv4(
        { src: "192.0.2.10", dst: "198.51.100.20", proto: PROTO.TCP },
        tcp({ srcPort: 443, dstPort: 40000 }, payload(100)),
      ),
    );
  }
  // same address both ends: ordered by port
  e4(
    ipv4(
      { src: "10.0.0.5", dst: "10.0.0.5", proto: PROTO.TCP },
      tcp({ srcPort: 1234, dstPort: 80, flags: 0x02 }),
    ),
  );
  e4(
    ipv4(
      { src: "10.0.0.5", dst: "10.0.0.5", proto: PROTO.TCP },
      tcp({ srcPort: 80, dstPort: 1234, flags: 0x12 }),
    ),
  );
  // VLAN-tagged TCP
  e4(ipv4({ src: "172.16.0.1", dst: "172.16.0.2", proto: PROTO.TCP }, tcp({ srcPort: 22, dstPort: 61000 })), [
    30,
  ]);
  // UDP: DNS both ways, mDNS to a multicast group
  e4(
    ipv4(
      { src: "192.168.1.52", dst: "8.8.8.8", proto: PROTO.UDP },
      udp({ srcPort: 54585, dstPort: 53 }, payload(30)),
    ),
  );
  e4(
    ipv4(
      { src: "8.8.8.8", dst: "192.168.1.52", proto: PROTO.UDP },
      udp({ srcPort: 53, dstPort: 54585 }, payload(46)),
    ),
  );
  e4(
    ipv4(
      { src: "192.168.1.60", dst: "224.0.0.251", proto: PROTO.UDP },
      udp({ srcPort: 5353, dstPort: 5353 }, payload(20)),
    ),
  );
  // ICMP echo request and reply
  e4(ipv4({ src: "192.0.2.1", dst: "192.0.2.2", proto: PROTO.ICMP }, icmp({ type: 8 }, payload(56))));
  e4(ipv4({ src: "192.0.2.2", dst: "192.0.2.1", proto: PROTO.ICMP }, icmp({ type: 0 }, payload(56))));
  // ICMP timestamp request and reply (another pair in the spec's table)
  e4(ipv4({ src: "192.0.2.1", dst: "192.0.2.2", proto: PROTO.ICMP }, icmp({ type: 13 }, payload(12))));
  e4(ipv4({ src: "192.0.2.2", dst: "192.0.2.1", proto: PROTO.ICMP }, icmp({ type: 14 }, payload(12))));
  // ICMP port unreachable and time exceeded: one-way, carrying the offending datagram
  const offending = ipv4(
    { src: "192.0.2.1", dst: "192.0.2.2", proto: PROTO.UDP },
    udp({ srcPort: 33434, dstPort: 33435 }, payload(8)),
  );
  e4(
    ipv4(
      { src: "192.0.2.2", dst: "192.0.2.1", proto: PROTO.ICMP },
      icmp({ type: 3, code: 3, rest: new Uint8Array(4) }, offending),
    ),
  );
  e4(
    ipv4(
      { src: "203.0.113.1", dst: "192.0.2.1", proto: PROTO.ICMP },
      icmp({ type: 11, code: 0, rest: new Uint8Array(4) }, offending),
    ),
  );
  // a port-less protocol (GRE, 47) carrying nothing in particular
  e4(
    ipv4(
      { src: "192.0.2.1", dst: "192.0.2.99", proto: 47 },
      concatBytes(Uint8Array.of(0, 0, 0x08, 0x00), payload(20)),
    ),
  );
  // ICMPv6 echo both ways, neighbour solicitation/advertisement, unreachable (one-way)
  const a = "2001:db8::1", b = "2001:db8::2";
  e6(ipv6({ src: a, dst: b, proto: PROTO.ICMPV6 }, icmpv6({ type: 128 }, payload(32))));
  e6(ipv6({ src: b, dst: a, proto: PROTO.ICMPV6 }, icmpv6({ type: 129 }, payload(32))));
  e6(
    ipv6(
      { src: "fe80::1", dst: "ff02::1:ff00:2", proto: PROTO.ICMPV6, hopLimit: 255 },
      icmpv6({ type: 135, rest: new Uint8Array(4) }, ipv6Bytes("fe80::2")),
    ),
  );
  e6(
    ipv6(
      { src: "fe80::2", dst: "fe80::1", proto: PROTO.ICMPV6, hopLimit: 255 },
      icmpv6({ type: 136, rest: Uint8Array.of(0x60, 0, 0, 0) }, ipv6Bytes("fe80::2")),
    ),
  );
  const inner6 = ipv6(
    { src: a, dst: b, proto: PROTO.UDP },
    udp({ srcPort: 5000, dstPort: 6000 }, payload(4)),
  );
  e6(
    ipv6(
      { src: b, dst: a, proto: PROTO.ICMPV6 },
      icmpv6({ type: 1, code: 4, rest: new Uint8Array(4) }, inner6),
    ),
  );
  // IPv6 TCP both ways, one direction behind hop-by-hop and destination options
  e6(ipv6({ src: a, dst: b, proto: PROTO.TCP }, tcp({ srcPort: 50000, dstPort: 443, flags: 0x02 })));
  e6(
    ipv6(
      { src: b, dst: a, proto: PROTO.TCP, extensions: [{ type: 0 }, { type: 60, len8: 1 }] },
      tcp({ srcPort: 443, dstPort: 50000, flags: 0x12 }),
    ),
  );
  // IPv6 UDP
  e6(
    ipv6(
      { src: "2001:db8:0:1::53", dst: "2001:db8::1", proto: PROTO.UDP },
      udp({ srcPort: 53, dstPort: 41000 }, payload(80)),
    ),
  );
  // ARP: no Community ID, and no row of kind Ip
  out.push(
    ethernet(
      { etherType: ETHERTYPE_ARP, dst: "ff:ff:ff:ff:ff:ff" },
      arp({ op: 1, sha: "02:00:00:00:00:01", spa: "192.0.2.1", tpa: "192.0.2.2" }),
    ),
  );
  return out;
}

async function runTshark(path: string): Promise<string[][]> {
  const out = await new Deno.Command("tshark", {
    args: [
      "-r",
      path,
      "--enable-protocol",
      "communityid",
      "-T",
      "fields",
      "-E",
      "separator=/t",
      "-E",
      "occurrence=f",
      "-e",
      "frame.number",
      "-e",
      "ip.src",
      "-e",
      "ipv6.src",
      "-e",
      "communityid",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, `tshark failed: ${new TextDecoder().decode(out.stderr)}`);
  return stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

Deno.test({
  name: "communityId() of every decoded packet equals tshark's communityid, and replay's flows carry it",
  ignore: !hasTshark && !CI, // with CI=true a missing tshark fails the test instead
  async fn() {
    const frames = oracleFrames();
    const dir = await Deno.makeTempDir({ prefix: "flintnet_cid_" });
    try {
      const path = `${dir}/oracle.pcap`;
      await Deno.writeFile(
        path,
        writePcap(frames.map((data, i) => ({ data, tsMs: 1_700_000_000_000 + i * 10 }))),
      );
      const tshark = await runTshark(path);
      assert.equal(tshark.length, frames.length, "tshark read every frame");

      // Per packet: decode the same bytes and hash each row.
      const ids: (string | undefined)[] = [];
      const decoder = new Decoder({
        consume(b: PacketBatch) {
          for (let r = 0; r < b.count; r++) {
            const a = r * 4;
            ids.push(
              b.kind[r] === RowKind.Ip
                ? communityId(b.family[r], b.src, a, b.dst, a, b.proto[r], b.srcPort[r], b.dstPort[r])
                : undefined,
            );
          }
        },
      });
      for (const f of frames) decoder.frame(f, 0, f.length, f.length, 0, LinkType.Ethernet);
      decoder.flush();
      assert.equal(ids.length, frames.length, "every frame decoded");
      tshark.forEach(([no, , , theirs], i) => {
        if (theirs === undefined || theirs === "") {
          assert.equal(ids[i], undefined, `frame ${no}: tshark has no Community ID (ARP)`);
        } else {
          assert.equal(ids[i], theirs, `frame ${no}`);
        }
      });
      assert.ok(tshark.filter((t) => t[3]).length >= frames.length - 1, "tshark gave ids for all IP frames");

      // Per flow: replay's community_id is tshark's id of that flow's packets.
      setLogSink(() => {});
      let result;
      try {
        result = await replayFile(path, {
          allFlows: true,
          maxFlows: 1000,
          flowIdleTimeoutS: 3600,
          flowActiveTimeoutS: 3600,
          anomaly: { intervalS: 10, alpha: 0.1, k: 4, ratio: 4, minBytes: 1e6, warmupIntervals: 30 },
          arp: { learningPeriodS: 86_400, allowMacs: [], windowS: 60 },
        });
      } finally {
        setLogSink(undefined);
      }
      const tsharkIds = new Set(tshark.map((t) => t[3]).filter((x) => x));
      assert.equal(result.flows.length, 23, "flows in the capture (one per direction)");
      for (const f of result.flows) {
        assert.ok(
          tsharkIds.has(f.community_id),
          `flow ${f.src_ip}:${f.src_port} → ${f.dst_ip}:${f.dst_port}/${f.protocol}`,
        );
        // The flow's own packets: tshark's row with the same source address and id.
        const own = tshark.filter((t) => (t[1] || t[2]) === f.src_ip && t[3] === f.community_id);
        assert.ok(own.length > 0, `a packet from ${f.src_ip} with ${f.community_id}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
