/**
 * The device side of the daemon at start, with state files a crash or a disk fault left behind: a
 * corrupt arp-state.json is moved aside and reported, never silently dropped, and the daemon's
 * device side still starts.
 */
import assert from "node:assert/strict";
import { startDeviceSide } from "../src/app/device_side.ts";
import { EventBus } from "../src/events/mod.ts";
import { loadConfig } from "../src/config/mod.ts";
import { FlowTable } from "../src/flow/flow_table.ts";
import { setLogSink } from "../src/base/log.ts";

Deno.test("startDeviceSide() moves a corrupt arp-state.json aside, says so, and starts with an empty ARP history", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "flintnet-state-" });
  const garbage = "{ this is not the ARP state";
  await Deno.writeTextFile(`${stateDir}/arp-state.json`, garbage);
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  try {
    const cfg = await loadConfig({
      FLINTNET_ENV_FILE: "/dev/null",
      FLINTNET_STATE_DIR: stateDir,
      FLINTNET_INTERFACE: "lo",
      FLINTNET_CIDR: "127.0.0.0/8",
      FLINTNET_TRAP_LISTEN: "off",
      FLINTNET_DISCOVERY_INTERVAL: "0",
    });
    const side = await startDeviceSide(cfg, new EventBus(), new FlowTable(1000), 3600);
    try {
      assert.equal(side.arpHistory.size, 0);
      const aside = [...Deno.readDirSync(stateDir)].map((e) => e.name).filter((n) =>
        n.startsWith("arp-state.json.corrupt-")
      );
      assert.equal(aside.length, 1, `moved aside: ${aside}`);
      assert.equal(await Deno.readTextFile(`${stateDir}/${aside[0]}`), garbage, "kept byte for byte");
      const report = lines.map((l) => JSON.parse(l)).find((r) =>
        r.level === "error" && /ARP state/.test(r.msg)
      );
      assert.ok(report, `an error line says what happened:\n${lines.join("\n")}`);
      assert.ok(String(report.moved_to).endsWith(aside[0]));
    } finally {
      await side.stop();
    }
  } finally {
    setLogSink(undefined);
    await Deno.remove(stateDir, { recursive: true });
  }
});
