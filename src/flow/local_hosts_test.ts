import assert from "node:assert/strict";
import { batchOf } from "../../tests/helpers/batch_rows.ts";
import { FlowTable } from "./flow_table.ts";
import { localHosts } from "./local_hosts.ts";

const SYN = 0x02, ACK = 0x10;

Deno.test("localHosts() lists local addresses from flows and the TCP ports they answered from", () => {
  const table = new FlowTable(1000);
  const rows = [
    // 192.168.1.10 serves 443 and 22 (it sent SYN-ACKs from them); 192.168.1.20 only connects out.
    { src: "192.168.1.20", dst: "192.168.1.10", srcPort: 50000, dstPort: 443, proto: 6, tcpFlags: SYN },
    { src: "192.168.1.10", dst: "192.168.1.20", srcPort: 443, dstPort: 50000, proto: 6, tcpFlags: SYN | ACK },
    { src: "192.168.1.10", dst: "192.168.1.20", srcPort: 22, dstPort: 50001, proto: 6, tcpFlags: SYN | ACK },
    // An ephemeral source port is not a service, even with SYN-ACK; UDP replies are not counted.
    { src: "192.168.1.10", dst: "192.168.1.20", srcPort: 60000, dstPort: 80, proto: 6, tcpFlags: SYN | ACK },
    { src: "192.168.1.10", dst: "192.168.1.20", srcPort: 53, dstPort: 50002, proto: 17 },
    // Outside the local network: not listed; the broadcast address is not a host.
    { src: "192.168.1.20", dst: "8.8.8.8", srcPort: 50003, dstPort: 53, proto: 17 },
    { src: "192.168.1.30", dst: "192.168.1.255", srcPort: 137, dstPort: 137, proto: 17 },
    { src: "2001:db8::1", dst: "2001:db8::2", srcPort: 1, dstPort: 2, proto: 17 },
  ].map((r) => ({ ...r, ipBytes: 60, tsMs: 1000 }));
  const batch = batchOf(rows);
  table.update(batch, 0, batch.count);
  const hosts = localHosts(table, ["192.168.1.0/24"]);
  assert.deepEqual(
    [...hosts].sort(),
    [["192.168.1.10", [22, 443]], ["192.168.1.20", []], ["192.168.1.30", []]],
  );
  // A /31 is a point-to-point link (RFC 3021): both addresses are hosts, neither is a network address.
  assert.deepEqual([...localHosts(table, ["192.168.1.10/31"]).keys()], ["192.168.1.10"]);
  assert.equal(localHosts(table, []).size, 0);
});
