// Source of notebooks/09-experiments.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # The paper's claims at small scale: results
//
// **What you will learn**
// - how the methods compare on two real transfer tasks when the paper's protocol is run at a size this machine
//   handles: pre-train, fine-tune on one domain, select the checkpoint on in-domain validation loss only, evaluate
//   zero-shot on shifted domains, several seeds, a paired t-test against Adam;
// - the miniature versions of the paper's Table 5 (accuracy) and Table 6 (ε-sharpness, CKA with the pre-trained model);
// - where the results agree with the paper and where they do not.
//
// This notebook only *reads* the committed results (`notebooks/results/full/`); `npm run experiments -- --full`
// regenerates them (about half an hour on two cores) and `docs/experiments.md` describes the setup.
// %%
const fs: typeof import('fs') = require('fs');
const path: typeof import('path') = require('path');
function findResults(): string {
  let dir = process.cwd();
  for (let i = 0; i < 6; i++) {
    for (const rel of ['notebooks/results/full/summary.json', 'results/full/summary.json']) {
      const f = path.join(dir, rel);
      if (fs.existsSync(f)) return f;
    }
    dir = path.dirname(dir);
  }
  throw new Error('notebooks/results/full/summary.json not found: run `npm run experiments -- --full` from the repository root');
}
const file = findResults();
const results: any = JSON.parse(fs.readFileSync(file, 'utf8'));
display.markdown([
  `**Command:** \`${results.command}\` · **seeds:** ${results.seeds.join(', ')} · data split seed ${results.dataSeed} · pre-training seed ${results.pretrainSeed}`,
  `**Implementation:** ${results.implementation ?? 'kernel/optim'} · backend ${results.environment.backend}, TensorFlow.js ${results.environment.tfjs}, ${results.environment.cpus} CPUs · wall time ${(results.seconds / 60).toFixed(1)} min${results.finished ? '' : ' (**unfinished run**)'}`,
].join('\n\n'));
// %% [markdown]
// ## Accuracy (Table 5 in miniature)
// Mean ± sd over seeds, in %. Δ is the paired mean difference against Adam on the zero-shot average, with the
// two-sided paired t-test p-value (same seeds: same batches and noise seeds for every method): Holm-adjusted
// within the task (12 methods against Adam), raw p beside it; * marks Holm p < 0.05.
// %%
const pct = (m: { mean: number; sd: number }) => `${(100 * m.mean).toFixed(1)} ± ${(100 * m.sd).toFixed(1)}`;
const pval = (p: number) => (Number.isNaN(p) ? '—' : p < 0.001 ? '< 0.001' : p.toFixed(3));
for (const task of results.tasks) {
  const domains = Object.keys(task.summary[0].domainAccuracy);
  const head = `| method | in-domain | ${domains.join(' | ')} | zero-shot avg | Δ zero-shot vs Adam (Holm p; raw p) |`;
  const lines = task.summary.map((m: any) => {
    const z = m.vsBaseline?.zeroShotAccuracy;
    const v = z ? `${(100 * z.diff).toFixed(2)} (Holm p ${pval(z.pHolm)}${z.pHolm < 0.05 ? '*' : ''}; raw ${pval(z.p)})` : '—';
    return `| ${m.method} | ${pct(m.inDomainAccuracy)} | ${domains.map((d) => pct(m.domainAccuracy[d])).join(' | ')} | ${pct(m.zeroShotAccuracy)} | ${v} |`;
  });
  const pre = task.pretrained;
  display.markdown([`### ${task.name}: ${task.description}`, '', `Pre-trained model before fine-tuning: in-domain ${(100 * pre.inDomain.accuracy).toFixed(1)} %, zero-shot ${(100 * pre.zeroShotAccuracy).toFixed(1)} %.`, '', head, `|${'---|'.repeat(domains.length + 4)}`, ...lines].join('\n'));
  const paired = task.summary.filter((m: any) => m.vsBaseline);
  display(barChart({
    title: `${task.name}: accuracy minus Adam's on the same seeds`, xLabel: 'method', yLabel: 'Δ accuracy vs Adam (points)',
    labels: paired.map((m: any) => m.method),
    series: [
      { name: 'in-domain test', values: paired.map((m: any) => 100 * m.vsBaseline.inDomainAccuracy.diff) },
      { name: 'zero-shot average', values: paired.map((m: any) => 100 * m.vsBaseline.zeroShotAccuracy.diff) },
    ],
  }));
  display(scatterChart({
    title: `${task.name}: in-domain vs zero-shot accuracy (mean over seeds)`,
    xLabel: 'in-domain test accuracy (%)', yLabel: 'zero-shot accuracy (%)', pointRadius: 6,
    series: task.summary.map((m: any) => ({ name: m.method, x: [100 * m.inDomainAccuracy.mean], y: [100 * m.zeroShotAccuracy.mean] })),
  }));
}
// %% [markdown]
// ## Flatness and forgetting (Table 6 in miniature)
// ε-sharpness (ε = 1e-3, lower is flatter) of the selected checkpoint, in-domain (validation set) and averaged over the
// shifted domains; linear CKA between fine-tuned and pre-trained penultimate features (higher = less forgetting);
// the ascent radius (d for TRAM) over all steps, and the share of steps with radius above ASAM's ρ = 0.5.
// %%
const ms = (m: { mean: number; sd: number }, k = 2) => `${m.mean.toFixed(k)} ± ${m.sd.toFixed(k)}`;
for (const task of results.tasks) {
  display.markdown([`### ${task.name}`, '', '| method | ε-sharpness in-domain | ε-sharpness zero-shot | CKA in-domain | CKA zero-shot | mean radius | max radius | steps with radius > 0.5 |', '|---|---|---|---|---|---|---|---|',
    ...task.summary.map((m: any) => `| ${m.method} | ${ms(m.inDomainSharpness)} | ${ms(m.zeroShotSharpness)} | ${ms(m.inDomainCka, 3)} | ${ms(m.zeroShotCka, 3)} | ${m.radius.mean.toExponential(2)} | ${m.radius.max.toExponential(2)} | ${(100 * m.radius.fractionAbove['0.5']).toFixed(1)} % |`)].join('\n'));
  display(barChart({
    title: `${task.name}: ε-sharpness (lower is flatter)`, xLabel: 'method', yLabel: 'ε-sharpness',
    labels: task.summary.map((m: any) => m.method),
    series: [{ name: 'in-domain', values: task.summary.map((m: any) => m.inDomainSharpness.mean) }, { name: 'zero-shot average', values: task.summary.map((m: any) => m.zeroShotSharpness.mean) }],
  }));
}
// %% [markdown]
// ## Reading the results
// `docs/experiments.md` states which of the paper's claims (its §5 list) these numbers support and which they do not.
// Differences of a few tenths of a point between methods are within seed noise unless the paired test says otherwise.
//
// ## What to try next
// - `npm run experiments -- --quick` runs the same protocol in about a minute with 2 seeds.
// - `npm run experiments -- --full --methods Adam,TRAM-x --seeds 1,2,3,4,5,6,7,8,9,10` adds seeds for one comparison.
// - The charts of every run are in `notebooks/results/full/*.png`.
