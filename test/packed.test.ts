import { describe, expect, it } from 'vitest';
import { configOverrides, constOverrides, loadSpec, runCheck, selectChecks } from '../src/engine/run.js';
import { checkSpec, type CheckedSpec } from '../src/lang/check.js';
import { compileSpec, type CompiledSpec, type Label, type State } from '../src/lang/compile.js';
import { parseSpec } from '../src/lang/parser.js';
import { compilePacked, PackedGaveUp, type PackedSpec } from '../src/lang/packed/index.js';
import { INTERPRETED_PREFIX } from '../src/engine/code-cache.js';
import { explore, type ExploreResult } from '../src/explore/index.js';
import { ModelError } from '../src/explore/system.js';
import { SpecErrors } from '../src/lang/diagnostics.js';
import { IList, valueEquals } from '../src/values/index.js';
import type * as A from '../src/lang/ast.js';
import { specFiles } from './support/spec-files.js';
import { sameSteppedSearch } from './support/stepped-search.js';

function sameLabel(a: Label, b: Label): boolean {
  return (
    a.action === b.action &&
    a.at === b.at &&
    a.params.length === b.params.length &&
    a.params.every((p, i) => p.name === b.params[i]!.name && valueEquals(p.value, b.params[i]!.value))
  );
}

function sameState(a: State, b: State): boolean {
  return a.length === b.length && a.every((v, i) => valueEquals(v, b[i]!));
}

/**
 * Explores both systems and expects the same figures, outcome, trace and error. Both stop at
 * the same state when a configuration has more than 20,000: the full counts of the larger
 * ones (Barriers, ReadersWriters) are compared with TLC's in test/tlaplus.test.ts.
 */
/** The spec's run on both engines, the packed engine taking it (expectSameRun, no deadlock check). */
function packedSameRun(spec: CheckedSpec): ExploreResult<State, Label> {
  const both = compileBoth(spec);
  if (!both.packed.ok) throw new Error(`the packed engine refused the spec: ${both.packed.reason}`);
  return expectSameRun(both.generic, both.packed.system, false);
}

function expectSameRun(generic: CompiledSpec, packed: PackedSpec, checkDeadlock: boolean): ExploreResult<State, Label> {
  const opts = { checkDeadlock, maxStates: 20_000 };
  const g = explore(generic, opts);
  const p = explore(packed, opts) as ExploreResult<number[], Label>;
  expect(p.stats.distinct).toBe(g.stats.distinct);
  expect(p.stats.generated).toBe(g.stats.generated);
  expect(p.stats.depth).toBe(g.stats.depth);
  expect(p.outcome.kind).toBe(g.outcome.kind);
  const go = g.outcome;
  const po = p.outcome;
  if (go.kind === 'invariant' && po.kind === 'invariant') expect(po.invariant).toBe(go.invariant);
  if ('trace' in go && 'trace' in po) {
    const gt = go.trace;
    const pt = po.trace;
    expect(pt.states.length).toBe(gt.states.length);
    pt.states.forEach((s, i) => expect(sameState(packed.decode(s), gt.states[i]!)).toBe(true));
    expect(pt.labels.length).toBe(gt.labels.length);
    pt.labels.forEach((l, i) => expect(sameLabel(l, gt.labels[i]!)).toBe(true));
  }
  if (go.kind === 'fault' && po.kind === 'fault') {
    expect(po.error).toBeInstanceOf(ModelError);
    expect(po.error.message).toBe(go.error.message);
    expect(po.error.kind).toBe(go.error.kind);
    expect(po.error.location).toEqual(go.error.location);
    if (go.error.label !== undefined) expect(sameLabel(po.error.label as Label, go.error.label as Label)).toBe(true);
  }
  return g;
}

interface Config {
  readonly file: string;
  readonly check: string;
  readonly spec: CheckedSpec;
  readonly overrides: Map<number, A.Expr>;
  readonly deadlock: boolean;
}

function configs(): Config[] {
  const out: Config[] = [];
  for (const file of [...specFiles('spec'), ...specFiles('test/fixtures')]) {
    let spec: CheckedSpec;
    try {
      spec = loadSpec(file).spec;
    } catch (err) {
      // Only the diagnostic fixtures are meant not to load; any other spec that fails to
      // load is a failure of this test, not a spec to skip.
      if (err instanceof SpecErrors && file.startsWith('test/fixtures/diagnostics/')) continue;
      throw err;
    }
    for (const check of selectChecks(spec, undefined)) {
      out.push({ file, check: check?.name ?? '-', spec, overrides: configOverrides(check, new Map()), deadlock: check?.decl.deadlock ?? true });
    }
  }
  return out;
}

function compileBoth(spec: CheckedSpec, overrides: ReadonlyMap<number, A.Expr> = new Map()) {
  const generic = compileSpec(spec, overrides);
  return { generic, packed: compilePacked(spec, overrides, generic) };
}

function fromText(text: string): CheckedSpec {
  return checkSpec(parseSpec({ path: 'packed-test.spex', text }));
}

describe('packed engine: the states it keeps (copyState)', () => {
  it('keeps a wide state with an unbounded Int in the narrowest array that holds it, exactly', () => {
    // 40 slots of small codes and one unbounded Int: bytes while the Int fits them, else 32 or
    // 64 bits a slot; each copy reads back every slot as the state had it.
    const spec = fromText(`spec Kept
type Cell = 1..40
var cells: Map[Cell, 0..200] = [c in Cell |-> 0]
var n: Int = 0
action Step {
  n := n + 1
}
`);
    const { packed } = compileBoth(spec);
    if (!packed.ok) throw new Error(packed.reason);
    const sys = packed.system;
    expect(sys.vectorNumbers).toBeUndefined();
    let first: number[] | undefined;
    sys.initialStates((v) => (first = [...v]));
    const at = first!.findIndex((_x, i) => sys.decode(first!.map((y, j) => (j === i ? 7 : y)))[1] === 7);
    expect(at).toBeGreaterThanOrEqual(0);
    const kinds: string[] = [];
    for (const [x, cell] of [[3, 200], [255, 0], [256, 9], [-5, 1], [70_000, 2], [2 ** 31, 3], [2 ** 40, 4], [-(2 ** 40), 5], [12, 6]] as const) {
      const v = first!.slice();
      v[at] = x;
      v[at === 0 ? 1 : 0] = cell;
      const copy = sys.copyState!(v);
      kinds.push(copy.constructor.name);
      expect([...copy], `n = ${x}`).toEqual(v);
    }
    expect(kinds).toEqual(['Uint8Array', 'Uint8Array', 'Int32Array', 'Int32Array', 'Int32Array', 'Float64Array', 'Float64Array', 'Float64Array', 'Uint8Array']);
  });
});

describe('packed engine', () => {
  const all = configs();
  const accepted: string[] = [];
  const rejected: string[] = [];
  const compiled = all.map((c) => {
    let generic: CompiledSpec;
    try {
      generic = compileSpec(c.spec, c.overrides);
    } catch (err) {
      // A run-time error in the constants, or a static error found compiling (E228): the
      // spec has nothing to compare.
      if (err instanceof ModelError || err instanceof SpecErrors) return undefined;
      throw err;
    }
    const r = compilePacked(c.spec, c.overrides, generic);
    (r.ok ? accepted : rejected).push(`${c.file} ${c.check}${r.ok ? '' : `: ${r.reason}`}`);
    return r.ok ? { c, generic, packed: r.system } : undefined;
  });

  it('accepts the benchmark and the finite example specs', () => {
    console.log(`accepted:\n  ${accepted.join('\n  ')}\nrejected:\n  ${rejected.join('\n  ')}`);
    for (const f of ['spec/bench/counter-grid.spex', 'spec/examples/diehard.spex', 'spec/examples/tcommit.spex', 'spec/examples/twophase.spex', 'spec/memcg/rfc-reparent-lrus.spex', 'test/fixtures/packed/wide-loops.spex']) {
      expect(accepted.some((a) => a.startsWith(f + ' '))).toBe(true);
    }
    expect(accepted.length).toBeGreaterThanOrEqual(10);
  });

  it.each(all.map((c, i) => [`${c.file} ${c.check}`, i] as const))('explores %s as the generic engine does', (_name, i) => {
    const x = compiled[i];
    if (!x) return;
    if (x.c.file.endsWith('int-set-ranges.spex')) {
      // Combines Int sets over different ranges: the packed engine gives up (and runCheck
      // redoes the run on the generic engine, test/cli.test.ts).
      expect(() => explore(x.packed, { checkDeadlock: x.c.deadlock })).toThrow(PackedGaveUp);
      return;
    }
    expectSameRun(x.generic, x.packed, x.c.deadlock);
  });

  // Wide states are fingerprinted from the slots their step wrote (stepFingerprint,
  // CodeGen.recordWrites): a write the generated code does not record would give a successor
  // its parent's fingerprint, a state silently lost. Every config, compiled with the recording
  // on whatever its width, every emission's fingerprint checked against the full function's.
  it('fingerprints every emission of every config from the slots its step wrote as in full', () => {
    let configs = 0;
    let emissions = 0;
    for (const x of compiled) {
      if (!x) continue;
      const n = sameSteppedSearch(x.c.spec, x.c.overrides, x.generic, x.packed, x.c.deadlock);
      configs++;
      emissions += n;
    }
    expect(configs).toBeGreaterThan(150);
    expect(emissions).toBeGreaterThan(100_000);
  });

  it('compiles the temporal properties of the specs that have some, and the predicates agree with the generic ones on every reachable state', () => {
    const withProps = compiled.filter((x) => x !== undefined && x.generic.properties.length > 0);
    for (const f of ['spec/examples/peterson.spex', 'spec/examples/intermittent.spex', 'spec/bench/counter-grid-live.spex', 'test/fixtures/temporal/lasso.spex', 'spec/memcg/reparent.spex']) {
      expect(withProps.some((x) => x!.c.file.endsWith(f) && x!.packed.predicates !== undefined)).toBe(true);
    }
    let compared = 0;
    for (const x of withProps) {
      const { generic, packed, c } = x!;
      if (packed.predicates === undefined) {
        expect(c.file).toMatch(/unpacked\.spex$/);
        expect(packed.predicatesReason).toBeTypeOf('string');
        continue;
      }
      const gpreds = generic.properties.flatMap((p) => (p.kind === 'general' ? p.atoms! : p.q ? [p.p, p.q] : [p.p]));
      expect(packed.predicates.length).toBe(gpreds.length);
      const outcome = (f: () => boolean): string => {
        try {
          return String(f());
        } catch (err) {
          if (err instanceof ModelError) return `error: ${err.message}`;
          throw err;
        }
      };
      // Breadth first over the packed system, to a few thousand states.
      const seen = new Set<string>();
      let frontier: number[][] = [];
      try {
        packed.initialStates((v) => frontier.push(packed.copyState!(v)));
        while (frontier.length > 0 && seen.size < 5000) {
          const next: number[][] = [];
          for (const v of frontier) {
            const key = v.join(',');
            if (seen.has(key)) continue;
            seen.add(key);
            const st = packed.decode(v);
            packed.predicates.forEach((f, i) => {
              const [p, g] = [outcome(() => f(v)), outcome(() => gpreds[i]!(st))];
              // expect() only where they differ: some 100,000 comparisons.
              if (p !== g) expect(p, `${c.file} ${c.check} predicate ${i} in ${key}`).toBe(g);
            });
            compared++;
            packed.successors(v, (t) => next.push(packed.copyState!(t)));
          }
          frontier = next;
        }
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  // Processes, compared with the generic engine with deadlocks checked (so isDone counts).
  const processes: [string, string, string][] = [
    [
      'labels, await, while, goto and process variables',
      'ok',
      `spec Procs
enum Node { a, b, c, d }
const Workers: Set[Node] = {b, d}
var lru: Map[Node, Set[0..2]] = [n in Node |-> if n == a then {} else {0, 2}]
var owner: Option[Node] = None
var moved: 0..12 = 0
process Worker(n in Workers) {
  var count: 0..6 = 0
  var seen: Set[0..2] = {}
  lock:  await owner == None
         owner := Some(n)
  scan:  while lru[n] != {} {
  move:    pick p in lru[n]
           lru[n] := lru[n] minus {p}
           lru[a] := lru[a] union {p}
           seen := seen union {p}
           count := (count + 1) % 13
           if count > 5 { goto unlock }
         }
  test:  if size(seen) < 2 {
           for q in seen { moved := min(moved + q, 12) }
           goto scan
         } else {
  late:    moved := min(moved + count, 12)
         }
  unlock: owner := None
}
process Refill {
  start: await Worker(b) at done or Worker(d) at test
         lru[b] := lru[b] union {1}
}
action Spill(n in Workers, x in 0..2) {
  require owner == None and x not in lru[n] and moved < 3
  lru[n] := lru[n] union {x}
}
invariant Owner: forall n in Workers: (owner == Some(n)) == (Worker(n) at scan or Worker(n) at move or Worker(n) at test or Worker(n) at late or Worker(n) at unlock)
invariant Done: (Refill at done) implies (forall n in Workers: not (Worker(n) at lock) or moved >= 0)
`,
    ],
    [
      'a deadlock before every instance is done',
      'deadlock',
      `spec Stuck
type Id = 0..2
var tokens: 0..2 = 2
process Taker(i: Id) {
  take: await tokens > 0
        tokens := tokens - 1
  keep: await tokens == 5
}
`,
    ],
    [
      'a process that runs to its end',
      'ok',
      `spec Finish
type Id = 1..3
var total: 0..10 = 0
process Adder(i: Id) {
  var mine: 0..3 = i
  add:  total := total + mine
  twice: if i == 2 and mine > 0 { mine := mine - 1
                     goto add }
}
invariant Bounded: total <= 7
`,
    ],
    [
      'an error in a process step',
      'fault',
      `spec StepFault
enum E { p, q, r }
var x: 0..1 = 0
process Inc(i in {p, r}) {
  go: x := x + 1
}
`,
    ],
    [
      'procedures: nested calls, a tail call, a valid end inside a procedure',
      'ok',
      `spec Calls
type Id = 1..2
var total: 0..9 = 0
var open: Bool = true
procedure add(n: 0..3) {
  var twice: Bool = n == 2
  step: total := total + n
        if twice {
          twice := false
          goto step
        }
}
procedure outer(n: 0..3) {
  first: call add(n)
  tail:  call add(1)
         return
}
procedure wait() {
  end rest: await not open
}
process W(i: Id) {
  go:   call outer(i)
  park: call wait()
}
process Closer {
  close: await total >= 5
         open := false
}
invariant Bounded: total <= 7
`,
    ],
    [
      'a deadlock inside a procedure',
      'deadlock',
      `spec StuckCall
var free: 0..1 = 1
procedure take() {
  grab: await free > 0
        free := free - 1
  hold: await free > 1
}
process T(i: 1..2) {
  go: call take()
}
`,
    ],
    [
      'a read of a variable of a process without instances',
      'fault',
      `spec NoInstance
enum T { t1, t2 }
const NONE: Set[T] = {}
var x: 0..2 = 0
process W(t in NONE) {
  var got: 0..2 = 0
  go: got := 1
}
process Main {
  run: x := 1
}
invariant Read: x == 0 or W(t1).got == 0
`,
    ],
    [
      // Each initial state is a vector of its own, into which a local of one value is written
      // where it is: locals of one value before, between and after locals of several choices.
      'initial states: locals of one value and of several, in turn',
      'ok',
      `spec InitLocals
var total: 0..40 = 0
process A(i: 1..2) {
  var fixed: 0..3 = 3
  var chosen: 0..3 in {0, i}
  var after: 0..3 = 2
  a: total := total + fixed + chosen + after
}
process B {
  var one: 0..3 = 1
  var two: 0..3 in {1, 2, 3}
  var three: 0..3 = 0
  b: total := total + one * two + three
}
invariant Sum: total <= 40
`,
    ],
  ];
  it.each(processes)('explores a spec with processes (%s) as the generic engine does', (_name, outcome, text) => {
    const spec = fromText(text);
    const { generic, packed } = compileBoth(spec);
    if (!packed.ok) throw new Error(`rejected: ${packed.reason}`);
    const g = expectSameRun(generic, packed.system, true);
    expect(g.outcome.kind).toBe(outcome);
    const sys = packed.system;
    // The same initial states, in the same order.
    const inits: State[] = [];
    generic.initialStates((st) => inits.push(st.slice()));
    const packedInits: State[] = [];
    sys.initialStates((v) => packedInits.push(sys.decode(v)));
    expect(packedInits.length).toBe(inits.length);
    packedInits.forEach((st, i) => expect(sameState(st, inits[i]!), `initial state ${i}`).toBe(true));
    // isDone agrees with the generic engine's on every reachable state.
    const seen = new Set<string>();
    let frontier: number[][] = [];
    let dones = 0;
    try {
      sys.initialStates((v) => frontier.push(sys.copyState!(v)));
      while (frontier.length > 0) {
        const next: number[][] = [];
        for (const v of frontier) {
          if (seen.has(v.join(','))) continue;
          seen.add(v.join(','));
          const d = sys.isDone!(v);
          expect(d).toBe(generic.isDone!(sys.decode(v)));
          if (d) dones++;
          // Emitted states are lent (copyState): keep copies.
          sys.successors(v, (t) => next.push(sys.copyState!(t)));
        }
        frontier = next;
      }
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
    }
    if (outcome === 'ok') expect(dones).toBeGreaterThan(0);
  });

  it('writes no text of the spec into the generated code, whatever its names', () => {
    // Names that are Object.prototype's properties and the generated code's own names: the
    // spec still runs, and none of its names appear in the source (which holds only internal
    // names and integer literals).
    const spec = fromText(`spec Zebra
enum Hue { constructor, __proto__, toString }
const emit: Int = 2
type s = 1..emit
var t: Map[s, Hue] = [x in s |-> constructor]
var H: Option[s] = None
var bail: 0..3 = 0
def valueOf(x: s): Bool = t[x] == __proto__
action W(x: s) {
  require H == None
  t[x] := if t[x] == constructor then __proto__ else toString
  H := Some(x)
}
action eval(x: s) {
  require H == Some(x)
  H := None
  bail := (bail + 1) % 4
}
invariant hasOwnProperty: forall x in s: not valueOf(x) or bail < 4
`);
    const { generic, packed } = compileBoth(spec);
    expect(packed.ok).toBe(true);
    if (!packed.ok) return;
    expectSameRun(generic, packed.system, true);
    const source = packed.system.source;
    for (const name of ['Zebra', 'Hue', 'constructor', '__proto__', 'toString', 'valueOf', 'eval', 'hasOwnProperty']) {
      expect(source).not.toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it('refuses recursive procedures, stacks deeper than their domain and frames of unbounded Int, naming the procedure', () => {
    const rec = compileBoth(loadSpec('test/fixtures/processes/procedures.spex').spec).packed;
    expect(rec.ok).toBe(false);
    if (!rec.ok) {
      expect(rec.reason).toMatch(/procedure 'climb' is recursive/);
      expect(rec.span?.start).toBeGreaterThan(0);
    }
    // Frames of 100,000 values: the domain holds one, and a calls b.
    const deep = compileBoth(
      fromText(`spec Deep
var y: 0..9999 = 0
procedure a(x: 0..9999) {
  s: call b(x)
  t: return
}
procedure b(x: 0..9999) {
  u: y := x
}
process P {
  go: call a(3)
}
`),
    ).packed;
    expect(deep.ok).toBe(false);
    if (!deep.ok) expect(deep.reason).toMatch(/procedure 'a' may stack 2 frames, and the packed engine encodes at most 1/);
    const wide = compileBoth(fromText('spec W\nvar y: Int = 0\nprocedure f(x: Int) {\n  s: y := x\n}\nprocess P {\n  go: call f(1)\n}\n')).packed;
    expect(wide.ok).toBe(false);
    if (!wide.ok) expect(wide.reason).toMatch(/call stack \(procedures 'f'\): unbounded Int/);
  });

  it('keeps copies of states in typed arrays, each its own, exact beyond 32 bits', () => {
    // x passes 2^32 on its third step: from there the kept states need 64-bit numbers. The
    // map makes the state wide enough to be kept as a typed array.
    const spec = fromText(
      'spec Wide\nvar x: Int = 0\nvar y: 0..2 = 0\nvar pad: Map[0..39, Bool] = [i in 0..39 |-> false]\n' +
        'action Grow { require x < 5 * 2000000000  x := x + 2000000000 }\n' +
        'action Turn { y := (y + 1) % 3 }\n',
    );
    const { generic, packed } = compileBoth(spec);
    if (!packed.ok) throw new Error(`rejected: ${packed.reason}`);
    const sys = packed.system;
    // Recording the state graph (as for temporal properties), the explorer keeps every level
    // as copies and expands them: a copy that lost bits would let x take more values.
    const p = explore(sys, { checkDeadlock: false, recordGraph: { edgeTag: () => -1, predicates: [] } }) as ExploreResult<number[], Label>;
    const g = explore(generic, { checkDeadlock: false, recordGraph: { edgeTag: () => -1, predicates: [] } });
    expect(p.stats.distinct).toBe(18);
    expect(g.stats.distinct).toBe(18);
    // Copies made from one working array, after it changed, each keep what it held.
    const copies: number[][] = [];
    sys.initialStates((v) => copies.push(sys.copyState!(v)));
    for (let i = 0; i < 5; i++) {
      sys.successors(copies[copies.length - 1]!, (t, l) => {
        if (l.action === 'Grow') copies.push(sys.copyState!(t));
      });
    }
    expect(copies.map((c) => sys.decode(c)[0])).toEqual([0, 2e9, 4e9, 6e9, 8e9, 1e10]);
    // x = 0 in bytes as the other slots, 2e9 in 32 bits, the rest in 64.
    expect((copies[0] as unknown) instanceof Uint8Array).toBe(true);
    expect((copies[1] as unknown) instanceof Int32Array).toBe(true);
    expect(copies.slice(2).every((c) => (c as unknown) instanceof Float64Array)).toBe(true);
  });

  it('runs state constraints as the generic engine does, their run-time errors included; refuses action constraints', () => {
    const base = `spec Cons
var x: Int = 0
var y: 0..3 = 0
var m: Map[0..3, 0..5] = [k in 0..3 |-> 0]
action IncX { x := x + 1 }
action IncY { y := (y + 1) % 4 }
action Bump { require m[y] < 5  m[y] := m[y] + 1 }
invariant Fine: x <= 10
`;
    for (const [constraints, outcome] of [
      // Inside: x at most 4 and at most 6 bumps in all.
      ['constraint Small: x <= 4\nconstraint FewBumps: m[0] + m[1] + m[2] + m[3] <= 6\n', 'ok'],
      // Division by zero once x reaches 3: the fault names the constraint, with its trace.
      ['constraint Small: x <= 4\nconstraint Odd: 12 / (3 - x) > 0\n', 'fault'],
    ] as const) {
      const { generic, packed } = compileBoth(fromText(base + constraints));
      if (!packed.ok) throw new Error(`rejected: ${packed.reason}`);
      expect(packed.system.inModel).toBeDefined();
      const g = expectSameRun(generic, packed.system, false);
      expect(g.outcome.kind).toBe(outcome);
      if (g.outcome.kind === 'fault') expect((g.outcome.error.location as { predicate?: string }).predicate).toBe("constraint 'Odd'");
      else expect(g.stats.distinct).toBeGreaterThan(100);
    }
    const action = compileBoth(fromText(base + 'constraint Small: x <= 4\naction constraint Slow: x\' - x <= 1\n'));
    expect(action.packed.ok).toBe(false);
    if (!action.packed.ok) expect(action.packed.reason).toBe('action constraints are not supported by the packed engine');
  });

  it('keeps states of small codes a byte a slot, and of codes to 65,535 two bytes', () => {
    // y climbs to the top code of its slot: 255 (the last a byte holds) or 256 (the first it
    // does not). The map makes the state wide enough to be kept as a typed array, and wider than
    // the explorer's copy of a state in one call.
    const wide = (top: number, pad: number) =>
      fromText(
        `spec Narrow\nvar y: 0..${top} = 0\nvar pad: Map[0..${pad}, 0..3] = [i in 0..${pad} |-> 0]\n` +
          `action Up { require y < ${top}  y := y + 1  pad[y % ${pad + 1}] := (pad[y % ${pad + 1}] + 1) % 4 }\n` +
          `invariant Below: y < ${top}\n`,
      );
    for (const [top, pad, kind] of [[255, 39, Uint8Array], [256, 39, Uint16Array], [255, 99, Uint8Array], [300, 99, Uint16Array]] as const) {
      const { generic, packed } = compileBoth(wide(top, pad));
      if (!packed.ok) throw new Error(`rejected: ${packed.reason}`);
      const sys = packed.system;
      // Kept copies: of the narrow type, the top code read back as it was.
      const copies: number[][] = [];
      sys.initialStates((v) => copies.push(sys.copyState!(v)));
      for (let i = 0; i < top; i++) sys.successors(copies[copies.length - 1]!, (t) => copies.push(sys.copyState!(t)));
      expect(copies.every((c) => (c as unknown) instanceof kind)).toBe(true);
      expect(copies.map((c) => sys.decode(c)[0])).toEqual(Array.from({ length: top + 1 }, (_, i) => i));
      // The levels of the search: the same run as the generic engine's, its trace to y = top
      // decoded state by state.
      const g = expectSameRun(generic, sys, false);
      expect(g.outcome.kind).toBe('invariant');
      expect(g.stats.depth).toBe(top + 1);
    }
  });

  it('encodes a call stack as the sequence of frames the generic engine holds', () => {
    const spec = loadSpec('test/fixtures/processes/procedures-flat.spex').spec;
    const { generic, packed } = compileBoth(spec);
    if (!packed.ok) throw new Error(`rejected: ${packed.reason}`);
    const sys = packed.system;
    // Every state of a few levels decodes to the generic state, and encodes back to itself.
    let frontier: number[][] = [];
    sys.initialStates((v) => frontier.push(sys.copyState!(v)));
    let stacks = 0;
    for (let level = 0; level < 8; level++) {
      const next: number[][] = [];
      for (const v of frontier) {
        const st = sys.decode(v);
        // A kept copy is a typed array (copyState); encode gives an array of the same numbers.
        expect(sys.encode(st)).toEqual(Array.from(v));
        const g: State[] = [];
        generic.successors(st, (t) => g.push(t.slice()));
        const p: State[] = [];
        sys.successors(v, (t) => {
          p.push(sys.decode(t));
          next.push(sys.copyState!(t));
        });
        expect(p.length).toBe(g.length);
        p.forEach((x, i) => expect(sameState(x, g[i]!)).toBe(true));
        stacks += st.filter((x) => IList.isList(x) && x.size > 1).length;
      }
      frontier = next.slice(0, 200);
    }
    // Nested calls were met: stacks of two frames.
    expect(stacks).toBeGreaterThan(0);
  });

  it('takes thousands of requires and awaits in a row, each run a block left at its first false guard, as the generic engine runs them', () => {
    // 3,000 guards in a row in an action and in a process, past the 1,000 statements one step
    // may nest: the run is one block, not an `if` nested in the one before. The last guard of
    // each run divides by zero if it is reached after a false one.
    const run = (n: number, kw: string, cond: string): string => Array.from({ length: n }, (_, i) => `  ${kw} ${cond.replace('I', String(i % 5))}`).join('\n');
    const spec = fromText(`spec ManyGuards
var x: 0..4 = 0
var y: 0..4 = 0
action Up {
${run(3000, 'require', 'x + I >= 0')}
  require x < 4
  require 12 / (4 - x) > 0
  x := x + 1
}
process P {
  a: await y < x
${run(3000, 'await', 'y + I >= 0')}
     await 12 / (x - y) > 0
     y := y + 1
     goto a
}
`);
    const g = packedSameRun(spec);
    expect(g.stats.distinct).toBe(15);
  });

  it('takes thousands of assignments in a row, each run one block, as the generic engine runs them', () => {
    // 1,500 assignments in a row in an action and in a process (a line repeated, as a fuzz
    // mutant of internalmemory.spex had 2,900), past the 1,000 statements one step may nest;
    // a variable assigned again in the run, a map entry, and values read from the writes
    // before them; the last of each run divides by zero in some states.
    const run = (n: number, stmt: (i: number) => string): string => Array.from({ length: n }, (_, i) => `  ${stmt(i)}`).join('\n');
    const spec = fromText(`spec ManyAssignments
type K = 0..2
var x: 0..4 = 0
var y: 0..4 = 0
var m: Map[K, 0..4] = [k in K |-> 0]
action Up {
  require x < 4
${run(1500, (i) => (i % 3 === 0 ? `m[${i % 2}] := (m[${i % 2}] + x) % 5` : i % 3 === 1 ? 'y := (y + 1) % 5' : 'y := (y + 4) % 5'))}
  x := (x + 12 / (4 - y)) % 5
}
process P {
  a: await y < 4
${run(1500, (i) => (i % 2 === 0 ? '   m[2] := (m[2] + 1) % 5' : '   m[2] := (m[2] + 4) % 5'))}
     y := y + 1
     goto a
}
`);
    const g = packedSameRun(spec);
    // The division by zero, once y reaches 4 before Up: the same fault, trace and counts.
    expect(g.outcome.kind).toBe('fault');
    expect([g.stats.distinct, g.stats.generated]).toEqual([24, 35]);
  });

  it('compiles the rest of a step once for the branchings of an unrolled loop, not once per path', () => {
    // Nine iterations of a body with three branchings of two: repeated in every branch, the
    // rest of the step had 8^9 copies and the spec was refused as too much code.
    const spec = fromText(`spec Blowup
type I = 0..2
type O = Lo | Hi(0..2)
var m: Map[I, Map[I, 0..6]] = [a in I |-> [b in I |-> 0]]
var o: O = Lo
var n: 0..3 = 0
action go {
  require n < 3
  n := n + 1
  for a in I {
    for b in I {
      let w = a + b
      match o {
        Lo => { m[a][b] := min(6, w) }
        Hi(k) => { m[a][b] := min(6, w + k) }
      }
      either { o := Hi(min(2, w)) } or { o := o }
      if w > 2 { m[b][a] := 1 } else { m[b][a] := 2 }
    }
  }
}
invariant Small: m[0][0] < 6
`);
    const g = packedSameRun(spec);
    expect(g.outcome.kind).toBe('ok');
    expect(g.stats.generated).toBeGreaterThan(g.stats.distinct);
  });

  it('joins the branches of a long step: each branch\'s writes are seen after it, and undone before the next branch', () => {
    // A loop of ifs over a type of 12 values (4,096 paths), then a step that reads what the
    // branches wrote, with an either after it (each of its branches starts from the state the
    // ifs made), and a match whose arms write before the same rest.
    const spec = fromText(`spec Joins
type P = 0..11
var on: Map[P, Bool] = [p in P |-> false]
var count: 0..12 = 0
var last: 0..12 = 0
type Tag = T0 | T1 | T2
var tag: Tag = T0
process W {
  var seen: 0..12 = 0
  a: either { on[0] := true } or { on[3] := true
                                     on[7] := true } or { }
  b: for p in P {
       if on[p] {
         count := (count + 1) % 13
         on[p] := false
       } else {
         seen := if seen < 12 then seen + 1 else seen
       }
     }
     last := count
     match tag {
       T0 => { tag := T1 }
       T1 => { tag := T2 }
       T2 => { tag := T0 }
     }
     either { count := 0 } or { }
     if last > 0 { goto a }
  c: await false
}
invariant Counted: last <= 12
`);
    const g = packedSameRun(spec);
    expect(g.outcome.kind).toBe('ok');
    expect(g.stats.distinct).toBeGreaterThan(10);
  });

  it('assigns a field of a record held in one slot, nested too, as the generic engine does', () => {
    // DiningPhilosophers' forks[f].clean := false and InnerFIFO's ch.ack := 1 - ch.ack were
    // refused; here a map of one-slot records, a nested field, and a value out of range.
    const spec = fromText(`spec Fields
type F = 0..2
type Pos = { x: 0..3, y: 0..2 }
type Fork = { holder: F, p: Pos, clean: Bool, q: Pos }
var forks: Map[F, Fork] = [f in F |-> { holder: f, p: { x: 0, y: 0 }, clean: true, q: { x: 0, y: 0 } }]
var ch: { val: 0..1, ack: 0..1 } = { val: 0, ack: 0 }
action Take(f: F, h: F) {
  require forks[f].clean
  forks[f].holder := h
  forks[f].clean := false
}
action Clean(f: F) {
  require not forks[f].clean
  forks[f].clean := true
  forks[f].p.x := (forks[f].p.x + 1) % 4
  forks[f].q.x := (forks[f].q.x + 3) % 4
}
action Move(f: F) {
  require forks[f].p.x == 3 and forks[f].q.x == 1
  forks[f].q.y := (forks[f].q.y + 1) % 3
  forks[f].p.y := forks[f].p.y + 1
}
action Ack {
  ch.ack := 1 - ch.ack
  ch.val := ch.ack
}
`);
    const g = packedSameRun(spec);
    // p.y goes past 2: the generic engine's fault, trace and counts.
    expect(g.outcome.kind).toBe('fault');
    expect(g.stats.distinct).toBeGreaterThan(100);
  });

  it('leaves an invariant or a constraint it cannot compile to the generic engine, on decoded states, and runs the rest packed', () => {
    // A recursive definition of an argument it cannot tabulate: the packed engine does not
    // compile it. The whole spec ran on
    // the generic engine for it; now only those predicates do, with the same verdicts, errors,
    // counts and traces.
    const text = (inv: string, cons: string): string => `spec Fallback
var a: 0..7 = 0
var b: 0..7 = 5
def tri(k: Int): Int = if k <= 0 then 0 else k + tri(k - 1)
action IncA {
  require a < 7
  a := a + 1
}
action Swap {
  a := b
  b := a
}
invariant Plain: a + b <= 14
invariant Triangle: ${inv}
${cons === 'true' ? '' : `constraint Bounded: ${cons}`}
check OnlyPlain {
  only Plain
}
`;
    const cases: [string, string, string][] = [
      ['tri(a + b) <= 105', 'tri(a + b) < 200', 'ok'],
      ['tri(a + b) < 78', 'true', 'invariant'],
      ['12 / (tri(a + b) - 21) != 5', 'true', 'fault'],
      ['true', 'tri(a + b) < 50', 'ok'],
      ['true', '12 / (tri(a + b) - 21) > -100', 'fault'],
    ];
    for (const [inv, cons, outcome] of cases) {
      const spec = fromText(text(inv, cons));
      const both = compileBoth(spec);
      if (!both.packed.ok) throw new Error(both.packed.reason);
      expect(both.packed.system.onGeneric.map((g) => `${g.kind} ${g.name}`)).toEqual([...(inv === 'true' ? [] : ['invariant Triangle']), ...(cons === 'true' ? [] : ['constraint Bounded'])]);
      for (const g of both.packed.system.onGeneric) expect(g.reason).toBe(`${g.kind} '${g.name}': recursive definition 'tri' is not supported by the packed engine`);
      const g = expectSameRun(both.generic, both.packed.system, false);
      expect(g.outcome.kind, `${inv} / ${cons}`).toBe(outcome);
    }
    // Through runCheck: the packed engine runs, its reason names the invariant; a check whose
    // \`only\` leaves the invariant out has nothing on the generic engine.
    const spec = fromText(text('tri(a + b) < 78', 'true'));
    const all = runCheck(spec, undefined, new Map(), { workers: 1 });
    expect(all.engine).toBe('packed');
    expect(all.engineReason).toMatch(/^the packed engine ran, the generic engine evaluating on decoded states what it cannot compile: invariant 'Triangle': /);
    expect(all.verdict).toMatchObject({ kind: 'violation', name: 'Triangle' });
    // On worker threads, which compile the spec each: the same verdict and trace.
    const eager = process.env['SPEX_WORKERS_EAGER'];
    process.env['SPEX_WORKERS_EAGER'] = '1';
    try {
      const threads = runCheck(spec, undefined, new Map(), { workers: 2, workersChosen: true });
      expect(threads.threads?.threads).toBe(2);
      expect(threads.engine).toBe('packed');
      expect(threads.verdict).toEqual(all.verdict);
      const trace = (r: typeof all) => (r.result!.outcome as { trace: { states: unknown[] } }).trace.states.length;
      expect(trace(threads)).toBe(trace(all));
    } finally {
      if (eager === undefined) delete process.env['SPEX_WORKERS_EAGER'];
      else process.env['SPEX_WORKERS_EAGER'] = eager;
    }
    const plain = runCheck(spec, selectChecks(spec, 'OnlyPlain')[0], new Map(), { workers: 1 });
    expect(plain.engine).toBe('packed');
    expect(plain.engineReason).toBeUndefined();
    expect(plain.verdict.kind).toBe('ok');
  });

  it('chooses an element of a range of Int bounds as itself, compared, added, indexed and assigned as the generic engine does', () => {
    // The packed engine took the element's code in the range's domain, which an Int range has
    // not: \`choose i in 0..len(s) - 1: ...\` was the domain's lowest value, -(2^53 - 1), and a
    // comparison with it was false where the generic engine's was true (no violation found).
    const spec = fromText(`spec Choose
var s: Seq[0..3] = [1, 2, 3]
var x: 0..5 = 0
var y: 0..5 = 0
var n: 0..3 = 0
def indexOf(v: Int): Int = choose i in 0..len(s) - 1: s[i] == v
def low: Int = choose i in -2..len(s): i * i == 4
action Compare {
  require n == 0
  if indexOf(3) > 1 {
    x := 1
  }
  n := 1
}
action Arith {
  require n == 1
  y := indexOf(2) + 2 + low
  n := 2
}
action Index {
  require n == 2
  s[indexOf(1)] := s[indexOf(3)]
  x := indexOf(3) + low + 2
  n := 3
}
invariant Small: x + y < 4
`);
    // x = 1; y = 1 + 2 - 2 = 1; s[0] = 3 and x = 2 - 2 + 2 = 2: x + y = 3, then Small holds,
    // and the last state is a deadlock (checked).
    const both = compileBoth(spec);
    if (!both.packed.ok) throw new Error(both.packed.reason);
    const g = expectSameRun(both.generic, both.packed.system, true);
    expect(g.outcome.kind).toBe('deadlock');
    expect(g.stats.distinct).toBe(4);
    const violated = packedSameRun(fromText(`spec C
var s: Seq[0..3] = [1, 2, 3]
var x: 0..5 = 0
action A {
  require x == 0
  x := (choose i in 0..len(s) - 1: s[i] == 3) + 1
}
invariant NotThree: x != 3
`));
    expect(violated.outcome.kind).toBe('invariant');
  });

  it('assigns an element of a sequence, and a field of one, as the generic engine does', () => {
    // q[i] := x was refused (q := q with [i] = x was not); here sequences of records in a map,
    // a field of an element, and an index past the end.
    const spec = fromText(`spec Elems
type P = 0..1
enum Op { Rd, Wr, Done }
type Entry = { op: Op, v: 0..2 }
var q: Map[P, Seq[Entry]] = [p in P |-> [{ op: Rd, v: 0 }, { op: Wr, v: 1 }]]
var s: Seq[0..3] = [0, 0, 0]
var n: 0..4 = 0
action Set(p: P, i: 0..1) {
  require q[p][i].op != Done
  q[p][i].op := Done
  q[p][i].v := (q[p][i].v + 1) % 3
}
action Reset(p: P) {
  require q[p][0].op == Done and q[p][1].op == Done
  q[p][1] := { op: Rd, v: q[p][0].v }
}
action Bump(i: 0..2) {
  s[i] := (s[i] + i + 1) % 4
}
action Far {
  require s[0] == 3
  n := n + 1
  s[n] := 1
}
`);
    const g = packedSameRun(spec);
    // s[n] with n = 3: past the end of s, the generic engine's fault, trace and counts.
    expect(g.outcome.kind).toBe('fault');
    expect(g.stats.distinct).toBeGreaterThan(100);
  });

  it('looks a constant map up at run time through a table, as the generic engine does', () => {
    // ParReach's Succ[v] was refused (a map is not a value the packed engine codes); here a
    // map of sets, one of records built by a comprehension, and a partial map whose missing
    // key is the generic engine's error.
    const spec = fromText(`spec Tables
type Node = 0..4
const Succ: Map[Node, Set[Node]] = [n in Node |-> {(n + 1) % 5, (n + 2) % 5}]
const Weight: Map[Node, { w: 0..9, odd: Bool }] = [n in Node |-> { w: n * 2, odd: n % 2 == 1 }]
const Partial: Map[Node, 0..3] = {0 -> 1, 1 -> 3}
var seen: Set[Node] = {0}
var here: Node = 0
var total: 0..60 = 0
action Step(n in Succ[here]) {
  here := n
  seen := seen union Succ[n]
  total := if Weight[n].odd then total else (total + Weight[n].w) % 60
}
action Jump {
  require size(seen) == 5
  here := Partial[here]
}
`);
    const g = packedSameRun(spec);
    // Partial[here] for a node past 1: the generic engine's fault, trace and counts.
    expect(g.outcome.kind).toBe('fault');
    expect(g.stats.distinct).toBeGreaterThan(10);
  });

  it('compiles only the branch a constant condition takes', () => {
    // The other branch holds what the packed engine cannot compile (a \`for\` over a set it
    // cannot enumerate): never run, it does not send the spec to the generic engine.
    const spec = fromText(`spec Folded
const MODE: Int = 1
var x: 0..3 = 0
var y: 0..40 = 0
action A {
  if MODE == 2 {
    for v in { z in 0..40 | z > y } { y := (y + v) % 41 }
  } else { x := (x + 1) % 4 }
}
`);
    expect(packedSameRun(spec).stats.distinct).toBe(4);
    const other = compileBoth(fromText(spec.ast.source.text.replace('MODE: Int = 1', 'MODE: Int = 2'))).packed;
    expect(other.ok).toBe(false);
  });

  it('refuses a spec whose generated code is past its limit with a reason', () => {
    // A process of 5,000 instances: its steps are compiled per instance.
    const r = compileBoth(
      fromText(`spec Many
type T = 0..4999
var x: Map[T, 0..3] = [t in T |-> 0]
process W(t in T) {
  a: either { x[t] := 1 } or { x[t] := 2 } or { x[t] := 3 }
  b: if x[t] == 1 { x[t] := 0 } else { x[t] := 3 }
     goto a
}
`),
    ).packed;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/the spec generates too much code for the packed engine/);
  });

  it('rejects sequences and sets of unbounded integers with a reason', () => {
    const seq = compileBoth(fromText('spec S\nvar q: Seq[Int] = []\naction A { q := append(q, 1) }\n')).packed;
    expect(seq.ok).toBe(false);
    if (!seq.ok) expect(seq.reason).toMatch(/unbounded Int/);
    const seqs = compileBoth(fromText('spec S\nvar q: Set[Seq[Bool]] = {}\naction A { q := q union {[true]} }\n')).packed;
    expect(seqs.ok).toBe(false);
    if (!seqs.ok) expect(seqs.reason).toMatch(/sets of sequences/);
    const set = compileBoth(fromText('spec S\nvar q: Set[Int] = {}\naction A { q := q union {1} }\n')).packed;
    expect(set.ok).toBe(false);
    if (!set.ok) expect(set.reason).toMatch(/unbounded Int/);
  });

  const faults: [string, string][] = [
    [
      'division by a variable that becomes 0',
      `spec Div
var d: 0..3 = 3
var q: 0..10 = 0
action Dec { require d > 0
  d := d - 1 }
action Share { q := 6 / d }
`,
    ],
    [
      'the head of an empty sequence',
      `spec Head
var q: Seq[0..2] = [1, 2]
var h: 0..2 = 0
action Pop { h := head(q)
  q := tail(q) }
`,
    ],
    [
      'an index beyond a sequence',
      `spec Index
var q: Seq[0..2] = [1]
var i: 0..3 = 0
action Step { require i < 3
  i := i + 1 }
action Peek { q := q with [i] = 2 }
`,
    ],
    [
      'an assignment outside its range',
      `spec Range
var n: 0..2 = 0
var flag: Bool = false
action Flip { flag := not flag }
action Inc { n := n + 1 }
`,
    ],
    [
      'a key outside a map',
      `spec Key
var i: 0..4 = 0
var m: Map[0..2, Bool] = [k in 0..2 |-> false]
action Step { require i < 4
  i := i + 1 }
action Set { m[i] := true }
`,
    ],
    [
      'a failed assert in a pick',
      `spec Assert
enum Color { red, green, blue }
var seen: Set[Color] = {}
action See { pick c in Color where c not in seen
  assert c != blue, "blue seen"
  seen := seen union {c} }
`,
    ],
    [
      'an error inside an invariant',
      `spec InvErr
var k: 0..3 = 3
action Down { require k > 0
  k := k - 1 }
invariant Ratio: 12 % k >= 0
`,
    ],
    [
      'an assignment outside its range in a later iteration of a for',
      `spec ForFault
var s: Set[0..3] = {}
var n: 0..4 = 0
action Add(x in 0..3) { require x not in s
  s := s union {x} }
action Count { require n == 0
  for x in s { n := n + x } }
`,
    ],
  ];
  it.each(faults)('reports %s as the generic engine does', (_name, text) => {
    const spec = fromText(text);
    const { generic, packed } = compileBoth(spec);
    expect(packed.ok).toBe(true);
    if (!packed.ok) return;
    const g = explore(generic, { checkDeadlock: false });
    expect(g.outcome.kind).toBe('fault');
    expectSameRun(generic, packed.system, false);
  });

  // Constructs beyond the example specs, each compared with the generic engine.
  const extra: [string, string][] = [
    [
      'records, tuples, options and matches',
      `spec Rec
type Pid = 1..2
type Msg = Req(Pid) | Ack(Pid) | Stop
var chan: Set[Msg] = {}
var last: Option[Msg] = None
var pair: (0..2, Bool) = (0, false)
var info: { count: 0..3, owner: Option[Pid] } = { count: 0, owner: None }
action Send(p: Pid) { require size(chan) < 3
  chan := chan union {Req(p)} }
action Reply(m in chan) {
  match m {
    Req(p) => { chan := (chan minus {m}) union {Ack(p)}
                info := info with { owner: Some(p) } }
    Ack(p) => { chan := chan minus {m}
                last := Some(m) }
    Stop => { chan := {} }
  }
}
action Bump { require pair.0 < 2
  pair := (pair.0 + 1, not pair.1)
  info := { count: min(info.count + 1, 3), owner: info.owner } }
invariant OwnerKnown: info.owner is Some implies (exists p in Pid: info.owner == Some(p))
invariant AcksFew: size({m in chan | m is Ack}) <= 2
`,
    ],
    [
      'integer sets, quantifiers, sums, choose and ifs',
      `spec Ints
const K: Int = 4
var s: Set[0..5] = {0}
var total: 0..30 = 0
var hi: 0..5 = 0
action Add(x in 0..K) { require x not in s
  s := s union {x}
  if x > hi { hi := x } else { hi := hi }
  total := sum y in s: y }
action Drop { require size(s) > 1
  let m = choose y in s: forall z in s: y <= z
  s := s minus {m}
  total := total - m }
action Halve(x in s) { require x % 2 == 0 and x > 0
  s := (s minus {x}) union {x / 2}
  total := sum y in s: y }
invariant Max: s == {} or max(s) <= 5
invariant Total: total == (sum y in s: y)
invariant Ranged: forall y in s: y in 0..K
`,
    ],
    [
      'unbounded integers beyond 32 bits',
      `spec Big
var x: Int = 1
var y: Int = -3
var m: Map[0..1, Int] = [k in 0..1 |-> 0]
action Grow { require x < 4000000000000
  x := x * 7 }
action Shrink { require y > -4000000000000
  y := y * 5 - 1
  m[0] := y / 3 }
invariant Signs: x > 0 and y < 0 and m[0] <= 0
`,
    ],
    [
      'maps of maps and whole-map assignment',
      `spec Maps
enum Node { a, b, c }
var votes: Map[Node, Map[Node, Bool]] = [n in Node |-> [m in Node |-> false]]
var count: Map[Node, 0..3] = [n in Node |-> 0]
action Vote(x: Node, y: Node) { require not votes[x][y]
  votes[x][y] := true
  count[y] := count[y] + 1 }
action Reset { require forall n in Node: count[n] == 3
  count := [n in Node |-> 0]
  votes := [n in Node |-> [m in Node |-> false]] }
invariant Consistent: forall y in Node: count[y] == size({x in Node | votes[x][y]})
`,
    ],
    [
      'for loops over set expressions and ranges',
      `spec Loops
type Big = 0..19
var s: Set[0..3] = {1, 3}
var t: Set[0..3] = {}
var acc: 0..12 = 0
var n: 0..3 = 1
var big: Set[Big] = {}
action Drain {
  for x in s {
    s := s minus {x}
    t := t union {x}
    acc := min(acc + x + size(s), 12)
  }
}
action Spread(x in 0..3) { require x not in s
  s := s union {x} }
action Pick {
  for x in s union t {
    require acc < 11
    pick y in {x, 3} where y >= x
    acc := min(acc + y, 12)
  }
}
action Count {
  for i in 1..n {
    for j in {k in s | k >= i} {
      if j % 2 == 0 { acc := acc } else { acc := min(acc + 1, 12) }
    }
  }
  n := (n + 1) % 4
}
action Wide {
  for b in Big {
    if b % 7 == n { big := big union {b} } else { big := big minus {b} }
  }
}
invariant Small: acc <= 12
`,
    ],
    [
      'sequences',
      `spec Seqs
type V = 0..2
type W = 2..2
var q: Seq[V] = []
var r: Seq[V] = [1]
var h: 0..3 = 3
var eq: Bool = false
def pair(x: V): Seq[V] = [x, x]
def twice(w: W): Seq[V] = pair(w)
action Push(x in V) {
  require len(q) < 2
  q := append(q, x)
}
action Pop {
  require q != []
  h := head(q)
  q := tail(q)
}
action Cat {
  require len(q) + size(r) <= 3
  r := concat(r, q)
}
action Idx {
  require len(q) >= 2
  q := q with [1] = q[0]
  eq := q == [q[0], q[0]] or [q[0]] == tail(q)
}
action Lit {
  require len(r) > 2
  r := if q == [] then pair(2) else [head(q), 0]
}
process Worker(w in W) {
  var todo: Seq[V] = []
  start: todo := twice(w)
  work:  while todo != [] {
  step:    todo := tail(todo)
         }
}
invariant Bounded: len(r) <= 4 and (q == [] or q[0] in V)
`,
    ],
  ];
  it.each(extra)('explores a spec with %s as the generic engine does', (_name, text) => {
    const spec = fromText(text);
    const { generic, packed } = compileBoth(spec);
    if (!packed.ok) throw new Error(`rejected: ${packed.reason}`);
    const g = expectSameRun(generic, packed.system, false);
    expect(g.outcome.kind).toBe('ok');
    expect(g.stats.distinct).toBeGreaterThan(20);
  });

  it('compares whole types as sets, and the keys of map variables, of any size, as the generic engine does', () => {
    // Proc has more elements than a set code holds: no domain to compare codes in, so the
    // comparison is made when compiling (a map variable holds every key of its type).
    const text = (inv: string) => `spec Keys
type Proc = 1..40
type Same = 1..40
type Other = 2..41
type Small = 1..39
enum Color { red, green, blue }
var ctl: Map[Proc, 0..1] = [p in Proc |-> 0]
var done: Map[Same, Bool] = [p in Same |-> false]
var flag: Map[Color, Bool] = [c in Color |-> false]
action Flip(p: 1..2) {
  ctl[p] := 1 - ctl[p]
  done[p] := not done[p]
}
action Paint(c: Color) { flag[c] := not flag[c] }
invariant Inv: ${inv}
`;
    for (const [inv, holds] of [
      ['keys(ctl) == Proc', true],
      ['keys(ctl) == keys(done)', true],
      ['Proc == Same', true],
      ['keys(flag) == Color', true],
      ['keys(ctl) == Other', false],
      ['keys(ctl) == Small', false],
      ['Proc != Same', false],
      ['keys(done) != Proc', false],
    ] as const) {
      const spec = fromText(text(inv));
      const { generic, packed } = compileBoth(spec);
      expect(packed.ok ? undefined : packed.reason, inv).toBeUndefined();
      if (!packed.ok) continue;
      const g = expectSameRun(generic, packed.system, false);
      expect(g.outcome.kind, inv).toBe(holds ? 'ok' : 'invariant');
      if (holds) expect(g.stats.distinct, inv).toBe(32);
    }
  });

  it('gives up on a sequence longer than its domain holds, and runCheck redoes the run on the generic engine', () => {
    const spec = fromText('spec Grow\nvar q: Seq[0..0] = []\naction Push {\n  require len(q) < 20\n  q := append(q, 0)\n}\n');
    const { generic, packed } = compileBoth(spec);
    if (!packed.ok) throw new Error(`rejected: ${packed.reason}`);
    expect(() => explore(packed.system, { checkDeadlock: false })).toThrow(PackedGaveUp);
    const auto = runCheck(spec, undefined, new Map(), { deadlock: false, workers: 1 });
    const gen = runCheck(spec, undefined, new Map(), { deadlock: false, workers: 1, engine: 'generic' });
    expect(auto.engine).toBe('generic');
    expect(gen.engine).toBe('generic');
    expect(auto.verdict).toEqual(gen.verdict);
    expect(auto.result!.stats.distinct).toBe(gen.result!.stats.distinct);
    expect(auto.result!.stats.generated).toBe(gen.result!.stats.generated);
    expect(auto.result!.stats.depth).toBe(gen.result!.stats.depth);
    expect(gen.result!.stats.distinct).toBe(21);
    expect(explore(generic, { checkDeadlock: false }).stats.distinct).toBe(21);
  });

  it('encodes and decodes every reachable state of twophase N=3', () => {
    const { spec } = loadSpec('spec/examples/twophase.spex');
    const overrides = constOverrides(spec, ['N=3']);
    const { generic, packed } = compileBoth(spec, overrides);
    expect(packed.ok).toBe(true);
    if (!packed.ok) return;
    const sys = packed.system;
    const seen = new Map<string, number[]>();
    let frontier: number[][] = [];
    sys.initialStates((s) => frontier.push(sys.copyState!(s)));
    for (const s of frontier) seen.set(s.join(','), s);
    while (frontier.length > 0) {
      const next: number[][] = [];
      for (const s of frontier) {
        sys.successors(s, (t) => {
          const k = t.join(',');
          if (!seen.has(k)) {
            const kept = sys.copyState!(t);
            seen.set(k, kept);
            next.push(kept);
          }
        });
      }
      frontier = next;
    }
    expect(seen.size).toBe(288);
    const fps = new Set<string>();
    const out = new Uint32Array(2);
    for (const v of seen.values()) {
      const state = sys.decode(v);
      expect(sys.encode(state)).toEqual(Array.from(v));
      // Decoded states are the generic engine's: it gives them the same successors.
      let n = 0;
      generic.successors(state, () => n++);
      let m = 0;
      sys.successors(v, () => m++);
      expect(m).toBe(n);
      sys.fingerprint(v, out);
      fps.add(`${out[0]}:${out[1]}`);
    }
    expect(fps.size).toBe(288);
  });
});

describe('packed engine: a step too large for V8 to optimise', () => {
  it('is declared for the interpreter alone (INTERPRETED_PREFIX) and runs as the generic engine does', () => {
    // 2 x 1,001 statements in one action: its function is over INTERPRETED_CHARS, and its name
    // keeps V8's baseline compiler off it (src/engine/code-cache.ts); the others keep theirs.
    const twice = '  m[c] := (m[c] + 1) % 4\n  q[turn] := (q[turn] + c) % 6\n';
    const spec = fromText(`spec Huge
type Cell = 0..3
var m: Map[Cell, 0..3] = [c in Cell |-> 0]
var q: Seq[0..5] = [0, 0, 0]
var turn: 0..3 = 0
action Big(c: Cell) {
  require turn < 3
${twice.repeat(1001)}  turn := turn + 1
}
action Again {
  require turn == 3
  turn := 0
}
invariant NotEveryCell: not (m[1] == 1 and m[2] == 1 and m[3] == 1)
`);
    const both = compileBoth(spec);
    if (!both.packed.ok) throw new Error(both.packed.reason);
    const source = both.packed.system.source;
    expect(both.packed.system.largestFunction).toBeGreaterThan(128 * 1024);
    expect(source).toContain(`function ${INTERPRETED_PREFIX}A0(s, emit) {`);
    expect(source).toContain(`const A0 = ${INTERPRETED_PREFIX}A0;`);
    for (const small of ['A1(s, emit)', 'I0(s)', 'init1(s, emit)']) expect(source).toContain(`function ${small} {`);
    expect(source.split(INTERPRETED_PREFIX).length - 1).toBe(2);
    // Each Big adds 1,001 to m[c] (1 mod 4): the invariant fails after Big(1), Big(2), Big(3).
    const g = expectSameRun(both.generic, both.packed.system, true);
    expect(g.outcome.kind).toBe('invariant');
    expect(g.stats.depth).toBe(4);
  });

  it("a process's step is for the interpreter alone when one of its cases is that large, not when all of them together are", () => {
    // W's label `a` runs 1,402 statements (some 135 KB of code); V's two labels 1,002 each (96 KB
    // a case, 193 KB for the function): V's step runs one case a call, after a chain of
    // comparisons that V8's baseline code runs faster.
    const run = (v: string, n: number): string => `     m[${v}] := (m[${v}] + 1) % 4\n     q[0] := (q[0] + ${v}) % 6\n`.repeat(n);
    const both = compileBoth(
      fromText(`spec HugeProcesses
type Cell = 0..3
var m: Map[Cell, 0..3] = [c in Cell |-> 0]
var q: Seq[0..5] = [0, 0, 0]
process W(t: 1..1) {
  a: await m[t] < 3
${run('t', 701)}     goto a
}
process V(u: 2..2) {
  a: await m[u] < 3
${run('u', 501)}  b: await m[u] < 3
${run('u', 501)}     goto a
}
invariant NotBoth: not (m[1] == 2 and m[2] == 1)
`),
    );
    if (!both.packed.ok) throw new Error(both.packed.reason);
    const source = both.packed.system.source;
    expect(source).toContain(`function ${INTERPRETED_PREFIX}P0(s, emit) {`);
    expect(source).toContain('function P1(s, emit) {');
    // V's function, the longest, is plain.
    expect(both.packed.system.largestFunction).toBeGreaterThan(180 * 1024);
    expect(source.split(INTERPRETED_PREFIX).length - 1).toBe(2);
    const g = expectSameRun(both.generic, both.packed.system, true);
    expect(g.outcome.kind).toBe('invariant');
  });

  it('so is the function that calls every step, of 9,000 process instances', () => {
    const both = compileBoth(
      fromText(`spec ManyInstances
var n: 0..9 = 0
process W(t: 0..8999) {
  a: await t < 3 and n < 9
     n := n + 1
}
invariant Few: n < 3
`),
    );
    if (!both.packed.ok) throw new Error(both.packed.reason);
    const source = both.packed.system.source;
    for (const f of ['succ(st, emit)', 'succAt(lv, b, emit)']) expect(source).toContain(`function ${INTERPRETED_PREFIX}${f} {`);
    expect(source).toContain(`function P0(s, emit) {`);
    const g = expectSameRun(both.generic, both.packed.system, true);
    expect(g.outcome.kind).toBe('invariant');
    expect(g.stats.depth).toBe(4);
  });
});
