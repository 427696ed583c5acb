/**
 * The whole reachable state graph of a (small) configuration: every state, every step between
 * two states with its label, for `spex graph`. Unlike the explorer, which keeps fingerprints
 * only, this keeps every state and edge in memory, so it refuses to go beyond a limit.
 */
import { ModelError, type TransitionSystem } from '../explore/system.js';
import { checkInterrupt } from '../explore/guard.js';

export interface GraphNode<S> {
  readonly state: S;
  /** Initial state. */
  readonly initial: boolean;
  /** The first invariant the state violates, if any. */
  violated?: string;
  /** A run-time error or failed assert met while expanding the state or checking it. */
  fault?: string;
  /** No successor (and not done). */
  deadlock?: boolean;
}

export interface GraphEdge<L> {
  readonly from: number;
  readonly to: number;
  readonly label: L;
}

export interface StateGraph<S, L> {
  readonly nodes: GraphNode<S>[];
  readonly edges: GraphEdge<L>[];
  /** Node index by fingerprint (hex), to map a trace onto the graph. */
  readonly index: Map<string, number>;
}

/** More than `limit` states are reachable. */
export class GraphTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the state graph has more than ${limit} states`);
    this.name = 'GraphTooLarge';
  }
}

export function fingerprintKey<S>(system: TransitionSystem<S, unknown>, s: S, buf = new Uint32Array(2)): string {
  system.fingerprint(s, buf);
  return buf[0]!.toString(16).padStart(8, '0') + buf[1]!.toString(16).padStart(8, '0');
}

/** Breadth-first, in the explorer's order (deadlocks marked if checkDeadlock); throws GraphTooLarge beyond `limit` states. */
export function buildStateGraph<S, L>(system: TransitionSystem<S, L>, limit: number, checkDeadlock = true): StateGraph<S, L> {
  const nodes: GraphNode<S>[] = [];
  const edges: GraphEdge<L>[] = [];
  const index = new Map<string, number>();
  const buf = new Uint32Array(2);
  const add = (s: S, initial: boolean): number => {
    const key = fingerprintKey(system, s, buf);
    const found = index.get(key);
    if (found !== undefined) return found;
    if (nodes.length >= limit) throw new GraphTooLarge(limit);
    const node: GraphNode<S> = { state: s, initial };
    try {
      const bad = system.invariants.find((inv) => !inv.holds(s));
      if (bad) node.violated = bad.name;
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      node.fault = e.message;
    }
    nodes.push(node);
    index.set(key, nodes.length - 1);
    return nodes.length - 1;
  };
  try {
    system.initialStates((s) => {
      if (system.inModel?.(s, undefined, undefined) ?? true) add(s, true);
    });
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    // A fault in init leaves no state to draw; the caller reports the check's verdict.
  }
  for (let i = 0; i < nodes.length; i++) {
    // A signal (spex graph takes them): Interrupted, which the command reports.
    checkInterrupt();
    const from = nodes[i]!;
    let emitted = 0;
    const found: { to: S; label: L }[] = [];
    try {
      system.successors(from.state, (to, label) => {
        emitted++;
        found.push({ to, label });
      });
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      from.fault = e.message;
    }
    for (const f of found) {
      // As the explorer: a successor outside the constraints is not a state of the graph.
      let inside = true;
      try {
        inside = system.inModel?.(f.to, from.state, f.label) ?? true;
      } catch (e) {
        if (!(e instanceof ModelError)) throw e;
        from.fault ??= e.message;
        inside = false;
      }
      if (inside) edges.push({ from: i, to: add(f.to, false), label: f.label });
    }
    if (checkDeadlock && emitted === 0 && from.fault === undefined && !(system.isDone?.(from.state) ?? false)) from.deadlock = true;
  }
  return { nodes, edges, index };
}
