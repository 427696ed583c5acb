/**
 * Counterexamples as ITF traces (`spex check --out-itf`) and `spex replay`: golden ITF files,
 * every exported trace replays, tampered traces are rejected at their first bad step, and
 * decoding then encoding gives back the same trace. Runs the built CLI (npm test builds
 * dist/ first). UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { spexHere } from './support/cli.js';
import { loadSpec } from '../src/engine/run.js';
import { replayTrace } from '../src/engine/replay.js';
import { compileSpec, type Label, type State } from '../src/lang/compile.js';
import { optionType, type Type } from '../src/lang/types.js';
import { decodeValue, encodeValue, formatItf, fromItf, toItf } from '../src/export/itf.js';
import { itfPathForCheck } from '../src/cli/itf-out.js';
import { formatValue, mkSet, valueEquals } from '../src/values/index.js';
import { CPU, arbType, arbValueOf, type VType } from './values/arbitrary.js';
import { compile } from './lang/helpers.js';

const root = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'spex-itf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function spex(...args: string[]): { code: number; stdout: string; stderr: string } {
  return spexHere(args);
}

function golden(name: string, actual: string): void {
  const path = `${root}test/fixtures/itf/${name}`;
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** The three counterexamples: spec, check, golden file, steps, and the expected exit code of check. */
const CASES = [
  { spec: 'spec/examples/diehard.spex', check: 'DieHard', golden: 'diehard.itf.json', steps: 6, code: 12 },
  { spec: 'spec/memcg/rfc-reparent-lrus.spex', check: 'RfcAwol', golden: 'rfc-awol.itf.json', steps: 4, code: 12 },
  { spec: 'test/fixtures/itf/kinds.spex', check: 'DivideByZero', golden: 'kinds.itf.json', steps: 3, code: 75 },
  { spec: 'test/fixtures/cli/offline-process.spex', check: 'LateCharge', golden: 'offline-process.itf.json', steps: 6, code: 12 },
] as const;

/** Writes a modified copy of a golden trace and returns its path. */
function tampered(golden: string, name: string, edit: (json: any) => void): string {
  const json = JSON.parse(readFileSync(`${root}test/fixtures/itf/${golden}`, 'utf8'));
  edit(json);
  const path = join(tmp, name);
  writeFileSync(path, JSON.stringify(json, null, 2));
  return path;
}

describe('spex check --out-itf', () => {
  for (const c of CASES) {
    it(`writes the ${c.check} counterexample as ITF (golden ${c.golden})`, () => {
      const path = join(tmp, c.golden);
      const r = spex('check', c.spec, '--check', c.check, '--out-itf', path);
      expect(r.code).toBe(c.code);
      expect(r.stdout).toContain(`ITF trace written to ${path}\n`);
      const text = readFileSync(path, 'utf8');
      golden(c.golden, text);
      const json = JSON.parse(text);
      expect(json.states).toHaveLength(c.steps + 1);
      expect(json['#meta']).toMatchObject({ format: 'ITF', source: c.spec, check: c.check });
    });
  }

  it('records a fault with the failing step, the message and the code', () => {
    const json = JSON.parse(readFileSync(`${root}test/fixtures/itf/kinds.itf.json`, 'utf8'));
    expect(json['#meta'].verdict).toBe('error');
    expect(json['#meta'].error).toEqual({
      kind: 'runtime',
      code: 'E701',
      message: 'division by zero',
      location: 'test/fixtures/itf/kinds.spex:32:22',
      action: 'Tick',
      params: {},
    });
  });

  it('writes one file per check that has a counterexample when several checks run, and none without one', () => {
    const path = join(tmp, 'memcg.itf.json');
    const r = spex('check', 'spec/memcg/rfc-reparent-lrus.spex', '--out-itf', path);
    expect(r.code).toBe(12);
    const perCheck = join(tmp, 'memcg.RfcAwol.itf.json');
    expect(r.stdout).toContain(`ITF trace written to ${perCheck}\n`);
    expect(readFileSync(perCheck, 'utf8')).toBe(readFileSync(`${root}test/fixtures/itf/rfc-awol.itf.json`, 'utf8'));
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(tmp, 'memcg.PutbackToNearestOnline.itf.json'))).toBe(false);

    const ok = join(tmp, 'tcommit.itf.json');
    const t = spex('check', 'spec/examples/tcommit.spex', '--out-itf', ok);
    expect(t.code).toBe(0);
    expect(t.stdout).not.toContain('ITF trace written');
    expect(existsSync(ok)).toBe(false);
  });

  it('names the per-check files by inserting the check name before .itf.json or .json', () => {
    expect(itfPathForCheck('out/cex.itf.json', 'A')).toBe('out/cex.A.itf.json');
    expect(itfPathForCheck('cex.json', 'A')).toBe('cex.A.json');
    expect(itfPathForCheck('cex', 'A')).toBe('cex.A');
  });
});

describe('names that are special to JavaScript objects', () => {
  const roundTrip = (name: string, text: string): { itf: { '#meta': { constants: Record<string, unknown> }; states: Record<string, unknown>[] }; tlc: { state: [number, Record<string, unknown>][] } } => {
    const file = join(tmp, `${name}.spex`);
    writeFileSync(file, text);
    const itf = join(tmp, `${name}.itf.json`);
    const tlc = join(tmp, `${name}.tlc.json`);
    expect(spex('check', file, '--out-itf', itf, '--out-tlc-json', tlc).code).toBe(12);
    const r = spex('replay', itf, file);
    expect(r.stdout).toContain('Trace replays: 1 step');
    expect(r.code).toBe(0);
    return { itf: JSON.parse(readFileSync(itf, 'utf8')), tlc: JSON.parse(readFileSync(tlc, 'utf8')) };
  };

  it('keeps a variable, a record field and a parameter named __proto__, and enum members named after Object methods, in ITF and TLC JSON; the traces replay', () => {
    const a = roundTrip('proto-a', `spec ProtoA
const constructor: Int = 3
var __proto__: 0..3 = 0
var r: { __proto__: 0..9, a: 0..9 } = { __proto__: 1, a: 2 }
action Step { __proto__ := __proto__ + 1 }
invariant Small: __proto__ < 1
`);
    expect(Object.keys(a.itf.states[0]!)).toEqual(['#meta', '__proto__', 'r']);
    expect(Object.keys(a.itf.states[0]!['r'] as object)).toEqual(['__proto__', 'a']);
    expect(Object.keys(a.itf['#meta'].constants)).toEqual(['constructor']);
    expect(Object.keys(a.tlc.state[0]![1])).toEqual(['__proto__', 'r']);
    const b = roundTrip('proto-b', `spec ProtoB
enum K { __proto__, hasOwnProperty, toString }
var n: 0..3 = 0
var m: Map[K, 0..1] = [k in K |-> 0]
action Step(__proto__: 0..1) { n := n + __proto__ + 1 }
invariant Small: n < 1
`);
    expect(Object.keys((b.itf.states[1]!['#meta'] as { params: object }).params)).toEqual(['__proto__']);
    expect(Object.keys(b.tlc.state[0]![1]['m'] as object)).toEqual(['__proto__', 'hasOwnProperty', 'toString']);
  });
});

describe('spex replay of a hostile trace', () => {
  it('shows names and messages from the trace with control characters escaped, not as terminal escape sequences', () => {
    const file = join(tmp, 'dh.itf.json');
    expect(spex('check', 'spec/examples/diehard.spex', '--out-itf', file).code).toBe(12);
    const escape = '\u001b]0;PWNED\u0007\u001b[2J\u001b[31mRED';
    const t = JSON.parse(readFileSync(file, 'utf8')) as { states: { '#meta': Record<string, unknown> }[]; '#meta': Record<string, unknown> };
    t.states[1]!['#meta']['action'] = escape;
    writeFileSync(file, JSON.stringify(t));
    const r = spex('replay', file, 'spec/examples/diehard.spex');
    const all = r.stdout + r.stderr;
    expect(all).toContain("has no action '\\u001b]0;PWNED\\u0007\\u001b[2J\\u001b[31mRED'");
    expect(all).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    // A recorded violation's name likewise.
    t.states[1]!['#meta']['action'] = 'FillBig';
    t['#meta']['violation'] = { kind: 'invariant', name: `X${escape}` };
    writeFileSync(file, JSON.stringify(t));
    expect((spex('replay', file, 'spec/examples/diehard.spex').stdout)).not.toMatch(/\u001b/);
  });
});

describe('spex replay', () => {
  for (const c of CASES) {
    it(`replays the exported ${c.check} trace, and its recorded outcome`, () => {
      const r = spex('replay', `test/fixtures/itf/${c.golden}`, c.spec);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`on check ${c.check} (`);
      expect(r.stdout).toContain(`\nTrace replays: ${c.steps} steps\nAs recorded, `);
    });
  }

  it('replays the exported trace of every fault and deadlock fixture, and reproduces its outcome', () => {
    const dir = `${root}test/fixtures/runtime`;
    const specs = [
      ...readdirSync(dir).filter((f) => f.endsWith('.spex')).map((f) => `test/fixtures/runtime/${f}`),
      'test/fixtures/cli/counter.spex',
    ];
    const initFault = join(tmp, 'init-fault.spex');
    writeFileSync(initFault, 'spec InitFault\nvar x: Int\ninit { x := 1 / 0 }\naction A { x := x }\n');
    const invFault = join(tmp, 'invariant-fault.spex');
    writeFileSync(invFault, 'spec InvFault\nvar x: Int = 0\naction A { require x < 2\n x := x + 1 }\ninvariant Bad: 10 / (1 - x) > 0 or true\n');
    specs.push(initFault, invFault);
    let traces = 0;
    for (const spec of specs) {
      const out = join(tmp, `fixture-${spec.replace(/\W/g, '_')}.itf.json`);
      const r = spex('check', spec, '--out-itf', out);
      const written = [...r.stdout.matchAll(/^ITF trace written to (.*)$/gm)].map((m) => m[1]!);
      for (const file of written) {
        traces++;
        const replay = spex('replay', file, spec);
        expect(replay.stderr, `${spec}: ${file}`).toBe('');
        expect(replay.code, `${spec}: ${replay.stdout}`).toBe(0);
        expect(replay.stdout, `${spec}: ${replay.stdout}`).toMatch(/\nTrace replays: \d+ steps?\nAs recorded, /);
      }
    }
    expect(traces).toBeGreaterThanOrEqual(4);
    const deadlock = JSON.parse(readFileSync(join(tmp, 'fixture-test_fixtures_cli_counter_spex.Deadlocks.itf.json'), 'utf8'));
    expect(deadlock['#meta'].verdict).toBe('deadlock');
    const init = JSON.parse(readFileSync(join(tmp, `fixture-${initFault.replace(/\W/g, '_')}.itf.json`), 'utf8'));
    expect(init.states).toEqual([]);
    expect(init['#meta'].error).toMatchObject({ code: 'E701', action: 'init' });
  });

  it('replays a trace without #meta actions by any action', () => {
    const path = tampered('rfc-awol.itf.json', 'no-actions.itf.json', (j) => {
      for (const s of j.states) delete s['#meta'];
    });
    const r = spex('replay', path, 'spec/memcg/rfc-reparent-lrus.spex');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Trace replays: 4 steps\n');
  });

  it('rejects a trace with a changed value in a middle state, naming the step and the variable', () => {
    const path = tampered('diehard.itf.json', 'diehard-value.itf.json', (j) => {
      j.states[3].small = { '#bigint': '1' };
    });
    const r = spex('replay', path, 'spec/examples/diehard.spex');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'Trace does not replay: step 3, EmptySmall, does not lead from state 2 to state 3 of the trace.\n' +
        '  the successor of EmptySmall differs in small:\n' +
        '    small: expected 0, found 1\n',
    );
  });

  it('rejects a step whose action is not enabled, naming the require that is false', () => {
    const path = tampered('rfc-awol.itf.json', 'rfc-action.itf.json', (j) => {
      j.states[2]['#meta'].action = 'Charge';
    });
    const r = spex('replay', path, 'spec/memcg/rfc-reparent-lrus.spex');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'Trace does not replay: step 2, Charge(p=1, m=Child), is not enabled in state 1; this require is false there:\n' +
        '  spec/memcg/rfc-reparent-lrus.spex:39:3: require charge[p] == None\n',
    );
  });

  it('rejects a step whose parameter is outside its domain', () => {
    const path = tampered('rfc-awol.itf.json', 'rfc-domain.itf.json', (j) => {
      j.states[2]['#meta'].params.m = 'Parent';
    });
    const r = spex('replay', path, 'spec/memcg/rfc-reparent-lrus.spex');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'Trace does not replay: step 2, Isolate(m=Parent, p=1), is not a step from state 1: its parameter p = 1 is outside its domain:\n' +
        '  spec/memcg/rfc-reparent-lrus.spex:46:31: lru[m], which is {} in state 1\n',
    );
  });

  it('rejects a first state that is not initial, and an unlabelled step no action takes', () => {
    const init = tampered('diehard.itf.json', 'diehard-init.itf.json', (j) => {
      j.states[0].big = { '#bigint': '3' };
    });
    const r = spex('replay', init, 'spec/examples/diehard.spex');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Trace does not replay: state 0 is not an initial state.\n  the initial state differs in big:\n    big: expected 0, found 3\n');

    const jump = tampered('diehard.itf.json', 'diehard-jump.itf.json', (j) => {
      for (const s of j.states) delete s['#meta'];
      j.states[2].big = { '#bigint': '1' };
    });
    const s = spex('replay', jump, 'spec/examples/diehard.spex');
    expect(s.code).toBe(1);
    expect(s.stdout).toContain('Trace does not replay: step 2 names no action, and no action leads from state 1 to state 2.\n');
    expect(s.stdout).toContain('  the closest successor, by FillSmall, differs in big:\n    big: expected 5, found 1\n');
  });

  it('checks the step back of a lasso (loop) by any action', () => {
    const lasso = (name: string, states: number, loop: number): string =>
      tampered('diehard.itf.json', name, (j) => {
        delete j['#meta'];
        j.states = j.states.slice(0, states);
        j.loop = loop;
      });
    // (0,0) -FillBig-> (5,0) -EmptyBig-> back to (0,0).
    const ok = spex('replay', lasso('lasso-ok.itf.json', 2, 0), 'spec/examples/diehard.spex');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Trace replays: 1 step\n');
    // (2,3) cannot go back to (0,0) in one step.
    const bad = spex('replay', lasso('lasso-bad.itf.json', 3, 0), 'spec/examples/diehard.spex');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('Trace does not replay: the lasso loops back to state 0, but no action leads from state 2 to state 0.\n');
  });

  it('replays with other constants when told, and says they differ from the recorded ones', () => {
    const r = spex('replay', 'test/fixtures/itf/kinds.itf.json', 'test/fixtures/itf/kinds.spex', '--const', 'START=3');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('note: the trace was recorded with START=2; this replay uses START=3\n');
    expect(r.stdout).toContain('state 0 is not an initial state');
  });

  it('exits 1 on a file that is not an ITF trace of the spec', () => {
    const enumPath = tampered('kinds.itf.json', 'kinds-enum.itf.json', (j) => {
      j.states[1].colors = { '#set': ['Blue'] };
    });
    const r = spex('replay', enumPath, 'test/fixtures/itf/kinds.spex');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("states[1].colors.#set[0]: 'Blue' is not a member of enum Color { Red, Green }");
    const notJson = join(tmp, 'not.json');
    writeFileSync(notJson, '{');
    expect(spex('replay', notJson, 'spec/examples/diehard.spex').code).toBe(1);
    const other = spex('replay', 'test/fixtures/itf/diehard.itf.json', 'test/fixtures/itf/kinds.spex');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('is a trace of spec DieHard on check DieHard, which test/fixtures/itf/kinds.spex does not have');
  });
});

describe('ITF traces with processes', () => {
  const spec = 'test/fixtures/cli/offline-process.spex';

  it('carries each instance pc and variable as a variable, and the step label as #meta.at', () => {
    const json = JSON.parse(readFileSync(`${root}test/fixtures/itf/offline-process.itf.json`, 'utf8'));
    expect(json.vars).toEqual(['state', 'lru', 'mutex', 'Offline(m=Child).pc']);
    expect(json.states[0]['Offline(m=Child).pc']).toBe('lock');
    expect(json.states[3]['#meta']).toEqual({ index: 3, action: 'Offline', params: { m: 'Child' }, at: 'scan' });
    expect(json.states[6]['Offline(m=Child).pc']).toBe('done');
  });

  it('rejects a process step from another label, naming where the instance is', () => {
    const path = tampered('offline-process.itf.json', 'process-elsewhere.itf.json', (j) => {
      j.states[4]['#meta'].at = 'unlock';
    });
    const r = spex('replay', path, spec);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Trace does not replay: step 4, Offline(m=Child) at unlock, is not a step from state 3: Offline(m=Child) is at recheck there.');
  });

  it('names the await that is false when a process step is not enabled', () => {
    const path = tampered('offline-process.itf.json', 'process-await.itf.json', (j) => {
      // Offline's first step before the Kill: its await is false.
      j.states.splice(1, 1);
      for (const s of j.states.slice(1)) s.state = { '#map': j.states[1].state['#map'] };
    });
    const r = spex('replay', path, spec);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('step 1, Offline(m=Child) at lock, is not enabled in state 0; this await is false there:\n');
    expect(r.stdout).toMatch(/offline-process.spex:\d+:\d+: await state\[m\] == Killed and mutex == None/);
  });

  it('rejects a trace without the process variables, and an unknown label', () => {
    const noPc = tampered('offline-process.itf.json', 'process-nopc.itf.json', (j) => {
      j.vars = j.vars.filter((v: string) => !v.endsWith('.pc'));
    });
    expect(spex('replay', noPc, spec).stderr).toContain("vars: the trace lacks variable 'Offline(m=Child).pc'");
    const badAt = tampered('offline-process.itf.json', 'process-badat.itf.json', (j) => {
      j.states[2]['#meta'].at = 'nowhere';
    });
    expect(spex('replay', badAt, spec).stderr).toContain('states[2].#meta.at: expected a label of process Offline (lock, scan, move, recheck, unlock), found "nowhere"');
  });
});

describe('ITF decoding', () => {
  for (const c of CASES) {
    it(`decoding then encoding ${c.golden} gives back the same text`, () => {
      const text = readFileSync(`${root}test/fixtures/itf/${c.golden}`, 'utf8');
      const { spec } = loadSpec(`${root}${c.spec}`);
      const decoded = fromItf(JSON.parse(text), spec, compileSpec(spec).processSlots);
      expect(formatItf(toItf(decoded.trace, decoded.meta))).toBe(text);
    });
  }

  it('decodes into values equal to the ones the spec computes, which replay in process', () => {
    const { spec } = loadSpec(`${root}spec/memcg/rfc-reparent-lrus.spex`);
    const decoded = fromItf(JSON.parse(readFileSync(`${root}test/fixtures/itf/rfc-awol.itf.json`, 'utf8')), spec);
    const system = compileSpec(spec);
    const inits: State[] = [];
    system.initialStates((s) => inits.push(s));
    expect(inits[0]!.every((v, i) => valueEquals(v, decoded.trace.states[0]![i]!))).toBe(true);
    expect(decoded.trace.labels.map((l) => l!.action)).toEqual(['Charge', 'Isolate', 'Offline', 'Putback']);
    expect(formatValue(decoded.trace.states[4]![2]!)).toBe('{Root -> {}, Parent -> {}, Child -> {1}}');
    expect(replayTrace(system, decoded.trace, decoded.meta)).toEqual({
      ok: true,
      steps: 4,
      outcome: { claim: 'invariant NoAwol is violated in the last state', reproduced: true },
    });
  });

  it('round-trips every value of every type: decode(encode(v)) equals v, and encodes the same', () => {
    fc.assert(
      fc.property(
        arbType.chain((t) => fc.tuple(fc.constant(t), arbValueOf(t))),
        ([vt, v]) => {
          const t = langType(vt);
          const json = JSON.parse(JSON.stringify(encodeValue(v)));
          const back = decodeValue(json, t, 'v');
          expect(valueEquals(back, v)).toBe(true);
          expect(encodeValue(back)).toEqual(json);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts plain JSON integers, and reports where a value does not fit its type', () => {
    expect(decodeValue(7, { k: 'int' }, 'x')).toBe(7);
    expect(() => decodeValue({ '#bigint': '9007199254740993' }, { k: 'int' }, 'x')).toThrow('x: the integer');
    // A plain JSON number: not an integer, or past 2^53 (read already rounded), each said as it is.
    expect(() => decodeValue(1.5, { k: 'int' }, 'x')).toThrow('x: expected an integer (a Int), found 1.5');
    expect(() => decodeValue(JSON.parse('9007199254740993') as number, { k: 'int' }, 'x')).toThrow('x: the JSON number 9007199254740992 (as read: a number past 2^53 loses its last digits) is beyond ±2^53');
    expect(() => decodeValue([1], { k: 'set', elem: { k: 'int' } }, 'x')).toThrow('x: expected {"#set": [...]} (a Set[Int]), found [1]');
    expect(() => decodeValue({ tag: 'Maybe', value: 1 }, optionType({ k: 'int' }), 'x')).toThrow("x: 'Maybe' is not a case of Option[Int] (None, Some)");
  });

  it('keeps its messages short whatever the input and the spec: 12 names listed, 1,000 characters at most', () => {
    const members = Array.from({ length: 40 }, (_, i) => `M${i}`);
    const big: Type = { k: 'enum', info: { name: 'E', members } };
    expect(() => decodeValue('Nope', big, 'x')).toThrow(`x: 'Nope' is not a member of enum E { ${members.slice(0, 12).join(', ')} and 28 more }`);
    let message = '';
    try {
      decodeValue('n'.repeat(100_000), big, 'x');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.length).toBe(1000);
    expect(message.startsWith("x: 'nnn")).toBe(true);
    expect(message.endsWith('…')).toBe(true);
  });
});

describe('explainStep', () => {
  const text = `spec S
    var x: Int = 0
    var s: Set[Int] = {1, 2}
    action Take(n in s) {
      require x < 5
      pick k in {1, 2}
      require k != n
      x := x + k
      s := s minus {n}
    }
    action Stop { require x > 100
                  x := 0 }
    action Fail { x := 1 / x }`;
  const label = (action: string, params: { name: string; value: number }[] = []): Label => ({ action, params });

  it('gives every successor of an enabled binding', () => {
    const { system } = compile(text);
    const ex = system.explainStep([0, mkSet([1, 2])], label('Take', [{ name: 'n', value: 1 }]));
    expect(ex.kind).toBe('enabled');
    if (ex.kind === 'enabled') expect(ex.successors.map((s) => s.map(formatValue).join(' '))).toEqual(['2 {2}']);
  });

  it('names the first require that is false, a parameter outside its domain, or the fault', () => {
    const { system } = compile(text);
    const stop = system.explainStep([0, mkSet([1, 2])], label('Stop'));
    expect(stop.kind).toBe('rejected');
    if (stop.kind === 'rejected') expect(stop.require.cond.source.text.slice(stop.require.cond.start, stop.require.cond.end)).toBe('x > 100');
    const take = system.explainStep([7, mkSet([1, 2])], label('Take', [{ name: 'n', value: 1 }]));
    expect(take.kind).toBe('rejected');
    if (take.kind === 'rejected') expect(take.require.cond.source.text.slice(take.require.cond.start, take.require.cond.end)).toBe('x < 5');
    const outside = system.explainStep([0, mkSet([2])], label('Take', [{ name: 'n', value: 1 }]));
    expect(outside).toMatchObject({ kind: 'outsideDomain', param: 'n' });
    const fault = system.explainStep([0, mkSet([2])], label('Fail'));
    expect(fault.kind).toBe('fault');
    if (fault.kind === 'fault') expect(fault.error.message).toBe('division by zero');
    expect(system.explainStep([0, mkSet([2])], label('Nope')).kind).toBe('noSuchAction');
  });
});

/** The language type of a generated value type (test/values/arbitrary.ts). */
function langType(t: VType): Type {
  switch (t.k) {
    case 'int':
    case 'bool':
      return { k: t.k };
    case 'enum':
      return { k: 'enum', info: { name: t.e.name, members: t.e.atoms.map((a) => a.name) } };
    case 'tuple':
      return { k: 'tuple', items: t.items.map(langType) };
    case 'rec':
      return { k: 'record', fields: t.fields, types: t.types.map(langType) };
    case 'option':
      return optionType(langType(t.of));
    case 'slot':
      return {
        k: 'variant',
        info: {
          name: 'Slot',
          cases: [
            { tag: 'Free', payload: undefined },
            { tag: 'Lru', payload: langType({ k: 'enum', e: CPU }) },
            { tag: 'Busy', payload: langType(t.of) },
          ],
        },
      };
    case 'set':
      return { k: 'set', elem: langType(t.of) };
    case 'map':
      return { k: 'map', key: langType(t.key), value: langType(t.val) };
    case 'seq':
      return { k: 'seq', elem: langType(t.of) };
  }
}
