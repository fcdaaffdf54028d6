import assert from "node:assert/strict";
import { aesCfb128, desCbc } from "./usm_privacy.ts";
import { loadNetSnmp } from "./net_snmp.ts";

await loadNetSnmp(); // the ciphers run on node:crypto, which it loads

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** Encrypts `input` with `openssl enc` (the independent oracle). */
async function openssl(
  cipher: string,
  key: Uint8Array,
  iv: Uint8Array,
  input: Uint8Array,
): Promise<Uint8Array> {
  const args = ["enc", `-${cipher}`, "-K", hex(key), "-iv", hex(iv), "-nopad"];
  if (cipher.startsWith("des-")) args.push("-provider", "legacy", "-provider", "default");
  const child = new Deno.Command("openssl", { args, stdin: "piped", stdout: "piped", stderr: "piped" })
    .spawn();
  const w = child.stdin.getWriter();
  await w.write(input);
  await w.close();
  const out = await child.output();
  if (out.code !== 0) throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return out.stdout;
}

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 255);
}

Deno.test("aesCfb128() encrypts as openssl's aes-128-cfb and aes-256-cfb do, including a short last block", async () => {
  for (const [cipher, keyLen] of [["aes-128-cfb", 16], ["aes-256-cfb", 32]] as const) {
    for (const n of [1, 16, 37, 333]) {
      const key = bytes(keyLen, n);
      const iv = bytes(16, n + 1);
      const plain = bytes(n, n + 2);
      const expected = await openssl(cipher, key, iv, plain);
      const mine = aesCfb128(key, iv, plain, true);
      assert.equal(hex(mine), hex(expected), `${cipher}, ${n} bytes`);
      assert.equal(hex(aesCfb128(key, iv, mine, false)), hex(plain));
    }
  }
});

Deno.test("desCbc() encrypts as openssl's des-cbc does and decrypts back", async () => {
  const key = bytes(8, 3);
  const iv = bytes(8, 4);
  const plain = bytes(48, 5);
  const expected = await openssl("des-cbc", key, iv, plain);
  const mine = desCbc(key, iv, plain, true);
  assert.equal(hex(mine), hex(expected));
  assert.equal(hex(desCbc(key, iv, mine, false)), hex(plain));
  assert.throws(() => desCbc(key, iv, bytes(7, 1), true), /multiple of 8/);
});
