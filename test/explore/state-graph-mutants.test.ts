/**
 * The state graph's recorder (src/explore/state-graph.ts) driven by hand, outside a search:
 * the compressed rows it builds (offsets, targets, tags) while its arrays grow, predicate bits
 * over more than one word, the edges tagged elsewhere (the parallel explorer's), its byte
 * count, and the paths it replays, with and without the ordinals of a system with
 * constraints; and its arrays' growth, in place on growable shared buffers.
 */
import { describe, expect, it } from 'vitest';
import { GraphRecorder, grow, sharedArray, type RecordGraph } from '../../src/explore/state-graph.js';
import type { Trace } from '../../src/explore/trace.js';

/** States are numbers; the label of an edge is its tag as a string ('' for none). */
function spec(predicates: ((s: number) => boolean)[] = []): RecordGraph<number, string> {
  return { edgeTag: (label) => (label === '' ? -1 : Number(label)), predicates };
}

const noTrace = (id: number): Trace<number, string> => ({ states: [id], labels: [] });
const noReplay = (): never => {
  throw new Error('not replayed');
};

describe('GraphRecorder', () => {
  it('builds the rows of a graph larger than its first arrays, in emission order', () => {
    const g = new GraphRecorder<number, string>(spec());
    const n = 3000; // past 1,024 offsets and, with 3 edges a state, past 4,096 edges
    for (let s = 0; s < n; s++) {
      g.beginState(s);
      for (let k = 0; k < 3; k++) g.edge((s + k) % n, String((s + k) % 5));
    }
    const graph = g.finish(n, new Int32Array(n).fill(-1), noTrace, noReplay);
    expect(graph.size).toBe(n);
    expect(graph.offsets.length).toBe(n + 1);
    expect(graph.targets.length).toBe(3 * n);
    expect(graph.tags.length).toBe(3 * n);
    let ok = true;
    for (let s = 0; s < n; s++) {
      ok &&= graph.offsets[s] === 3 * s;
      for (let k = 0; k < 3; k++) ok &&= graph.targets[3 * s + k] === (s + k) % n && graph.tags[3 * s + k] === (s + k) % 5;
    }
    expect(ok).toBe(true);
    expect(graph.offsets[n]).toBe(3 * n);
    expect(graph.parents.length).toBe(n);
  });

  it('gives states without edges empty rows, the last one included', () => {
    const g = new GraphRecorder<number, string>(spec());
    g.beginState(0);
    g.beginState(1);
    g.edge(0, '');
    g.beginState(2);
    const graph = g.finish(3, new Int32Array([-1, 0, 1, 99]), noTrace, noReplay);
    expect(Array.from(graph.offsets)).toEqual([0, 0, 1, 1]);
    expect(Array.from(graph.targets)).toEqual([0]);
    expect(Array.from(graph.tags)).toEqual([-1]);
    expect(Array.from(graph.parents)).toEqual([-1, 0, 1]);
  });

  it('refuses states expanded out of order, and a graph with states not expanded', () => {
    const g = new GraphRecorder<number, string>(spec());
    expect(() => g.beginState(1)).toThrow('internal error: states expanded out of order (1 after -1)');
    g.beginState(0);
    expect(() => g.beginState(0)).toThrow('internal error: states expanded out of order (0 after 0)');
    expect(() => g.beginState(2)).toThrow('internal error: states expanded out of order (2 after 0)');
    g.beginState(1);
    expect(() => g.finish(3, new Int32Array(3), noTrace, noReplay)).toThrow('internal error: 1 states were not expanded');
    expect(() => g.finish(1, new Int32Array(1), noTrace, noReplay)).toThrow('internal error: -1 states were not expanded');
  });

  it('finishes a graph whose offsets are exactly full', () => {
    const g = new GraphRecorder<number, string>(spec());
    for (let s = 0; s < 1023; s++) {
      g.beginState(s);
      g.edge(s, '');
    }
    const graph = g.finish(1023, new Int32Array(1023), noTrace, noReplay);
    expect(graph.offsets.length).toBe(1024);
    expect(graph.offsets[1023]).toBe(1023);
    const h = new GraphRecorder<number, string>(spec());
    for (let s = 0; s < 1024; s++) h.beginState(s);
    const full = h.finish(1024, new Int32Array(1024), noTrace, noReplay);
    expect(full.offsets.length).toBe(1025);
    expect(full.offsets[1024]).toBe(0);
  });

  it('keeps the values of many predicates, one bit each, in as many words as they need', () => {
    const k = 70; // three words a state
    const preds = Array.from({ length: k }, (_, i) => (s: number) => (s + i) % 3 === 0 || i === 31 || i === 63);
    const g = new GraphRecorder<number, string>(spec(preds));
    const n = 1500; // past the first bit array (1,024 states)
    for (let s = 0; s < n; s++) {
      g.beginState(s);
      g.predicates(s, s);
    }
    const graph = g.finish(n, new Int32Array(n), noTrace, noReplay);
    let ok = true;
    for (let s = 0; s < n; s++) for (let i = 0; i < k; i++) ok &&= graph.holds(s, i) === preds[i]!(s);
    expect(ok).toBe(true);
    expect(graph.holds(0, 0)).toBe(true);
    expect(graph.holds(1, 0)).toBe(false);
    expect(graph.holds(1, 31)).toBe(true);
    expect(graph.holds(1, 63)).toBe(true);
    expect(graph.holds(1, 32)).toBe(true); // (1 + 32) % 3 === 0
    expect(graph.holds(1, 33)).toBe(false);
  });

  it('takes predicate bits evaluated elsewhere, and edges tagged elsewhere', () => {
    const g = new GraphRecorder<number, string>(spec([() => false, () => false, ...Array.from({ length: 38 }, () => () => false)]));
    const src = new Uint32Array([7, 0xffffffff, 1 << 5, 0x80000000]);
    const n = 1100;
    for (let s = 0; s < n; s++) {
      g.beginState(s);
      g.taggedEdge(n - 1 - s, s % 7);
      g.taggedEdge(s, -1);
      g.taggedEdge(0, 1000 + s);
      g.taggedEdge(1, 2);
      g.predicateBits(s, src, s % 2 === 0 ? 0 : 2);
    }
    expect(g.tagOf('12')).toBe(12);
    expect(g.tagOf('')).toBe(-1);
    const graph = g.finish(n, new Int32Array(n), noTrace, noReplay);
    expect(graph.targets.length).toBe(4 * n);
    expect(Array.from(graph.targets.subarray(4 * 1099, 4 * 1100))).toEqual([0, 1099, 0, 1]);
    expect(Array.from(graph.tags.subarray(4 * 1099, 4 * 1100))).toEqual([1099 % 7, -1, 2099, 2]);
    // Every state's words, those past the first bit array (1,024 states of two words) too.
    let ok = true;
    for (let s = 0; s < n; s++) {
      const [w0, w1] = s % 2 === 0 ? [7, 0xffffffff] : [1 << 5, 0x80000000];
      for (let i = 0; i < 40; i++) ok &&= graph.holds(s, i) === (((i < 32 ? w0 : w1) >>> (i & 31)) & 1) > 0;
    }
    expect(ok).toBe(true);
    // Even states: words 7 and 0xffffffff (predicates 0, 1, 2 and 32..39); odd: 1 << 5 and bit 31 of word 1.
    expect([0, 1, 2, 3, 31, 32, 39].map((i) => graph.holds(1098, i))).toEqual([true, true, true, false, false, true, true]);
    expect([0, 5, 31, 32, 63].map((i) => graph.holds(1099, i))).toEqual([false, true, false, false, true]);
  });

  it('with no predicates keeps no bits, whatever it is handed', () => {
    const g = new GraphRecorder<number, string>(spec());
    g.beginState(0);
    g.predicates(0, 0);
    g.predicateBits(0, new Uint32Array([1]), 0);
    const graph = g.finish(1, new Int32Array(1), noTrace, noReplay);
    expect(graph.bytes).toBe(4 * 1024 + 4 * 4096 + 4 * 4096);
  });

  it('counts the bytes of its arrays as they are, grown', () => {
    const preds = [(s: number) => s > 0];
    const g = new GraphRecorder<number, string>(spec(preds));
    for (let s = 0; s < 2000; s++) {
      g.beginState(s);
      g.predicates(s, s);
      for (let k = 0; k < 3; k++) g.edge(s, '');
    }
    const graph = g.finish(2000, new Int32Array(2000), noTrace, noReplay);
    // offsets 2,048 (2,001 needed), targets and tags 8,192 each (6,000 needed), bits 2,048 words.
    expect(graph.bytes).toBe(4 * 2048 + 4 * 8192 + 4 * 8192 + 4 * 2048);
  });

  it('rebuilds a path: the trace to its start, then each edge replayed by its emission number', () => {
    const g = new GraphRecorder<number, string>(spec());
    // 0 -> 1, 2; 1 -> 2, 0, 1; 2 -> 0.
    const rows = [[1, 2], [2, 0, 1], [0]];
    rows.forEach((row, s) => {
      g.beginState(s);
      for (const t of row) g.edge(t, '');
    });
    const calls: [number, number, number][] = [];
    const graph = g.finish(
      3,
      new Int32Array([-1, 0, 0]),
      (id) => ({ states: id === 0 ? [0] : [0, id], labels: id === 0 ? [] : [`0>${id}`] }),
      (from, ordinal, to) => {
        calls.push([from, ordinal, to]);
        return { state: rows[from]![ordinal]!, label: `${from}>${rows[from]![ordinal]}` };
      },
    );
    expect(graph.path(1, [3, 0, 4])).toEqual({ states: [0, 1, 0, 1, 1], labels: ['0>1', '1>0', '0>1', '1>1'] });
    expect(calls).toEqual([
      [1, 1, 0],
      [0, 0, 1],
      [1, 2, 1],
    ]);
    expect(() => graph.path(1, [5])).toThrow('internal error: edge 5 does not leave state 1');
    expect(() => graph.path(1, [1])).toThrow('internal error: edge 1 does not leave state 1');
    expect(() => graph.path(0, [2])).toThrow('internal error: edge 2 does not leave state 0');
    expect(graph.path(2, [])).toEqual({ states: [0, 2], labels: ['0>2'] });
  });

  it('with constraints, replays each edge by the emission number recorded with it', () => {
    const g = new GraphRecorder<number, string>(spec(), true);
    const n = 1800; // three edges a state: past the first 4,096 ordinals
    for (let s = 0; s < n; s++) {
      g.beginState(s);
      // Emissions 0, 2 and 5 + s are edges; the others went outside the constraints.
      g.edge((s + 1) % n, '', 0);
      g.edge((s + 2) % n, '', 2);
      g.edge(s, '', 5 + s);
    }
    const calls: [number, number, number][] = [];
    const graph = g.finish(
      n,
      new Int32Array(n),
      (id) => ({ states: [id], labels: [] }),
      (from, ordinal, to) => {
        calls.push([from, ordinal, to]);
        return { state: to, label: `#${ordinal}` };
      },
    );
    expect(graph.path(1799, [5399, 5398, 4])).toEqual({ states: [1799, 1799, 1, 3], labels: ['#1804', '#2', '#2'] });
    expect(calls).toEqual([
      [1799, 1804, 1799],
      [1799, 2, 1],
      [1, 2, 3],
    ]);
  });
});

describe("the recorder's arrays", () => {
  type Growable = SharedArrayBuffer & { readonly growable: boolean; readonly maxByteLength: number };

  it('double in place on a growable shared buffer, up to its reservation, keeping their values', () => {
    const a = sharedArray(Int32Array, 1024, 16 * 1024);
    const buffer = a.buffer as Growable;
    expect(buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(buffer.growable).toBe(true);
    expect(buffer.maxByteLength).toBe(16 * 1024);
    for (let i = 0; i < a.length; i++) a[i] = i - 500;
    const b = grow(a, 1025);
    expect(b.buffer).toBe(buffer);
    expect(b.length).toBe(2048);
    const c = grow(b, 3000);
    expect(c.buffer).toBe(buffer);
    expect(c.length).toBe(4096);
    let ok = true;
    for (let i = 0; i < 4096; i++) ok &&= c[i] === (i < 1024 ? i - 500 : 0);
    expect(ok).toBe(true);
  });

  it('move to a new buffer, reserving 8 times their size, past the reservation; and a plain array moves too', () => {
    const a = sharedArray(Uint32Array, 1024, 8 * 1024);
    for (let i = 0; i < a.length; i++) a[i] = 0xffff0000 + i;
    const b = grow(grow(a, 2048), 2049);
    expect(b.buffer).not.toBe(a.buffer);
    expect(b.length).toBe(4096);
    expect((b.buffer as Growable).growable).toBe(true);
    expect((b.buffer as Growable).maxByteLength).toBe(8 * 4 * 4096);
    let ok = true;
    for (let i = 0; i < 4096; i++) ok &&= b[i] === (i < 1024 ? 0xffff0000 + i : 0);
    expect(ok).toBe(true);
    const plain = Int32Array.from([7, 8, 9]);
    const p = grow(plain, 10);
    expect(Array.from(p)).toEqual([7, 8, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(p.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('do not grow a view that is not its whole buffer in place', () => {
    const a = sharedArray(Int32Array, 1024, 64 * 1024);
    a[0] = 42;
    const part = a.subarray(0, 512);
    const b = grow(part, 600);
    expect(b.buffer).not.toBe(a.buffer);
    expect(b.length).toBe(1024);
    expect(b[0]).toBe(42);
    expect(a.length).toBe(1024);
  });
});
