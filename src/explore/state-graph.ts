/**
 * The explored state graph, kept for temporal properties: what the explorer records when
 * `ExploreOptions.recordGraph` is given, and nothing otherwise.
 *
 * Layout (compressed sparse rows, all typed arrays, so a graph of millions of states is a
 * handful of allocations the garbage collector never traces):
 *   - `offsets` (Int32Array, one per state plus one): the edges of state s are
 *     offsets[s] .. offsets[s + 1] - 1;
 *   - `targets` (Int32Array, one per edge): the index of the successor;
 *   - `tags`    (Int32Array, one per edge): a number the caller derives from the step's label,
 *     e.g. the id of its fairness unit (-1: none);
 *   - `bits`    (Uint32Array, ⌈k/32⌉ words per state): the values of k state predicates.
 * Edges are stored in emission order, duplicates and self-loops included, so edge e of state s
 * is emission number e - offsets[s] of `successors(s)`: a path through the graph is rebuilt
 * into states and labels by replaying exactly those emissions. With constraints, steps to
 * states outside them are not edges, and each edge keeps the ordinal of its emission.
 *
 * States are expanded in index order (the BFS stores states level by level, in the order it
 * numbers them), which is what lets the edges be appended contiguously per state.
 */
import type { Trace } from './explorer.js';
import { growableArray, grownInPlace } from './fresh-pages.js';
import type { LivenessGraph } from './liveness.js';
import { ModelError } from './system.js';

export interface RecordGraph<S, L> {
  /** The tag stored with each edge (e.g. the step's fairness unit); -1 for none. */
  edgeTag(label: L): number;
  /** State predicates whose value in every state is kept: `StateGraph.holds(s, i)`. */
  readonly predicates: readonly ((state: S) => boolean)[];
}

export interface StateGraph<S, L> extends LivenessGraph {
  /** Bytes held by the graph's arrays (edges, offsets, predicate bits; parents excluded). */
  readonly bytes: number;
  /**
   * The concrete states and labels of a path: the shortest (BFS) path to state `start`, then
   * the given edges, each leaving the state the path has reached.
   */
  path(start: number, edges: readonly number[]): Trace<S, L>;
}

/**
 * Grows typed arrays by doubling while the explorer runs; `finish` freezes them into a
 * StateGraph. The arrays are on growable shared buffers (`sharedArray`): they double in place,
 * only the added half fresh memory (fresh-pages.ts) and nothing copied.
 */
export class GraphRecorder<S, L> {
  private offsets = sharedArray(Int32Array, 1024);
  private targets = sharedArray(Int32Array, 4096);
  private tags = sharedArray(Int32Array, 4096);
  private bits: Uint32Array;
  private edges = 0;
  private expanded = 0;
  private readonly words: number;
  private readonly tagOfLabel: (label: L) => number;
  private readonly preds: readonly ((state: S) => boolean)[];
  /**
   * Per edge, the ordinal of its emission, when edges may skip emissions (a system with
   * constraints leaves out the steps to states outside them); null when edge e of state s is
   * always emission e - offsets[s].
   */
  private ordinals: Int32Array | null;

  constructor(spec: RecordGraph<S, L>, withOrdinals = false) {
    this.ordinals = withOrdinals ? sharedArray(Int32Array, 4096) : null;
    this.tagOfLabel = spec.edgeTag;
    this.preds = spec.predicates;
    this.words = Math.ceil(spec.predicates.length / 32);
    this.bits = this.words === 0 ? new Uint32Array(0) : sharedArray(Uint32Array, 1024 * this.words);
  }

  /** The explorer starts expanding state `id`; the next edges are its. */
  beginState(id: number): void {
    if (id !== this.expanded) {
      throw new Error(`internal error: states expanded out of order (${id} after ${this.expanded - 1})`);
    }
    if (id + 1 >= this.offsets.length) this.offsets = grow(this.offsets, id + 2);
    this.offsets[id] = this.edges;
    this.expanded = id + 1;
  }

  edge(target: number, label: L, ordinal = -1): void {
    const e = this.edges++;
    if (e >= this.targets.length) {
      this.targets = grow(this.targets, e + 1);
      this.tags = grow(this.tags, e + 1);
    }
    if (this.ordinals !== null) {
      if (e >= this.ordinals.length) this.ordinals = grow(this.ordinals, e + 1);
      this.ordinals[e] = ordinal;
    }
    this.targets[e] = target;
    this.tags[e] = this.tagOfLabel(label);
  }

  /**
   * An edge whose tag is known already (the parallel explorer maps its threads' tags to this
   * recorder's numbering, `edgeTag` called in the order the edges come).
   */
  taggedEdge(target: number, tag: number): void {
    const e = this.edges++;
    if (e >= this.targets.length) {
      this.targets = grow(this.targets, e + 1);
      this.tags = grow(this.tags, e + 1);
    }
    this.targets[e] = target;
    this.tags[e] = tag;
  }

  /** The predicates' values on new state `index`, evaluated elsewhere: words src[at ..]. */
  predicateBits(index: number, src: Uint32Array<ArrayBufferLike>, at: number): void {
    const words = this.words;
    if (words === 0) return;
    const base = index * words;
    if (base + words > this.bits.length) this.bits = grow(this.bits, base + words);
    for (let w = 0; w < words; w++) this.bits[base + w] = src[at + w]!;
  }

  /** The tag of a label, as `edge` would store it. */
  tagOf(label: L): number {
    return this.tagOfLabel(label);
  }

  /** Evaluates the predicates on new state `index`; may throw the predicates' ModelError. */
  predicates(state: S, index: number): void {
    const words = this.words;
    if (words === 0) return;
    const base = index * words;
    if (base + words > this.bits.length) this.bits = grow(this.bits, base + words);
    const preds = this.preds;
    for (let i = 0; i < preds.length; i++) {
      if (preds[i]!(state)) this.bits[base + (i >>> 5)]! |= 1 << (i & 31);
    }
  }

  /**
   * As `predicates`, for an explorer: the ModelError a predicate throws (the search's fault at
   * that state) returned rather than thrown; undefined when they all evaluate.
   */
  predicatesFault(state: S, index: number): ModelError | undefined {
    try {
      this.predicates(state, index);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      return e;
    }
    return undefined;
  }

  finish(
    size: number,
    parents: Int32Array,
    trace: (id: number) => Trace<S, L>,
    replay: (from: S, ordinal: number, to: number) => { state: S; label: L },
  ): StateGraph<S, L> {
    if (this.expanded !== size) throw new Error(`internal error: ${size - this.expanded} states were not expanded`);
    if (size + 1 > this.offsets.length) this.offsets = grow(this.offsets, size + 1);
    this.offsets[size] = this.edges;
    const offsets = this.offsets.subarray(0, size + 1);
    const targets = this.targets.subarray(0, this.edges);
    const tags = this.tags.subarray(0, this.edges);
    const bits = this.bits;
    const words = this.words;
    const ordinals = this.ordinals;
    return {
      size,
      offsets,
      targets,
      tags,
      parents: parents.subarray(0, size),
      bytes: this.offsets.byteLength + this.targets.byteLength + this.tags.byteLength + bits.byteLength,
      holds: (s, i) => (bits[s * words + (i >>> 5)]! & (1 << (i & 31))) !== 0,
      path(start, edges) {
        const t = trace(start);
        let at = start;
        for (const e of edges) {
          if (e < offsets[at]! || e >= offsets[at + 1]!) throw new Error(`internal error: edge ${e} does not leave state ${at}`);
          const step = replay(t.states[t.states.length - 1]!, ordinals === null ? e - offsets[at]! : ordinals[e]!, targets[e]!);
          t.states.push(step.state);
          t.labels.push(step.label);
          at = targets[e]!;
        }
        return t;
      },
    };
  }
}

/**
 * The address space each array reserves at first (V8 reserves a growable buffer's most when it
 * makes it): up to there it doubles in place, only the added half fresh and nothing copied;
 * past it, it moves to a buffer that reserves 8 times its new size.
 */
const RESERVE_BYTES = 256 * 2 ** 20;

type IntArray = Int32Array | Uint32Array;

/**
 * `length` zeroed ints on a growable shared buffer reserving `reserve` bytes (fresh-pages.ts,
 * growableArray), or a plain array where none can be made.
 */
export function sharedArray<T extends IntArray>(make: new (b: ArrayBufferLike, at: number, n: number) => T, length: number, reserve = RESERVE_BYTES): T {
  return growableArray(make, length, reserve);
}

/** `a` doubled (at least `atLeast` long): in place when its buffer can grow so far, else copied. */
export function grow<T extends IntArray>(a: T, atLeast: number): T {
  let n = a.length * 2;
  while (n < atLeast) n *= 2;
  const inPlace = grownInPlace(a, n);
  if (inPlace !== undefined) return inPlace;
  const b = sharedArray(a.constructor as new (b: ArrayBufferLike, at: number, n: number) => T, n, 8 * 4 * n);
  b.set(a);
  return b;
}
