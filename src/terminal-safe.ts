/**
 * Text printed to a terminal must not drive it. Task keys, paths, headers, attempt errors and a
 * target's response excerpt are written by whoever can create tasks or run a target, and a raw
 * ESC (`\x1b]52;c;...\x07` writes the operator's clipboard; `\x1b[2J` clears the screen), a C1
 * control (`\x9b` is CSI on its own in many terminals), DEL or a bidirectional override would reach
 * the operator's terminal through `tasks list`, `tasks show` and the pretty logs.
 *
 * Every such character is shown instead as a visible escape: `\xHH` for C0 (U+0000–U+001F), DEL
 * (U+007F) and C1 (U+0080–U+009F), `\uHHHH` for the bidirectional controls (U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069). Backslashes are left as they are, so ordinary text (Windows
 * paths, regexes) reads unchanged; the escape is for the eye, not a reversible encoding (`--json`
 * is that).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// The same set without the line feed, for text whose lines are its structure.
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// The characters JSON.stringify leaves raw although a terminal may act on them (it escapes C0 itself).
const JSON_RAW_CONTROL = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One field (a table cell, a value): every control character escaped, line breaks and tabs too. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** A block of lines (a rendered table, a YAML document): like terminalSafe, but `\n` is kept. */
export function terminalSafeLines(text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE, escapeOne);
}

/**
 * JSON for a terminal: `JSON.stringify` escapes C0 but leaves DEL, C1 and the bidirectional
 * controls raw. They can occur only inside strings, where `\uHHHH` means the same character, so
 * the document parses to the same value.
 */
export function terminalSafeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    JSON_RAW_CONTROL,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
