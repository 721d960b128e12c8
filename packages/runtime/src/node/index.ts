export * from './mnist.js';
export * from './tensor-set.js';
export * from './persistence.js';
export * from './model-checkpoint.js';
export * from './csv-logger.js';
export * from './backup-and-restore.js';
