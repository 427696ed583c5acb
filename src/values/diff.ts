/**
 * What changed between two values, for showing a step of a counterexample trace: only the parts
 * that differ, nested into maps, records and sequences as long as the path stays readable.
 */
import { formatValue, formatValueWithin } from './format.js';
import { compareValues, sortedEntries } from './order.js';
import { IList, IMap, Rec, sameFields, valueEquals, type Value } from './value.js';

export interface Change {
  /** e.g. `lru[C]`, `memcg[C].res`, `q[0]` (sequence indices are 0-based). */
  readonly path: string;
  /** undefined when the map key did not exist before. */
  readonly before: Value | undefined;
  /** undefined when the map key no longer exists after. */
  readonly after: Value | undefined;
}

/**
 * The changes from `before` to `after`, in canonical order (map keys sorted by compareValues,
 * record fields in declared order, sequence indices ascending); [] when they are equal.
 *
 * Recurses into two maps (per key: `path[key]`, a key on one side only gives an absent side),
 * two records of the same type (per field: `path.field`) and two sequences of the same length
 * (per index: `path[i]`, 0-based). Everything else — scalars, atoms, tuples, variants, sets, and
 * sequences whose length changed — is reported whole, since a partial view of those reads worse
 * than the full value.
 */
export function diffValues(path: string, before: Value, after: Value): Change[] {
  const out: Change[] = [];
  diffInto(out, path, before, after);
  return out;
}

function diffInto(out: Change[], path: string, before: Value, after: Value): void {
  if (valueEquals(before, after)) return;
  if (IMap.isMap(before) && IMap.isMap(after)) {
    diffMaps(out, path, before, after);
  } else if (before instanceof Rec && after instanceof Rec && sameFields(before.fields, after.fields)) {
    for (let i = 0; i < before.fields.length; i++) {
      diffInto(out, `${path}.${before.fields[i]}`, before.values[i], after.values[i]);
    }
  } else if (IList.isList(before) && IList.isList(after) && before.size === after.size) {
    for (let i = 0; i < before.size; i++) {
      diffInto(out, `${path}[${i}]`, before.get(i) as Value, after.get(i) as Value);
    }
  } else {
    out.push({ path, before, after });
  }
}

function diffMaps(out: Change[], path: string, before: IMap<Value, Value>, after: IMap<Value, Value>): void {
  const eb = sortedEntries(before);
  const ea = sortedEntries(after);
  // A merge of the two key-sorted entry lists.
  let i = 0;
  let j = 0;
  while (i < eb.length || j < ea.length) {
    const c = i === eb.length ? 1 : j === ea.length ? -1 : compareValues(eb[i][0], ea[j][0]);
    if (c < 0) {
      out.push({ path: keyPath(path, eb[i][0]), before: eb[i][1], after: undefined });
      i++;
    } else if (c > 0) {
      out.push({ path: keyPath(path, ea[j][0]), before: undefined, after: ea[j][1] });
      j++;
    } else {
      diffInto(out, keyPath(path, eb[i][0]), eb[i][1], ea[j][1]);
      i++;
      j++;
    }
  }
}

function keyPath(path: string, key: Value): string {
  return `${path}[${formatValue(key)}]`;
}

const ABSENT = '(absent)';

/** e.g. `lru[C]: {1} → {}`, or `lru[D]: (absent) → {2}` for a new key. */
export function formatChange(c: Change): string {
  return formatChangeWithin(c, Infinity);
}

/** formatChange with each side cut as formatValueWithin cuts it. */
export function formatChangeWithin(c: Change, maxChars: number): string {
  const b = c.before === undefined ? ABSENT : formatValueWithin(c.before, maxChars);
  const a = c.after === undefined ? ABSENT : formatValueWithin(c.after, maxChars);
  return `${c.path}: ${b} → ${a}`;
}
