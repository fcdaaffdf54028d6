/**
 * libpcap through Deno FFI, for what it does better than anything we would write: compiling
 * pcap-filter(7) expressions to classic BPF (for a capture file's link type, or for a live interface).
 *
 * Debian ships the library as `libpcap.so.0.8` (package libpcap0.8); set FLINTNET_LIBPCAP to another
 * path or soname to override. Opened lazily on first use.
 */

/** The symbol table, C prototypes beside each entry (pcap/pcap.h). */
const SYMBOLS = {
  /** pcap_t *pcap_open_dead(int linktype, int snaplen); */
  pcap_open_dead: { parameters: ["i32", "i32"], result: "pointer" },
  /**
   * int pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str, int optimize,
   *                  bpf_u_int32 netmask);
   */
  pcap_compile: { parameters: ["pointer", "buffer", "buffer", "i32", "u32"], result: "i32" },
  /** char *pcap_geterr(pcap_t *p); */
  pcap_geterr: { parameters: ["pointer"], result: "pointer" },
  /** void pcap_freecode(struct bpf_program *fp); */
  pcap_freecode: { parameters: ["buffer"], result: "void" },
  /** void pcap_close(pcap_t *p); */
  pcap_close: { parameters: ["pointer"], result: "void" },
  /** pcap_t *pcap_create(const char *source, char *errbuf);  — errbuf: PCAP_ERRBUF_SIZE (256) bytes */
  pcap_create: { parameters: ["buffer", "buffer"], result: "pointer" },
  /** int pcap_set_snaplen(pcap_t *p, int snaplen); */
  pcap_set_snaplen: { parameters: ["pointer", "i32"], result: "i32" },
  /** int pcap_activate(pcap_t *p); — < 0 error, > 0 warning */
  pcap_activate: { parameters: ["pointer"], result: "i32" },
  /** const char *pcap_statustostr(int error); */
  pcap_statustostr: { parameters: ["i32"], result: "pointer" },
  /** const char *pcap_lib_version(void); */
  pcap_lib_version: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened library's symbols. */
export type LibpcapSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** The soname tried when FLINTNET_LIBPCAP is not set. */
export const DEFAULT_LIBPCAP = "libpcap.so.0.8";

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;
let path = DEFAULT_LIBPCAP;

/**
 * Chooses the library (FLINTNET_LIBPCAP, resolved by the configuration) before its first use; the app and
 * each capture Worker call it with the same value. Ignored once the library is loaded.
 */
export function useLibpcap(soname: string): void {
  if (!lib) path = soname;
}

/** The library path in use (or to be used). */
export function libpcapPath(): string {
  return path;
}

/** The library could not be loaded: a setting (FLINTNET_LIBPCAP) or a package (libpcap0.8) to fix. */
export class LibpcapLoadError extends Error {
  override name = "LibpcapLoadError";
}

/** libpcap's symbols, loading the library on first call; throws one clear line when it is missing. */
export function libpcap(): LibpcapSymbols {
  if (!lib) {
    try {
      lib = Deno.dlopen(path, SYMBOLS);
    } catch (e) {
      throw new LibpcapLoadError(
        `cannot load libpcap from "${path}": ${(e as Error).message}; ` +
          `install the Debian package libpcap0.8 or set FLINTNET_LIBPCAP to the library's path`,
      );
    }
  }
  return lib.symbols;
}

/** libpcap's version string, e.g. "libpcap version 1.10.3 (with TPACKET_V3)". */
export function libpcapVersion(): string {
  const p = libpcap().pcap_lib_version();
  return p === null ? "unknown" : Deno.UnsafePointerView.getCString(p);
}
