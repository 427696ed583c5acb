/**
 * The guard's parts (src/explore/guard.ts) in-process, one by one: the interrupt word (the
 * first signal wins), the phases and their hooks, pollInterrupt's period, uncut, the memory
 * budget and its note, and the parsing of --max-memory sizes. guard.test.ts sees the guard
 * through whole searches; test/interrupt.test.ts sends real signals to the CLI.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_MEMORY_SHARE,
  HEAP_SHARE,
  INTERRUPT_WORDS,
  Interrupted,
  POLL_EVERY,
  acceptInterrupts,
  acceptsInterrupts,
  checkInterrupt,
  clearInterrupt,
  currentPhase,
  defaultMaxMemory,
  guardStop,
  interruptBuffer,
  interruptSignal,
  budgetWouldPass,
  memoryBudget,
  memoryHint,
  memoryNote,
  noteMemoryStop,
  parseMemorySize,
  pollInterrupt,
  requestInterrupt,
  setMemoryBudget,
  setPhase,
  uncut,
  useInterruptFlag,
} from '../../src/explore/guard.js';
import { totalmem } from 'node:os';

/**
 * What the guard reads of the machine, replaceable per test: the heap statistics (node:v8)
 * and the cgroup's memory files (node:fs). Unset, the real ones.
 */
const machine = vi.hoisted(() => ({
  heap: undefined as { used_heap_size: number; heap_size_limit: number } | undefined,
  files: undefined as Record<string, string> | undefined,
}));
vi.mock('node:v8', async (original) => {
  const v8 = await original<typeof import('node:v8')>();
  return { ...v8, getHeapStatistics: () => ({ ...v8.getHeapStatistics(), ...machine.heap }) };
});
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  const readFileSync = ((path: string, ...rest: unknown[]) => {
    if (machine.files === undefined) return (fs.readFileSync as (...a: unknown[]) => unknown)(path, ...rest);
    const text = machine.files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    // As the real one: a string only when asked for one.
    return rest[0] === 'utf8' ? text : Buffer.from(text);
  }) as typeof fs.readFileSync;
  return { ...fs, default: { ...fs, readFileSync }, readFileSync };
});

afterEach(() => {
  machine.heap = undefined;
  machine.files = undefined;
  clearInterrupt();
  setMemoryBudget(Infinity);
  setPhase('running');
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('the interrupt word', () => {
  it('holds the first signal requested until cleared', () => {
    expect(interruptSignal()).toBe(0);
    requestInterrupt(2);
    requestInterrupt(15);
    expect(interruptSignal()).toBe(2);
    clearInterrupt();
    expect(interruptSignal()).toBe(0);
    requestInterrupt(15);
    expect(interruptSignal()).toBe(15);
  });

  it('stops a search at its next checkpoint, and only while set', () => {
    expect(guardStop()).toBeNull();
    requestInterrupt(2);
    expect(guardStop()).toBe('interrupted');
    clearInterrupt();
    expect(guardStop()).toBeNull();
  });

  it('lives in a shared buffer of INTERRUPT_WORDS words that another thread may hand over', () => {
    const original = interruptBuffer();
    expect(original).toBeInstanceOf(SharedArrayBuffer);
    expect(original.byteLength).toBe(4 * INTERRUPT_WORDS);
    const mine = new SharedArrayBuffer(4 * INTERRUPT_WORDS);
    const words = new Int32Array(mine);
    try {
      useInterruptFlag(mine);
      expect(interruptBuffer()).toBe(mine);
      expect(acceptsInterrupts(words)).toBe(false);
      acceptInterrupts();
      expect(words[1]).toBe(1);
      expect(acceptsInterrupts(words)).toBe(true);
      // Another thread sets the word: this one sees it.
      Atomics.store(words, 0, 15);
      expect(interruptSignal()).toBe(15);
      expect(guardStop()).toBe('interrupted');
      clearInterrupt();
      expect(words[0]).toBe(0);
      requestInterrupt(2);
      expect(words[0]).toBe(2);
    } finally {
      useInterruptFlag(original);
    }
    expect(interruptSignal()).toBe(0);
  });

  it('acceptsInterrupts reads the second word only', () => {
    const words = new Int32Array(new SharedArrayBuffer(4 * INTERRUPT_WORDS));
    words[0] = 1;
    expect(acceptsInterrupts(words)).toBe(false);
    words[1] = 2;
    expect(acceptsInterrupts(words)).toBe(false);
    words[1] = 1;
    expect(acceptsInterrupts(words)).toBe(true);
  });
});

describe('phases, checkInterrupt and uncut', () => {
  it('checkInterrupt throws Interrupted with the signal and the phase, only once a signal came', () => {
    setPhase('parsing big.spex');
    expect(currentPhase()).toBe('parsing big.spex');
    expect(() => checkInterrupt()).not.toThrow();
    requestInterrupt(15);
    let caught: unknown;
    try {
      checkInterrupt();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Interrupted);
    const i = caught as Interrupted;
    expect([i.signal, i.phase, i.message, i.name]).toEqual([15, 'parsing big.spex', 'interrupted while parsing big.spex', 'Interrupted']);
    expect(i).toBeInstanceOf(Error);
  });

  it('a phase that is not to be cut short is not, and the next phase is again', () => {
    requestInterrupt(2);
    setPhase('reporting', false);
    expect(() => checkInterrupt()).not.toThrow();
    setPhase('checking');
    expect(() => checkInterrupt()).toThrow(Interrupted);
  });

  it('uncut runs its function uninterrupted, then restores the phase’s setting, even when it throws', () => {
    requestInterrupt(2);
    expect(uncut(() => (checkInterrupt(), 42))).toBe(42);
    expect(() => checkInterrupt()).toThrow(Interrupted);
    expect(() =>
      uncut(() => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(() => checkInterrupt()).toThrow(Interrupted);
    setPhase('reporting', false);
    uncut(() => undefined);
    expect(() => checkInterrupt()).not.toThrow();
  });

  it('pollInterrupt reads the word once every POLL_EVERY calls', () => {
    requestInterrupt(2);
    let throws = 0;
    let first = -1;
    for (let i = 0; i < 3 * POLL_EVERY; i++) {
      try {
        pollInterrupt();
      } catch (e) {
        expect(e).toBeInstanceOf(Interrupted);
        if (first < 0) first = i;
        throws++;
      }
    }
    expect(throws).toBe(3);
    // The calls after the first throw are counted from it.
    clearInterrupt();
    for (let i = 0; i < POLL_EVERY; i++) pollInterrupt();
    requestInterrupt(2);
    for (let i = 0; i < first; i++) pollInterrupt();
    expect(() => pollInterrupt()).toThrow(Interrupted);
  });

  it('announces each phase on stderr with SPEX_TEST_PHASES=1, and only then', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    setPhase('quiet');
    expect(write).not.toHaveBeenCalled();
    vi.stubEnv('SPEX_TEST_PHASES', '1');
    setPhase('loud');
    expect(write).toHaveBeenCalledWith('phase: loud\n');
  });

  it('SPEX_TEST_STALL holds only the phase it names, and ends it with the interrupt', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // A signal is pending throughout, so that a phase held by mistake ends at once (it would
    // wait a minute otherwise), throwing Interrupted.
    requestInterrupt(2);
    vi.stubEnv('SPEX_TEST_STALL', 'checking');
    setPhase('parsing');
    vi.stubEnv('SPEX_TEST_STALL', '');
    setPhase('checking');
    delete process.env['SPEX_TEST_STALL'];
    setPhase('undefined behaviour, checking');
    expect(write).not.toHaveBeenCalled();
    vi.stubEnv('SPEX_TEST_STALL', 'checking');
    expect(() => setPhase('checking the temporal properties')).toThrow(new Interrupted(2, 'checking the temporal properties'));
    expect(write).toHaveBeenCalledWith('phase: checking the temporal properties (held until a signal)\n');
  });
});

describe('the memory budget', () => {
  it('is none by default; a budget set is read back', () => {
    expect(memoryBudget()).toBe(Infinity);
    setMemoryBudget(12345);
    expect(memoryBudget()).toBe(12345);
  });

  it('stops a search once the process is over it, and says by how much', () => {
    setMemoryBudget(3 * 1024 * 1024);
    expect(guardStop()).toBe('memory');
    const rss = Math.round(process.memoryUsage.rss() / (1024 * 1024));
    const note = memoryNote()!;
    expect(note).toMatch(/^the process used (\d+) MiB, over --max-memory 3 MiB$/);
    expect(Math.abs(Number(/used (\d+) MiB/.exec(note)![1]) - rss)).toBeLessThan(64);
  });

  it('stops a search only once the process is over it, not at it', () => {
    const MIB = 1024 * 1024;
    const rss = vi.spyOn(process.memoryUsage, 'rss').mockReturnValue(700 * MIB);
    setMemoryBudget(700 * MIB);
    expect(guardStop()).toBeNull();
    rss.mockReturnValue(700 * MIB + 1);
    expect(guardStop()).toBe('memory');
    expect(memoryNote()).toBe('the process used 700 MiB, over --max-memory 700 MiB');
    rss.mockReturnValue(2000 * MIB);
    setMemoryBudget(1000 * MIB);
    expect(guardStop()).toBe('memory');
    expect(memoryNote()).toBe('the process used 2000 MiB, over --max-memory 1000 MiB');
  });

  it('does not stop a search under it, nor without one', () => {
    setMemoryBudget(2 ** 50);
    expect(guardStop()).toBeNull();
    setMemoryBudget(Infinity);
    expect(guardStop()).toBeNull();
  });

  it('the interrupt comes first', () => {
    setMemoryBudget(1);
    requestInterrupt(2);
    expect(guardStop()).toBe('interrupted');
  });

  it('says to raise --max-memory after a stop for the budget', () => {
    noteMemoryStop('something else', 'do something else.');
    setMemoryBudget(1);
    expect(guardStop()).toBe('memory');
    expect(memoryHint()).toBe('--max-memory raises the limit.');
  });

  it('budgetWouldPass: whether that many bytes more would take the process over it, and the note', () => {
    const MIB = 1024 * 1024;
    const rss = vi.spyOn(process.memoryUsage, 'rss').mockReturnValue(700 * MIB);
    expect(budgetWouldPass(2 ** 50, 'a level')).toBe(false);
    setMemoryBudget(1000 * MIB);
    expect(budgetWouldPass(300 * MIB, 'a level')).toBe(false);
    noteMemoryStop('before', 'hint before.');
    expect(budgetWouldPass(300 * MIB + 1, 'a level')).toBe(true);
    expect(memoryNote()).toBe('a level would take the process from 700 MiB to about 1000 MiB, over --max-memory 1000 MiB');
    expect(memoryHint()).toBe('--max-memory raises the limit.');
    // Already over: said as guardStop says it.
    rss.mockReturnValue(1200 * MIB);
    expect(budgetWouldPass(0, 'a level')).toBe(true);
    expect(memoryNote()).toBe('the process used 1200 MiB, over --max-memory 1000 MiB');
  });

  it('noteMemoryStop: a stop for memory decided elsewhere, with its own hint', () => {
    noteMemoryStop('a level would need 5 GiB in one buffer', 'run it on one thread.');
    expect(memoryNote()).toBe('a level would need 5 GiB in one buffer');
    expect(memoryHint()).toBe('run it on one thread.');
  });

  it('shares are fractions below one', () => {
    expect(HEAP_SHARE).toBeGreaterThan(0.5);
    expect(HEAP_SHARE).toBeLessThan(1);
    expect(DEFAULT_MEMORY_SHARE).toBeGreaterThan(0.5);
    expect(DEFAULT_MEMORY_SHARE).toBeLessThan(1);
  });

  it('stops a search once the heap passes HEAP_SHARE of its limit, and says so', () => {
    const MIB = 1024 * 1024;
    setMemoryBudget(2 ** 50);
    machine.heap = { used_heap_size: 850 * MIB, heap_size_limit: 1000 * MIB };
    expect(guardStop()).toBeNull();
    machine.heap = { used_heap_size: 851 * MIB, heap_size_limit: 1000 * MIB };
    expect(guardStop()).toBe('memory');
    expect(memoryNote()).toBe('the JavaScript heap reached 851 MiB of its 1000 MiB limit (node --max-old-space-size raises it)');
    // The note says what to do: no --max-memory hint after it.
    expect(memoryHint()).toBe('');
    // Not watched without a budget.
    setMemoryBudget(Infinity);
    expect(guardStop()).toBeNull();
  });

  it('takes the cgroup’s limit (v2, else v1) as the machine’s memory when it is lower', () => {
    const v2 = '/sys/fs/cgroup/memory.max';
    const v1 = '/sys/fs/cgroup/memory/memory.limit_in_bytes';
    const share = (bytes: number): number => Math.floor(DEFAULT_MEMORY_SHARE * bytes);
    machine.files = {};
    expect(defaultMaxMemory()).toBe(share(totalmem()));
    machine.files = { [v2]: '1073741824\n' };
    expect(defaultMaxMemory()).toBe(share(2 ** 30));
    machine.files = { [v1]: ' 536870912\n' };
    expect(defaultMaxMemory()).toBe(share(2 ** 29));
    machine.files = { [v2]: '268435456', [v1]: '536870912' };
    expect(defaultMaxMemory()).toBe(share(2 ** 28));
    // v2's "max" and v1's near-2^63 are no limit; v2 unreadable as a number falls back to v1.
    machine.files = { [v2]: 'max', [v1]: '536870912' };
    expect(defaultMaxMemory()).toBe(share(2 ** 29));
    machine.files = { [v1]: '9223372036854771712' };
    expect(defaultMaxMemory()).toBe(share(totalmem()));
    machine.files = { [v2]: String(2 ** 60) };
    expect(defaultMaxMemory()).toBe(share(totalmem()));
    machine.files = { [v2]: '0', [v1]: '0' };
    expect(defaultMaxMemory()).toBe(share(totalmem()));
    // A limit above the machine's memory does not raise it.
    machine.files = { [v2]: String(2 * totalmem()) };
    expect(defaultMaxMemory()).toBe(share(totalmem()));
    machine.files = { [v2]: String(totalmem() - 4096) };
    expect(defaultMaxMemory()).toBe(share(totalmem() - 4096));
  });

  it('defaults to DEFAULT_MEMORY_SHARE of the machine, or less under a cgroup limit', () => {
    const d = defaultMaxMemory();
    expect(Number.isInteger(d)).toBe(true);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(Math.floor(DEFAULT_MEMORY_SHARE * totalmem()));
  });
});

describe('parseMemorySize', () => {
  it('reads bytes, k, m, g and t (powers of 1024), any case, with optional i and b', () => {
    expect(parseMemorySize('1')).toBe(1);
    expect(parseMemorySize('12k')).toBe(12 * 1024);
    expect(parseMemorySize('1536')).toBe(1536);
    expect(parseMemorySize('10.25m')).toBe(10.25 * 1024 ** 2);
    expect(parseMemorySize('3k')).toBe(3 * 1024);
    expect(parseMemorySize('3K')).toBe(3 * 1024);
    expect(parseMemorySize('3kib')).toBe(3 * 1024);
    expect(parseMemorySize('3KiB')).toBe(3 * 1024);
    expect(parseMemorySize('3kb')).toBe(3 * 1024);
    expect(parseMemorySize('3b')).toBe(3);
    expect(parseMemorySize('5m')).toBe(5 * 1024 ** 2);
    expect(parseMemorySize('2g')).toBe(2 * 1024 ** 3);
    expect(parseMemorySize('2t')).toBe(2 * 1024 ** 4);
    expect(parseMemorySize('2T')).toBe(2 * 1024 ** 4);
  });

  it('allows space around and before the unit, and rounds fractions of a unit down to bytes', () => {
    expect(parseMemorySize('  7 m  ')).toBe(7 * 1024 ** 2);
    expect(parseMemorySize('0.5k')).toBe(512);
    expect(parseMemorySize('1.0009k')).toBe(1024);
    expect(parseMemorySize('2.0k')).toBe(2048);
  });

  it('refuses what is not such a size, sizes under one byte, and fractions of a byte', () => {
    for (const bad of ['', ' ', 'm', '1.5.2m', '.5m', '5.m', '1e3', '+5m', '5 mb x', 'x5m', '5mm', '0', '0k', '0.5', '0.0001k', '2.5', '2.0', '2.5 b']) {
      expect([bad, parseMemorySize(bad)]).toEqual([bad, undefined]);
    }
  });
});
