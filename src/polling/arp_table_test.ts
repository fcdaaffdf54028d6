import assert from "node:assert/strict";
import {
  IP_NET_TO_MEDIA_ENTRY,
  IP_NET_TO_PHYSICAL_ENTRY,
  parsePhysicalIndex,
  walkArpTable,
} from "./arp_table.ts";
import { TableSession } from "../../tests/helpers/table_session.ts";

const MAC_A = new Uint8Array([0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c]);
const MAC_B = new Uint8Array([0x02, 0x00, 0x5e, 0x10, 0x00, 0xff]);

Deno.test("walkArpTable() reads ipNetToMediaTable: ifIndex and address from the index, MAC and type from columns", async () => {
  const s = new TableSession([
    [`${IP_NET_TO_MEDIA_ENTRY}.2.3.10.0.0.1`, MAC_A],
    [`${IP_NET_TO_MEDIA_ENTRY}.2.3.10.0.0.9`, MAC_B],
    [`${IP_NET_TO_MEDIA_ENTRY}.4.3.10.0.0.1`, 3],
    [`${IP_NET_TO_MEDIA_ENTRY}.4.3.10.0.0.9`, 4],
  ]);
  assert.deepEqual(await walkArpTable(s, "10.0.0.254"), [
    { device: "10.0.0.254", ifIndex: 3, ip: "10.0.0.1", mac: "00:1b:21:0a:0b:0c", type: "dynamic" },
    { device: "10.0.0.254", ifIndex: 3, ip: "10.0.0.9", mac: "02:00:5e:10:00:ff", type: "static" },
  ]);
});

Deno.test("walkArpTable() adds IPv6 neighbours from ipNetToPhysicalTable and de-duplicates IPv4 ones", async () => {
  const v6 = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x1b, 0x21, 0xff, 0xfe, 0x0a, 0x0b, 0x0c].join(".");
  const s = new TableSession([
    [`${IP_NET_TO_MEDIA_ENTRY}.2.3.10.0.0.1`, MAC_A],
    [`${IP_NET_TO_MEDIA_ENTRY}.4.3.10.0.0.1`, 3],
    [`${IP_NET_TO_PHYSICAL_ENTRY}.4.3.1.4.10.0.0.1`, MAC_A],
    [`${IP_NET_TO_PHYSICAL_ENTRY}.4.3.2.16.${v6}`, MAC_A],
    [`${IP_NET_TO_PHYSICAL_ENTRY}.6.3.1.4.10.0.0.1`, 3],
    [`${IP_NET_TO_PHYSICAL_ENTRY}.6.3.2.16.${v6}`, 5],
  ]);
  assert.deepEqual(await walkArpTable(s, "10.0.0.254"), [
    { device: "10.0.0.254", ifIndex: 3, ip: "10.0.0.1", mac: "00:1b:21:0a:0b:0c", type: "dynamic" },
    {
      device: "10.0.0.254",
      ifIndex: 3,
      ip: "fe80::1b:21ff:fe0a:b0c",
      mac: "00:1b:21:0a:0b:0c",
      type: "other",
    },
  ]);
});

Deno.test("walkArpTable() skips rows whose MAC is not 6 bytes", async () => {
  const s = new TableSession([
    [`${IP_NET_TO_MEDIA_ENTRY}.2.3.10.0.0.1`, new Uint8Array(0)],
    [`${IP_NET_TO_MEDIA_ENTRY}.2.3.10.0.0.2`, new Uint8Array(8)],
    [`${IP_NET_TO_MEDIA_ENTRY}.2.3.10.0.0.3`, "not bytes"],
    [`${IP_NET_TO_MEDIA_ENTRY}.2.3.10.0.0.4`, MAC_B],
  ]);
  assert.deepEqual((await walkArpTable(s, "10.0.0.254")).map((e) => e.ip), ["10.0.0.4"]);
});

Deno.test("walkArpTable() ignores rows with a broken index", async () => {
  const s = new TableSession([
    [`${IP_NET_TO_MEDIA_ENTRY}.2.3.10.0.0`, MAC_A],
    [`${IP_NET_TO_MEDIA_ENTRY}.2.3.10.0.0.300`, MAC_A],
    [`${IP_NET_TO_PHYSICAL_ENTRY}.4.3.1.4.10.0.0`, MAC_A],
  ]);
  assert.deepEqual(await walkArpTable(s, "10.0.0.254"), []);
});

Deno.test("parsePhysicalIndex() decodes ifIndex, InetAddressType and the length-prefixed address", () => {
  assert.deepEqual(parsePhysicalIndex("7.1.4.192.0.2.1"), { ifIndex: 7, ip: "192.0.2.1" });
  assert.deepEqual(parsePhysicalIndex("7.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1"), {
    ifIndex: 7,
    ip: "2001:db8::1",
  });
  assert.equal(parsePhysicalIndex("7.4.20.1.2"), null);
  assert.equal(parsePhysicalIndex("7.1.4.192.0.2"), null);
});
