/**
 * An interactive exploration of one configuration of a spec (`spex explore`): the states met
 * so far, the path being looked at and a position in it, every step from the current state
 * (the failing ones too), a breadth-first search for the nearest state that satisfies an
 * expression, and ITF traces opened as paths. It runs on the generic engine's transition
 * system (compileSpec), whatever the engine a check would pick: one state at a time, speed is
 * not the point, and that system alone can list failing steps and type extra expressions.
 *
 * Pure of HTTP: model() is the JSON that server.ts serves, and every text in it is plain text
 * except the `...Html` fields, which are built here from escaped parts (export/html.ts).
 */
import type * as A from '../lang/ast.js';
import type { CheckedCheck, CheckedSpec } from '../lang/check.js';
import { compileSpec, type CompiledSpec, type Label, type State } from '../lang/compile.js';
import { SpecErrors, renderDiagnostic } from '../lang/diagnostics.js';
import { formatLabel } from '../lang/label.js';
import { parseExpr } from '../lang/parser.js';
import { procedureLabel } from '../lang/process.js';
import { ModelError } from '../explore/system.js';
import { configOverrides, constOverrides, loadSpec, selectChecks, withRefinements } from '../engine/run.js';
import { replayTrace, statesEqual } from '../engine/replay.js';
import { formatReplay } from '../cli/replay.js';
import { formatModelError } from '../cli/report.js';
import { fromItf, ItfError } from '../export/itf.js';
import { changesOf, escapeHtml, stateHtml, viewModels } from '../export/html.js';
import { markChanges, viewSvg } from '../export/view.js';
import { diffValues, formatValue, valueEquals, type Value } from '../values/index.js';
import { groupDigits } from '../values/format.js';

/** The most distinct states a search visits before it gives up. */
export const SEARCH_LIMIT = 100_000;
/**
 * The longest a search runs, in seconds. The server answers one request at a time, so a
 * search whose expression is costly in every state (an `exists` over a million values) would
 * hold the page, and every other request, for as long as it took: an hour at 100,000 states.
 */
export const SEARCH_SECONDS = 10;
/** The most steps (or initial states) the model lists for one state; the rest are counted. */
export const LIST_LIMIT = 500;
/** The most initial states a session keeps (a spec may start from every graph of a kind). */
export const INITIAL_LIMIT = 10_000;

export interface SessionOptions {
  /** The check block whose constants, constraints and refinements to use. */
  readonly check?: string;
  /** `NAME=VALUE` overrides, as on the command line. */
  readonly consts?: readonly string[];
  /** The most distinct states a search visits (default SEARCH_LIMIT). */
  readonly searchLimit?: number;
  /** The longest a search runs, in seconds (default SEARCH_SECONDS). */
  readonly searchSeconds?: number;
}

/** One step from a state: where it leads, or the error it fails with. */
interface StepEntry {
  readonly label: Label;
  /** The state it leads to (a state number); undefined when the step fails. */
  readonly target?: number;
  readonly error?: ModelError;
}

/** One state of the path, and the step into it (undefined for the initial state). */
interface PathEntry {
  readonly id: number;
  readonly label: Label | undefined;
}

export interface ItemStatus {
  readonly name: string;
  /** null: it could not be evaluated (see error). */
  readonly holds: boolean | null;
  readonly error?: string;
}

export interface StepView {
  readonly index: number;
  /** As reports write it: `Offline(m=C) at lock`. */
  readonly label: string;
  readonly action: string;
  readonly at?: string;
  readonly params: readonly { readonly name: string; readonly value: string }[];
  /** The state it leads to; absent when it fails. */
  readonly target?: number;
  /** The failure: `assert` or `runtime`, and the rendered diagnostic. */
  readonly fault?: { readonly kind: 'assert' | 'runtime'; readonly message: string; readonly diagnostic: string };
  /** What is notable about where it leads: a violated invariant, a constraint, no change... */
  readonly notes: readonly { readonly kind: 'bad' | 'info'; readonly text: string }[];
  /** How many changes it makes. */
  readonly changes: number;
}

export interface PropertyView {
  readonly name: string;
  readonly kind: string;
  /** Its state predicates, each with its source text and its value in the current state. */
  readonly predicates: readonly { readonly source: string; readonly holds: boolean | null; readonly error?: string }[];
}

export interface CurrentView {
  readonly id: number;
  readonly pos: number;
  readonly label: string;
  readonly changes: readonly { readonly path: string; readonly before: string; readonly after: string }[];
  /** The state as nested tables, changes marked (export/html.ts); escaped. */
  readonly stateHtml: string;
  /** The spec's views drawn (export/view.ts); escaped. */
  readonly viewsHtml: string;
  readonly invariants: readonly ItemStatus[];
  /** The step properties and refinements, judged on the step into this state. */
  readonly stepChecks: readonly ItemStatus[];
  readonly constraints: readonly ItemStatus[];
  readonly properties: readonly PropertyView[];
  readonly steps: readonly StepView[];
  /** Steps beyond LIST_LIMIT, not listed. */
  readonly moreSteps: number;
  /** `deadlock`: no step at all; `done`: no step, but every process has ended (a valid end). */
  readonly status: 'ok' | 'deadlock' | 'done';
}

export interface InitialView {
  readonly index: number;
  readonly id?: number;
  /** `name = value` for each variable in which the initial states differ. */
  readonly summary: readonly string[];
  readonly violates: readonly string[];
  readonly fault?: string;
}

export interface CoverageItem {
  /** An action's name, or `Process at label`. */
  readonly name: string;
  readonly kind: 'action' | 'label';
  /** How many steps of it this exploration has taken. */
  readonly taken: number;
}

export interface ExploreModel {
  readonly spec: {
    readonly name: string;
    readonly file: string;
    readonly check: string | null;
    readonly constants: readonly { readonly name: string; readonly value: string }[];
    readonly vars: readonly string[];
  };
  /** The path: the label of the step into each state ('init' for the first). */
  readonly path: readonly { readonly id: number; readonly label: string }[];
  /** The position in the path; -1: choosing an initial state. */
  readonly pos: number;
  readonly initialCount: number;
  /** Set when the spec has more initial states than INITIAL_LIMIT: only the first are kept. */
  readonly initialCut?: true;
  /** Listed when pos is -1. */
  readonly initial?: readonly InitialView[];
  readonly current?: CurrentView;
  readonly coverage: readonly CoverageItem[];
  readonly message?: { readonly kind: 'info' | 'error'; readonly text: string };
  readonly searchLimit: number;
}

/** What a request the session refuses gets: a status for HTTP and a message. */
export class SessionError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

function labelKey(l: Label): string {
  return l.at === undefined ? l.action : `${l.action} at ${l.at}`;
}

function sameLabel(a: Label, b: Label): boolean {
  if (a.action !== b.action || a.params.length !== b.params.length) return false;
  if (a.at !== undefined && b.at !== undefined && a.at !== b.at) return false;
  return a.params.every((p, i) => p.name === b.params[i]!.name && valueEquals(p.value, b.params[i]!.value));
}

function faultText(e: ModelError): string {
  return formatModelError(e);
}

function sourceOf(span: A.Span): string {
  return span.source.text.slice(span.start, span.end).replace(/\s+/g, ' ');
}

export class ExploreSession {
  readonly spec: CheckedSpec;
  readonly system: CompiledSpec;
  readonly check: CheckedCheck | undefined;
  readonly file: string;
  readonly searchLimit: number;
  private readonly searchSeconds: number;
  /** Every state met, by number; `ids` finds a state's number by fingerprint. */
  private readonly states: State[] = [];
  private readonly ids = new Map<string, number>();
  private readonly stepCache = new Map<number, StepEntry[]>();
  private readonly initial: StepEntry[] = [];
  private initialFault: ModelError | undefined;
  /** Whether there are more initial states than INITIAL_LIMIT (only that many are kept). */
  private initialCut = false;
  private path: PathEntry[] = [];
  private pos = -1;
  private readonly taken = new Map<string, number>();
  private message: { kind: 'info' | 'error'; text: string } | undefined;
  private readonly fp = new Uint32Array(2);

  /**
   * Loads, checks and compiles the spec (throws SpecErrors, or a ModelError when the
   * constants cannot be evaluated), and starts at its initial state when it has exactly one.
   */
  constructor(file: string, opts: SessionOptions = {}) {
    this.file = file;
    this.spec = loadSpec(file).spec;
    this.check = opts.check === undefined ? undefined : selectChecks(this.spec, opts.check)[0];
    const cli = constOverrides(this.spec, opts.consts ?? []);
    this.system = withRefinements(this.spec, this.check, compileSpec(this.spec, configOverrides(this.check, cli), this.check));
    this.searchLimit = opts.searchLimit ?? SEARCH_LIMIT;
    this.searchSeconds = opts.searchSeconds ?? SEARCH_SECONDS;
    const enough = new Error('enough initial states');
    try {
      this.system.initialStates((s) => {
        if (this.initial.length === INITIAL_LIMIT) {
          this.initialCut = true;
          throw enough;
        }
        this.initial.push({ label: { action: 'init', params: [] }, target: this.intern(s) });
      });
    } catch (e) {
      if (e !== enough) {
        if (!(e instanceof ModelError)) throw e;
        this.initialFault = e;
      }
    }
    if (this.initial.length === 1 && this.initialFault === undefined) this.startAt(0);
  }

  /** The state's number, adding it when it is new. */
  private intern(s: State): number {
    const state = this.system.copyState ? this.system.copyState(s) : s;
    const key = this.key(state);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.states.length;
      this.states.push(state);
      this.ids.set(key, id);
    }
    return id;
  }

  private key(s: State): string {
    this.system.fingerprint(s, this.fp);
    return `${this.fp[0]}:${this.fp[1]}`;
  }

  /** Every step from state `id`, failing ones included, in the order successors emits them. */
  private stepsOf(id: number): StepEntry[] {
    let steps = this.stepCache.get(id);
    if (steps) return steps;
    const list: StepEntry[] = [];
    this.system.stepsOf(
      this.states[id]!,
      (next, label) => list.push({ label, target: this.intern(next) }),
      (error) => list.push({ label: (error.label as Label | undefined) ?? { action: '?', params: [] }, error }),
    );
    steps = list;
    this.stepCache.set(id, steps);
    return steps;
  }

  private record(label: Label): void {
    const k = labelKey(label);
    this.taken.set(k, (this.taken.get(k) ?? 0) + 1);
  }

  private startAt(index: number): void {
    const entry = this.initial[index]!;
    this.path = [{ id: entry.target!, label: undefined }];
    this.pos = 0;
  }

  // ------------------------------------------------------------------ requests

  /** Starts again from initial state `index` (the path is replaced). */
  chooseInitial(index: unknown): void {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.initial.length) {
      throw new SessionError(400, `there is no initial state ${String(index)}`);
    }
    this.startAt(index);
    this.message = undefined;
  }

  /** Goes back to choosing an initial state; the path stays, to come back to. */
  chooseAgain(): void {
    this.pos = -1;
    this.message = undefined;
  }

  /**
   * Takes step `index` of the current state, which must be state `from` (a page showing an
   * older state is refused rather than stepping elsewhere). The path after the current
   * position is replaced by the step.
   */
  takeStep(from: unknown, index: unknown): void {
    const cur = this.path[this.pos];
    if (cur === undefined || from !== cur.id) throw new SessionError(409, 'the page is out of date: reload it');
    const steps = this.stepsOf(cur.id);
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= steps.length) {
      throw new SessionError(400, `there is no step ${String(index)} from this state`);
    }
    const step = steps[index]!;
    if (step.target === undefined) throw new SessionError(400, `the step ${formatLabel(step.label)} fails: there is no state after it`);
    this.path = [...this.path.slice(0, this.pos + 1), { id: step.target, label: step.label }];
    this.pos++;
    this.record(step.label);
    this.message = undefined;
  }

  /** Moves to position `pos` of the path (back, forward, or a click on the path). */
  goTo(pos: unknown): void {
    if (typeof pos !== 'number' || !Number.isInteger(pos) || pos < 0 || pos >= this.path.length) {
      throw new SessionError(400, `there is no position ${String(pos)} in the path`);
    }
    this.pos = pos;
    this.message = undefined;
  }

  /**
   * Breadth-first from the current state (from the initial states when choosing one) for the
   * nearest state where `text`, a Bool expression over the state, holds; at most
   * `searchLimit` distinct states and `searchSeconds` seconds. The path to it replaces the path after the current
   * position. A bad expression is reported with its coded diagnostics.
   */
  search(text: unknown): void {
    if (typeof text !== 'string' || text.trim() === '') throw new SessionError(400, 'the search needs an expression');
    if (text.length > 10_000) throw new SessionError(400, 'the expression is too long');
    let holds: (s: State) => Value;
    try {
      const e = parseExpr({ path: 'search', text });
      const frame = this.spec.checkStatePredicate(e, 'the search expression');
      holds = this.system.compileExpr(e, frame);
    } catch (err) {
      if (!(err instanceof SpecErrors)) throw err;
      this.message = { kind: 'error', text: err.diagnostics.map((d) => renderDiagnostic(d)).join('\n\n') };
      return;
    }
    const roots = this.pos < 0 ? this.initial.filter((s) => s.target !== undefined).map((s) => s.target!) : [this.path[this.pos]!.id];
    // Per visited state (by number): the state it was reached from and the step.
    const parent = new Map<number, { from: number; label: Label } | null>();
    const queue: number[] = [];
    for (const r of roots) {
      if (!parent.has(r)) {
        parent.set(r, null);
        queue.push(r);
      }
    }
    const rootCount = queue.length;
    let found: number | undefined;
    let limited = false;
    let timedOut = false;
    const deadline = performance.now() + this.searchSeconds * 1000;
    for (let head = 0; head < queue.length; head++) {
      // At or past the bound: a bound of 0 s (tests) stops before the first state, whatever the clock's grain.
      if (performance.now() >= deadline) {
        timedOut = true;
        break;
      }
      const id = queue[head]!;
      let ok: boolean;
      try {
        ok = holds(this.states[id]!) === true;
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
        const where = this.pathTo(id, parent);
        this.message = { kind: 'error', text: `evaluating the search fails in a state ${where.length} step${where.length === 1 ? '' : 's'} away:\n${faultText(err)}` };
        return;
      }
      if (ok) {
        found = id;
        break;
      }
      // As in a check, a state outside the constraints is judged but not gone on from (the
      // state the search starts from excepted).
      if (head >= rootCount && !this.inModel(id, parent.get(id)!)) continue;
      for (const step of this.stepsOf(id)) {
        if (step.target === undefined || parent.has(step.target)) continue;
        if (parent.size >= this.searchLimit) {
          limited = true;
          break;
        }
        parent.set(step.target, { from: id, label: step.label });
        queue.push(step.target);
      }
      if (limited) break;
    }
    const visited = parent.size;
    if (found === undefined) {
      this.message = {
        kind: 'error',
        text: timedOut
          ? `no state satisfies it among the nearest ones searched in ${this.searchSeconds} s (the search stops there: ${groupDigits(visited)} states met)`
          : limited
            ? `no state satisfies it among the ${groupDigits(visited)} nearest (the search stops at ${groupDigits(this.searchLimit)} states)`
            : `no state reachable from here satisfies it (all ${groupDigits(visited)} searched)`,
      };
      return;
    }
    const steps = this.pathTo(found, parent);
    let root = found;
    for (let p = parent.get(root); p; p = parent.get(root)) root = p.from;
    if (this.pos < 0) {
      this.path = [{ id: root, label: undefined }];
      this.pos = 0;
    } else {
      this.path = this.path.slice(0, this.pos + 1);
    }
    for (const s of steps) {
      this.path.push({ id: s.to, label: s.label });
      this.record(s.label);
    }
    this.pos = this.path.length - 1;
    this.message = {
      kind: 'info',
      text: steps.length === 0 ? 'this state satisfies it' : `found ${steps.length} step${steps.length === 1 ? '' : 's'} away (${groupDigits(visited)} states visited)`,
    };
  }

  private pathTo(id: number, parent: Map<number, { from: number; label: Label } | null>): { to: number; label: Label }[] {
    const out: { to: number; label: Label }[] = [];
    for (let at = id, p = parent.get(at); p; at = p.from, p = parent.get(at)) out.push({ to: at, label: p.label });
    return out.reverse();
  }

  private inModel(id: number, via: { from: number; label: Label } | null): boolean {
    if (!this.system.inModel) return true;
    try {
      return this.system.inModel(this.states[id]!, via ? this.states[via.from] : undefined, via?.label);
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      return false;
    }
  }

  /**
   * Opens an ITF trace (as `spex check --out-itf` writes it) as the path: each state is
   * matched to an initial state or to a step of the one before (by its recorded action when
   * it has one). A trace that stops replaying opens up to there, and the message says why.
   */
  openTrace(json: unknown, name: string): void {
    let decoded;
    try {
      decoded = fromItf(json, this.spec, this.system.processSlots);
    } catch (err) {
      if (!(err instanceof ItfError)) throw err;
      this.message = { kind: 'error', text: `${name} is not an ITF trace of spec ${this.spec.name}: ${err.message}` };
      return;
    }
    const { trace, meta } = decoded;
    const notes: string[] = [];
    const differ = (meta.constants ?? []).filter((c) => {
      const now = this.system.constValues.find((x) => x.name === c.name);
      return now !== undefined && !valueEquals(now.value, c.value);
    });
    if (differ.length > 0) notes.push(`note: the trace was recorded with ${differ.map((c) => `${c.name}=${formatValue(c.value)}`).join(', ')}; this exploration uses other values`);
    const start = this.initial.findIndex((s) => s.target !== undefined && trace.states[0] !== undefined && statesEqual(this.states[s.target]!, trace.states[0]));
    if (start < 0) {
      this.message = { kind: 'error', text: [...notes, ...this.whyNot(trace, meta)].join('\n') };
      return;
    }
    const path: PathEntry[] = [{ id: this.initial[start]!.target!, label: undefined }];
    let stopped: string[] | undefined;
    for (let i = 1; i < trace.states.length; i++) {
      const want = trace.states[i]!;
      const wantLabel = trace.labels[i - 1];
      const steps = this.stepsOf(path[path.length - 1]!.id);
      const step =
        steps.find((s) => s.target !== undefined && (wantLabel === undefined || sameLabel(s.label, wantLabel)) && statesEqual(this.states[s.target]!, want)) ??
        (wantLabel === undefined ? undefined : steps.find((s) => s.target !== undefined && statesEqual(this.states[s.target]!, want)));
      if (!step) {
        stopped = this.whyNot(trace, meta);
        break;
      }
      path.push({ id: step.target!, label: step.label });
    }
    this.path = path;
    this.pos = path.length - 1;
    for (const p of path) if (p.label) this.record(p.label);
    const n = path.length - 1;
    const lines = [`opened ${name}: ${n} step${n === 1 ? '' : 's'}${stopped ? ` of ${trace.states.length - 1}` : ''}`, ...notes];
    if (stopped) lines.push(...stopped);
    else {
      if (meta.verdict === 'violation' && typeof meta.violation === 'string') lines.push(`the trace records: violation ${meta.violation}`);
      else if (meta.verdict) lines.push(`the trace records: ${meta.verdict}`);
      if (meta.error?.label) lines.push(`the trace records that the step ${formatLabel(meta.error.label)} fails from its last state: ${meta.error.message}`);
      if (trace.loop !== undefined) lines.push(`the trace is a lasso: its last state loops back to state ${trace.loop}`);
    }
    this.message = { kind: stopped ? 'error' : 'info', text: lines.join('\n') };
  }

  /** Why a trace does not replay, as `spex replay` says it. */
  private whyNot(trace: Parameters<typeof replayTrace>[1], meta: Parameters<typeof replayTrace>[2]): string[] {
    const r = replayTrace(this.system, trace, meta);
    return r.ok ? ['the trace does not replay here'] : formatReplay(r, this.system);
  }

  // ------------------------------------------------------------------ the model

  model(): ExploreModel {
    const cur = this.path[this.pos];
    const model: ExploreModel = {
      spec: {
        name: this.spec.name,
        file: this.file,
        check: this.check?.name ?? null,
        constants: this.system.constValues.map((c) => ({ name: c.name, value: formatValue(c.value) })),
        vars: this.system.varNames,
      },
      path: this.path.map((p) => ({ id: p.id, label: p.label ? formatLabel(p.label) : 'init' })),
      pos: this.pos,
      initialCount: this.initial.length,
      ...(this.initialCut ? { initialCut: true as const } : {}),
      ...(this.pos < 0 ? { initial: this.initialViews() } : {}),
      ...(cur ? { current: this.currentView(cur) } : {}),
      coverage: this.coverage(),
      ...(this.message ? { message: this.message } : {}),
      searchLimit: this.searchLimit,
    };
    return model;
  }

  private initialViews(): InitialView[] {
    const out: InitialView[] = [];
    const shown = this.initial.slice(0, LIST_LIMIT).map((s) => this.states[s.target!]!);
    // The variables in which the initial states differ: what tells them apart.
    const names = this.system.varNames;
    const varying = names.map((_, j) => j).filter((j) => shown.some((s) => !valueEquals(s[j]!, shown[0]![j]!)));
    shown.forEach((state, index) => {
      const summary = varying.map((j) => `${names[j]} = ${formatValue(state[j]!)}`);
      out.push({ index, id: this.initial[index]!.target!, summary, violates: this.invariantStatus(state).filter((i) => i.holds !== true).map((i) => i.name) });
    });
    if (this.initialFault) out.push({ index: -1, summary: [], violates: [], fault: faultText(this.initialFault) });
    return out;
  }

  private invariantStatus(s: State): ItemStatus[] {
    return this.system.invariants.map((inv) => {
      try {
        return { name: inv.name, holds: inv.holds(s) };
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
        return { name: inv.name, holds: null, error: err.message };
      }
    });
  }

  private currentView(cur: PathEntry): CurrentView {
    const state = this.states[cur.id]!;
    const prevEntry = this.pos > 0 ? this.path[this.pos - 1] : undefined;
    const prev = prevEntry ? this.states[prevEntry.id] : undefined;
    const vars = this.system.varNames;
    const ch = changesOf(vars, prev, state);
    const views = viewModels(this.system.views, state);
    if (prev) {
      const before = viewModels(this.system.views, prev);
      views.forEach((v, k) => markChanges(v, before[k]));
    }
    const viewsHtml = views.length === 0 ? '' : `<div class="views">${views.map((v) => `<figure><figcaption>${escapeHtml(v.name)}</figcaption>${viewSvg(v)}</figure>`).join('')}</div>`;
    const changes = prev ? vars.flatMap((n, j) => diffValues(n, prev[j]!, state[j]!)) : [];
    const show = (v: Value | undefined): string => (v === undefined ? '(absent)' : formatValue(v));

    const stepChecks: ItemStatus[] = [];
    if (prev && cur.label && this.system.checkStep && !this.sameState(prev, state)) {
      for (const p of this.system.stepProperties) stepChecks.push(this.judge(p.name, () => p.holds(prev, state)));
      const others = this.judge('', () => {
        const v = this.system.checkStep!(prev, state, cur.label!);
        return v === undefined || this.system.stepProperties.some((p) => p.name === v.name);
      });
      // Refinements: named only when one refuses the step.
      if (others.holds !== true) {
        const v = others.error === undefined ? this.system.checkStep(prev, state, cur.label) : undefined;
        stepChecks.push({ ...others, name: v?.name ?? 'refinement' });
      }
    }
    const constraints = this.system.constraints.map((c) => this.judge(c.name, () => (c.action && !prev ? true : c.holds(prev, state))));

    const entries = this.stepsOf(cur.id);
    const steps = entries.slice(0, LIST_LIMIT).map((e, index) => this.stepView(cur.id, e, index));
    const moving = entries.length;
    const status = moving > 0 ? 'ok' : this.system.isDone?.(state) ? 'done' : 'deadlock';
    return {
      id: cur.id,
      pos: this.pos,
      label: cur.label ? formatLabel(cur.label) : 'init',
      changes: changes.map((c) => ({ path: c.path, before: show(c.before), after: show(c.after) })),
      stateHtml: stateHtml(vars, state, ch),
      viewsHtml,
      invariants: this.invariantStatus(state),
      stepChecks,
      constraints,
      properties: this.propertyViews(state),
      steps,
      moreSteps: Math.max(0, entries.length - LIST_LIMIT),
      status,
    };
  }

  private sameState(a: State, b: State): boolean {
    return this.key(a) === this.key(b);
  }

  private judge(name: string, f: () => boolean): ItemStatus {
    try {
      return { name, holds: f() };
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      return { name, holds: null, error: err.message };
    }
  }

  private stepView(from: number, e: StepEntry, index: number): StepView {
    const l = e.label;
    const base = {
      index,
      label: formatLabel(l),
      action: l.action,
      ...(l.at !== undefined ? { at: l.at } : {}),
      params: l.params.map((p) => ({ name: p.name, value: formatValue(p.value) })),
    };
    if (e.target === undefined) {
      const err = e.error!;
      return { ...base, fault: { kind: err.kind, message: err.message, diagnostic: faultText(err) }, notes: [], changes: 0 };
    }
    const a = this.states[from]!;
    const b = this.states[e.target]!;
    const notes: { kind: 'bad' | 'info'; text: string }[] = [];
    const changes = this.system.varNames.reduce((n, name, j) => n + diffValues(name, a[j]!, b[j]!).length, 0);
    if (changes === 0) notes.push({ kind: 'info', text: 'no change' });
    for (const inv of this.invariantStatus(b)) {
      if (inv.holds === false) notes.push({ kind: 'bad', text: `violates ${inv.name}` });
      else if (inv.holds === null) notes.push({ kind: 'bad', text: `${inv.name} fails to evaluate: ${inv.error ?? ''}` });
    }
    if (changes > 0 && this.system.checkStep) {
      const v = this.judge('', () => this.system.checkStep!(a, b, l) === undefined);
      if (v.holds === false) notes.push({ kind: 'bad', text: `violates ${this.system.checkStep(a, b, l)!.name}` });
      else if (v.holds === null) notes.push({ kind: 'bad', text: `its step check fails to evaluate: ${v.error ?? ''}` });
    }
    if (this.system.inModel) {
      const outside = this.system.constraints.find((c) => {
        try {
          return !c.holds(a, b);
        } catch (err) {
          if (!(err instanceof ModelError)) throw err;
          return true;
        }
      });
      if (outside) notes.push({ kind: 'info', text: `outside constraint ${outside.name}` });
    }
    const onPath = this.path.slice(0, this.pos + 1).findIndex((p) => p.id === e.target);
    if (onPath >= 0 && changes > 0) notes.push({ kind: 'info', text: `back to state ${onPath} of the path` });
    return { ...base, target: e.target, notes, changes };
  }

  private propertyViews(s: State): PropertyView[] {
    const pred = (source: string, f: (s: State) => boolean): PropertyView['predicates'][number] => {
      try {
        return { source, holds: f(s) };
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
        return { source, holds: null, error: err.message };
      }
    };
    return this.system.properties.map((p) => {
      const predicates =
        p.kind === 'general'
          ? (p.atoms ?? []).map((a, i) => pred(sourceOf(p.atomSpans![i]!), a))
          : [pred(sourceOf(p.pSpan), p.p), ...(p.q && p.qSpan ? [pred(sourceOf(p.qSpan), p.q)] : [])];
      return { name: p.name, kind: p.kind, predicates };
    });
  }

  private coverage(): CoverageItem[] {
    const out: CoverageItem[] = [];
    for (const a of this.spec.actions) out.push({ name: a.name, kind: 'action', taken: this.taken.get(a.name) ?? 0 });
    for (const p of this.spec.processes) {
      const labels = [...p.labels, ...p.procedures.flatMap((q) => q.labels.map((l) => procedureLabel(q, l)))];
      for (const l of labels) {
        const name = `${p.name} at ${l}`;
        out.push({ name, kind: 'label', taken: this.taken.get(name) ?? 0 });
      }
    }
    // Steps of no declared action (PlusCal's Terminating stutter), once taken.
    const known = new Set(out.map((c) => c.name));
    for (const [name, n] of this.taken) if (!known.has(name)) out.push({ name, kind: 'action', taken: n });
    return out;
  }
}
