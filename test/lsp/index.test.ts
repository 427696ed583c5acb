// The language server's index (src/lsp/spec-index.ts) over the repository's specs: every
// occurrence is its symbol's name, and renaming any symbol at all its occurrences leaves a spec
// that still checks (a missed reference would be an unknown name, a wrong one a mismatch).
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyse } from '../../src/lsp/analysis.js';
import { docComment, occurrenceAt, referencesOf, visibleAt } from '../../src/lsp/spec-index.js';
import { OffsetMap } from '../../src/lsp/server.js';

function specs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? specs(join(dir, e.name)) : e.name.endsWith('.spex') ? [join(dir, e.name)] : [],
  );
}

describe('the index of every spec in spec/', () => {
  for (const file of specs('spec')) {
    it(`indexes ${file}: each occurrence is its symbol's name`, () => {
      const text = readFileSync(file, 'utf8');
      const a = analyse(file, text);
      // Errors only: warnings (W001 on an Int variable, say) do not stop a spec from checking.
      expect(a.diagnostics.filter((d) => !d.code.startsWith('W'))).toEqual([]);
      const ix = a.index!;
      expect(ix.occurrences.length).toBeGreaterThan(0);
      for (const o of ix.occurrences) {
        const written = text.slice(o.start, o.end);
        expect(written, `${file}:${o.start}`).toBe(o.symbol.name);
      }
      // Every global is declared exactly once.
      for (const s of ix.globals.values()) expect(referencesOf(ix, s).filter((o) => o.decl)).toHaveLength(1);
    });
  }
});

const RENAMED = [
  'spec/examples/diehard.spex',
  'spec/examples/increment-race.spex',
  'spec/examples/peterson.spex',
  'spec/examples/requests.spex',
  'spec/tlaplus/callreturn1.spex',
  'spec/memcg/rfc-reparent-lrus.spex',
];

describe('renaming at every occurrence', () => {
  for (const file of RENAMED) {
    it(`keeps ${file} checking, whatever symbol is renamed`, () => {
      const text = readFileSync(file, 'utf8');
      const ix = analyse(file, text).index!;
      const seen = new Set<object>();
      for (const o of ix.occurrences) {
        if (seen.has(o.symbol)) continue;
        seen.add(o.symbol);
        const edits = referencesOf(ix, o.symbol).sort((x, y) => y.start - x.start);
        let renamed = text;
        for (const e of edits) renamed = renamed.slice(0, e.start) + `${o.symbol.name}_r` + renamed.slice(e.end);
        const after = analyse(file, renamed);
        expect(after.diagnostics.filter((d) => !d.code.startsWith('W')).map((d) => `${d.code} ${d.message}`), `renaming ${o.symbol.kind} ${o.symbol.name}`).toEqual([]);
      }
    });
  }
});

describe('index helpers', () => {
  it('reads the // and /// lines directly above a declaration as its doc comment', () => {
    const text = '// not this: a blank line follows\n\n// first\n/// second\naction A {}\n';
    expect(docComment(text, text.indexOf('action'))).toBe('first\nsecond');
    expect(docComment('x action A {}', 2)).toBeUndefined();
  });

  it('scopes a let to the rest of its block and a quantifier binder to its body', () => {
    const text = 'spec S\nvar x: Int = 0\naction A {\n  let y = x + 1\n  x := y\n}\ninvariant I: forall k in 1..3: k > 0 or x == k\n';
    const ix = analyse('s.spex', text).index!;
    const names = (at: number): string[] => visibleAt(ix, at).map((s) => s.name);
    expect(names(text.indexOf('x := y'))).toContain('y');
    expect(names(text.indexOf('invariant'))).not.toContain('y');
    expect(names(text.indexOf('k > 0'))).toContain('k');
    expect(occurrenceAt(ix, text.indexOf('k == k'))).toBeUndefined();
    expect(occurrenceAt(ix, text.lastIndexOf('k'))!.symbol.detail).toBe('(local) k: Int');
  });

  it('maps offsets across one edit, and not inside it', () => {
    const m = new OffsetMap('abc def ghi', 'abc XXXXX ghi');
    expect(m.toOld(1)).toBe(1);
    expect(m.toOld(11)).toBe(9);
    expect(m.toOld(6)).toBeUndefined();
    expect(m.toNew(9)).toBe(11);
  });
});
