/**
 * The `spex` bin (dist/cli/spex.js, src/cli/launch.ts) runs commands in a worker thread; the
 * language server needs stdin, which a worker does not have, and runs on the main thread.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { root } from './support/cli.js';

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
