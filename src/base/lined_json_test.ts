import assert from "node:assert/strict";
import { readLined, stringifyLined, stringifyLinedSlices } from "./lined_json.ts";

/** Elements JSON must escape or nest: newlines and quotes in strings, non-ASCII, lists, null. */
const ELEMENTS: unknown[] = [
  { ip: "192.0.2.1", name: "line one\nline two", note: 'a "quoted" \\ word' },
  { ip: "2001:db8::1", name: "Zürich — ☃", list: [1, [2, { three: 3 }]], none: null },
  "a string element",
  42.5,
  null,
  [],
];

/** Every element of `text`'s list through the line reader, then undefined. */
function readAll(text: string): unknown[] {
  const r = readLined(text, "devices");
  assert.ok(r !== null, "the layout is recognised");
  const out: unknown[] = [];
  for (let e = r.next(); e !== undefined; e = r.next()) out.push(e);
  return out;
}

Deno.test("stringifyLined() writes one JSON document, the head's members first and an element a line", () => {
  const head = { schema: 1, saved_at: "2026-01-03T00:00:00.000Z" };
  const text = stringifyLined(head, "devices", ELEMENTS);
  // Any JSON reader takes it whole: the same document JSON.stringify describes.
  assert.deepEqual(JSON.parse(text), { ...head, devices: ELEMENTS });
  const lines = text.split("\n");
  assert.equal(lines[0], '{"schema":1,"saved_at":"2026-01-03T00:00:00.000Z","devices":[');
  assert.deepEqual(
    lines.slice(1, -2),
    ELEMENTS.map((e, i) => JSON.stringify(e) + (i < ELEMENTS.length - 1 ? "," : "")),
  );
  assert.deepEqual(lines.slice(-2), ["]}", ""], "the closing line, then the file's last newline");
  const empty = stringifyLined(head, "devices", []);
  assert.deepEqual(JSON.parse(empty), { ...head, devices: [] });
  // what JSON.stringify writes for the whole, also for elements without a JSON form
  const odd = [undefined, () => 1, { a: undefined }];
  assert.deepEqual(
    JSON.parse(stringifyLined(head, "devices", odd)),
    JSON.parse(JSON.stringify({ ...head, devices: odd })),
  );
  assert.throws(() => stringifyLined({ devices: 1 }, "devices", []), TypeError, "the list must come last");
});

Deno.test("stringifyLinedSlices() gives the same document in slices of at most the elements asked for", () => {
  const head = { schema: 1 };
  for (const perSlice of [1, 2, 4]) {
    for (let n = 0; n <= 9; n++) {
      const elements = Array.from({ length: n }, (_, i) => ({ i, s: `x${i}\n]}` }));
      const slices = [...stringifyLinedSlices(head, "devices", elements, undefined, perSlice)];
      // the document, as the layout writes it: written out here, not by the function under test
      const lines = elements.map((e) => JSON.stringify(e));
      const whole = n === 0
        ? '{"schema":1,"devices":[\n]}\n'
        : `{"schema":1,"devices":[\n${lines.join(",\n")}\n]}\n`;
      assert.equal(slices.join(""), whole, `${n} elements, ${perSlice} a slice`);
      // the opening, a slice per perSlice elements, the closing
      assert.equal(slices.length, 2 + Math.ceil(n / perSlice), `${n} elements, ${perSlice} a slice`);
    }
  }
});

Deno.test("stringifyLinedSlices() ends a slice at the element that reaches its size, whatever the count", () => {
  // 100 characters a line: a slice of 250 characters ends with its third element.
  const elements = Array.from({ length: 7 }, (_, i) => ({ i, pad: "x".repeat(100 - 16) }));
  assert.ok(elements.every((e) => JSON.stringify(e).length === 100));
  const slices = [...stringifyLinedSlices({ schema: 1 }, "devices", elements, undefined, 1000, 250)];
  assert.deepEqual(slices.slice(1, -1).map((t) => t.split("\n").filter((l) => l.startsWith("{")).length), [
    3,
    3,
    1,
  ]);
  assert.deepEqual(JSON.parse(slices.join("")), { schema: 1, devices: elements });
});

Deno.test("stringifyLinedSlices() reads each element only when its slice is asked for", () => {
  const read: number[] = [];
  function* elements() {
    for (let i = 0; i < 6; i++) {
      read.push(i);
      yield { i };
    }
  }
  const slices = stringifyLinedSlices({ schema: 1 }, "devices", elements(), undefined, 2);
  slices.next(); // the opening
  assert.deepEqual(read, []);
  slices.next();
  assert.deepEqual(read, [0, 1]);
  slices.next();
  assert.deepEqual(read, [0, 1, 2, 3]);
});

Deno.test("readLined() gives back each element in order, its head, and counts what is not read", () => {
  const text = stringifyLined({ schema: 1 }, "devices", ELEMENTS);
  assert.deepEqual(readAll(text), ELEMENTS);
  const r = readLined(text, "devices")!;
  assert.deepEqual(r.head, { schema: 1, devices: [] });
  assert.equal(r.rest(), ELEMENTS.length);
  assert.deepEqual(r.next(), ELEMENTS[0]);
  assert.deepEqual(r.next(), ELEMENTS[1]);
  assert.equal(r.rest(), ELEMENTS.length - 2, "counted by their lines, not parsed");
  // no element, and no final newline (a file edited by hand)
  const empty = readLined(stringifyLined({ schema: 1 }, "devices", []).trimEnd(), "devices")!;
  assert.equal(empty.rest(), 0);
  assert.equal(empty.next(), undefined);
  assert.deepEqual(readAll(stringifyLined({ schema: 1 }, "devices", ELEMENTS).trimEnd()), ELEMENTS);
});

Deno.test("readLined() is null for every other layout, which the caller then parses whole", () => {
  const doc = { schema: 1, devices: ELEMENTS };
  const lined = stringifyLined({ schema: 1 }, "devices", ELEMENTS);
  const others: [string, string][] = [
    ["one line (files written before)", JSON.stringify(doc) + "\n"],
    ["pretty-printed", JSON.stringify(doc, null, 2) + "\n"],
    ["Windows line ends", lined.replaceAll("\n", "\r\n")],
    ["another member's list", lined.replace('"devices":[', '"hosts":[')],
    ["the list not closed on a line of its own", lined.replace("\n]}", "]}")],
    ["not JSON at all", "garbage\n]}\n"],
    ["empty", ""],
  ];
  for (const [what, text] of others) assert.equal(readLined(text, "devices"), null, what);
});

Deno.test("LinedReader.next() throws a SyntaxError for a line that breaks the layout, JSON or not", () => {
  const good = stringifyLined({ schema: 1 }, "devices", [{ a: 1 }, { b: 2 }, { c: 3 }]);
  // [what, the text, whether the document is still JSON as a whole (the caller's fallback then reads it)]
  const broken: [string, string, boolean][] = [
    ["a comma missing between two elements", good.replace('{"a":1},', '{"a":1}'), false],
    ["a comma after the last element", good.replace('{"c":3}', '{"c":3},'), false],
    ["a line that is not JSON", good.replace('{"b":2}', '{"b":'), false],
    ["an element spread over two lines", good.replace('{"b":2}', '{"b":\n2}'), true],
    ["an empty line", good.replace('{"b":2},\n', '{"b":2},\n\n'), true],
  ];
  for (const [what, text, stillJson] of broken) {
    // the independent judge of the first kind: JSON.parse of the whole
    let whole: unknown = "not JSON";
    try {
      whole = JSON.parse(text);
    } catch { /* as expected for some */ }
    assert.equal(whole !== "not JSON", stillJson, what);
    const r = readLined(text, "devices");
    assert.ok(r !== null, what);
    assert.throws(
      () => {
        while (r.next() !== undefined) { /* read on */ }
      },
      SyntaxError,
      what,
    );
  }
});

Deno.test("stringifyLined() then readLined() gives back random elements exactly, whatever their strings hold", () => {
  // xorshift32: the same elements every run
  let s = 0x1234567;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  // pieces that look like the layout's own framing, JSON's escapes, and characters some readers split on
  const PIECES = [
    "\n",
    "\r\n",
    "]}",
    ",\n",
    "[",
    '"',
    "\\",
    "\u2028",
    "\u2029",
    "\u0000",
    "é",
    "☃",
    "😀",
    "{}",
    " ",
  ];
  const text = () =>
    Array.from({ length: Math.floor(next() * 8) }, () => PIECES[Math.floor(next() * PIECES.length)]).join("");
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 2 || r < 0.3) return text();
    if (r < 0.45) return Math.floor(next() * 1e9) / 7;
    if (r < 0.55) return null;
    if (r < 0.7) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(next() * 4) }, () => [text(), value(depth + 1)]),
    );
  };
  for (let round = 0; round < 50; round++) {
    const elements = Array.from({ length: Math.floor(next() * 20) }, () => value(0));
    const head = { schema: 1, [text() || "k"]: text() };
    const written = stringifyLined(head, "devices", elements);
    assert.deepEqual(JSON.parse(written).devices, elements, `round ${round}: JSON.parse of the whole`);
    assert.deepEqual(readAll(written), elements, `round ${round}: a line at a time`);
  }
});
