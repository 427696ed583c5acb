/**
 * `spex graph SPEC [--check NAME] [--const ...] --out FILE.dot`: the reachable state graph of
 * one small configuration as Graphviz DOT, with the check's counterexample path highlighted.
 * Refuses beyond --max-states states (default 2,000): a bigger drawing is unreadable anyway.
 */
import { checkOutputPath, writeOutput } from './write-output.js';
import { Diagnostic, SpecErrors } from '../lang/diagnostics.js';
import { compileSpec } from '../lang/compile.js';
import { ModelError } from '../explore/system.js';
import { EXIT, configOverrides, constOverrides, loadSpec, runCheck, selectChecks } from '../engine/run.js';
import { buildStateGraph, fingerprintKey, GraphTooLarge } from '../export/state-graph.js';
import { toDot } from '../export/dot.js';
import { counterexampleOf } from '../export/counterexample.js';
import { Interrupted, acceptInterrupts, interruptSignal, setPhase } from '../explore/guard.js';
import { interruptedExit, wasInterrupted } from '../engine/run.js';
import { signalName } from './report.js';

export const GRAPH_DEFAULT_MAX_STATES = 2000;

export interface GraphOpts {
  check?: string;
  const: string[];
  deadlock?: boolean;
  out: string;
  maxStates?: number;
}

export interface GraphOutcome {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
}

export function cmdGraph(file: string, o: GraphOpts): GraphOutcome {
  const { spec } = loadSpec(file);
  checkOutputPath(o.out);
  if (o.check === undefined && spec.checks.length > 1) {
    const names = spec.checks.map((c) => c.name);
    throw new SpecErrors([
      new Diagnostic('E213', undefined, `spex graph draws one configuration, and ${file} has ${names.length} check blocks`, `name one with --check: ${names.join(', ')}`),
    ]);
  }
  const check = selectChecks(spec, o.check)[0];
  const cli = constOverrides(spec, o.const);
  const limit = o.maxStates ?? GRAPH_DEFAULT_MAX_STATES;
  let system;
  try {
    system = compileSpec(spec, configOverrides(check, cli), check);
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    return { code: EXIT.evaluation, stdout: [], stderr: [`error: the constants cannot be evaluated: ${e.message}`] };
  }
  let graph;
  // A big graph takes a while: the first signal stops it, with what was built so far.
  acceptInterrupts();
  try {
    setPhase('building the state graph');
    const deadlock = o.deadlock ?? check?.decl.deadlock ?? true;
    graph = buildStateGraph(system, limit, deadlock);
  } catch (e) {
    if (e instanceof Interrupted) {
      return { code: interruptedExit(e.signal), stdout: [`Interrupted (${signalName(e.signal)}) while building the state graph; nothing written to ${o.out}.`], stderr: [] };
    }
    if (!(e instanceof GraphTooLarge)) throw e;
    return {
      code: 1,
      stdout: [],
      stderr: [
        `error: ${e.message}, too many to draw; nothing written to ${o.out}`,
        `  = hint: draw a smaller configuration (--const, or a check block with smaller constants), or raise the limit with --max-states N`,
      ],
    };
  }
  // The counterexample of the same configuration, found by the explorer (shortest), mapped
  // onto the graph's nodes by fingerprint.
  setPhase('searching for the counterexample');
  const r = runCheck(spec, check, cli, o.deadlock === undefined ? {} : { deadlock: o.deadlock });
  if (wasInterrupted(r.verdict)) {
    const sig = interruptSignal();
    return { code: interruptedExit(sig), stdout: [`Interrupted (${signalName(sig)}) while searching for the counterexample; the graph has ${graph.nodes.length} states; nothing written to ${o.out}.`], stderr: [] };
  }
  const cex = counterexampleOf(r);
  const path = cex?.states.map((s) => graph.index.get(fingerprintKey(system, s))!).filter((i) => i !== undefined);
  const title = `${spec.name}${check ? ` / ${check.name}` : ''}`;
  const dot = toDot(graph, {
    title,
    vars: system.varNames,
    ...(path ? { path, pathLabels: cex!.labels } : {}),
    ...(cex?.loop !== undefined ? { loop: cex.loop } : {}),
  });
  writeOutput(o.out, dot);
  const what = cex ? `, counterexample of ${cex.states.length - 1} step${cex.states.length === 2 ? '' : 's'} highlighted` : '';
  return { code: EXIT.ok, stdout: [`State graph written to ${o.out}: ${graph.nodes.length} state${graph.nodes.length === 1 ? '' : 's'}, ${graph.edges.length} step${graph.edges.length === 1 ? '' : 's'}${what}`], stderr: [] };
}
