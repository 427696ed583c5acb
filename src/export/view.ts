/**
 * Drawings of `view` declarations (docs/language.md, Views) as inline SVG, for the HTML
 * report. A view is an ordinary expression; its static type picks the drawing:
 *
 *   - tree:  Map[K, { parent: Option[K], ... }]: one box per key, titled by the key, nested
 *            under its parent (None: a root); the other fields are drawn inside the box;
 *   - boxes: any other Map[K, V]: one box per key, side by side, holding V;
 *   - one box titled with the view's name, for anything else.
 *
 * Inside a box, a set or sequence is a row of chips (one per element) and any other value is
 * its text; a record shows one line per field, `name: value` or `name:` and chips. Parts that
 * differ from the previous step's drawing are marked (`changed` boxes and lines, `new` chips).
 *
 * All text is escaped for XML here; nothing in a spec becomes markup.
 */
import type { Type } from '../lang/types.js';
import { compatible, isOption } from '../lang/types.js';
import { IList, IMap, ISet, Rec, Variant, formatValue, sortedElements, sortedEntries, valueEquals, type Value } from '../values/index.js';

export interface Chip {
  readonly text: string;
  isNew: boolean;
}

export type ViewLine =
  | { readonly kind: 'text'; readonly name: string | undefined; readonly text: string; changed: boolean }
  | { readonly kind: 'chips'; readonly name: string | undefined; readonly chips: Chip[]; changed: boolean };

export interface ViewBox {
  readonly title: string;
  readonly lines: ViewLine[];
  readonly children: ViewBox[];
  changed: boolean;
}

export type ViewModel =
  | { readonly name: string; readonly layout: 'tree' | 'row'; readonly boxes: ViewBox[] }
  | { readonly name: string; readonly error: string };

/** The `parent` field's index when `t` is a tree-shaped map type, else -1. */
function treeParentField(t: Type): number {
  if (t.k !== 'map' || t.value.k !== 'record') return -1;
  const i = t.value.fields.indexOf('parent');
  if (i < 0) return -1;
  const pt = t.value.types[i]!;
  return isOption(pt) && compatible(pt.info.cases[1]!.payload!, t.key) ? i : -1;
}

function isCollection(v: Value): v is ISet<Value> | IList<Value> {
  return ISet.isSet(v) || IList.isList(v);
}

function line(name: string | undefined, v: Value): ViewLine {
  if (isCollection(v)) {
    const items = ISet.isSet(v) ? sortedElements(v) : v.toArray();
    return { kind: 'chips', name, chips: items.map((x) => ({ text: formatValue(x), isNew: false })), changed: false };
  }
  return { kind: 'text', name, text: formatValue(v), changed: false };
}

/** The lines of a box's content: a record's fields (minus `skip`), or the value itself. */
function contentLines(v: Value, skip?: string): ViewLine[] {
  if (v instanceof Rec) return v.fields.flatMap((f, i) => (f === skip ? [] : [line(f, v.values[i]!)]));
  return [line(undefined, v)];
}

/** The drawing of a view's value, without change marks. */
export function viewModel(name: string, t: Type, v: Value): ViewModel {
  if (treeParentField(t) >= 0 && IMap.isMap(v)) {
    const entries = sortedEntries(v);
    const boxes = new Map<Value, ViewBox>();
    for (const [k, r] of entries) boxes.set(k, { title: formatValue(k), lines: contentLines(r, 'parent'), children: [], changed: false });
    const roots: ViewBox[] = [];
    for (const [k, r] of entries) {
      const rec = r as Rec;
      const p = rec.values[rec.fields.indexOf('parent')] as Variant;
      const parentKey = p.value;
      // A parent outside the map, or one that would close a cycle, makes the box a root.
      let ok = parentKey !== undefined && v.has(parentKey);
      for (let a: Value | undefined = parentKey, n = 0; ok && a !== undefined; n++) {
        if (valueEquals(a, k) || n > entries.length) ok = false;
        const ar = v.get(a) as Rec | undefined;
        a = ar ? (ar.values[ar.fields.indexOf('parent')] as Variant).value : undefined;
      }
      const parentBox = ok ? [...boxes.entries()].find(([pk]) => valueEquals(pk, parentKey!))?.[1] : undefined;
      (parentBox ? parentBox.children : roots).push([...boxes.entries()].find(([bk]) => valueEquals(bk, k))![1]);
    }
    return { name, layout: 'tree', boxes: roots };
  }
  if (t.k === 'map' && IMap.isMap(v)) {
    return { name, layout: 'row', boxes: sortedEntries(v).map(([k, x]) => ({ title: formatValue(k), lines: contentLines(x), children: [], changed: false })) };
  }
  return { name, layout: 'row', boxes: [{ title: name, lines: contentLines(v), children: [], changed: false }] };
}

function flatten(boxes: readonly ViewBox[], out = new Map<string, ViewBox>()): Map<string, ViewBox> {
  for (const b of boxes) {
    out.set(b.title, b);
    flatten(b.children, out);
  }
  return out;
}

/** Marks what differs from the previous step's drawing of the same view. */
export function markChanges(now: ViewModel, before: ViewModel | undefined): void {
  if ('error' in now || before === undefined || 'error' in before) return;
  const old = flatten(before.boxes);
  for (const b of flatten(now.boxes).values()) {
    const ob = old.get(b.title);
    if (!ob) {
      b.changed = true;
      continue;
    }
    for (const l of b.lines) {
      const ol = ob.lines.find((x) => x.name === l.name);
      if (l.kind === 'chips') {
        const oldChips = new Set(ol?.kind === 'chips' ? ol.chips.map((c) => c.text) : []);
        for (const c of l.chips) c.isNew = !oldChips.has(c.text);
        const removed = ol?.kind === 'chips' && ol.chips.some((c) => !l.chips.some((x) => x.text === c.text));
        l.changed = l.chips.some((c) => c.isNew) || removed || ol?.kind !== 'chips';
      } else {
        l.changed = ol?.kind !== 'text' || ol.text !== l.text;
      }
      if (l.changed) b.changed = true;
    }
  }
}

// ---------------------------------------------------------------- SVG

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CHAR_W = 7.3; // 12px monospace
const LINE_H = 20;
const PAD = 8;
const CHIP_H = 15;
const INDENT = 26;
const GAP = 10;

function textWidth(s: string): number {
  return [...s].length * CHAR_W;
}

function lineWidth(l: ViewLine): number {
  const label = l.name === undefined ? 0 : textWidth(l.name + ': ');
  if (l.kind === 'text') return label + textWidth(l.text);
  return label + (l.chips.length === 0 ? textWidth('(none)') : l.chips.reduce((w, c) => w + textWidth(c.text) + 10 + 4, 0));
}

function boxSize(b: ViewBox): { w: number; h: number } {
  const w = Math.max(72, textWidth(b.title), ...b.lines.map(lineWidth)) + 2 * PAD;
  return { w: Math.ceil(w), h: PAD + 16 + b.lines.length * LINE_H + PAD / 2 };
}

function drawBox(b: ViewBox, x: number, y: number, out: string[]): { w: number; h: number } {
  const { w, h } = boxSize(b);
  out.push(`<g class="vbox${b.changed ? ' changed' : ''}" data-title="${escapeXml(b.title)}" transform="translate(${x},${y})">`);
  out.push(`<rect class="frame" width="${w}" height="${h}" rx="5"/>`);
  out.push(`<text class="title" x="${PAD}" y="${PAD + 11}">${escapeXml(b.title)}</text>`);
  b.lines.forEach((l, i) => {
    const ly = PAD + 16 + i * LINE_H;
    const cls = `vline${l.changed ? ' changed' : ''}`;
    let cx = PAD;
    out.push(`<g class="${cls}" data-name="${escapeXml(l.name ?? '')}">`);
    if (l.name !== undefined) {
      out.push(`<text class="fname" x="${cx}" y="${ly + 13}">${escapeXml(l.name)}:</text>`);
      cx += textWidth(l.name + ': ');
    }
    if (l.kind === 'text') {
      out.push(`<text class="fvalue" x="${cx}" y="${ly + 13}">${escapeXml(l.text)}</text>`);
    } else if (l.chips.length === 0) {
      out.push(`<text class="none" x="${cx}" y="${ly + 13}">(none)</text>`);
    } else {
      for (const c of l.chips) {
        const cw = textWidth(c.text) + 10;
        out.push(`<g class="chip${c.isNew ? ' new' : ''}" transform="translate(${cx.toFixed(1)},${ly + 2})"><rect width="${cw.toFixed(1)}" height="${CHIP_H}" rx="4"/><text x="5" y="11.5">${escapeXml(c.text)}</text></g>`);
        cx += cw + 4;
      }
    }
    out.push('</g>');
  });
  out.push('</g>');
  return { w, h };
}

/** The view as an inline <svg> element (or a note when it could not be evaluated). */
export function viewSvg(m: ViewModel): string {
  if ('error' in m) return `<p class="view-error">view ${escapeXml(m.name)} cannot be evaluated here: ${escapeXml(m.error)}</p>`;
  const out: string[] = [];
  let width = 0;
  let height = 0;
  if (m.layout === 'tree') {
    // An indented tree: one box a row, children to the right of their parent's left edge,
    // joined by elbow lines.
    let y = 0;
    const walk = (b: ViewBox, depth: number, parentAnchor: { x: number; y: number } | undefined): void => {
      const x = depth * INDENT;
      const size = drawBox(b, x, y, out);
      if (parentAnchor) {
        out.push(`<path class="edge" d="M${parentAnchor.x},${parentAnchor.y} V${y + 14} H${x}"/>`);
      }
      width = Math.max(width, x + size.w);
      const anchor = { x: x + INDENT / 2, y: y + size.h };
      y += size.h + GAP;
      for (const c of b.children) walk(c, depth + 1, anchor);
    };
    for (const r of m.boxes) walk(r, 0, undefined);
    height = Math.max(0, y - GAP);
  } else {
    let x = 0;
    for (const b of m.boxes) {
      const size = drawBox(b, x, 0, out);
      x += size.w + GAP;
      height = Math.max(height, size.h);
    }
    width = Math.max(0, x - GAP);
  }
  const w = Math.ceil(width) + 2;
  const h = Math.ceil(height) + 2;
  return `<svg class="view" role="img" aria-label="view ${escapeXml(m.name)}" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="-1 -1 ${w} ${h}">${out.join('')}</svg>`;
}
