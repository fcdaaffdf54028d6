/**
 * PACKET_FANOUT with a classic-BPF selector, used to hand capture over from one ring to another
 * without losing or duplicating a frame (see ring_switch.ts).
 *
 * Every socket of a fanout group is fed by the group's one hook: a frame goes to exactly one member,
 * the one the group's program picks (`ret % members`, members indexed in joining order; when one
 * leaves, the last takes its index). A socket that joined receives nothing on its own any more.
 * Constants: /usr/include/linux/if_packet.h; behaviour: packet(7) and net/packet/af_packet.c
 * (fanout_add, fanout_demux_bpf, fanout_set_data).
 */
import { check, libc } from "../net/mod.ts";

const SOL_PACKET = 263;
const SO_ATTACH_FILTER = 26;
const SOL_SOCKET = 1;
/** setsockopt: join a group (id | type << 16); getsockopt: the group joined. */
const PACKET_FANOUT = 18;
/** setsockopt on a member: the group's selector program (struct sock_fprog). */
const PACKET_FANOUT_DATA = 22;
/** Mode: the member is picked by a classic BPF program (Linux 4.3+). */
const PACKET_FANOUT_CBPF = 6;
/** Flag: the kernel picks an unused group id (Linux 4.19+); read it back with getsockopt. */
const PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;

/** BPF_RET | BPF_K: one instruction returning the constant `k` (struct sock_filter, 8 bytes). */
export function retProgram(k: number): Uint8Array {
  const p = new Uint8Array(8);
  const v = new DataView(p.buffer);
  v.setUint16(0, 0x06, true); // code: BPF_RET | BPF_K
  v.setUint32(4, k, true); // jt = jf = 0
  return p;
}

/** A socket filter that accepts nothing: a socket carries it until it has joined its group. */
export const DROP_ALL: Uint8Array = retProgram(0);

/** struct sock_fprog { unsigned short len; struct sock_filter *filter; } for `program`. */
function fprog(program: Uint8Array): Uint8Array {
  const f = new Uint8Array(16);
  const v = new DataView(f.buffer);
  v.setUint16(0, program.length / 8, true);
  v.setBigUint64(
    8,
    BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(program as Uint8Array<ArrayBuffer>))),
    true,
  );
  return f;
}

/**
 * Joins `fd` (bound, receiving) to group `id` of the selector mode; `id` 0 makes a new group with an
 * id the kernel picks. Until a program is set the group sends every frame to its first member.
 * @returns the group id
 */
export function joinFanout(fd: number, id: number, iface: string): number {
  const arg = id === 0
    ? (PACKET_FANOUT_CBPF | PACKET_FANOUT_FLAG_UNIQUEID) << 16
    : (id & 0xffff) | (PACKET_FANOUT_CBPF << 16);
  const b = new Uint8Array(4);
  const v = new DataView(b.buffer);
  v.setInt32(0, arg, true);
  check(libc().setsockopt(fd, SOL_PACKET, PACKET_FANOUT, b, 4), "setsockopt(PACKET_FANOUT)", iface);
  if (id !== 0) return id;
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, 4, true);
  check(libc().getsockopt(fd, SOL_PACKET, PACKET_FANOUT, b, len), "getsockopt(PACKET_FANOUT)", iface);
  return v.getUint32(0, true) & 0xffff;
}

/** Makes the group of member `fd` send every frame to the member with index `index` (modulo members). */
export function selectMember(fd: number, index: number, iface: string): void {
  const program = retProgram(index);
  check(
    libc().setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, fprog(program), 16),
    "setsockopt(PACKET_FANOUT_DATA)",
    iface,
  );
}

/** Replaces the socket filter of `fd` (SO_ATTACH_FILTER). */
export function setSocketFilter(fd: number, program: Uint8Array, iface: string): void {
  if (program.length === 0 || program.length % 8 !== 0) {
    throw new RangeError(
      `BPF program of ${program.length} bytes is not valid; accepted: whole 8-byte instructions`,
    );
  }
  check(
    libc().setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog(program), 16),
    "setsockopt(SO_ATTACH_FILTER)",
    iface,
  );
}
