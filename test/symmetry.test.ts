/**
 * Symmetry reduction (docs/symmetry.md): counts are of orbits, counterexamples are behaviours
 * of the spec (each replays on the unreduced system), the canonical form is a function of the
 * orbit (invariant under permutation, idempotent), and the static checks and refusals.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configOverrides, constOverrides, loadSpec, runCheck, selectChecks, type CheckResult } from '../src/engine/run.js';
import { replayTrace } from '../src/engine/replay.js';
import { compileSpec, type Label, type State } from '../src/lang/compile.js';
import { SpecErrors } from '../src/lang/diagnostics.js';
import { compileSymmetry, symmetryOf } from '../src/lang/symmetry.js';
import { compareValues, fingerprintValues, type Value } from '../src/values/index.js';
import type { Trace } from '../src/explore/index.js';

const ROOT = join(import.meta.dirname, '..');
const TWOPHASE = readFileSync(join(ROOT, 'spec/examples/twophase.spex'), 'utf8');

/** TwoPhase with extra checks (and an invariant that some behaviour breaks). */
const twophase = loadSpec('twophase-sym.spex', `${TWOPHASE}
invariant NotAllCommitted: not (forall rm in RM: rmState[rm] == committed)

check Sym3 { symmetry RM  const N = 3  only TPTypeOK, TCConsistent }
check Full3 { const N = 3  only TPTypeOK, TCConsistent }
check Sym4 { symmetry RM  const N = 4  only TPTypeOK, TCConsistent }
check Full4 { const N = 4  only TPTypeOK, TCConsistent }
check SymCommit { symmetry RM  const N = 3  only NotAllCommitted  expect violation NotAllCommitted }
check FullCommit { const N = 3  only NotAllCommitted  expect violation NotAllCommitted }
`).spec;

/** Tokens: an enum symmetric, grabbed one by one until none is left (a deadlock). */
const tokens = loadSpec('tokens.spex', `spec Tokens
enum Node { A, B, C, D }
var held: Set[Node] = {}
var last: Option[Node] = None
action Grab(n: Node) {
  require not (n in held)
  held := held union {n}
  last := Some(n)
}
action Swap(n: Node, m: Node) {
  require n in held and not (m in held)
  held := (held minus {n}) union {m}
  last := Some(m)
}
invariant FewHeld: size(held) < 3
check SymDeadlock { symmetry Node  only  FewHeld2 }
check SymFew { symmetry Node  expect violation FewHeld }
check FullFew { expect violation FewHeld }
invariant FewHeld2: size(held) < 5
`).spec;

const voting = loadSpec(join(ROOT, 'spec/tlaplus/voting.spex')).spec;

/**
 * Symmetric values in every shape a signature masks (canonical form, refinement in
 * src/lang/symmetry.ts): a map from and to Node, a sequence, a set of records and a set of
 * tuples, a variant's payload, with two symmetric sets at once. Links make cycles, where every
 * node has the same signature and no swap of two leaves the state as it is.
 */
const shapes = loadSpec('shapes.spex', `spec Shapes
const N: Int = 3
type Node = 1..N
enum Job { J1, J2 }
type Note = Sent(Node) | Quiet
type Task = { job: Job, node: Node }
var succ: Map[Node, Node] = [n in Node |-> n]
var log: Seq[Node] = []
var tasks: Set[Task] = {}
var pairs: Set[(Node, Job)] = {}
var note: Note = Quiet
action Link(a: Node, b: Node) {
  require a != b and succ[a] == a
  succ[a] := b
}
action Log(n: Node) {
  require len(log) < 1
  log := append(log, n)
  note := Sent(n)
}
action Give(j: Job, n: Node) {
  require size(tasks) < 2
  tasks := tasks union {{ job: j, node: n }}
  pairs := pairs union {(n, j)}
}
check SymBoth { symmetry Node, Job }
check Full {}
`).spec;

function check(spec: typeof twophase, name: string): CheckResult {
  const [c] = selectChecks(spec, name);
  return runCheck(spec, c, new Map(), { engine: 'auto', workers: 1 });
}

/** Every reachable state of a configuration, without symmetry (small models only). */
function reachable(spec: typeof twophase, name: string): State[] {
  const [c] = selectChecks(spec, name);
  const system = compileSpec(spec, configOverrides(c, new Map()), c);
  const seen = new Map<string, State>();
  const fp = new Uint32Array(2);
  const key = (s: State): string => {
    fingerprintValues(s, fp);
    return `${fp[0]}:${fp[1]}`;
  };
  let frontier: State[] = [];
  system.initialStates((s) => {
    if (!seen.has(key(s))) {
      seen.set(key(s), s);
      frontier.push(s);
    }
  });
  while (frontier.length > 0) {
    const next: State[] = [];
    for (const s of frontier) {
      system.successors(s, (t) => {
        const k = key(t);
        if (!seen.has(k)) {
          seen.set(k, t);
          next.push(t);
        }
      });
    }
    frontier = next;
  }
  return [...seen.values()];
}

function canonOf(spec: typeof twophase, name: string): ReturnType<typeof compileSymmetry> {
  const [c] = selectChecks(spec, name);
  const system = compileSpec(spec, configOverrides(c, new Map()), c);
  return compileSymmetry(symmetryOf(spec, c), system, spec);
}

function compareStates(a: State, b: State): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i] as Value, b[i] as Value);
    if (c !== 0) return c;
  }
  return 0;
}

function sameState(a: State, b: State): boolean {
  return a.length === b.length && a.every((v, i) => compareValues(v, b[i] as Value) === 0);
}

/** A symmetric spec with a temporal property: check Reduced combines them, Other leaves the property out. */
function live(): ReturnType<typeof loadSpec>['spec'] {
  return loadSpec('live.spex', `spec Live
enum Node { A, B }
var holder: Option[Node] = None
action Grab(n: Node) { require holder == None  holder := Some(n) }
action Drop { require holder != None  holder := None }
fair action Drop
property Free: always eventually holder == None
check Reduced { symmetry Node }
check Other { symmetry Node  only Never }
invariant Never: true
`).spec;
}

/** The trace replays, step by step, on the spec's own system (no symmetry). */
function expectReplays(spec: typeof twophase, name: string, trace: Trace<State, Label>): void {
  const [c] = selectChecks(spec, name);
  const system = compileSpec(spec, configOverrides(c, new Map()), c);
  const r = replayTrace(system, { vars: system.varNames, states: trace.states, labels: trace.labels });
  expect(r.ok, JSON.stringify(r)).toBe(true);
}

describe('symmetry reduction: counts', () => {
  it('counts one state per orbit: TwoPhase with 3 and 4 resource managers', () => {
    for (const [sym, full] of [['Sym3', 'Full3'], ['Sym4', 'Full4']] as const) {
      const canon = canonOf(twophase, sym);
      const orbits = new Set(reachable(twophase, full).map((s) => JSON.stringify(canon.canonical(s).map(String))));
      // JSON of String() is not canonical for immutable collections; count by fingerprint instead.
      const fp = new Uint32Array(2);
      const byFp = new Set(reachable(twophase, full).map((s) => {
        fingerprintValues(canon.canonical(s), fp);
        return `${fp[0]}:${fp[1]}`;
      }));
      expect(orbits.size).toBeGreaterThan(0);
      const r = check(twophase, sym);
      expect(r.result?.stats.distinct).toBe(byFp.size);
      expect(r.result!.stats.distinct).toBeLessThan(check(twophase, full).result!.stats.distinct);
      expect(r.result?.stats.depth).toBe(check(twophase, full).result?.stats.depth);
      expect(r.verdict.kind).toBe('ok');
      // Every tie among TwoPhase's resource managers is one of interchangeable ones.
      expect(r.symmetry?.triedPerState).toBe(1);
    }
  });

  it('counts one state per orbit of two symmetric enums at once: Voting', () => {
    const canon = canonOf(voting, 'MCVoting');
    expect(canon.groupSize).toBe(12);
    const fp = new Uint32Array(2);
    const orbits = new Set(reachable(voting, 'MCVotingFull').map((s) => {
      fingerprintValues(canon.canonical(s), fp);
      return `${fp[0]}:${fp[1]}`;
    }));
    expect(check(voting, 'MCVoting').result?.stats.distinct).toBe(orbits.size);
  });

  it('gives the same counts and trace on every run', () => {
    const a = check(twophase, 'SymCommit');
    const b = check(twophase, 'SymCommit');
    expect(b.result?.stats).toMatchObject({ distinct: a.result?.stats.distinct, generated: a.result?.stats.generated });
    const ta = a.result?.outcome.kind === 'invariant' ? a.result.outcome.trace : undefined;
    const tb = b.result?.outcome.kind === 'invariant' ? b.result.outcome.trace : undefined;
    expect(tb?.labels).toEqual(ta?.labels);
  });
});

describe('symmetry reduction: counterexamples are behaviours', () => {
  const cases: [typeof twophase, string, string, string][] = [
    [twophase, 'SymCommit', 'FullCommit', 'invariant'],
    [tokens, 'SymFew', 'FullFew', 'invariant'],
    [tokens, 'SymDeadlock', 'SymDeadlock', 'deadlock'],
  ];
  it.each(cases.map((c) => [`${c[1]}`, ...c] as const))('%s replays on the spec without symmetry, as long as the shortest', (_t, spec, sym, full, kind) => {
    const r = check(spec, sym);
    const o = r.result!.outcome;
    expect(o.kind).toBe(kind);
    if (o.kind !== 'invariant' && o.kind !== 'deadlock') return;
    expectReplays(spec, sym, o.trace);
    const f = check(spec, full).result!.outcome;
    if (f.kind === 'invariant' || f.kind === 'deadlock') expect(o.trace.states.length).toBe(f.trace.states.length);
  });

  it('replays every violation of an invariant that holds in no state of some orbits (random invariants over Tokens)', () => {
    // Each bound b gives the invariant size(held) < b; every one is violated with symmetry on.
    for (const b of [1, 2, 3, 4]) {
      const spec = loadSpec('tokens-b.spex', `spec Tokens
enum Node { A, B, C, D }
var held: Set[Node] = {}
var order: Map[Node, 0..5] = [n in Node |-> 0]
action Grab(n: Node) {
  require not (n in held)
  held := held union {n}
  order[n] := size(held) + 1
}
action Drop(n: Node) {
  require n in held
  held := held minus {n}
  order[n] := 0
}
invariant Few: size(held) < ${b}
check Sym { symmetry Node  expect violation Few }
`).spec;
      const r = check(spec, 'Sym');
      expect(r.result!.outcome.kind).toBe('invariant');
      if (r.result!.outcome.kind === 'invariant') {
        expectReplays(spec, 'Sym', r.result!.outcome.trace);
        expect(r.result!.outcome.trace.states.length).toBe(b + 1);
      }
    }
  });
});

describe('symmetry reduction: the canonical form', () => {
  const models: [typeof twophase, string, string][] = [
    [twophase, 'Sym4', 'Full4'],
    [voting, 'MCVoting', 'MCVotingFull'],
    [tokens, 'SymFew', 'FullFew'],
    [shapes, 'SymBoth', 'Full'],
  ];
  for (const [spec, sym, full] of models) {
    const canon = canonOf(spec, sym);
    const states = reachable(spec, full);
    it(`${spec.name} ${sym}: invariant under every permutation, and idempotent`, () => {
      fc.assert(
        fc.property(fc.nat(states.length - 1), fc.nat(canon.groupSize - 1), (i, k) => {
          const s = states[i]!;
          const c = canon.canonical(s);
          expect(sameState(canon.canonical(canon.permute(s, k)), c)).toBe(true);
          expect(sameState(canon.canonical(c), c)).toBe(true);
          // The canonical form is one of the state's images, and the least of them.
          let found = false;
          for (let j = 0; j < canon.groupSize; j++) {
            const img = canon.permute(s, j);
            if (sameState(img, c)) found = true;
          }
          expect(found).toBe(true);
        }),
        { seed: 20261205, numRuns: 150 },
      );
    });
  }
});

describe('symmetry reduction: the permutations tried', () => {
  /**
   * The orbits of the full search's states counted by the canonical form, and by the least image
   * over every permutation of the group (a canonical form that needs no signatures); both, and
   * the reduced search's distinct count, must agree.
   */
  const orbitsBothWays = (spec: typeof twophase, sym: string, full: string): number => {
    const n = orbitsOf(spec, sym, full);
    expect(n).toBeLessThan(reachable(spec, full).length);
    return n;
  };

  it('counts the orbits a brute force over the whole group counts, with two symmetric sets and every shape of value', () => {
    expect(canonOf(shapes, 'SymBoth').groupSize).toBe(12);
    orbitsBothWays(shapes, 'SymBoth', 'Full');
  });

  it('counts them so with a constant set of symmetric values: the others stay themselves in the signatures', () => {
    const spec = loadSpec('links.spex', `spec Links
enum Node { A, B, C, D }
const Workers: Set[Node] = {A, B, C}
var link: Map[Node, Node] = [n in Node |-> n]
var seen: Seq[Node] = []
action Link(a: Node, b: Node) { require a != b and link[a] == a  link[a] := b }
action See(n: Node) { require len(seen) < 1  seen := append(seen, n) }
check Sym { symmetry Workers }
check Full {}
`).spec;
    expect(canonOf(spec, 'Sym').groupSize).toBe(6);
    orbitsBothWays(spec, 'Sym', 'Full');
  });

  it('tries one permutation where the state is the same whatever the order of the tied values, and all where it is not', () => {
    const [c] = selectChecks(shapes, 'SymBoth');
    const system = compileSpec(shapes, configOverrides(c, new Map()), c);
    const canon = compileSymmetry(symmetryOf(shapes, c), system, shapes);
    let init: State | undefined;
    system.initialStates((s) => {
      init = s;
    });
    // Every node links to itself, no job is given: one order stands for all 12.
    expect(canon.tries(init!)).toBe(1);
    const after = (s: State, action: string, params: string): State => {
      let out: State | undefined;
      system.successors(s, (t, l) => {
        if (l.action === action && l.params.map((p) => String(p.value)).join(',') === params) out = t;
      });
      expect(out).toBeDefined();
      return out!;
    };
    // A cycle 1 -> 2 -> 3 -> 1: the nodes' signatures are equal, but a swap of two reverses it.
    const cycle = after(after(after(init!, 'Link', '1,2'), 'Link', '2,3'), 'Link', '3,1');
    expect(canon.tries(cycle)).toBe(6);
    // What the report gives: the permutations tried per state, on average over the search.
    const tried = check(shapes, 'SymBoth').symmetry!.triedPerState;
    expect(tried).toBeGreaterThan(1);
    expect(tried).toBeLessThan(2);
    // 1 -> 2 alone: three different signatures (links out, links in, neither).
    expect(canon.tries(after(init!, 'Link', '1,2'))).toBe(1);
    // A set of nodes, and a map from nodes to values without nodes: the node marked, or raised,
    // stands apart from the three others, still alike.
    const marks = loadSpec('marks.spex', `spec Marks
type Node = 1..4
var marked: Set[Node] = {}
var level: Map[Node, 0..2] = [n in Node |-> 0]
action Mark(n: Node) { marked := marked union {n} }
action Raise(n: Node) { require level[n] < 2  level[n] := level[n] + 1 }
check Sym { symmetry Node }
`).spec;
    const [mc] = selectChecks(marks, 'Sym');
    const mSystem = compileSpec(marks, configOverrides(mc, new Map()), mc);
    const mCanon = compileSymmetry(symmetryOf(marks, mc), mSystem, marks);
    mSystem.initialStates((s) => {
      expect(mCanon.tries(s)).toBe(1);
      mSystem.successors(s, (t) => {
        expect(mCanon.tries(t)).toBe(1);
      });
    });
    // TwoPhase's initial state with 7 resource managers: one permutation of 5,040.
    const tp = loadSpec(join(ROOT, 'spec/bench/twophase-symmetric.spex')).spec;
    const [tc] = selectChecks(tp, 'SymmetricRMs');
    const tpSystem = compileSpec(tp, configOverrides(tc, constOverrides(tp, ['N=7'])), tc);
    const tpCanon = compileSymmetry(symmetryOf(tp, tc), tpSystem, tp);
    expect(tpCanon.groupSize).toBe(5040);
    tpSystem.initialStates((s) => {
      expect(tpCanon.tries(s)).toBe(1);
      // One resource manager prepared: it stands apart, the six others are still alike.
      tpSystem.successors(s, (t, l) => {
        if (l.action === 'RMPrepare') expect(tpCanon.tries(t)).toBe(1);
      });
    });
  });
});

describe('symmetry reduction: engines and refusals', () => {
  it('runs on the generic engine, saying why, and refuses --engine packed (E217)', () => {
    const r = check(twophase, 'Sym3');
    expect(r.engine).toBe('generic');
    expect(r.engineReason).toMatch(/symmetry/);
    const [c] = selectChecks(twophase, 'Sym3');
    expect(() => runCheck(twophase, c, new Map(), { engine: 'packed', workers: 1 })).toThrow(SpecErrors);
  });

  it('explores with one worker when more were asked for and temporal properties are checked too (--unsound-symmetry), with a note', () => {
    const spec = live();
    const [c] = selectChecks(spec, 'Reduced');
    const r = runCheck(spec, c, new Map(), { workers: 2, workersChosen: true, unsoundSymmetry: true });
    expect(r.workers).toBe(1);
    expect(r.note).toMatch(/reduces by a symmetry and records the state graph/);
    expect(r.result?.stats.distinct).toBe(runCheck(spec, c, new Map(), { workers: 1, unsoundSymmetry: true }).result?.stats.distinct);
  });

  it('refuses temporal properties with a symmetry (E243) unless forced', () => {
    const spec = live();
    const [c] = selectChecks(spec, 'Reduced');
    try {
      runCheck(spec, c, new Map(), { workers: 1 });
      expect.unreachable();
    } catch (e) {
      expect((e as SpecErrors).diagnostics[0]?.code).toBe('E243');
    }
    expect(runCheck(spec, c, new Map(), { workers: 1, unsoundSymmetry: true }).verdict.kind).toBe('ok');
    // `only` leaving the property out: nothing to refuse.
    expect(check(spec, 'Other').verdict.kind).toBe('ok');
  });

  it('a check\'s own symmetry replaces the spec\'s', () => {
    const spec = loadSpec('two.spex', `spec Two
enum Cpu { C0, C1, C2 }
enum Job { J0, J1 }
var run: Map[Cpu, Option[Job]] = [c in Cpu |-> None]
action Start(c: Cpu, j: Job) { require run[c] == None  run[c] := Some(j) }
symmetry Cpu, Job
check Both { expect deadlock }
check JobsOnly { symmetry Job  expect deadlock }
check Plain { expect deadlock }
`).spec;
    expect(check(spec, 'Both').symmetry?.groupSize).toBe(12);
    expect(check(spec, 'JobsOnly').symmetry?.groupSize).toBe(2);
    // 3^3 maps; up to Cpu and Job permutations: by the multiset of (None, one job, other job) counts.
    expect(check(spec, 'Both').result?.stats.distinct).toBeLessThan(check(spec, 'JobsOnly').result!.stats.distinct);
  });
});

describe('symmetry: static checks', () => {
  const codes = (text: string): string[] => {
    try {
      loadSpec('s.spex', text);
      return [];
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      return e.diagnostics.map((d) => d.code);
    }
  };
  const base = `spec S
enum W { A, B, C }
const N: Int = 3
type P = 1..N
var owner: Map[P, Option[W]] = [p in P |-> None]
`;
  it('accepts a spec that treats the values alike', () => {
    expect(codes(`${base}symmetry W, P
action Take(p: P, w: W) { require owner[p] == None  owner[p] := Some(w) }
invariant One: forall p in P, q in P: (p != q and owner[p] != None) implies owner[p] != owner[q] or true`)).toEqual([]);
  });
  it('reports a member named (E241), an int literal for a range value (E241), order and arithmetic (E242)', () => {
    expect(codes(`${base}symmetry W
invariant I: owner[1] != Some(A)`)).toEqual(['E241']);
    expect(codes(`${base}symmetry P
invariant I: owner[1] != None or true`)).toEqual(['E241']);
    expect(codes(`${base}symmetry P
invariant I: forall p in P: p == 2 or true`)).toEqual(['E241']);
    expect(codes(`${base}symmetry P
invariant I: forall p in P: p + 1 > 0`)).toEqual(['E242']);
    expect(codes(`${base}symmetry W
invariant I: forall p in P: owner[p] != Some(choose w in W: true)`)).toEqual(['E242']);
    expect(codes(`${base}symmetry P
def lo: Int = min(P)`)).toEqual(['E242']);
  });
  it('lets a constant set target name its members, and names outside it elsewhere', () => {
    expect(codes(`${base}const Ws: Set[W] = {A, B}
symmetry Ws
invariant I: forall p in P: owner[p] != Some(C)`)).toEqual([]);
    expect(codes(`${base}const Ws: Set[W] = {A, B}
symmetry Ws
invariant I: forall p in P: owner[p] != Some(A)`)).toEqual(['E241']);
  });
  it('reports targets that cannot be symmetric (E240, E201)', () => {
    expect(codes(`${base}symmetry owner`)).toEqual(['E240']);
    expect(codes(`${base}symmetry N`)).toEqual(['E240']);
    expect(codes(`${base}symmetry Nope`)).toEqual(['E201']);
    expect(codes(`${base}symmetry W, W`)).toEqual(['E240']);
    expect(codes(`${base}symmetry W
process Worker(w: (W, P)) { a: owner[1] := None }`)).toEqual(['E240']);
  });
  it('accepts processes whose instances are the symmetric values, and procedures', () => {
    expect(codes(`${base}symmetry W
process Worker(w: W) { a: owner[1] := Some(w) }`)).toEqual([]);
    expect(codes(`${base}symmetry P
procedure Clear(p: P) { c: owner[p] := None
  return }
process Worker(p: P) { a: call Clear(p) }`)).toEqual([]);
  });
});

describe('symmetry: spex replay of a reduced run\'s counterexample', () => {
  it('writes an ITF trace that `spex replay` replays (CLI, dist/ built)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-sym-'));
    try {
      const spec = join(dir, 'tp.spex');
      writeFileSync(spec, `${TWOPHASE}
invariant NotAllCommitted: not (forall rm in RM: rmState[rm] == committed)
check SymCommit { symmetry RM  const N = 3  only NotAllCommitted  expect violation NotAllCommitted }
`);
      const itf = join(dir, 'trace.itf.json');
      const c = spawnSync(process.execPath, ['dist/cli/main.js', 'check', spec, '--check', 'SymCommit', '--workers', '1', '--out-itf', itf], { cwd: ROOT, encoding: 'utf8' });
      expect(c.status, c.stderr).toBe(12);
      expect(c.stdout).toMatch(/symmetry: RM \(3 values\), 6 permutations \(1 tried per state\); distinct states are counted up to them/);
      const r = spawnSync(process.execPath, ['dist/cli/main.js', 'replay', itf, spec], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('symmetry: literals written into a symmetric range', () => {
  it('reports assignments and declared values (E241)', () => {
    const codes = (text: string): string[] => {
      try {
        loadSpec('w.spex', text);
        return [];
      } catch (e) {
        if (!(e instanceof SpecErrors)) throw e;
        return e.diagnostics.map((d) => `${d.code}@${d.span?.start}`);
      }
    };
    const base = `spec W
const N: Int = 3
type P = 1..N
symmetry P
`;
    expect(codes(`${base}var owner: P = 1`)).toHaveLength(1);
    expect(codes(`${base}var owner: Option[P] = None
var at: Map[P, Bool] = [p in P |-> false]
action Set { owner := Some(2) }
action Mark { at[2] := true }`)).toHaveLength(1);
    expect(codes(`${base}var owner: P = 1
var n: 0..3 = 0
action Count { n := 1 }`)).toHaveLength(1);
  });
});

describe('symmetry over a constant set, and the group size limit', () => {
  it('permutes only the values in a constant set: counts equal the orbits under its permutations', () => {
    const spec = loadSpec('subset.spex', `spec Subset
enum Node { A, B, C, D }
const Workers: Set[Node] = {A, B, C}
var held: Map[Node, 0..2] = [n in Node |-> 0]
action Take(n: Node) { require held[n] < 2  held[n] := held[n] + 1 }
action Give(n: Node, m: Node) { require held[n] > 0 and held[m] < 2 and n != m  held[n] := held[n] - 1  held[m] := held[m] + 1 }
invariant Bounded: forall n in Node: held[n] <= 2
check Sym { symmetry Workers  expect ok }
check Full { expect ok }
`).spec;
    const canon = canonOf(spec, 'Sym');
    expect(canon.groupSize).toBe(6);
    const fp = new Uint32Array(2);
    const full = reachable(spec, 'Full');
    const orbits = new Set(full.map((s) => {
      fingerprintValues(canon.canonical(s), fp);
      return `${fp[0]}:${fp[1]}`;
    }));
    // D is not permuted: 3^4 states, orbits of the multisets of A, B, C's counts times D's.
    expect(full.length).toBe(81);
    expect(orbits.size).toBe(10 * 3);
    expect(check(spec, 'Sym').result?.stats.distinct).toBe(orbits.size);
  });

  it('refuses a group of more than 8! permutations before the search (E240)', () => {
    const spec = loadSpec('big.spex', `spec Big
enum Cpu { C0, C1, C2, C3, C4, C5, C6, C7, C8 }
var busy: Set[Cpu] = {}
action Run(c: Cpu) { busy := busy union {c} }
check Sym { symmetry Cpu  deadlock off }
`).spec;
    const [c] = selectChecks(spec, 'Sym');
    try {
      runCheck(spec, c, new Map(), { workers: 1 });
      expect.unreachable();
    } catch (e) {
      expect((e as SpecErrors).diagnostics[0]?.code).toBe('E240');
      expect((e as SpecErrors).diagnostics[0]?.message).toMatch(/362,880 permutations/);
    }
  });
});

describe('symmetry over large types: sized before anything is built', () => {
  /** The first diagnostic of the check's run, or its distinct states. */
  function outcome(text: string): string | number {
    const spec = loadSpec('large.spex', text).spec;
    const [c] = selectChecks(spec, undefined);
    try {
      const r = runCheck(spec, c, new Map(), { workers: 1 });
      return r.result!.stats.distinct;
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      return `${e.diagnostics[0]!.code} ${e.diagnostics[0]!.message}`;
    }
  }
  const pick = (type: string, set: string): string => `spec Large
type Page = ${type}
const S: Set[Page] = ${set}
var x: Set[Page] = {}
action Add {
  pick p in S
  x := x union {p}
}
symmetry S
`;

  it('a whole range of 2^53 values is a group too large (E240), not a heap run out while listing it', () => {
    // A fuzz mutant: this ran out of memory (V8's fatal error, SIGTRAP) after some 8 s.
    expect(outcome('spec Large\ntype Page = -9007199254740991..3\nvar freed: Set[Page] = {}\nsymmetry Page\n')).toMatch(/^E240 the symmetry group has ∞ permutations/);
  });

  it('a constant set of a type past the enumeration limit is E221', () => {
    expect(outcome(pick('0..5000000', '{1, 2}'))).toBe("E221 the range 0..5000000 of 'S' has 5,000,001 values, more than the 1,000,000 spex enumerates");
  });

  it('a constant set of two values of a type of 200,001 runs (its tables were built in quadratic time)', () => {
    expect(outcome(pick('0..200000', '{1, 2}'))).toBe(3);
  });

  it('tables of more than 10,000,000 entries are E240: 8! permutations of a type of 301 values', () => {
    expect(outcome(pick('0..300', '{1, 2, 3, 4, 5, 6, 7, 8}'))).toBe('E240 the symmetry\'s 40,320 permutations of 301 values take tables of 12,136,320 entries, more than spex builds (10,000,000)');
    expect(outcome(pick('0..200', '{1, 2, 3}'))).toBe(4);
  });
});

describe('symmetry: a loop that fills a sequence in the order of symmetric values', () => {
  it('is E242; a loop that fills a set is not', () => {
    const codes = (body: string): string[] => {
      try {
        loadSpec('loop.spex', `spec Loop
enum Cpu { C0, C1, C2 }
var log: Seq[Cpu] = []
var seen: Set[Cpu] = {}
symmetry Cpu
action Scan { ${body} }
`);
        return [];
      } catch (e) {
        if (!(e instanceof SpecErrors)) throw e;
        return e.diagnostics.map((d) => d.code);
      }
    };
    expect(codes('for c in Cpu { log := append(log, c) }')).toEqual(['E242']);
    expect(codes('for c in Cpu { seen := seen union {c} }')).toEqual([]);
  });
});

describe('symmetry: process instances', () => {
  /** A lock taken and given back twice by each of N processes, with a variable of each naming one. */
  const procs = loadSpec('lock-procs.spex', `spec LockProcs
const N: Int = 3
type Proc = 1..N
var lock: Option[Proc] = None
var entered: Set[Proc] = {}
var tickets: 0..3 = 0
process W(self: Proc) {
  var visits: 0..2 = 0
  var last: Option[Proc] = None
  try:  while visits < 2 {
          await lock == None
          lock := Some(self)
          last := lock
  crit:   entered := entered union {self}
          if tickets < 3 { tickets := tickets + 1 }
  rel:    entered := entered minus {self}
          lock := None
          visits := visits + 1
        }
}
invariant Mutex: size(entered) <= 1
check Full { expect ok }
check Sym { symmetry Proc  expect ok }
`).spec;

  /** The same protocol as actions with a parameter, the pcs and variables in maps: symmetry that was already exact. */
  const acts = loadSpec('lock-acts.spex', `spec LockActs
const N: Int = 3
type Proc = 1..N
enum Pc { Try, Crit, Rel, Done }
var lock: Option[Proc] = None
var entered: Set[Proc] = {}
var tickets: 0..3 = 0
var pc: Map[Proc, Pc] = [p in Proc |-> Try]
var visits: Map[Proc, 0..2] = [p in Proc |-> 0]
var last: Map[Proc, Option[Proc]] = [p in Proc |-> None]
action TryA(self: Proc) {
  require pc[self] == Try
  if visits[self] < 2 {
    require lock == None
    lock := Some(self)
    last[self] := Some(self)
    pc[self] := Crit
  } else {
    pc[self] := Done
  }
}
action CritA(self: Proc) {
  require pc[self] == Crit
  entered := entered union {self}
  if tickets < 3 { tickets := tickets + 1 }
  pc[self] := Rel
}
action RelA(self: Proc) {
  require pc[self] == Rel
  entered := entered minus {self}
  lock := None
  visits[self] := visits[self] + 1
  pc[self] := Try
}
invariant Mutex: size(entered) <= 1
check Full { deadlock off  expect ok }
check Sym { symmetry Proc  deadlock off  expect ok }
`).spec;

  /** Procedures on the call stacks of symmetric instances, their parameters symmetric too; two processes of the type. */
  const calls = loadSpec('lock-calls.spex', `spec LockCalls
enum Cpu { C1, C2, C3 }
var lock: Option[Cpu] = None
var owner: Map[Cpu, Option[Cpu]] = [c in Cpu |-> None]
var kicked: Set[Cpu] = {}
procedure Acquire(who: Cpu) {
  a1: await lock == None
      lock := Some(who)
  a2: owner[who] := lock
      return
}
procedure Release(who: Cpu) {
  r1: lock := None
      owner[who] := None
      return
}
process W(self: Cpu) {
  var visits: 0..1 = 0
  loop: while visits < 1 {
          call Acquire(self)
  out:    call Release(self)
  inc:    visits := visits + 1
        }
}
process Kick(c: Cpu) {
  k: kicked := kicked union {c}
}
invariant OneOwner: forall a in Cpu, b in Cpu: (owner[a] != None and owner[b] != None) implies a == b
check Full { expect ok }
check Sym { symmetry Cpu  expect ok }
`).spec;

  it('counts as many orbits as the same protocol written as actions with a parameter', () => {
    expect(check(procs, 'Full').result?.stats.distinct).toBe(256);
    expect(check(acts, 'Full').result?.stats.distinct).toBe(256);
    expect(check(acts, 'Sym').result?.stats.distinct).toBe(60);
    expect(check(procs, 'Sym').result?.stats.distinct).toBe(60);
  });

  /**
   * The group acts on the reachable states as a symmetry of the spec: every image of a reachable
   * state is reachable, and the successors of an image are the images of the successors. An
   * instance's block left in place, or moved without its contents permuted, breaks both.
   */
  const commutes = (spec: typeof procs, sym: string, full: string): void => {
    const [c] = selectChecks(spec, full);
    const system = compileSpec(spec, configOverrides(c, new Map()), c);
    const canon = canonOf(spec, sym);
    const fp = new Uint32Array(2);
    const key = (s: State): string => {
      fingerprintValues(s, fp);
      return `${fp[0]}:${fp[1]}`;
    };
    const states = reachable(spec, full);
    const all = new Set(states.map(key));
    const next = (s: State): string[] => {
      const out: string[] = [];
      system.successors(s, (t) => out.push(key(t)));
      return [...new Set(out)].sort();
    };
    let moved = 0;
    for (const s of states) {
      for (let k = 1; k < canon.groupSize; k++) {
        const img = canon.permute(s, k);
        if (!sameState(img, s)) moved++;
        expect(all.has(key(img))).toBe(true);
        let image: string[] = [];
        system.successors(s, (t) => image.push(key(canon.permute(t, k))));
        image = [...new Set(image)].sort();
        expect(next(img)).toEqual(image);
      }
    }
    expect(moved).toBeGreaterThan(0);
  };

  /** The TLA+ Examples' Barriers (PlusCal processes over Proc), with 3 processes. */
  const barriers = loadSpec(join(ROOT, 'spec/tlaplus/barriers-sym.spex'), `${readFileSync(join(ROOT, 'spec/tlaplus/barriers.spex'), 'utf8')}
check Sym3 { const N = 3  symmetry Proc }
check Full3 { const N = 3 }
`).spec;

  /** Two symmetric sets, a process over each, one without variables, and a procedure whose parameter is of the other set. */
  const two = loadSpec('two-sets.spex', `spec TwoSets
enum Cpu { C1, C2 }
type Node = 1..3
var host: Map[Node, Option[Cpu]] = [n in Node |-> None]
var seen: Set[(Cpu, Node)] = {}
procedure Visit(n: Node, c: Cpu) {
  v1: host[n] := Some(c)
      seen := seen union {(c, n)}
      return
}
process Walker(self: Cpu) {
  var pos: Option[Node] = None
  go:   pick n in Node
        pos := Some(n)
        call Visit(n, self)
}
process Sweep(self: Node) {
  s1: host[self] := None
}
check Sym { symmetry Cpu, Node  expect ok }
check Full { expect ok }
`).spec;

  it('permutes the instances with their values: images of reachable states are reachable, and steps commute', () => {
    commutes(procs, 'Sym', 'Full');
    commutes(calls, 'Sym', 'Full');
    commutes(barriers, 'Sym3', 'Full3');
    commutes(two, 'Sym', 'Full');
  });

  it('counts the orbits a brute force over the whole group counts, call stacks included', () => {
    expect(orbitsOf(procs, 'Sym', 'Full')).toBe(60);
    expect(orbitsOf(barriers, 'Sym3', 'Full3')).toBeLessThan(reachable(barriers, 'Full3').length);
    expect(canonOf(two, 'Sym').groupSize).toBe(12);
    expect(orbitsOf(two, 'Sym', 'Full')).toBeLessThan(reachable(two, 'Full').length);
    const n = orbitsOf(calls, 'Sym', 'Full');
    expect(n).toBeLessThan(reachable(calls, 'Full').length);
  });

  it('keeps the canonical form a function of the orbit', () => {
    const canon = canonOf(calls, 'Sym');
    // Every third state: the group-action and orbit tests above cover them all.
    for (const s of reachable(calls, 'Full').filter((_, i) => i % 3 === 0)) {
      const c = canon.canonical(s);
      expect(sameState(canon.canonical(c), c)).toBe(true);
      for (let k = 0; k < canon.groupSize; k++) expect(sameState(canon.canonical(canon.permute(s, k)), c)).toBe(true);
    }
  });

  it('permutes the instances of a process over a constant set that the symmetry permutes, or that holds all it permutes', () => {
    const text = (domain: string, sym: string): string => `spec Sub
enum Node { A, B, C, D }
const Workers: Set[Node] = {A, B, C}
var done: Set[Node] = {}
process P(n ${domain}) {
  var k: 0..1 = 0
  s: k := 1
  t: done := done union {n}
}
check Sym { symmetry ${sym}  expect ok }
check Full { expect ok }
`;
    // Instances for A, B, C, permuted among themselves: orbits of three 4-phase counters.
    const own = loadSpec('own.spex', text('in Workers', 'Workers')).spec;
    expect(reachable(own, 'Full').length).toBe(3 ** 3);
    expect(orbitsOf(own, 'Sym', 'Full')).toBe(10);
    // Instances for every node, D never moved.
    const whole = loadSpec('whole.spex', text(': Node', 'Workers')).spec;
    expect(orbitsOf(whole, 'Sym', 'Full')).toBe(10 * 3);
  });

  it('refuses instances for some of the values a symmetry permutes but not all (E240)', () => {
    // The constant names no value in the spec; the run gives it two of the three.
    const spec = loadSpec('part.spex', `spec Part
enum Node { A, B, C }
const Two: Set[Node] = Node
var done: Set[Node] = {}
process P(n in Two) { s: done := done union {n} }
check Sym { symmetry Node  expect ok }
`).spec;
    const [c] = selectChecks(spec, 'Sym');
    expect(check(spec, 'Sym').result?.stats.distinct).toBe(4);
    try {
      runCheck(spec, c, constOverrides(spec, ['Two={A,B}']), { workers: 1 });
      expect.unreachable();
    } catch (e) {
      expect((e as SpecErrors).diagnostics[0]?.code).toBe('E240');
      expect((e as SpecErrors).diagnostics[0]?.message).toMatch(/process 'P' has instances for 2 of the 3 values Node permutes/);
    }
  });
});

/** The orbits of the full search's states, by the least image over the whole group; checked against the canonical form and the reduced search. */
function orbitsOf(spec: ReturnType<typeof loadSpec>['spec'], sym: string, full: string): number {
  const canon = canonOf(spec, sym);
  const fp = new Uint32Array(2);
  const key = (s: State): string => {
    fingerprintValues(s, fp);
    return `${fp[0]}:${fp[1]}`;
  };
  const brute = new Set<string>();
  const refined = new Set<string>();
  for (const s of reachable(spec, full)) {
    let least = s;
    for (let k = 1; k < canon.groupSize; k++) {
      const img = canon.permute(s, k);
      if (compareStates(img, least) < 0) least = img;
    }
    brute.add(key(least));
    refined.add(key(canon.canonical(s)));
  }
  expect(refined.size).toBe(brute.size);
  expect(check(spec, sym).result?.stats.distinct).toBe(brute.size);
  return brute.size;
}
