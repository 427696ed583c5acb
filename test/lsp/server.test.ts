// `spex lsp` driven over JSON-RPC, as an editor drives it: a real `node dist/cli/main.js lsp`
// process (npm test builds first), Content-Length framing on its stdin and stdout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, uriOf, type LspDiagnostic, type LspRange } from './client.js';

const SPEC = `// A counter and a process, to exercise every kind of name.
spec Editor

const N: Int = 3
enum Color { Red, Green }
type Msg = Ping | Data(0..N)
type Thread = 1..2

var x: 0..N
var color: Color = Red
var box: Msg = Ping

/// The next value of x, wrapping at N.
def next(v: Int): Int = if v < N then v + 1 else 0

init { x := 0 }

// Counts up by one.
action Step {
  let y = next(x)
  x := y
}

action Paint(c: Color) {
  require c != color
  color := c
  box := match box { Ping => Data(x), Data(d) => Data(d) }
}

process Worker(t: Thread) {
  var seen: Int = 0
  look: seen := x
        goto look
}

invariant Small: x <= N and forall t in Thread: Worker(t).seen <= N and (Worker(t) at look)

check Quick {
  expect ok
}
`;

/** The position of the `n`th (0-based) occurrence of `needle` in `text`, plus `delta` characters. */
function pos(text: string, needle: string, n = 0, delta = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= n; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`no ${needle}`);
  at += delta;
  const before = text.slice(0, at);
  const line = before.split('\n').length - 1;
  return { line, character: at - (before.lastIndexOf('\n') + 1) };
}

function textAt(text: string, r: LspRange): string {
  const lines = text.split('\n');
  if (r.start.line !== r.end.line) throw new Error('multi-line range');
  return lines[r.start.line]!.slice(r.start.character, r.end.character);
}

describe('spex lsp', () => {
  let client: LspClient;
  let dir: string;
  let uri: string;
  let version = 1;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spex-lsp-'));
    uri = pathToFileURL(join(dir, 'editor.spex')).href;
    client = new LspClient();
    const init = await client.initialize();
    expect(init.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, renameProvider: { prepareProvider: true } });
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'spex', version, text: SPEC } });
  });

  afterAll(async () => {
    const code = await client.close();
    expect(code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes no errors for a spec that checks, and its warnings as warnings', async () => {
    const diags = await client.diagnostics(uri, 1);
    expect(diags.filter((d) => d.severity === 1)).toEqual([]);
    // The spec has Int variables: W001, severity 2 (a warning).
    for (const d of diags) expect(d).toMatchObject({ code: 'W001', severity: 2, source: 'spex' });
  });

  it('hovers with the type of a variable, a local, a parameter, a process variable and an enum member', async () => {
    const hover = async (needle: string, n = 0): Promise<string> => {
      const h = await client.call<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: pos(SPEC, needle, n, 1) });
      return h?.contents.value ?? '';
    };
    expect(await hover('x := y')).toContain('var x: 0..N');
    expect(await hover('N and')).toContain('const N: Int = 3');
    expect(await hover('y = next')).toMatch(/\(local\) y: Int/);
    expect(await hover('c != color')).toContain('(parameter) c: Color');
    expect(await hover('seen := x')).toContain('var seen: Int');
    expect(await hover('Red\n')).toContain('Red: Color');
    expect(await hover('Data(d)')).toContain('Data(0..N): Msg');
    expect(await hover('d) =>')).toContain('(local) d: Int');
  });

  it('hovers over a def and an action with their doc comments', async () => {
    const h = await client.call<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: pos(SPEC, 'next(x)', 0, 1) });
    expect(h.contents.value).toContain('def next(v: Int): Int');
    expect(h.contents.value).toContain('The next value of x, wrapping at N.');
    const a = await client.call<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: pos(SPEC, 'action Step', 0, 8) });
    expect(a.contents.value).toContain('action Step');
    expect(a.contents.value).toContain('Counts up by one.');
  });

  it('goes to the definition of a def, a label, a process, a case and a type', async () => {
    const def = async (needle: string, delta = 1): Promise<string> => {
      const l = await client.call<{ uri: string; range: LspRange } | null>('textDocument/definition', { textDocument: { uri }, position: pos(SPEC, needle, 0, delta) });
      expect(l?.uri).toBe(uri);
      const line = SPEC.split('\n')[l!.range.start.line]!;
      return `${textAt(SPEC, l!.range)}@${line.trim()}`;
    };
    expect(await def('next(x)')).toMatch(/^next@def next/);
    expect(await def('goto look', 6)).toMatch(/^look@look: seen := x/);
    expect(await def('at look', 4)).toMatch(/^look@look: seen := x/);
    expect(await def('Worker(t).seen')).toMatch(/^Worker@process Worker/);
    expect(await def('seen <= N')).toMatch(/^seen@var seen/);
    expect(await def('Data(x)')).toMatch(/^Data@type Msg/);
    expect(await def('Thread)')).toMatch(/^Thread@type Thread/);
    expect(await def('Green }', 1)).toMatch(/^Green@enum Color/);
    expect(await def('N\n', 0)).toMatch(/^N@const N/);
  });

  it('finds every reference of a variable, declaration included', async () => {
    const refs = await client.call<{ range: LspRange }[]>('textDocument/references', { textDocument: { uri }, position: pos(SPEC, 'var x', 0, 4), context: { includeDeclaration: true } });
    expect(refs.map((r) => textAt(SPEC, r.range))).toEqual(Array(refs.length).fill('x'));
    // var x, init, Step (twice), Paint, Worker, Small
    expect(refs.length).toBe(7);
    const without = await client.call<unknown[]>('textDocument/references', { textDocument: { uri }, position: pos(SPEC, 'var x', 0, 4), context: { includeDeclaration: false } });
    expect(without.length).toBe(6);
  });

  it('renames a label everywhere, and refuses keywords and built-ins', async () => {
    const edit = await client.call<{ changes: Record<string, { range: LspRange; newText: string }[]> }>('textDocument/rename', { textDocument: { uri }, position: pos(SPEC, 'look:'), newName: 'watch' });
    const edits = edit.changes[uri]!;
    expect(edits.map((e) => textAt(SPEC, e.range))).toEqual(['look', 'look', 'look']);
    expect(edits.every((e) => e.newText === 'watch')).toBe(true);
    const kw = await client.request('textDocument/prepareRename', { textDocument: { uri }, position: pos(SPEC, 'forall', 0, 1) });
    expect(kw.error?.message).toMatch(/'forall' is a keyword/);
    const builtin = await client.request('textDocument/rename', { textDocument: { uri }, position: pos(SPEC, 'Int', 0, 1), newName: 'Integer' });
    expect(builtin.error?.message).toMatch(/'Int' is built into spex/);
    const bad = await client.request('textDocument/rename', { textDocument: { uri }, position: pos(SPEC, 'var x', 0, 4), newName: 'action' });
    expect(bad.error?.message).toMatch(/keyword/);
  });

  it('lists the outline with children', async () => {
    const syms = await client.call<{ name: string; kind: number; children?: { name: string }[] }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(syms.map((s) => s.name)).toEqual(['N', 'Color', 'Msg', 'Thread', 'x', 'color', 'box', 'next', 'Step', 'Paint', 'Worker', 'Small', 'Quick']);
    expect(syms.find((s) => s.name === 'Worker')!.children!.map((c) => c.name)).toEqual(['seen', 'look']);
    expect(syms.find((s) => s.name === 'Color')!.children!.map((c) => c.name)).toEqual(['Red', 'Green']);
  });

  it('completes names in scope and keywords', async () => {
    const items = await client.call<{ label: string; kind: number }[]>('textDocument/completion', { textDocument: { uri }, position: pos(SPEC, 'x := y') });
    const labels = items.map((i) => i.label);
    for (const n of ['y', 'x', 'next', 'N', 'Red', 'size', 'require', 'either']) expect(labels).toContain(n);
    // `d` is bound only inside the match arm of Paint; `seen` only inside Worker.
    expect(labels).not.toContain('d');
    expect(labels).not.toContain('seen');
  });

  it('publishes coded diagnostics with hints as the text changes, in UTF-16 columns', async () => {
    version++;
    const text = SPEC.replace('x := y', 'x := /* “𝔁” */ yy').replace('// Counts up by one.', '// Counts up by one: “ünïcödé” 𝔁');
    client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    const diags = (await client.diagnostics(uri, version)).filter((d) => d.code !== 'W001');
    expect(diags).toHaveLength(1);
    const d = diags[0]!;
    expect(d).toMatchObject({ code: 'E201', severity: 1, source: 'spex' });
    expect(d.message).toContain("unknown name 'yy'");
    expect(d.message).toContain("hint: did you mean 'y'?");
    expect(textAt(text, d.range)).toBe('yy');
  });

  it('reports a syntax error, and keeps answering hover from the last text that parsed', async () => {
    version++;
    // One edit after the last text that parsed (the one with 'yy').
    const broken = SPEC.replace('x := y', 'x := /* “𝔁” */ yy +').replace('// Counts up by one.', '// Counts up by one: “ünïcödé” 𝔁');
    client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: broken }] });
    const diags = await client.diagnostics(uri, version);
    expect(diags.map((d) => d.code)).toEqual(['E100']);
    const h = await client.call<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: pos(broken, 'next(x)', 0, 1) });
    expect(h.contents.value).toContain('def next(v: Int): Int');
    const l = await client.call<{ range: LspRange }>('textDocument/definition', { textDocument: { uri }, position: pos(broken, 'Worker(t).seen', 0, 1) });
    expect(textAt(broken, l.range)).toBe('Worker');
    // Completion at the edit offers the names in scope where it began: the let of Step.
    const items = await client.call<{ label: string }[]>('textDocument/completion', { textDocument: { uri }, position: pos(broken, 'yy +', 0, 4) });
    expect(items.map((i) => i.label)).toContain('y');
    expect(items.map((i) => i.label)).not.toContain('seen');
  });

  it('reports warnings of imported files on the import, and configuration errors', async () => {
    writeFileSync(join(dir, 'abstract.spex'), 'spec Abstract\nvar n: Int = 0\naction Tick { n := n + zz }\n');
    const importer = `spec Importer\nvar x: Int = 0\naction A { x := x + 1 }\nimport Abs from "abstract.spex" with { n: x }\n`;
    const u = pathToFileURL(join(dir, 'importer.spex')).href;
    client.notify('textDocument/didOpen', { textDocument: { uri: u, languageId: 'spex', version: 1, text: importer } });
    const diags = (await client.diagnostics(u, 1)).filter((d) => d.code !== 'W001');
    expect(diags.map((d) => d.code)).toEqual(['E201']);
    expect(textAt(importer, diags[0]!.range)).toBe('"abstract.spex"');
    expect(diags[0]!.relatedInformation![0]!.location.uri).toBe(pathToFileURL(join(dir, 'abstract.spex')).href);
    expect(diags[0]!.relatedInformation![0]!.location.range.start).toEqual({ line: 2, character: 23 });
    const target = await client.call<{ uri: string }>('textDocument/definition', { textDocument: { uri: u }, position: pos(importer, 'abstract.spex') });
    expect(target.uri).toBe(pathToFileURL(join(dir, 'abstract.spex')).href);
    const mapped = await client.call<{ uri: string; range: LspRange }>('textDocument/definition', { textDocument: { uri: u }, position: pos(importer, 'n: x') });
    expect(mapped.uri).toBe(pathToFileURL(join(dir, 'abstract.spex')).href);
    expect(mapped.range.start).toEqual({ line: 1, character: 4 });

    const big = `spec Big\ntype Node = 1..N\nconst N: Int = 2\nvar m: Set[Map[Node, Node]] = {}\naction Go(s: Set[Map[Node, Node]]) { m := s }\ncheck Huge { const N = 5 }\n`;
    const ub = pathToFileURL(join(dir, 'big.spex')).href;
    client.notify('textDocument/didOpen', { textDocument: { uri: ub, languageId: 'spex', version: 1, text: big } });
    // Found by compiling each configuration, in a worker, after the first diagnostics.
    const published = await client.waitFor((m) => {
      const p = m.params as { uri?: string; diagnostics?: unknown[] } | undefined;
      return m.method === 'textDocument/publishDiagnostics' && p?.uri === ub && (p.diagnostics?.length ?? 0) > 0;
    });
    const bd = (published.params as { diagnostics: LspDiagnostic[] }).diagnostics;
    expect(bd.map((d) => d.code)).toEqual(['E221']);
    expect(bd[0]!.message).toContain('(in check Huge)');
  });

  it('offers a code lens per check, and runs the check when asked', async () => {
    const file = uriOf('spec/examples/diehard.spex');
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL(file), 'utf8');
    client.notify('textDocument/didOpen', { textDocument: { uri: file, languageId: 'spex', version: 1, text } });
    await client.diagnostics(file, 1);
    const lenses = await client.call<{ range: LspRange; command: { command: string; arguments: unknown[] } }[]>('textDocument/codeLens', { textDocument: { uri: file } });
    expect(lenses).toHaveLength(1);
    expect(lenses[0]!.command.arguments).toEqual([file, 'DieHard']);
    const since = client.notifications.length;
    const outcome = await client.call<{ status: string; summary: string; report: string }>('workspace/executeCommand', { command: lenses[0]!.command.command, arguments: lenses[0]!.command.arguments });
    expect(outcome.status).toBe('pass');
    expect(outcome.summary).toMatch(/^PASS DieHard: violation NotSolved \(\d+ distinct states/);
    expect(outcome.report).toContain('Invariant NotSolved is violated.');
    const shown = await client.waitFor((m) => m.method === 'window/showMessage', since);
    expect((shown.params as { message: string }).message).toBe(outcome.summary);
  });
});

export type { LspDiagnostic };

describe('spex lsp --max-states', () => {
  it('stops a Run check at the limit and says so', async () => {
    const client = new LspClient(['--max-states', '5']);
    try {
      await client.initialize();
      const file = uriOf('spec/examples/diehard.spex');
      const { readFileSync } = await import('node:fs');
      client.notify('textDocument/didOpen', { textDocument: { uri: file, languageId: 'spex', version: 1, text: readFileSync(new URL(file), 'utf8') } });
      const outcome = await client.call<{ status: string; summary: string }>('workspace/executeCommand', { command: 'spex.runCheck', arguments: [file, 'DieHard'] });
      expect(outcome.status).toBe('fail');
      expect(outcome.summary).toMatch(/^FAIL DieHard: .*expected violation NotSolved.*the editor's limit of 5 states/);
      const unknown = await client.call<{ status: string; summary: string }>('workspace/executeCommand', { command: 'spex.runCheck', arguments: [file, 'NoSuchCheck'] });
      expect(unknown.status).toBe('error');
      expect(unknown.summary).toContain("no check named 'NoSuchCheck'");
    } finally {
      expect(await client.close()).toBe(0);
    }
  });
});

describe('spex lsp --timeout', () => {
  it('stops a Run check that has no verdict in time, and goes on answering', async () => {
    const client = new LspClient(['--timeout', '1', '--max-states', '100000000']);
    try {
      await client.initialize();
      // An unbounded counter: the search never ends by itself.
      const text = 'spec Forever\nvar x: Int = 0\naction Inc { x := x + 1 }\ncheck Unbounded { expect ok }\n';
      const u = 'untitled:forever.spex';
      client.notify('textDocument/didOpen', { textDocument: { uri: u, languageId: 'spex', version: 1, text } });
      const outcome = await client.call<{ status: string; summary: string }>('workspace/executeCommand', { command: 'spex.runCheck', arguments: [u, 'Unbounded'] });
      expect(outcome.status).toBe('timeout');
      expect(outcome.summary).toBe('STOPPED Unbounded: no verdict within 1 s (run spex check for the whole search)');
      const h = await client.call<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: u }, position: { line: 2, character: 14 } });
      expect(h.contents.value).toContain('var x: Int');
    } finally {
      expect(await client.close()).toBe(0);
    }
  });
});
