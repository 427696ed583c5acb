/**
 * Generates the JavaScript source of the packed engine's actions, init and invariants.
 *
 * The source never contains text of the spec: only internal names (s, t3, pc0, ...) and
 * integer literals written by `lit`, which checks them. Labels and other values stay in
 * tables handed to the generated function as arguments.
 *
 * Expressions compile to JS expressions in one of three representations: an Int is its value
 * (a JS number), a Bool a JS boolean, any other finite value its code in a domain (dom.ts).
 * Maps (and records too large for one code) exist only as places: slots of the state. What an
 * expression needs to run first (loops of quantifiers and comprehensions, lets) goes into the
 * statement buffer of the statement being compiled. Any run-time problem throws BAIL; the
 * caller then asks the generic engine for the genuine error.
 *
 * The generator is layered by concern, one file each under codegen/: base.ts (representations,
 * layouts, shared state, constants, conversions, places), expressions.ts, processes.ts (reads of
 * processes) and statements.ts (statements and process steps: the exported CodeGen).
 */
export { lit, type Val, type VarLayout, type InstanceLayout, type ProcessLayout, type StepContext } from './codegen/base.js';
export { CodeGen } from './codegen/statements.js';
