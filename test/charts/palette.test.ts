import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seriesColor } from '../../kernel/charts/palette';
import { lineChart } from '../../kernel/charts';

test('a chart of every method (up to 16 series) gives each series its own colour', () => {
  const series: Record<string, number[]> = {};
  for (let i = 0; i < 16; i++) series[`method ${i}`] = [i, i + 1, i + 2];
  const bundle = lineChart({ series, title: 'all methods', xLabel: 'step', yLabel: 'loss' });
  const config = bundle['application/vnd.tram.chart+json'] as unknown as { data: { datasets: { borderColor: string }[] } };
  const colours = config.data.datasets.map((d) => d.borderColor);
  assert.equal(colours.length, 16);
  assert.equal(new Set(colours).size, 16, `repeated colours: ${colours.join(' ')}`);
  assert.equal(seriesColor(16), seriesColor(0), 'colours cycle after the palette');
});
