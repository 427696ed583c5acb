/**
 * Coverage of a spec's steps (docs/coverage.md): which actions and process labels were ever
 * enabled, and, with `--coverage`, per step and parameter binding how often it was evaluated,
 * enabled and taken and how many new states it found, per `require`/`await` how often it
 * blocked, per `pick` how often its set was empty.
 *
 * The counters live in one StepCounters object per compiled system (the generic engine's and
 * the packed engine's each have their own), created at compile time. The system counts what it
 * sees while computing successors; the driver of the search (the BFS explorer, a random walk)
 * says which emitted state was new, through the StepCoverage interface of
 * src/explore/system.ts. Counting beyond the `reached` flags is compiled in only when asked.
 */
import type * as A from './ast.js';
import type { CheckedSpec } from './check.js';
import type { StepCoverage } from '../explore/system.js';
import { compareValues, formatValue, type Value } from '../values/index.js';

/** A step of the spec: an action, or a label of a process or procedure (its step starts there). */
export interface StepSite {
  readonly kind: 'action' | 'label';
  /** The action's name; for a label, the process's or procedure's. */
  readonly owner: string;
  readonly ownerKind: 'action' | 'process' | 'procedure';
  /** The label (undefined for an action). */
  readonly label?: string;
  /** Where it is declared (the action's name, the label). */
  readonly span: A.Span;
}

/** A `require`, `await` or `pick` statement. */
export interface GuardSite {
  readonly kind: 'require' | 'await' | 'pick';
  readonly span: A.Span;
  /** Where it is: `action Grow`, `process Worker`, `procedure reparent`, `init`. */
  readonly where: string;
}

export interface CoverageSites {
  readonly steps: readonly StepSite[];
  /** Step site index of each action, in spec.actions order. */
  readonly actionSite: readonly number[];
  /** Step site index of each label: by process or procedure name, then by label. */
  readonly labelSite: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly guards: readonly GuardSite[];
  /** Guard site index of each require/await/pick statement. */
  readonly guardOf: ReadonlyMap<A.Stmt, number>;
}

/** Every statement of a list, nested ones included, in the order written. */
export function walkStmts(stmts: readonly A.Stmt[], visit: (st: A.Stmt) => void): void {
  for (const st of stmts) {
    visit(st);
    switch (st.kind) {
      case 'if':
        walkStmts(st.then, visit);
        if (st.else) walkStmts(st.else, visit);
        break;
      case 'for':
      case 'while':
        walkStmts(st.body, visit);
        break;
      case 'match':
        for (const a of st.arms) walkStmts(a.body, visit);
        break;
      case 'either':
        for (const b of st.branches) walkStmts(b, visit);
        break;
      default:
        break;
    }
  }
}

const sitesCache = new WeakMap<CheckedSpec, CoverageSites>();

/** The coverage sites of a spec, in declaration order. */
export function coverageSites(spec: CheckedSpec): CoverageSites {
  const cached = sitesCache.get(spec);
  if (cached) return cached;
  const steps: StepSite[] = [];
  const guards: GuardSite[] = [];
  const guardOf = new Map<A.Stmt, number>();
  const labelSite = new Map<string, Map<string, number>>();
  const guardsIn = (stmts: readonly A.Stmt[], where: string): void =>
    walkStmts(stmts, (st) => {
      if (st.kind === 'require' || st.kind === 'await' || st.kind === 'pick') {
        guardOf.set(st, guards.length);
        guards.push({ kind: st.kind, span: st.span, where });
      }
    });
  const labelsIn = (owner: string, ownerKind: 'process' | 'procedure', stmts: readonly A.Stmt[]): void => {
    const m = new Map<string, number>();
    labelSite.set(owner, m);
    walkStmts(stmts, (st) => {
      if (st.kind === 'label' && !m.has(st.name.text)) {
        m.set(st.name.text, steps.length);
        steps.push({ kind: 'label', owner, ownerKind, label: st.name.text, span: st.name.span });
      }
    });
  };
  guardsIn(spec.init.stmts, 'init');
  const actionSite = spec.actions.map((a) => {
    guardsIn(a.decl.body, `action ${a.name}`);
    steps.push({ kind: 'action', owner: a.name, ownerKind: 'action', span: a.decl.name.span });
    return steps.length - 1;
  });
  for (const p of spec.processes) {
    labelsIn(p.name, 'process', p.decl.body);
    guardsIn(p.decl.body, `process ${p.name}`);
  }
  for (const q of spec.procedures) {
    labelsIn(q.name, 'procedure', q.decl.body);
    guardsIn(q.decl.body, `procedure ${q.name}`);
  }
  const sites: CoverageSites = { steps, actionSite, labelSite, guards, guardOf };
  sitesCache.set(spec, sites);
  return sites;
}

/** The step site of a process step's label (`P.L` names a label of procedure P). */
export function labelSiteOf(sites: CoverageSites, process: string, at: string): number {
  const dot = at.indexOf('.');
  const site = dot < 0 ? sites.labelSite.get(process)?.get(at) : sites.labelSite.get(at.slice(0, dot))?.get(at.slice(dot + 1));
  if (site === undefined) throw new Error(`internal error: no coverage site for label '${at}' of '${process}'`);
  return site;
}

/** One row of the coverage table: a step with one binding of its parameters (or one process instance). */
export interface CoverageRow {
  readonly site: number;
  /** The parameters (an action's) or the instance parameter (a process's), in order. */
  readonly params: readonly { readonly name: string; readonly value: Value }[];
  /** For a procedure's label: the process that runs it (its name), as rows differ per caller. */
  readonly process?: string;
  /** Expanded states at which it was evaluated (an action's binding; an instance at the label). */
  states: number;
  /** Expanded states at which it produced at least one successor. */
  enabled: number;
  /** Successors it emitted (duplicates included: TLC's generated). */
  taken: number;
  /** Distinct states it found first. */
  fresh: number;
}

/** What a run's counters say, frozen when the search ended. */
export interface CoverageReport {
  readonly sites: CoverageSites;
  /** Rows with states > 0, by site, then by the binding's values in canonical order. */
  readonly rows: readonly CoverageRow[];
  /** Per guard site: how often it blocked (require/await false; pick over no element). */
  readonly blocked: readonly number[];
  /** Per guard site: how often it was evaluated. */
  readonly evaluated: readonly number[];
}

/**
 * The counters of one compiled system. `reached` is always kept (one flag per step site, set
 * when the step emits); the rest only when `counting` is on.
 *
 * Rows: one per (step site, binding), numbered as they are first met (the generic engine) or
 * in advance (the packed engine, one per label of its label tables). Per row four counters in
 * flat arrays; `last` is the row of the latest emission, which `discovered()` credits.
 */
export class StepCounters implements StepCoverage {
  readonly reached: Uint8Array;
  readonly counting: boolean;
  rowSite: number[] = [];
  rowParams: { name: string; value: Value }[][] = [];
  rowProcess: (string | undefined)[] = [];
  states = new Float64Array(64);
  enabled = new Float64Array(64);
  taken = new Float64Array(64);
  fresh = new Float64Array(64);
  /** Per guard site. */
  readonly blocked: Float64Array;
  readonly evaluated: Float64Array;
  /** The row of the step being run; the row of the latest emission. */
  cur = 0;
  last = -1;
  private readonly byKey = new Map<string, number>();
  private frozen: CoverageReport | undefined;

  /** `reached`: where to keep the flags (a worker thread's view of memory shared with the coordinator). */
  constructor(readonly sites: CoverageSites, counting: boolean, reached?: Uint8Array) {
    this.reached = reached ?? new Uint8Array(sites.steps.length);
    this.counting = counting;
    this.blocked = new Float64Array(sites.guards.length);
    this.evaluated = new Float64Array(sites.guards.length);
  }

  /** The row of a step site and binding, made on first use. */
  row(site: number, params: readonly { name: string; value: Value }[], process?: string): number {
    let key = process === undefined ? String(site) : `${site}\u0000${process}`;
    for (const p of params) key += '\u0000' + formatValue(p.value);
    let r = this.byKey.get(key);
    if (r === undefined) {
      r = this.rowSite.length;
      this.byKey.set(key, r);
      this.rowSite.push(site);
      this.rowParams.push(params.map((p) => ({ name: p.name, value: p.value })));
      this.rowProcess.push(process);
      if (r >= this.states.length) {
        const grow = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
          const b = new Float64Array(a.length * 2);
          b.set(a);
          return b;
        };
        this.states = grow(this.states);
        this.enabled = grow(this.enabled);
        this.taken = grow(this.taken);
        this.fresh = grow(this.fresh);
      }
    }
    return r;
  }

  /** Starts a step's row in a state (counting mode); returns the taken count to pass to end. */
  begin(row: number): number {
    this.cur = row;
    this.states[row]++;
    return this.taken[row]!;
  }

  /** Ends the row begun: enabled if it emitted since. */
  end(row: number, takenBefore: number): void {
    if (this.taken[row] !== takenBefore) this.enabled[row]++;
  }

  /** An emission of the current row (counting mode). */
  took(): void {
    this.taken[this.cur]++;
    this.last = this.cur;
  }

  /** A guard evaluated; `passed` false means it blocked. */
  guard(site: number, passed: boolean): void {
    this.evaluated[site]++;
    if (!passed) this.blocked[site]++;
  }

  discovered(): void {
    if (this.last >= 0) this.fresh[this.last]++;
  }

  /** Forgets every count (before the search whose counts are wanted). */
  reset(): void {
    this.reached.fill(0);
    this.states.fill(0);
    this.enabled.fill(0);
    this.taken.fill(0);
    this.fresh.fill(0);
    this.blocked.fill(0);
    this.evaluated.fill(0);
    this.last = -1;
    this.frozen = undefined;
  }

  /** Freezes the counts: replays that rebuild traces after the search do not change the report. */
  searchEnded(): void {
    this.frozen = this.snapshot();
  }

  /** The flags of `reached`, for a coordinator to merge a worker's into its own. */
  reachedFlags(): Uint8Array {
    return this.reached.slice();
  }

  mergeReached(flags: Uint8Array): void {
    for (let i = 0; i < flags.length && i < this.reached.length; i++) if (flags[i]) this.reached[i] = 1;
  }

  /** The report: frozen at the end of the search if it was, else the counts now. */
  report(): CoverageReport {
    return this.frozen ?? this.snapshot();
  }

  private snapshot(): CoverageReport {
    const rows: CoverageRow[] = [];
    for (let r = 0; r < this.rowSite.length; r++) {
      if (this.states[r] === 0) continue;
      const process = this.rowProcess[r];
      rows.push({ site: this.rowSite[r]!, params: this.rowParams[r]!, ...(process !== undefined ? { process } : {}), states: this.states[r]!, enabled: this.enabled[r]!, taken: this.taken[r]!, fresh: this.fresh[r]! });
    }
    rows.sort((a, b) => {
      if (a.site !== b.site) return a.site - b.site;
      if (a.process !== b.process) return (a.process ?? '') < (b.process ?? '') ? -1 : 1;
      for (let i = 0; i < a.params.length && i < b.params.length; i++) {
        const c = compareValues(a.params[i]!.value, b.params[i]!.value);
        if (c !== 0) return c;
      }
      return a.params.length - b.params.length;
    });
    return { sites: this.sites, rows, blocked: [...this.blocked], evaluated: [...this.evaluated] };
  }
}

/** The step sites no step of a complete search ever took (W100). */
export function neverEnabled(c: StepCounters): StepSite[] {
  return c.sites.steps.filter((_s, i) => c.reached[i] === 0);
}
