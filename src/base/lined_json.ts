/**
 * A large state file as one JSON document whose list has an element a line:
 *
 *     {"schema":1,"saved_at":"…","devices":[
 *     {"ip":"10.0.0.1",…},
 *     {"ip":"10.0.0.2",…}
 *     ]}
 *
 * Any JSON reader takes it whole; Flintnet reads it an element at a time instead (LinedReader): each line is
 * parsed alone, so its objects are young garbage once the caller has copied what it keeps, rather than a tree
 * of the whole file that lives until the last element is checked, and the elements after the ones wanted are
 * not parsed at all. A registry of 100 k devices (31 MB): peak RSS 256 → 179 MB, parsing and checking the
 * 65,536 devices the registry keeps 570 → 370 ms; of a file of exactly 65,536, 430–500 → 350–375 ms.
 */

/**
 * The document: the members of `head` (in their order), then `member` holding `elements`, one a line — the
 * value JSON.stringify gives for `{ ...head, [member]: elements }`.
 * @throws TypeError when `head` has a member of that name: the list must come last
 */
export function stringifyLined(
  head: Record<string, unknown>,
  member: string,
  elements: Iterable<unknown>,
): string {
  return [...stringifyLinedSlices(head, member, elements)].join("");
}

/** Elements a slice of {@link stringifyLinedSlices} holds at most by default. */
const SLICE_ELEMENTS = 1024;
/**
 * Characters after which a slice ends, whatever its count: elements differ in size (a switch's forwarding
 * table makes a line of up to about 250 KB).
 */
const SLICE_CHARS = 1 << 20;

/**
 * The text of {@link stringifyLined} (of `toJson(element)` for each, when given) in slices of up to
 * `perSlice` elements or about `sliceChars` characters (a slice ends with the element that reaches it), each
 * made when it is asked for (writeFileAtomic asks for the next once the last is written): the thread is not
 * held while every element is turned into text at once, nor is the whole text in memory.
 * @throws TypeError when `head` has a member of that name: the list must come last
 */
export function* stringifyLinedSlices<T>(
  head: Record<string, unknown>,
  member: string,
  elements: Iterable<T>,
  toJson?: (element: T) => unknown,
  perSlice = SLICE_ELEMENTS,
  sliceChars = SLICE_CHARS,
): Generator<string> {
  if (Object.hasOwn(head, member)) {
    throw new TypeError(`"${member}" is the list, not one of the head's members`);
  }
  const whole = JSON.stringify({ ...head, [member]: [] }); // …,"member":[]}
  yield `${whole.slice(0, -2)}\n`; // …,"member":[
  let any = false;
  for (const slice of jsonListSlices(elements, ",\n", toJson, perSlice, sliceChars)) {
    any = true;
    yield slice;
  }
  yield any ? "\n]}\n" : "]}\n";
}

/**
 * The JSON text of each item (of `toJson(item)` when given), joined by `separator`, in slices of up to
 * `perSlice` items or about `sliceChars` characters, without the brackets: the inside of a JSON array, made a
 * slice at a time as it is asked for.
 */
export function* jsonListSlices<T>(
  items: Iterable<T>,
  separator: string,
  toJson?: (item: T) => unknown,
  perSlice = SLICE_ELEMENTS,
  sliceChars = SLICE_CHARS,
): Generator<string> {
  let lines: string[] = [], chars = 0, any = false;
  for (const item of items) {
    // as in an array JSON.stringify writes, what has no JSON form (undefined, a function) is null
    const line = JSON.stringify(toJson === undefined ? item : toJson(item)) ?? "null";
    lines.push(line);
    chars += line.length;
    if (lines.length < perSlice && chars < sliceChars) continue;
    yield `${any ? separator : ""}${lines.join(separator)}`;
    lines = [];
    chars = 0;
    any = true;
  }
  if (lines.length > 0) yield `${any ? separator : ""}${lines.join(separator)}`;
}

/** A document's list, an element at a time: a {@link LinedReader}, or a parsed list ({@link elementsOf}). */
export interface Elements {
  /** The next element, or undefined after the last (JSON has no undefined). */
  next(): unknown;
  /** How many elements are left. */
  rest(): number;
}

/** The elements of a list already parsed, read as a {@link LinedReader}'s are. */
export function elementsOf(list: readonly unknown[]): Elements {
  let i = 0;
  return { next: () => i < list.length ? list[i++] : undefined, rest: () => list.length - i };
}

/**
 * The elements of a document in the layout {@link stringifyLined} writes, parsed one at a time. Found by
 * {@link readLined}; a line that is not one JSON value followed by a comma (none after the last) makes
 * {@link LinedReader.next} throw a SyntaxError, and the caller reads the document whole instead, which
 * says where it is broken.
 */
export class LinedReader implements Elements {
  /** The members before the list, and the list itself as `[]`. */
  readonly head: Record<string, unknown>;
  readonly #text: string;
  /** Where the next element's line starts. */
  #pos: number;
  /** The newline that ends the last element's line (the one before `]}`); #pos > it: no more. */
  readonly #last: number;

  constructor(head: Record<string, unknown>, text: string, from: number, last: number) {
    this.head = head;
    this.#text = text;
    this.#pos = from;
    this.#last = last;
  }

  /**
   * The next element, or undefined after the last (JSON has no undefined).
   * @throws SyntaxError when its line is not one JSON value with the comma the layout puts after it
   */
  next(): unknown {
    const text = this.#text, pos = this.#pos;
    if (pos > this.#last) return undefined;
    const nl = text.indexOf("\n", pos); // at most #last, which is a newline
    const isLast = nl === this.#last, comma = text.charCodeAt(nl - 1) === 0x2c;
    if (comma === isLast) {
      throw new SyntaxError(
        `line at offset ${pos}: a comma ${isLast ? "after" : "missing after"} the element`,
      );
    }
    this.#pos = nl + 1;
    return JSON.parse(isLast ? text.slice(pos, nl) : text.slice(pos, nl - 1));
  }

  /** How many elements are left, counted by their lines, not parsed. */
  rest(): number {
    const text = this.#text;
    let n = 0;
    for (let at = this.#pos; at <= this.#last; at = text.indexOf("\n", at) + 1) n++;
    return n;
  }
}

/**
 * A reader of `text`'s elements of `member` when the text is in the layout {@link stringifyLined} writes
 * (the head line parses with `member` as the empty list, and the text ends in `]}` on a line of its own);
 * null when it is not, and the caller parses it whole.
 */
export function readLined(text: string, member: string): LinedReader | null {
  const headEnd = text.indexOf("\n");
  if (headEnd < 1 || text.charCodeAt(headEnd - 1) !== 0x5b) return null; // the head line ends with "["
  let end = text.length;
  if (text.charCodeAt(end - 1) === 0x0a) end--;
  if (!text.startsWith("\n]}", end - 3) || end - 3 < headEnd) return null;
  let head: unknown;
  try {
    head = JSON.parse(`${text.slice(0, headEnd)}]}`);
  } catch {
    return null;
  }
  if (typeof head !== "object" || head === null || Array.isArray(head)) return null;
  const list = (head as Record<string, unknown>)[member];
  if (!Array.isArray(list) || list.length !== 0) return null;
  // No element at all: the head line's newline is the one before "]}"; the reader starts past it.
  return new LinedReader(head as Record<string, unknown>, text, headEnd + 1, end - 3);
}
