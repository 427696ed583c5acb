/**
 * Linking an `import` to the spec it names, both already parsed and checked on their own:
 * every variable of the imported spec gets the expression of the importing spec that maps it
 * (written in `with { ... }`, or implicitly the importing spec's variable, or definition without
 * parameters, of the same name, as TLA+'s INSTANCE substitutes), and every constant either a mapped constant expression, the
 * importing spec's constant of the same name, or its own value. Reading files and following
 * imports from file to file is src/engine/run.ts's business (loadSpec); this step only
 * compares two checked specs.
 */
import type * as A from './ast.js';
import { stateReadIn, type CheckedImport, type CheckedSpec, type LinkedImport } from './check.js';
import { Diagnostic, didYouMean, nameList } from './diagnostics.js';
import { formatType, isOption, type Type } from './types.js';

/**
 * Links `imp`, an import of `importing`, to `imported`: sets `imp.linked` and returns the
 * mistakes found (unmapped variables, names the imported spec lacks, types that disagree).
 */
export function linkImport(importing: CheckedSpec, imp: CheckedImport, imported: CheckedSpec): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const at = imp.decl.name.span;
  if (imported.processes.length > 0) {
    const names = imported.processes.map((p) => p.name).join(', ');
    diags.push(
      new Diagnostic('E229', imp.decl.pathSpan, `spec ${imported.name} has processes (${names}), whose program counters a mapping cannot give`, 'an imported spec describes its state with variables only: write its steps as actions'),
    );
    return diags;
  }
  const byName = new Map(imp.mappings.map((m) => [m.name.text, m]));
  for (const m of imp.mappings) {
    const known = imported.vars.some((v) => v.name === m.name.text) || imported.consts.some((c) => c.name === m.name.text);
    if (!known) {
      const names = [...imported.vars.map((v) => v.name), ...imported.consts.map((c) => c.name)];
      diags.push(new Diagnostic('E230', m.name.span, `spec ${imported.name} has no variable or constant '${m.name.text}'`, didYouMean(m.name.text, names) ?? `its variables are: ${nameList(imported.vars.map((v) => v.name)) || 'none'}`));
    }
  }
  const vars: LinkedImport['vars'] = [];
  for (const v of imported.vars) {
    const m = byName.get(v.name);
    if (m) {
      if (!sameType(m.type, v.type)) {
        diags.push(
          new Diagnostic('E231', m.value.span, `'${v.name}' of ${imported.name} is ${formatType(v.type)}, but this maps it to ${formatType(m.type)}`, `the mapping must have the type of the variable it gives; types of the two specs agree when they are written alike (an enum or variant type: the same name and members)`),
        );
      }
      vars.push({ value: m.value, frameSize: m.frameSize });
      continue;
    }
    const own = importing.vars.find((x) => x.name === v.name);
    const def = own ? undefined : importing.defs.find((x) => x.name === v.name && x.decl.params.length === 0);
    if (own || def) {
      const type = own ? own.type : def!.result;
      if (!sameType(type, v.type)) {
        diags.push(
          new Diagnostic('E231', at, `'${v.name}' of ${imported.name} is ${formatType(v.type)}, but '${v.name}' here, which maps it for want of a mapping, is ${formatType(type)}`, `map it explicitly: with { ${v.name}: <expression of type ${formatType(v.type)}> }`),
        );
      }
      vars.push({ value: nameExpr(own ? own.decl.name : def!.decl.name), frameSize: 0 });
      continue;
    }
    diags.push(
      new Diagnostic('E230', at, `variable '${v.name}' of ${imported.name} is not mapped`, `give its value in this spec's terms: with { ${v.name}: <expression> } (a variable or a definition of the same name here would map it implicitly)`),
    );
    vars.push({ value: nameExpr(v.decl.name), frameSize: 0 });
  }
  const consts: LinkedImport['consts'] = [];
  for (const c of imported.consts) {
    const m = byName.get(c.name);
    if (m) {
      if (!sameType(m.type, c.type)) {
        diags.push(new Diagnostic('E231', m.value.span, `constant '${c.name}' of ${imported.name} is ${formatType(c.type)}, but this maps it to ${formatType(m.type)}`));
      }
      const reads = stateReadIn(m.value, importing.res);
      if (reads) {
        diags.push(new Diagnostic('E216', reads.span, `'${c.name}' is a constant of ${imported.name}, but its mapping reads the state ${reads.what}`, 'a constant is mapped to a constant expression of this spec'));
      }
      consts.push({ value: m.value, frameSize: m.frameSize });
      continue;
    }
    const own = importing.consts.find((x) => x.name === c.name);
    if (own) {
      if (!sameType(own.type, c.type)) {
        diags.push(
          new Diagnostic('E231', at, `constant '${c.name}' of ${imported.name} is ${formatType(c.type)}, but '${c.name}' here, which gives its value for want of a mapping, is ${formatType(own.type)}`, `map it explicitly: with { ${c.name}: <constant expression> }`),
        );
      }
      consts.push({ value: nameExpr(own.decl.name), frameSize: 0 });
      continue;
    }
    consts.push(undefined);
  }
  if (diags.length === 0) {
    // Implicit mappings are name expressions resolved in the importing spec.
    for (const v of imported.vars) {
      if (!byName.has(v.name)) {
        const e = vars[v.index]!.value;
        const own = importing.vars.find((x) => x.name === v.name);
        if (own) {
          importing.res.set(e, { k: 'var', index: own.index, type: own.type });
          importing.types.set(e, own.type);
        } else {
          const def = importing.defs.find((x) => x.name === v.name)!;
          importing.res.set(e, { k: 'def', def });
          importing.types.set(e, def.result);
        }
      }
    }
    imported.consts.forEach((c, i) => {
      const e = consts[i];
      if (e && !byName.has(c.name)) {
        const own = importing.consts.find((x) => x.name === c.name)!;
        importing.res.set(e.value, { k: 'const', index: own.index, type: own.type });
        importing.types.set(e.value, own.type);
      }
    });
    imp.linked = { spec: imported, vars, consts };
  }
  return diags;
}

function nameExpr(name: A.Name): A.Expr {
  return { kind: 'name', name, span: name.span };
}

/**
 * Whether a type of one spec and a type of another describe the same values. Enum and variant
 * types are compared by name and members, since each spec declares its own; ranges are
 * ignored, as in type checking.
 */
export function sameType(a: Type, b: Type): boolean {
  if (a.k === 'any' || b.k === 'any') return true;
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'int':
    case 'bool':
      return true;
    case 'enum': {
      const e = (b as typeof a).info;
      return a.info.name === e.name && a.info.members.length === e.members.length && a.info.members.every((m, i) => m === e.members[i]);
    }
    case 'set':
    case 'seq':
      return sameType(a.elem, (b as typeof a).elem);
    case 'map': {
      const m = b as typeof a;
      return sameType(a.key, m.key) && sameType(a.value, m.value);
    }
    case 'tuple': {
      const t = b as typeof a;
      return a.items.length === t.items.length && a.items.every((x, i) => sameType(x, t.items[i]!));
    }
    case 'record': {
      const r = b as typeof a;
      return a.fields.length === r.fields.length && a.fields.every((f, i) => f === r.fields[i] && sameType(a.types[i]!, r.types[i]!));
    }
    case 'variant': {
      const v = b as typeof a;
      if (isOption(a) || isOption(v)) return isOption(a) && isOption(v) && sameType(a.info.cases[1]!.payload!, v.info.cases[1]!.payload!);
      if (a.info.name !== v.info.name || a.info.cases.length !== v.info.cases.length) return false;
      return a.info.cases.every((c, i) => {
        const d = v.info.cases[i]!;
        if (c.tag !== d.tag) return false;
        if (c.payload === undefined || d.payload === undefined) return c.payload === d.payload;
        return sameType(c.payload, d.payload);
      });
    }
  }
}
