/**
 * What the debugger's Variables and Watch views show for a tfjs tensor: `Tensor float32 [2,3]`,
 * `Variable float32 [3,2] dense/kernel`, with ` (disposed)` appended for a disposed one.
 *
 * js-debug's `customDescriptionGenerator` attach option: the source of a function evaluated in the kernel with
 * `this` = the object shown and `defaultValue` = js-debug's own text, which it returns for anything that is not a
 * tensor. It reads only `dtype`, `shape`, `dataId`, `isDisposedInternal`, `trainable` and `name` (no tensor data,
 * no getters with effects: js-debug may evaluate it with throwOnSideEffect). Tensors are recognised by shape,
 * not by class, so a tfjs copy loaded from elsewhere (a workspace tfjs-node) is recognised too.
 */
export const TENSOR_DESCRIPTION = `function (defaultValue) {
  var t = this;
  if (!t || typeof t !== 'object' || typeof t.dtype !== 'string' || !Array.isArray(t.shape) || typeof t.dataId !== 'object' || !('isDisposedInternal' in t)) return defaultValue;
  var kind = typeof t.trainable === 'boolean' ? 'Variable' : 'Tensor';
  var name = kind === 'Variable' && typeof t.name === 'string' ? ' ' + t.name : '';
  return kind + ' ' + t.dtype + ' [' + t.shape.join(',') + ']' + name + (t.isDisposedInternal ? ' (disposed)' : '');
}`;
