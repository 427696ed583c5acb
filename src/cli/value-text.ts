/**
 * How the terminal shows the values of a trace: whole up to VALUE_CHARS characters, then cut
 * with a count of what is left out (`{0 -> 1, 1 -> 1, … 26,990 more}`); `--full-values` shows
 * them whole. The exports (ITF, TLC's JSON, --json events) always carry them whole.
 */
import { formatChangeWithin, formatValueWithin, type Change, type Value } from '../values/index.js';

export const VALUE_CHARS = 1000;

/** The help of `--full-values`, on every command that prints a trace. */
export const FULL_VALUES_HELP = `print every value of a trace whole (in the terminal, values longer than ${VALUE_CHARS} characters are cut, with a count of what is left out; the exports have them whole)`;

let limit = VALUE_CHARS;

/** `--full-values` (true): every value whole, however long; set by every command. */
export function showWholeValues(whole: boolean): void {
  limit = whole ? Infinity : VALUE_CHARS;
}

/** A value as a trace in the terminal shows it. */
export function showValue(v: Value): string {
  return formatValueWithin(v, limit);
}

/** A change of a step as a trace in the terminal shows it. */
export function showChange(c: Change): string {
  return formatChangeWithin(c, limit);
}
