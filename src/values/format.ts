/**
 * Canonical text of values, as shown in traces and diffs. Sets and maps print in compareValues
 * order, so equal values always print the same whatever their history.
 */
import { sortedElements, sortedEntries } from './order.js';
import { Atom, IList, IMap, ISet, Rec, Tuple, Variant, type Value } from './value.js';

export function formatValue(v: Value): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Atom) return v.name;
  if (v instanceof Tuple) return `(${v.items.map(formatValue).join(', ')})`;
  if (v instanceof Rec) {
    // `{ }` rather than `{}` for a field-less record keeps it apart from the empty set.
    if (v.fields.length === 0) return '{ }';
    return `{ ${v.fields.map((f, i) => `${f}: ${formatValue(v.values[i])}`).join(', ')} }`;
  }
  if (v instanceof Variant) {
    return v.value === undefined ? v.tag : `${v.tag}(${formatValue(v.value)})`;
  }
  if (ISet.isSet(v)) return `{${sortedElements(v).map(formatValue).join(', ')}}`;
  if (IMap.isMap(v)) {
    if (v.size === 0) return '{->}';
    return `{${sortedEntries(v)
      .map(([k, x]) => `${formatValue(k)} -> ${formatValue(x)}`)
      .join(', ')}}`;
  }
  if (IList.isList(v)) return `[${v.map(formatValue).join(', ')}]`;
  throw new Error(`internal error: not a spec value: ${String(v)}`);
}

/**
 * formatValue, cut once about `maxChars` characters are written: the rest of each set, map,
 * sequence, tuple or record still open is left out and counted, `{0, 1, 2, … 997 more}`. A
 * value whose whole text fits prints exactly as formatValue prints it, and so does one whose
 * whole text is no longer than the cut one would be (a small value of many short
 * collections: `([{R}, {R, … 1 more}, … 1 more], … 1 more)` says less than `([{R}, {R, P},
 * {}], R)`, in more characters). For the terminal's traces, where a map of 27,000 entries on
 * one line reads as nothing; the exports keep every value whole.
 */
export function formatValueWithin(v: Value, maxChars: number): string {
  if (maxChars === Infinity) return formatValue(v);
  const budget: Budget = { left: maxChars, cut: false };
  const text = within(v, budget);
  if (!budget.cut) return text;
  // The whole text, written only as far as the cut text's length (so a huge value costs no
  // more than its cut text again): taken if it ends there.
  const again: Budget = { left: text.length, cut: false };
  const whole = within(v, again);
  return !again.cut && whole.length <= text.length ? whole : text;
}

/** What is left of the characters to write, and whether a collection was cut. */
interface Budget {
  left: number;
  cut: boolean;
}

/**
 * The budget is charged every character written (a collection's brackets when it opens), so
 * it runs out only once the text has passed `maxChars`: a value whose whole text fits is
 * never cut.
 */
function within(v: Value, budget: Budget): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Atom) {
    const s = formatValue(v);
    budget.left -= s.length;
    return s;
  }
  if (v instanceof Tuple) return `(${items(v.items.length, 2, (i) => within(v.items[i]!, budget), budget)})`;
  if (v instanceof Rec) {
    if (v.fields.length === 0) return '{ }';
    return `{ ${items(v.fields.length, 4, (i) => field(v.fields[i]!, v.values[i]!, budget), budget)} }`;
  }
  if (v instanceof Variant) {
    if (v.value === undefined) {
      budget.left -= v.tag.length;
      return v.tag;
    }
    budget.left -= v.tag.length + 2;
    return `${v.tag}(${within(v.value, budget)})`;
  }
  if (ISet.isSet(v)) {
    const e = sortedElements(v);
    return `{${items(e.length, 2, (i) => within(e[i]!, budget), budget)}}`;
  }
  if (IMap.isMap(v)) {
    if (v.size === 0) return '{->}';
    const e = sortedEntries(v);
    return `{${items(e.length, 2, (i) => entry(e[i]![0], e[i]![1], budget), budget)}}`;
  }
  if (IList.isList(v)) return `[${items(v.size, 2, (i) => within(v.get(i) as Value, budget), budget)}]`;
  throw new Error(`internal error: not a spec value: ${String(v)}`);
}

function field(name: string, v: Value, budget: Budget): string {
  budget.left -= name.length + 2;
  return `${name}: ${within(v, budget)}`;
}

function entry(k: Value, v: Value, budget: Budget): string {
  const key = within(k, budget);
  budget.left -= 4;
  return `${key} -> ${within(v, budget)}`;
}

/**
 * n items joined by ", " inside brackets of `brackets` characters, as long as the budget
 * lasts; then how many are left out.
 */
function items(n: number, brackets: number, item: (i: number) => string, budget: Budget): string {
  budget.left -= brackets;
  const parts: string[] = [];
  let i = 0;
  for (; i < n && budget.left > 0; i++) {
    if (i > 0) budget.left -= 2;
    parts.push(item(i));
  }
  if (i < n) {
    parts.push(`… ${groupDigits(n - i)} more`);
    budget.cut = true;
  }
  return parts.join(', ');
}

/**
 * A number with its thousands separated by commas, whatever the locale: 1234567 → 1,234,567;
 * with `fractionDigits`, at most that many digits after the point (2.25 → 2.3 with 1; 2.0 →
 * 2); ∞ for Infinity, as toLocaleString writes it. Not toLocaleString: its first call loads
 * the ICU locale data, some 20 ms of a small check's start-up.
 */
export function groupDigits(n: number, fractionDigits = 0): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '∞' : '-∞';
  const fixed = n.toFixed(fractionDigits);
  // From 1e21 on, toFixed writes an exponent: the shortest digits, then zeros, as toLocaleString.
  const e = /^(-?)(\d)(?:\.(\d+))?e\+(\d+)$/.exec(fixed);
  const [int, frac] = (e === null ? fixed : `${e[1]}${(e[2]! + (e[3] ?? '')).padEnd(Number(e[4]) + 1, '0')}`).split('.') as [string, string | undefined];
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const kept = frac?.replace(/0+$/, '') ?? '';
  return kept === '' ? grouped : `${grouped}.${kept}`;
}
