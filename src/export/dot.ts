/**
 * A state graph as Graphviz DOT, for `spex graph`: one node per state labelled with the state
 * (one `var = value` line per variable), one edge per step labelled with its action and
 * parameters, initial states marked by an arrow from a point, and the counterexample path,
 * if any, drawn bold and red. Every label is a DOT quoted string, escaped here.
 */
import type { Label, State } from '../lang/compile.js';
import { formatValue } from '../values/index.js';
import type { StateGraph } from './state-graph.js';
import { formatLabel } from '../lang/label.js';

/**
 * A DOT quoted string. Inside one, only `"` and `\` are special to DOT itself, but Graphviz
 * reads `\l`, `\n`, `\N`, `\G`... in labels as escapes, so every backslash is doubled; line
 * breaks are written as `\l` (left-justified lines) by the caller, never raw.
 */
export function dotString(text: string): string {
  return '"' + escapeLine(text).replace(/\r?\n/g, '\\n') + '"';
}

/**
 * A line of label text as DOT reads it back: backslashes and quotes escaped, and `&` written
 * `&amp;`, since Graphviz decodes HTML entities in every label (an assert message `a &lt; b`
 * was drawn `a < b`).
 */
function escapeLine(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** A multi-line, left-justified label: each line escaped, then ended by DOT's `\l`. */
export function dotLines(lines: readonly string[]): string {
  return '"' + lines.map((l) => escapeLine(l).replace(/\r?\n/g, ' ') + '\\l').join('') + '"';
}

export interface DotOptions {
  readonly title: string;
  readonly vars: readonly string[];
  /** Node indices of the counterexample, in order (from an initial state). */
  readonly path?: readonly number[];
  /** The steps of the counterexample: pathLabels[i] leads from path[i] to path[i + 1]. */
  readonly pathLabels?: readonly Label[];
  /** The lasso's loop: the path index the last state steps back to. */
  readonly loop?: number;
}

export function toDot(g: StateGraph<State, Label>, o: DotOptions): string {
  const out: string[] = [];
  out.push(`digraph ${dotString(o.title)} {`);
  out.push(`  label=${dotString(o.title)};`);
  out.push('  labelloc=t;');
  out.push('  node [shape=box, style=rounded, fontname="monospace", fontsize=10];');
  out.push('  edge [fontname="monospace", fontsize=9];');
  const onPath = new Set(o.path ?? []);
  const pathEdges = new Set<string>();
  const p = o.path ?? [];
  for (let i = 0; i + 1 < p.length; i++) {
    const l = o.pathLabels?.[i];
    pathEdges.add(`${p[i]}>${p[i + 1]}>${l ? formatLabel(l) : ''}`);
  }
  const loopEdge = o.loop !== undefined && p.length > 0 ? `${p[p.length - 1]}>${p[o.loop]}` : undefined;

  g.nodes.forEach((n, i) => {
    const lines = o.vars.map((v, j) => `${v} = ${formatValue(n.state[j]!)}`);
    if (n.violated !== undefined) lines.push(`violates ${n.violated}`);
    if (n.fault !== undefined) lines.push(`fails: ${n.fault}`);
    if (n.deadlock) lines.push('deadlock');
    const attrs = [`label=${dotLines(lines)}`];
    const styles = ['rounded'];
    if (n.initial) styles.push('bold');
    if (n.violated !== undefined || n.fault !== undefined || n.deadlock) {
      styles.push('filled');
      attrs.push('fillcolor="#fde2e1"');
    }
    if (onPath.has(i)) attrs.push('color="#c0392b"', 'penwidth=2');
    attrs.unshift(`style=${dotString(styles.join(','))}`);
    out.push(`  s${i} [${attrs.join(', ')}];`);
  });
  g.nodes.forEach((n, i) => {
    if (!n.initial) return;
    out.push(`  init${i} [shape=point, width=0.08, label=""];`);
    out.push(`  init${i} -> s${i} [label="init"];`);
  });
  for (const e of g.edges) {
    const attrs = [`label=${dotString(formatLabel(e.label))}`];
    const key = `${e.from}>${e.to}`;
    if (pathEdges.has(`${key}>${formatLabel(e.label)}`) || key === loopEdge) attrs.push('color="#c0392b"', 'fontcolor="#c0392b"', 'penwidth=2.5');
    out.push(`  s${e.from} -> s${e.to} [${attrs.join(', ')}];`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}
