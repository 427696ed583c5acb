/**
 * Static checking: resolves every name, types every expression and statement, and collects
 * every mistake as a Diagnostic before any state is explored. The result annotates the AST
 * (resolutions and types in side tables keyed by node) for the compiler.
 *
 * The checker is layered by concern, one file each under check/: base.ts (shared state and
 * helpers), expressions.ts, statements.ts, processes.ts (processes and procedures), temporal.ts
 * (properties, fairness, constraints, step predicates) and declarations.ts (the spec's
 * declarations and checkSpec); checked.ts holds the shape of the result.
 */
export * from './check/checked.js';
export { walkExpr, stateReadIn } from './check/expressions.js';
export { walkStmt } from './check/statements.js';
export { checkSpec, checkSpecKeepingResolutions, type PartialCheck } from './check/declarations.js';
