#!/usr/bin/env node
/** The `tfsave` executable: runs {@link runCli} on the process arguments. */
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  stderrIsTTY: process.stderr.isTTY === true,
  env: process.env,
});
process.exitCode = code;
