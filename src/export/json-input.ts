/**
 * JSON that spex reads from its users: ITF traces (`spex replay`, `spex explore --trace` and the
 * explorer's page), swarm job results (`spex swarm merge`) and the explorer's requests. Parsed
 * with a bound on its nesting, so that a file of a hundred thousand nested brackets, which
 * JSON.parse takes, is refused here instead of overflowing the stack of whatever walks it
 * next; and described in messages by its first characters, never serialised whole.
 */
import { lineCol } from '../lang/diagnostics.js';
import { groupDigits } from '../values/format.js';

/** The deepest nesting of arrays and objects accepted: far more than any trace of a spec holds. */
export const MAX_JSON_NESTING = 1000;

/**
 * The parsed value, or why the text is refused: not JSON, nested too deep, or holding a number
 * that is not an integer but reads as one (roundedToInteger); `why` follows
 * the input's name (`trace.json is not JSON: ...`).
 */
export type JsonInput = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly kind: 'syntax' | 'nesting' | 'number'; readonly why: string };

export function parseJsonInput(text: string): JsonInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, kind: 'syntax', why: `is not JSON: ${(e as Error).message}` };
  }
  if (nestedDeeperThan(value, MAX_JSON_NESTING)) return { ok: false, kind: 'nesting', why: `has arrays and objects nested more than ${groupDigits(MAX_JSON_NESTING)} levels deep` };
  const rounded = roundedToInteger(text);
  if (rounded !== undefined) {
    const { line, col: column } = lineCol({ path: '', text }, rounded.at);
    const token = rounded.token.length > DESCRIBED ? rounded.token.slice(0, DESCRIBED - 3) + '...' : rounded.token;
    return { ok: false, kind: 'number', why: `has the number ${token} (line ${line}, column ${column}), which is not an integer but reads as the integer ${Number(rounded.token)} in JSON's double precision: write an integer as one` };
  }
  return { ok: true, value };
}

/** A JSON number: sign, integer part, fraction, exponent. */
const NUMBER = /-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?/y;

/**
 * The first number of a JSON text whose decimal value is not an integer but which a double
 * rounds to one: `1e-400` reads as 0 and `2.0000000000000001` as 2, so that an integer field
 * (an ITF trace's `Int`) would take them silently. Numbers that stay fractions (`0.5`, seconds
 * in a job result) are left to whoever reads them. Strings are skipped; the text is valid JSON.
 */
export function roundedToInteger(text: string): { readonly token: string; readonly at: number } | undefined {
  // Only a fraction or an exponent can round: most texts have neither, and are not scanned.
  if (!/\d[.eE]/.test(text)) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text)!;
      const token = m[0];
      if ((m[2] !== undefined || m[3] !== undefined) && Number.isInteger(Number(token)) && !isIntegerDecimal(m[1]!, m[2] ?? '', m[3] ?? '0')) return { token, at: i };
      i += token.length - 1;
    }
  }
  return undefined;
}

/** Whether the decimal `int.frac × 10^exp` is an integer (zero included). */
function isIntegerDecimal(int: string, frac: string, exp: string): boolean {
  const digits = (int + frac).replace(/^0+/, '');
  const trimmed = digits.replace(/0+$/, '');
  if (trimmed === '') return true;
  // The value is trimmed × 10^scale: an integer when the scale is not negative.
  const scale = Number(exp) - frac.length + (digits.length - trimmed.length);
  return scale >= 0;
}

/** Whether a parsed JSON value nests arrays and objects more than `max` levels deep (without recursing). */
export function nestedDeeperThan(v: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (depth > max) return true;
    for (const y of Array.isArray(x) ? x : Object.values(x as object)) stack.push([y, depth + 1]);
  }
  return false;
}

/** The most characters of an input value quoted in a message. */
const DESCRIBED = 60;

/**
 * The start of a JSON value as text, for a message: at most DESCRIBED characters, written
 * without serialising the whole value (which may be huge). A number JSON cannot hold (1e400
 * parses as Infinity) is written as such.
 */
export function describeJson(v: unknown): string {
  let out = '';
  const write = (x: unknown): void => {
    if (out.length > DESCRIBED) return;
    if (typeof x === 'number' && !Number.isFinite(x)) out += String(x);
    else if (Array.isArray(x)) {
      out += '[';
      x.forEach((y, i) => {
        if (out.length > DESCRIBED) return;
        if (i > 0) out += ',';
        write(y);
      });
      out += ']';
    } else if (x !== null && typeof x === 'object') {
      out += '{';
      Object.keys(x).forEach((k, i) => {
        if (out.length > DESCRIBED) return;
        out += `${i > 0 ? ',' : ''}${JSON.stringify(k)}:`;
        write((x as Record<string, unknown>)[k]);
      });
      out += '}';
    } else out += JSON.stringify(x) ?? String(x);
  };
  write(v);
  return out.length > DESCRIBED ? out.slice(0, DESCRIBED - 3) + '...' : out;
}
