// `spex lsp` given what it should refuse or survive: time limits longer than a timer can wait,
// an editor that goes away in the middle of a message, a message too large to read, and an
// initialize request without capabilities. A real `node dist/cli/main.js lsp` process, as in
// server.test.ts.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { MAX_MESSAGE_BYTES } from '../../src/lsp/limits.js';
import { END_OF_INPUT, StdioMessageReader } from '../../src/lsp/stdio.js';
import { LspClient, ROOT, type Message } from './client.js';

/** A spec whose check passes at once. */
const TINY = 'spec Tiny\nvar x: 0..2 = 0\naction Inc { x := if x < 2 then x + 1 else 0 }\ncheck Quick { expect ok }\n';

/** Runs the check of TINY in a fresh buffer and returns the outcome. */
async function runTiny(client: LspClient): Promise<{ status: string; summary: string }> {
  const uri = 'untitled:tiny.spex';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'spex', version: 1, text: TINY } });
  return client.call('workspace/executeCommand', { command: 'spex.runCheck', arguments: [uri, 'Quick'] });
}

const logged = (client: LspClient, text: string): Promise<Message> =>
  client.waitFor((m) => m.method === 'window/logMessage' && (m.params as { message: string }).message.includes(text));

describe('spex lsp: time limits a timer cannot wait', () => {
  it('refuses --timeout above 2147483 seconds, as other bad values of an option', () => {
    const run = (value: string) => spawnSync(process.execPath, [resolve(ROOT, 'dist/cli/main.js'), 'lsp', '--timeout', value], { cwd: ROOT, input: '', encoding: 'utf8', timeout: 30_000 });
    const over = run('2147484');
    expect(over.status).toBe(1);
    expect(over.stderr).toContain("option '--timeout <seconds>' argument '2147484' is invalid. expected a positive integer up to 2147483");
    expect(over.stderr).not.toMatch(/\n\s+at |Error:/);
    expect(over.stdout).toBe('');
    expect(run('0').status).toBe(over.status);
  });

  it('runs a check to its verdict under the longest --timeout', async () => {
    const client = new LspClient(['--timeout', '2147483']);
    try {
      await client.initialize();
      const outcome = await runTiny(client);
      expect(outcome.status).toBe('pass');
      expect(client.stderr).not.toContain('TimeoutOverflowWarning');
    } finally {
      expect(await client.close()).toBe(0);
    }
  });

  for (const timeoutSeconds of [3_000_000, 1e308]) {
    it(`ignores initializationOptions.timeoutSeconds ${timeoutSeconds}, says so, and keeps the flag's limit`, async () => {
      const client = new LspClient(['--timeout', '5']);
      try {
        await client.initialize({ timeoutSeconds, maxStates: 0.5 });
        const outcome = await runTiny(client);
        expect(outcome.status).toBe('pass');
        expect(client.stderr).not.toContain('TimeoutOverflowWarning');
        // Logged while initializing, so already received.
        const note = await logged(client, 'initializationOptions.timeoutSeconds');
        expect((note.params as { message: string }).message).toBe(
          `spex: initializationOptions.timeoutSeconds ${timeoutSeconds} ignored (expected a number of seconds above 0 and up to 2147483, the longest timer Node.js sets); it stays 5`,
        );
        await logged(client, 'initializationOptions.maxStates 0.5 ignored (expected a positive integer); it stays 1000000');
      } finally {
        expect(await client.close()).toBe(0);
      }
    });
  }
});

describe('spex lsp: the end of its input', () => {
  it('exits with 1 when stdin closes in the middle of a message', async () => {
    const client = new LspClient();
    await client.initialize();
    client.send('Content-Length: 10\r\n\r\n{"a"');
    client.end();
    expect(await client.exitWithin(10_000)).toBe(1);
  });

  it('exits with 0 when stdin closes after a shutdown request, answering what came before it', async () => {
    const client = new LspClient();
    await client.initialize();
    // Not awaited: the answer must come even though the input ends right after the request.
    const answer = client.request('shutdown', null);
    client.send('Content-Length: 99999\r\n\r\n{');
    client.end();
    expect((await answer).result).toBeNull();
    expect(await client.exitWithin(10_000)).toBe(0);
  });

  it('exits with 1 on the exit notification without a shutdown request first, as at the end of its input', async () => {
    const client = new LspClient();
    await client.initialize();
    client.notify('exit', null);
    expect(await client.exitWithin(10_000)).toBe(1);
  });

  it('refuses a message over 64 MiB as soon as its header comes, and exits', async () => {
    const client = new LspClient();
    await client.initialize();
    // The input stays open: the server must not wait for the body.
    client.send('Content-Length: 99999999999999\r\n\r\n{"jsonrpc":');
    expect(await client.exitWithin(10_000)).toBe(1);
    expect(client.stderr).toContain('spex lsp: a message of 99999999999999 bytes (its Content-Length); a message may have at most 67108864 bytes');
  });

  it('reads a message of the bound in full, and refuses one a byte longer (the reader, with a bound of 1 KiB)', () => {
    // The server's reader with a small bound: the same code as the server's 64 MiB one, without
    // 64 MiB to write and read in the suite.
    const input = new PassThrough();
    const reader = new StdioMessageReader(input, 1024);
    const got: Message[] = [];
    const errors: string[] = [];
    reader.onError((e) => errors.push(e.message));
    reader.listen((m) => got.push(m as Message));
    const head = '{"jsonrpc":"2.0","method":"m","params":{"text":"';
    const tail = '"}}';
    const body = head + 'x'.repeat(1024 - head.length - tail.length) + tail;
    expect(Buffer.byteLength(body)).toBe(1024);
    input.write(`Content-Length: 1024\r\n\r\n${body}`);
    expect(got.map((m) => (m as { method?: string }).method)).toEqual(['m']);
    input.write('Content-Length: 1025\r\n\r\n');
    expect(errors).toEqual(['a message of 1025 bytes (its Content-Length); a message may have at most 1024 bytes: the connection cannot go on']);
    // The input cannot be followed past it: the reader ends as at the end of the input.
    expect(got.at(-1)).toBe(END_OF_INPUT);
    expect(MAX_MESSAGE_BYTES).toBe(64 * 1024 * 1024);
  });
});

describe('spex lsp: initialize without capabilities', () => {
  it('answers as to a client that declares none', async () => {
    const client = new LspClient();
    try {
      const r = await client.request('initialize', { processId: null, rootUri: null });
      expect(r.error).toBeUndefined();
      expect((r.result as { capabilities: Record<string, unknown> }).capabilities).toMatchObject({ hoverProvider: true, codeLensProvider: { resolveProvider: false } });
      client.notify('initialized', {});
      const outcome = await runTiny(client);
      expect(outcome.status).toBe('pass');
    } finally {
      expect(await client.close()).toBe(0);
    }
  });
});
