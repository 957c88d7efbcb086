/** Test helpers: decode a base64 PNG and measure how much of it is drawn. */
import { createCanvas, loadImage } from '@napi-rs/canvas';

export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Decodes a base64 PNG to RGBA pixels. */
export async function decodePng(base64: string | undefined): Promise<Pixels> {
  if (base64 === undefined) throw new Error('the bundle has no image/png');
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error('not a PNG');
  const img = await loadImage(bytes);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { width: img.width, height: img.height, data: ctx.getImageData(0, 0, img.width, img.height).data };
}

/** Fraction of pixels that are not (near) white, and the number of distinct colours. */
export function inkStats(p: Pixels): { ink: number; colors: number } {
  let ink = 0;
  const colors = new Set<number>();
  for (let i = 0; i < p.data.length; i += 4) {
    const [r, g, b] = [p.data[i], p.data[i + 1], p.data[i + 2]];
    if (r < 240 || g < 240 || b < 240) ink++;
    colors.add((r << 16) | (g << 8) | b);
  }
  return { ink: ink / (p.width * p.height), colors: colors.size };
}

export function pixel(p: Pixels, x: number, y: number): [number, number, number, number] {
  const i = (Math.round(y) * p.width + Math.round(x)) * 4;
  return [p.data[i], p.data[i + 1], p.data[i + 2], p.data[i + 3]];
}
