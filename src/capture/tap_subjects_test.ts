import assert from "node:assert/strict";
import { LinkType } from "../decode/mod.ts";
import { parseRecordingFilter } from "../recording/recording_request.ts";
import {
  arp,
  ethernet,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  icmp,
  ipv4,
  ipv6,
  PROTO,
  tcp,
  udp,
} from "../../tests/helpers/frames.ts";
import { TapSubjects } from "./tap_subjects.ts";

const A = "10.0.0.5", B = "192.0.2.9";
const tcpAB = ethernet(
  { etherType: ETHERTYPE_IPV4 },
  ipv4({ src: A, dst: B, proto: PROTO.TCP }, tcp({ srcPort: 40000, dstPort: 443 })),
);
const tcpBA = ethernet(
  { etherType: ETHERTYPE_IPV4 },
  ipv4({ src: B, dst: A, proto: PROTO.TCP }, tcp({ srcPort: 443, dstPort: 40000 })),
);
const udpOther = ethernet(
  { etherType: ETHERTYPE_IPV4 },
  ipv4({ src: "10.0.0.6", dst: B, proto: PROTO.UDP }, udp({ srcPort: 5000, dstPort: 53 })),
);
const icmpA = ethernet(
  { etherType: ETHERTYPE_IPV4, vlans: [7] },
  ipv4({ src: A, dst: B, proto: PROTO.ICMP }, icmp({ type: 8, code: 0 })),
);
const arpA = ethernet(
  { etherType: ETHERTYPE_ARP },
  arp({ op: 1, sha: "02:00:00:00:00:01", spa: "10.0.0.1", tpa: A }),
);
const v6 = ethernet(
  { etherType: ETHERTYPE_IPV6 },
  ipv6({ src: "2001:db8::1", dst: "2001:db8::2", proto: PROTO.UDP }, udp({ srcPort: 1, dstPort: 53 })),
);
const later = ethernet(
  { etherType: ETHERTYPE_IPV4 },
  ipv4({ src: A, dst: B, proto: PROTO.TCP, fragOffset: 1480 }, tcp({ srcPort: 40000, dstPort: 443 })),
);

function matcher(filter: string): (frame: Uint8Array) => boolean {
  const s = new TapSubjects();
  s.set([{ ...parseRecordingFilter(filter).subject, slot: 3 }]);
  return (f) => {
    const m = s.match(f, 0, f.length, LinkType.Ethernet);
    assert.ok(m === 0 || m === 1 << 3, `mask ${m}`);
    return m !== 0;
  };
}

Deno.test("TapSubjects.match() takes a host on either end, ARP naming it, and VLAN-tagged frames", () => {
  const m = matcher(`host ${A}`);
  assert.deepEqual([tcpAB, tcpBA, udpOther, icmpA, arpA, v6].map(m), [true, true, false, true, true, false]);
});

Deno.test("TapSubjects.match() needs every term: net, port and protocol together", () => {
  const m = matcher("net 10.0.0.0/24 and port 443 and proto tcp");
  assert.deepEqual([tcpAB, tcpBA, udpOther, icmpA, arpA, later].map(m), [
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
  assert.deepEqual([udpOther, v6].map(matcher("udp and port 53")), [true, true]);
  assert.deepEqual([v6, tcpAB].map(matcher("net 2001:db8::/32")), [true, false]);
});

Deno.test("TapSubjects.match() pairs a flow's addresses with its ports, in both directions", () => {
  const s = new TapSubjects();
  const net = (ip: string) => ({
    family: 4 as const,
    words: [ip.split(".").reduce((n, o) => n * 256 + +o, 0), 0, 0, 0],
    prefix: 32,
  });
  s.set([...[{ slot: 0, proto: 6, nets: [net(A), net(B)], ports: [40000, 443], paired: true }], {
    slot: 1,
    proto: 6,
    nets: [net(A), net(B)],
    ports: [443, 40000], // the ports the other way round: not this connection
    paired: true,
  }]);
  assert.equal(s.match(tcpAB, 0, tcpAB.length, LinkType.Ethernet), 1);
  assert.equal(s.match(tcpBA, 0, tcpBA.length, LinkType.Ethernet), 1);
  assert.equal(s.match(udpOther, 0, udpOther.length, LinkType.Ethernet), 0);
});

Deno.test("TapSubjects.match() gives 0 for truncated and garbage frames, never a throw", () => {
  const m = matcher(`host ${A}`);
  for (let n = 0; n < tcpAB.length; n++) {
    const s = new TapSubjects();
    s.set([{ ...parseRecordingFilter(`host ${A}`).subject, slot: 0 }]);
    const r = s.match(tcpAB, 0, n, LinkType.Ethernet);
    assert.equal(r, n >= 34 ? 1 : 0, `${n} octets`);
  }
  const junk = crypto.getRandomValues(new Uint8Array(2000));
  for (let i = 0; i < 500; i++) m(junk.subarray(i, i + (i % 90)));
});
