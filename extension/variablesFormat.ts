/**
 * Text of the Variables view's rows (pure, no VS Code): what `variables` (kernel/protocol.ts) returned, as
 *   x        float32 [2,3] · 24 B            (a disposed tensor: "float32 [2,3] · disposed")
 *   model    Sequential · 8 params (8 trainable) · 1 layer
 *   lr       number = 0.01
 *   tf.memory()  12 tensors · 1.2 KB · cell 3: +2 tensors, +32 B
 * Bytes in binary units (1 KB = 1024 B), one decimal from KB on.
 */
import type { MemoryInfo, TensorSummary, VariableInfo } from '../kernel/protocol';

export function formatBytes(n: number): string {
  const a = Math.abs(n);
  if (a < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const signed = (n: number) => (n > 0 ? `+${n}` : `${n}`);

export function describeRow(v: VariableInfo): string {
  if (v.kind === 'tensor') {
    const head = `${v.dtype} [${(v.shape ?? []).join(',')}]`;
    if (v.disposed) return `${head} · disposed`;
    return v.bytes === undefined ? head : `${head} · ${formatBytes(v.bytes)}`;
  }
  if (v.kind === 'model') {
    return `${v.type} · ${plural(v.params ?? 0, 'param')} (${v.trainableParams ?? 0} trainable) · ${plural(v.layers ?? 0, 'layer')}`;
  }
  return v.preview === undefined ? v.type : `${v.type} = ${v.preview}`;
}

export function describeMemory(m: MemoryInfo): string {
  let s = `${plural(m.numTensors, 'tensor')} · ${formatBytes(m.numBytes)}`;
  if (m.lastCell) {
    const b = m.lastCell.bytes;
    s += ` · cell ${m.lastCell.cell}: ${signed(m.lastCell.tensors)} tensors, ${b > 0 ? '+' : ''}${formatBytes(b)}`;
  }
  return s;
}

/** Several lines for the output channel. */
export function describeSummary(s: TensorSummary): string {
  const lines = [`${s.name}: ${s.dtype} [${s.shape.join(',')}], ${plural(s.size, 'element')}`];
  if (s.min !== undefined) {
    lines.push(`  min ${s.min}   max ${s.max}   mean ${s.mean}`);
    if (s.nanCount || s.nonFiniteCount) lines.push(`  ${s.nanCount ?? 0} NaN, ${s.nonFiniteCount ?? 0} non-finite in all`);
  }
  const more = s.size > s.first.length ? `, ... (${s.size - s.first.length} more)` : '';
  lines.push(`  first values: [${s.first.join(', ')}${more}]`);
  return lines.join('\n');
}
