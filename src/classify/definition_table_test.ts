import assert from "node:assert/strict";
import type { ProductDefinition } from "./definition.ts";
import { DefinitionTable } from "./definition_table.ts";

/** A definition with just what the matcher looks at. */
function def(
  id: string,
  match: ProductDefinition["match"],
  extra: Partial<ProductDefinition> = {},
): ProductDefinition {
  return { id, os: "OS", vendor: "V", type: "router", match, examples: [], ...extra };
}

const ACME = "1.3.6.1.4.1.99999";

Deno.test("DefinitionTable: the longer sysObjectID prefix wins, wherever it sits in the table", () => {
  const t = new DefinitionTable([
    def("acme-any", [{ sysObjectId: [ACME] }]),
    def("acme-x1", [{ sysObjectId: [`${ACME}.1.1`] }]),
  ]);
  assert.equal(t.match(`${ACME}.1.1.7`, "").product?.definition.id, "acme-x1");
  assert.equal(t.match(`${ACME}.2`, "").product?.definition.id, "acme-any");
  assert.equal(t.match(`${ACME}0.1`, "").product, null, "prefixes end at an arc");
});

Deno.test("DefinitionTable: sysDescr adds half an arc, so a model named under its vendor beats the vendor", () => {
  const t = new DefinitionTable([
    def("acme-any", [{ sysObjectId: [ACME] }]),
    def("acme-switch", [{ sysObjectId: [ACME], sysDescr: "^Acme SW" }], { type: "switch" }),
  ]);
  assert.equal(t.match(`${ACME}.5`, "Acme SW-24 v1").product?.definition.id, "acme-switch");
  assert.equal(t.match(`${ACME}.5`, "Acme RT-9 v1").product?.definition.id, "acme-any");
});

Deno.test("DefinitionTable: between equally specific definitions the earlier one wins", () => {
  const t = new DefinitionTable([
    def("first", [{ sysDescr: "^Acme" }]),
    def("second", [{ sysDescr: "Acme" }]),
  ]);
  assert.equal(t.match("", "Acme thing").product?.definition.id, "first");
});

Deno.test("DefinitionTable: a generic platform is reported apart and never beats a product", () => {
  const t = new DefinitionTable([
    def("linux", [{ sysObjectId: ["1.3.6.1.4.1.8072.3.2.10"] }], { generic: true, type: "server" }),
    def("acme-nas", [{ sysDescr: String.raw`^Linux acme-nas\b` }], { type: "storage" }),
  ]);
  const both = t.match("1.3.6.1.4.1.8072.3.2.10", "Linux acme-nas 5.10");
  assert.equal(both.product?.definition.id, "acme-nas");
  assert.equal(both.generic?.definition.id, "linux");
  const plain = t.match("1.3.6.1.4.1.8072.3.2.10", "Linux host 5.10");
  assert.equal(plain.product, null);
  assert.equal(plain.generic?.definition.id, "linux");
});

Deno.test("DefinitionTable: every member of a clause must hold, sysDescrNot included", () => {
  const t = new DefinitionTable([
    def("acme-fw", [{ sysObjectId: [ACME], sysDescr: "Firewall", sysDescrNot: "Switch" }]),
  ]);
  assert.equal(t.match(`${ACME}.1`, "Acme Firewall").product?.definition.id, "acme-fw");
  assert.equal(t.match(`${ACME}.1`, "Acme Firewall Switch").product, null);
  assert.equal(t.match("1.3.6.1.4.1.1.1", "Acme Firewall").product, null);
  assert.equal(t.match(`${ACME}.1`, "Acme Router").product, null);
});

Deno.test("DefinitionTable: evidence names the sysObjectID and quotes the sysDescr that matched", () => {
  const t = new DefinitionTable([def("acme", [{ sysObjectId: [ACME], sysDescr: String.raw`Acme \w+` }])]);
  assert.equal(
    t.match(`.${ACME}.3`, "The Acme Wonder-Box").product?.evidence,
    `sysObjectID ${ACME}.3, sysDescr "Acme Wonder"`,
  );
  const long = new DefinitionTable([def("long", [{ sysDescr: ".*" }])]).match("", "x".repeat(300)).product
    ?.evidence;
  assert.equal(long, `sysDescr "${"x".repeat(47)}…"`);
});

Deno.test("DefinitionTable: case does not matter in sysDescr patterns", () => {
  const t = new DefinitionTable([def("sw", [{ sysDescr: String.raw`^SonicWALL\b` }])]);
  assert.equal(t.match("", "SonicWall TZ 370").product?.definition.id, "sw");
});

Deno.test("DefinitionTable leaves out a definition whose pattern does not compile, and says which", () => {
  const t = new DefinitionTable([def("broken", [{ sysDescr: "(" }]), def("fine", [{ sysDescr: "^Acme" }])]);
  assert.equal(t.match("", "Acme").product?.definition.id, "fine");
  assert.equal(t.invalid.length, 1);
  assert.match(t.invalid[0], /^broken: match clause 0: pattern \/\(\/ is not a regular expression/);
  const empty = new DefinitionTable([def("empty", [{}])]);
  assert.match(empty.invalid[0], /^empty: match clause 0 checks neither sysObjectID nor sysDescr/);
});
