/**
 * Kernel names (`@kernel("fn", "file")`, docs/language.md): which kernel function a step of the
 * spec stands for, looked up by the step's label for traces and exports. A label without one
 * of its own takes its procedure's, then its process's.
 */
import type * as A from './ast.js';
import type { CheckedSpec } from './check.js';
import type { Label } from './compile.js';
import { walkStmts } from './coverage.js';

export type KernelOf = (label: Label) => A.KernelAttr | undefined;

/** The kernel-name lookup of a spec's steps (undefined when no step carries one). */
export function kernelLookup(spec: CheckedSpec): KernelOf | undefined {
  const actions = new Map<string, A.KernelAttr>();
  const owners = new Map<string, { own: A.KernelAttr | undefined; labels: Map<string, A.KernelAttr> }>();
  let any = false;
  for (const a of spec.actions) {
    if (a.decl.kernel) {
      actions.set(a.name, a.decl.kernel);
      any = true;
    }
  }
  for (const p of [...spec.processes, ...spec.procedures]) {
    const labels = new Map<string, A.KernelAttr>();
    walkStmts(p.decl.body, (st) => {
      if (st.kind === 'label' && st.kernel) labels.set(st.name.text, st.kernel);
    });
    if (p.decl.kernel || labels.size > 0) any = true;
    owners.set(p.name, { own: p.decl.kernel, labels });
  }
  if (!any) return undefined;
  return (label) => {
    if (label.at === undefined) return actions.get(label.action);
    const process = owners.get(label.action);
    const dot = label.at.indexOf('.');
    if (dot < 0) return process?.labels.get(label.at) ?? process?.own;
    const proc = owners.get(label.at.slice(0, dot));
    return proc?.labels.get(label.at.slice(dot + 1)) ?? proc?.own ?? process?.own;
  };
}

/** `[isolate_lru_page, mm/vmscan.c]`, as traces print it. */
export function formatKernel(k: A.KernelAttr): string {
  return k.file === undefined ? `[${k.fn}]` : `[${k.fn}, ${k.file}]`;
}
