export { loadDigits } from './digits';
export { pretrainedDigitsTask } from './task';
export type { DigitsTask, DigitsTaskOptions, FineTuneOptions } from './task';
