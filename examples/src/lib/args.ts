/** Command-line options of the tutorial: `--quick`, `--out DIR`, `--no-verify`, `--help`. */

/** Parsed options. */
export interface TutorialOptions {
  /** Short run: a few epochs per step, the same steps and artifact names. Default false. */
  readonly quick: boolean;
  /** Folder all artifacts go to. Default `./tutorial-output`. */
  readonly out: string;
  /** Run step 9 (Python loads every artifact). Default true. */
  readonly verify: boolean;
  readonly help: boolean;
}

/** Usage text. */
export const USAGE = `usage: npm run example -- [--quick] [--out DIR] [--no-verify]

  --quick      a short run: a few epochs per step (same steps, same artifact names)
  --out DIR    where every artifact is written (default ./tutorial-output)
  --no-verify  skip step 9 (Python TensorFlow/Keras loading every artifact)`;

/**
 * Parses `argv` (without the node and script entries).
 * @throws Error for unknown options or `--out` without a value.
 */
export function parseArgs(argv: readonly string[]): TutorialOptions {
  let quick = false;
  let out = './tutorial-output';
  let verify = true;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--no-verify') verify = false;
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--out' || a.startsWith('--out=')) {
      const v = a === '--out' ? argv[++i] : a.slice('--out='.length);
      if (v === undefined || v === '') throw new Error('--out needs a directory');
      out = v;
    } else {
      throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  return { quick, out, verify, help };
}
