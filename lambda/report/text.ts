/** Plain-text helpers for terminal output: wrapping to a width, padding. Pure. */

export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const words = paragraph.split(/\s+/).filter(Boolean);
    let line = indent;
    for (const word of words) {
      if (line.length > indent.length && line.length + 1 + word.length > width) {
        lines.push(line);
        line = indent;
      }
      if (word.length > width - indent.length) {
        // An ARN or JSON fragment longer than the line: alone on its line, unbroken, so it can be
        // copied; the terminal wraps it.
        if (line.length > indent.length) lines.push(line);
        lines.push(indent + word);
        line = indent;
        continue;
      }
      line += (line.length > indent.length ? ' ' : '') + word;
    }
    if (line.length > indent.length || words.length === 0) lines.push(line);
  }
  return lines;
}

export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}

/**
 * Indents code-like text (commands, JSON). Lines are never broken: a broken ARN or JSON key would
 * not survive copy and paste, so an over-long line is left to the terminal.
 */
export function indentCode(text: string, indent = ''): string[] {
  return text.split('\n').map((line) => indent + line);
}

/** Left-aligned columns two spaces apart, each as wide as its widest cell; the last column is not padded. */
export function columns(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}
