/**
 * A counterexample as one self-contained HTML file (`spex check --out-html`): inline CSS and
 * JavaScript, nothing fetched. The trace is a timeline of steps; each step shows its action
 * and parameters, the spec's views drawn as SVG (view.ts), and the state as nested tables in
 * which the values that changed are marked down to the map entry, record field or sequence
 * element that changed (the paths of diffValues). Unchanged parts can be hidden. A lasso's
 * loop, when a trace has one, is marked.
 *
 * Every text that comes from the spec (names, values, assert messages, the invariant's source)
 * goes through escapeHtml: nothing in a spec becomes markup or script. Deterministic: no
 * times or dates, so equal runs give equal files.
 */
import type { CompiledView, Label, State } from '../lang/compile.js';
import { ModelError } from '../explore/system.js';
import { IList, IMap, Rec, diffValues, formatValue, sortedEntries, type Change, type Value } from '../values/index.js';
import type { Counterexample } from './counterexample.js';
import { markChanges, viewModel, viewSvg, type ViewModel } from './view.js';
import { formatLabel } from '../lang/label.js';
import { shownValue } from '../lang/show.js';
import type { TraceExtras } from '../lang/trace.js';
import type { CoverageReport } from '../lang/coverage.js';
import { coverageJson } from './coverage.js';
import type { Json } from './itf.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface HtmlReportInput {
  readonly spec: string;
  readonly source: string;
  /** The check block, or null for a spec run with its defaults. */
  readonly check: string | null;
  readonly cex: Counterexample;
  readonly views: readonly CompiledView[];
  readonly constants: readonly { readonly name: string; readonly value: Value }[];
  readonly stats?: { readonly distinct: number; readonly generated: number; readonly depth: number };
  /** Shown expressions (`show`) under each state, kernel names (`@kernel`) beside each step. */
  readonly extras?: TraceExtras;
  /** With `--coverage`: the run's counts, as a section after the trace. */
  readonly coverage?: { readonly report: CoverageReport; readonly complete: boolean };
}

/** The shown expressions' values in a state. */
function shownHtml(extras: TraceExtras | undefined, s: State): string {
  const shown = extras?.shown ?? [];
  if (shown.length === 0) return '';
  const rows = shown.map((x) => {
    const v = shownValue(x, s);
    const cell = 'value' in v ? valueHtml(v.value, x.name, undefined) : `<span class="view-error">${escapeHtml(v.error)}</span>`;
    return `<tr><th>show ${escapeHtml(x.name)}</th><td>${cell}</td></tr>`;
  });
  return `<table class="state shown">${rows.join('')}</table>`;
}

function kernelHtml(extras: TraceExtras | undefined, label: Label): string {
  const k = label.action === 'init' ? undefined : extras?.kernelOf?.(label);
  return k ? `<span class="kernel" title="kernel function">${escapeHtml(k.fn)}${k.file === undefined ? '' : ` <span class="meta">${escapeHtml(k.file)}</span>`}</span>` : '';
}

/** The coverage section: per step and binding, and per guard. */
function coverageHtml(c: { readonly report: CoverageReport; readonly complete: boolean }): string {
  const j = coverageJson(c.report, c.complete);
  const steps = (j.steps as { [k: string]: Json }[]).map(
    (r) => `<tr class="${r.enabled === 0 ? 'never' : ''}"><td><code>${escapeHtml(String(r.step))}</code></td><td>${r.states}</td><td>${r.enabled}</td><td>${r.taken}</td><td>${r.new}</td></tr>`,
  );
  const guards = (j.guards as { [k: string]: Json }[]).map(
    (g) => `<tr class="${g.evaluated !== 0 && g.blocked === g.evaluated ? 'never' : ''}"><td><code>${escapeHtml(String(g.text))}</code> <span class="meta">${escapeHtml(String(g.location))}</span></td><td>${escapeHtml(String(g.where))}</td><td>${g.evaluated}</td><td>${g.blocked}</td></tr>`,
  );
  return `<section class="coverage" id="coverage"><h2>Coverage${c.complete ? '' : ' <span class="meta">(up to where the search stopped)</span>'}</h2>
<table class="cov"><tr><th>step</th><th>states</th><th>enabled</th><th>taken</th><th>new</th></tr>${steps.join('')}</table>
${guards.length === 0 ? '' : `<table class="cov"><tr><th>guard</th><th>where</th><th>evaluated</th><th>blocked</th></tr>${guards.join('')}</table>`}</section>`;
}

/** What changed in one step, as the set of changed paths and their earlier values. */
export interface StepChanges {
  readonly changed: Map<string, Change>;
  /** Changed paths, to test whether a cell contains a change. */
  readonly paths: readonly string[];
}

export function changesOf(vars: readonly string[], before: State | undefined, after: State): StepChanges | undefined {
  if (!before) return undefined;
  const list = vars.flatMap((n, j) => diffValues(n, before[j]!, after[j]!));
  return { changed: new Map(list.map((c) => [c.path, c])), paths: list.map((c) => c.path) };
}

/** `changed` (this path changed), `has-change` (something inside it did) or `same`. */
function status(path: string, ch: StepChanges | undefined): string {
  if (!ch) return '';
  if (ch.changed.has(path)) return 'changed';
  return ch.paths.some((p) => p.length > path.length && p.startsWith(path) && (p[path.length] === '[' || p[path.length] === '.')) ? 'has-change' : 'same';
}

function scalar(v: Value): string {
  return `<span class="v">${escapeHtml(formatValue(v))}</span>`;
}

/** The before-value of a changed cell, struck through. */
function was(path: string, ch: StepChanges | undefined): string {
  const c = ch?.changed.get(path);
  if (!c) return '';
  return `<s class="was" title="before this step">${escapeHtml(c.before === undefined ? '(absent)' : formatValue(c.before))}</s><span class="arrow"> → </span>`;
}

/** A value as nested tables, with each cell's change status. */
function valueHtml(v: Value, path: string, ch: StepChanges | undefined): string {
  const row = (key: string, sub: string, x: Value): string => {
    const st = status(sub, ch);
    return `<tr class="${st}" data-path="${escapeHtml(sub)}"><th>${escapeHtml(key)}</th><td>${was(sub, ch)}${valueHtml(x, sub, st === 'changed' ? undefined : ch)}</td></tr>`;
  };
  if (IMap.isMap(v) && v.size > 0) {
    return `<table class="map">${sortedEntries(v).map(([k, x]) => row(formatValue(k), `${path}[${formatValue(k)}]`, x)).join('')}</table>`;
  }
  if (v instanceof Rec && v.fields.length > 0) {
    return `<table class="rec">${v.fields.map((f, i) => row(f, `${path}.${f}`, v.values[i]!)).join('')}</table>`;
  }
  if (IList.isList(v) && v.size > 0) {
    return `<table class="seq">${v.toArray().map((x, i) => row(String(i), `${path}[${i}]`, x)).join('')}</table>`;
  }
  return scalar(v);
}

export function stateHtml(vars: readonly string[], s: State, ch: StepChanges | undefined): string {
  const rows = vars.map((n, j) => {
    const st = status(n, ch);
    return `<tr class="var ${st}" data-path="${escapeHtml(n)}"><th>${escapeHtml(n)}</th><td>${was(n, ch)}${valueHtml(s[j]!, n, st === 'changed' ? undefined : ch)}</td></tr>`;
  });
  return `<table class="state">${rows.join('')}</table>`;
}

export function paramsHtml(l: Label): string {
  if (l.params.length === 0) return '';
  return `<table class="params">${l.params.map((p) => `<tr><th>${escapeHtml(p.name)}</th><td>${escapeHtml(formatValue(p.value))}</td></tr>`).join('')}</table>`;
}

export function viewModels(views: readonly CompiledView[], s: State): ViewModel[] {
  return views.map((v) => {
    try {
      return viewModel(v.name, v.type, v.value(s));
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      return { name: v.name, error: e.message };
    }
  });
}

export const CSS = `
:root { --changed: #fff1b8; --changed-edge: #d4a000; --bad: #c0392b; --muted: #666; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 16px 24px; }
h1 { font-size: 20px; margin: 0 0 4px; }
.verdict { color: var(--bad); font-weight: 600; margin: 6px 0; }
code, .v, table.state, .params, .timeline, svg.view text { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.meta { color: var(--muted); font-size: 13px; }
.controls { margin-top: 8px; font-size: 13px; }
main { display: flex; gap: 16px; padding: 16px 24px; align-items: flex-start; }
nav { position: sticky; top: 16px; flex: 0 0 260px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
ol.timeline { list-style: none; margin: 0; padding: 0; font-size: 12px; }
ol.timeline li a { display: block; padding: 3px 6px; border-radius: 4px; color: inherit; text-decoration: none; border-left: 3px solid var(--line); }
ol.timeline li a:hover { background: #eef2f6; }
ol.timeline li.failing a, ol.timeline li.last a { border-left-color: var(--bad); }
ol.timeline li.loop-start a { border-left-color: #6f42c1; }
#steps { flex: 1; min-width: 0; }
section.step { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 12px; }
section.step > details > summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
section.step .num { font-weight: 700; color: var(--muted); min-width: 2ch; }
section.step .action { font-weight: 700; font-family: ui-monospace, monospace; }
section.step .body { padding: 0 12px 12px; }
section.step.failing { border-color: var(--bad); }
section.step.failing .action { color: var(--bad); }
.badge { font-size: 11px; border-radius: 10px; padding: 1px 8px; background: #eee; }
.badge.loop { background: #ede4ff; color: #4b2a9b; }
.badge.bad { background: #fde2e1; color: var(--bad); }
table { border-collapse: collapse; }
table.params { display: inline-table; font-size: 12px; }
table.params th, table.params td { border: 1px solid var(--line); padding: 0 6px; }
table.params th { color: var(--muted); font-weight: normal; }
span.at { font-size: 12px; color: var(--muted); }
table.state { width: 100%; font-size: 13px; }
table.state th, table.state td { text-align: left; vertical-align: top; padding: 2px 6px; border-top: 1px solid #eee; }
table.state th { color: #444; font-weight: 600; white-space: nowrap; }
table.map, table.rec, table.seq { border-left: 2px solid #e6e6e6; }
table.map th, table.rec th, table.seq th { font-weight: normal; color: var(--muted); }
tr.changed > td, tr.changed > th { background: var(--changed); }
tr.changed > th { box-shadow: inset 3px 0 0 var(--changed-edge); }
tr.has-change > th { box-shadow: inset 3px 0 0 #f0d67a; }
s.was { color: #8c959f; }
.arrow { color: var(--muted); }
body.hide-same tr.same { display: none; }
.views { display: flex; flex-wrap: wrap; gap: 16px; margin: 4px 0 10px; }
.views figure { margin: 0; }
.views figcaption { font-size: 12px; color: var(--muted); }
svg.view { max-width: 100%; height: auto; overflow: visible; }
svg.view text { font-size: 12px; fill: #1f2328; }
svg.view .frame { fill: #fff; stroke: #8c959f; }
svg.view .vbox.changed > .frame { stroke: var(--changed-edge); stroke-width: 2; fill: #fffbe6; }
svg.view .title { font-weight: 700; }
svg.view .fname { fill: var(--muted); }
svg.view .vline.changed .fvalue { fill: #9a6700; font-weight: 700; }
svg.view .chip rect { fill: #ddf4ff; stroke: #54aeff; }
svg.view .chip.new rect { fill: var(--changed); stroke: var(--changed-edge); stroke-width: 2; }
svg.view .none { fill: #8c959f; font-style: italic; }
svg.view .edge { fill: none; stroke: #8c959f; }
.view-error { color: var(--bad); font-size: 12px; }
.error { color: var(--bad); font-family: ui-monospace, monospace; white-space: pre-wrap; }
.loopback { padding: 8px 12px; color: #4b2a9b; font-weight: 600; }
`;

/** Styles of kernel names, shown expressions and coverage: added only to reports that have them. */
const EXTRA_CSS = `
.kernel { font-family: ui-monospace, monospace; font-size: 12px; background: #e6f4ea; border-radius: 10px; padding: 1px 8px; }
table.shown { margin-top: 6px; }
table.shown th { color: #1a7f37; }
section.coverage { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 0 24px 16px; padding: 8px 12px; }
section.coverage h2 { font-size: 16px; margin: 4px 0 8px; }
table.cov { font-size: 13px; margin-bottom: 10px; }
table.cov th, table.cov td { border-top: 1px solid #eee; padding: 2px 8px; text-align: right; }
table.cov th:first-child, table.cov td:first-child { text-align: left; }
table.cov tr.never td { color: var(--bad); }
`;

const JS = `
(function () {
  var box = document.getElementById('show-unchanged');
  function apply() { document.body.classList.toggle('hide-same', !box.checked); }
  box.addEventListener('change', apply);
  apply();
  document.getElementById('expand-all').addEventListener('click', function () {
    document.querySelectorAll('section.step > details').forEach(function (d) { d.open = true; });
  });
  document.getElementById('collapse-all').addEventListener('click', function () {
    document.querySelectorAll('section.step > details').forEach(function (d) { d.open = false; });
  });
})();
`;

export function htmlReport(r: HtmlReportInput): string {
  const { cex } = r;
  const title = `${r.spec}${r.check ? ` / ${r.check}` : ''}: ${cex.message}`;
  const steps: string[] = [];
  const nav: string[] = [];
  let prevViews: ViewModel[] | undefined;
  const last = cex.states.length - 1;
  cex.states.forEach((s, i) => {
    const label: Label = i === 0 ? { action: 'init', params: [] } : cex.labels[i - 1]!;
    const ch = changesOf(cex.vars, cex.states[i - 1], s);
    const views = viewModels(r.views, s);
    views.forEach((v, k) => markChanges(v, prevViews?.[k]));
    prevViews = views;
    const classes = ['step', i === 0 ? 'initial' : '', cex.loop === i ? 'loop-start' : '', i === last ? 'last' : ''].filter((c) => c !== '');
    const badges: string[] = [];
    if (cex.loop === i) badges.push('<span class="badge loop">loop starts here</span>');
    if (i === last && cex.kind === 'invariant') badges.push(`<span class="badge bad">violates ${escapeHtml(cex.name ?? '')}</span>`);
    if (i === last && cex.kind === 'property') badges.push(`<span class="badge bad">${escapeHtml(cex.name ?? '')} never satisfied on this lasso</span>`);
    if (i === last && cex.kind === 'deadlock') badges.push('<span class="badge bad">deadlock: no action enabled</span>');
    const nChanges = ch ? ch.paths.length : 0;
    const changesNote = ch ? `<span class="meta">${nChanges === 0 ? 'no change' : `${nChanges} change${nChanges === 1 ? '' : 's'}`}</span>` : '';
    const viewsHtml = views.length === 0 ? '' : `<div class="views">${views.map((v) => `<figure><figcaption>${escapeHtml(v.name)}</figcaption>${viewSvg(v)}</figure>`).join('')}</div>`;
    steps.push(
      `<section class="${classes.join(' ')}" id="step-${i}" data-step="${i}"><details open><summary><span class="num">${i}</span><span class="action">${escapeHtml(label.action)}</span>${paramsHtml(label)}${label.at === undefined ? '' : `<span class="at">at ${escapeHtml(label.at)}</span>`}${kernelHtml(r.extras, label)}${changesNote}${badges.join('')}</summary><div class="body">${viewsHtml}${stateHtml(cex.vars, s, ch)}${shownHtml(r.extras, s)}</div></details></section>`,
    );
    nav.push(`<li class="${classes.slice(1).join(' ')}"><a href="#step-${i}">${i} ${escapeHtml(formatLabel(label))}</a></li>`);
  });
  if (cex.loop !== undefined) {
    steps.push(`<div class="loopback" id="loop-back">↩ the last state steps back to state ${cex.loop}: the behaviour repeats forever from there</div>`);
  }
  if (cex.failing) {
    const f = cex.failing;
    const what = cex.kind === 'assert' ? 'this step fails its assert' : 'this step fails';
    steps.push(
      `<section class="step failing" id="step-failing"><details open><summary><span class="num">✗</span><span class="action">${escapeHtml(f.action)}</span>${paramsHtml(f)}<span class="badge bad">${what}</span></summary><div class="body"><p class="error">${escapeHtml(cex.message)}${cex.location ? `\n  at ${escapeHtml(cex.location)}` : ''}</p></div></details></section>`,
    );
    nav.push(`<li class="failing"><a href="#step-failing">✗ ${escapeHtml(formatLabel(f))}</a></li>`);
  }
  const steps1 = Math.max(0, cex.states.length - 1);
  const consts = r.constants.length === 0 ? '' : `<div class="meta">constants: <code>${r.constants.map((c) => `${escapeHtml(c.name)} = ${escapeHtml(formatValue(c.value))}`).join(', ')}</code></div>`;
  const stats = r.stats ? `<div class="meta">${r.stats.distinct} distinct states, ${r.stats.generated} generated, depth ${r.stats.depth}</div>` : '';
  const where = cex.location ? `<div class="meta">at <code>${escapeHtml(cex.location)}</code>${cex.predicate ? `: <code class="predicate">${escapeHtml(cex.predicate)}</code>` : ''}</div>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}${r.extras || r.coverage ? EXTRA_CSS : ''}</style>
</head>
<body>
<header>
<h1>${escapeHtml(r.spec)}${r.check ? ` <span class="meta">check ${escapeHtml(r.check)}</span>` : ''}</h1>
<div class="meta">${escapeHtml(r.source)}</div>
<p class="verdict">${escapeHtml(cex.kind === 'assert' ? `Assertion failed: ${cex.message}` : cex.kind === 'error' ? `Evaluation error: ${cex.message}` : cex.message)}</p>
${where}
<div class="meta">Trace: ${steps1} step${steps1 === 1 ? '' : 's'}, ${escapeHtml(cex.traceNote ?? 'a shortest one')}${cex.loop !== undefined ? `, looping back to state ${cex.loop}` : ''}.</div>
${consts}
${stats}
<div class="controls"><label><input type="checkbox" id="show-unchanged"> show unchanged parts</label> · <button type="button" id="expand-all">expand all</button> <button type="button" id="collapse-all">collapse all</button></div>
</header>
<main>
<nav><ol class="timeline">${nav.join('')}</ol></nav>
<div id="steps">${steps.join('\n')}</div>
</main>${r.coverage ? `\n${coverageHtml(r.coverage)}` : ''}
<script>${JS}</script>
</body>
</html>
`;
}
