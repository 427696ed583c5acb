/**
 * The call stacks of the packed engine (codegen/procedures.ts generates the code): which
 * processes' stacks it can encode, and their layout.
 *
 * A stack is one slot, the generic engine's `P(i).stack` coded as a sequence of frames over the
 * process's frame variant (dom.ts). A sequence domain holds a bounded number of elements, so the
 * depth of every stack must be bounded statically: the call graph may not be recursive, and its
 * longest chain of calls must fit the domain. What does not is refused with a reason naming the
 * procedure, and the spec runs on the generic engine.
 */
import type { CheckedProcedure, CheckedProcess, CheckedSpec } from '../check.js';
import { DONE } from '../process-shape.js';
import { procedureLabel } from '../process.js';
import { Unsupported, type Dom } from './dom.js';
import type { RecDom, StackLayout } from './codegen/procedures.js';
import { named } from '../by-name.js';
import { groupDigits } from '../../values/format.js';

export type { StackLayout } from './codegen/procedures.js';

/**
 * Per procedure, the most frames a call of it may stack (itself and the calls it makes, as
 * deep as they go); throws Unsupported, naming a procedure, if the call graph is recursive.
 */
export function procedureDepths(spec: CheckedSpec): Map<CheckedProcedure, number> {
  const depths = new Map<CheckedProcedure, number>();
  const visiting = new Set<CheckedProcedure>();
  const depth = (q: CheckedProcedure): number => {
    const known = depths.get(q);
    if (known !== undefined) return known;
    if (visiting.has(q)) {
      throw new Unsupported(
        `procedure '${q.name}' is recursive: the packed engine encodes call stacks whose depth is bounded statically, without recursion`,
        q.decl.name.span,
      );
    }
    visiting.add(q);
    let d = 1;
    for (const n of q.calls) {
      const callee = named(spec.procedures, n);
      if (callee) d = Math.max(d, 1 + depth(callee));
    }
    visiting.delete(q);
    depths.set(q, d);
    return d;
  };
  for (const q of spec.procedures) depth(q);
  return depths;
}

/** The layout of the stacks of p's instances (the offset is set per instance). */
export function stackLayout(p: CheckedProcess, dom: Extract<Dom, { k: 'seq' }>, depths: ReadonlyMap<CheckedProcedure, number>, off: number): StackLayout {
  // The deepest stack starts with a procedure the body calls itself: every procedure p may
  // call is reached from one of those, through calls that make the stack deeper.
  let deepest: CheckedProcedure | undefined;
  for (const q of p.procedures) if (deepest === undefined || depths.get(q)! > depths.get(deepest)!) deepest = q;
  const depth = deepest === undefined ? 0 : depths.get(deepest)!;
  if (depth > dom.max) {
    throw new Unsupported(
      `its calls of procedure '${deepest!.name}' may stack ${depth} frames, and the packed engine encodes at most ${dom.max} of its frames (${groupDigits(dom.elem.size)} values each)`,
      deepest!.decl.name.span,
    );
  }
  const frame = dom.elem;
  if (frame.k !== 'variant' || frame.cases.length !== p.procedures.length) throw new Error('internal error: a call stack whose frames are not the procedures');
  const frames = new Map<CheckedProcedure, { offset: number; rec: RecDom }>();
  p.procedures.forEach((q, i) => {
    const c = frame.cases[i]!;
    if (c.tag !== q.name || !c.payload || (c.payload.k !== 'record' && c.payload.k !== 'tuple')) throw new Error('internal error: a frame that is not its procedure\'s record');
    frames.set(q, { offset: c.offset, rec: c.payload });
  });
  return { off, dom, frames };
}

/** The pc names of a process, in the order of their codes: its labels, `done`, then its procedures' (`reparent.scan`). */
export function pcNamesOf(p: CheckedProcess): string[] {
  return [...p.labels, DONE, ...p.procedures.flatMap((q) => q.labels.map((l) => procedureLabel(q, l)))];
}

/** The pc names at which an instance may rest for good: `done` and the `end` labels, its procedures' included. */
export function endNamesOf(p: CheckedProcess): Set<string> {
  return new Set([DONE, ...p.endLabels, ...p.procedures.flatMap((q) => q.endLabels.map((l) => procedureLabel(q, l)))]);
}
