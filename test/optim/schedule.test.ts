/**
 * Radius schedules (ρ, γ) and TRAM's scale schedule: values against hand-computed formulas, the radius each step
 * uses, JSON round-trip of named schedules, and getConfig refusing functions.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError, createOptimizer, fromConfig, normalizeSchedule, scheduleValue } from '../../kernel/optim';
import { batch, disposeBatch, mlp, useBackend } from './fixtures';

const close = (a: number | undefined, b: number, tol = 1e-6) => assert.ok(a !== undefined && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('schedules', () => {
  before(async () => {
    assert.ok(await useBackend('cpu'));
  });

  it('linear, cosine and step values at hand-computed points', () => {
    const lin = { kind: 'linear', start: 0.1, end: 0.01, steps: 4 } as const;
    [0.1, 0.0775, 0.055, 0.0325, 0.01, 0.01].forEach((v, t) => close(scheduleValue(lin, t, 'rho'), v, 1e-12));
    const cos = { kind: 'cosine', start: 1, end: 0, steps: 4 } as const;
    [1, 0.8535533905932737, 0.5, 0.14644660940672627, 0, 0].forEach((v, t) => close(scheduleValue(cos, t, 'rho'), v, 1e-12));
    const st = { kind: 'step' as const, boundaries: [2, 5], values: [1, 0.5, 0.1] };
    [1, 1, 0.5, 0.5, 0.5, 0.1, 0.1].forEach((v, t) => assert.equal(scheduleValue(st, t, 'rho'), v));
  });

  it('bad schedules are refused with the problem named', () => {
    assert.throws(() => normalizeSchedule('rho', { kind: 'linear', start: 1, end: 0, steps: 0 }, ''), /rho.steps must be a positive integer/);
    assert.throws(() => normalizeSchedule('rho', { kind: 'step', boundaries: [3, 2], values: [1, 2, 3] }, ''), /increasing/);
    assert.throws(() => normalizeSchedule('rho', { kind: 'step', boundaries: [3], values: [1] }, ''), /one more value than boundaries/);
    assert.throws(() => normalizeSchedule('rho', { kind: 'linear', start: -1, end: 0, steps: 3 }, ''), /rho.start must be >= 0/);
    assert.throws(() => normalizeSchedule('rho', { kind: 'exp' }, ''), /rho.kind must be one of 'linear', 'cosine', 'step'/);
    assert.throws(() => scheduleValue(() => -1, 3, 'radius'), /returned -1 at step 3/);
  });

  it('SAM with a ρ schedule uses ρ(t) each step (‖ε‖ = ρ(t)); the named schedule round-trips through JSON', () => {
    const b = batch(8);
    const rho = { kind: 'cosine', start: 0.2, end: 0.02, steps: 3 } as const;
    const run = (opt: ReturnType<typeof createOptimizer>) => {
      const model = mlp({ seed: 91 });
      const rs = [0, 1, 2, 3, 4].map(() => opt.step(model, b));
      model.dispose();
      return rs;
    };
    const o = createOptimizer({ name: 'sam', rho }, tf.train.sgd(0.1));
    const again = fromConfig(JSON.parse(JSON.stringify(o.getConfig())));
    const rs = run(o);
    const rs2 = run(again);
    rs.forEach((r, t) => {
      const want = 0.02 + (0.18 * (1 + Math.cos((Math.PI * Math.min(t, 3)) / 3))) / 2;
      close(r.radius, want);
      close(r.perturbationNorm, want, 1e-5);
      assert.equal(rs2[t].radius, r.radius);
    });
    [o, again].forEach((x) => x.dispose());
    disposeBatch(b);
  });

  it('TRAM with a scale schedule uses radius = d · scale(t); Fisher-SAM with a γ step schedule', () => {
    const b = batch(8);
    const model = mlp({ seed: 92 });
    const tram = createOptimizer({ name: 'tram', target: 'x', scale: { kind: 'step', boundaries: [2], values: [1, 4] }, noise: { kind: 'gaussian', sigma: 0.3 } }, tf.train.sgd(0.1));
    [1, 1, 4, 4].forEach((s) => {
      const r = tram.step(model, b);
      close(r.radius, (r.divergence as number) * s);
    });
    const fisher = createOptimizer({ name: 'fisher-sam', gamma: { kind: 'linear', start: 0.1, end: 0.3, steps: 2 } }, tf.train.sgd(0.1));
    [0.1, 0.2, 0.3, 0.3].forEach((g) => close(fisher.step(model, b).radius, g));
    [tram, fisher].forEach((x) => x.dispose());
    model.dispose();
    disposeBatch(b);
  });

  it('a function schedule trains, but getConfig refuses it and names the fix', () => {
    const b = batch(8);
    const model = mlp({ seed: 93 });
    const o = createOptimizer({ name: 'asam', rho: (t: number) => 0.5 / (t + 1) }, tf.train.sgd(0.1));
    close(o.step(model, b).radius, 0.5);
    close(o.step(model, b).radius, 0.25);
    assert.throws(() => o.getConfig(), (e: Error) => e instanceof OptimConfigError && /cannot serialise 'rho': it is a function/.test(e.message) && /kind: 'linear'/.test(e.message));
    o.dispose();
    model.dispose();
    disposeBatch(b);
  });
});
