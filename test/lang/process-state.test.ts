/**
 * Process state beyond a process's own steps: valid end labels, process variables read from
 * outside (`P(i).x`), nondeterministic initial values (`var x: T in S`), and fairness written
 * on a declaration.
 */
import { describe, expect, it } from 'vitest';
import { codes, compile, reachable, run } from './helpers.js';
import type { State } from '../../src/lang/compile.js';
import { formatValue } from '../../src/values/index.js';

const header = 'spec T\n';

function initials(text: string): string[] {
  const { system } = compile(text);
  const out: string[] = [];
  system.initialStates((s: State) => out.push(s.map((v, i) => `${system.varNames[i]}=${formatValue(v)}`).join(' ')));
  return out;
}

describe('end labels', () => {
  const daemon = (end: string) => `${header}
    var jobs: 0..2 = 0
    process Worker {
      ${end}wait: await jobs > 0
      work: jobs := jobs - 1
            goto wait
    }
    process Producer {
      a: jobs := jobs + 1
      b: jobs := jobs + 1
    }`;

  it('does not report an instance blocked at an end label as a deadlock', () => {
    expect(run(daemon('end '), true).outcome.kind).toBe('ok');
  });

  it('reports the same state as a deadlock without the end label', () => {
    expect(run(daemon(''), true).outcome.kind).toBe('deadlock');
  });

  it('still reports a deadlock when another instance is blocked elsewhere', () => {
    const r = run(`${header}
      var x: Int = 0
      process Daemon { end idle: await x == 5 }
      process Stuck { a: await x == 1 }`, true);
    expect(r.outcome.kind).toBe('deadlock');
  });

  it('records the end labels of each process, and end stays usable as a name', () => {
    const { spec } = compile(`${header}
      var end: Int = 0
      process P { a: end := 1
                  end b: await end == 2
                  if end == 3 { end c: end := 4 } }`);
    expect(spec.processes[0]!.labels).toEqual(['a', 'b', 'c']);
    expect(spec.processes[0]!.endLabels).toEqual(['b', 'c']);
  });
});

describe('reading process variables from outside', () => {
  it('reads an instance variable in invariants, actions, and other processes', () => {
    const r = run(`${header}
      var seen: Int = 0
      process P(i in {1, 2}) {
        var n: Int = i
        a: n := n + 10
      }
      process Single { var k: Int = 7
                       a: seen := P(1).n + k }
      action Look { require P(2).n == 12 and Single.k == 7
                    seen := -1 }
      invariant Sum: P(1).n + P(2).n <= 23 and Single.k == 7
      invariant Seen: seen == 0 or seen == 8 or seen == 18 or seen == -1`, true);
    expect(r.outcome.kind).toBe('ok');
  });

  it('finds a violation through a read', () => {
    const r = run(`${header}
      process P(i in {1, 2}) { var n: Int = 0
                               a: n := i }
      invariant Small: forall i in {1, 2}: P(i).n < 2`);
    expect(r.outcome.kind).toBe('invariant');
  });

  it('refuses a wrong instance, an unknown variable, and a write from outside', () => {
    const base = `${header}
      var x: Int = 0
      process P(i in {1, 2}) { var n: Int = 0
                               a: n := i }
      process Q { var m: Int = 0
                  a: m := 1 }`;
    expect(codes(`${base}\ninvariant I: P.n == 0`)[0]).toMatch(/^E204 process 'P' has one instance per value of 'i'/);
    expect(codes(`${base}\ninvariant I: Q(1).m == 0`)[0]).toMatch(/^E204 process 'Q' has a single instance/);
    expect(codes(`${base}\ninvariant I: P(1).nn == 0`)[0]).toMatch(/^E201 process 'P' has no variable 'nn'/);
    expect(codes(`${base}\ninvariant I: P(true).n == 0`)[0]).toMatch(/^E205/);
    expect(codes(`${base}\nconst C: Int = Q.m`)[0]).toMatch(/^E216/);
    expect(codes(`${base}\naction W { Q.m := 2 }`)[0]).toMatch(/^E206/);
    expect(codes(`${base}\ninvariant I: n == 0`)[0]).toMatch(/^E201 unknown name 'n'/);
  });

  it('fails at run time for a value that is not an instance', () => {
    const r = run(`${header}
      var x: Int = 0
      process P(i in {1, 2}) { var n: Int = 0
                               a: x := 1 }
      invariant I: P(x + 3).n == 0`);
    expect(r.outcome.kind).toBe('fault');
  });
});

describe('nondeterministic initial values', () => {
  it('gives one initial state per choice, the last slot varying fastest', () => {
    expect(initials(`${header}
      var g: Int = 0
      process P(i in {1, 2}) {
        var a: 0..3 in {i, 3}
        var b: Bool in {true, false}
        s: g := a
      }`)).toEqual([
      'g=0 P(i=1).pc=s P(i=1).a=1 P(i=1).b=false P(i=2).pc=s P(i=2).a=2 P(i=2).b=false',
      'g=0 P(i=1).pc=s P(i=1).a=1 P(i=1).b=false P(i=2).pc=s P(i=2).a=2 P(i=2).b=true',
      'g=0 P(i=1).pc=s P(i=1).a=1 P(i=1).b=false P(i=2).pc=s P(i=2).a=3 P(i=2).b=false',
      'g=0 P(i=1).pc=s P(i=1).a=1 P(i=1).b=false P(i=2).pc=s P(i=2).a=3 P(i=2).b=true',
      'g=0 P(i=1).pc=s P(i=1).a=1 P(i=1).b=true P(i=2).pc=s P(i=2).a=2 P(i=2).b=false',
      'g=0 P(i=1).pc=s P(i=1).a=1 P(i=1).b=true P(i=2).pc=s P(i=2).a=2 P(i=2).b=true',
      'g=0 P(i=1).pc=s P(i=1).a=1 P(i=1).b=true P(i=2).pc=s P(i=2).a=3 P(i=2).b=false',
      'g=0 P(i=1).pc=s P(i=1).a=1 P(i=1).b=true P(i=2).pc=s P(i=2).a=3 P(i=2).b=true',
      'g=0 P(i=1).pc=s P(i=1).a=3 P(i=1).b=false P(i=2).pc=s P(i=2).a=2 P(i=2).b=false',
      'g=0 P(i=1).pc=s P(i=1).a=3 P(i=1).b=false P(i=2).pc=s P(i=2).a=2 P(i=2).b=true',
      'g=0 P(i=1).pc=s P(i=1).a=3 P(i=1).b=false P(i=2).pc=s P(i=2).a=3 P(i=2).b=false',
      'g=0 P(i=1).pc=s P(i=1).a=3 P(i=1).b=false P(i=2).pc=s P(i=2).a=3 P(i=2).b=true',
      'g=0 P(i=1).pc=s P(i=1).a=3 P(i=1).b=true P(i=2).pc=s P(i=2).a=2 P(i=2).b=false',
      'g=0 P(i=1).pc=s P(i=1).a=3 P(i=1).b=true P(i=2).pc=s P(i=2).a=2 P(i=2).b=true',
      'g=0 P(i=1).pc=s P(i=1).a=3 P(i=1).b=true P(i=2).pc=s P(i=2).a=3 P(i=2).b=false',
      'g=0 P(i=1).pc=s P(i=1).a=3 P(i=1).b=true P(i=2).pc=s P(i=2).a=3 P(i=2).b=true',
    ]);
  });

  it('runs init once per combination', () => {
    const states = reachable(`${header}
      var g: Int = 0
      init { pick v in {10, 20} g := v }
      process P { var a: Int in {1, 2}
                  s: g := g + a }`);
    expect(states.filter((s) => s.includes('P.pc=done')).map((s) => s.split(' ')[0]).sort()).toEqual(['g=11', 'g=12', 'g=21', 'g=22']);
  });

  it('range-checks every choice, and type-checks the set', () => {
    expect(() => compile(`${header}
      process P { var a: 0..2 in {1, 5}
                  s: a := 0 }`)).toThrow(/would be 5, outside its declared type/);
    expect(codes(`${header}
      process P { var a: Int in {true}
                  s: a := 0 }`)[0]).toMatch(/^E205 the initial choices of variable 'a' of process 'P' should be Set\[Int\]/);
    expect(codes(`${header}
      process P { var a: Int in 3
                  s: a := 0 }`)[0]).toMatch(/^E205/);
  });

  it('asks for an initial value when there is none', () => {
    expect(codes(`${header}
      process P { var a: Int
                  s: a := 0 }`)).toEqual(["E226 process variable 'a' of 'P' has no initial value"]);
  });
});

describe('fairness on the declaration', () => {
  it('means the same as a separate fairness declaration', () => {
    const { spec } = compile(`${header}
      var x: 0..3 = 0
      fair process P { a: x := 1 }
      strong fair process Q(i in {1, 2}) { a: x := i }
      fair action A(v: 0..1) { x := v }
      strong fair action B { x := 3 }`);
    expect(spec.fairness.map((f) => `${f.strong ? 'strong ' : ''}${f.decl.target} ${f.name}`)).toEqual([
      'process P', 'strong process Q', 'action A', 'strong action B',
    ]);
    const sep = compile(`${header}
      var x: 0..3 = 0
      process P { a: x := 1 }
      fair process P`);
    expect(sep.spec.fairness.map((f) => f.name)).toEqual(['P']);
  });
});

describe('the no-fairness warning', () => {
  it('suggests fair process for a spec made only of processes', async () => {
    const { spex } = await import('../support/cli.js');
    const r = spex('check', 'test/fixtures/processes/unfair-process.spex', '--check', 'Unfair');
    expect(r.code).toBe(13);
    expect(r.stdout).toContain(`with 'fair process <Name>' (or 'fair next' for every step) (docs/temporal.md)`);
    const s = spex('check', 'spec/examples/peterson.spex', '--check', 'Unfair');
    expect(s.stdout).toContain(`with 'fair action <Name>' (docs/temporal.md)`);
  });
});
