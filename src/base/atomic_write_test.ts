import assert from "node:assert/strict";
import { writeFileAtomic } from "./atomic_write.ts";

const IS_ROOT = Deno.uid() === 0;
const CI = Deno.env.get("CI") === "true";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-atomic-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("writeFileAtomic() creates a file with the given text", async () => {
  await withTempDir(async (dir) => {
    await writeFileAtomic(`${dir}/devices.json`, '{"a":1}\n');
    assert.equal(await Deno.readTextFile(`${dir}/devices.json`), '{"a":1}\n');
    assert.deepEqual(await names(dir), ["devices.json"]);
  });
});

Deno.test("writeFileAtomic() replaces existing content and leaves no temporary file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/state.bin`;
    await Deno.writeTextFile(path, "old content that is longer than the new one");
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await writeFileAtomic(path, bytes);
    assert.deepEqual(await Deno.readFile(path), bytes);
    assert.deepEqual(await names(dir), ["state.bin"]);
  });
});

Deno.test("writeFileAtomic() applies the requested mode exactly, ignoring the umask", async () => {
  await withTempDir(async (dir) => {
    await writeFileAtomic(`${dir}/secret`, "x", { mode: 0o600 });
    assert.equal((await Deno.stat(`${dir}/secret`)).mode! & 0o777, 0o600);
    await writeFileAtomic(`${dir}/shared`, "x", { mode: 0o664 });
    assert.equal((await Deno.stat(`${dir}/shared`)).mode! & 0o777, 0o664);
  });
});

Deno.test("writeFileAtomic() keeps an existing file's mode when none is given", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/kept`;
    await Deno.writeTextFile(path, "old");
    await Deno.chmod(path, 0o640);
    await writeFileAtomic(path, "new");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o640);
    assert.equal(await Deno.readTextFile(path), "new");
  });
});

Deno.test("writeFileAtomic() writes large data completely", async () => {
  await withTempDir(async (dir) => {
    const big = new Uint8Array(3 * 1024 * 1024 + 7);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    await writeFileAtomic(`${dir}/big`, big);
    assert.deepEqual(await Deno.readFile(`${dir}/big`), big);
  });
});

Deno.test("writeFileAtomic() rejects and removes its temporary file when the rename fails", async () => {
  await withTempDir(async (dir) => {
    // A non-empty directory cannot be replaced by a file: rename(2) fails after the data was written.
    await Deno.mkdir(`${dir}/target`);
    await Deno.writeTextFile(`${dir}/target/keep`, "k");
    await assert.rejects(writeFileAtomic(`${dir}/target`, "data"));
    assert.deepEqual(await names(dir), ["target"]);
    assert.equal(await Deno.readTextFile(`${dir}/target/keep`), "k");
  });
});

Deno.test("writeFileAtomic() rejects when the directory does not exist", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(writeFileAtomic(`${dir}/missing/file`, "data"), Deno.errors.NotFound);
    assert.deepEqual(await names(dir), []);
  });
});

Deno.test({
  name: "writeFileAtomic() keeps the old content and removes the temporary file when the disk is full",
  // Needs root to mount a tiny tmpfs; in CI a failure to mount must fail the test.
  ignore: !IS_ROOT && !CI,
  fn: async () => {
    await withTempDir(async (dir) => {
      const mnt = `${dir}/mnt`;
      await Deno.mkdir(mnt);
      const mount = await new Deno.Command("mount", { args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt] })
        .output();
      assert.equal(mount.code, 0, `mount tmpfs: ${new TextDecoder().decode(mount.stderr)}`);
      try {
        const path = `${mnt}/devices.json`;
        await Deno.writeTextFile(path, "old content");
        await assert.rejects(writeFileAtomic(path, new Uint8Array(1024 * 1024)), (err: Error) => {
          assert.equal((err as { code?: string }).code, "ENOSPC");
          return true;
        });
        assert.equal(await Deno.readTextFile(path), "old content");
        assert.deepEqual(await names(mnt), ["devices.json"]);
      } finally {
        await new Deno.Command("umount", { args: [mnt] }).output();
      }
    });
  },
});

Deno.test("writeFileAtomic() writes pieces in order, each before the next is asked for", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/arp-state.json`;
    await Deno.writeTextFile(path, "old");
    const pieces = ['{"a":[', "1,2", ",3", "]}\n"];
    const writtenBefore: number[] = [];
    // When the next piece is asked for, how much of the temporary file is written (read synchronously: the
    // writer is waiting for this piece).
    const tempSize = () => {
      const tmp = [...Deno.readDirSync(dir)].find((e) => e.name.endsWith(".tmp"));
      return tmp === undefined ? -1 : Deno.statSync(`${dir}/${tmp.name}`).size;
    };
    function* iterable() {
      for (const p of pieces) {
        writtenBefore.push(tempSize());
        yield p;
      }
    }
    await writeFileAtomic(path, iterable());
    assert.equal(await Deno.readTextFile(path), pieces.join(""));
    assert.deepEqual(await names(dir), ["arp-state.json"]);
    // The temporary file held exactly the pieces before each one was asked for.
    const expected = pieces.map((_, i) => new TextEncoder().encode(pieces.slice(0, i).join("")).length);
    assert.deepEqual(writtenBefore, expected);
  });
});

Deno.test("writeFileAtomic() leaves the target as it was when making a piece throws", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/devices.json`;
    await Deno.writeTextFile(path, "the old registry");
    function* pieces() {
      yield '{"devices":[\n';
      throw new Error("a device could not be written");
    }
    await assert.rejects(writeFileAtomic(path, pieces()), /a device could not be written/);
    assert.equal(await Deno.readTextFile(path), "the old registry");
    assert.deepEqual(await names(dir), ["devices.json"]);
  });
});
