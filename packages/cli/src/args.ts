/**
 * A small command-line parser: `--name value`, `--name=value`, boolean
 * `--flag` / `--no-flag`, one-letter aliases (`-h`) and `--` to end options.
 */
import { UsageError } from './cli-error.js';

/** How one option is parsed. */
export interface OptionSpec {
  /** `boolean` takes no value; `string` and `number` take one. */
  readonly type: 'boolean' | 'string' | 'number';
  /** A one-letter alias, without the dash. */
  readonly short?: string;
  /** Placeholder shown in help, e.g. `NAME`. */
  readonly value?: string;
  /** One-line description for help. */
  readonly help: string;
  /** Default shown in help and used when the option is absent. */
  readonly default?: string | number | boolean;
}

/** The parsed command line of one command. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Record<string, string | number | boolean>;
}

/**
 * Parses `argv` (after the command name) against `specs`.
 * @throws UsageError for unknown options, missing or malformed values.
 */
export function parseArgs(argv: readonly string[], specs: Readonly<Record<string, OptionSpec>>, command: string): ParsedArgs {
  const positionals: string[] = [];
  const options: Record<string, string | number | boolean> = {};
  for (const [name, spec] of Object.entries(specs)) if (spec.default !== undefined) options[name] = spec.default;
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short !== undefined) byShort.set(spec.short, name);
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i++]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      if (arg.length !== 2) throw new UsageError(`unknown option ${arg}`, command);
      const long = byShort.get(arg.slice(1));
      if (long === undefined) throw new UsageError(`unknown option ${arg}`, command);
      name = long;
    }
    let spec = specs[name];
    if (spec === undefined && name.startsWith('no-') && specs[name.slice(3)]?.type === 'boolean') {
      options[name.slice(3)] = false;
      continue;
    }
    if (spec === undefined) {
      const near = closest(name, Object.keys(specs));
      throw new UsageError(`unknown option --${name}${near === undefined ? '' : ` (did you mean --${near}?)`}`, command);
    }
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`, command);
      options[name] = true;
      continue;
    }
    const raw = inline ?? argv[i++];
    if (raw === undefined) throw new UsageError(`option --${name} needs a value`, command);
    if (spec.type === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`option --${name} needs a number, got ${JSON.stringify(raw)}`, command);
      options[name] = n;
    } else {
      options[name] = raw;
    }
    spec = undefined;
  }
  return { positionals, options };
}

/** Reads an option as a string, or undefined. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}

/** Reads an option as a number (options of type `number` always are). */
export function numberOption(args: ParsedArgs, name: string, fallback: number): number {
  const v = args.options[name];
  return typeof v === 'number' ? v : fallback;
}

/** True when a boolean option is set. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}

function closest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const n of names) {
    const d = editDistance(name, n);
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
