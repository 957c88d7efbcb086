/**
 * The library's public entry: the notebook surface (kernel/notebook.ts). Sub-libraries are importable on their
 * own (kernel/core, kernel/optim, kernel/analysis, kernel/charts, kernel/data).
 */
export * from './notebook';
