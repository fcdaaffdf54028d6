import assert from "node:assert/strict";
import { GatewayBook, sources } from "./arp_gateways.ts";
import { ipv4Number, macNumber } from "../../tests/helpers/arp_rows.ts";

const GW = ipv4Number("10.231.200.1"), OTHER = ipv4Number("10.231.200.254");
const ROUTER = macNumber("00:00:0c:12:34:01");

Deno.test("GatewayBook says how each gateway was learned: route, polled devices, traffic", () => {
  const g = new GatewayBook();
  assert.equal(g.facts(GW), null);
  g.setRoute([GW]);
  g.notePolled("10.231.200.9", GW);
  g.notePolled("10.231.200.8", GW);
  g.noteTraffic(GW, ROUTER, 12);
  const f = g.facts(GW)!;
  assert.deepEqual(f, {
    ip: GW,
    route: true,
    polledBy: ["10.231.200.8", "10.231.200.9"],
    traffic: { mac: ROUTER, score: 12 },
  });
  assert.deepEqual(sources(f), [
    "route",
    "poll 10.231.200.8",
    "poll 10.231.200.9",
    "traffic 00:00:0c:12:34:01",
  ]);
});

Deno.test("GatewayBook follows changes: a new route set, a polled device whose default route moved or went", () => {
  const g = new GatewayBook();
  g.setRoute([GW]);
  g.setRoute([OTHER]);
  assert.equal(g.facts(GW), null);
  g.notePolled("10.231.200.9", GW);
  g.notePolled("10.231.200.9", OTHER);
  assert.equal(g.facts(GW), null);
  assert.deepEqual(g.facts(OTHER)!.polledBy, ["10.231.200.9"]);
  g.notePolled("10.231.200.9", null);
  assert.deepEqual(g.list(), [{ ip: "10.231.200.254", learned_from: ["route"] }]);
});

Deno.test("GatewayBook keeps at most 4096 polled devices and 16 traffic gateways", () => {
  const g = new GatewayBook();
  for (let i = 0; i < 5000; i++) g.notePolled(`10.0.${i >> 8}.${i & 255}`, 0x0a000000 + i + 1);
  assert.equal(g.facts(0x0a000000 + 1), null, "the first device's route was forgotten");
  assert.deepEqual(g.facts(0x0a000000 + 5000)?.polledBy, ["10.0.19.135"], "the last is held");
  for (let i = 0; i < 40; i++) g.noteTraffic(GW + i, ROUTER, 9);
  assert.equal(g.facts(GW), null);
  assert.ok(g.facts(GW + 39)?.traffic);
});

Deno.test("GatewayBook.version moves when an address becomes or stops being a gateway, not when the same is said again", () => {
  const g = new GatewayBook();
  let v = g.version;
  const moved = () => {
    const m = g.version !== v;
    v = g.version;
    return m;
  };
  g.setRoute([0x0a000001]);
  assert.equal(moved(), true, "a new default gateway");
  g.setRoute([0x0a000001]);
  assert.equal(moved(), false, "the routes read again, unchanged (every window)");
  g.notePolled("10.0.0.5", 0x0a000002);
  assert.equal(moved(), true);
  g.notePolled("10.0.0.5", 0x0a000002);
  assert.equal(moved(), false, "polled again, the same next hop");
  g.notePolled("10.0.0.5", null);
  assert.equal(moved(), true, "its default route gone");
  g.noteTraffic(0x0a000003, 0x020000000001, 9);
  assert.equal(moved(), true);
  g.noteTraffic(0x0a000003, 0x020000000001, 12);
  assert.equal(moved(), false, "the same routing MAC, a new score");
  g.setRoute([]);
  assert.equal(moved(), true);
});
