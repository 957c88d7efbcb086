/** The two run sizes: `--quick` (CI, a minute or two) and `--full` (the committed results). */
import type { ProtocolSettings } from './protocol';
import type { TaskSizes } from './tasks';

export type Mode = 'quick' | 'full';

export interface ModeSettings {
  readonly seeds: number[];
  readonly protocol: ProtocolSettings;
  readonly digits: TaskSizes;
  readonly spam: TaskSizes;
}

const FULL: ModeSettings = {
  seeds: [1, 2, 3, 4, 5],
  protocol: {
    pretrainEpochs: 5,
    pretrainLr: 1e-3,
    fineTuneEpochs: 6,
    lr: 1e-3,
    batchSize: 32,
    sharpness: { epsilon: 1e-3, steps: 10, samples: 256 },
    ckaSamples: 500,
  },
  digits: { pretrain: 5000, train: 1500, val: 500, test: 1000 },
  spam: { pretrain: 1800, train: 1000, val: 400, test: 800 },
};

/** The quick setting: the full protocol with fewer seeds, epochs, examples and sharpness steps. */
const QUICK: ModeSettings = {
  seeds: [1, 2],
  protocol: { ...FULL.protocol, pretrainEpochs: 3, fineTuneEpochs: 2, sharpness: { epsilon: 1e-3, steps: 4, samples: 128 }, ckaSamples: 200 },
  digits: { pretrain: 2000, train: 400, val: 200, test: 300 },
  spam: { pretrain: 900, train: 300, val: 150, test: 300 },
};

export const MODES: Record<Mode, ModeSettings> = { full: FULL, quick: QUICK };
