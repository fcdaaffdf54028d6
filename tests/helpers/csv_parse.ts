/** Reading CSV back in tests, to check what the API wrote. */
import assert from "node:assert/strict";

/** A small RFC 4180 reader, written from the RFC's grammar, independent of the writer. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') field += text[i++];
      else quoted = false;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
  }
  assert.equal(quoted, false, "unterminated quoted field");
  assert.ok(row.length === 0 && field === "", "the last record must end with CRLF");
  return rows;
}
