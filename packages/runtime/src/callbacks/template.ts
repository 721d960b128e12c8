/**
 * Python `str.format` fields as Keras's ModelCheckpoint uses them in file paths:
 * `{epoch:04d}`, `{val_loss:.2f}`, `{loss:e}`, `{batch}`.
 */

/** Formats one value with a Python format spec (`04d`, `.2f`, `.3e`, `g`, or empty). */
export function pythonFormat(value: number, spec: string): string {
  const m = /^(0)?(\d+)?(?:\.(\d+))?([dfeEgG%])?$/.exec(spec);
  if (!m) throw new Error(`runtime: unsupported format spec '${spec}'`);
  const [, zero, widthStr, precStr, type] = m;
  const prec = precStr === undefined ? undefined : Number(precStr);
  let s: string;
  switch (type) {
    case 'd': s = String(Math.trunc(value)); break;
    case 'f': s = value.toFixed(prec ?? 6); break;
    case '%': s = `${(value * 100).toFixed(prec ?? 6)}%`; break;
    case 'e': case 'E': {
      const [mant, exp] = value.toExponential(prec ?? 6).split('e');
      const e = Number(exp);
      s = `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
      if (type === 'E') s = s.toUpperCase();
      break;
    }
    case 'g': case 'G': s = String(Number(value.toPrecision(prec ?? 6))); break;
    default: s = Number.isInteger(value) && spec === '' ? String(value) : String(value);
  }
  const width = widthStr === undefined ? 0 : Number(widthStr);
  if (s.length < width) {
    const neg = s.startsWith('-');
    s = zero ? (neg ? `-${s.slice(1).padStart(width - 1, '0')}` : s.padStart(width, '0')) : s.padStart(width, ' ');
  }
  return s;
}

/**
 * Fills `{name}` / `{name:spec}` fields of `template` from `values`.
 * @throws Error naming a field with no value (as Python's KeyError would).
 */
export function formatTemplate(template: string, values: Record<string, number>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g, (_, name: string, spec: string | undefined) => {
    const v = values[name];
    if (v === undefined) throw new Error(`runtime: file path template '${template}' names '${name}', which is not in the logs (${Object.keys(values).join(', ')})`);
    return pythonFormat(v, spec ?? '');
  });
}
