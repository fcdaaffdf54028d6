/**
 * Reading a pcap file back with Wireshark's tools, as the independent judge of files Flintnet writes:
 * `capinfos` says whether the file is whole (exit 1 when it is cut short in the middle of a record) and
 * how many packets it holds, `tshark` lists each frame (time, lengths, MD5 of the captured octets).
 * Both fail the test on a file they cannot read to its end.
 *
 * @example
 * const missing = await pcapToolsMissing();
 * const frames = await tsharkFrames("/tmp/x.pcap", "ip.addr == 10.0.0.1");
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

/** One frame as tshark reads it. */
export interface TsharkFrame {
  /** Microseconds since the epoch. */
  us: number;
  /** Octets on the wire. */
  len: number;
  /** Octets captured. */
  capLen: number;
  /** MD5 of the captured octets, hex. */
  md5: string;
  /** IPv4 source and destination, "" when the frame has none. */
  src: string;
  dst: string;
}

/** A reason the tools are missing, or null when tshark and capinfos are both there. */
export async function pcapToolsMissing(): Promise<string | null> {
  for (const tool of ["tshark", "capinfos"]) {
    const r = await new Deno.Command("which", { args: [tool], stdout: "null", stderr: "null" }).output();
    if (r.code !== 0) return `${tool} is missing (Debian package tshark)`;
  }
  return null;
}

async function tool(cmd: string, args: string[]): Promise<string> {
  const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const err = new TextDecoder().decode(r.stderr);
  assert.equal(r.code, 0, `${cmd} ${args.join(" ")} failed (${r.code}): ${err}`);
  return new TextDecoder().decode(r.stdout);
}

/** How many packets capinfos counts in `path`; fails when the file is not whole. */
export async function capinfosPackets(path: string): Promise<number> {
  const out = await tool("capinfos", ["-M", "-c", path]);
  const m = /Number of packets:\s*(\d+)/.exec(out);
  assert.ok(m, `capinfos said:\n${out}`);
  return Number(m[1]);
}

/** Every frame of `path` (those matching the display `filter`) as tshark reads it; fails on a broken file. */
export async function tsharkFrames(path: string, filter = ""): Promise<TsharkFrame[]> {
  const out = await tool("tshark", [
    "-r",
    path,
    "-n",
    "-o",
    "frame.generate_md5_hash:TRUE",
    ...(filter ? ["-Y", filter] : []),
    "-T",
    "fields",
    "-E",
    "separator=\t",
    "-E",
    "occurrence=f",
    "-e",
    "frame.time_epoch",
    "-e",
    "frame.len",
    "-e",
    "frame.cap_len",
    "-e",
    "frame.md5_hash",
    "-e",
    "ip.src",
    "-e",
    "ip.dst",
  ]); // deno-fmt-ignore
  return out.split("\n").filter((l) => l.trim() !== "").map((l) => {
    const [t, len, cap, md5, src = "", dst = ""] = l.split("\t");
    const [s, frac = ""] = t.split(".");
    return {
      us: Number(s) * 1e6 + Math.round(Number(`0.${frac}`) * 1e6),
      len: Number(len),
      capLen: Number(cap),
      md5,
      src,
      dst,
    };
  });
}

/** MD5 of `bytes`, hex: what tshark's frame.md5_hash says of the same captured octets. */
export function md5Hex(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/**
 * How far apart the two sockets' times for one frame may be, µs. Frames on a veth carry no timestamp: the
 * kernel stamps each packet socket's copy as it hands it over, one after the other, and on a virtual machine
 * whose CPU the host takes away for a moment the two stamps can be milliseconds apart (seen in CI: a SYN not
 * matched within 1 ms, 1 run in about 12).
 */
const SAME_FRAME_US = 10_000;

/**
 * Asserts that `got` (a recording) holds exactly the frames of `want` (tcpdump's capture of the same frames):
 * one to one by MD5 and lengths, each within SAME_FRAME_US of tcpdump's time for it, in tcpdump's order except
 * among frames tcpdump saw within 1 ms of each other: a frame sent and one received within microseconds reach
 * the two sockets by different paths, in either order (seen here: 2 of 80 frames swapped).
 */
export function assertSameFrames(got: TsharkFrame[], want: TsharkFrame[]): void {
  if (got.length !== want.length) {
    const seen = new Map<string, number>();
    for (const w of want) seen.set(w.md5, (seen.get(w.md5) ?? 0) + 1);
    const extra: TsharkFrame[] = [];
    for (const g of got) {
      const n = seen.get(g.md5) ?? 0;
      if (n > 0) seen.set(g.md5, n - 1);
      else extra.push(g);
    }
    const left = new Map<string, number>();
    for (const g of got) left.set(g.md5, (left.get(g.md5) ?? 0) + 1);
    const missing = want.filter((w) => {
      const n = left.get(w.md5) ?? 0;
      if (n > 0) left.set(w.md5, n - 1);
      return n === 0;
    });
    assert.fail(
      `${got.length} frames recorded, tcpdump saw ${want.length}; recorded only: ${
        JSON.stringify(extra.slice(0, 5))
      }; tcpdump only: ${JSON.stringify(missing.slice(0, 5))}; first and last recorded: ${
        JSON.stringify([got[0], got.at(-1)])
      }; first and last tcpdump: ${JSON.stringify([want[0], want.at(-1)])}`,
    );
  }
  const left = new Map<string, number[]>(); // md5 → indexes into want not matched yet
  want.forEach((w, j) => left.set(w.md5, [...(left.get(w.md5) ?? []), j]));
  got.forEach((g, i) => {
    const same = left.get(g.md5) ?? [];
    const k = same.findIndex((j) =>
      Math.abs(g.us - want[j].us) <= SAME_FRAME_US && want[j].len === g.len && want[j].capLen === g.capLen
    );
    assert.ok(k >= 0, `recorded frame ${i + 1} (${JSON.stringify(g)}) is one tcpdump saw, once`);
    const j = same.splice(k, 1)[0];
    assert.ok(
      Math.abs(want[j].us - want[i].us) <= 1000,
      `recorded frame ${i + 1} is tcpdump's frame ${j + 1}: out of order by more than 1 ms`,
    );
  });
}
