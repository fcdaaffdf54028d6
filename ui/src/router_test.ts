import assert from "node:assert/strict";
import { formatHash, parseHash } from "./router.ts";

Deno.test("parseHash() reads path segments and parameters, decoding both", () => {
  assert.deepEqual(parseHash("#/devices/10.0.0.1?status=ok&q=a%20b"), {
    path: ["devices", "10.0.0.1"],
    params: { status: "ok", q: "a b" },
  });
  assert.deepEqual(parseHash(""), { path: [], params: {} });
  assert.deepEqual(parseHash("#/flows/"), { path: ["flows"], params: {} });
  assert.deepEqual(parseHash("#/x/%E0%A4%A"), { path: ["x", "%E0%A4%A"], params: {} });
});

Deno.test("formatHash() is read back by parseHash() and leaves empty parameters out", () => {
  const hash = formatHash(["devices", "fe80::1"], { q: "a&b", empty: "", gone: undefined });
  assert.equal(hash, "#/devices/fe80%3A%3A1?q=a%26b");
  assert.deepEqual(parseHash(hash), { path: ["devices", "fe80::1"], params: { q: "a&b" } });
});
