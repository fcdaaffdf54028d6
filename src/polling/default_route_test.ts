import assert from "node:assert/strict";
import { TableSession } from "../../tests/helpers/table_session.ts";
import { SnmpError, type SnmpValue } from "../snmp/snmp_types.ts";
import { TablePresence } from "../snmp/table_presence.ts";
import { readDefaultRoute } from "./default_route.ts";

// Rows as Debian's snmpd answers them for "default via 10.231.200.254" plus the connected /24
// (walked from a real agent in a network namespace; see tests/arp_gateway_daemon_test.ts for it live).
const INET = "1.3.6.1.2.1.4.24.7.1.7", CIDR = "1.3.6.1.2.1.4.24.4.1.4", MIB2 = "1.3.6.1.2.1.4.21.1.7";
const INET_ROWS: [string, SnmpValue][] = [
  [`${INET}.1.4.0.0.0.0.0.2.0.0.1.4.10.231.200.254`, 2],
  [`${INET}.1.4.10.231.200.0.24.3.0.0.2.1.4.0.0.0.0`, 2],
];
const CIDR_ROWS: [string, SnmpValue][] = [
  [`${CIDR}.0.0.0.0.0.0.0.0.0.10.231.200.254`, "10.231.200.254"],
  [`${CIDR}.10.231.200.0.255.255.255.0.0.0.0.0.0`, "0.0.0.0"],
];
const MIB2_ROWS: [string, SnmpValue][] = [
  [`${MIB2}.0.0.0.0`, "10.231.200.254"],
  [`${MIB2}.10.231.200.0`, "0.0.0.0"],
];
/** Something after every table, as a real agent has. */
const AFTER: [string, SnmpValue] = ["1.3.6.1.2.1.5.1.0", 7];

Deno.test("readDefaultRoute() reads the next hop in one request from whichever route table the agent has", async () => {
  for (const rows of [[...INET_ROWS, ...CIDR_ROWS, ...MIB2_ROWS], INET_ROWS, CIDR_ROWS, MIB2_ROWS]) {
    const s = new TableSession([...rows, AFTER]);
    assert.equal(await readDefaultRoute(s), "10.231.200.254");
    assert.equal(s.requests, 1);
    assert.deepEqual(s.bulks[0].maxRepetitions, 1);
  }
});

Deno.test("readDefaultRoute() gives null for an agent with routes but no default, and for one without route tables", async () => {
  const connectedOnly = new TableSession([INET_ROWS[1], CIDR_ROWS[1], MIB2_ROWS[1], AFTER]);
  assert.equal(await readDefaultRoute(connectedOnly), null);
  assert.equal(await readDefaultRoute(new TableSession([AFTER])), null);
  // A default route without a gateway (an interface route) has next hop 0.0.0.0: no gateway either.
  const onLink = new TableSession([[`${MIB2}.0.0.0.0`, "0.0.0.0"], AFTER]);
  assert.equal(await readDefaultRoute(onLink), null);
});

Deno.test("readDefaultRoute() asks an agent without route tables again only on recheck polls", async () => {
  const tables = new TablePresence(3);
  const s = new TableSession([AFTER]);
  const answers = [];
  for (let poll = 0; poll < 4; poll++) {
    tables.beginPoll();
    answers.push(await readDefaultRoute(s, tables));
  }
  assert.deepEqual(answers, [null, undefined, undefined, null]);
  assert.equal(s.requests, 2);
  const withRoutes = new TableSession([...CIDR_ROWS, AFTER]), t2 = new TablePresence(3);
  for (let poll = 0; poll < 3; poll++) {
    t2.beginPoll();
    assert.equal(await readDefaultRoute(withRoutes, t2), "10.231.200.254");
  }
  assert.equal(withRoutes.requests, 3);
});

Deno.test("readDefaultRoute() ignores malformed indexes and rejects with the session's error", async () => {
  const odd = new TableSession([
    [`${INET}.1.4.0.0.0.0.0.2.0.0.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1`, 2], // an IPv6 next hop
    [`${CIDR}.0.0.0.0.0.0.0.0.0.10.231.200`, "10.231.200.254"], // index one octet short
    AFTER,
  ]);
  assert.equal(await readDefaultRoute(odd), null);
  const failing = new TableSession([AFTER]).fail(
    "1.3.6.1.2.1.4",
    new SnmpError("timeout", "timeout after 5 ms"),
  );
  await assert.rejects(readDefaultRoute(failing), { failure: "timeout" });
});
