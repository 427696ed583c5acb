/**
 * Compiles a checked spec, with its constants fixed, into a TransitionSystem. Every
 * expression and statement becomes a JavaScript closure once, here; exploring a state never
 * walks the AST again.
 *
 * Statements are compiled in continuation-passing style: each takes the continuation of the
 * rest of the step, so `pick` and action parameters simply call it once per value. Writes to
 * state variables and local slots are undone when the continuation returns, so the branches of
 * a step share one state array without seeing each other's writes.
 *
 * The compiler is layered by concern, one file each under compile/: base.ts (what it works
 * with and its shared state), enumerate.ts (values of types), expressions.ts, statements.ts
 * (the exported Compiler) and spec.ts (the transition system: compileSpec).
 */
export { type State, type Label, type RuntimeLocation, type Ctx, type Ev, type Cont, fail, stepOverflow, type CompiledSpec, type CompiledView, type RequireSite, type StepExplanation } from './compile/base.js';
export { subsetsOf, partialMapsOf, totalMapsOf } from './compile/enumerate.js';
export { MAX_DEF_DEPTH } from './compile/expressions.js';
export { Compiler } from './compile/statements.js';
export { type StepProperty, type CompiledConstraint, TERMINATING, checkStepOf, inModelOf, compileSpec, explainRun } from './compile/spec.js';
