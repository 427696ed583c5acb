import { describe, expect, it } from 'vitest';
import { compile, reachable, run, stepsFromInit } from './helpers.js';
import { formatTrace, formatLabel } from '../../src/cli/report.js';
import { explore } from '../../src/explore/index.js';
import { SpecErrors } from '../../src/lang/diagnostics.js';

const header = 'spec T\n';

describe('process steps', () => {
  it('runs each label as one atomic step, and shows the label in the step', () => {
    const steps = stepsFromInit(`${header}
      var x: Int = 0
      var y: Int = 0
      process P {
        a: x := 1
           y := x + 1
        b: x := 5
      }`);
    // Both writes of step a happen together; x := 5 is the next step.
    expect(steps).toEqual(['P() x=1 y=2 P.pc=b']);
    const { system } = compile(`${header}
      var x: Int = 0
      process P {
        a: x := 1
        b: x := 5
      }`);
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome.kind).toBe('ok');
    expect(r.stats.distinct).toBe(3);
  });

  it('interleaves instances and actions between labels', () => {
    const states = reachable(`${header}
      var log: Seq[Int] = []
      process P(i in {1, 2}) {
        a: log := append(log, i)
        b: log := append(log, i * 10)
      }`);
    const finals = states.filter((s) => s.endsWith('P(i=1).pc=done P(i=2).pc=done')).map((s) => /^log=(\[.*?\])/.exec(s)![1]);
    // Every interleaving of 1 then 10 with 2 then 20.
    expect(finals.sort()).toEqual([
      '[1, 10, 2, 20]', '[1, 2, 10, 20]', '[1, 2, 20, 10]', '[2, 1, 10, 20]', '[2, 1, 20, 10]', '[2, 20, 1, 10]',
    ]);
  });

  it('keeps process variables per instance, initialised from the parameter', () => {
    const steps = stepsFromInit(`${header}
      var total: Int = 0
      process P(i in {1, 2}) {
        var mine: Int = i * 100
        a: mine := mine + 1
           total := total + mine
      }`);
    expect(steps).toEqual([
      'P(i=1) total=101 P(i=1).pc=done P(i=1).mine=101 P(i=2).pc=a P(i=2).mine=200',
      'P(i=2) total=201 P(i=1).pc=a P(i=1).mine=100 P(i=2).pc=done P(i=2).mine=201',
    ]);
  });

  it('makes await an enabling condition of the step', () => {
    const steps = stepsFromInit(`${header}
      var flag: Bool = false
      process Waiter {
        w: await flag
           flag := false
      }
      action Raise { require not flag
                     flag := true }`);
    expect(steps).toEqual(['Raise() flag=true Waiter.pc=w']);
  });

  it('tests a while loop in the step that reaches its label, and loops back to it', () => {
    const { system } = compile(`${header}
      var n: Int = 0
      var out: Int = 0
      process Loop {
        top:  while n < 2 {
        body:   n := n + 1
              }
        after: out := n
      }`);
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome.kind).toBe('ok');
    // top, body, top, body, top (exits, falls through to after), after.
    const trace: string[] = [];
    let s: unknown[] = [];
    system.initialStates((x) => (s = x));
    for (let steps = 0; steps < 20; steps++) {
      const next: { st: unknown[]; l: string }[] = [];
      system.successors(s as never, (st, l) => next.push({ st, l: formatLabel(l) }));
      expect(next).toHaveLength(1);
      // Once done, the state's one successor is itself: PlusCal's Terminating stutter.
      if (next[0]!.l === 'Terminating') break;
      trace.push(next[0]!.l);
      s = next[0]!.st;
    }
    expect(trace).toEqual(['Loop at top', 'Loop at body', 'Loop at top', 'Loop at body', 'Loop at top', 'Loop at after']);
    expect(system.isDone!(s as never)).toBe(true);
  });

  it('runs a while without a label in its body as one iteration per step', () => {
    const steps = stepsFromInit(`${header}
      var n: Int = 0
      process Loop {
        top: while n < 3 { n := n + 1 }
      }`);
    expect(steps).toEqual(['Loop() n=1 Loop.pc=top']);
  });

  it('ends the step at goto and goes on at the label', () => {
    const states = reachable(`${header}
      var n: Int = 0
      process G {
        a: n := n + 1
           if n < 3 { goto a }
        b: n := n * 10
      }`);
    expect(states).toEqual(['n=0 G.pc=a', 'n=1 G.pc=a', 'n=2 G.pc=a', 'n=3 G.pc=b', 'n=30 G.pc=done']);
  });

  it('lets pick branch within a step', () => {
    const steps = stepsFromInit(`${header}
      var x: Int = 0
      process P {
        a: pick v in {1, 2}
           x := v
        b: x := 0
      }`);
    expect(steps).toEqual(['P() x=1 P.pc=b', 'P() x=2 P.pc=b']);
  });
});

describe('done and deadlock', () => {
  it('does not report a state where every instance is done as a deadlock', () => {
    const r = run(`${header}
      var x: Int = 0
      process P(i in {1, 2}) { a: x := x + i }`, true);
    expect(r.outcome.kind).toBe('ok');
  });

  it('reports a blocked instance as a deadlock', () => {
    const r = run(`${header}
      var x: Int = 0
      process P { a: await x == 1
                  b: x := 2 }`, true);
    expect(r.outcome.kind).toBe('deadlock');
  });

  it('reports a deadlock when one instance is done and another blocked', () => {
    const r = run(`${header}
      var x: Int = 0
      process Done { a: x := 1 }
      process Stuck { a: await x == 2 }`, true);
    expect(r.outcome.kind).toBe('deadlock');
  });

  it('keeps deadlocks as they were in a spec without processes', () => {
    const { system } = compile(`${header}
      var x: 0..1 = 0
      action A { require x == 0
                 x := 1 }`);
    expect(system.isDone).toBeUndefined();
    expect(run(`${header}
      var x: 0..1 = 0
      action A { require x == 0
                 x := 1 }`, true).outcome.kind).toBe('deadlock');
  });
});

describe('P(i) at L', () => {
  it('reads the pc of an instance in invariants and actions', () => {
    const steps = stepsFromInit(`${header}
      var seen: Bool = false
      process P(i in {1, 2}) {
        a: skip_ := 0
        b: seen := seen
      }
      var skip_: Int = 0
      action Look { require P(1) at a and not (P(2) at b) and not (P(1) at done)
                    seen := true }`);
    expect(steps[0]).toBe('Look() seen=true skip_=0 P(i=1).pc=a P(i=2).pc=a');
  });

  it('fails at run time for a value that is not an instance', () => {
    const r = run(`${header}
      var x: Int = 0
      process P(i in {1, 2}) { a: x := 1 }
      invariant I: P(x + 3) at a`);
    expect(r.outcome.kind).toBe('fault');
  });

  it("finds the instance of every value of its domain, and for any other value says it is none (E702)", () => {
    // Instance M alone takes a step, to b, setting its n: reading another instance's pc or n
    // for x breaks the invariant in the second state; a value outside the domain is E702.
    const text = (domain: string, m: number, x: number): string => `${header}
      var x: -200..200200 = ${x}
      process P(i ${domain}) {
        var n: 0..3 = 0
        a: await i == ${m}
           n := 3
        b: await false
      }
      invariant I: P(x).n == (if x == ${m} and P(${m}) at b then 3 else 0)
        and (P(x) at b) == (x == ${m} and P(${m}) at b)`;
    // Dense, sparse, negative, and too wide for an array (then looked up by value).
    for (const [domain, values, m] of [
      ['in {2, 5, 9}', [2, 5, 9], 5],
      ['in {-3, -2, -1, 0, 1, 2}', [-3, -2, -1, 0, 1, 2], -1],
      ['in {1, 100000}', [1, 100000], 100000],
      ['in {7}', [7], 7],
    ] as const) {
      const tried = [...new Set([...values.flatMap((v) => [v - 1, v, v + 1]), Math.min(...values) - 5, Math.max(...values) + 3, 50000])];
      for (const x of tried) {
        const r = run(text(domain, m, x));
        const what = r.outcome.kind === 'fault' ? r.outcome.error.message : r.outcome.kind;
        const expected = (values as readonly number[]).includes(x) ? 'ok' : `${x} is not an instance of process 'P' (its instances: ${values.join(', ')})`;
        expect(what, `${domain}, x = ${x}`).toBe(expected);
        if (r.outcome.kind === 'ok') expect(r.stats.distinct, `${domain}, x = ${x}`).toBe(2);
      }
    }
  });

  it('is exposed to other front-end passes as the list of processes', () => {
    const { spec } = compile(`${header}
      var x: Int = 0
      process P(i in {1, 2}) { var l: Int = 0
                               a: x := 1 }
      process Q { a: x := 2 }`);
    expect(spec.processes.map((p) => [p.name, p.param?.name, p.labels, p.locals.map((l) => l.name)])).toEqual([
      ['P', 'i', ['a'], ['l']],
      ['Q', undefined, ['a'], []],
    ]);
  });
});

describe('process traces', () => {
  it('shows the step label with at, and pcs and locals in the changes', () => {
    const { system } = compile(`${header}
      enum M { C, D }
      var owner: Option[M] = None
      process Offline(m in {C}) {
        var busy: Option[Int] = None
        lock:   await owner == None
                owner := Some(m)
                busy := Some(1)
        unlock: owner := None
      }
      invariant NeverUnlocked: not (Offline(C) at done)`);
    // Its slots: owner, then the instance's pc and busy; the explorers' guard counts them.
    expect(system.varNames).toEqual(['owner', 'Offline(m=C).pc', 'Offline(m=C).busy']);
    expect(system.stateSize).toBe(3);
    const r = explore(system, { checkDeadlock: true });
    expect(r.outcome.kind).toBe('invariant');
    if (r.outcome.kind !== 'invariant') return;
    expect(formatTrace(r.outcome.trace, system.varNames)).toBe(
      [
        '0  init',
        '      owner = None',
        '      Offline(m=C).pc = lock',
        '      Offline(m=C).busy = None',
        '1  Offline(m=C) at lock',
        '      owner: None → Some(C)',
        '      Offline(m=C).pc: lock → unlock',
        '      Offline(m=C).busy: None → Some(1)',
        '2  Offline(m=C) at unlock',
        '      owner: Some(C) → None',
        '      Offline(m=C).pc: unlock → done',
      ].join('\n'),
    );
  });
});

describe('names in processes', () => {
  it('forgets let and pick names at the next label', () => {
    expect(() => compile(`${header}
      var x: Int = 0
      process P {
        a: let v = 1
           x := v
        b: x := v
      }`)).toThrow(SpecErrors);
  });
});
