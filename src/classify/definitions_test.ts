import assert from "node:assert/strict";
import { allDefinitions, DEFINITION_FAMILIES } from "./definitions/all.ts";
import { compileDefinition, DefinitionTable } from "./definition_table.ts";
import { DEVICE_TYPES } from "../events/mod.ts";

const ALL_DEFINITIONS = allDefinitions();
const table = new DefinitionTable(ALL_DEFINITIONS);

Deno.test("the definition table holds at least 150 definitions in families of their own", () => {
  assert.ok(ALL_DEFINITIONS.length >= 150, `${ALL_DEFINITIONS.length} definitions`);
  for (const [family, defs] of Object.entries(DEFINITION_FAMILIES)) {
    assert.ok(defs.length > 0, `family ${family} is empty`);
  }
});

Deno.test("every definition compiles, has a unique id, a valid type, an os and at least one example", () => {
  const seen = new Set<string>();
  for (const d of ALL_DEFINITIONS) {
    assert.match(d.id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/, `id "${d.id}" is lower-case words joined by "-"`);
    assert.ok(!seen.has(d.id), `id ${d.id} is used twice`);
    seen.add(d.id);
    assert.ok(DEVICE_TYPES.includes(d.type) && (d.type as string) !== "unknown", `${d.id}: type ${d.type}`);
    assert.ok(d.os.trim() !== "", `${d.id}: os`);
    assert.ok(d.vendor === null || d.vendor.trim() !== "", `${d.id}: vendor`);
    assert.ok(d.match.length > 0, `${d.id}: no match clause`);
    assert.ok(d.examples.length > 0, `${d.id}: no example`);
    compileDefinition(d); // throws on a pattern that is not a regular expression or an empty clause
    for (const m of d.match) {
      for (const oid of m.sysObjectId ?? []) {
        assert.match(oid, /^1\.3\.6\.1(?:\.\d+)+$/, `${d.id}: sysObjectID prefix "${oid}"`);
      }
    }
  }
  assert.deepEqual(table.invalid, []);
});

Deno.test("every definition wins for each of its examples and reads the model and version they show", () => {
  const failures: string[] = [];
  for (const d of ALL_DEFINITIONS) {
    for (const e of d.examples) {
      const m = table.match(e.sysObjectId, e.sysDescr);
      const won = d.generic ? (m.product === null ? m.generic : m.product) : m.product;
      const what = `${d.id} on ${JSON.stringify(e.sysObjectId)} ${JSON.stringify(e.sysDescr.slice(0, 60))}`;
      if (won?.definition.id !== d.id) {
        failures.push(`${what}: won by ${won?.definition.id ?? "nothing"}`);
        continue;
      }
      if (won.model !== e.model) {
        failures.push(`${what}: model ${JSON.stringify(won.model)}, want ${JSON.stringify(e.model)}`);
      }
      if (won.version !== e.version) {
        failures.push(`${what}: version ${JSON.stringify(won.version)}, want ${JSON.stringify(e.version)}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});
