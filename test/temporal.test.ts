/**
 * Temporal properties end to end: the lasso text (golden), exit code 13, expectations, the
 * refusal to answer on a graph cut by a limit, ITF lassos and their replay, and, on the spec
 * level, that every reported lasso is a fair behaviour of the spec that violates its property.
 * UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { golden, root, scrub, spex, spexHere } from './support/cli.js';
import { loadSpec, runCheck, selectChecks, type CheckResult } from '../src/engine/run.js';
import { lassoMisses } from '../src/engine/temporal.js';
import { conjunctsOf, fastConjunct, simpleQuery, type Ltl } from '../src/explore/ltl.js';
import { compileFairness, compileGroupFairness, type FairGroup } from '../src/lang/compile-temporal.js';
import type { Label, State } from '../src/lang/compile.js';
import { formatValue, valueEquals } from '../src/values/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'spex-temporal-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));




describe('lasso output', () => {
  it('a cycle after a prefix, and a cycle through a strong-fair step (golden), exit 13', () => {
    const r = spex('check', 'test/fixtures/temporal/lasso.spex');
    expect(r.code).toBe(13);
    golden('temporal', 'lasso.txt', scrub(r.stdout));
  });

  it('a stuttering lasso with the no-fairness warning (golden)', () => {
    const r = spex('check', 'spec/examples/peterson.spex', '--check', 'Unfair');
    expect(r.code).toBe(13);
    golden('temporal', 'peterson-unfair.txt', scrub(r.stdout));
  });

  it('a cycle from the initial state (golden), and a pass under strong fairness', () => {
    const r = spex('check', 'spec/examples/intermittent.spex');
    expect(r.code).toBe(13);
    golden('temporal', 'intermittent.txt', scrub(r.stdout));
    expect(spex('check', 'spec/examples/intermittent.spex', '--check', 'StrongRead').code).toBe(0);
  });

  it('spex test matches `expect violation Property`', () => {
    const r = spex('test', 'spec/examples/peterson.spex', 'spec/examples/intermittent.spex', 'test/fixtures/temporal/lasso.spex');
    expect(r.stdout).toContain('PASS spec/examples/peterson.spex Unfair: violation StarvationFree');
    expect(r.stdout).toMatch(/^7 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });
});

describe('limits', () => {
  it('calls the properties inconclusive when a limit cuts the graph, and exits 152', () => {
    const r = spex('check', 'spec/examples/peterson.spex', '--check', 'Fair', '--max-states', '10');
    expect(r.code).toBe(152);
    expect(r.stdout).toContain('Temporal properties: inconclusive. The states limit cut the state graph short');
    const d = spex('check', 'spec/examples/peterson.spex', '--check', 'Unfair', '--max-depth', '3');
    expect(d.code).toBe(152);
    expect(d.stdout).toContain('Temporal properties: inconclusive');
  });

  it('calls them inconclusive when the search ends exactly at a limit, on every engine and thread count', () => {
    // counter-grid-live as written: 108 states, depth 14, every property holds under StrongAcquire.
    // At --max-states 108 or --max-depth 14 nothing is left out, but the graph lacks the steps
    // out of the last level (depth) or to states seen before once full (states): its analysis
    // found a false lasso (LockFreed, stuttering in state 13) before.
    const check = (limit: string, value: string, engine: string, workers: string) =>
      spexHere(['check', 'spec/bench/counter-grid-live.spex', '--check', 'StrongAcquire', limit, value, '--engine', engine, '--workers', workers], { SPEX_WORKERS_EAGER: '1' });
    for (const engine of ['packed', 'generic']) {
      for (const workers of ['1', '2']) {
        for (const [limit, exact, what] of [['--max-states', '108', 'The search stored as many states as the states limit allows'], ['--max-depth', '14', 'The search reached the depth limit']] as const) {
          const r = check(limit, exact, engine, workers);
          expect(r.code, `${limit} ${exact} ${engine} ${workers}`).toBe(152);
          expect(r.stdout).toContain('No error found: every reachable state satisfies every invariant');
          expect(r.stdout).toContain(`Temporal properties: inconclusive. ${what}`);
          expect(r.stdout).not.toContain('is violated');
          const past = check(limit, String(Number(exact) + 1), engine, workers);
          expect(past.code, `${limit} ${Number(exact) + 1} ${engine} ${workers}`).toBe(0);
          expect(past.stdout).toContain('Every temporal property holds (4 instances, under 6 fairness units).');
        }
      }
    }
  });

  it('leaves them inconclusive when checking them would pass --max-memory, the search complete', () => {
    // 108 states: the search ends before its first look at the budget; the check of the
    // properties looks before it makes its arrays, the process being past 1 MiB already.
    const r = spex('check', 'spec/bench/counter-grid-live.spex', '--check', 'StrongAcquire', '--max-memory', '1m');
    expect(r.code).toBe(152);
    expect(r.stdout).toContain('No error found: every reachable state satisfies every invariant');
    expect(r.stdout).toMatch(/Temporal properties: inconclusive\. The search was complete, but checking them would pass the memory limit \(the process used \d+ MiB, over --max-memory 1 MiB\)\. --max-memory raises the limit\./);
    const json = spex('check', 'spec/bench/counter-grid-live.spex', '--check', 'StrongAcquire', '--max-memory', '1m', '--json');
    expect(json.stdout).toContain('"verdict":"limit","name":"memory"');
  });

  it('checks them when the whole graph fits within the limits', () => {
    const r = spex('check', 'spec/examples/peterson.spex', '--check', 'Fair', '--max-states', '1000', '--max-depth', '50');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Every temporal property holds (2 instances, under 8 fairness units).');
  });
});

describe('ITF lassos', () => {
  it('writes loop and the property, and the lasso replays', () => {
    for (const [check, loop, states] of [['WeakFinish', 1, 3], ['StrongFinish', 1, 6]] as const) {
      const path = join(tmp, `${check}.itf.json`);
      spex('check', 'test/fixtures/temporal/lasso.spex', '--check', check, '--out-itf', path);
      const json = JSON.parse(readFileSync(path, 'utf8'));
      expect(json.loop).toBe(loop);
      expect(json.states.length).toBe(states);
      const r = spex('replay', path, 'test/fixtures/temporal/lasso.spex');
      expect(r.stdout).toContain('As recorded, property');
      expect(r.code).toBe(0);
    }
    const path = join(tmp, 'WeakFinish.itf.json');
    golden('temporal', 'lasso-weak.itf.json', readFileSync(path, 'utf8'));
  });

  it('a stuttering lasso loops on its last state, which replay accepts', () => {
    const path = join(tmp, 'unfair.itf.json');
    spex('check', 'spec/examples/peterson.spex', '--check', 'Unfair', '--out-itf', path);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json.loop).toBe(json.states.length - 1);
    const r = spex('replay', path, 'spec/examples/peterson.spex');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(stuttering forever in the last state)');
  });

  it('rejects a lasso whose step back does not exist, and notes one that does not violate the property', () => {
    const json = JSON.parse(readFileSync(`${root}test/fixtures/temporal/lasso-weak.itf.json`, 'utf8'));
    const bad = join(tmp, 'bad-loop.itf.json');
    writeFileSync(bad, JSON.stringify({ ...json, loop: 0 }));
    const r = spex('replay', bad, 'test/fixtures/temporal/lasso.spex');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('the lasso loops back to state 0, but no action leads from state 2 to state 0');
    // Claim a property the lasso does not violate (its cycle passes through phase 2): it
    // replays, with a note.
    const strong = JSON.parse(readFileSync(join(tmp, 'StrongFinish.itf.json'), 'utf8'));
    const wrong = join(tmp, 'wrong-property.itf.json');
    writeFileSync(wrong, JSON.stringify({ ...strong, '#meta': { ...strong['#meta'], property: 'Answered', violation: 'Answered' } }));
    const w = spex('replay', wrong, 'test/fixtures/temporal/lasso.spex');
    expect(w.code).toBe(0);
    expect(w.stdout + w.stderr).toContain('the right side of ~> holds in state 3, which repeats forever');
    expect(w.stdout + w.stderr).toMatch(/note:/);
  });
});

// ---------------------------------------------------------------------------------------------
// Every lasso is a fair behaviour that violates its property, checked against the spec.

/** The successors of a state with their labels. */
function successors(r: CheckResult, s: State): { label: Label; state: State }[] {
  const out: { label: Label; state: State }[] = [];
  r.system!.successors(s, (state, label) => out.push({ label, state }));
  return out;
}

const same = (a: State, b: State): boolean => a.length === b.length && a.every((v, i) => valueEquals(v, b[i]!));
const unit = (l: Label): string => `${l.action}(${l.params.map((p) => formatValue(p.value)).join(',')})`;

function lassoProblems(r: CheckResult, fairness: ReadonlyMap<string, boolean>, groups: readonly FairGroup[] = []): string[] {
  // The fairness units of a step: its binding's, and its groups' (named `group:<name>`).
  const unitsOf = (l: Label): string[] => [
    ...(fairness.has(l.action) ? [unit(l)] : []),
    ...groups.filter((g) => g.members === 'all' || g.members.includes(l.action)).map((g) => `group:${g.name}`),
  ];
  const strength = (u: string): boolean =>
    u.startsWith('group:') ? groups.find((g) => `group:${g.name}` === u)!.strong : fairness.get(u.slice(0, u.indexOf('(')))!;
  const problems: string[] = [];
  const v = r.temporal && 'checked' in r.temporal ? r.temporal.violation : undefined;
  if (!v) return ['no violation'];
  const { states, labels } = v.trace;
  for (let i = 1; i < states.length; i++) {
    if (!successors(r, states[i - 1]!).some((x) => unit(x.label) === unit(labels[i - 1]!) && same(x.state, states[i]!))) {
      problems.push(`step ${i} is not a step of the spec`);
    }
  }
  const last = states.length - 1;
  const cycleEnd = v.kind === 'cycle' ? last : last + 1;
  if (v.kind === 'cycle' && !same(states[v.loop!]!, states[last]!)) problems.push('the cycle does not close');
  const cycle = states.slice(v.loop ?? last, cycleEnd);
  const taken = new Set(v.kind === 'cycle' ? labels.slice(v.loop!).flatMap(unitsOf) : []);
  const enabled = cycle.map((s) => new Set(successors(r, s).filter((x) => !same(x.state, s)).flatMap((x) => unitsOf(x.label))));
  const units = new Set(enabled.flatMap((e) => [...e]));
  for (const u of units) {
    if (taken.has(u)) continue;
    const strong = strength(u);
    const count = enabled.filter((e) => e.has(u)).length;
    if (strong && count > 0) problems.push(`strong ${u} enabled on the cycle, never taken`);
    if (!strong && count === enabled.length) problems.push(`weak ${u} always enabled on the cycle, never taken`);
  }
  const ends = v.kind === 'cycle' ? states.slice(0, last) : states;
  const miss = lassoMisses(v.property, ends, v.kind === 'finite' ? undefined : v.loop);
  if (miss !== undefined) problems.push(`does not violate ${v.property.name}: ${miss}`);
  return problems;
}

describe('lassos of the example specs', () => {
  const cases: [string, string][] = [
    ['spec/examples/peterson.spex', 'Unfair'],
    ['spec/examples/peterson.spex', 'EnterOnlyFair'],
    ['spec/examples/intermittent.spex', 'WeakRead'],
    ['test/fixtures/temporal/lasso.spex', 'WeakFinish'],
    ['test/fixtures/temporal/lasso.spex', 'StrongFinish'],
    ['spec/bench/counter-grid-live.spex', 'WeakAcquire'],
    ['spec/bench/counter-grid-live.spex', 'NoFairness'],
    ['spec/examples/turns.spex', 'PerBinding'],
    ['spec/examples/turns.spex', 'Group'],
    ['spec/examples/turns.spex', 'WholeSpec'],
    ['test/fixtures/temporal/nested.spex', 'WeakSettle'],
    ['test/fixtures/temporal/nested.spex', 'Unfair'],
    ['spec/examples/requests.spex', 'WeakServe'],
  ];
  for (const [file, name] of cases) {
    it(`${file} ${name}: the lasso is a fair behaviour that violates the property`, () => {
      const { spec } = loadSpec(`${root}${file}`);
      const [check] = selectChecks(spec, name);
      const r = runCheck(spec, check, new Map(), {});
      expect(r.exitCode).toBe(13);
      expect(lassoProblems(r, compileFairness(spec, check?.fairness), compileGroupFairness(spec, check?.fairness))).toEqual([]);
    });
  }

  it('weak fairness is per binding of all the parameters: Step(0, 1), never taken on the loop of Step(0, 0), makes it unfair', () => {
    // Step(0, 0) toggles x for ever; Step(0, 1), enabled all along, ends it. Under per-binding
    // weak fairness the loop is unfair and Done holds; were the bindings that differ only in
    // their second parameter one unit, the loop would take "it" and Done would fail.
    const text = `spec TwoParams
var x: 0..1 = 0
var done: Bool = false
action Step(i: 0..0, j: 0..1) {
  require not done
  if j == 0 { x := 1 - x } else { done := true }
}
action Idle { require done }
property Done: eventually done
check Fair { fair action Step  expect ok }
check Unfair { expect violation Done }
`;
    const file = join(tmp, 'two-params.spex');
    writeFileSync(file, text);
    const { spec } = loadSpec(file);
    for (const engine of ['packed', 'generic'] as const) {
      expect([engine, runCheck(spec, selectChecks(spec, 'Fair')[0], new Map(), { engine }).verdict]).toEqual([engine, { kind: 'ok' }]);
      expect([engine, runCheck(spec, selectChecks(spec, 'Unfair')[0], new Map(), { engine }).exitCode]).toEqual([engine, 13]);
    }
  });

  it('Peterson: mutual exclusion holds, starvation freedom holds under weak fairness', () => {
    const { spec } = loadSpec(`${root}spec/examples/peterson.spex`);
    const r = runCheck(spec, selectChecks(spec, 'Fair')[0], new Map(), {});
    expect(r.verdict).toEqual({ kind: 'ok' });
    expect(r.temporal && 'checked' in r.temporal ? r.temporal.checked : []).toEqual(['StarvationFree[i=P0]', 'StarvationFree[i=P1]']);
  });
});

describe('temporal properties on the packed engine', () => {
  /** The event stream of `--json` without what differs between engines. */
  const events = (out: string): Record<string, unknown>[] =>
    out
      .trim()
      .split('\n')
      .map((line) => {
        const { seconds: _s, engine: _e, engineReason: _r, threads: _t, threadsReason: _tr, ...rest } = JSON.parse(line) as Record<string, unknown>;
        return rest;
      });
  const files = [
    'spec/examples/peterson.spex',
    'spec/examples/intermittent.spex',
    'spec/examples/turns.spex',
    'spec/examples/requests.spex',
    'test/fixtures/temporal/nested.spex',
    'spec/bench/counter-grid-live.spex',
    'test/fixtures/temporal/lasso.spex',
    'spec/memcg/reparent.spex',
    'spec/memcg/idrecycle.spex',
    'test/fixtures/temporal/pred-error.spex',
  ];
  for (const file of files) {
    it(`${file}: the same events (verdicts, lassos, ITF traces) as the generic engine, computed packed`, () => {
      const packed = spex('check', file, '--json', '--engine', 'packed');
      const generic = spex('check', file, '--json', '--engine', 'generic');
      expect(packed.code).toBe(generic.code);
      expect(events(packed.stdout)).toEqual(events(generic.stdout));
      const stats = packed.stdout.split('\n').filter((l) => l.includes('"event":"stats"'));
      expect(stats.length).toBeGreaterThan(0);
      for (const line of stats) expect(JSON.parse(line)).toMatchObject({ engine: 'packed' });
    }, 180_000);
  }

  it('a check with `only` records just the predicates of the properties it names', () => {
    const { spec } = loadSpec(`${root}spec/memcg/reparent.spex`);
    const withOnly = spec.checks.filter((c) => c.decl.only?.some((n) => spec.properties.some((p) => p.name === n.text)));
    expect(withOnly.length).toBeGreaterThan(0);
    for (const check of withOnly.slice(0, 4)) {
      const p = runCheck(spec, check, new Map(), { engine: 'packed' });
      const g = runCheck(spec, check, new Map(), { engine: 'generic' });
      expect(p.engine).toBe('packed');
      expect(p.verdict).toEqual(g.verdict);
      expect(p.temporal && 'checked' in p.temporal ? p.temporal.checked : undefined).toEqual(g.temporal && 'checked' in g.temporal ? g.temporal.checked : undefined);
    }
  });

  it('a property the packed engine cannot compile: its check runs generic, with the reason; safety checks stay packed', () => {
    const r = spex('check', 'test/fixtures/temporal/unpacked.spex', '--json');
    expect(r.code).toBe(0);
    const stats = r.stdout.split('\n').filter((l) => l.includes('"event":"stats"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(stats.map((s) => [s.check, s.engine, s.engineReason])).toEqual([
      [
        'Live',
        'generic',
        "the packed engine cannot compile the temporal properties: property 'Back': map values are supported by the packed engine only as state variables (assign elements instead)",
      ],
      ['Safe', 'packed', undefined],
    ]);
  });
});

describe('fairness of groups and of the whole spec', () => {
  it('a spec made only of processes: the hint suggests process fairness and fair next', () => {
    const r = spex('check', 'test/fixtures/temporal/procs-fair.spex', '--check', 'NoFairness');
    expect(r.code).toBe(13);
    expect(r.stdout + r.stderr).toContain(`with 'fair process <Name>' (or 'fair next' for every step)`);
    expect(r.stdout + r.stderr).not.toContain('fair action');
    expect(spex('test', 'test/fixtures/temporal/procs-fair.spex').code).toBe(0);
  });

  it('per-binding, whole-action, group and whole-spec fairness: the verdicts of turns.spex', () => {
    const { spec } = loadSpec(`${root}spec/examples/turns.spex`);
    const verdicts = Object.fromEntries(spec.checks.map((c) => [c.name, runCheck(spec, c, new Map(), {}).verdict.kind]));
    expect(verdicts).toEqual({ PerBinding: 'violation', WholeAction: 'ok', Group: 'violation', WholeSpec: 'violation' });
  });

  it('a group member that is not an action or a process is an error', () => {
    const f = join(tmp, 'bad-group.spex');
    writeFileSync(f, 'spec B\nvar x: 0..1 = 0\naction A { x := 1 }\ninvariant I: true\nproperty P: eventually x == 1\nfair { A, Nope, I }\n');
    const r = spex('check', f);
    expect(r.stdout + r.stderr).toMatch(/E201.*unknown action or process 'Nope'/);
    expect(r.stdout + r.stderr).toMatch(/E205.*'I' is an invariant, not an action or a process/);
  });

  it('`next` stays a name outside fairness', () => {
    const f = join(tmp, 'next-name.spex');
    writeFileSync(f, 'spec N\nvar next: 0..1 = 0\naction A { next := 1 }\nproperty P: eventually next == 1\ncheck C { fair next  expect ok }\n');
    expect(spex('test', f).code).toBe(0);
    // At the top level too, for every check; and a group of one action at the top level.
    const g = join(tmp, 'top-level.spex');
    writeFileSync(g, 'spec T\nvar x: 0..2 = 0\naction A(i: 1..2) { require x < 2  x := x + 1 }\nproperty P: eventually x == 2\nstrong fair next\ncheck C { deadlock off  expect ok }\n');
    expect(spex('test', g).code).toBe(0);
    writeFileSync(g, 'spec T\nvar x: 0..2 = 0\naction A(i: 1..2) { require x < 2  x := x + 1 }\nproperty P: eventually x == 2\nfair { A }\ncheck C { deadlock off  expect ok }\n');
    expect(spex('test', g).code).toBe(0);
  });
});

describe('general temporal formulas', () => {
  it('nested.spex: the expected verdicts, the simple forms through their fast paths', () => {
    expect(spex('test', 'test/fixtures/temporal/nested.spex').code).toBe(0);
    const { spec } = loadSpec(`${root}test/fixtures/temporal/nested.spex`);
    const kinds = Object.fromEntries(spec.properties.map((p) => [p.name, p.decl.formula.kind]));
    expect(kinds).toEqual({
      StartsAtZero: 'general',
      ClimbsFromZero: 'general',
      SettlesOnceHigh: 'general',
      Stays: 'eventuallyAlways',
      Visits: 'general',
      Bounded: 'general',
      Quantified: 'general',
    });
  });

  it('a general lasso goes to ITF and replays, and replay notes a formula the lasso satisfies', () => {
    const itf = join(tmp, 'WeakSettle.itf.json');
    const r = spex('check', 'test/fixtures/temporal/nested.spex', '--check', 'WeakSettle', '--out-itf', itf);
    expect(r.code).toBe(13);
    expect(r.stdout).toContain('Property SettlesOnceHigh is violated by a behaviour: the formula is false on it.');
    const ok = spex('replay', itf, 'test/fixtures/temporal/nested.spex');
    expect(ok.code).toBe(0);
    expect(ok.stdout + ok.stderr).toContain('As recorded, property SettlesOnceHigh is violated by this lasso.');
    const t = JSON.parse(readFileSync(itf, 'utf8'));
    const wrong = join(tmp, 'nested-wrong.itf.json');
    writeFileSync(wrong, JSON.stringify({ ...t, '#meta': { ...t['#meta'], property: 'ClimbsFromZero', violation: 'ClimbsFromZero' } }));
    const w = spex('replay', wrong, 'test/fixtures/temporal/nested.spex');
    expect(w.stdout + w.stderr).toContain('the formula holds on this lasso');
  });

  it('today\'s forms parse as before: always binds what follows, a state predicate as long as it goes', () => {
    const f = join(tmp, 'forms.spex');
    writeFileSync(
      f,
      [
        'spec Forms',
        'var x: 0..2 = 0',
        'action A { require x < 2  x := x + 1 }',
        'property A1: always x >= 0 and x <= 2',
        'property A2: forall v in 0..1: always eventually x == v or x == 2',
        'property A3: always forall v in 0..1: x != v or x == v',
        'property A4: (x == 0) ~> (x == 2)',
        'property G1: always x >= 0 and eventually x == 2',
        'property G2: not eventually x == 3',
        'property G3: exists v in 0..2: eventually always x == v',
        '',
      ].join('\n'),
    );
    const { spec } = loadSpec(f);
    const kinds = Object.fromEntries(spec.properties.map((p) => [p.name, p.decl.formula.kind]));
    expect(kinds).toEqual({ A1: 'always', A2: 'alwaysEventually', A3: 'always', A4: 'leadsTo', G1: 'general', G2: 'general', G3: 'general' });
    const a1 = spec.properties.find((p) => p.name === 'A1')!.decl.formula;
    expect(a1.kind === 'always' && a1.body.kind === 'binary' && a1.body.op === 'and').toBe(true);
    const g1 = spec.properties.find((p) => p.name === 'G1')!.decl.formula;
    expect(g1.kind === 'general' && g1.tree.kind === 'and').toBe(true);
  });
});

describe('a general formula, conjunct by conjunct', () => {
  const P: Ltl = { k: 'atom', i: 3 };
  const Q: Ltl = { k: 'atom', i: 5 };
  const not = (a: Ltl): Ltl => ({ k: 'not', a });
  const G = (a: Ltl): Ltl => ({ k: 'always', a });
  const F = (a: Ltl): Ltl => ({ k: 'eventually', a });
  const and = (a: Ltl, b: Ltl): Ltl => ({ k: 'and', a, b });
  const or = (a: Ltl, b: Ltl): Ltl => ({ k: 'or', a, b });

  it('takes the conjuncts at the top, left to right, and the simple forms among them', () => {
    expect(conjunctsOf(and(and(G(P), F(Q)), and(P, or(P, Q))))).toEqual([G(P), F(Q), P, or(P, Q)]);
    expect(conjunctsOf(or(and(P, Q), P))).toEqual([or(and(P, Q), P)]);
    expect(simpleQuery(G(P))).toEqual({ kind: 'always', p: 3 });
    expect(simpleQuery(F(Q))).toEqual({ kind: 'eventually', p: 5 });
    expect(simpleQuery(G(F(P)))).toEqual({ kind: 'alwaysEventually', p: 3 });
    expect(simpleQuery(F(G(Q)))).toEqual({ kind: 'eventuallyAlways', p: 5 });
    expect(simpleQuery(G(or(not(P), F(Q))))).toEqual({ kind: 'leadsTo', p: 3, q: 5 });
    // All but `always P` by their fast path inside a general formula.
    expect([G(P), F(Q), G(F(P)), F(G(Q)), G(or(not(P), F(Q)))].map((f) => fastConjunct(f)?.kind)).toEqual([undefined, 'eventually', 'alwaysEventually', 'eventuallyAlways', 'leadsTo']);
    // Shapes near those, which only the automaton takes.
    for (const f of [P, not(G(P)), G(not(P)), F(not(P)), G(G(P)), F(F(P)), G(F(not(P))), F(G(not(P))), G(F(G(P))), G(or(F(Q), not(P))), G(or(not(P), Q)), G(or(P, F(Q))), G(and(P, Q)), and(G(P), G(Q))]) {
      expect(simpleQuery(f), JSON.stringify(f)).toBeUndefined();
    }
  });

  it('gives the verdict of the conjuncts checked apart, with a lasso that is a fair behaviour violating the whole', () => {
    // Six properties of a counter that Inc and Reset run fairly and Flip, unfair, may run or not.
    const props: [string, string][] = [
      ['A', 'always eventually x == 0'],
      ['B', 'eventually always y == 0'],
      ['C', 'x == 1 ~> x == 2'],
      ['D', 'always x <= 2 or y == 0'],
      ['E', 'eventually y == 1'],
      ['N', 'eventually (always x == 0 or always eventually x == 1)'],
    ];
    const specOf = (properties: string): string => `spec Conj
var x: 0..3 = 0
var y: 0..1 = 0
action Inc {
  require x < 3
  x := x + 1
}
action Reset {
  require x == 3
  x := 0
}
action Flip { y := 1 - y }
fair action Inc
fair action Reset
${properties}
`;
    const run = (text: string): CheckResult => {
      const path = join(tmp, 'conj.spex');
      writeFileSync(path, text);
      const { spec } = loadSpec(path);
      return runCheck(spec, undefined, new Map(), { workers: 1 });
    };
    // Each alone, as a property of its own.
    const alone = new Map(props.map(([n, f]) => [n, run(specOf(`property ${n}: ${f}`)).verdict.kind]));
    expect([...alone.values()]).toEqual(['ok', 'violation', 'ok', 'violation', 'violation', 'ok']);
    const { spec } = loadSpec(join(tmp, 'conj.spex'));
    const fairness = compileFairness(spec, undefined);
    let compared = 0;
    for (let mask = 1; mask < 1 << props.length; mask++) {
      const chosen = props.filter((_, i) => mask & (1 << i));
      if (chosen.length > 3) continue;
      const formula = chosen.map(([, f]) => `(${f})`).join(' and ');
      const r = run(specOf(`property All: ${formula}`));
      const expected = chosen.some(([n]) => alone.get(n) === 'violation') ? 'violation' : 'ok';
      expect(r.verdict.kind, formula).toBe(expected);
      // The automaton of the whole formula (`not not`: no conjunction at the top) agrees.
      expect(run(specOf(`property All: not not (${formula})`)).verdict.kind, formula).toBe(expected);
      const v = r.temporal && 'checked' in r.temporal ? r.temporal.violation : undefined;
      expect(v === undefined, formula).toBe(expected === 'ok');
      // A lasso, even where an `always` conjunct fails; a finite trace only for a property
      // that is `always P` alone (a simple form, not a general formula).
      if (v?.kind === 'finite') expect([v.property.kind, lassoMisses(v.property, v.trace.states, undefined)], formula).toEqual(['always', undefined]);
      else if (v !== undefined) expect(lassoProblems(r, fairness), formula).toEqual([]);
      compared++;
    }
    expect(compared).toBe(41);
  });
});

describe('the general check agrees with the fast paths on the specs', () => {
  // Every property rewritten `not not (F)`: the same formula, which no longer has a simple
  // form's shape, so it goes through the automaton (quantifiers in front of it included: they
  // become a conjunction inside one instance). The verdicts must not move.
  const files = [
    'spec/examples/peterson.spex',
    'spec/examples/intermittent.spex',
    'spec/examples/turns.spex',
    'spec/bench/counter-grid-live.spex',
    'spec/memcg/idrecycle.spex',
    'spec/memcg/reparent.spex',
    'test/fixtures/temporal/lasso.spex',
    'test/fixtures/temporal/procs-fair.spex',
    'test/fixtures/temporal/nested.spex',
  ];
  for (const file of files) {
    it(`${file}`, () => {
      const text = readFileSync(`${root}${file}`, 'utf8');
      const rewritten = text.replace(/^(property \w+:)(.*)$/gm, '$1 not not ($2)');
      expect(rewritten).not.toBe(text);
      const path = join(tmp, file.replace(/\//g, '_'));
      writeFileSync(path, rewritten);
      const verdicts = (p: string): string[] => {
        const { spec } = loadSpec(p);
        return spec.checks.map((c) => {
          const r = runCheck(spec, c, new Map(), {});
          return `${c.name}: ${r.verdict.kind}${'name' in r.verdict ? ` ${r.verdict.name}` : ''}`;
        });
      };
      // Where every check says what it expects, the original's verdicts are those (test/tlaplus.test.ts
      // runs `spex test spec`, and the fixtures' own tests theirs): only the rewritten file runs.
      const { spec: original } = loadSpec(`${root}${file}`);
      const expected = original.checks.every((c) => c.decl.expect !== undefined)
        ? original.checks.map((c) => {
            const e = c.decl.expect!;
            return `${c.name}: ${e.kind}${e.kind === 'violation' ? ` ${e.name.text}` : ''}`;
          })
        : verdicts(`${root}${file}`);
      const general = loadSpec(path).spec;
      expect(general.properties.every((p) => p.decl.formula.kind === 'general')).toBe(true);
      expect(verdicts(path)).toEqual(expected);
    });
  }
});
