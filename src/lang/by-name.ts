/**
 * Lookup by name in the lists a spec is made of (its definitions, views, actions, processes,
 * procedures, ...), in constant time. A `find((x) => x.name === name)` at every use made
 * checking and compiling a spec of thousands of declarations quadratic: 8,000 definitions,
 * each shown and called once, took seconds.
 *
 * Each list gets an index on its first lookup. The lists are only ever appended to, so when a
 * list has grown since, the new elements are added to its index, and a list being built can
 * be looked up as it grows. As with find, the first element of a name is the one found.
 */
interface Index<T> {
  readonly first: Map<string, T>;
  /** How many of the list's elements are in `first`. */
  seen: number;
}

const indexes = new WeakMap<readonly { readonly name: string }[], Index<unknown>>();

/** The first element of `list` named `name`, or undefined. */
export function named<T extends { readonly name: string }>(list: readonly T[], name: string): T | undefined {
  let index = indexes.get(list) as Index<T> | undefined;
  if (index === undefined) {
    index = { first: new Map(), seen: 0 };
    indexes.set(list, index);
  }
  if (index.seen > list.length) {
    // Not appended to: shortened or replaced in place. Index it again from the start.
    index.first.clear();
    index.seen = 0;
  }
  for (; index.seen < list.length; index.seen++) {
    const x = list[index.seen]!;
    if (!index.first.has(x.name)) index.first.set(x.name, x);
  }
  return index.first.get(name);
}
