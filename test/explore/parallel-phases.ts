/**
 * The phases of the vector explorer (src/explore/parallel/vectors.ts) run in-process: one
 * PhaseRunner per thread index over the same buffers, each phase's parts run one after the
 * other on this thread (they write disjoint buffers and meet only at the phase's end), and
 * this file playing the coordinator's part (vector-explorer.ts, expandLevelThreads). And a
 * plain breadth-first search to compare with, emission by emission.
 */
import { expect, it } from 'vitest';
import { CompactFingerprintSet } from '../../src/explore/compact-set.js';
import { explore, type ExploreOptions, type ExploreResult } from '../../src/explore/explorer.js';
import { FlatFingerprintSet } from '../../src/explore/flat-set.js';
import { ModelError } from '../../src/explore/system.js';
import { IndexMap } from '../../src/explore/parallel/index-map.js';
import {
  CMD_DEDUPE, CMD_EXPAND, CMD_FIXUP, CMD_NUMBER, EVENT_WORDS, EV_NONE, PhaseRunner, createBuffers, ensureBytes, f64, i32, shardOf, u32, u8,
  type SharedBuffers, type VectorSystem,
} from '../../src/explore/parallel/vectors.js';
import { arrayFingerprint } from './graph-model.js';

export type V = number[];

export interface Wide {
  /** Initial states [0, i], i < roots (each emitted twice). */
  roots: number;
  /** Columns: the second number is taken modulo this. */
  columns: number;
  /** Levels below the roots: states [depth, i] have no successor. */
  depth: number;
  /** A step from each state to itself (first). */
  self?: boolean;
  bad?: (s: V) => boolean;
  badThrows?: (s: V) => boolean;
  faultAt?: (s: V) => boolean;
  /** How many emissions come before the fault. */
  faultAfter?: number;
  done?: (s: V) => boolean;
  doneThrows?: (s: V) => boolean;
  /** A successor-less state (a deadlock unless done). */
  stuck?: (s: V) => boolean;
  /** The states' width (the numbers after the first two are copies of the second). */
  width?: number;
  /** A step [d, i] → [d, i + 1 mod C] (after the others). */
  side?: boolean;
  /**
   * Fingerprints by halves: the high word from d alone, the low word from i alone (both
   * one-to-one), so that a step shares a word of its fingerprint with its parent's.
   */
  halves?: boolean;
  /** No invariant at all. */
  noInvariants?: boolean;
  /** The state whose fingerprint is 0, 0 (with halves). */
  zeroAt?: (s: V) => boolean;
  /**
   * Successors lent, as the packed engine's: every one is emitted in one working array,
   * overwritten after the emission returns (copyState copies).
   */
  lend?: boolean;
}

/** A one-to-one fingerprint made of a word from each of the first two numbers. */
function halves(s: ArrayLike<number>, out: Uint32Array): void {
  out[0] = Math.imul(s[0]! + 1, 0x9e3779b1) >>> 0;
  // Multiplications by odd numbers and xor-shifts: one-to-one on 32 bits.
  let x = Math.imul(s[1]! + 1, 0x85ebca6b) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  out[1] = (x ^ (x >>> 13)) >>> 0;
}

/** A layered system: [d, i] → [d+1, 3i mod C], [d+1, 3i+1 mod C], itself, a repeat, [d-1, i]. */
export function wide(w: Wide): VectorSystem<string> {
  const W = w.width ?? 2;
  const make = (d: number, i: number): V => {
    const s = [d, i];
    for (let k = 2; k < W; k++) s.push(i + k);
    return s;
  };
  return {
    width: W,
    initialStates(emit) {
      for (let i = 0; i < w.roots; i++) {
        emit(make(0, i));
        emit(make(0, i));
      }
    },
    successors(s, emit) {
      const [d, i] = s as [number, number];
      const fault = w.faultAt?.(s) ?? false;
      let n = 0;
      const work: V = [];
      const out = (next: V, label: string): void => {
        if (fault && n === (w.faultAfter ?? 0)) throw new ModelError('runtime', `fault at ${d},${i}`);
        n++;
        if (!w.lend) {
          emit(next, label);
          return;
        }
        work.length = 0;
        work.push(...next);
        emit(work, label);
        work.fill(-7);
      };
      if (w.stuck?.(s)) {
        if (fault) out(s, 'x');
        return;
      }
      if (w.self) out(s.slice(), 'self');
      if (d < w.depth) {
        out(make(d + 1, (3 * i) % w.columns), 'a');
        out(make(d + 1, (3 * i + 1) % w.columns), 'b');
        out(make(d + 1, (3 * i) % w.columns), 'a');
      }
      if (d > 0) out(make(d - 1, i), 'up');
      if (w.side) out(make(d, (i + 1) % w.columns), 'side');
      if (fault) out(s, 'x');
    },
    ...(w.lend ? { copyState: (s: V) => s.slice() } : {}),
    fingerprint: w.halves
      ? (s, out) => {
          if (w.zeroAt?.(s as V)) out.fill(0);
          else halves(s, out);
        }
      : arrayFingerprint,
    invariants: w.noInvariants ? [] : [
      {
        name: 'Good',
        holds: (s) => {
          if (w.badThrows?.(s)) throw new ModelError('runtime', `invariant fails at ${s}`);
          return !(w.bad?.(s) ?? false);
        },
      },
    ],
    ...(w.done !== undefined || w.doneThrows !== undefined
      ? {
          isDone: (s: V) => {
            if (w.doneThrows?.(s)) throw new ModelError('runtime', 'isDone fails');
            return w.done?.(s) ?? false;
          },
        }
      : {}),
  };
}

export interface Level {
  states: V[];
  par: number[];
  ord: number[];
  fps: number[];
}

export interface Stop {
  kind: number;
  /** The depth of the level expanded (1: the initial states') and the state's position in it. */
  level: number;
  at: number;
}

export interface Run {
  levels: Level[];
  generated: number;
  distinct: number;
  stop: Stop | null;
  anyNew: boolean;
  /** Per level expanded, per emission in global order: its target state's index (graph). */
  targets: number[][];
  tags: number[][];
  /** Per new state (by index): its predicate words. */
  bits: number[][];
}

export interface Options {
  threads?: number;
  maxStates?: number;
  maxDepth?: number;
  checkDeadlock?: boolean;
  /** The shards' sets: flat (default), compact, or the graph's index maps. */
  sets?: 'flat' | 'compact';
  /** Graph recording: the predicates kept (and a tag a label). */
  predicates?: ((s: V) => boolean)[];
  /** The ranges' bounds for a level of n states (default: the coordinator's even split). */
  split?: (n: number, T: number) => number[];
  /**
   * Whether the level's fingerprints are given to the expansion (default: yes). When not, the
   * level's fingerprint buffer holds, for each state, the fingerprint of its first successor
   * instead (what an expansion must not read).
   */
  fpsValid?: boolean;
  /** The order in which the threads' parts of a phase run here (default: 0 to T - 1). */
  reverse?: boolean;
}

const tagOf = (label: string): number => (label === 'up' ? -1 : label.charCodeAt(0));

function fpOf(system: VectorSystem<string>, s: V): [number, number] {
  const out = new Uint32Array(2);
  system.fingerprint(s, out);
  return [out[0]!, out[1]!];
}

/** The coordinator's even split (own = n / T). */
export function evenSplit(n: number, T: number): number[] {
  const r = [0];
  for (let t = 1; t <= T; t++) r.push(Math.floor(n / T + ((t - 1) * (n - n / T)) / (T - 1)));
  return r;
}

/** Runs the search through the phases, T runners on this thread. */
export function phases(system: VectorSystem<string>, o: Options = {}): Run & { runners: PhaseRunner<string>[]; buffers: SharedBuffers } {
  const T = o.threads ?? 2;
  const W = system.width;
  const graph = o.predicates !== undefined;
  const preds = o.predicates ?? [];
  const b = createBuffers(T, W, graph ? Math.ceil(preds.length / 32) : -1);
  const runners: PhaseRunner<string>[] = [];
  for (let t = 0; t < T; t++) {
    const r = graph ? new PhaseRunner(system, b, { edgeTag: tagOf, predicates: preds }) : new PhaseRunner(system, b);
    r.sets[t] = graph ? new IndexMap() : o.sets === 'compact' ? new CompactFingerprintSet() : new FlatFingerprintSet();
    runners.push(r);
  }
  const nums = runners[0]!.nums;
  const L = runners[0]!.L;
  const maxStates = o.maxStates ?? Infinity;
  const maxDepth = o.maxDepth ?? Infinity;
  // Level 1, as the coordinator makes it alone: the initial states, deduplicated.
  const init: Level = { states: [], par: [], ord: [], fps: [] };
  system.initialStates((s) => {
    const [hi, lo] = fpOf(system, s);
    const sh = shardOf(lo, T);
    const set = runners[sh]!.sets[sh]!;
    const fresh = set instanceof IndexMap ? set.lookupOrInsert(hi, lo, init.states.length) : set.add(hi, lo) >= 0;
    if (!fresh) return;
    init.states.push(s.slice());
    init.par.push(-1);
    init.ord.push(0);
    init.fps.push(hi, lo);
  });
  ensureBytes(b.lvSt[0]!, 8 * W * init.states.length);
  ensureBytes(b.lvFp[0]!, 8 * init.states.length);
  f64(b.lvSt[0]!).set(init.states.flat());
  u32(b.lvFp[0]!).set(init.fps);
  const run: Run = { levels: [init], generated: 0, distinct: init.states.length, stop: null, anyNew: false, targets: [], tags: [], bits: [] };
  const pw = b.predicateWords;
  for (const s of init.states) run.bits.push(predicateWords(preds, s, pw));
  let cur = 0;
  let n = init.states.length;
  for (let level = 1; n > 0; level++) {
    const store = level < maxDepth;
    nums[L.count] = n;
    nums[L.cur] = cur;
    nums[L.store] = store ? 1 : 0;
    nums[L.deadlock] = o.checkDeadlock ? 1 : 0;
    nums[L.distinct] = run.distinct;
    nums[L.maxStates] = maxStates;
    const split = (o.split ?? evenSplit)(n, T);
    for (let t = 0; t <= T; t++) nums[L.range + t] = split[t]!;
    for (let s = 0; s < T; s++) nums[L.anyNew + s] = 0;
    nums[L.fpsValid] = o.fpsValid === false ? 0 : 1;
    if (o.fpsValid === false) {
      const lvFp = u32(b.lvFp[cur]!);
      const st = f64(b.lvSt[cur]!);
      for (let p = 0; p < n; p++) {
        let first: V | undefined;
        try {
          system.successors(Array.from(st.subarray(p * W, (p + 1) * W)), (x) => (first ??= x.slice()));
        } catch {
          // a fault: whatever came before it
        }
        if (first !== undefined) [lvFp[2 * p], lvFp[2 * p + 1]] = fpOf(system, first);
      }
    }
    const order = Array.from({ length: T }, (_, t) => (o.reverse ? T - 1 - t : t));
    for (const t of order) runners[t]!.run(CMD_EXPAND, t);
    let emitted = 0;
    for (let t = 0; t < T; t++) emitted += nums[L.emitted + t]!;
    if (graph && store) ensureBytes(b.lvIdx, 4 * emitted);
    for (const t of order) runners[t]!.run(CMD_DEDUPE, t);
    let total = 0;
    for (let t = 0; t < T; t++) {
      nums[L.base + t] = total;
      for (let s = 0; s < T; s++) total += nums[L.newCount + s * T + t]!;
    }
    const next = 1 - cur;
    if (store) {
      ensureBytes(b.lvSt[next]!, 8 * W * total);
      ensureBytes(b.lvPar[next]!, 4 * total);
      ensureBytes(b.lvOrd[next]!, 4 * total);
      ensureBytes(b.lvFp[next]!, 8 * total);
    }
    for (const t of order) runners[t]!.run(CMD_NUMBER, t);
    let kind = EV_NONE;
    let at = 0;
    let made = 0;
    for (let t = 0; t < T; t++) {
      const ev = L.event + EVENT_WORDS * t;
      run.generated += nums[ev + 2]!;
      made += nums[ev + 3]!;
      kind = nums[ev]!;
      if (kind !== EV_NONE) {
        at = nums[ev + 1]!;
        break;
      }
    }
    if (!store) for (let s = 0; s < T; s++) if (nums[L.anyNew + s] === 1) run.anyNew = true;
    const lv: Level = { states: [], par: [], ord: [], fps: [] };
    const st = f64(b.lvSt[next]!);
    const par = i32(b.lvPar[next]!);
    const ord = i32(b.lvOrd[next]!);
    const fps = u32(b.lvFp[next]!);
    for (let p = 0; p < made; p++) {
      lv.states.push(Array.from(st.subarray(p * W, (p + 1) * W)));
      lv.par.push(par[p]!);
      lv.ord.push(ord[p]!);
      lv.fps.push(fps[2 * p]!, fps[2 * p + 1]!);
    }
    if (made > 0) run.levels.push(lv);
    run.distinct += made;
    if (kind !== EV_NONE) {
      run.stop = { kind, level, at };
      break;
    }
    if (graph && store) {
      for (const t of order) runners[t]!.run(CMD_FIXUP, t);
      // Every emission's target, in global order, as recordLevelGraph reads them.
      const lvIdx = i32(b.lvIdx);
      const targets: number[] = [];
      const tags: number[] = [];
      let base = 0;
      for (let t = 0; t < T; t++) {
        const mark = u8(b.emMark[t]!);
        const ref = i32(b.emRef[t]!);
        const tg = i32(b.emTag[t]!);
        const bits = u32(b.emBits[t]!);
        for (let e = 0; e < nums[L.emitted + t]!; e++) {
          const m = mark[e]!;
          const r = ref[e]!;
          const target = m !== 0 ? lvIdx[base + e]! : r >= 0 ? r : lvIdx[~r]!;
          targets.push(target);
          tags.push(tg[e]!);
          if (m !== 0) run.bits[target] = Array.from(bits.subarray(e * pw, (e + 1) * pw));
        }
        base += nums[L.emitted + t]!;
      }
      run.targets.push(targets);
      run.tags.push(tags);
    }
    cur = next;
    n = made;
  }
  return { ...run, runners, buffers: b };
}

function predicateWords(preds: ((s: V) => boolean)[], s: V, pw: number): number[] {
  const out = new Array<number>(pw).fill(0);
  preds.forEach((p, i) => {
    if (p(s)) out[i >>> 5]! |= 1 << (i & 31);
  });
  return out.map((x) => x >>> 0);
}

/** The same search, one state and one emission at a time. */
export function reference(system: VectorSystem<string>, o: Options = {}): Run {
  const maxStates = o.maxStates ?? Infinity;
  const maxDepth = o.maxDepth ?? Infinity;
  const graph = o.predicates !== undefined;
  const preds = o.predicates ?? [];
  const pw = graph ? Math.ceil(preds.length / 32) : 0;
  const seen = new Map<string, number>();
  const init: Level = { states: [], par: [], ord: [], fps: [] };
  system.initialStates((s) => {
    const [hi, lo] = fpOf(system, s);
    if (seen.has(`${hi},${lo}`)) return;
    seen.set(`${hi},${lo}`, init.states.length);
    init.states.push(s.slice());
    init.par.push(-1);
    init.ord.push(0);
    init.fps.push(hi, lo);
  });
  const run: Run = { levels: [init], generated: 0, distinct: init.states.length, stop: null, anyNew: false, targets: [], tags: [], bits: [] };
  for (const s of init.states) run.bits.push(predicateWords(preds, s, pw));
  let cur = init;
  for (let level = 1; cur.states.length > 0 && run.stop === null; level++) {
    const store = level < maxDepth;
    const lv: Level = { states: [], par: [], ord: [], fps: [] };
    const targets: number[] = [];
    const tags: number[] = [];
    outer: for (let i = 0; i < cur.states.length; i++) {
      const s = cur.states[i]!;
      const ems: [V, string][] = [];
      let faulted = false;
      try {
        system.successors(s, (x, l) => ems.push([x.slice(), l]));
      } catch (e) {
        if (!(e instanceof ModelError)) throw e;
        faulted = true;
      }
      for (let k = 0; k < ems.length; k++) {
        const [x, label] = ems[k]!;
        run.generated++;
        const [hi, lo] = fpOf(system, x);
        const key = `${hi},${lo}`;
        const old = seen.get(key);
        if (old !== undefined) {
          targets.push(old);
          tags.push(tagOf(label));
          continue;
        }
        if (!store) {
          run.anyNew = true;
          continue;
        }
        if (run.distinct >= maxStates) {
          run.stop = { kind: 1, level, at: i };
          break outer;
        }
        const index = run.distinct++;
        seen.set(key, index);
        targets.push(index);
        tags.push(tagOf(label));
        lv.states.push(x);
        lv.par.push(i);
        lv.ord.push(k);
        lv.fps.push(hi, lo);
        let holds = true;
        try {
          holds = system.invariants.every((inv) => inv.holds(x));
        } catch (e) {
          if (!(e instanceof ModelError)) throw e;
          holds = false;
        }
        if (!holds) {
          run.stop = { kind: 2, level, at: i };
          break outer;
        }
        try {
          run.bits[index] = predicateWords(preds, x, pw);
        } catch (e) {
          if (!(e instanceof ModelError)) throw e;
          run.stop = { kind: 5, level, at: i };
          break outer;
        }
      }
      if (faulted) {
        run.stop = { kind: 3, level, at: i };
        break;
      }
      if (ems.length === 0 && o.checkDeadlock) {
        let done = false;
        try {
          done = system.isDone?.(s) ?? false;
        } catch (e) {
          if (!(e instanceof ModelError)) throw e;
        }
        if (!done) {
          run.stop = { kind: 4, level, at: i };
          break;
        }
      }
    }
    if (lv.states.length > 0) run.levels.push(lv);
    if (graph && store && run.stop === null) {
      run.targets.push(targets);
      run.tags.push(tags);
    }
    cur = lv;
  }
  return run;
}

/** The result without its timing and memory figures, errors as plain fields. */
export function comparable(r: ExploreResult<V, string>): unknown {
  const { seconds: _s, bytesPerState: _b, collisionProbability: _c, ...stats } = r.stats as unknown as Record<string, unknown>;
  const o = r.outcome as unknown as Record<string, unknown>;
  const e = o['error'] as ModelError | undefined;
  const outcome = e !== undefined ? { ...o, error: { kind: e.kind, message: e.message, label: e.label } } : o;
  return { stats, outcome };
}

/**
 * The state graph a parallel explorer recorded against explore()'s: its edges, tags, parents
 * and predicate values, the path to the last state, and paths on from state 0 along its first,
 * second and last recorded edges (each edge replayed).
 */
export function expectSameGraph(got: ExploreResult<V, string>, want: ExploreResult<V, string>, predicates: number): void {
  if (want.graph === undefined) {
    expect(got.graph).toBeUndefined();
    return;
  }
  const g = got.graph!;
  const h = want.graph;
  expect(g.size).toBe(h.size);
  expect(Array.from(g.offsets.subarray(0, h.size + 1))).toEqual(Array.from(h.offsets.subarray(0, h.size + 1)));
  const edges = h.offsets[h.size]!;
  expect(Array.from(g.targets.subarray(0, edges))).toEqual(Array.from(h.targets.subarray(0, edges)));
  expect(Array.from(g.tags.subarray(0, edges))).toEqual(Array.from(h.tags.subarray(0, edges)));
  expect(Array.from(g.parents.subarray(0, h.size))).toEqual(Array.from(h.parents.subarray(0, h.size)));
  for (let s = 0; s < h.size; s++) for (let i = 0; i < predicates; i++) expect(g.holds(s, i)).toBe(h.holds(s, i));
  expect(g.path(h.size - 1, []).states).toEqual(h.path(h.size - 1, []).states);
  for (const step of [h.offsets[0]!, h.offsets[0]! + 1, h.offsets[1]! - 1]) {
    if (step >= h.offsets[0]! && step < h.offsets[1]!) expect(g.path(0, [step]).states).toEqual(h.path(0, [step]).states);
  }
}

/** Two shapes of graph the coordinators' tests run: a small one, and one with wide levels. */
export const small: Wide = { roots: 3, columns: 11, depth: 5, self: true };
export const big: Wide = { roots: 300, columns: 900, depth: 4, self: true, width: 3 };

/**
 * The cases both coordinators (explorer.ts and vector-explorer.ts) run on their own thread
 * against explore(): `same` runs one on a Wide graph and compares it with explore() (the graph
 * recorded included), `run` runs it on any system of vectors (`tagger`: with a step tagger for
 * this thread, to record a graph).
 */
export function coordinatorCases(
  same: (w: Wide, options?: Partial<ExploreOptions<V, string>>, threads?: number) => ExploreResult<V, string>,
  run: (system: VectorSystem<string>, options: ExploreOptions<V, string>, tagger?: boolean) => ExploreResult<V, string>,
): void {
  it('the state limit at every count, the depth limit', () => {
    for (let max = 1; max <= 40; max += 3) same(small, { maxStates: max });
    same(big, { maxStates: 1000 });
    expect(same(small, { maxDepth: 3 }).outcome).toEqual({ kind: 'limit', limit: 'depth' });
    same(small, { maxDepth: 1 });
    same({ roots: 3, columns: 1, depth: 2 }, { maxDepth: 3 });
  });

  it('an invariant that fails or throws, with its trace', () => {
    expect(same({ ...small, bad: (s) => s[0] === 3 && s[1] === 7 }).outcome.kind).toBe('invariant');
    expect(same({ ...small, bad: (s) => s[0] === 0 && s[1] === 1 }).outcome.kind).toBe('invariant');
    expect(same({ ...small, badThrows: (s) => s[0] === 2 && s[1] === 4 }).outcome.kind).toBe('fault');
    same({ ...big, bad: (s) => s[0] === 3 && s[1] === 883 });
  });

  it('faults in successors, initial states, isDone; deadlocks', () => {
    expect(same({ ...small, faultAt: (s) => s[0] === 2 && s[1] === 4, faultAfter: 2 }).outcome.kind).toBe('fault');
    same({ ...small, faultAt: (s) => s[0] === 0 && s[1] === 2 });
    const stuck = (s: number[]): boolean => s[0] === 2 && s[1] === 4;
    expect(same({ ...small, stuck }, { checkDeadlock: true }).outcome.kind).toBe('deadlock');
    expect(same({ ...small, stuck, done: stuck }, { checkDeadlock: true }).outcome.kind).toBe('ok');
    expect(same({ ...small, stuck, doneThrows: stuck }, { checkDeadlock: true }).outcome.kind).toBe('fault');
    const sys = wide(small);
    const initialFault = {
      ...sys,
      initialStates(emit: (s: V) => void) {
        emit([0, 0]);
        throw new ModelError('runtime', 'no more initial states');
      },
    };
    const want = explore(initialFault, { checkDeadlock: false });
    expect(comparable(run(initialFault, { checkDeadlock: false }))).toEqual(comparable(want));
  });

  it('the state graph recorded: edges, tags, predicates, paths', () => {
    const predicates = Array.from({ length: 34 }, (_, k) => (s: V) => (s[1]! + k) % 4 === 0);
    const recordGraph = { edgeTag: (l: string) => (l === 'up' ? -1 : l.charCodeAt(0) % 5), predicates };
    same(small, { recordGraph });
    same(small, { recordGraph }, 3);
    same({ ...small, self: false }, { recordGraph, maxStates: 25 });
    same(small, { recordGraph, maxDepth: 3 });
    // The depth limit with nothing new left out, and the state limit at every count.
    same({ roots: 3, columns: 1, depth: 2 }, { recordGraph, maxDepth: 3 });
    same({ roots: 3, columns: 1, depth: 2 }, { recordGraph, maxDepth: 4 });
    for (let max = 2; max <= 40; max += 3) same(small, { recordGraph, maxStates: max });
    same({ ...small, bad: (s) => s[0] === 3 && s[1] === 7 }, { recordGraph });
    const throwing = [...predicates, (s: V): boolean => {
      if (s[0] === 3 && s[1] === 5) throw new ModelError('runtime', 'predicate fails');
      return true;
    }];
    expect(same(small, { recordGraph: { ...recordGraph, predicates: throwing } }).outcome.kind).toBe('fault');
  });

  it('an error that is not a ModelError is thrown on, from every callback', () => {
    const boom = (): never => {
      throw new Error('boom');
    };
    const sys = wide({ ...small, stuck: (s) => s[0] === 2 });
    const go = (system: VectorSystem<string>, o: Partial<ExploreOptions<V, string>> = {}): unknown =>
      run(system, { checkDeadlock: true, ...o }, o.recordGraph !== undefined);
    expect(() => go({ ...sys, initialStates: boom })).toThrow('boom');
    expect(() => go({ ...sys, successors: (s, emit) => (s[0] === 1 ? boom() : sys.successors(s, emit)) })).toThrow('boom');
    expect(() => go({ ...sys, invariants: [{ name: 'I', holds: (s) => (s[0] === 2 ? boom() : true) }] })).toThrow('boom');
    expect(() => go({ ...sys, isDone: boom })).toThrow('boom');
    expect(() => go(sys, { recordGraph: { edgeTag: () => 0, predicates: [(s) => (s[0] === 2 ? boom() : true)] } })).toThrow('boom');
  });
}
