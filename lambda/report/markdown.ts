/**
 * Markdown quoting for reports: data (messages, names, placeholders such as `<cluster>`) must show as
 * written, never become a table column, a link, emphasis or an HTML tag that the viewer swallows.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Text for a paragraph or a table cell: one line, every Markdown and HTML metacharacter neutralised. */
export function mdEscape(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[&<>]/g, (char) => ENTITIES[char])
    .replace(/[\\`*_[\]|~#!]/g, (char) => `\\${char}`);
}

/**
 * A fenced code block whose fence is longer than any run of backticks inside, so the content cannot
 * close it early.
 */
export function codeBlock(code: string, language = ''): string[] {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, ...code.split('\n'), fence];
}
