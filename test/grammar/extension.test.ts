// The VS Code extension under editors/vscode/: its manifest points at the grammar and the
// language configuration, its dependencies stay out of the root package, and (where its own
// npm packages are installed: `npm ci` in editors/vscode) it packages into a .vsix.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXT = join(ROOT, 'editors/vscode');
const json = (p: string): Record<string, unknown> => JSON.parse(readFileSync(join(EXT, p), 'utf8')) as Record<string, unknown>;

interface Manifest {
  main: string;
  engines: { vscode: string };
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    configuration: { properties: Record<string, { default: unknown }> };
  };
  dependencies: Record<string, string>;
  scripts: Record<string, string>;
}

describe('the VS Code extension', () => {
  const manifest = json('package.json') as unknown as Manifest;

  it('declares the spex language, its grammar and its configuration', () => {
    const lang = manifest.contributes.languages[0]!;
    expect(lang).toMatchObject({ id: 'spex', extensions: ['.spex'] });
    const grammar = manifest.contributes.grammars[0]!;
    expect(grammar.language).toBe('spex');
    expect(json(grammar.path)['scopeName']).toBe(grammar.scopeName);
    const config = json(lang.configuration) as { comments: { lineComment: string; blockComment: string[] } };
    expect(config.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
    expect(existsSync(join(EXT, manifest.main))).toBe(true);
    expect(manifest.contributes.configuration.properties['spex.path']!.default).toBe('');
    const r = spawnSync(process.execPath, ['--check', join(EXT, manifest.main)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
  });

  it('indents after an open brace and dedents at a closing one', () => {
    const rules = (json('language-configuration.json') as { indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string } }).indentationRules;
    const inc = new RegExp(rules.increaseIndentPattern);
    const dec = new RegExp(rules.decreaseIndentPattern);
    expect(inc.test('action Step {')).toBe(true);
    expect(inc.test('check Fair {   // a comment')).toBe(true);
    expect(inc.test('action Step { x := 1 }')).toBe(false);
    expect(dec.test('  }')).toBe(true);
    expect(dec.test('  x := 1')).toBe(false);
  });

  it('keeps the language client out of the root package', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).toEqual(['vscode-languageclient']);
    expect(root.dependencies['vscode-languageclient']).toBeUndefined();
    expect(root.devDependencies['@vscode/vsce']).toBeUndefined();
  });

  const installed = existsSync(join(EXT, 'node_modules/vscode-languageclient'));
  it.skipIf(!installed)('starts spex lsp: spex.path, else the workspace node_modules/.bin/spex, else spex on the PATH', () => {
    const activate = (setting: string, folder: string): { calls: string[]; server: Record<string, unknown>; initializationOptions: unknown; documentSelector: unknown } => {
      const r = spawnSync(process.execPath, [join(ROOT, 'test/grammar/extension-stub.cjs'), EXT, setting, folder], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as ReturnType<typeof activate>;
    };
    const dir = mkdtempSync(join(tmpdir(), 'spex-ext-'));
    try {
      const plain = activate('', dir);
      expect(plain.server).toMatchObject({ command: 'spex', args: ['lsp'] });
      expect(plain.calls).toEqual(['spex.restartServer']);
      expect(plain.initializationOptions).toEqual({ maxStates: 7, timeoutSeconds: 9 });
      expect(plain.documentSelector).toEqual([{ scheme: 'file', language: 'spex' }, { scheme: 'untitled', language: 'spex' }]);
      mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
      writeFileSync(join(dir, 'node_modules/.bin/spex'), '#!/bin/sh\n');
      chmodSync(join(dir, 'node_modules/.bin/spex'), 0o755);
      expect(activate('', dir).server).toMatchObject({ command: join(dir, 'node_modules/.bin/spex'), args: ['lsp'] });
      expect(activate('dist/cli/main.js', ROOT).server).toMatchObject({ module: join(ROOT, 'dist/cli/main.js'), args: ['lsp'] });
      expect(activate('/opt/spex/bin/spex', dir).server).toMatchObject({ command: '/opt/spex/bin/spex' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const vsce = join(EXT, 'node_modules/.bin/vsce');
  if (!existsSync(vsce)) console.warn('test/grammar/extension.test.ts: the .vsix is not built: run `npm ci` in editors/vscode to test it');
  it.skipIf(!existsSync(vsce))('packages into a .vsix with the grammar and the language client', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-vsix-'));
    try {
      const out = join(dir, 'spex.vsix');
      const r = spawnSync(vsce, ['package', '--allow-missing-repository', '--skip-license', '--out', out], { cwd: EXT, encoding: 'utf8' });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const zip = readFileSync(out).toString('latin1');
      for (const f of ['extension/package.json', 'extension/extension.js', 'extension/syntaxes/spex.tmLanguage.json', 'extension/language-configuration.json', 'extension/node_modules/vscode-languageclient/package.json']) {
        expect(zip.includes(f), f).toBe(true);
      }
      expect(zip.includes('extension/node_modules/@vscode/vsce')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
