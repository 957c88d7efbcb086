/**
 * Colours of the chart furniture (text, grid, background) for a light or dark editor.
 * The PNG is always drawn with LIGHT_THEME; the notebook renderer applies the editor's colours.
 * Browser-safe: shared by the PNG renderer and the notebook renderer.
 */
import type { ChartConfig } from './types';

export interface ChartTheme {
  /** Titles, tick labels, legend text, colour-bar labels. */
  text: string;
  /** Grid lines and axis borders. */
  grid: string;
  /** Canvas fill; null leaves it transparent (the notebook output's own background shows). */
  background: string | null;
}

export const LIGHT_THEME: ChartTheme = { text: '#3b3b3b', grid: 'rgba(0, 0, 0, 0.12)', background: '#ffffff' };
export const DARK_THEME: ChartTheme = { text: '#cccccc', grid: 'rgba(255, 255, 255, 0.14)', background: '#1e1e1e' };

type Obj = { [k: string]: unknown };
const child = (o: Obj, k: string): Obj => {
  const v = o[k];
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Obj;
  const made: Obj = {};
  o[k] = made;
  return made;
};

/** Sets the theme's colours on a config's options, in place (scales, title, legend, colour bar, background). */
export function applyTheme(options: ChartConfig['options'], theme: ChartTheme): void {
  const o = options as Obj;
  o.color = theme.text;
  o.borderColor = theme.grid;
  const scales = child(o, 'scales');
  for (const id of Object.keys(scales)) {
    const s = child(scales, id);
    child(s, 'ticks').color = theme.text;
    child(s, 'title').color = theme.text;
    child(s, 'grid').color = theme.grid;
    child(s, 'border').color = theme.grid;
  }
  const plugins = child(o, 'plugins');
  child(plugins, 'title').color = theme.text;
  child(child(plugins, 'legend'), 'labels').color = theme.text;
  if (plugins.tramColorBar && typeof plugins.tramColorBar === 'object') child(plugins, 'tramColorBar').color = theme.text;
  child(plugins, 'tramBackground').color = theme.background;
}
