/**
 * The generic engine's levels held encoded (ExploreOptions.levelCodec, explorer.ts's
 * EncodedLevel; run.ts uses it for states of 1,024 slots and more): the same search as with
 * the states kept as they are, on every outcome and limit, and through the hand-over to the
 * disk-backed search.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configOverrides, constOverrides, loadSpec, runCheck, selectChecks, wideLevels, type CheckResult } from '../../src/engine/run.js';
import { explore, type ExploreOptions, type ExploreResult } from '../../src/explore/index.js';
import { setMemoryBudget } from '../../src/explore/guard.js';
import { compileSpec, type Label, type State } from '../../src/lang/compile.js';
import { ValueStateCodec } from '../../src/lang/value-codec.js';
import type { StateCodec } from '../../src/explore/parallel/bytes.js';
import { formatValue } from '../../src/values/index.js';

/** What a search found, in text: the outcome, its trace (states and labels), the counts. */
function summary(r: ExploreResult<State, Label>): string {
  const o = r.outcome;
  const trace =
    'trace' in o
      ? o.trace.states.map((s, i) => `${i === 0 ? '' : `${(o.trace.labels[i - 1] as Label).action} `}${s.map(formatValue).join('|')}`)
      : [];
  const { distinct, generated, depth, queue } = r.stats;
  return JSON.stringify({ kind: o.kind, what: o.kind === 'invariant' ? o.invariant : o.kind === 'limit' ? o.limit : undefined, trace, distinct, generated, depth, queue });
}

describe('levels of encoded states (the generic engine, wide states)', () => {
  it('search as levels of the states themselves do: every outcome, --max-states inside a level, --max-depth', () => {
    searchesAsObjectLevels(['test/fixtures/disk/grid-outcomes.spex', 'spec/memcg/reparent.spex', 'test/fixtures/statements/either-process.spex']);
  });

  // A level is written in chunks of 8 MB (EncodedLevel): also a chunk a state, and chunks of
  // 100 bytes (a few states each, the next begun past the end of one).
  it.each([
    ['a chunk a state', '1'],
    ['in chunks of 100 bytes', '100'],
  ] as const)('search as levels of the states themselves do, %s', (_title, chunk) => {
    const saved = process.env['SPEX_ENCODED_CHUNK'];
    process.env['SPEX_ENCODED_CHUNK'] = chunk;
    try {
      searchesAsObjectLevels(['test/fixtures/disk/grid-outcomes.spex', 'test/fixtures/statements/either-process.spex']);
    } finally {
      if (saved === undefined) delete process.env['SPEX_ENCODED_CHUNK'];
      else process.env['SPEX_ENCODED_CHUNK'] = saved;
    }
  });

  /** Every check of the files, under three limits, with and without levelCodec: the same searches; every outcome among them. */
  function searchesAsObjectLevels(files: readonly string[]): void {
    const constsOf: Record<string, string[]> = { 'test/fixtures/disk/grid-outcomes.spex': ['K=5'] };
    const runs: [string, string[]][] = files.map((f) => [f, constsOf[f] ?? []]);
    let compared = 0;
    const kinds = new Set<string>();
    for (const [file, consts] of runs) {
      const { spec } = loadSpec(file);
      for (const check of selectChecks(spec, undefined)) {
        const extra = ({ Violation: ['Bad=3'], Deadlock: ['Stuck=4'], Fault: ['Crash=4'] } as Record<string, string[]>)[check?.name ?? ''] ?? [];
        const system = compileSpec(spec, configOverrides(check, constOverrides(spec, [...consts, ...extra])), check);
        const values = new ValueStateCodec(system.slotTypes, system.valueTables);
        // The encoded run writes each state it keeps and reads back each it expands.
        const calls = { encode: 0, decode: 0 };
        const codec: StateCodec<State> = {
          encode: (s, w) => (calls.encode++, values.encode(s, w)),
          decode: (r) => (calls.decode++, values.decode(r)),
        };
        for (const limits of [{}, { maxStates: 37 }, { maxDepth: 3 }] as const) {
          const opts: ExploreOptions<State, Label> = { checkDeadlock: check?.decl.deadlock ?? true, ...limits };
          const plain = explore(system, opts);
          const encoded = explore(system, { ...opts, levelCodec: codec });
          expect(summary(encoded), `${file} ${check?.name} ${JSON.stringify(limits)}`).toBe(summary(plain));
          expect(calls.encode).toBeGreaterThan(0);
          expect(calls.decode).toBeGreaterThan(0);
          calls.encode = calls.decode = 0;
          kinds.add(plain.outcome.kind === 'limit' ? plain.outcome.limit : plain.outcome.kind);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(10);
    expect([...kinds].sort()).toEqual(['deadlock', 'depth', 'fault', 'invariant', 'ok', 'states']);
  }

  it('a level whose buffer cannot grow stops the search for memory, with the states it holds', () => {
    const { spec } = loadSpec('test/fixtures/disk/grid-outcomes.spex');
    const [check] = selectChecks(spec, 'Ok');
    const system = compileSpec(spec, configOverrides(check, constOverrides(spec, ['K=5'])), check);
    const values = new ValueStateCodec(system.slotTypes, system.valueTables);
    let writes = 0;
    const codec: StateCodec<State> = {
      encode: (s, w) => {
        values.encode(s, w);
        // As ByteWriter.ensure fails when the allocator refuses a bigger buffer.
        if (++writes > 20) throw new RangeError('Array buffer allocation failed');
      },
      decode: (r) => values.decode(r),
    };
    const r = explore(system, { checkDeadlock: true, levelCodec: codec });
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'memory' });
    expect(r.stats.distinct).toBe(21);
    expect(r.stats.queue).toBeLessThan(21);
  });

  it('a process of 600 instances (1,202 slots): the packed engine\'s counts, and the same again handed over to the disk-backed search', () => {
    const text = readFileSync('test/fixtures/statements/either-process.spex', 'utf8')
      .replace('process Worker(w: 1..2)', 'process Worker(w: 1..600)')
      .replace('var log: Seq[0..2]', 'var log: Seq[0..600]');
    expect(text).toContain('Worker(w: 1..600)');
    expect(text).toContain('Seq[0..600]');
    const { spec } = loadSpec('wide-either-process.spex', text);
    const [check] = selectChecks(spec, undefined);
    const run = (engine: 'auto' | 'generic'): CheckResult => runCheck(spec, check, new Map(), { workers: 1, engine, maxStates: 3000 });
    const counts = (r: CheckResult): unknown => {
      const { distinct, generated, depth, queue } = r.result!.stats;
      return { outcome: r.result!.outcome.kind, distinct, generated, depth, queue };
    };
    // States of 1,202 slots are kept encoded; those of the fixture as it is (6 slots) are not.
    expect(wideLevels(compileSpec(spec, new Map(), check)).levelCodec).toBeDefined();
    const small = loadSpec('test/fixtures/statements/either-process.spex').spec;
    expect(wideLevels(compileSpec(small, new Map(), selectChecks(small, undefined)[0])).levelCodec).toBeUndefined();
    const packed = run('auto');
    expect(packed.engine).toBe('packed');
    const generic = run('generic');
    expect(generic.engine).toBe('generic');
    expect(counts(generic)).toEqual(counts(packed));
    expect(counts(generic)).toMatchObject({ outcome: 'limit', distinct: 3000 });
    setMemoryBudget(1);
    let spilled: CheckResult;
    try {
      spilled = run('generic');
    } finally {
      setMemoryBudget(Infinity);
    }
    expect(spilled.result!.disk?.handedOverAt).toBeGreaterThan(0);
    expect(counts(spilled)).toEqual(counts(generic));
  });
});
