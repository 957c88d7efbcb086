/**
 * The two transfer tasks, each built as the paper's protocol needs it: a pre-training set, a fine-tuning domain
 * (train / in-domain validation / in-domain test) and zero-shot test sets from shifted domains.
 *
 * - digits (vision): pre-train on upright digits; fine-tune on digits rotated by 30°; zero-shot on upright,
 *   60°, −30° and thick-stroked 30° digits. The test digits are the same 1,000 (or fewer) source images in
 *   every domain, as XNLI's test set is the same sentences in every language. All splits are disjoint.
 * - spam (text): pre-train a ham/spam classifier on the 2002 corpus (easy-ham-1, spam-1); fine-tune on the
 *   2003 corpus (easy-ham-2, spam-2); zero-shot on held-out 2002 mail and on the "hard ham" sub-corpus (ham
 *   that resembles spam) mixed with held-out 2002 spam.
 */
import { Dataset } from './data/dataset';
import { loadDigits, digitsDataset, rotated, thickRotated } from './data/mnist';
import { loadEmails, emailDataset, SpamGroup } from './data/spam';
import { MlpShape } from './model';
import { Rng } from './rng';

export interface Task {
  readonly name: string;
  readonly description: string;
  readonly shape: MlpShape;
  readonly pretrain: Dataset;
  readonly train: Dataset;
  readonly val: Dataset;
  /** In-domain test set. */
  readonly test: Dataset;
  /** Zero-shot test sets from shifted domains. */
  readonly shifted: Dataset[];
}

export interface TaskSizes {
  readonly pretrain: number;
  readonly train: number;
  readonly val: number;
  readonly test: number;
}

/** Split seed: the data splits are the same in every run and for every method. */
export const DATA_SEED = 2024;

/** `dataSeed` fixes the split (default {@link DATA_SEED}; `--vary-pretrain` uses DATA_SEED + run seed). */
export function digitsTask(sizes: TaskSizes, dataSeed = DATA_SEED): Task {
  const digits = loadDigits();
  const order = new Rng(dataSeed).shuffle(digits.map((_, i) => i));
  const need = sizes.pretrain + sizes.train + sizes.val + sizes.test;
  if (need > order.length) throw new Error(`digits task needs ${need} digits but the mnist package has ${order.length}`);
  let at = 0;
  const take = (n: number) => order.slice(at, (at += n));
  const pre = take(sizes.pretrain);
  const tr = take(sizes.train);
  const va = take(sizes.val);
  const te = take(sizes.test);
  const fine = rotated(30);
  return {
    name: 'digits',
    description: 'MNIST digits: pre-train upright, fine-tune rotated 30°, zero-shot on 0°, 60°, −30°, thick 30°',
    shape: { inputs: 784, hidden: [128, 64], classes: 10, noiseAt: 'input' },
    pretrain: digitsDataset(digits, pre, rotated(0)),
    train: digitsDataset(digits, tr, fine),
    val: digitsDataset(digits, va, fine),
    test: digitsDataset(digits, te, fine),
    shifted: [rotated(0), rotated(60), rotated(-30), thickRotated(30)].map((dom) => digitsDataset(digits, te, dom)),
  };
}

export const SPAM_FEATURES = 1024;

export function spamTask(sizes: TaskSizes, dataSeed = DATA_SEED): Task {
  const emails = loadEmails();
  const rng = new Rng(dataSeed);
  const byGroup = (g: SpamGroup) => rng.shuffle(emails.map((e, i) => (e.group === g ? i : -1)).filter((i) => i >= 0));
  const ham1 = byGroup('easy-ham-1');
  const spam1 = byGroup('spam-1');
  const ham2 = byGroup('easy-ham-2');
  const spam2 = byGroup('spam-2');
  const hard = byGroup('hard-ham-1');
  // 2002: pre-training (5 ham : 1 spam, the corpus ratio), then held-out 2002 mail for the zero-shot sets
  const preSpam = Math.round(sizes.pretrain / 6);
  const pre = [...ham1.slice(0, sizes.pretrain - preSpam), ...spam1.slice(0, preSpam)];
  const heldHam1 = ham1.slice(sizes.pretrain - preSpam, sizes.pretrain - preSpam + 250);
  const heldSpam1 = spam1.slice(preSpam);
  const half = Math.floor(heldSpam1.length / 2);
  // 2003: ham and spam in equal numbers, split into train / val / test
  const fine = rng.shuffle([...ham2, ...spam2].map((i) => i));
  let at = 0;
  const take = (n: number) => fine.slice(at, (at += n));
  const tr = take(sizes.train);
  const va = take(sizes.val);
  const te = take(sizes.test);
  const ds = (name: string, idx: number[]) => emailDataset(name, emails, rng.shuffle(idx), SPAM_FEATURES);
  return {
    name: 'spam',
    description: 'SpamAssassin ham/spam: pre-train on 2002 mail, fine-tune on 2003 mail, zero-shot on held-out 2002 and hard ham',
    shape: { inputs: SPAM_FEATURES, hidden: [64, 32], classes: 2, noiseAt: 'embedding' },
    pretrain: ds('2002', pre),
    train: ds('2003', tr),
    val: ds('2003', va),
    test: ds('2003', te),
    shifted: [ds('2002-heldout', [...heldHam1, ...heldSpam1.slice(0, half)]), ds('hard-ham+2002-spam', [...hard, ...heldSpam1.slice(half)])],
  };
}
