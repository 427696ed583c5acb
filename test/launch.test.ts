/**
 * The `spex` bin (package.json's bin, dist/cli/spex.cjs: src/cli/spex.ts and launch.ts bundled;
 * dist/cli/spex.js runs it too) runs commands in a worker thread; the language server needs
 * stdin, which a worker does not have, and runs on the main thread.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './support/cli.js';

describe('the bin', () => {
  it('is the file package.json names, runnable as it stands, and runs a check as node dist/cli/main.js does', () => {
    const bin = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { spex: string } }).bin.spex;
    expect(bin).toBe('dist/cli/spex.cjs');
    expect(readFileSync(join(root, bin), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    accessSync(join(root, bin), constants.X_OK);
    const args = ['check', 'spec/examples/diehard.spex'];
    const same = (r: ReturnType<typeof spawnSync>) => ({ status: r.status, out: String(r.stdout).replace(/\d+\.\d\d s\b/g, 'T s'), err: String(r.stderr) });
    const direct = same(spawnSync(join(root, bin), args, { cwd: root, encoding: 'utf8' }));
    expect(direct.status).toBe(12);
    expect(direct).toEqual(same(spawnSync(process.execPath, ['dist/cli/main.js', ...args], { cwd: root, encoding: 'utf8' })));
    expect(direct).toEqual(same(spawnSync(process.execPath, ['dist/cli/spex.js', ...args], { cwd: root, encoding: 'utf8' })));
  });
});

describe('spex lsp through the bin', () => {
  it('answers initialize on stdout', async () => {
    const child = spawn(process.execPath, ['dist/cli/spex.js', 'lsp', '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    const msg = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
    child.stdin.write(`Content-Length: ${Buffer.byteLength(msg)}\r\n\r\n${msg}`);
    let out = '';
    const answered = await new Promise<boolean>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('"capabilities"')) resolve(true);
      });
      // Before the fix the process ended at once, without a word.
      child.on('exit', () => resolve(out.includes('"capabilities"')));
    });
    child.kill('SIGKILL');
    expect(answered).toBe(true);
    expect(out).toMatch(/^Content-Length: \d+\r\n\r\n\{"jsonrpc":"2\.0","id":1,"result":\{"capabilities"/);
  });
});
