/**
 * arpSweep()'s checks that need no private network: option validation, missing and non-Ethernet
 * interfaces, targets outside the interface's networks. The sweep itself, on a veth pair with real
 * neighbours, is tests/arp_sweep_test.ts.
 */
import assert from "node:assert/strict";
import { LibcError } from "../net/libc_ffi.ts";
import { arpSweep } from "./arp_sweep.ts";

const isRoot = Deno.build.os === "linux" && Deno.uid() === 0;

Deno.test("arpSweep() refuses a rate or settle time out of range, naming the value", async () => {
  await assert.rejects(arpSweep({ iface: "lo", targets: [], ratePerS: 0 }), /rate 0\/s is not valid/);
  await assert.rejects(arpSweep({ iface: "lo", targets: [], ratePerS: NaN }), RangeError);
  await assert.rejects(arpSweep({ iface: "lo", targets: [], settleMs: -1 }), /settle time -1 ms/);
});

Deno.test("arpSweep() rejects with ENODEV for an interface that does not exist", async () => {
  await assert.rejects(
    arpSweep({ iface: "nosuchif0", targets: ["10.0.0.1"] }),
    (e: unknown) => e instanceof LibcError && e.code === "ENODEV" && e.message.includes("nosuchif0"),
  );
});

Deno.test("arpSweep() returns nothing, without a socket, when no target is inside the interface's networks", async () => {
  // lo holds 127.0.0.1/8: none of these are inside it, and its own address is never asked for.
  const found = await arpSweep({ iface: "lo", targets: ["192.0.2.1", "2001:db8::1", "junk", "127.0.0.1"] });
  assert.equal(found.size, 0);
});

Deno.test({
  name: "arpSweep() refuses a loopback interface, which has no ARP, and closes its socket",
  ignore: !isRoot,
  async fn() {
    const before = [...Deno.readDirSync("/proc/self/fd")].length;
    await assert.rejects(
      arpSweep({ iface: "lo", targets: ["127.0.0.9"] }),
      (e: unknown) => e instanceof RangeError && /ARPHRD 772.*Ethernet/.test(e.message),
    );
    assert.equal([...Deno.readDirSync("/proc/self/fd")].length, before);
  },
});

Deno.test("arpSweep() rejects at once when the signal is already aborted", async () => {
  const ac = new AbortController();
  ac.abort(new Error("stopped"));
  await assert.rejects(arpSweep({ iface: "lo", targets: ["127.0.0.9"], signal: ac.signal }), /stopped/);
});
