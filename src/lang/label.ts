/** How every report names a step: `Offline(m=C) at scan`, `Charge(p=1, m=Child)`, `Inc`. */
import type { Label } from './compile.js';
import { formatValue } from '../values/index.js';

export function formatLabel(l: Label): string {
  const at = l.at === undefined ? '' : ` at ${l.at}`;
  if (l.params.length === 0) return l.action + at;
  return `${l.action}(${l.params.map((p) => `${p.name}=${formatValue(p.value)}`).join(', ')})${at}`;
}
