/**
 * Captures for the advisory tests: tcpdump inside a namespace, tshark's reading of the file, `flintnet
 * replay` of it as a user runs it, and waiting for the start of a minute so a short burst stays in one.
 */
import assert from "node:assert/strict";
import type { AdvisoryEvent } from "../../src/events/mod.ts";
import { watchChild, type WatchedChild } from "./child_process.ts";
import { netnsUnavailable, run } from "./netns.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** tcpdump in `ns` on `iface` into `path`; resolves once it listens. */
export async function startTcpdump(ns: string, iface: string, path: string): Promise<WatchedChild> {
  const child = watchChild(
    new Deno.Command("ip", {
      args: ["netns", "exec", ns, "tcpdump", "--immediate-mode", "-i", iface, "-w", path, "-U", "-s", "512"],
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
  );
  for (let i = 0; i < 100 && !child.output().includes("listening on"); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(child.output().includes("listening on"), `tcpdump did not start: ${child.output()}`);
  return child;
}

/**
 * tshark's fields of the frames `filter` selects, one array per frame (a field found more than once in a frame
 * has its values joined by commas). `decodeAs`: a `-d` rule, e.g. `udp.port==6343,sflow`.
 */
export async function tshark(
  path: string,
  filter: string,
  fields: string[],
  decodeAs?: string,
): Promise<string[][]> {
  const r = await run([
    "tshark",
    "-r",
    path,
    ...(decodeAs ? ["-d", decodeAs] : []),
    "-Y",
    filter,
    "-T",
    "fields",
    ...fields.flatMap((f) => ["-e", f]),
  ]);
  // split on newlines only: a trim would eat the tab before an empty first field
  return r.stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

/**
 * The broadcast ARP requests `asker` sent in `path` for addresses other than its own, as tshark reads them:
 * [time in seconds, the address asked for], in file order.
 */
export async function broadcastRequestsFrom(path: string, asker: string): Promise<[number, string][]> {
  const rows = await tshark(
    path,
    `arp.opcode==1 && arp.src.proto_ipv4==${asker} && eth.dst==ff:ff:ff:ff:ff:ff && arp.dst.proto_ipv4!=${asker}`,
    ["frame.time_epoch", "arp.dst.proto_ipv4"],
  );
  return rows.map(([t, ip]) => [Number(t), ip]);
}

/** What the advisory tests read of a replay's document. */
export interface ReplayedAdvisories {
  /** The advisory events, in order. */
  advisories: AdvisoryEvent[];
  /** The analysis engine's counters (`totals.analysis`). */
  analysis: Record<string, number>;
}

/** `main.ts replay FILE` as a user runs it (with `env` settings): its advisories and the engine's counters. */
export async function replayAnalysis(
  path: string,
  env: Record<string, string> = {},
): Promise<ReplayedAdvisories> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, MAIN, "replay", path],
    env: { FLINTNET_ENV_FILE: "/dev/null", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const doc = JSON.parse(new TextDecoder().decode(out.stdout));
  return {
    advisories: (doc.events as { kind: string }[]).filter((e): e is AdvisoryEvent => e.kind === "advisory"),
    analysis: doc.totals.analysis,
  };
}

/** `main.ts replay FILE` as a user runs it (with `env` settings): the advisory events. */
export async function replayAdvisories(
  path: string,
  env: Record<string, string> = {},
): Promise<AdvisoryEvent[]> {
  return (await replayAnalysis(path, env)).advisories;
}

/** Waits until the wall clock is early in a minute, so a burst of a few seconds stays inside one. */
export async function earlyInMinute(): Promise<void> {
  const s = new Date().getUTCSeconds();
  if (s < 40) return;
  await new Promise((r) => setTimeout(r, (61 - s) * 1000));
}

/** Why the test cannot run here: no namespaces, or the first of `tools` (absolute paths) missing; else null. */
export async function advisoryToolsMissing(
  tools: readonly string[],
  install: string,
): Promise<string | null> {
  const other = await netnsUnavailable();
  if (other) return other;
  for (const tool of tools) {
    try {
      await Deno.stat(tool);
    } catch {
      return `${tool} is missing: apt-get install ${install}`;
    }
  }
  return null;
}
