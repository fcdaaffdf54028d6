/**
 * How long a save of the largest state files holds the main thread (the thread capture batches, timers and
 * HTTP share): the device registry at its bound (65,536 devices, from the start-up bench's 100 k-device
 * devices.json) and the ARP history at its bound (65,536 MACs), each saved three times as the daemon saves
 * them. A timer every millisecond notes the longest gap between its runs while a save is under way.
 *
 *   deno run --allow-all tests/bench/state_saves.ts
 *
 * Prints ONE JSON line (StateSavesResult) on stdout, progress on stderr. Uses the cache of startup_state.ts
 * (made there once when missing).
 */
import { join } from "node:path";
import { DeviceRegistry } from "../../src/devices/mod.ts";
import { ArpHistory } from "../../src/devices/arp_history.ts";
import { ARP_CACHE, CACHE, cachedState } from "./startup_state.ts";

/** One state file's saves. */
export interface SaveFigures {
  /** What it held: devices or MACs. */
  entries: number;
  /** The file's size after the last save, bytes. */
  bytes: number;
  /** Each save: from its start to the file in place, ms. */
  saves_ms: number[];
  /** Each save: the longest the event loop was held meanwhile, ms. */
  stalls_ms: number[];
}

/** What one run reports. */
export interface StateSavesResult {
  registry: SaveFigures;
  arp: SaveFigures;
  loadavg: string;
}

const SAVES = 3;

/** Runs `save` SAVES times (after `change`), noting each one's time and the longest gap of a 1-ms timer. */
async function measure(
  path: string,
  entries: number,
  change: (i: number) => void,
  save: () => Promise<void>,
) {
  const saves: number[] = [], stalls: number[] = [];
  for (let i = 0; i < SAVES; i++) {
    change(i);
    let worst = 0, last = performance.now();
    const tick = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 1);
    const started = performance.now();
    await save();
    saves.push(Math.round(performance.now() - started));
    // One more turn, so that a stall at the very end is seen too.
    await new Promise((r) => setTimeout(r, 5));
    clearInterval(tick);
    stalls.push(Math.round(worst));
  }
  return { entries, bytes: (await Deno.stat(path)).size, saves_ms: saves, stalls_ms: stalls };
}

async function main(): Promise<StateSavesResult> {
  await cachedState();
  const dir = await Deno.makeTempDir({ prefix: "flintnet-saves-" });
  try {
    console.error("state_saves: the registry at its bound…");
    const devicesPath = join(dir, "devices.json");
    await Deno.copyFile(join(CACHE, "devices.json"), devicesPath);
    const registry = new DeviceRegistry({ path: devicesPath, publish: () => {} });
    await registry.load();
    const reg = await measure(
      devicesPath,
      registry.size,
      (i) => registry.observe({ ip: `10.64.0.${i + 1}`, source: "arp_sweep", seenAt: Date.now() }),
      () => registry.flush(),
    );
    await registry.stop();

    console.error("state_saves: the ARP history at its bound…");
    const arpPath = join(dir, "arp-state.json");
    await Deno.copyFile(ARP_CACHE, arpPath);
    const history = await ArpHistory.load(arpPath);
    const arp = await measure(
      arpPath,
      history.size,
      (i) => history.learningStartMs = Date.now() - i,
      () => history.save(),
    );
    return { registry: reg, arp, loadavg: Deno.loadavg().map((x) => x.toFixed(2)).join(" ") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) console.log(JSON.stringify(await main()));
