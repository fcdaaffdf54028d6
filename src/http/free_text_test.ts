import assert from "node:assert/strict";
import { BadParameter } from "./errors.ts";
import { checkFreeText } from "./free_text.ts";

Deno.test("checkFreeText() accepts text with tab and newline, and every printable character", () => {
  const text = "printer\tin room 2\nreplaced — ✓ ünïcode 🖨️ \u00a0 \u00ff";
  assert.equal(checkFreeText("note", text), text);
});

Deno.test("checkFreeText() refuses NUL, CR, ESC, DEL and C1 controls, naming the field, the character and where", () => {
  for (
    const [text, code, at] of [
      ["a\u0000b", "0000", 2],
      ["line\r\n", "000D", 5],
      ["\u001b[2Jcleared", "001B", 1],
      ["x\u007f", "007F", 2],
      ["🖨️\u0085", "0085", 3],
    ] as const
  ) {
    try {
      checkFreeText("reason", text);
      assert.fail(`${JSON.stringify(text)} was accepted`);
    } catch (err) {
      assert.ok(err instanceof BadParameter);
      assert.equal(err.parameter, "reason");
      assert.equal(
        err.message,
        `reason contains the control character U+${code} at position ${at}: expected text, where tab and ` +
          "newline are the only control characters accepted",
      );
    }
  }
});
