/**
 * A minimal LSP client for the tests: spawns `node dist/cli/main.js lsp` and speaks JSON-RPC
 * with Content-Length framing over its stdin and stdout.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Message {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export class LspClient {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: Message) => void }>();
  /** Every notification and server request received, in order. */
  readonly notifications: Message[] = [];
  private waiters: { test: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  stderr = '';
  /** The server's exit code, once it has exited. */
  readonly exited: Promise<number | null>;

  constructor(args: string[] = []) {
    this.proc = spawn(process.execPath, [resolve(ROOT, 'dist/cli/main.js'), 'lsp', '--stdio', ...args], { cwd: ROOT });
    this.exited = new Promise((r) => this.proc.on('exit', (code) => r(code)));
    this.proc.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as Message);
    }
  }

  private dispatch(m: Message): void {
    if (m.id !== undefined && m.method === undefined) {
      this.pending.get(m.id as number)?.resolve(m);
      this.pending.delete(m.id as number);
      return;
    }
    if (m.id !== undefined && m.method !== undefined) {
      // A request from the server (workspace/configuration, ...): answer with nothing.
      this.write({ jsonrpc: '2.0', id: m.id, result: null });
    }
    this.notifications.push(m);
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.test(m)) w.resolve(m);
      else still.push(w);
    }
    this.waiters = still;
  }

  private write(m: Message): void {
    const body = Buffer.from(JSON.stringify(m), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  /** Writes bytes as they are, framed or not. */
  send(raw: string): void {
    this.proc.stdin.write(raw);
  }

  /** Closes the server's stdin, as an editor that goes away does. */
  end(): void {
    this.proc.stdin.end();
  }

  /** The exit code, or 'running' if the server has not exited within `ms` (it is then killed). */
  async exitWithin(ms: number): Promise<number | null | 'running'> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'running'>((r) => (timer = setTimeout(() => r('running'), ms)));
    const code = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (code === 'running') this.kill();
    return code;
  }

  /** Sends a request; resolves with the whole response (result or error). */
  request(method: string, params: unknown): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolveResponse) => {
      this.pending.set(id, { resolve: resolveResponse });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** Sends a request and resolves with its result, failing on an error response. */
  async call<T>(method: string, params: unknown): Promise<T> {
    const r = await this.request(method, params);
    if (r.error) throw new Error(`${method}: ${r.error.message}`);
    return r.result as T;
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** The next notification (from now, or already received and not yet consumed) that passes `test`. */
  waitFor(test: (m: Message) => boolean, since = 0): Promise<Message> {
    const already = this.notifications.slice(since).find(test);
    if (already) return Promise.resolve(already);
    return new Promise((resolveWait) => this.waiters.push({ test, resolve: resolveWait }));
  }

  /** The diagnostics published for `uri` at `version`. */
  async diagnostics(uri: string, version: number): Promise<LspDiagnostic[]> {
    const m = await this.waitFor((n) => {
      const p = n.params as { uri?: string; version?: number } | undefined;
      return n.method === 'textDocument/publishDiagnostics' && p?.uri === uri && p.version === version;
    });
    return (m.params as { diagnostics: LspDiagnostic[] }).diagnostics;
  }

  async initialize(initializationOptions?: unknown): Promise<{ capabilities: Record<string, unknown> }> {
    const r = await this.call<{ capabilities: Record<string, unknown> }>('initialize', { processId: process.pid, rootUri: pathToFileURL(ROOT).href, capabilities: {}, initializationOptions });
    this.notify('initialized', {});
    return r;
  }

  async close(): Promise<number | null> {
    await this.request('shutdown', null);
    this.notify('exit', null);
    return this.exited;
  }

  kill(): void {
    this.proc.kill();
  }
}

export interface LspPosition {
  line: number;
  character: number;
}
export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}
export interface LspDiagnostic {
  range: LspRange;
  severity: number;
  code: string;
  source: string;
  message: string;
  relatedInformation?: { location: { uri: string; range: LspRange }; message: string }[];
}

export function uriOf(path: string): string {
  return pathToFileURL(resolve(ROOT, path)).href;
}

export { ROOT };
