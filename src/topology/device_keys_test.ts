/**
 * DeviceKeys kept up to date across syncs must answer as an index built afresh from the same devices:
 * checked after every step of random changes (renames into and out of shared names, MACs changed and
 * cleared, devices added and gone, some devices handed back as the same object), against lookups
 * computed here from the list by brute force.
 */
import assert from "node:assert/strict";
import type { DeviceJson } from "../events/device_json.ts";
import { sampleDevice } from "../../tests/helpers/sample_devices.ts";
import { DeviceKeys } from "./device_keys.ts";
import { nameKey } from "./neighbour.ts";

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

// Few names and MACs for many devices, so that keys are often shared. Names differ in case and domain
// (one name key), as sysNames do.
const NAMES = [null, "sw1", "SW1.example.net", "sw2", "core", "Core", "ap-3"];
const MACS = [null, "00:00:00:00:00:01", "00:00:00:00:00:02", "00:00:00:00:00:03", "00:00:00:00:00:04"];

/** The one device holding a key, by brute force: undefined when none or several hold it. */
function only(devices: readonly DeviceJson[], holds: (d: DeviceJson) => boolean): string | undefined {
  const ips = devices.filter(holds).map((d) => d.ip);
  return ips.length === 1 ? ips[0] : undefined;
}

function assertLike(keys: DeviceKeys, devices: readonly DeviceJson[], step: number): void {
  assert.equal(keys.size, devices.length, `step ${step}: size`);
  for (const d of devices) assert.equal(keys.get(d.ip), d, `step ${step}: get(${d.ip})`);
  assert.equal(keys.get("10.9.9.9"), undefined);
  for (const mac of MACS.slice(1) as string[]) {
    assert.equal(keys.byMac(mac), only(devices, (d) => d.mac === mac), `step ${step}: byMac(${mac})`);
  }
  for (const key of new Set(NAMES.slice(1).map((n) => nameKey(n!)))) {
    const holds = (d: DeviceJson) => d.name !== null && nameKey(d.name) === key;
    assert.equal(keys.byName(key), only(devices, holds), `step ${step}: byName(${key})`);
    assert.equal(keys.nameShared(key), devices.filter(holds).length > 1, `step ${step}: nameShared(${key})`);
  }
}

Deno.test("DeviceKeys brought up to date step by step answers as one built afresh", () => {
  const pick = rng(0x1d2c3b4a);
  let devices: DeviceJson[] = [];
  const keys = new DeviceKeys();
  const make = (i: number) =>
    sampleDevice({ ip: `10.0.0.${i}`, name: NAMES[pick(NAMES.length)], mac: MACS[pick(MACS.length)] });
  for (let i = 1; i <= 12; i++) devices.push(make(i));
  for (let step = 0; step < 400; step++) {
    const changes = 1 + pick(3);
    for (let c = 0; c < changes; c++) {
      const op = pick(5), at = pick(devices.length);
      if (op === 0) devices[at] = { ...devices[at], name: NAMES[pick(NAMES.length)] };
      else if (op === 1) devices[at] = { ...devices[at], mac: MACS[pick(MACS.length)] };
      else if (op === 2) devices[at] = { ...devices[at], type: "switch" }; // a change that moves no key
      else if (op === 3 && devices.length > 2) devices.splice(at, 1);
      else if (devices.length < 30) devices.push(make(13 + pick(40)));
    }
    devices = [...new Map(devices.map((d) => [d.ip, d])).values()]; // one device an address, as the registry
    keys.sync(devices);
    assertLike(keys, devices, step);
  }
  assertLike(DeviceKeys.of(devices), devices, -1);
});

Deno.test("a device gone takes its keys: the name it shared names the other device alone again", () => {
  const a = sampleDevice({ ip: "10.0.0.1", name: "sw1", mac: "00:00:00:00:00:01" });
  const b = sampleDevice({ ip: "10.0.0.2", name: "SW1.example.net", mac: "00:00:00:00:00:01" });
  const keys = DeviceKeys.of([a, b]);
  assert.equal(keys.byName("sw1"), undefined);
  assert.equal(keys.byMac("00:00:00:00:00:01"), undefined);
  keys.sync([b]);
  assert.equal(keys.byName("sw1"), "10.0.0.2");
  assert.equal(keys.byMac("00:00:00:00:00:01"), "10.0.0.2");
  assert.equal(keys.has("10.0.0.1"), false);
});
