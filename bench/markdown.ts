/** The markdown report of one run (written beside its JSON). */
import { methods, referenceMethods } from './methods';
import type { Results } from './results';
import { editorTable } from './editor';

const f = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const ms = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2);
const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(1)} %`);

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function toMarkdown(r: Results): string {
  const m = r.meta;
  const out: string[] = [];
  out.push(`# Benchmark run ${m.date}${m.quick ? ' (quick)' : ''}`, '');
  if (r.pytorch && !r.pytorch.available) out.push(`**PyTorch was not measured in this run**: ${r.pytorch.reason}`, '');
  out.push(`- command: \`${m.command}\``);
  out.push(`- machine: ${m.machine.cpu}, ${m.machine.cores} cores, ${m.machine.memoryGiB} GiB, ${m.machine.platform}; GPU: ${m.machine.gpu ?? 'none'}`);
  out.push(`- load average (1 min) at start ${m.machine.loadAtStart ?? '?'}, at end ${m.loadAtEnd ?? '?'} (above ${m.machine.cores}, other processes shared the cores: ratios are paired by round for that reason)`);
  out.push(`- node ${m.machine.node}; ${Object.entries(m.versions).map(([k, v]) => `${k} ${v ?? 'not installed'}`).join(', ')}`);
  out.push(`- git: ${m.git ?? 'unknown'}; duration ${m.durationS?.toFixed(0) ?? '?'} s` +
    (m.sectionsS ? ` (${Object.entries(m.sectionsS).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')})` : ''));
  out.push(`- backends measured: ${m.backends.measured.join(', ') || 'none'}`);
  for (const [b, why] of Object.entries(m.backends.skipped)) out.push(`- not measured: ${b}: ${why}`);
  for (const n of m.notes) out.push(`- ${n}`);
  out.push('');

  if (r.goals.length) {
    out.push('## Goals', '');
    out.push(...table(['goal', 'where', 'measured', 'limit', 'met'],
      r.goals.map((g) => [g.goal, g.where, f(g.value, 3), f(g.limit, 3), g.met ? 'yes' : '**no**'])));
    out.push('');
  }

  if (r.stepCost.length) {
    out.push('## Step cost', '');
    out.push(`Clock: ${[...new Set(r.stepCost.map((s) => `${s.clock === 'cpu' ? 'process CPU time' : 'wall time'} on ${s.backend}`))].join(', ')}.`, '');
    out.push('Median ms per step, and in brackets the paired ratio to the base optimizer (Adam through the library)',
      'measured in the same rounds. `tf.train.adam` is bare tfjs without the library.', '');
    const all = [...methods, ...referenceMethods];
    const labels = Object.fromEntries(all.map((x) => [x.id, x.label]));
    for (const backend of [...new Set(r.stepCost.map((s) => s.backend))]) {
      const rows = r.stepCost.filter((s) => s.backend === backend);
      const ids = all.map((x) => x.id).filter((id) => rows.some((s) => id in s.ms));
      out.push(`**${backend}**`, '');
      out.push(...table(['method', ...rows.map((s) => `${s.model} (batch ${s.batch})`)],
        ids.map((id) => [labels[id], ...rows.map((s) => (id in s.ms ? `${ms(s.ms[id])} (${f(s.vsBase[id])}×)` : '—'))])));
      out.push('');
    }
    const ids = methods.map((x) => x.id);
    out.push('', '### Ratios', '');
    const tids = ids.filter((id) => id.startsWith('tram-') && id !== 'tram-fisher');
    out.push(...table(['backend', 'model', 'SAM/base', ...tids.map((id) => `${labels[id]}/ASAM`), 'TRAM-Fisher/Fisher-SAM',
      'floor TRAM/ASAM', 'floor SAM/base', 'forward ms', 'fwd+bwd ms'],
    r.stepCost.map((s) => [s.backend, s.model, f(s.vsBase.sam), ...tids.map((id) => f(s.tramOverAsam[id])),
      f(s.tramFisherOverFisherSam), f(s.passes.floorTramOverAsam), f(s.passes.floorSamOverBase),
      ms(s.passes.forwardMs), ms(s.passes.forwardBackwardMs)])));
    const extra = [...new Set(r.stepCost.flatMap((s) => Object.keys(s.extraRatios ?? {})))];
    if (extra.length) {
      out.push('', ...table(['backend', 'model', ...extra], r.stepCost.map((s) => [s.backend, s.model, ...extra.map((k) => f(s.extraRatios?.[k]))])));
    }
    out.push('', 'The floors come from the measured pass costs F (forward, no tape) and FB (forward + backward) of the same',
      'model and batch, with U = base − FB: TRAM/ASAM ≥ (2FB + F + U)/(2FB + U), SAM/base ≥ (2FB + U)/(FB + U).', '');
    out.push('### Passes, counted', '',
      'MatMul-type kernels (matMul, conv) one step runs, divided by those of one forward pass of the same model:',
      'a forward pass is 1, a backward pass about 2 (1 to 2: the first layer needs no input gradient). Counted with',
      '`tf.profile`, so free of timing noise. Total kernels in brackets.', '');
    out.push(...table(['method', ...r.stepCost.map((s) => `${s.backend} ${s.model}`)],
      [...methods, ...referenceMethods].filter((m) => r.stepCost.some((s) => s.kernels?.[m.id])).map((m) => [m.label,
        ...r.stepCost.map((s) => (s.kernels?.[m.id] ? `${f(s.kernels[m.id].matMul / s.kernels.forward.matMul)} (${s.kernels[m.id].total})` : '—'))])));
    out.push('', 'Where one TRAM-x step spends its kernel time (tf.profile, mean of 3 steps, ms):', '');
    out.push(...table(['backend', 'model', 'largest kernels'], r.stepCost.filter((s) => s.kernels?.['tram-x']).map((s) => [s.backend, s.model,
      Object.entries(s.kernels['tram-x'].timeMs).map(([n, t]) => `${n} ${ms(t)}`).join(', ')])));
    out.push('');
    // #13: how much of a step is kernels at all. Step ms is the interleaved median above (process CPU time on wasm
    // and cpu, wall time on native); kernel ms is the sum of tf.profile's per-kernel times of one step.
    const anatomy = ['base', 'base-flat', 'tfjs-adam', 'sam', 'asam', 'tram-x', 'tram-x-flat'];
    out.push('### Step anatomy: eager kernels and kernel time', '',
      'Per step: eager kernels run (each one a trip through the tfjs engine), kernel time (sum of `tf.profile`\'s',
      'per-kernel times; `tf.time`\'s kernelMs is the whole step on wasm and native, so it cannot separate them), the',
      'step\'s median time above, and step / kernel: 1 would mean no overhead outside the kernels.', '');
    out.push(...table(['backend', 'model', 'method', 'kernels', 'kernel ms', 'step ms', 'step / kernel'],
      r.stepCost.flatMap((s) => anatomy.filter((id) => s.kernels?.[id]?.kernelMs !== undefined && s.ms[id] !== undefined).map((id) => [
        s.backend, s.model, id, String(Math.round(s.kernels[id].total)), ms(s.kernels[id].kernelMs), ms(s.ms[id]), f(s.ms[id] / (s.kernels[id].kernelMs as number))]))));
    out.push('');
    const leaks = r.stepCost.flatMap((s) => Object.entries(s.tensorGrowth).filter(([, g]) => g !== 0).map(([id, g]) => `${s.backend} ${s.model} ${id}: ${g}`));
    out.push(leaks.length ? `numTensors grew during the measured steps: ${leaks.join('; ')}` : 'numTensors did not change over the measured steps of any method.', '');
    out.push('Models:', '', ...[...new Map(r.stepCost.map((s) => [s.model, s])).values()].map((s) => `- ${s.model}: ${s.description}, ${s.params} parameters`), '');
  }

  if (r.backendSpeed) {
    const b = r.backendSpeed;
    out.push('## Backend speed', '', `${b.model}, batch ${b.batch}. Median ms per step:`, '');
    out.push(...table(['backend', 'ms'], Object.entries(b.ms).map(([k, v]) => [k, ms(v)])));
    out.push('', ...table(['ratio', 'value'], Object.entries(b.ratios).map(([k, v]) => [k, f(v)])));
    for (const n of b.notes) out.push('', n);
    out.push('');
  }

  if (r.pytorch) {
    const p = r.pytorch;
    out.push('## Side by side with PyTorch', '');
    if (!p.available) out.push(`Not run: ${p.reason}`, '');
    else {
      out.push(`PyTorch ${p.torch} on CPU (${p.python ?? 'python'}), at the threads of our side: 1 beside the single-threaded wasm`,
        'backend; beside native TensorFlow both at all cores, and both at 1 thread (TF_NUM_INTRAOP_THREADS=1, in a child process).',
        'Same model, batch size and method, interleaved round by round. Clock: process CPU time at 1 thread (the work done,',
        'whatever else runs on the machine), wall time at all cores (which the load average above inflates).', '');
      out.push(...table(['backend', 'threads', 'clock', 'model', 'batch', 'method', 'ours ms', 'PyTorch ms', 'ours / PyTorch'],
        p.rows.map((x) => [x.backend, String(x.threads ?? 1), x.clock ?? '', x.model, String(x.batch), x.method, ms(x.oursMs), ms(x.torchMs), f(x.ratio)])));
      out.push('');
      if (p.matMul?.length) {
        out.push('One matrix product alone, ours vs `torch.mm`, interleaved: the MLP\'s first layer, and [1,1]·[1,1], which is',
          'all dispatch (what one eager op costs beside its arithmetic):', '');
        out.push(...table(['backend', 'threads', 'clock', 'product', 'ours ms', 'torch.mm ms', 'ours / PyTorch'],
          p.matMul.map((x) => [x.backend, String(x.threads ?? 1), x.clock ?? '', x.shape, ms(x.oursMs), ms(x.torchMs), f(x.ratio)])));
        out.push('');
      }
    }
  }

  if (r.kernel) {
    const k = r.kernel;
    out.push('## Kernel', '');
    out.push(...table(['figure', 'value'], [
      ['cold start to first result', k.coldStartMs === undefined ? '—' : `${ms(k.coldStartMs)} ms`],
      ['trivial cell round trip (median)', k.trivialCellMs === undefined ? '—' : `${ms(k.trivialCellMs)} ms (p90 ${ms(k.trivialCellP90Ms)} ms)`],
      ['cell declaring a variable (median)', k.declareCellMs === undefined ? '—' : `${ms(k.declareCellMs)} ms`],
      ['chart render (PNG 800×500, ' + (k.chartPoints ?? '?') + ' points)', k.chartRenderMs === undefined ? '—' : `${ms(k.chartRenderMs)} ms`],
      ['training loop slowed by a progress bar', k.display ? `${pct(k.display.progressOverhead)} (${ms(k.display.plainMs)} → ${ms(k.display.progressMs)} ms/step, ${k.display.progressMessages} display messages)` : '—'],
      ['training loop slowed by a live loss chart', k.display ? `${pct(k.display.liveChartOverhead)} (${ms(k.display.plainMs)} → ${ms(k.display.liveChartMs)} ms/step, ${k.display.liveChartEmits} redraws with PNG)` : '—'],
    ]));
    for (const n of k.kernelNotes) out.push('', n);
    out.push('');
  }

  if (r.editor) {
    const e = r.editor;
    out.push('## Editor (IntelliSense in cells)', '',
      `The types process over IPC as the extension asks it (bench/editor.ts): a ${e.cells}-cell notebook, ${e.rounds} rounds, wall clock, ms.`,
      `Cold: ready ${ms(e.readyMs)} ms after the process started, first squiggles of every cell ${ms(e.firstCheckMs)} ms, then the first completion ${ms(e.firstCompletionMs)} ms.`, '');
    out.push(...table(['figure', 'p50 / p95 / max ms'], editorTable(e)));
    for (const n of e.notes) out.push('', n);
    out.push('');
  }

  if (r.memory) {
    const x = r.memory;
    out.push('## Memory', '', `${x.steps} steps after ${x.warmup} warm-up steps, ${x.model}, ${x.backend}, in a fresh process; every reading after a garbage collection.`, '');
    out.push(...table(['figure', 'start', 'end', 'change'], [
      ['tf.memory().numTensors', String(x.numTensorsStart), String(x.numTensorsEnd), String(x.numTensorsEnd - x.numTensorsStart)],
      ['RSS MiB', f(x.rssStartMiB, 1), f(x.rssEndMiB, 1), pct(x.rssGrowth)],
    ]));
    out.push('', `RSS along the run (step: MiB): ${x.rssTrace.map(([s, v]) => `${s}: ${v}`).join(', ')}`, '');
  }

  if (r.growth.length) {
    out.push('## How cost grows', '');
    for (const g of r.growth) {
      out.push(`${g.backend}, ${g.method} vs base, against ${g.axis === 'batch' ? 'batch size (MLP width 256)' : 'hidden width (MLP 784-w-w-10, batch 64)'}:`, '');
      out.push(...table([g.axis, 'base ms', `${g.method} ms`, 'ratio'], g.points.map((p) => [String(p.value), ms(p.baseMs), ms(p.tramMs), f(p.ratio)])));
      out.push('');
    }
  }
  return out.join('\n') + '\n';
}
