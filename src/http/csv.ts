/**
 * CSV as RFC 4180 writes it (https://www.rfc-editor.org/rfc/rfc4180): CRLF after every record, a field
 * quoted when it holds a comma, a double quote, CR or LF, quotes inside doubled. A header row comes first.
 *
 * Spreadsheets run a cell that starts with = + - @ (or a tab or CR) as a formula, so a string field
 * starting with one of them gets a leading single quote (OWASP "CSV Injection"). Numbers are never
 * touched: -5 stays a number a spreadsheet can add up.
 */

/** What a CSV field can hold; null and undefined become empty fields. */
export type CsvValue = string | number | boolean | null | undefined;

/** The media type of what toCsv() writes (RFC 4180 §3, with its header parameter). */
export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8; header=present";

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, neutralised and quoted as needed. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record: fields joined by commas, ended by CRLF. */
export function csvRow(fields: readonly CsvValue[]): string {
  let line = "";
  for (let i = 0; i < fields.length; i++) line += (i === 0 ? "" : ",") + csvField(fields[i]);
  return line + "\r\n";
}

/** The names {@link flattenRecord} gives the members of `T`: a nested object's members as `outer_inner`. */
export type FlatKeys<T> = {
  // arrays are one column (their items joined by spaces, as flattenRecord writes them)
  [K in keyof T & string]: NonNullable<T[K]> extends readonly unknown[] ? K
    : NonNullable<T[K]> extends object ? `${K}_${keyof NonNullable<T[K]> & string}`
    : K;
}[keyof T & string];

/**
 * An object with nested objects made flat: `{ ewma: { mean_bytes: 1 } }` → `{ ewma_mean_bytes: 1 }`,
 * so a JSON shape and its CSV columns keep the same names.
 */
export function flattenRecord(obj: Record<string, unknown>, prefix = ""): Record<string, CsvValue> {
  const out: Record<string, CsvValue> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      Object.assign(out, flattenRecord(v as Record<string, unknown>, `${prefix}${k}_`));
    } else {
      // a list is one cell, its items joined by spaces (an object item as its JSON)
      out[`${prefix}${k}`] = Array.isArray(v)
        ? v.map((x) => (x !== null && typeof x === "object" ? JSON.stringify(x) : x)).join(" ")
        : v as CsvValue;
    }
  }
  return out;
}

/** A header row of `columns` and one row per record (missing members are empty fields). */
export function toCsv<T extends object>(
  columns: readonly (keyof T & string)[],
  records: Iterable<T>,
): string {
  let out = csvRow(columns);
  for (const r of records) out += csvRow(columns.map((c) => r[c] as CsvValue));
  return out;
}
