/**
 * Series colours (readable on light and dark backgrounds) and the viridis colour map for heatmaps.
 * Browser-safe: shared by the PNG renderer and the notebook renderer.
 */

/** Line/point colours, used in order and cycled after 16. Mid-lightness hues that stay visible on white and on dark grey. */
export const SERIES_COLORS = [
  '#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#bab0ac',
  // darker companions, so charts comparing every method (11+ series) never repeat a colour
  '#1b3a6b', '#8b1e3f', '#2e7d32', '#6a3d9a', '#b35806', '#00695c',
] as const;

/** Colour of series `i`. */
export function seriesColor(i: number): string {
  return SERIES_COLORS[((i % SERIES_COLORS.length) + SERIES_COLORS.length) % SERIES_COLORS.length];
}

/** `#rrggbb` with an alpha, as `rgba(...)`. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Viridis, sampled at 9 evenly spaced stops (perceptually uniform, colour-blind safe, prints in grey). */
const VIRIDIS_STOPS: [number, number, number][] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** Colour of `t` in [0, 1] on the viridis map, by linear interpolation between stops; t is clamped. */
export function viridis(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS_STOPS.length - 1);
  const i = Math.min(VIRIDIS_STOPS.length - 2, Math.floor(u));
  const f = u - i;
  const a = VIRIDIS_STOPS[i];
  const b = VIRIDIS_STOPS[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

/** 256 CSS colours of the viridis map, index = round(255 t). */
export const VIRIDIS_LUT: readonly string[] = Array.from({ length: 256 }, (_, i) => {
  const [r, g, b] = viridis(i / 255);
  return `rgb(${r}, ${g}, ${b})`;
});
