import assert from "node:assert/strict";
import { CredentialTable } from "./credentials.ts";
import type { SnmpCredentials } from "./snmp_types.ts";

const v2 = (community: string): SnmpCredentials => ({ version: "v2c", community });
const v3: SnmpCredentials = {
  version: "v3",
  user: "flint",
  authProtocol: "sha",
  authKey: "auth-key-1",
  privProtocol: "aes",
  privKey: "priv-key-1",
};

const table = new CredentialTable({
  defaultCredentials: v2("public"),
  rules: [
    { cidr: "10.0.0.0/8", credentials: v2("corp") },
    { cidr: "10.1.2.0/24", credentials: v2("lab") },
    { cidr: "10.1.0.0/16", credentials: v3 },
    { cidr: "2001:db8::/32", credentials: v2("six") },
    { cidr: "2001:db8:1::/48", credentials: v2("six-lab") },
  ],
});

Deno.test("CredentialTable.for() picks the longest matching prefix whatever the rule order", () => {
  assert.deepEqual(table.for("10.1.2.3"), v2("lab"));
  assert.deepEqual(table.for("10.1.3.3"), v3);
  assert.deepEqual(table.for("10.200.0.1"), v2("corp"));
});

Deno.test("CredentialTable.for() gives the default outside every rule and for text that is not an address", () => {
  assert.deepEqual(table.for("192.0.2.1"), v2("public"));
  assert.deepEqual(table.for("2001:db9::1"), v2("public"));
  assert.deepEqual(table.for("router.example"), v2("public"));
});

Deno.test("CredentialTable.for() matches IPv6 rules by longest prefix too", () => {
  assert.deepEqual(table.for("2001:db8:1::9"), v2("six-lab"));
  assert.deepEqual(table.for("2001:db8:2::9"), v2("six"));
});

Deno.test("CredentialTable.for() looks an IPv4-mapped IPv6 address up as IPv4", () => {
  assert.deepEqual(table.for("::ffff:10.1.2.3"), v2("lab"));
});

Deno.test("CredentialTable keeps the first of two rules for the same network", () => {
  const t = new CredentialTable({
    defaultCredentials: v2("public"),
    rules: [{ cidr: "192.0.2.0/24", credentials: v2("first") }, {
      cidr: "192.0.2.9/24",
      credentials: v2("second"),
    }],
  });
  assert.deepEqual(t.for("192.0.2.1"), v2("first"));
  assert.equal(t.size, 2);
});

Deno.test("CredentialTable refuses a rule whose network is not valid", () => {
  assert.throws(
    () =>
      new CredentialTable({
        defaultCredentials: v2("public"),
        rules: [{ cidr: "10.0.0.0/40", credentials: v3 }],
      }),
    /10\.0\.0\.0\/40.*not valid/,
  );
});
