/**
 * Image rotation for the shifted-domain digits (kernel/data/digits.ts and the experiments' tasks): a 28×28 grey image
 * rotated about its centre with bilinear sampling; pixels that fall outside are 0.
 */

/** Side of an MNIST image, and its pixel count. */
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

/** Rotate an image by `deg` degrees (counter-clockwise) about its centre, with bilinear sampling. */
export function rotate(img: Float32Array, deg: number): Float32Array {
  if (deg === 0) return img.slice();
  const out = new Float32Array(PIXELS);
  const a = (deg * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const mid = (SIDE - 1) / 2;
  const at = (r: number, q: number) => (r >= 0 && r < SIDE && q >= 0 && q < SIDE ? img[r * SIDE + q] : 0);
  for (let r = 0; r < SIDE; r++) {
    for (let q = 0; q < SIDE; q++) {
      // inverse map: where in the source does output pixel (r, q) come from
      const dx = q - mid;
      const dy = r - mid;
      const sx = c * dx - s * dy + mid;
      const sy = s * dx + c * dy + mid;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      out[r * SIDE + q] =
        (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
    }
  }
  return out;
}
