/**
 * Traces in the Informal Trace Format (ITF) of Apalache and Quint
 * (https://apalache-mc.org/docs/adr/015adr-trace.html), both ways:
 *
 *   - toItf turns a spex trace into the ITF JSON object;
 *   - fromItf decodes an ITF object back into spex values, guided by the spec's declared
 *     types (JSON alone cannot tell an enum atom from a string, or a record type's fields).
 *
 * The mapping of values (docs/exports.md has the table):
 *
 *   Int → {"#bigint": "5"}        Bool → true / false        enum atom → "Child"
 *   Set → {"#set": [...]}         Map → {"#map": [[k, v], ...]}   Seq → [...]
 *   tuple → {"#tup": [...]}       record → {"field": v, ...}
 *   variant → {"tag": "Some", "value": v}, with {"#tup": []} as the value of a case without
 *   payload (None is {"tag": "None", "value": {"#tup": []}}).
 *
 * Sets and maps are written in canonical order (sortedElements, sortedEntries) and records in
 * their type's field order (sorted by name), so equal traces give the same text. Pure
 * functions: no file access here.
 */
import type { CheckedProcess, CheckedSpec } from '../lang/check.js';
import type { Label, RuntimeLocation, State } from '../lang/compile.js';
import { clipped, formatLocation, nameList } from '../lang/diagnostics.js';
import { stepLabels } from '../lang/process-shape.js';
import type { Type } from '../lang/types.js';
import { formatType } from '../lang/types.js';
import type { CheckResult } from '../engine/run.js';
import { traceNote } from './counterexample.js';
import type { TemporalViolation } from '../engine/temporal.js';
import type { ItfFault, ItfTrace, ItfTraceMeta, TraceExtras } from '../lang/trace.js';
import { shownValue } from '../lang/show.js';
import {
  Atom, IList, IMap, ISet, Rec, Tuple, Variant, sortedElements, sortedEntries, type Value,
} from '../values/index.js';
import { named } from '../lang/by-name.js';
import { describeJson } from './json-input.js';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * An object for keys that come from the spec (fields, variables, constants, parameters): without
 * a prototype, so that one named `__proto__` is a key like any other, where on a plain object
 * the assignment would set its prototype and the key would be lost from the export.
 */
export function jsonObject(init?: JsonObject): JsonObject {
  const o = Object.create(null) as JsonObject;
  if (init !== undefined) Object.assign(o, init);
  return o;
}

export const ITF_FORMAT_DESCRIPTION = 'https://apalache-mc.org/docs/adr/015adr-trace.html';

/** The trace model is the language's (src/lang/trace.ts); re-exported for the exporters' users. */
export type { ItfFault, ItfTrace, ItfTraceMeta };

// ---------------------------------------------------------------- encoding

/** The ITF form of a value. */
export function encodeValue(v: Value): Json {
  if (typeof v === 'number') return { '#bigint': String(v) };
  if (typeof v === 'boolean') return v;
  if (v instanceof Atom) return v.name;
  if (v instanceof Tuple) return { '#tup': v.items.map(encodeValue) };
  if (v instanceof Rec) {
    const o: JsonObject = jsonObject();
    v.fields.forEach((f, i) => {
      o[f] = encodeValue(v.values[i]!);
    });
    return o;
  }
  if (v instanceof Variant) return { tag: v.tag, value: v.value === undefined ? { '#tup': [] } : encodeValue(v.value) };
  if (IMap.isMap(v)) return { '#map': sortedEntries(v).map(([k, x]) => [encodeValue(k), encodeValue(x)]) };
  if (ISet.isSet(v)) return { '#set': sortedElements(v).map(encodeValue) };
  if (IList.isList(v)) return v.toArray().map(encodeValue);
  throw new Error(`internal error: not a spec value: ${String(v)}`);
}

function encodeParams(l: Label): JsonObject {
  const o: JsonObject = jsonObject();
  for (const p of l.params) o[p.name] = encodeValue(p.value);
  return o;
}

/** The ITF object of a trace. */
export function toItf(trace: ItfTrace, meta: ItfTraceMeta): JsonObject {
  const m: JsonObject = { format: 'ITF', 'format-description': ITF_FORMAT_DESCRIPTION };
  if (meta.source !== undefined) m.source = meta.source;
  if (meta.description !== undefined) m.description = meta.description;
  if (meta.spec !== undefined) m.spec = meta.spec;
  if (meta.check !== undefined) m.check = meta.check;
  if (meta.verdict !== undefined) m.verdict = meta.verdict;
  if (meta.violation !== undefined) m.violation = meta.violation;
  if (meta.property !== undefined) m.property = meta.property;
  if (meta.constants !== undefined) {
    const c: JsonObject = jsonObject();
    for (const x of meta.constants) c[x.name] = encodeValue(x.value);
    m.constants = c;
  }
  if (meta.error !== undefined) {
    const e = meta.error;
    const o: JsonObject = { kind: e.kind, code: e.code, message: e.message };
    if (e.location !== undefined) o.location = e.location;
    if (e.label !== undefined) {
      o.action = e.label.action;
      o.params = encodeParams(e.label);
      if (e.label.at !== undefined) o.at = e.label.at;
    }
    m.error = o;
  }
  const states = trace.states.map((s, i): JsonObject => {
    const label = i === 0 ? INIT : trace.labels[i - 1];
    const sm: JsonObject = { index: i };
    if (label !== undefined) {
      sm.action = label.action;
      sm.params = encodeParams(label);
      if (label.at !== undefined) sm.at = label.at;
    }
    const ex = trace.extras;
    if (ex?.shown && ex.shown.length > 0) {
      // Shown expressions (docs/exports.md): values as ITF values; an evaluation error as its message.
      const shown: JsonObject = jsonObject();
      const errors: JsonObject = jsonObject();
      for (const x of ex.shown) {
        const v = shownValue(x, s);
        if ('value' in v) shown[x.name] = encodeValue(v.value);
        else errors[x.name] = v.error;
      }
      sm.shown = shown;
      if (Object.keys(errors).length > 0) sm.shownErrors = errors;
    }
    const k = label !== undefined && i > 0 ? ex?.kernelOf?.(label) : undefined;
    if (k) sm.kernel = k.file === undefined ? { function: k.fn } : { function: k.fn, file: k.file };
    const o: JsonObject = jsonObject({ '#meta': sm });
    trace.vars.forEach((name, j) => {
      o[name] = encodeValue(s[j]!);
    });
    return o;
  });
  const out: JsonObject = { '#meta': m, vars: [...trace.vars], states };
  if (trace.loop !== undefined) out.loop = trace.loop;
  return out;
}

const INIT: Label = { action: 'init', params: [] };

/**
 * The ITF trace and metadata of a check's counterexample (an invariant violation, a deadlock
 * or a fault), or undefined when the run has none.
 */
export function itfOfCheck(r: CheckResult, source: string, specName: string): { trace: ItfTrace; meta: ItfTraceMeta } | undefined {
  const o = r.result?.outcome;
  const system = r.system;
  const tv = r.temporal && 'checked' in r.temporal ? r.temporal.violation : undefined;
  if (tv && system) return itfOfLasso(r, tv, source, specName);
  if (!o || !system || (o.kind !== 'invariant' && o.kind !== 'deadlock' && o.kind !== 'fault')) return undefined;
  const steps = Math.max(0, o.trace.states.length - 1);
  const shortest = traceNote(r) === 'a shortest one' ? `a shortest trace (${steps} step${steps === 1 ? '' : 's'})` : `a trace (${steps} step${steps === 1 ? '' : 's'}) ${traceNote(r)}`;
  let description: string;
  let error: ItfFault | undefined;
  switch (o.kind) {
    case 'invariant':
      description = r.refinement
        ? `${r.refinement.message.replace(/\.$/, '')}, at the end of ${shortest}, found by spex.`
        : o.step
          ? `Step property ${o.invariant} is violated by the last step of ${shortest}, found by spex.`
          : `Invariant ${o.invariant} is violated in the last state of ${shortest}, found by spex.`;
      break;
    case 'deadlock':
      description = `The last state of ${shortest}, found by spex, is a deadlock: no action is enabled in it.`;
      break;
    case 'fault': {
      const e = o.error;
      const loc = e.location as RuntimeLocation | undefined;
      const label = e.label as Label | undefined;
      const where = label === undefined ? 'an invariant' : label.action;
      const after = o.trace.states.length === 0 ? '' : ` after ${shortest}`;
      description = `${e.kind === 'assert' ? 'An assert fails' : 'A run-time error happens'} in ${where}${after}, found by spex: ${e.message}.`;
      error = {
        kind: e.kind,
        code: loc?.code ?? (e.kind === 'assert' ? 'assert' : 'error'),
        message: e.message,
        ...(loc ? { location: formatLocation(loc.span) } : {}),
        ...(label ? { label } : {}),
      };
      break;
    }
  }
  const meta: ItfTraceMeta = {
    source,
    description,
    spec: specName,
    check: r.name ?? null,
    verdict: r.verdict.kind,
    violation: r.verdict.kind === 'violation' ? r.verdict.name : null,
    constants: system.constValues,
    ...(error ? { error } : {}),
  };
  return { trace: { vars: system.varNames, states: o.trace.states, labels: o.trace.labels, ...extrasOf(r) }, meta };
}

/** The shown expressions and kernel names of a check's traces, if it has any. */
function extrasOf(r: CheckResult): { extras?: TraceExtras } {
  return r.shown || r.kernelOf ? { extras: { shown: r.shown, kernelOf: r.kernelOf } } : {};
}

/** The ITF trace of a violated temporal property: the lasso, with `loop`. */
function itfOfLasso(r: CheckResult, v: TemporalViolation, source: string, specName: string): { trace: ItfTrace; meta: ItfTraceMeta } {
  const system = r.system!;
  const n = v.trace.states.length - 1;
  let trace: ItfTrace;
  let how: string;
  if (v.kind === 'cycle') {
    // The last state of the lasso is the state at `loop` again: ITF's `loop` says so instead.
    trace = { vars: system.varNames, states: v.trace.states.slice(0, n), labels: v.trace.labels.slice(0, n - 1), loop: v.loop!, ...extrasOf(r) };
    how = `it repeats states ${v.loop} to ${n - 1} forever (the last state steps back to state ${v.loop})`;
  } else if (v.kind === 'stutter') {
    trace = { vars: system.varNames, states: v.trace.states, labels: v.trace.labels, loop: n, ...extrasOf(r) };
    how = `it stutters forever in its last state`;
  } else {
    trace = { vars: system.varNames, states: v.trace.states, labels: v.trace.labels, ...extrasOf(r) };
    how = `its last state violates the property`;
  }
  const meta: ItfTraceMeta = {
    source,
    description: `Property ${v.property.name} is violated by this behaviour, found by spex: ${how}.`,
    spec: specName,
    check: r.name ?? null,
    verdict: 'violation',
    violation: v.property.property,
    property: v.property.name,
    constants: system.constValues,
  };
  return { trace, meta };
}

/**
 * The text of an ITF file: `#meta` and each state over lines, one entry a line, every value
 * on one line. Valid JSON, and the same text for equal traces.
 */
export function formatItf(itf: JsonObject): string {
  const entries = Object.keys(itf).map((k) => {
    const v = itf[k]!;
    const key = `  ${JSON.stringify(k)}: `;
    if (k === 'states' && Array.isArray(v) && v.length > 0) {
      return `${key}[\n${v.map((x) => '    ' + lines(x, '    ')).join(',\n')}\n  ]`;
    }
    return key + lines(v, '  ');
  });
  return `{\n${entries.join(',\n')}\n}\n`;
}

/** A non-empty object with one entry a line (closing at `indent`); anything else inline. */
function lines(v: Json, indent: string): string {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0) return inline(v);
  const body = Object.keys(v).map((k) => `${indent}  ${JSON.stringify(k)}: ${inline(v[k]!)}`);
  return `{\n${body.join(',\n')}\n${indent}}`;
}

function inline(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}: ${inline(v[k]!)}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}

// ---------------------------------------------------------------- decoding

/** The input is not an ITF trace of this spec; `path` says where (e.g. `states[2].lru`). */
export class ItfError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    // The path and message quote the input, which may be as large as the file.
    super(clipped(`${path}: ${message}`));
    this.name = 'ItfError';
  }
}

/** A decoded ITF trace: the states and steps as spex values, and what `#meta` says. */
export interface DecodedItf {
  readonly trace: ItfTrace;
  readonly meta: ItfTraceMeta;
}

function isObject(v: unknown): v is { [key: string]: unknown } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Decodes an ITF value as a value of type `t`; throws ItfError naming `path`. */
export function decodeValue(json: unknown, t: Type, path: string): Value {
  const bad = (what: string): never => {
    throw new ItfError(path, `expected ${what} (a ${formatType(t)}), found ${describeJson(json)}`);
  };
  switch (t.k) {
    case 'int': {
      let n: number;
      if (typeof json === 'number') n = json;
      else if (isObject(json) && typeof json['#bigint'] === 'string' && /^-?[0-9]+$/.test(json['#bigint'])) n = Number(json['#bigint']);
      else return bad('{"#bigint": "<digits>"}');
      if (typeof json === 'number' && !Number.isInteger(json)) return bad('an integer');
      if (!Number.isSafeInteger(n)) {
        // A JSON number past 2^53 has already lost its last digits when it was read: quote it as such.
        const what = typeof json === 'number' ? `the JSON number ${describeJson(json)} (as read: a number past 2^53 loses its last digits)` : `the integer ${describeJson(json)}`;
        throw new ItfError(path, `${what} is beyond ±2^53`);
      }
      return n === 0 ? 0 : n;
    }
    case 'bool':
      return typeof json === 'boolean' ? json : bad('true or false');
    case 'enum': {
      if (typeof json !== 'string') return bad('the name of an enum member');
      const i = t.info.members.indexOf(json);
      if (i < 0) throw new ItfError(path, `'${json}' is not a member of enum ${t.info.name} { ${nameList(t.info.members)} }`);
      return new Atom(t.info.name, json, i);
    }
    case 'set': {
      const items = isObject(json) && Array.isArray(json['#set']) ? json['#set'] : bad('{"#set": [...]}');
      return ISet<Value>(items.map((x, i) => decodeValue(x, t.elem, `${path}.#set[${i}]`)));
    }
    case 'seq': {
      const items = Array.isArray(json) ? json : bad('a JSON array');
      return IList<Value>(items.map((x, i) => decodeValue(x, t.elem, `${path}[${i}]`)));
    }
    case 'map': {
      const entries = isObject(json) && Array.isArray(json['#map']) ? json['#map'] : bad('{"#map": [[key, value], ...]}');
      return IMap<Value, Value>().withMutations((m) => {
        entries.forEach((e, i) => {
          const at = `${path}.#map[${i}]`;
          if (!Array.isArray(e) || e.length !== 2) throw new ItfError(at, `expected a [key, value] pair, found ${describeJson(e)}`);
          const k = decodeValue(e[0], t.key, `${at}[0]`);
          if (m.has(k)) throw new ItfError(at, `the key ${describeJson(e[0])} is given twice`);
          m.set(k, decodeValue(e[1], t.value, `${at}[1]`));
        });
      });
    }
    case 'tuple': {
      const items = isObject(json) && Array.isArray(json['#tup']) ? json['#tup'] : bad('{"#tup": [...]}');
      if (items.length !== t.items.length) bad(`a tuple of ${t.items.length} items`);
      return new Tuple(items.map((x, i) => decodeValue(x, t.items[i]!, `${path}.#tup[${i}]`)));
    }
    case 'record': {
      if (!isObject(json)) return bad('a JSON object with the record fields');
      const extra = Object.keys(json).filter((k) => !t.fields.includes(k));
      if (extra.length > 0) throw new ItfError(path, `the record type ${formatType(t)} has no field '${extra[0]}'`);
      return new Rec(
        t.fields,
        t.fields.map((f, i) => {
          if (!(f in json)) throw new ItfError(path, `the record lacks its field '${f}'`);
          return decodeValue(json[f], t.types[i]!, `${path}.${f}`);
        }),
      );
    }
    case 'variant': {
      if (!isObject(json) || typeof json.tag !== 'string') return bad('{"tag": ..., "value": ...}');
      const tag = json.tag;
      const i = t.info.cases.findIndex((c) => c.tag === tag);
      if (i < 0) throw new ItfError(path, `'${tag}' is not a case of ${formatType(t)} (${nameList(t.info.cases.map((c) => c.tag))})`);
      const payload = t.info.cases[i]!.payload;
      if (payload === undefined) return new Variant(tag, i);
      if (!('value' in json)) throw new ItfError(path, `the case ${tag} needs a value`);
      return new Variant(tag, i, decodeValue(json.value, payload, `${path}.value`));
    }
    case 'any':
      throw new ItfError(path, 'cannot decode a value whose type is unknown');
  }
}

function optString(o: { [key: string]: unknown }, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ItfError(`${path}.${key}`, `expected a string, found ${describeJson(v)}`);
  return v;
}

function optStringOrNull(o: { [key: string]: unknown }, key: string, path: string): string | null | undefined {
  return o[key] === null ? null : optString(o, key, path);
}

/**
 * Decodes `{name: value}` as the binding of an action of the spec, or, with `at`, as a step
 * of a process instance.
 */
function decodeLabel(spec: CheckedSpec, action: unknown, params: unknown, path: string, at?: unknown): Label {
  if (typeof action !== 'string') throw new ItfError(`${path}.action`, `expected an action name, found ${describeJson(action)}`);
  const proc = named(spec.processes, action);
  if (proc) return decodeProcessLabel(proc, params, path, at);
  const a = named(spec.actions, action);
  if (!a) {
    const names = nameList([...spec.actions, ...spec.processes].map((x) => x.name));
    throw new ItfError(`${path}.action`, `spec ${spec.name} has no action '${action}' (its actions: ${names})`);
  }
  const given = params === undefined ? {} : params;
  if (!isObject(given)) throw new ItfError(`${path}.params`, `expected an object of parameter values, found ${describeJson(given)}`);
  const extra = Object.keys(given).filter((k) => !a.params.some((p) => p.name === k));
  if (extra.length > 0) throw new ItfError(`${path}.params`, `action ${action} has no parameter '${extra[0]}'`);
  return {
    action,
    params: a.params.map((p) => {
      if (!(p.name in given)) throw new ItfError(`${path}.params`, `action ${action} needs a value for its parameter '${p.name}'`);
      return { name: p.name, value: decodeValue(given[p.name], p.type, `${path}.params.${p.name}`) };
    }),
  };
}

function decodeProcessLabel(proc: CheckedProcess, params: unknown, path: string, at: unknown): Label {
  const labels = stepLabels(proc);
  if (typeof at !== 'string' || !labels.includes(at)) {
    throw new ItfError(`${path}.at`, `expected a label of process ${proc.name} (${nameList(labels)}), found ${describeJson(at)}`);
  }
  const given = params === undefined ? {} : params;
  if (!isObject(given)) throw new ItfError(`${path}.params`, `expected an object of parameter values, found ${describeJson(given)}`);
  const p = proc.param;
  const extra = Object.keys(given).filter((k) => k !== p?.name);
  if (extra.length > 0) throw new ItfError(`${path}.params`, `process ${proc.name} has no parameter '${extra[0]}'`);
  if (!p) return { action: proc.name, params: [], at };
  if (!(p.name in given)) throw new ItfError(`${path}.params`, `process ${proc.name} needs a value for its parameter '${p.name}'`);
  return { action: proc.name, params: [{ name: p.name, value: decodeValue(given[p.name], p.type, `${path}.params.${p.name}`) }], at };
}

/**
 * Decodes an ITF trace (the parsed JSON) into spex states of `spec`, using each variable's
 * declared type; `extraVars` are the state's slots after the variables (the process
 * instances' pcs and variables, CompiledSpec.processSlots), which the trace must give too. Every variable of the spec must be in `vars` and in every state (extra ones
 * are an error too). The `#meta` fields spex writes are decoded when present.
 */
export function fromItf(json: unknown, spec: CheckedSpec, extraVars: readonly { readonly name: string; readonly type: Type }[] = []): DecodedItf {
  if (!isObject(json)) throw new ItfError('(trace)', `expected a JSON object, found ${describeJson(json)}`);
  const vars = json.vars;
  if (!Array.isArray(vars) || !vars.every((v) => typeof v === 'string')) {
    throw new ItfError('vars', `expected an array of variable names, found ${describeJson(vars)}`);
  }
  const slots = [...spec.vars.map((v) => ({ name: v.name, type: v.type })), ...extraVars];
  const names = slots.map((v) => v.name);
  const missing = names.filter((n) => !vars.includes(n));
  if (missing.length > 0) throw new ItfError('vars', `the trace lacks variable '${missing[0]}' of spec ${spec.name}`);
  const extraVar = (vars as string[]).find((n) => !names.includes(n));
  if (extraVar !== undefined) throw new ItfError('vars', `spec ${spec.name} has no variable '${extraVar}'`);

  const rawStates = json.states;
  if (!Array.isArray(rawStates)) throw new ItfError('states', `expected an array of states, found ${describeJson(rawStates)}`);
  const states: State[] = [];
  const labels: (Label | undefined)[] = [];
  rawStates.forEach((raw, i) => {
    const path = `states[${i}]`;
    if (!isObject(raw)) throw new ItfError(path, `expected a state object, found ${describeJson(raw)}`);
    const extra = Object.keys(raw).find((k) => k !== '#meta' && !names.includes(k));
    if (extra !== undefined) throw new ItfError(path, `spec ${spec.name} has no variable '${extra}'`);
    states.push(
      slots.map((v) => {
        if (!(v.name in raw)) throw new ItfError(path, `the state lacks variable '${v.name}'`);
        return decodeValue(raw[v.name], v.type, `${path}.${v.name}`);
      }),
    );
    const sm = raw['#meta'];
    if (sm !== undefined && !isObject(sm)) throw new ItfError(`${path}.#meta`, `expected an object, found ${describeJson(sm)}`);
    const action = sm?.action;
    if (i === 0) {
      if (action !== undefined && action !== 'init') {
        throw new ItfError(`${path}.#meta.action`, `the first state is the initial state, so its action is 'init', not ${describeJson(action)}`);
      }
      return;
    }
    labels.push(action === undefined ? undefined : decodeLabel(spec, action, sm!.params, `${path}.#meta`, sm!.at));
  });

  let loop: number | undefined;
  if (json.loop !== undefined) {
    const l = json.loop;
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l >= states.length) {
      throw new ItfError('loop', `expected the index of a state (0 to ${states.length - 1}), found ${describeJson(l)}`);
    }
    loop = l;
  }
  const trace: ItfTrace = loop === undefined ? { vars: names, states, labels } : { vars: names, states, labels, loop };
  return { trace, meta: decodeMeta(json['#meta'], spec) };
}

function decodeMeta(raw: unknown, spec: CheckedSpec): ItfTraceMeta {
  if (raw === undefined) return {};
  if (!isObject(raw)) throw new ItfError('#meta', `expected an object, found ${describeJson(raw)}`);
  const meta: { -readonly [K in keyof ItfTraceMeta]: ItfTraceMeta[K] } = {};
  const source = optString(raw, 'source', '#meta');
  if (source !== undefined) meta.source = source;
  const description = optString(raw, 'description', '#meta');
  if (description !== undefined) meta.description = description;
  const specName = optString(raw, 'spec', '#meta');
  if (specName !== undefined) meta.spec = specName;
  const check = optStringOrNull(raw, 'check', '#meta');
  if (check !== undefined) meta.check = check;
  const verdict = optString(raw, 'verdict', '#meta');
  if (verdict !== undefined) meta.verdict = verdict;
  const violation = optStringOrNull(raw, 'violation', '#meta');
  if (violation !== undefined) meta.violation = violation;
  const property = optString(raw, 'property', '#meta');
  if (property !== undefined) meta.property = property;
  const consts = raw.constants;
  if (consts !== undefined) {
    if (!isObject(consts)) throw new ItfError('#meta.constants', `expected an object, found ${describeJson(consts)}`);
    meta.constants = Object.keys(consts).map((name) => {
      const c = spec.consts.find((x) => x.name === name);
      if (!c) throw new ItfError('#meta.constants', `spec ${spec.name} has no constant '${name}'`);
      return { name, value: decodeValue(consts[name], c.type, `#meta.constants.${name}`) };
    });
  }
  const e = raw.error;
  if (e !== undefined) {
    if (!isObject(e)) throw new ItfError('#meta.error', `expected an object, found ${describeJson(e)}`);
    const kind = e.kind;
    if (kind !== 'assert' && kind !== 'runtime') throw new ItfError('#meta.error.kind', `expected "assert" or "runtime", found ${describeJson(kind)}`);
    const code = optString(e, 'code', '#meta.error') ?? kind;
    const message = optString(e, 'message', '#meta.error') ?? '';
    const location = optString(e, 'location', '#meta.error');
    let label: Label | undefined;
    if (e.action === 'init') label = INIT;
    else if (e.action !== undefined) label = decodeLabel(spec, e.action, e.params, '#meta.error', e.at);
    meta.error = { kind, code, message, ...(location !== undefined ? { location } : {}), ...(label ? { label } : {}) };
  }
  return meta;
}
