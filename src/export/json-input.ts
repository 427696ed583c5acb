/**
 * JSON that spex reads from its users: ITF traces (`spex replay`, `spex explore --trace` and the
 * explorer's page), swarm job results (`spex swarm merge`) and the explorer's requests. Parsed
 * with a bound on its nesting, so that a file of a hundred thousand nested brackets, which
 * JSON.parse takes, is refused here instead of overflowing the stack of whatever walks it
 * next; and described in messages by its first characters, never serialised whole.
 */

/** The deepest nesting of arrays and objects accepted: far more than any trace of a spec holds. */
export const MAX_JSON_NESTING = 1000;

/**
 * The parsed value, or why the text is refused: not JSON, or nested too deep; `why` follows
 * the input's name (`trace.json is not JSON: ...`).
 */
export type JsonInput = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly kind: 'syntax' | 'nesting'; readonly why: string };

export function parseJsonInput(text: string): JsonInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, kind: 'syntax', why: `is not JSON: ${(e as Error).message}` };
  }
  if (nestedDeeperThan(value, MAX_JSON_NESTING)) return { ok: false, kind: 'nesting', why: `has arrays and objects nested more than ${MAX_JSON_NESTING.toLocaleString('en-US')} levels deep` };
  return { ok: true, value };
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
