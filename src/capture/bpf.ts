/**
 * Classic BPF: compile pcap-filter(7) expressions with libpcap, and run the compiled program in JS.
 *
 * Live capture attaches the compiled program to the AF_PACKET socket (SO_ATTACH_FILTER), so the kernel
 * drops unwanted frames before they reach the ring and truncates the rest to the snaplen the program
 * returns. Replay has no kernel to do that and calls {@link runBpf} per frame instead.
 *
 * A program is the raw `struct sock_filter` array (linux/filter.h), 8 bytes per instruction in host
 * byte order (little-endian here):
 *   struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; };
 */
import { LinkType } from "../decode/mod.ts";
import { libpcap } from "./libpcap_ffi.ts";

/** Bytes per `struct sock_filter` / `struct bpf_insn`. */
export const BPF_INSN_BYTES = 8;
/** Longest program the kernel accepts (BPF_MAXINSNS, linux/bpf_common.h). */
export const BPF_MAXINSNS = 4096;
/** pcap_compile() netmask when it is not known (pcap/pcap.h); only "ip broadcast" needs a real one. */
const PCAP_NETMASK_UNKNOWN = 0xffffffff;
/** DLT_RAW on Linux (pcap/dlt.h); LINKTYPE_RAW (101) is its file-format number. */
const DLT_RAW = 12;

/** A filter expression libpcap refused. */
export class BpfError extends Error {
  /** The expression as given. */
  readonly expression: string;
  /** libpcap's own explanation. */
  readonly reason: string;

  constructor(expression: string, reason: string, setting = "FLINTNET_BPF") {
    super(
      `${setting}=${JSON.stringify(expression)} is not valid: ${reason} (libpcap); ` +
        `accepted: a pcap-filter(7) expression`,
    );
    this.name = "BpfError";
    this.expression = expression;
    this.reason = reason;
  }
}

/** pcap_activate() statuses (pcap/pcap.h) that say something about the interface. */
export const PcapStatus = {
  /** PCAP_ERROR_NO_SUCH_DEVICE */
  NoSuchDevice: -5,
  /** PCAP_ERROR_PERM_DENIED */
  PermDenied: -8,
  /** PCAP_ERROR_IFACE_NOT_UP */
  IfaceNotUp: -9,
} as const;

/** libpcap could not open the interface a live filter is compiled for. */
export class PcapActivateError extends Error {
  /** The pcap_activate() status, e.g. PcapStatus.IfaceNotUp. */
  readonly status: number;

  constructor(iface: string, status: number, text: string) {
    super(`libpcap cannot open ${iface} to compile the filter: ${text}`);
    this.name = "PcapActivateError";
    this.status = status;
  }
}

/**
 * Compiles a pcap-filter(7) expression with libpcap (optimised, netmask unknown).
 *
 * The empty expression compiles to `ret #snaplen`: attach it anyway, since that is how the kernel learns
 * the snaplen. Programs are compiled as for a capture file (`pcap_open_dead`), so a `vlan` primitive
 * looks for the tag in the frame bytes; the live ring sees frames whose tag the kernel already removed.
 *
 * @param expression the filter, "" for everything
 * @param snaplen bytes to keep per frame (1–262144)
 * @param linkType one of LinkType (the framing the program will see)
 * @param setting the name to blame in the error message
 * @returns the `struct sock_filter` array
 * @throws BpfError when libpcap rejects the expression
 */
export function compileBpf(
  expression: string,
  snaplen: number,
  linkType: number = LinkType.Ethernet,
  setting = "FLINTNET_BPF",
): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 262144) {
    throw new RangeError(`snaplen ${snaplen} is not valid; accepted: an integer from 1 to 262144`);
  }
  const pcap = libpcap();
  const dlt = linkType === LinkType.Raw ? DLT_RAW : linkType;
  const handle = pcap.pcap_open_dead(dlt, snaplen);
  if (handle === null) throw new Error(`pcap_open_dead(${dlt}, ${snaplen}) failed`);
  try {
    return compileWith(handle, expression, setting);
  } finally {
    pcap.pcap_close(handle);
  }
}

/**
 * Compiles an expression for live capture on `iface` with a handle libpcap activates there, as
 * `tcpdump -i` does. On Linux the kernel strips VLAN tags before filters run, and such a program tests
 * the tag in packet metadata (Linux ancillary loads, SKF_AD_VLAN_TAG_PRESENT) instead of frame bytes, so
 * `vlan 42` matches on a live socket. The result is for the kernel only: runBpf() does not implement
 * ancillary loads. Needs CAP_NET_RAW and an existing interface.
 * @throws BpfError when libpcap rejects the expression, PcapActivateError when the interface cannot be opened
 */
export function compileBpfForInterface(
  expression: string,
  snaplen: number,
  iface: string,
  setting = "FLINTNET_BPF",
): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 262144) {
    throw new RangeError(`snaplen ${snaplen} is not valid; accepted: an integer from 1 to 262144`);
  }
  const pcap = libpcap();
  const errbuf = new Uint8Array(256); // PCAP_ERRBUF_SIZE
  const handle = pcap.pcap_create(new TextEncoder().encode(iface + "\0"), errbuf);
  if (handle === null) throw new Error(`pcap_create(${iface}) failed: ${cText(errbuf)}`);
  try {
    pcap.pcap_set_snaplen(handle, snaplen);
    const status = pcap.pcap_activate(handle);
    if (status < 0) {
      const what = pcap.pcap_statustostr(status);
      const detail = pcap.pcap_geterr(handle);
      const text = what === null ? `status ${status}` : Deno.UnsafePointerView.getCString(what);
      const more = detail === null ? "" : Deno.UnsafePointerView.getCString(detail);
      throw new PcapActivateError(iface, status, more && more !== text ? `${text} (${more})` : text);
    }
    return compileWith(handle, expression, setting);
  } finally {
    pcap.pcap_close(handle);
  }
}

/** pcap_compile() on an open handle; copies the program out and frees libpcap's copy. */
function compileWith(
  handle: Deno.PointerObject,
  expression: string,
  setting: string,
): Uint8Array<ArrayBuffer> {
  const pcap = libpcap();
  // struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; } — 16 bytes on LP64
  const prog = new Uint8Array(16);
  const expr = new TextEncoder().encode(expression + "\0");
  if (pcap.pcap_compile(handle, prog, expr, 1, PCAP_NETMASK_UNKNOWN) !== 0) {
    const msg = pcap.pcap_geterr(handle);
    const text = msg === null ? "unknown error" : Deno.UnsafePointerView.getCString(msg);
    throw new BpfError(expression, text.replace(/^can't parse filter expression: /, ""), setting);
  }
  try {
    const view = new DataView(prog.buffer);
    const count = view.getUint32(0, true);
    if (count > BPF_MAXINSNS) {
      throw new BpfError(
        expression,
        `${count} instructions, more than the kernel's ${BPF_MAXINSNS}`,
        setting,
      );
    }
    const insns = Deno.UnsafePointer.create(view.getBigUint64(8, true));
    const out = new Uint8Array(count * BPF_INSN_BYTES);
    if (insns !== null && count > 0) new Deno.UnsafePointerView(insns).copyInto(out);
    return out;
  } finally {
    pcap.pcap_freecode(prog);
  }
}

/** A NUL-terminated C string held in `buf`. */
function cText(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return new TextDecoder().decode(buf.subarray(0, end < 0 ? buf.length : end));
}

// Instruction fields (linux/bpf_common.h, linux/filter.h).
const BPF_LD = 0x00, BPF_LDX = 0x01, BPF_ST = 0x02, BPF_STX = 0x03;
const BPF_ALU = 0x04, BPF_JMP = 0x05, BPF_RET = 0x06, BPF_MISC = 0x07;
const BPF_W = 0x00, BPF_H = 0x08, BPF_B = 0x10;
const BPF_IMM = 0x00, BPF_ABS = 0x20, BPF_IND = 0x40, BPF_MEM = 0x60, BPF_LEN = 0x80, BPF_MSH = 0xa0;
const BPF_ADD = 0x00, BPF_SUB = 0x10, BPF_MUL = 0x20, BPF_DIV = 0x30, BPF_OR = 0x40, BPF_AND = 0x50;
const BPF_LSH = 0x60, BPF_RSH = 0x70, BPF_NEG = 0x80, BPF_MOD = 0x90, BPF_XOR = 0xa0;
const BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JGE = 0x30, BPF_JSET = 0x40;
const BPF_X = 0x08, BPF_A = 0x10;
const BPF_TAX = 0x00, BPF_TXA = 0x80;
/** Scratch memory slots (BPF_MEMWORDS). */
const BPF_MEMWORDS = 16;

/** Scratch memory shared by every run: one interpreter runs at a time per isolate, and none allocates. */
const MEM = new Uint32Array(BPF_MEMWORDS);

/**
 * Runs a classic BPF program over one frame, as the kernel would (bpf_filter semantics).
 *
 * Never throws: a load past the captured bytes, a division by zero, a jump out of the program, an
 * unknown opcode or Linux ancillary data (k ≥ SKF_AD_OFF) all end the run with 0, the kernel's answer.
 *
 * @param program `struct sock_filter` array (a trailing partial instruction is ignored)
 * @param pkt buffer holding the frame
 * @param off where the frame starts in pkt
 * @param capLen bytes of the frame present in pkt
 * @param wireLen the frame's length on the wire (what `ld len` loads)
 * @returns bytes to keep (0 = drop); may exceed capLen, so callers take the minimum
 */
export function runBpf(
  program: Uint8Array,
  pkt: Uint8Array,
  off: number,
  capLen: number,
  wireLen: number,
): number {
  const n = program.length >>> 3;
  const end = Math.min(capLen, pkt.length - off); // never read past the buffer, whatever capLen claims
  let a = 0;
  let x = 0;
  MEM.fill(0);
  let pc = 0;
  while (pc < n) {
    const i = pc << 3;
    const code = program[i] | (program[i + 1] << 8);
    const jt = program[i + 2];
    const jf = program[i + 3];
    const k = (program[i + 4] | (program[i + 5] << 8) | (program[i + 6] << 16) | (program[i + 7] << 24)) >>>
      0;
    pc++;
    switch (code & 0x07) {
      case BPF_LD:
      case BPF_LDX: {
        const isX = (code & 0x07) === BPF_LDX;
        const mode = code & 0xe0;
        let v: number;
        if (mode === BPF_IMM) v = k;
        else if (mode === BPF_LEN) v = wireLen >>> 0;
        else if (mode === BPF_MEM) {
          if (k >= BPF_MEMWORDS) return 0;
          v = MEM[k];
        } else if (mode === BPF_MSH) {
          if (!isX || k >= end) return 0;
          v = (pkt[off + k] & 0x0f) << 2;
        } else if (mode === BPF_ABS || mode === BPF_IND) {
          if (isX) return 0;
          const at = mode === BPF_ABS ? k : x + k; // unwrapped: X + k past 2^32 is out of bounds, not offset 0
          const size = code & 0x18;
          const width = size === BPF_W ? 4 : size === BPF_H ? 2 : size === BPF_B ? 1 : 0;
          if (width === 0 || at + width > end) return 0;
          const p = off + at;
          v = width === 4
            ? ((pkt[p] << 24) | (pkt[p + 1] << 16) | (pkt[p + 2] << 8) | pkt[p + 3]) >>> 0
            : width === 2
            ? (pkt[p] << 8) | pkt[p + 1]
            : pkt[p];
        } else return 0;
        if (isX) x = v;
        else a = v;
        break;
      }
      case BPF_ST:
      case BPF_STX:
        if (k >= BPF_MEMWORDS) return 0;
        MEM[k] = (code & 0x07) === BPF_ST ? a : x;
        break;
      case BPF_ALU: {
        const src = code & BPF_X ? x : k;
        switch (code & 0xf0) {
          case BPF_ADD:
            a = (a + src) >>> 0;
            break;
          case BPF_SUB:
            a = (a - src) >>> 0;
            break;
          case BPF_MUL:
            a = Math.imul(a, src) >>> 0;
            break;
          case BPF_DIV:
            if (src === 0) return 0;
            a = Math.floor(a / src) >>> 0;
            break;
          case BPF_MOD:
            if (src === 0) return 0;
            a = (a % src) >>> 0;
            break;
          case BPF_OR:
            a = (a | src) >>> 0;
            break;
          case BPF_AND:
            a = (a & src) >>> 0;
            break;
          case BPF_XOR:
            a = (a ^ src) >>> 0;
            break;
          case BPF_LSH:
            a = src >= 32 ? 0 : (a << src) >>> 0;
            break;
          case BPF_RSH:
            a = src >= 32 ? 0 : a >>> src;
            break;
          case BPF_NEG:
            a = -a >>> 0;
            break;
          default:
            return 0;
        }
        break;
      }
      case BPF_JMP: {
        const op = code & 0xf0;
        if (op === BPF_JA) {
          pc += k; // k is unsigned, so jumps only go forward and every run ends
          break;
        }
        const src = code & BPF_X ? x : k;
        let taken: boolean;
        if (op === BPF_JEQ) taken = a === src;
        else if (op === BPF_JGT) taken = a > src;
        else if (op === BPF_JGE) taken = a >= src;
        else if (op === BPF_JSET) taken = (a & src) !== 0;
        else return 0;
        pc += taken ? jt : jf;
        break;
      }
      case BPF_RET: {
        const rval = code & 0x18;
        return rval === 0 ? k : rval === BPF_A ? a : rval === BPF_X ? x : 0;
      }
      case BPF_MISC: {
        const op = code & 0xf8;
        if (op === BPF_TAX) x = a;
        else if (op === BPF_TXA) a = x;
        else return 0;
        break;
      }
    }
  }
  return 0; // fell off the end: the kernel's checker would have refused the program
}
