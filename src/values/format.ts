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
