/**
 * Renders a spec as VS Code would highlight it with the spex grammar: each token a span
 * coloured by a theme (the colours of VS Code's Dark Modern theme, matched to scopes as
 * TextMate themes match: the innermost scope with a matching rule, the longest rule prefix).
 * Used for the screen capture in docs/images/ (test/grammar/highlight-browser.test.ts).
 */
import { tokenize } from './tokenize.js';

/** Scope prefix → colour (VS Code's Dark Modern / Dark+ token colours). */
export const THEME: Readonly<Record<string, string>> = {
  comment: '#6A9955',
  string: '#CE9178',
  'constant.numeric': '#B5CEA8',
  'constant.language': '#569CD6',
  'keyword.control': '#C586C0',
  keyword: '#569CD6',
  'keyword.operator': '#D4D4D4',
  'keyword.operator.logical': '#569CD6',
  'keyword.operator.word': '#569CD6',
  'storage.type': '#569CD6',
  'entity.name.function': '#DCDCAA',
  'entity.name.type': '#4EC9B0',
  'entity.name.label': '#D7BA7D',
  'support.type': '#4EC9B0',
  'support.constant': '#4FC1FF',
  'support.function': '#DCDCAA',
  'variable.other.constant': '#4FC1FF',
  variable: '#9CDCFE',
};
export const BACKGROUND = '#1F1F1F';
export const FOREGROUND = '#CCCCCC';

/** The theme's colour for a token's scopes (outermost first). */
export function colourOf(scopes: readonly string[]): string {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const s = scopes[i]!;
    let best: string | undefined;
    for (const prefix of Object.keys(THEME)) {
      if ((s === prefix || s.startsWith(prefix + '.')) && (best === undefined || prefix.length > best.length)) best = prefix;
    }
    if (best !== undefined) return THEME[best]!;
  }
  return FOREGROUND;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A self-contained HTML page of the highlighted text, with line numbers. */
export async function highlightToHtml(text: string, title: string): Promise<string> {
  const lines = await tokenize(text.replace(/\n$/, ''));
  const rows = lines.map((tokens, i) => {
    const spans = tokens
      .map((t) => `<span class="tok" data-scope="${escape(t.scopes[t.scopes.length - 1]!)}" style="color:${colourOf(t.scopes)}">${escape(t.text)}</span>`)
      .join('');
    return `<div class="line"><span class="ln">${i + 1}</span>${spans}</div>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
  body { margin: 0; background: ${BACKGROUND}; }
  .title { font: 13px system-ui, sans-serif; color: #9D9D9D; background: #181818; padding: 6px 14px; border-bottom: 1px solid #2B2B2B; }
  pre { margin: 0; padding: 10px 0; font: 14px/20px "DejaVu Sans Mono", "Liberation Mono", monospace; color: ${FOREGROUND}; white-space: pre; }
  .ln { display: inline-block; width: 3.5em; padding-right: 1.2em; text-align: right; color: #6E7681; user-select: none; }
</style></head>
<body><div class="title">${escape(title)}</div><pre>${rows.join('')}</pre></body></html>
`;
}
