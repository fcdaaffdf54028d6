/**
 * Free text a person types into the API (an acknowledgement note, a mute reason, a search): printable
 * text, tab and newline. Other control characters are refused with a 400 naming the field, the same way
 * everywhere: they show nothing to a reader, they can rewrite a terminal that prints them (escape
 * sequences in a log or a mail), and SQLite text with a NUL in it is cut there by some readers.
 */
import { BadParameter } from "./errors.ts";

/** C0 controls but tab (U+0009) and newline (U+000A), DEL, and the C1 controls. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * `value` when it holds no control character other than tab and newline.
 * @throws BadParameter naming `name`, the character (as U+XXXX) and where it is
 */
export function checkFreeText(name: string, value: string): string {
  const m = CONTROL.exec(value);
  if (m === null) return value;
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  throw new BadParameter(
    name,
    `${name} contains the control character U+${code} at position ${
      [...value.slice(0, m.index)].length + 1
    }: ` +
      "expected text, where tab and newline are the only control characters accepted",
  );
}
