/**
 * Traces from the compact records (src/explore/trace.ts), outside a search: the ReplayIndex at
 * the edges of its encodings (the ordinal byte's marker, the three-byte distance's marker, the
 * chunk boundary, its byte count), and rebuildTrace on records made by hand: which state each
 * step picks, how a replay that does not match the records is reported, and the extra step
 * `via`.
 */
import { describe, expect, it } from 'vitest';
import { CompactFingerprintSet } from '../../src/explore/compact-set.js';
import { FingerprintSet } from '../../src/explore/fingerprint-set.js';
import type { SeenSet } from '../../src/explore/seen-set.js';
import { ModelError, type TransitionSystem } from '../../src/explore/system.js';
import { ReplayIndex, rebuildTrace } from '../../src/explore/trace.js';
import { intFingerprint } from './graph-model.js';

describe('ReplayIndex at the edges of its encodings', () => {
  it('records states in number order only, each after its parent', () => {
    const r = new ReplayIndex();
    expect(r.size).toBe(0);
    expect(() => r.record(1, -1, 0)).toThrow('internal error: replay index records state 1 (parent -1) when state 0 is next');
    r.record(0, -1, 0);
    expect(() => r.record(0, -1, 0)).toThrow(/internal error/);
    expect(() => r.record(1, 1, 0)).toThrow('internal error: replay index records state 1 (parent 1) when state 1 is next');
    expect(() => r.record(1, 2, 0)).toThrow(/internal error/);
    r.record(1, 0, 0);
    expect(r.size).toBe(2);
    expect(r.parent(1)).toBe(0);
  });

  it('keeps ordinals up to 254 in their byte and 255 on in the map, across chunks', () => {
    const r = new ReplayIndex();
    const ordinals = [0, 1, 127, 128, 253, 254, 255, 256, 511, 65_536, 2 ** 31 - 1];
    const n = 3000; // three chunks of 1,024
    for (let i = 0; i < n; i++) r.record(i, i === 0 ? -1 : i - 1, ordinals[i % ordinals.length]!);
    for (let i = 0; i < n; i++) expect([i, r.ordinal(i)]).toEqual([i, ordinals[i % ordinals.length]]);
    for (let i = 0; i < n; i++) expect([i, r.parent(i)]).toEqual([i, i - 1]);
  });

  it('keeps parent distances in three bytes, each byte its own', () => {
    const r = new ReplayIndex();
    // Distances whose bytes differ: 1, 0x100, 0x10000, 0x10203 and mixes, from state 0.
    const distances = [0x1, 0xff, 0x100, 0x1ff, 0x10000, 0x10203, 0xfe, 0x80, 0x8080];
    const max = Math.max(...distances);
    const want = new Map<number, number>();
    for (let i = 0; i <= max + 1; i++) {
      let parent = i - 1;
      for (const d of distances) if (i === d) parent = 0;
      if (i === max + 1) parent = 1;
      r.record(i, parent, 0);
      want.set(i, parent);
    }
    for (const d of [...distances, max + 1]) expect([d, r.parent(d)]).toEqual([d, want.get(d)]);
    const parents = r.parents();
    expect(parents.length).toBe(max + 2);
    expect(parents[0]).toBe(-1);
    for (const d of distances) expect(parents[d]).toBe(0);
    expect(parents[5]).toBe(4);
  });

  it('counts four bytes a state, in chunks of 65,536 (the first grows from 1,024 by doubling), and the arrays of its maps (16 slots of 12 bytes at first)', () => {
    const r = new ReplayIndex();
    expect(r.bytes).toBe(0);
    r.record(0, -1, 0);
    expect(r.bytes).toBe(4 * 1024);
    for (let i = 1; i < 1024; i++) r.record(i, i - 1, 0);
    expect(r.bytes).toBe(4 * 1024);
    r.record(1024, 1023, 300);
    expect(r.bytes).toBe(4 * 2048 + 192);
    r.record(1025, 0, 255);
    expect(r.bytes).toBe(4 * 2048 + 192);
    for (let i = 1026; i < 2049; i++) r.record(i, i - 1, 0);
    expect(r.bytes).toBe(4 * 4096 + 192);
    for (let i = 2049; i < 65_536; i++) r.record(i, i - 1, 0);
    expect(r.bytes).toBe(4 * 65_536 + 192);
    // The next chunk is made whole; the first keeps its entries.
    r.record(65_536, 65_535, 7);
    expect(r.bytes).toBe(4 * (65_536 + 65_536) + 192);
    // Nine ordinals past 254 fill more than half of 16 slots: 32 of them.
    for (let i = 65_537; i < 65_544; i++) r.record(i, i - 1, 255 + i);
    expect(r.bytes).toBe(4 * (65_536 + 65_536) + 32 * 12);
    expect(r.ordinal(65_543)).toBe(255 + 65_543);
    expect([r.parent(65_536), r.ordinal(65_536), r.parent(1), r.ordinal(1024), r.parent(1025), r.ordinal(1025)]).toEqual([65_535, 7, 0, 300, 0, 255]);
  });

  it('keeps a parent exactly 2^24 − 1 back (the marker) in the map, and one less in its bytes', () => {
    const FAR = 0xffffff;
    const r = new ReplayIndex();
    // State FAR - 1 is initial (distance FAR); state FAR's parent is 1 (distance FAR - 1).
    for (let i = 0; i <= FAR; i++) r.record(i, i === 0 || i === FAR - 1 ? -1 : i === FAR ? 1 : i - 1, 0);
    expect(r.parent(FAR - 1)).toBe(-1);
    expect(r.parent(FAR)).toBe(1);
    expect(r.parent(FAR - 2)).toBe(FAR - 3);
    expect(r.bytes).toBe(4 * (FAR + 1) + 16 * 12);
  });
});

/**
 * A system of numbers: initial states 1 and 2; n < 100 emits 3n, 3n + 1, 3n + 2, labelled
 * `n.0`, `n.1`, `n.2`. Each state has one parent, so the records are easy to write by hand.
 */
function tree(extra: Partial<TransitionSystem<number, string>> = {}): TransitionSystem<number, string> {
  return {
    initialStates: (emit) => {
      emit(1);
      emit(2);
    },
    successors: (n, emit) => {
      if (n < 100) for (let k = 0; k < 3; k++) emit(3 * n + k, `${n}.${k}`);
    },
    fingerprint: intFingerprint,
    invariants: [],
    ...extra,
  };
}

/** Stores the states of `path` (each a successor of the previous one, the first initial) as 0, 1, ... */
function records(system: TransitionSystem<number, string>, path: number[], seen: SeenSet): ReplayIndex {
  const replay = new ReplayIndex();
  const fp = new Uint32Array(2);
  path.forEach((s, i) => {
    system.fingerprint(s, fp);
    expect(seen.add(fp[0]!, fp[1]!)).toBe(i);
    const ordinal = i === 0 ? s - 1 : s - 3 * path[i - 1]!;
    replay.record(i, i - 1, ordinal);
  });
  return replay;
}

const fpOf = (n: number): Uint32Array => {
  const out = new Uint32Array(2);
  intFingerprint(n, out);
  return out;
};

describe('rebuildTrace', () => {
  const path = [2, 7, 23];

  it('replays the recorded emissions, with labels, to the target and no further', () => {
    for (const seen of [new FingerprintSet(), new CompactFingerprintSet()]) {
      const system = tree();
      const replay = records(system, path, seen);
      expect(rebuildTrace(system, seen, replay, 2)).toEqual({ states: [2, 7, 23], labels: ['2.1', '7.2'] });
      expect(rebuildTrace(system, seen, replay, 1)).toEqual({ states: [2, 7], labels: ['2.1'] });
      expect(rebuildTrace(system, seen, replay, 0)).toEqual({ states: [2], labels: [] });
      expect(rebuildTrace(system, seen, replay, -1)).toEqual({ states: [], labels: [] });
      expect(rebuildTrace(system, seen, replay, 2, fpOf(23))).toEqual({ states: [2, 7, 23], labels: ['2.1', '7.2'] });
    }
  });

  it('adds the step `via` past the target, or from the initial states', () => {
    const system = tree();
    const seen = new FingerprintSet();
    const replay = records(system, path, seen);
    expect(rebuildTrace(system, seen, replay, 2, fpOf(70), 1)).toEqual({ states: [2, 7, 23, 70], labels: ['2.1', '7.2', '23.1'] });
    expect(rebuildTrace(system, seen, replay, 0, undefined, 2)).toEqual({ states: [2, 8], labels: ['2.2'] });
    expect(rebuildTrace(system, seen, replay, 0, undefined, 0)).toEqual({ states: [2, 6], labels: ['2.0'] });
    expect(rebuildTrace(system, seen, replay, -1, fpOf(1), 0)).toEqual({ states: [1], labels: [] });
    expect(rebuildTrace(system, seen, replay, -1, undefined, 1)).toEqual({ states: [2], labels: [] });
  });

  it('keeps copies of the states a lending system emits', () => {
    // The system emits one array, overwritten by each emission.
    const lent = [0];
    const base = tree();
    const system: TransitionSystem<number[], string> = {
      initialStates: (emit) => base.initialStates((s) => ((lent[0] = s), emit(lent))),
      successors: (s, emit) => base.successors(s[0]!, (n, l) => ((lent[0] = n), emit(lent, l))),
      fingerprint: (s, out) => intFingerprint(s[0]!, out),
      invariants: [],
      copyState: (s) => [...s],
    };
    const seen = new FingerprintSet();
    const replay = records(base, path, seen);
    expect(rebuildTrace(system, seen, replay, 2)).toEqual({ states: [[2], [7], [23]], labels: ['2.1', '7.2'] });
    expect(rebuildTrace(system, seen, replay, 1, fpOf(21), 0)).toEqual({ states: [[2], [7], [21]], labels: ['2.1', '7.0'] });
  });

  it('expects the ModelError a step threw during the search after the state picked, and no other error', () => {
    const failing = (e: Error) =>
      tree({
        successors: (n, emit) => {
          for (let k = 0; k < 3; k++) emit(3 * n + k, `${n}.${k}`);
          throw e;
        },
      });
    const seen = new FingerprintSet();
    const replay = records(tree(), path, seen);
    const fault = new ModelError('assert', 'failed after its emissions');
    expect(rebuildTrace(failing(fault), seen, replay, 2)).toEqual({ states: [2, 7, 23], labels: ['2.1', '7.2'] });
    expect(rebuildTrace(failing(fault), seen, replay, 2, fpOf(69), 0).states).toEqual([2, 7, 23, 69]);
    const bug = new TypeError('a bug in the system');
    expect(() => rebuildTrace(failing(bug), seen, replay, 2)).toThrow(bug);
    expect(() => rebuildTrace(failing(bug), seen, replay, 2, undefined, 0)).toThrow(bug);
  });

  it('says where a replay that emits too few states went wrong', () => {
    const seen = new FingerprintSet();
    const replay = records(tree(), path, seen);
    const fewerInitial = tree({ initialStates: (emit) => emit(1) });
    expect(() => rebuildTrace(fewerInitial, seen, replay, 2)).toThrow(
      'internal error: replaying the initial state got only 1 emissions where emission #1 was recorded during the search; the transition system is not deterministic',
    );
    const fewerSteps = tree({ successors: (n, emit) => (n === 7 ? emit(21, '7.0') : tree().successors(n, emit)) });
    expect(() => rebuildTrace(fewerSteps, seen, replay, 2)).toThrow(
      'internal error: replaying step 2 of the trace got only 1 emissions where emission #2 was recorded during the search; the transition system is not deterministic',
    );
    // A fault before the emission wanted is a divergence too.
    const early = tree({
      successors: () => {
        throw new ModelError('runtime', 'early');
      },
    });
    expect(() => rebuildTrace(early, seen, replay, 1)).toThrow('internal error: replaying step 1 of the trace got only 0 emissions where emission #1');
    expect(() => rebuildTrace(fewerSteps, seen, replay, 1, undefined, 2)).toThrow(
      'internal error: replaying the last step got only 1 emissions where emission #2 was recorded; the transition system is not deterministic',
    );
    expect(() => rebuildTrace(early, seen, replay, 0, undefined, 0)).toThrow('internal error: replaying the last step got only 0 emissions where emission #0');
  });

  it('checks each state replayed against the seen set: its very number where the set keeps numbers', () => {
    // 7 and 8 swapped in the replay: 8 was seen (number 3), but it is not state 1.
    const seen = new FingerprintSet();
    const replay = records(tree(), path, seen);
    const fp = fpOf(8);
    seen.add(fp[0]!, fp[1]!);
    const swapped = tree({ successors: (n, emit) => tree().successors(n, (s, l) => emit(s === 7 ? 8 : s, l)) });
    expect(() => rebuildTrace(swapped, seen, replay, 1)).toThrow(
      'internal error: replaying step 1 of the trace, emission #1 does not have the fingerprint it had during the search; the transition system is not deterministic',
    );
    // The compact set keeps no numbers: a state it has seen passes; one it has not does not.
    const compact = new CompactFingerprintSet();
    const replay2 = records(tree(), path, compact);
    compact.add(fp[0]!, fp[1]!);
    expect(rebuildTrace(swapped, compact, replay2, 1).states).toEqual([2, 8]);
    const unseen = tree({ initialStates: (emit) => (emit(1), emit(5)) });
    expect(() => rebuildTrace(unseen, compact, replay2, 1)).toThrow('internal error: replaying the initial state, emission #1 does not have the fingerprint');
    expect(() => rebuildTrace(unseen, seen, replay, 0)).toThrow('internal error: replaying the initial state, emission #1 does not have the fingerprint');
  });

  it('checks the target against its fingerprint when given, and the step via against its own', () => {
    const seen = new FingerprintSet();
    const replay = records(tree(), path, seen);
    // The target's fingerprint, when given, is what counts (not the set's number).
    expect(() => rebuildTrace(tree(), seen, replay, 2, fpOf(24))).toThrow(/replaying step 2 of the trace, emission #2 does not have the fingerprint/);
    expect(() => rebuildTrace(tree(), seen, replay, 0, fpOf(1))).toThrow(/replaying the initial state, emission #1 does not have the fingerprint/);
    const wrongLo = fpOf(23);
    wrongLo[1] = (wrongLo[1]! ^ 1) >>> 0;
    expect(() => rebuildTrace(tree(), seen, replay, 2, wrongLo)).toThrow(/does not have the fingerprint/);
    const wrongHi = fpOf(23);
    wrongHi[0] = (wrongHi[0]! ^ 1) >>> 0;
    expect(() => rebuildTrace(tree(), seen, replay, 2, wrongHi)).toThrow(/does not have the fingerprint/);
    // Not the target's fingerprint: the states before it are checked against the set.
    expect(rebuildTrace(tree(), seen, replay, 2, fpOf(23)).states).toEqual([2, 7, 23]);
    // The step via: its state must have the fingerprint given for it, both words.
    const message = 'internal error: replaying the last step does not give the state it gave during the search; the transition system is not deterministic';
    expect(() => rebuildTrace(tree(), seen, replay, 2, fpOf(71), 1)).toThrow(message);
    const viaLo = fpOf(70);
    viaLo[1] = (viaLo[1]! ^ 1) >>> 0;
    expect(() => rebuildTrace(tree(), seen, replay, 2, viaLo, 1)).toThrow(message);
    const viaHi = fpOf(70);
    viaHi[0] = (viaHi[0]! ^ 1) >>> 0;
    expect(() => rebuildTrace(tree(), seen, replay, 2, viaHi, 1)).toThrow(message);
  });
});

describe('ReplayIndex and rebuildTrace: the remaining edges', () => {
  it('gives no parents of an empty index, and all of them when the last chunk is full', () => {
    const r = new ReplayIndex();
    expect(Array.from(r.parents())).toEqual([]);
    for (let i = 0; i < 1024; i++) r.record(i, i - 1, 0);
    const parents = r.parents();
    expect(parents.length).toBe(1024);
    expect(parents[0]).toBe(-1);
    expect(parents[1023]).toBe(1022);
  });

  it('finds in the map a parent more than 2^24 − 1 back, not the marker read as a distance', () => {
    const FAR = 0xffffff;
    const r = new ReplayIndex();
    // States FAR and FAR + 1 are initial (distances FAR + 1 and FAR + 2); FAR + 2's parent is 0.
    for (let i = 0; i <= FAR + 2; i++) r.record(i, i === 0 || i === FAR || i === FAR + 1 ? -1 : i === FAR + 2 ? 0 : i - 1, 0);
    expect(r.parent(FAR)).toBe(-1);
    expect(r.parent(FAR + 1)).toBe(-1);
    expect(r.parent(FAR + 2)).toBe(0);
    expect(r.parent(FAR - 1)).toBe(FAR - 2);
  });

  it('lets an error that is not a ModelError through from the step via, after its emissions', () => {
    const bug = new TypeError('a bug in the last step');
    const system = tree({
      successors: (n, emit) => {
        tree().successors(n, emit);
        if (n === 23) throw bug;
      },
    });
    const seen = new FingerprintSet();
    const replay = records(tree(), path3, seen);
    expect(rebuildTrace(system, seen, replay, 2).states).toEqual([2, 7, 23]);
    expect(() => rebuildTrace(system, seen, replay, 2, undefined, 0)).toThrow(bug);
    expect(() => rebuildTrace(system, seen, replay, 2, fpOf(69), 0)).toThrow(bug);
    // A ModelError there is the fault the search stopped on: the step is still given.
    const fault = new ModelError('assert', 'the last step fails after its emissions');
    const faulty = tree({
      successors: (n, emit) => {
        tree().successors(n, emit);
        if (n === 23) throw fault;
      },
    });
    expect(rebuildTrace(faulty, seen, replay, 2, fpOf(70), 1)).toEqual({ states: [2, 7, 23, 70], labels: ['2.1', '7.2', '23.1'] });
  });
});

const path3 = [2, 7, 23];
