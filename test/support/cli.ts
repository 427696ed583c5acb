/**
 * Running the built CLI from tests (npm test builds dist/ first), and golden files.
 * UPDATE_GOLDEN=1 makes golden() rewrite the file instead of comparing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

export const root = new URL('../..', import.meta.url).pathname;

/** What a run of the command line gave. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node ENTRY args` in the repository's root, with `env` added to the environment. */
function runEntry(entry: string, args: string[], env: Record<string, string>): CliRun {
  const r = spawnSync(process.execPath, [entry, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `spex args` in a process of its own: `node dist/cli/main.js args`, in the repository's root. */
export function spexProcess(args: string[], env: Record<string, string> = {}): CliRun {
  return runEntry('dist/cli/main.js', args, env);
}

/**
 * `spex args` as the `spex` bin runs it (dist/cli/spex.cjs): the command on a thread of its own,
 * with the stack every thread that runs steps has (THREAD_STACK_MB), and the signals taken on
 * the main thread.
 */
export function spexBin(args: string[], env: Record<string, string> = {}): CliRun {
  return runEntry('dist/cli/spex.cjs', args, env);
}

/**
 * The built command line (dist/cli/program.js), loaded by Node's own loader rather than
 * vitest's (vitest.config.ts leaves dist/ to Node): the code that runs is the code `spex`
 * runs, and the threads it starts load the same files.
 */
const builtUrl = new URL('../../dist/cli/program.js', import.meta.url).href;
const built = ((await import(/* @vite-ignore */ builtUrl)) as { main: (argv: string[]) => number }).main;

/**
 * Options that change the state of the process beyond the command (`--no-cache` turns the
 * code cache off for good; a `--max-memory` budget is one of the process's RSS, here the test
 * runner's) and commands that outlive `main` (servers): these run in a process of their own.
 */
const OWN_PROCESS = /^--(no-cache|max-memory)(=|$)/;
const SERVERS = new Set(['lsp', 'explore']);

/**
 * `spex args` run in this process: `main(args)` of the built command line, as
 * `node dist/cli/main.js args` runs it, with the working directory the repository's root, the
 * variables of `env` set for the run, stdout and stderr captured (and not terminals). It saves
 * the 0.2 s of CPU a process of its own costs, most of a small run's time. A command that needs
 * a process of its own (OWN_PROCESS, SERVERS) gets one.
 */
export function spexHere(args: string[], env: Record<string, string> = {}): CliRun {
  if (SERVERS.has(args[0] ?? '') || args.some((a) => OWN_PROCESS.test(a)) || process.cwd() !== root.replace(/\/$/, '')) return spexProcess(args, env);
  return captured(built, args, env);
}

/**
 * `main(args)` of a command line (the built one, or src/cli/program.ts for a test whose run a
 * mutant of src/ must reach), the variables of `env` set for the run, stdout and stderr
 * captured and not terminals.
 */
export function captured(main: (argv: string[]) => number, args: string[], env: Record<string, string> = {}): CliRun {
  const out: string[] = [];
  const err: string[] = [];
  const text = (chunk: unknown): string => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
  const capture = (into: string[]) =>
    ((chunk: unknown, ...rest: unknown[]): boolean => {
      into.push(text(chunk));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  const saved = { out: process.stdout.write, err: process.stderr.write, outTTY: process.stdout.isTTY, errTTY: process.stderr.isTTY, env: { ...process.env } };
  Object.assign(process.env, env);
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  (process.stdout as { isTTY?: boolean }).isTTY = false;
  (process.stderr as { isTTY?: boolean }).isTTY = false;
  let code: number;
  try {
    code = main(args);
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    (process.stdout as { isTTY?: boolean }).isTTY = saved.outTTY;
    (process.stderr as { isTTY?: boolean }).isTTY = saved.errTTY;
    for (const k of Object.keys(process.env)) if (!(k in saved.env)) delete process.env[k];
    Object.assign(process.env, saved.env);
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

export function spex(...args: string[]): CliRun {
  return spexHere(args);
}

/** Wall times are the only thing allowed to differ between runs. */
export function scrub(s: string): string {
  return s.replace(/, \d+\.\d\d s\)?$/gm, (m) => m.replace(/\d+\.\d\d/, '<time>'));
}

/** Compares with test/fixtures/<dir>/<name>, or rewrites it under UPDATE_GOLDEN. */
export function golden(dir: string, name: string, actual: string): void {
  const path = `${root}test/fixtures/${dir}/${name}`;
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/**
 * stderr without W001 warnings (a variable of type Int, which the type does not bound): many
 * fixtures and examples declare such variables and keep them bounded through their actions;
 * tests that expect nothing else on stderr use this.
 */
export function withoutW001(stderr: string): string {
  return stderr.replace(/^[^\n]*: warning\[W001\]: [^\n]*\n(?:[ \d][^\n]*\n)*\n/gm, '');
}

/** What a CLI run sent signals ended with. */
export interface SignalledRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `spex args` (the bin), sends `signals` once its stderr matches `when` (a progress line,
 * a phase: never a time), and collects the outcome.
 */
export function spexSignalled(args: string[], when: RegExp, signals: NodeJS.Signals | NodeJS.Signals[], env: Record<string, string> = {}): Promise<SignalledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli/spex.cjs', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!sent && when.test(stderr)) {
        sent = true;
        for (const sig of Array.isArray(signals) ? signals : [signals]) child.kill(sig);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
