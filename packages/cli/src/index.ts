/**
 * `@tfsave/cli`: the `tfsave` command as a library — {@link runCli} runs it
 * with injectable IO; the pieces (argument parser, format sniffing, the
 * entries model, tensor summaries and comparison) are exported for reuse.
 */
export * from './cli.js';
export * from './cli-error.js';
export * from './args.js';
export * from './commands-spec.js';
export * from './context.js';
export * from './model.js';
export * from './sniff.js';
export * from './locate.js';
export * from './values.js';
export * from './compare.js';
export * from './progress.js';
export * from './find-entry.js';
export * from './convert/targets.js';
export * from './convert/tf-keras-optimizer.js';
