/** Left-aligned text columns for the readable `inspect` sections. */
import { maxLength } from '../values.js';

/** Rows under a header, each column as wide as its widest cell, two spaces apart (trailing spaces trimmed). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => maxLength(rows.map((r) => r[i] ?? ''), h.length));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Words joined by `, ` and wrapped to lines of at most `width` characters. */
export function wrapList(words: readonly string[], width = 100): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    const next = cur === '' ? w : `${cur}, ${w}`;
    if (next.length > width && cur !== '') {
      lines.push(`${cur},`);
      cur = w;
    } else cur = next;
  }
  if (cur !== '') lines.push(cur);
  return lines;
}
