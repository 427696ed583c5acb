import { parseSpec } from '../../src/lang/parser.js';
import { checkSpec } from '../../src/lang/check.js';
import { compileSpec, type Label, type State } from '../../src/lang/compile.js';
import { explore, type ExploreResult } from '../../src/explore/index.js';
import { formatValue } from '../../src/values/index.js';
import { SpecErrors } from '../../src/lang/diagnostics.js';

/** Parses, checks and compiles a spec given as text. */
export function compile(text: string) {
  const spec = checkSpec(parseSpec({ path: 'test.spex', text }));
  return { spec, system: compileSpec(spec) };
}

export function run(text: string, checkDeadlock = false): ExploreResult<State, Label> {
  return explore(compile(text).system, { checkDeadlock });
}

/** Every reachable state, formatted `a=1 b={2}`, sorted; for small specs. */
export function reachable(text: string): string[] {
  const { system } = compile(text);
  const seen = new Set<string>();
  const fmt = (s: State): string => s.map((v, i) => `${system.varNames[i]}=${formatValue(v)}`).join(' ');
  let frontier: State[] = [];
  system.initialStates((s) => frontier.push(s));
  for (const s of frontier) seen.add(fmt(s));
  while (frontier.length > 0) {
    const next: State[] = [];
    for (const s of frontier) {
      system.successors(s, (t) => {
        const k = fmt(t);
        if (!seen.has(k)) {
          seen.add(k);
          next.push(t);
        }
      });
    }
    frontier = next;
  }
  return [...seen].sort();
}

/** The formatted successors of the (single) initial state, in emission order, with labels. */
export function stepsFromInit(text: string): string[] {
  const { system } = compile(text);
  const inits: State[] = [];
  system.initialStates((s) => inits.push(s));
  const out: string[] = [];
  system.successors(inits[0]!, (t, l) => {
    const params = l.params.map((p) => `${p.name}=${formatValue(p.value)}`).join(',');
    out.push(`${l.action}(${params}) ${t.map((v, i) => `${system.varNames[i]}=${formatValue(v)}`).join(' ')}`);
  });
  return out;
}

/** The diagnostics of a spec that fails to check, as `code message`; [] when it checks. */
export function codes(text: string): string[] {
  try {
    compile(text);
    return [];
  } catch (err) {
    if (err instanceof SpecErrors) return err.diagnostics.map((d) => `${d.code} ${d.message}`);
    throw err;
  }
}
