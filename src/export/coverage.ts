/**
 * The coverage of a run (`spex check --coverage`, docs/coverage.md) as a table for the terminal
 * and as JSON for `--json` and the HTML report. Pure functions of a CoverageReport.
 */
import type { CoverageReport, CoverageRow, GuardSite } from '../lang/coverage.js';
import { formatLocation } from '../lang/diagnostics.js';
import { formatLabel } from '../lang/label.js';
import { formatValue } from '../values/index.js';
import type { Json } from './itf.js';

/** How a row names its step: `Grow`, `Move(p=1)`, `Worker(w=1) at wait`, `Offline(m=C) at reparent.loop`. */
export function coverageStepName(report: CoverageReport, row: CoverageRow): string {
  const s = report.sites.steps[row.site]!;
  if (s.kind === 'action') return formatLabel({ action: s.owner, params: [...row.params] });
  if (s.ownerKind === 'procedure') return formatLabel({ action: row.process ?? '?', params: [...row.params], at: `${s.owner}.${s.label!}` });
  return formatLabel({ action: s.owner, params: [...row.params], at: s.label! });
}

/** A guard's statement as written, on one line, shortened. */
export function guardText(g: GuardSite): string {
  const t = g.span.source.text.slice(g.span.start, g.span.end).replace(/\s+/g, ' ').trim();
  return t.length > 48 ? `${t.slice(0, 47)}…` : t;
}

/** The table printed after a check's report. `complete`: the search covered every reachable state. */
export function formatCoverage(report: CoverageReport, complete: boolean, of?: string): string {
  const lines: string[] = [];
  lines.push(`Coverage${of !== undefined ? ` (${of})` : complete ? '' : ' (of a search cut short: the counts are those up to where it stopped)'}:`);
  const head = ['step', 'states', 'enabled', 'taken', 'new'];
  const rows: string[][] = [];
  const notes: string[] = [];
  const seen = new Set<number>();
  for (const r of report.rows) {
    seen.add(r.site);
    rows.push([coverageStepName(report, r), String(r.states), String(r.enabled), String(r.taken), String(r.fresh)]);
    notes.push(r.enabled === 0 ? 'never enabled' : '');
  }
  // Steps never evaluated at all (a label no instance reached, an action over an empty domain).
  report.sites.steps.forEach((s, i) => {
    if (seen.has(i)) return;
    rows.push([s.kind === 'action' ? s.owner : `${s.owner} at ${s.label!}`, '0', '0', '0', '0']);
    notes.push(s.kind === 'action' ? 'never evaluated' : 'never reached');
  });
  table(lines, head, rows, notes);
  if (report.sites.guards.length > 0) {
    lines.push('');
    const gh = ['guard', 'where', 'evaluated', 'blocked'];
    const grows: string[][] = [];
    const gnotes: string[] = [];
    report.sites.guards.forEach((g, i) => {
      grows.push([`${formatLocation(g.span)} ${guardText(g)}`, g.where, String(report.evaluated[i]), String(report.blocked[i])]);
      const ev = report.evaluated[i]!;
      const bl = report.blocked[i]!;
      const what = g.kind === 'pick' ? 'always empty' : 'always blocked';
      gnotes.push(ev === 0 ? 'never evaluated' : bl === ev ? what : '');
    });
    table(lines, gh, grows, gnotes);
  }
  return lines.join('\n');
}

function table(out: string[], head: string[], rows: string[][], notes: string[]): void {
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const fmt = (r: string[], note = ''): string =>
    ('  ' + r.map((c, j) => (j === 0 || (j === 1 && head[1] === 'where') ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ') + (note ? `  ${note}` : '')).trimEnd();
  out.push(fmt(head));
  rows.forEach((r, i) => out.push(fmt(r, notes[i])));
}

/** The `coverage` event's fields (docs/json-events.md). */
export function coverageJson(report: CoverageReport, complete: boolean): Record<string, Json> {
  const seen = new Set(report.rows.map((r) => r.site));
  return {
    complete,
    steps: [
      ...report.rows.map((r): Json => {
        const s = report.sites.steps[r.site]!;
        return {
          step: coverageStepName(report, r),
          kind: s.kind,
          name: s.owner,
          label: s.label ?? null,
          process: s.kind === 'label' ? (s.ownerKind === 'procedure' ? (r.process ?? null) : s.owner) : null,
          params: Object.fromEntries(r.params.map((p) => [p.name, formatValue(p.value)])),
          location: formatLocation(s.span),
          states: r.states,
          enabled: r.enabled,
          taken: r.taken,
          new: r.fresh,
        };
      }),
      ...report.sites.steps.flatMap((s, i): Json[] =>
        seen.has(i)
          ? []
          : [{ step: s.kind === 'action' ? s.owner : `${s.owner} at ${s.label!}`, kind: s.kind, name: s.owner, label: s.label ?? null, process: null, params: {}, location: formatLocation(s.span), states: 0, enabled: 0, taken: 0, new: 0 }],
      ),
    ],
    guards: report.sites.guards.map((g, i): Json => ({
      kind: g.kind,
      location: formatLocation(g.span),
      text: guardText(g),
      where: g.where,
      evaluated: report.evaluated[i]!,
      blocked: report.blocked[i]!,
    })),
  };
}
