import { utf8Decode, utf8Encode } from '@tfsave/core';
import { E } from './errors.js';

/** The `checkpoint` state file (a text-format `CheckpointState`), wire names kept. */
export interface CheckpointState {
  readonly model_checkpoint_path: string;
  readonly all_model_checkpoint_paths: readonly string[];
  readonly all_model_checkpoint_timestamps: readonly number[];
  readonly last_preserved_timestamp?: number | undefined;
}

/** Name of the state file inside a checkpoint directory. */
export const CHECKPOINT_STATE_FILENAME = 'checkpoint';

function unescape(body: string, path?: string): string {
  const bytes: number[] = [];
  const src = utf8Encode(body);
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c !== 0x5c) {
      bytes.push(c);
      continue;
    }
    const n = src[++i];
    if (n === undefined) throw E.malformed('checkpoint state string ends in a backslash', 'state-syntax', { path });
    const ch = String.fromCharCode(n);
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, "'": 39, '\\': 92, a: 7, b: 8, f: 12, v: 11, '?': 63 };
    if (simple[ch] !== undefined) bytes.push(simple[ch]);
    else if (n >= 0x30 && n <= 0x37) {
      let v = n - 0x30;
      for (let k = 0; k < 2 && src[i + 1]! >= 0x30 && src[i + 1]! <= 0x37; k++) v = v * 8 + (src[++i]! - 0x30);
      bytes.push(v & 0xff);
    } else if (ch === 'x') {
      let v = 0;
      let k = 0;
      while (k < 2 && /[0-9a-fA-F]/.test(String.fromCharCode(src[i + 1] ?? 0))) {
        v = v * 16 + parseInt(String.fromCharCode(src[++i]!), 16);
        k++;
      }
      bytes.push(v);
    } else throw E.malformed(`checkpoint state has unknown escape \\${ch}`, 'state-syntax', { path });
  }
  return utf8Decode(new Uint8Array(bytes));
}

/**
 * Parses the text-format state file. Unknown fields are refused, as protobuf's text parser does.
 * @throws FormatError `malformed` for a syntax error or an empty `model_checkpoint_path`.
 */
export function parseCheckpointState(text: string, path?: string): CheckpointState {
  let model = '';
  const paths: string[] = [];
  const stamps: number[] = [];
  let last: number | undefined;
  const re = /\s*([A-Za-z_]+)\s*:\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[-+0-9.eEinfa]+)\s*[;,]?/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) throw E.malformed(`checkpoint state: cannot parse ${JSON.stringify(text.slice(pos, pos + 40))}`, 'state-syntax', { path, offset: pos });
    pos = re.lastIndex;
    const [, field, raw] = m as unknown as [string, string, string];
    const isStr = raw.startsWith('"') || raw.startsWith("'");
    const num = (): number => {
      const v = /^[-+]?(inf|infinity)$/i.test(raw) ? (raw.startsWith('-') ? -Infinity : Infinity) : /^nan$/i.test(raw) ? NaN : Number(raw);
      if (isStr || (Number.isNaN(v) && !/^nan$/i.test(raw))) throw E.malformed(`checkpoint state: ${field} needs a number, got ${raw}`, 'state-syntax', { path });
      return v;
    };
    const str = (): string => {
      if (!isStr) throw E.malformed(`checkpoint state: ${field} needs a string, got ${raw}`, 'state-syntax', { path });
      return unescape(raw.slice(1, -1), path);
    };
    switch (field) {
      case 'model_checkpoint_path': model = str(); break;
      case 'all_model_checkpoint_paths': paths.push(str()); break;
      case 'all_model_checkpoint_timestamps': stamps.push(num()); break;
      case 'last_preserved_timestamp': last = num(); break;
      default: throw E.malformed(`checkpoint state has unknown field ${field}`, 'state-field', { path });
    }
  }
  if (model === '') throw E.malformed('checkpoint state has no model_checkpoint_path', 'state-empty', { path });
  return { model_checkpoint_path: model, all_model_checkpoint_paths: paths, all_model_checkpoint_timestamps: stamps, last_preserved_timestamp: last };
}

function escape(s: string): string {
  let out = '';
  for (const b of utf8Encode(s)) {
    if (b === 10) out += '\\n';
    else if (b === 13) out += '\\r';
    else if (b === 9) out += '\\t';
    else if (b === 34) out += '\\"';
    else if (b === 39) out += "\\'";
    else if (b === 92) out += '\\\\';
    else if (b < 32 || b >= 127) out += '\\' + b.toString(8).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

/** Formats a double as Python's `repr(float)` (shortest round-trip, always with `.0` or an exponent). */
export function pythonFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(v);
  if (abs >= 1e16 || abs < 1e-4) {
    const [m, e] = v.toExponential().split('e') as [string, string];
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(v);
  return s.includes('.') ? s : `${s}.0`;
}

/** Formats the state file exactly as Python's `text_format.MessageToString` (trailing newline). */
export function formatCheckpointState(s: CheckpointState): string {
  let out = `model_checkpoint_path: "${escape(s.model_checkpoint_path)}"\n`;
  for (const p of s.all_model_checkpoint_paths) out += `all_model_checkpoint_paths: "${escape(p)}"\n`;
  for (const t of s.all_model_checkpoint_timestamps) out += `all_model_checkpoint_timestamps: ${pythonFloat(t)}\n`;
  if (s.last_preserved_timestamp !== undefined && s.last_preserved_timestamp !== 0) out += `last_preserved_timestamp: ${pythonFloat(s.last_preserved_timestamp)}\n`;
  return out;
}

/** True for POSIX absolute paths, Windows drive paths and URLs (`gs://…`). */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || /^[a-z][a-z0-9+.-]*:\/\//i.test(p);
}
