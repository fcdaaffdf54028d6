/**
 * arpSweep() on a real segment: a veth pair whose namespace end holds several addresses, answered by
 * the namespace's own kernel. The oracle is what `ip` reports inside the namespace, not anything the
 * sweep printed. Needs root and iproute2; skipped without them unless CI=true.
 */
import assert from "node:assert/strict";
import { arpSweep } from "../src/discovery/arp_sweep.ts";
import { ipv4Hosts } from "../src/net/cidr.ts";
import { createVethPair, netnsUnavailable, run, vethNames, type VethPair } from "./helpers/netns.ts";

const CI = Deno.env.get("CI") === "true";
const missing = await netnsUnavailable();
const ignore = missing !== null && !CI;
const NET = "10.231.41.0/24";
/** Addresses added inside the namespace besides its primary one. */
const EXTRA = ["10.231.41.10", "10.231.41.20", "10.231.41.77", "10.231.41.254"];

async function withPair(fn: (pair: VethPair) => Promise<void>): Promise<void> {
  if (missing) throw new Error(`ARP sweep test cannot run: ${missing}`);
  const pair = await createVethPair({
    ...vethNames("arpswp"),
    hostAddr: "10.231.41.1/24",
    nsAddr: "10.231.41.2/24",
    staticNeighbours: false,
  });
  try {
    for (const ip of EXTRA) await pair.exec(["ip", "addr", "add", `${ip}/24`, "dev", pair.nsIf]);
    await fn(pair);
  } finally {
    await pair.destroy();
  }
}

/** The namespace interface's IPv4 addresses, each with the interface's MAC, as iproute2 reports them. */
async function oracle(pair: VethPair): Promise<Map<string, string>> {
  const addrs = JSON.parse(
    (await pair.exec(["ip", "-j", "-4", "addr", "show", "dev", pair.nsIf])).stdout,
  ) as {
    addr_info: { local: string }[];
  }[];
  const [link] = JSON.parse((await pair.exec(["ip", "-j", "link", "show", "dev", pair.nsIf])).stdout) as {
    address: string;
  }[];
  assert.match(link.address, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  return new Map(addrs[0].addr_info.map((a) => [a.local, link.address]));
}

function openFds(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

Deno.test({
  name: "arpSweep() finds exactly the namespace's addresses with its MAC, and nothing for unused ones",
  ignore,
  async fn() {
    await withPair(async (pair) => {
      const expected = await oracle(pair);
      assert.equal(expected.size, 1 + EXTRA.length); // the namespace really holds what the test added
      const fds = openFds();
      const found = await arpSweep({
        iface: pair.hostIf,
        targets: ipv4Hosts(NET),
        ratePerS: 1000,
        settleMs: 500,
      });
      assert.deepEqual(new Map([...found].sort()), new Map([...expected].sort()));
      assert.equal(openFds(), fds);
    });
  },
});

Deno.test({
  name: "arpSweep() asks only for addresses inside the interface's network and skips its own",
  ignore,
  async fn() {
    await withPair(async (pair) => {
      const expected = await oracle(pair);
      // The namespace also holds 10.231.42.5/24, outside the host end's network: it must not be asked for.
      await pair.exec(["ip", "addr", "add", "10.231.42.5/24", "dev", pair.nsIf]);
      const found = await arpSweep({
        iface: pair.hostIf,
        targets: ["10.231.41.10", "10.231.42.5", "10.231.41.1", "10.231.41.99", "10.231.41.10"],
        settleMs: 300,
      });
      assert.deepEqual([...found], [["10.231.41.10", expected.get("10.231.41.10")]]);
    });
  },
});

Deno.test({
  name: "arpSweep() aborted mid-sweep rejects with the reason and closes its socket",
  ignore,
  async fn() {
    await withPair(async (pair) => {
      const fds = openFds();
      const ac = new AbortController();
      // 10 requests a second over a /24 would take 25 s: the abort lands while it is still sending.
      const sweep = arpSweep({
        iface: pair.hostIf,
        targets: ipv4Hosts(NET),
        ratePerS: 10,
        signal: ac.signal,
      });
      setTimeout(() => ac.abort(new Error("sweep cancelled")), 200);
      await assert.rejects(sweep, /sweep cancelled/);
      assert.equal(openFds(), fds);
    });
  },
});

Deno.test({
  name: "arpSweep() rejects with ENETDOWN when the link is down, closing its socket",
  ignore,
  async fn() {
    await withPair(async (pair) => {
      await run(["ip", "link", "set", pair.hostIf, "down"]);
      const fds = openFds();
      await assert.rejects(
        arpSweep({ iface: pair.hostIf, targets: ["10.231.41.2"], settleMs: 0 }),
        /ENETDOWN/,
      );
      assert.equal(openFds(), fds);
    });
  },
});
