import assert from "node:assert/strict";
import { TablePresence } from "./table_presence.ts";

/** Runs `polls` polls; in each, asks for "t" if told to and records `present(poll)`. Returns the polls that asked. */
function run(p: TablePresence, polls: number, present: (poll: number) => boolean): number[] {
  const asked: number[] = [];
  for (let poll = 1; poll <= polls; poll++) {
    p.beginPoll();
    if (!p.shouldAsk("t")) continue;
    asked.push(poll);
    p.record("t", present(poll));
  }
  return asked;
}

Deno.test("TablePresence asks for a present table on every poll", () => {
  assert.deepEqual(run(new TablePresence(10), 5, () => true), [1, 2, 3, 4, 5]);
});

Deno.test("TablePresence skips an absent table and looks again every 10th poll", () => {
  assert.deepEqual(run(new TablePresence(10), 31, () => false), [1, 11, 21, 31]);
});

Deno.test("TablePresence asks on every poll again once a recheck finds the table", () => {
  assert.deepEqual(run(new TablePresence(10), 14, (poll) => poll >= 11), [1, 11, 12, 13, 14]);
});

Deno.test("TablePresence keeps tables apart and lists the absent ones", () => {
  const p = new TablePresence(3);
  p.beginPoll();
  p.record("hrStorageTable", false);
  p.record("ifTable", true);
  p.record("ipNetToPhysicalTable", false);
  assert.deepEqual(p.absent(), ["hrStorageTable", "ipNetToPhysicalTable"]);
  assert.equal(p.knownPresent("ifTable"), true);
  assert.equal(p.knownPresent("hrStorageTable"), false);
  assert.equal(p.knownPresent("never seen"), false);
  p.beginPoll();
  assert.equal(p.shouldAsk("ifTable"), true);
  assert.equal(p.shouldAsk("hrStorageTable"), false);
  assert.equal(p.shouldAsk("never seen"), true);
});

Deno.test("new TablePresence() rejects a recheck interval below 1", () => {
  assert.throws(() => new TablePresence(0), RangeError);
  assert.throws(() => new TablePresence(2.5), RangeError);
});

Deno.test("TablePresence asks for an absent table at every poll begun asking for every table, then keeps its rhythm", () => {
  const p = new TablePresence(10);
  const asked: number[] = [];
  for (let poll = 1; poll <= 12; poll++) {
    p.beginPoll(poll <= 3); // an agent in its first minutes for three polls
    if (!p.shouldAsk("t")) continue;
    asked.push(poll);
    p.record("t", false);
  }
  assert.deepEqual(asked, [1, 2, 3, 11]);
});
