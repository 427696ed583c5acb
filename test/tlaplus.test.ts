/**
 * The spec library through `spex test spec`, run once: every check block of every file passes
 * its `expect`, and the TLA+ Examples translated in spec/tlaplus/ (spec/tlaplus/README.md)
 * reproduce TLC's figures. Each check block that reproduces a model of the public
 * tlaplus/Examples repository must find exactly the distinct and generated counts TLC
 * publishes in that repository's manifest.json files, the depth too (or one off, where the
 * table says why). The PlusCal algorithms with procedures come from TLC's own PlusCal
 * regression suite, whose tests record TLC's figures (no example of tlaplus/Examples with
 * published figures uses procedures).
 *
 * The command line (src/cli/program.ts) runs in this process, on one thread: in the mutation
 * run (test/mutate) it is src/ itself, so that a mutant reaches it, and a thread would start
 * from the built code, which no mutant reaches.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../src/engine/run.js';
import { main } from '../src/cli/program.js';
import { captured, type CliRun } from './support/cli.js';

interface Model {
  /** The spex file under spec/tlaplus/ and its check block. */
  readonly file: string;
  readonly check: string;
  /**
   * Where TLC's figures are: the manifest.json of tlaplus/Examples and the model's .cfg; for
   * a model of TLC's PlusCal regression suite, the tlaplus/tlaplus test that records them.
   */
  readonly manifest: string;
  readonly cfg: string;
  /** TLC's distinctStates, totalStates (generated) and stateDepth. */
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  /** When spex's depth is TLC's + 1 or - 1: why. */
  readonly depthOffBy?: { readonly by: 1 | -1; readonly why: string };
}

const MODELS: readonly Model[] = [
  { file: 'lock.spex', check: 'LockCfg', manifest: 'specifications/locks_auxiliary_vars/manifest.json', cfg: 'Lock.cfg', distinct: 12, generated: 21, depth: 5 },
  { file: 'peterson.spex', check: 'PetersonCfg', manifest: 'specifications/locks_auxiliary_vars/manifest.json', cfg: 'Peterson.cfg', distinct: 42, generated: 77, depth: 11 },
  { file: 'peterson.spex', check: 'MCPeterson', manifest: 'specifications/locks_auxiliary_vars/manifest.json', cfg: 'Peterson.cfg (MCPeterson.cfg adds PROPERTY LSpec)', distinct: 42, generated: 77, depth: 11 },
  { file: 'barrier.spex', check: 'BarrierCfg', manifest: 'specifications/barriers/manifest.json', cfg: 'Barrier.cfg', distinct: 64, generated: 194, depth: 7 },
  { file: 'barriers.spex', check: 'BarriersCfg', manifest: 'specifications/barriers/manifest.json', cfg: 'Barriers.cfg', distinct: 29279, generated: 104515, depth: 93 },
  { file: 'simple.spex', check: 'SimpleCfg', manifest: 'specifications/TeachingConcurrency/manifest.json', cfg: 'Simple.cfg', distinct: 723, generated: 1842, depth: 11 },
  { file: 'abcorrectness.spex', check: 'ABCorrectnessCfg', manifest: 'specifications/SpecifyingSystems/manifest.json', cfg: 'TLC/ABCorrectness.cfg', distinct: 20, generated: 36, depth: 3 },
  { file: 'alternatingbit.spex', check: 'MCAlternatingBit', manifest: 'specifications/SpecifyingSystems/manifest.json', cfg: 'TLC/MCAlternatingBit.cfg', distinct: 240, generated: 1392, depth: 10 },
  { file: 'internalmemory.spex', check: 'MCInternalMemory', manifest: 'specifications/SpecifyingSystems/manifest.json', cfg: 'CachingMemory/MCInternalMemory.cfg', distinct: 4408, generated: 21400, depth: 10 },
  { file: 'writethroughcache.spex', check: 'MCWriteThroughCache', manifest: 'specifications/SpecifyingSystems/manifest.json', cfg: 'CachingMemory/MCWriteThroughCache.cfg', distinct: 5196, generated: 28170, depth: 18 },
  { file: 'coffeecan.spex', check: 'CoffeeCan100Beans', manifest: 'specifications/CoffeeCan/manifest.json', cfg: 'CoffeeCan100Beans.cfg', distinct: 5150, generated: 20002, depth: 1 },
  { file: 'innerfifo.spex', check: 'MCInnerFIFO', manifest: 'specifications/SpecifyingSystems/manifest.json', cfg: 'FIFO/MCInnerFIFO.cfg', distinct: 3864, generated: 9660, depth: 11 },
  { file: 'readerswriters.spex', check: 'MC', manifest: 'specifications/ReadersWriters/manifest.json', cfg: 'MC.cfg', distinct: 21527, generated: 59674, depth: 13 },
  { file: 'innersequential.spex', check: 'MCInnerSequential', manifest: 'specifications/SpecifyingSystems/manifest.json', cfg: 'AdvancedExamples/MCInnerSequential.cfg', distinct: 3528, generated: 24368, depth: 9 },
  { file: 'diningphilosophers.spex', check: 'DiningPhilosophersCfg', manifest: 'specifications/DiningPhilosophers/manifest.json', cfg: 'DiningPhilosophers.cfg', distinct: 67, generated: 336, depth: 29 },
  { file: 'simpleallocator.spex', check: 'SimpleAllocatorCfg', manifest: 'specifications/allocator/manifest.json', cfg: 'SimpleAllocator.cfg', distinct: 400, generated: 1633, depth: 6 },
  { file: 'schedulingallocator.spex', check: 'SchedulingAllocatorCfg', manifest: 'specifications/allocator/manifest.json', cfg: 'SchedulingAllocator.cfg', distinct: 1690, generated: 5854, depth: 7 },
  { file: 'schedulingallocator.spex', check: 'AllocatorRefinementCfg', manifest: 'specifications/allocator/manifest.json', cfg: 'AllocatorRefinement.cfg', distinct: 1690, generated: 5854, depth: 7 },
  { file: 'quicksort.spex', check: 'MCQuicksort', manifest: 'specifications/LoopInvariance/manifest.json', cfg: 'MCQuicksort.cfg', distinct: 4548, generated: 11223, depth: 9 },
  { file: 'parreach.spex', check: 'MCParReach', manifest: 'specifications/MisraReachability/manifest.json', cfg: 'MCParReach.cfg', distinct: 393, generated: 747, depth: 18 },
  { file: 'deli.spex', check: 'DeliCfg', manifest: 'specifications/deli/manifest.json', cfg: 'deli.cfg', distinct: 82, generated: 215, depth: 13 },
  { file: 'voting.spex', check: 'MCVoting', manifest: 'specifications/Paxos/manifest.json', cfg: 'MCVoting.cfg (SYMMETRY MCSymmetry)', distinct: 77, generated: 451, depth: 11 },
  { file: 'paxos.spex', check: 'MCPaxos', manifest: 'specifications/Paxos/manifest.json', cfg: 'MCPaxos.cfg (SYMMETRY MCSymmetry, a group of one permutation)', distinct: 25, generated: 82, depth: 9 },
  { file: 'mpfactorial.spex', check: 'MPFactorial', manifest: 'tlaplus/tlaplus: tlatools/org.lamport.tlatools/test/pcal/MPFactorialTest.java', cfg: 'test-model/pcal/MPFactorial.tla, -wf -termination', distinct: 729, generated: 1946, depth: 25 },
  { file: 'simpleloopwithprocedure.spex', check: 'SimpleLoopWithProcedure', manifest: 'tlaplus/tlaplus: tlatools/org.lamport.tlatools/test/pcal/SimpleLoopWithProcedureTest.java', cfg: 'test-model/pcal/SimpleLoopWithProcedure.tla, -wf -termination', distinct: 64, generated: 66, depth: 32 },
  { file: 'callreturn1.spex', check: 'CallReturn1', manifest: 'tlaplus/tlaplus: tlatools/org.lamport.tlatools/test/pcal/CallReturn1Test.java', cfg: 'test-model/pcal/CallReturn1.tla, -wf -termination', distinct: 8, generated: 9, depth: 8 },
];

let library: CliRun | undefined;
/** `spex test spec --workers 1`, run once for the file. */
function testLibrary(): CliRun {
  return (library ??= captured(main, ['test', 'spec', '--workers', '1']));
}

describe('the spec library', () => {
  it('spex test passes on the specs of this repository, every check block of every file', () => {
    // The number of check blocks is counted here, independently of the CLI's own walk over
    // the folders, so that a walk that skips files cannot pass with fewer checks.
    const files: string[] = [];
    const visit = (p: string): void => {
      if (statSync(p).isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
      else if (p.endsWith('.spex')) files.push(p);
    };
    visit('spec');
    const checks = files.reduce((n, f) => n + loadSpec(f).spec.checks.length, 0);
    expect(checks).toBeGreaterThan(100);
    const r = testLibrary();
    expect(r.stdout).toMatch(new RegExp(`^${checks} passed, 0 failed$`, 'm'));
    expect(r.stdout.split('\n').filter((l) => l.startsWith('PASS '))).toHaveLength(checks);
    expect(r.code).toBe(0);
  });
});

describe('TLA+ Examples translated to spex: TLC figures reproduced', () => {
  it.each(MODELS.map((m) => [`${m.file} ${m.check} (${m.cfg})`, m] as const))('%s', (_title, m) => {
    // PASS: the outcome is the one the check block's `expect` names.
    const line = testLibrary().stdout.split('\n').find((l) => l.startsWith(`PASS spec/tlaplus/${m.file} ${m.check}: `));
    expect(line, `${m.file} ${m.check} passed`).toBeDefined();
    const figures = / \((\d+) distinct states?, (\d+) generated, depth (\d+), /.exec(line!);
    expect(figures, line).not.toBeNull();
    const [distinct, generated, depth] = figures!.slice(1).map(Number);
    expect({ distinct, generated }).toEqual({ distinct: m.distinct, generated: m.generated });
    expect(depth).toBe(m.depth + (m.depthOffBy?.by ?? 0));
  });
});
