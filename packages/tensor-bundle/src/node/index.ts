export * from './open.js';
export * from './atomic-sinks.js';
export * from './checkpoint-dir.js';
export * from './save.js';
export * from './file-sink.js';
