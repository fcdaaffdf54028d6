import assert from "node:assert/strict";
import { csvField, csvRow, flattenRecord, toCsv } from "./csv.ts";
import { parseCsv } from "../../tests/helpers/csv_parse.ts";

Deno.test("csvField() quotes a field holding a comma, a quote, CR or LF and doubles inner quotes", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField("cr\rhere"), '"cr\rhere"');
  assert.equal(csvField(""), "");
  assert.equal(csvField(null), "");
  assert.equal(csvField(undefined), "");
  assert.equal(csvField(true), "true");
  assert.equal(csvField("2001:db8::1"), "2001:db8::1");
});

Deno.test("csvField() neutralises formulas in strings and leaves numbers alone", () => {
  assert.equal(csvField("=1+2"), "'=1+2");
  assert.equal(csvField("+1"), "'+1");
  assert.equal(csvField("-1"), "'-1", "a string that looks like a number is still a string");
  assert.equal(csvField("@SUM(A1)"), "'@SUM(A1)");
  assert.equal(csvField("\tx"), "'\tx");
  assert.equal(csvField("\rx"), `"'\rx"`);
  assert.equal(csvField('=HYPERLINK("http://x","a,b")'), `"'=HYPERLINK(""http://x"",""a,b"")"`);
  assert.equal(csvField("a=b"), "a=b", "only the first character matters");
  assert.equal(csvField(-1.5), "-1.5");
  assert.equal(csvField(-0), "0");
  assert.equal(csvField(1e21), "1e+21");
});

Deno.test("toCsv() writes a header and CRLF-terminated records that parse back field for field", () => {
  const records = [
    { name: "a,b", note: 'q"uote', n: 1 },
    { name: "multi\r\nline", note: "", n: -2.5 },
    { name: "=danger", n: 0 },
  ];
  const text = toCsv(["name", "note", "n"], records);
  assert.ok(text.endsWith("\r\n"));
  assert.deepEqual(parseCsv(text), [
    ["name", "note", "n"],
    ["a,b", 'q"uote', "1"],
    ["multi\r\nline", "", "-2.5"],
    ["'=danger", "", "0"],
  ]);
  assert.equal(toCsv(["only"], []), "only\r\n");
  assert.equal(csvRow(["x", 1, null]), "x,1,\r\n");
});

Deno.test("flattenRecord() joins nested names with _ in order and keeps scalars", () => {
  assert.deepEqual(
    flattenRecord({ a: 1, ewma: { mean_bytes: 2, mature: true }, b: "x", n: null }),
    { a: 1, ewma_mean_bytes: 2, ewma_mature: true, b: "x", n: null },
  );
  assert.deepEqual(Object.keys(flattenRecord({ z: 1, o: { y: 2, x: 3 }, a: 4 })), ["z", "o_y", "o_x", "a"]);
});
