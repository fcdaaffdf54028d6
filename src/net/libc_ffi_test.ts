import assert from "node:assert/strict";
import { trimMalloc } from "./libc_ffi.ts";

/** Resident bytes of this process, from /proc (what the kernel counts, not what the runtime thinks). */
function rss(): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))![1];
  return Number(kb) * 1024;
}

Deno.test("trimMalloc() gives memory freed in the middle of the C heap back to the system", () => {
  const c = Deno.dlopen(
    "libc.so.6",
    {
      malloc: { parameters: ["usize"], result: "pointer" },
      free: { parameters: ["pointer"], result: "void" },
      memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
    } as const,
  );
  try {
    // 64 MiB in 64 KiB blocks (under glibc's mmap threshold: they live in the heap), written so they are
    // resident, then freed but for one block allocated after them: the free space is not at the heap's
    // top, so free() alone keeps it (only malloc_trim returns such pages).
    const CHUNK = 64 * 1024, COUNT = 1024;
    const blocks = Array.from({ length: COUNT }, () => c.symbols.malloc(BigInt(CHUNK)));
    const pin = c.symbols.malloc(BigInt(CHUNK));
    for (const b of blocks) c.symbols.memset(b, 1, BigInt(CHUNK));
    for (const b of blocks) c.symbols.free(b);
    const before = rss();
    assert.equal(trimMalloc(), true, "glibc has malloc_trim");
    const after = rss();
    assert.ok(before - after > 48 * 1024 * 1024, `RSS ${before} → ${after}: less than 48 MiB given back`);
    c.symbols.free(pin);
  } finally {
    c.close();
  }
});
