import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHART_MIME } from '../../kernel/protocol';
import { LiveChart, type ChartBundle, type Clock } from '../../kernel/charts';

/** A clock the test moves by hand; timers fire when it passes their time. */
class FakeClock implements Clock {
  t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now() { return this.t; }
  setTimeout(fn: () => void, ms: number) { const id = this.next++; this.timers.set(id, { at: this.t + ms, fn }); return id; }
  clearTimeout(h: unknown) { this.timers.delete(h as number); }
  advance(ms: number) {
    this.t += ms;
    for (const [id, tm] of [...this.timers]) if (tm.at <= this.t) { this.timers.delete(id); tm.fn(); }
  }
  get pending() { return this.timers.size; }
}

function record() {
  const emits: { bundle: ChartBundle; update: boolean }[] = [];
  return { emits, sink: (bundle: ChartBundle, update: boolean) => emits.push({ bundle, update }) };
}
const points = (b: ChartBundle, k = 0) => b[CHART_MIME].data.datasets[k].data as { x: number; y: number }[];
const base = { title: 'Training', xLabel: 'step', yLabel: 'loss', series: ['train', 'test'] };

test('LiveChart emits first with update=false, then updates; throttles to minIntervalMs', () => {
  const clock = new FakeClock();
  const { emits, sink } = record();
  const live = new LiveChart(sink, { ...base, minIntervalMs: 100, clock });
  assert.equal(emits.length, 0, 'nothing is shown before the first point');
  live.push(0, { train: 2 });
  assert.equal(emits.length, 1);
  assert.equal(emits[0].update, false);
  for (let s = 1; s <= 9; s++) { clock.t += 10; live.push(s, { train: 2 - s / 10 }); }
  assert.equal(emits.length, 1, 'no emit within 100 ms of the last');
  clock.t += 10;
  live.push(10, { train: 1, test: 1.5 });
  assert.equal(emits.length, 2);
  assert.equal(emits[1].update, true);
  assert.equal(points(emits[1].bundle).length, 11);
  assert.deepEqual(points(emits[1].bundle, 1), [{ x: 10, y: 1.5 }]);
  assert.equal(emits[1].bundle[CHART_MIME].data.datasets[1].label, 'test');
});

test('LiveChart: a pending point is emitted by the timer, and flush emits the last point at once', () => {
  const clock = new FakeClock();
  const { emits, sink } = record();
  const live = new LiveChart(sink, { ...base, minIntervalMs: 250, clock });
  live.push(0, { train: 1 });
  clock.t += 50;
  live.push(1, { train: 0.9 });
  assert.equal(emits.length, 1);
  assert.equal(clock.pending, 1, 'a redraw is scheduled');
  clock.advance(200);
  assert.equal(emits.length, 2, 'the timer emitted the pending point');
  assert.equal(points(emits[1].bundle).length, 2);
  clock.t += 10;
  live.push(2, { train: 0.8 });
  assert.equal(emits.length, 2);
  live.flush();
  assert.equal(emits.length, 3);
  assert.equal(emits[2].update, true);
  assert.deepEqual(points(emits[2].bundle).at(-1), { x: 2, y: 0.8 });
  assert.equal(clock.pending, 0, 'flush cancels the scheduled redraw');
  live.flush();
  assert.equal(emits.length, 3, 'flush with nothing new emits nothing');
});

test('LiveChart decimates long runs and each emit carries a PNG', () => {
  const clock = new FakeClock();
  const { emits, sink } = record();
  const live = new LiveChart(sink, { ...base, series: ['loss'], maxPoints: 200, logY: true, clock });
  for (let s = 0; s < 20_000; s++) live.push(s, { loss: 1 / (s + 1) });
  live.flush();
  const last = emits.at(-1)!.bundle;
  const data = points(last);
  assert.ok(data.length <= 200);
  assert.deepEqual(data.at(-1), { x: 19_999, y: 1 / 20_000 });
  assert.equal((last[CHART_MIME].options as any).scales.y.type, 'logarithmic');
  assert.ok(Buffer.from(last['image/png'] ?? '', 'base64').length > 1000);
});

test('LiveChart rejects unknown series and bad options with a clear message', () => {
  const live = new LiveChart(() => {}, { ...base, clock: new FakeClock() });
  assert.throws(() => live.push(0, { acc: 1 }), /unknown series 'acc'; the chart has 'train', 'test' \(add it to options.series\)/);
  assert.throws(() => live.push(NaN, { train: 1 }), /step must be a finite number/);
  assert.throws(() => new LiveChart(() => {}, { ...base, series: [] }), /options.series must be a non-empty list/);
  assert.throws(() => new LiveChart(() => {}, { ...base, minIntervalMs: -1 }), /minIntervalMs must be a finite number >= 0/);
  assert.throws(() => new LiveChart(null as any, base), /first argument must be a display handle \(display.handle\(\)\) or a function/);
});

test('LiveChart takes a display handle: mime(bundle) is called for the first emit and each update', () => {
  const clock = new FakeClock();
  const shown: ChartBundle[] = [];
  const live = new LiveChart({ mime: (b: ChartBundle) => shown.push(b) }, { ...base, minIntervalMs: 100, clock });
  live.push(0, { train: 1 });
  clock.t += 100;
  live.push(1, { train: 0.5 });
  assert.equal(shown.length, 2);
  assert.equal(points(shown[1]).length, 2);
});

test('while training the PNG copy is redrawn at most every pngIntervalMs; every emit has the current config; flush redraws it', () => {
  const clock = new FakeClock();
  const got: ChartBundle[] = [];
  const live = new LiveChart((b) => got.push(b), { ...base, minIntervalMs: 100, pngIntervalMs: 1000, clock });
  for (let s = 1; s <= 30; s++) { clock.t += 100; live.push(s, { train: 1 / s }); }
  const configPoints = (b: ChartBundle) =>
    (b['application/vnd.tram.chart+json'] as unknown as { data: { datasets: { data: unknown[] }[] } }).data.datasets[0].data.length;
  assert.ok(got.length >= 25, `emits: ${got.length}`);
  // the config is always current
  assert.equal(configPoints(got[got.length - 1]), 30);
  // the PNG is drawn on the first emit and then at most once a second of this 3-second loop (less when drawing
  // is slow: at least 50× its drawing time apart), not on every emit
  assert.ok(live.pngDraws >= 1 && live.pngDraws <= 4, `png draws: ${live.pngDraws}`);
  const distinct = new Set(got.map((b) => b['image/png'])).size;
  assert.equal(distinct, live.pngDraws);
  // flush draws the final state, whatever the interval
  const before = live.pngDraws;
  live.flush();
  assert.equal(live.pngDraws, before + 1);
  const final = got[got.length - 1];
  assert.equal(final['image/png'], live.bundle()['image/png']);
});
