/**
 * Running the built CLI from tests (npm test builds dist/ first), and golden files.
 * UPDATE_GOLDEN=1 makes golden() rewrite the file instead of comparing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

export const root = new URL('../..', import.meta.url).pathname;

export function spex(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
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
    const child = spawn(process.execPath, ['dist/cli/spex.js', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
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
