/**
 * The native addons the project ships load and work under the Node running this file (the suite runs it on
 * Node 20 and again on Node 24 as node24:backend): @napi-rs/canvas (chart PNGs), zeromq (tslab's Jupyter
 * transport) and @tensorflow/tfjs-node where it is installed. An addon built for another Node ABI fails here
 * with "was compiled against a different Node.js version", not later in a notebook.
 * tfjs-node is optional: when absent the test skips with a reason starting "native:", which CI allows
 * (TRAM_TEST_ALLOW_SKIP=native in .ci/run); when present it must load and compute.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../kernel/backend';
import { installed } from './fixtures';

const node = `Node ${process.versions.node} (ABI ${process.versions.modules})`;

test(`@napi-rs/canvas draws and encodes a PNG on ${node}`, async () => {
  const { createCanvas } = await import('@napi-rs/canvas');
  const c = createCanvas(4, 3);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#ff0000';
  ctx.fillRect(0, 0, 2, 3);
  const px = ctx.getImageData(0, 0, 4, 1).data;
  assert.deepEqual([...px.slice(0, 4)], [255, 0, 0, 255], 'left half is red');
  assert.equal(px[4 * 3 + 3], 0, 'right half is still transparent');
  const png = c.toBuffer('image/png');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.readUInt32BE(16), 4, 'IHDR width');
  assert.equal(png.readUInt32BE(20), 3, 'IHDR height');
});

test(`zeromq sends and receives a multipart message on ${node}`, async () => {
  const zmq = await import('zeromq');
  const push = new zmq.Push();
  const pull = new zmq.Pull();
  try {
    await pull.bind('tcp://127.0.0.1:*');
    push.connect(pull.lastEndpoint!);
    await push.send(['tram', Buffer.from([1, 2, 3])]);
    const [a, b] = await pull.receive();
    assert.equal(a.toString(), 'tram');
    assert.deepEqual([...b], [1, 2, 3]);
  } finally {
    push.close();
    pull.close();
  }
});

for (const pkg of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
  const present = installed(pkg);
  test(
    `${pkg} loads and computes on ${node}`,
    { skip: present ? false : `native: ${pkg} is not installed here (its install script downloads libtensorflow)` },
    async () => {
      // Loaded as the project loads it (initBackend: on Node 23+ it first restores util.isNullOrUndefined, which
      // tfjs-node 4.22's kernels call and Node 23 removed).
      const r = await initBackend({ prefer: pkg.endsWith('-gpu') ? 'tensorflow-gpu' : 'tensorflow', env: {} });
      const tf = require(r.tfModule) as typeof import('@tensorflow/tfjs');
      assert.equal(tf.getBackend(), 'tensorflow');
      const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
      assert.equal(y, 11);
      const top = tf.topk(tf.tensor1d([3, 9, 1, 7]), 2);
      assert.deepEqual(Array.from(top.values.dataSync()), [9, 7]);
      assert.deepEqual(Array.from(top.indices.dataSync()), [1, 3]);
      tf.dispose([top.values, top.indices]);
    },
  );
}
