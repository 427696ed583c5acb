/**
 * Counterexamples in the shape of TLC's `-dumpTrace json FILE`, so that TLA+ tooling that
 * reads those files (trace explorers, scripts over `CounterExample`) can load spex traces.
 *
 * TLC writes its `CounterExample` record (module TLCExt) through the Json module:
 *
 *   {"action": [[[i, s_i], {"name": ..., "location": {...}, ...}, [i + 1, s_i+1]], ...],
 *    "state":  [[1, s_1], [2, s_2], ...]}
 *
 * States are numbered from 1, each state is an object from variable names to values, and
 * `action` holds one entry per step (none for the initial state). TLA+ values become JSON as
 * TLC's Json module writes them: sets and sequences as arrays, records and functions as
 * objects, a function whose domain is 1..n as an array. The mapping from spex values is in
 * docs/exports.md, with what it loses. Pure functions: no file access here.
 */
import type { CheckedSpec } from '../lang/check.js';
import type { Label, State } from '../lang/compile.js';
import { lineCol } from '../lang/diagnostics.js';
import {
  Atom, IList, IMap, ISet, Rec, Tuple, Variant, formatValue, sortedElements, sortedEntries, type Value,
} from '../values/index.js';
import { jsonObject, type Json } from './itf.js';
import type { TraceExtras } from '../lang/trace.js';
import { shownValue } from '../lang/show.js';
import { named } from '../lang/by-name.js';

type JsonObject = { [key: string]: Json };

/** The JSON TLC's Json module would write for the TLA+ counterpart of a spex value. */
export function tlcValue(v: Value): Json {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Atom) return v.name;
  if (v instanceof Tuple) return v.items.map(tlcValue);
  if (v instanceof Rec) {
    const o: JsonObject = jsonObject();
    v.fields.forEach((f, i) => {
      o[f] = tlcValue(v.values[i]!);
    });
    return o;
  }
  // A variant is the record [tag |-> "Case", value |-> v]; a case without payload has the
  // empty tuple <<>> as its value, which TLC writes as [].
  if (v instanceof Variant) return { tag: v.tag, value: v.value === undefined ? [] : tlcValue(v.value) };
  if (ISet.isSet(v)) return sortedElements(v).map(tlcValue);
  if (IList.isList(v)) return v.toArray().map(tlcValue);
  if (IMap.isMap(v)) {
    const entries = sortedEntries(v);
    // TLC writes a function with domain 1..n as a JSON array (it is a sequence in TLA+).
    if (entries.length > 0 && entries.every(([k], i) => k === i + 1)) return entries.map(([, x]) => tlcValue(x));
    const o: JsonObject = jsonObject();
    // Keys become object keys: an enum member or an integer as is, anything else in spex's
    // text form (TLC uses its TLA+ text form there).
    for (const [k, x] of entries) o[typeof k === 'number' || k instanceof Atom ? String(k instanceof Atom ? k.name : k) : formatValue(k)] = tlcValue(x);
    return o;
  }
  throw new Error(`internal error: not a spec value: ${String(v)}`);
}

/** A trace to export: the states, and labels[i] leading from states[i] to states[i + 1]. */
export interface TlcTraceInput {
  readonly vars: readonly string[];
  readonly states: readonly State[];
  readonly labels: readonly Label[];
}

function stateObject(vars: readonly string[], s: State): JsonObject {
  const o: JsonObject = jsonObject();
  vars.forEach((name, j) => {
    o[name] = tlcValue(s[j]!);
  });
  return o;
}

/** TLC's action record: name, location of the action in the spec, and spex's parameters. */
function actionRecord(spec: CheckedSpec, label: Label): JsonObject {
  const rec: JsonObject = { name: label.action };
  const decl = named(spec.actions, label.action)?.decl;
  if (decl) {
    const b = lineCol(decl.span.source, decl.span.start);
    const e = lineCol(decl.span.source, Math.max(decl.span.start, decl.span.end - 1));
    rec.location = { beginLine: b.line, beginColumn: b.col, endLine: e.line, endColumn: e.col, module: spec.name };
  }
  if (label.params.length > 0) {
    // As TLC writes the parameters of an action written as an operator: their names in
    // order, and their values by name.
    rec.parameters = label.params.map((p) => p.name);
    const context: JsonObject = jsonObject();
    for (const p of label.params) context[p.name] = tlcValue(p.value);
    rec.context = context;
  }
  return rec;
}

/**
 * The `CounterExample` object of a trace, as TLC's `-dumpTrace json` writes it. Shown
 * expressions (`show`) join each state's variables, as TLC's ALIAS adds its fields to the
 * state (an evaluation error as the string `<error: ...>`); a step's kernel name (`@kernel`)
 * is its action record's `kernel`.
 */
export function toTlcJson(spec: CheckedSpec, trace: TlcTraceInput, extras?: TraceExtras): { action: Json[]; state: Json[] } {
  const states = trace.states.map((s, i): Json => {
    const o = stateObject(trace.vars, s);
    for (const x of extras?.shown ?? []) {
      const v = shownValue(x, s);
      o[x.name] = 'value' in v ? tlcValue(v.value) : `<error: ${v.error}>`;
    }
    return [i + 1, o];
  });
  const action = trace.labels.map((l, i): Json => {
    const rec = actionRecord(spec, l);
    const k = extras?.kernelOf?.(l);
    if (k) rec.kernel = k.file === undefined ? { function: k.fn } : { function: k.fn, file: k.file };
    return [states[i]!, rec, states[i + 1]!];
  });
  return { action, state: states };
}

/** The file text: valid JSON, one state or step a line, so that traces diff well. */
export function formatTlcJson(ce: { action: Json[]; state: Json[] }): string {
  const block = (items: Json[]): string => (items.length === 0 ? '[]' : `[\n${items.map((x) => '    ' + JSON.stringify(x)).join(',\n')}\n  ]`);
  return `{\n  "action": ${block(ce.action)},\n  "state": ${block(ce.state)}\n}\n`;
}
