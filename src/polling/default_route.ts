/**
 * A polled device's default route: where its traffic for the rest of the world goes. The ARP watcher
 * calls that next hop a gateway, so a MAC that claims it without owning it is critical.
 *
 * One GETBULK with max-repetitions 1 asks the three tables an agent may have, each from just before its
 * default-route rows, so the whole read costs one request:
 * - inetCidrRouteTable (IP-FORWARD-MIB, RFC 4292): the next hop is in the index;
 * - ipCidrRouteTable (IP-FORWARD-MIB, RFC 2096): index dest.mask.tos.nextHop;
 * - ipRouteTable (RFC 1213): index dest, one route per destination.
 */
import { indexAfter, type SnmpSession, type SnmpVarbind, type TablePresence } from "../snmp/mod.ts";

/** inetCidrRouteIfIndex (IP-FORWARD-MIB, RFC 4292 §6): 1.3.6.1.2.1.4.24.7.1.7. */
export const INET_CIDR_ROUTE_IF_INDEX = "1.3.6.1.2.1.4.24.7.1.7";
/** ipCidrRouteNextHop (IP-FORWARD-MIB, RFC 2096): 1.3.6.1.2.1.4.24.4.1.4. */
export const IP_CIDR_ROUTE_NEXT_HOP = "1.3.6.1.2.1.4.24.4.1.4";
/** ipRouteNextHop (RFC 1213 MIB-II): 1.3.6.1.2.1.4.21.1.7. */
export const IP_ROUTE_NEXT_HOP = "1.3.6.1.2.1.4.21.1.7";

/** The name TablePresence knows this read by. */
const TABLE = "defaultRoute";

/** InetAddressType ipv4(1) (INET-ADDRESS-MIB, RFC 4001), and its length. */
const INET_IPV4 = 1, IPV4_LENGTH = 4;

/**
 * What GETNEXT starts from, one per table: the OID just before its default route rows
 * (destination 0.0.0.0, prefix length 0), so the row answered is the first default route if there is one.
 */
const FROM = [
  // inetCidrRouteDestType ipv4(1), length 4, 0.0.0.0: rows follow with pfxLen 0.
  `${INET_CIDR_ROUTE_IF_INDEX}.${INET_IPV4}.${IPV4_LENGTH}.0.0.0.0`,
  // ipCidrRouteDest 0.0.0.0, ipCidrRouteMask 0.0.0.0, ipCidrRouteTos 0: rows follow with the next hop.
  `${IP_CIDR_ROUTE_NEXT_HOP}.0.0.0.0.0.0.0.0.0`,
  // Just before ipRouteDest 0.0.0.0.
  `${IP_ROUTE_NEXT_HOP}.0.0.0`,
];

/**
 * The next hop of the device's default IPv4 route, dotted quad, or null when it has none (or no route
 * table). With `tables`, an agent found without any of the tables is asked again only on recheck polls;
 * in between the answer is undefined (not asked). Rejects with the session's SnmpError.
 */
export async function readDefaultRoute(
  s: SnmpSession,
  tables?: TablePresence,
): Promise<string | null | undefined> {
  if (tables && !tables.shouldAsk(TABLE)) return undefined;
  const [inet, cidr, mib2] = await s.getBulk(FROM, 1);
  const hop = fromInetCidr(inet) ?? fromIpCidr(cidr) ?? fromIpRoute(mib2);
  // A row of any of the tables (default route or not) means the agent has one to ask next time.
  const columns = [INET_CIDR_ROUTE_IF_INDEX, IP_CIDR_ROUTE_NEXT_HOP, IP_ROUTE_NEXT_HOP];
  tables?.record(
    TABLE,
    [inet, cidr, mib2].some((vb, i) => vb != null && indexAfter(columns[i], vb.oid) !== null),
  );
  return hop;
}

/** inetCidrRouteIfIndex.1.4.0.0.0.0.0.<policy length>.<policy…>.1.4.a.b.c.d → "a.b.c.d". */
function fromInetCidr(vb: SnmpVarbind | null | undefined): string | null {
  const idx = vb ? indexAfter(INET_CIDR_ROUTE_IF_INDEX, vb.oid) : null;
  // destType, length, 4 bytes of destination, pfxLen
  if (idx === null || idx.length < 7 || idx[0] !== INET_IPV4 || idx[1] !== IPV4_LENGTH) return null;
  if (idx.slice(2, 7).some((b) => b !== 0)) return null; // not 0.0.0.0/0
  const policyLength = idx[7];
  const rest = idx.slice(8 + policyLength);
  if (policyLength === undefined || rest.length !== 2 + IPV4_LENGTH) return null;
  if (rest[0] !== INET_IPV4 || rest[1] !== IPV4_LENGTH) return null;
  return hopText(rest.slice(2));
}

/** ipCidrRouteNextHop.0.0.0.0.0.0.0.0.0.a.b.c.d = a.b.c.d */
function fromIpCidr(vb: SnmpVarbind | null | undefined): string | null {
  const idx = vb ? indexAfter(IP_CIDR_ROUTE_NEXT_HOP, vb.oid) : null;
  // dest (4), mask (4), tos (1), next hop (4)
  if (idx === null || idx.length !== 13 || idx.slice(0, 9).some((b) => b !== 0)) return null;
  return hopText(idx.slice(9));
}

/** ipRouteNextHop.0.0.0.0 = a.b.c.d (the answer may be a later destination: then there is no default). */
function fromIpRoute(vb: SnmpVarbind | null | undefined): string | null {
  const idx = vb ? indexAfter(IP_ROUTE_NEXT_HOP, vb.oid) : null;
  if (idx === null || idx.length !== 4 || idx.some((b) => b !== 0)) return null;
  return typeof vb!.value === "string" ? hopText(vb!.value.split(".").map(Number)) : null;
}

/** Four octets → dotted quad; null for 0.0.0.0 (a route without a gateway) or anything not an address. */
function hopText(octets: number[]): string | null {
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return null;
  return octets.every((o) => o === 0) ? null : octets.join(".");
}
