/**
 * `Einsum` for wasm, as transposes, sums and one batched matMul.
 *
 * One operand: sum the letters missing from the output, transpose to the output order.
 * Two operands A, B: letters only in A (or only in B) and not in the output are summed first;
 * the rest are batch (A, B, out), free-A (A, out), free-B (B, out) and contracted (A, B, not out):
 *
 *     out[batch, fa, fb] = Σ_k A[batch, fa, k] · B[batch, k, fb]
 *
 * computed as matMul([nb, nfa, nk], [nb, nk, nfb]) and transposed to the output's letter order.
 * The same limits as tfjs' cpu kernel (checked by its own `decodeEinsumEquation`): an explicit
 * `->`, at most two operands, no ellipsis, no letter repeated within an operand.
 */
import * as tf from '@tensorflow/tfjs';
import { composed } from './compose';

const prod = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

function sumLettersNotIn(t: tf.Tensor, letters: string[], keep: Set<string>): { t: tf.Tensor; letters: string[] } {
  const axes = letters.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (!axes.length) return { t, letters };
  return { t: tf.sum(t, axes), letters: letters.filter((l) => keep.has(l)) };
}

function arrange(t: tf.Tensor, letters: string[], order: string[]): tf.Tensor {
  const perm = order.map((l) => letters.indexOf(l));
  return perm.every((p, i) => p === i) ? t : tf.transpose(t, perm);
}

export function einsumTensors(equation: string, operands: tf.Tensor[]): tf.Tensor {
  tf.backend_util.decodeEinsumEquation(equation, operands.length); // throws tfjs' own messages on unsupported forms
  const [lhs, rhs] = equation.replace(/\s/g, '').split('->');
  const ins = lhs.split(',').map((s) => s.split(''));
  const out = rhs.split('');
  ins.forEach((letters, k) => {
    if (letters.length !== operands[k].rank) throw new Error(`Einsum: operand ${k} has rank ${operands[k].rank} but '${letters.join('')}' names ${letters.length} axes.`);
  });
  const size = new Map<string, number>();
  ins.forEach((letters, k) => letters.forEach((l, i) => {
    const d = operands[k].shape[i];
    if (size.has(l) && size.get(l) !== d) throw new Error(`Einsum: axis '${l}' has size ${size.get(l)} in one operand and ${d} in another; they must match.`);
    size.set(l, d);
  }));
  const outSet = new Set(out);
  if (operands.length === 1) {
    const s = sumLettersNotIn(operands[0], ins[0], outSet);
    const r = arrange(s.t, s.letters, out);
    return r === operands[0] ? r.clone() : r;
  }
  const inA = new Set(ins[0]);
  const inB = new Set(ins[1]);
  const a = sumLettersNotIn(operands[0], ins[0], new Set(ins[0].filter((l) => outSet.has(l) || inB.has(l))));
  const b = sumLettersNotIn(operands[1], ins[1], new Set(ins[1].filter((l) => outSet.has(l) || inA.has(l))));
  const batch = out.filter((l) => inA.has(l) && inB.has(l));
  const fa = out.filter((l) => inA.has(l) && !inB.has(l));
  const fb = out.filter((l) => inB.has(l) && !inA.has(l));
  const k = a.letters.filter((l) => b.letters.includes(l) && !outSet.has(l));
  const sz = (ls: string[]): number[] => ls.map((l) => size.get(l)!);
  const A = arrange(a.t, a.letters, [...batch, ...fa, ...k]).reshape([prod(sz(batch)), prod(sz(fa)), prod(sz(k))]);
  const B = arrange(b.t, b.letters, [...batch, ...k, ...fb]).reshape([prod(sz(batch)), prod(sz(k)), prod(sz(fb))]);
  const y = tf.matMul(A, B).reshape(sz([...batch, ...fa, ...fb]));
  return arrange(y, [...batch, ...fa, ...fb], out);
}

export const einsumWasm: tf.KernelFunc = (args) => {
  const n = Object.keys(args.inputs).length;
  const names = Array.from({ length: n }, (_, i) => String(i));
  return composed(names, (xs, attrs) => einsumTensors(String(attrs.equation), xs))(args);
};
