/**
 * Escaping of untrusted text for the drift notification (docs/notifications.md "Untrusted text").
 * Names, annotation values and the messages that quote them come from whoever can create a
 * ServiceAccount, a role or a cluster; nothing they write may become a mention, a link, a code span,
 * a new line or reordered text in Slack or an e-mail. Names go in code spans (no formatting at all);
 * free text such as a message may still show `*bold*` or `_italic_`, which hides nothing. Pure
 * functions, one per target:
 *
 * - `plainText`: one line of plain text (e-mail). Line breaks and other whitespace become one space;
 *   control characters, bidirectional overrides/isolates, zero-width and other invisible format
 *   characters are shown as `[U+XXXX]`, so a hidden character is visible rather than silently
 *   dropped; the value is cut to a length cap, marked with `…`.
 * - `mrkdwnText`: `plainText`, then Slack's three escapes (`&`, `<`, `>`: no `<!here>`, `<@U…>` or
 *   `<url|text>` survives), a backtick shown as `ˋ` (so no code span can be opened or ended) and the
 *   broadcast words `@here`, `@channel`, `@everyone` broken by a word joiner.
 * - `codeSpan`: `mrkdwnText` inside backticks, which the value can no longer end.
 * - `snsSubject`: what SNS accepts as a Subject.
 */

/** The longest any single value may be once escaped (before Slack's entities), unless a caller asks for less. */
export const VALUE_MAX_CHARS = 1_000;

const LINE_BREAKS_AND_SPACES = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
/** Controls (Cc), invisible formats incl. bidi and zero-width (Cf), private use (Co), lone surrogates (Cs). */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;
const BROADCAST = /@(here|channel|everyone)\b/gi;
/** U+2060 WORD JOINER: invisible, and Slack no longer sees the broadcast word after `@`. */
const WORD_JOINER = '\u2060';
/** U+02CB MODIFIER LETTER GRAVE ACCENT: looks like a backtick, means nothing to mrkdwn. */
const BACKTICK_STAND_IN = '\u02cb';

function codePointLabel(character: string): string {
  return `[U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`;
}

/**
 * Cuts to at most `max` UTF-16 units, never between the two halves of a surrogate pair, ending in `…`
 * when anything was cut (`force`: something was cut already).
 */
function cut(text: string, max: number, force = false): string {
  if (text.length <= max && !force) return text;
  let end = Math.min(text.length, Math.max(0, max - 1));
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end).trimEnd()}…`;
}

/** One line of plain text, every invisible character made visible, at most `max` characters. */
export function plainText(value: unknown, max = VALUE_MAX_CHARS): string {
  const limit = Math.max(1, Math.min(max, VALUE_MAX_CHARS));
  // Bound the work on a huge value first: more than this can never survive the cap.
  let text = String(value ?? '');
  const bound = limit * 2 + 2;
  const long = text.length > bound;
  if (long) {
    const last = text.charCodeAt(bound - 1);
    text = text.slice(0, last >= 0xd800 && last <= 0xdbff ? bound - 1 : bound);
  }
  text = text
    .replace(LINE_BREAKS_AND_SPACES, ' ')
    .replace(INVISIBLE, codePointLabel)
    .replace(/\s+/g, ' ')
    .trim();
  return cut(text, limit, long);
}

/** Slack mrkdwn text (AWS Chatbot `client-markdown`) that cannot mention, link or open a code span. */
export function mrkdwnText(value: unknown, max = VALUE_MAX_CHARS): string {
  return plainText(value, max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, BACKTICK_STAND_IN)
    .replace(BROADCAST, (_match, word: string) => `@${WORD_JOINER}${word}`);
}

/** A value in a Slack code span that the value cannot end (an empty value shows as `(empty)`). */
export function codeSpan(value: unknown, max = VALUE_MAX_CHARS): string {
  const text = mrkdwnText(value, max);
  return text === '' ? '`(empty)`' : `\`${text}\``;
}

/** SNS: "less than 100 characters". */
const SUBJECT_MAX_CHARS = 99;

/** SNS subject: printable ASCII, no line breaks, < 100 characters, starting with a letter/digit/punctuation. */
export function snsSubject(text: string): string {
  let subject = text
    .normalize('NFKD')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (subject.length === 0) subject = 'IRSA audit';
  if (subject.length > SUBJECT_MAX_CHARS) subject = `${subject.slice(0, SUBJECT_MAX_CHARS - 3).trimEnd()}...`;
  return subject;
}
