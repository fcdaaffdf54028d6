/**
 * The few libc calls live capture needs, through Deno FFI.
 *
 * Opened lazily on first use (nothing happens at import time) and shared by
 * everything in the same isolate; each capture Worker opens its own copy.
 * Signatures follow glibc on x86_64/aarch64 Linux (LP64: size_t and off_t are
 * 64-bit, socklen_t and nfds_t are 32/64 as noted).
 */

/** The symbol table, C prototypes beside each entry. */
const SYMBOLS = {
  /** int socket(int domain, int type, int protocol); */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen); */
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  /** int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen); */
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  /** int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen); */
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen); */
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  /** void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset); */
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  /** int munmap(void *addr, size_t length); */
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  /** int madvise(void *addr, size_t length, int advice); */
  madvise: { parameters: ["pointer", "usize", "i32"], result: "i32" },
  /**
   * int poll(struct pollfd *fds, nfds_t nfds, int timeout);
   * Runs on a Deno worker thread so the isolate's event loop (stop messages, stats timer) keeps running.
   * errno is thread-local, so it cannot be read after this call.
   */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  /** int close(int fd); */
  close: { parameters: ["i32"], result: "i32" },
  /** int shutdown(int sockfd, int how); */
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  /** unsigned int if_nametoindex(const char *ifname); */
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  /** int *__errno_location(void); — glibc's thread-local errno */
  __errno_location: { parameters: [], result: "pointer" },
  /** char *strerror(int errnum); */
  strerror: { parameters: ["i32"], result: "pointer" },
  /** int getpagesize(void); */
  getpagesize: { parameters: [], result: "i32" },
  /** ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr, socklen_t addrlen); */
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  /** ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src_addr, socklen_t *addrlen); */
  recvfrom: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "buffer"], result: "isize" },
  /**
   * int recvmmsg(int sockfd, struct mmsghdr *msgvec, unsigned int vlen, int flags, struct timespec *timeout);
   * Used with MSG_DONTWAIT after poll() said the socket is readable (the NetFlow collector).
   */
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened library's symbols. */
export type LibcSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/** libc's symbols, opening libc.so.6 on first call. */
export function libc(): LibcSymbols {
  lib ??= Deno.dlopen("libc.so.6", SYMBOLS);
  return lib.symbols;
}

let trim: Deno.DynamicLibrary<{ malloc_trim: { parameters: ["usize"]; result: "i32" } }> | null | undefined;

/**
 * Gives the memory free in the C heap back to the system (glibc's malloc_trim(0)); false when this libc has
 * no malloc_trim (it is opened apart from the capture's symbols so that such a libc still captures).
 * Why: what the runtime's threads freed (sockets and buffers of a discovery sweep, say) stays in malloc's
 * arenas, resident, after V8's collection. Measured on the idle daemon 18 s after start on a veth /24:
 * RSS 135 → 124 MB, in 3 ms.
 */
export function trimMalloc(): boolean {
  if (trim === undefined) {
    try {
      trim = Deno.dlopen("libc.so.6", { malloc_trim: { parameters: ["usize"], result: "i32" } } as const);
    } catch {
      trim = null;
    }
  }
  if (trim === null) return false;
  trim.symbols.malloc_trim(0n);
  return true;
}

/** MADV_DONTNEED (asm-generic/mman-common.h). */
const MADV_DONTNEED = 4;

/**
 * madvise(start, length, MADV_DONTNEED): the pages of that range are unmapped from the process, and read
 * again from their file (a private file mapping never written) or zero-filled (anonymous memory) when next
 * touched. For net/executable_pages.ts, which chooses ranges where that gives the same bytes back. False
 * when the call failed.
 */
export function adviseDontNeed(start: bigint, length: bigint): boolean {
  return libc().madvise(Deno.UnsafePointer.create(start), length, MADV_DONTNEED) === 0;
}

/** Linux errno numbers Flintnet reports by name (asm-generic/errno-base.h, asm-generic/errno.h). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  ENODEV: 19,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ERANGE: 34,
  ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENOBUFS: 105,
} as const;

const ERRNO_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Errno).map(([name, n]) => [n, name]),
);

/** "ENODEV" for 19; "errno 123" for numbers not in {@link Errno}. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

/** errno of the calling thread; read it straight after the failed (synchronous) call. */
export function lastErrno(): number {
  const p = libc().__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

/** strerror(3) text, e.g. "No such device". */
export function strerror(errno: number): string {
  const p = libc().strerror(errno);
  return p === null ? `errno ${errno}` : Deno.UnsafePointerView.getCString(p);
}

/** A failed libc call: which call, on what, and the errno by name and text. */
export class LibcError extends Error {
  /** The errno value. */
  readonly errno: number;
  /** Its symbolic name, e.g. "ENETDOWN". */
  readonly code: string;

  constructor(call: string, errno: number, subject?: string) {
    const code = errnoName(errno);
    super(`${call}${subject ? ` (${subject})` : ""} failed: ${code} ${strerror(errno)}`);
    this.name = "LibcError";
    this.errno = errno;
    this.code = code;
  }
}

/** Returns `ret`, or throws a LibcError with the current errno when it is negative. */
export function check(ret: number, call: string, subject?: string): number {
  if (ret < 0) throw new LibcError(call, lastErrno(), subject);
  return ret;
}

/** A NUL-terminated copy of `s` for `const char *` parameters. */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(s);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}
