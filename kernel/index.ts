export * from './optim';
