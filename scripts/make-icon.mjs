#!/usr/bin/env node
// Draws the extension's icon, icon.png (256 × 256, the Marketplace's size): a loss curve over a dark tile,
// with a shaded trust region (a disc) around its flat minimum. Run `node scripts/make-icon.mjs` to redraw it.
import { createCanvas } from '@napi-rs/canvas';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const S = 256;
const c = createCanvas(S, S);
const g = c.getContext('2d');

// tile with rounded corners
const r = 44;
g.fillStyle = '#1e2a3a';
g.beginPath();
g.moveTo(r, 0);
g.arcTo(S, 0, S, S, r);
g.arcTo(S, S, 0, S, r);
g.arcTo(0, S, 0, 0, r);
g.arcTo(0, 0, S, 0, r);
g.closePath();
g.fill();

// loss curve: a sharp minimum on the left, a wide flat one on the right
const loss = (x) => 0.9 - 0.55 * Math.exp(-((x - 0.28) ** 2) / 0.002) - 0.62 * Math.exp(-((x - 0.68) ** 2) / 0.012);
const px = (x) => 28 + x * (S - 56);
const py = (y) => S - 62 - y * (S - 110); // canvas y grows downwards

// trust region around the flat minimum
g.fillStyle = 'rgba(86, 182, 255, 0.28)';
g.strokeStyle = 'rgba(86, 182, 255, 0.9)';
g.lineWidth = 4;
g.beginPath();
g.arc(px(0.68), py(loss(0.68)), 40, 0, 2 * Math.PI);
g.fill();
g.stroke();

g.strokeStyle = '#f5f7fa';
g.lineWidth = 10;
g.lineCap = 'round';
g.lineJoin = 'round';
g.beginPath();
for (let i = 0; i <= 200; i++) {
  const x = i / 200;
  if (i === 0) g.moveTo(px(x), py(loss(x)));
  else g.lineTo(px(x), py(loss(x)));
}
g.stroke();

// the point at the flat minimum
g.fillStyle = '#ffb547';
g.beginPath();
g.arc(px(0.68), py(loss(0.68)), 13, 0, 2 * Math.PI);
g.fill();

fs.writeFileSync(path.join(root, 'icon.png'), c.toBuffer('image/png'));
console.log(`icon.png: ${S}×${S}, ${fs.statSync(path.join(root, 'icon.png')).size} bytes`);
