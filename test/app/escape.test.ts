import { codeSpan, mrkdwnText, plainText, snsSubject, VALUE_MAX_CHARS } from '../../lambda/app/escape';

const PHISH = '<!here> <https://evil.example/sso|Re-login>';

describe('plainText (e-mail)', () => {
  it('keeps an ordinary value as it is', () => {
    expect(plainText('payments/api-server', 200)).toBe('payments/api-server');
  });

  it('turns every kind of line break into a space, so no value starts a line of its own', () => {
    for (const breakChars of ['\r\n', '\n', '\r', '\u2028', '\u2029', '\u0085', '\v', '\f']) {
      expect(plainText(`web${breakChars}[CRITICAL] forged: all clear`, 200)).toBe(
        'web [CRITICAL] forged: all clear',
      );
    }
  });

  it('shows bidirectional overrides and isolates instead of letting them reorder the text', () => {
    const overrides = [
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u202e',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
    ];
    for (const char of overrides) {
      const shown = plainText(`admin${char}txt.exe`, 200);
      expect(shown).toBe(`admin[U+${char.codePointAt(0)!.toString(16).toUpperCase()}]txt.exe`);
    }
    expect(plainText('role\u202Enimda', 200)).toBe('role[U+202E]nimda');
  });

  it('shows zero-width and control characters', () => {
    expect(plainText('kube\u200Bsystem', 200)).toBe('kube[U+200B]system');
    expect(plainText('a\u200Cb\u200Dc\u2060d\uFEFFe', 200)).toBe('a[U+200C]b[U+200D]c[U+2060]d[U+FEFF]e');
    expect(plainText('bell\u0007\u001b[31mred\u007f\u009b', 200)).toBe(
      'bell[U+0007][U+001B][31mred[U+007F][U+009B]',
    );
  });

  it('caps a value at its length and marks the cut, never splitting a character', () => {
    expect(plainText('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
    const emoji = '😀'.repeat(20);
    const cut = plainText(emoji, 11);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(cut).not.toContain('[U+D83D]');
  });

  it('caps a 100 KB value quickly, marking the cut even when the kept part is short', () => {
    const huge = `start ${'A'.repeat(100_000)}`;
    const shown = plainText(huge);
    expect(shown.length).toBeLessThanOrEqual(VALUE_MAX_CHARS);
    expect(shown.endsWith('…')).toBe(true);
    expect(plainText(`a${' '.repeat(100_000)}b`, 100)).toBe('a…');
  });
});

describe('mrkdwnText (Slack through AWS Chatbot)', () => {
  it('escapes &, < and >, so no mention or link survives', () => {
    expect(mrkdwnText(PHISH, 200)).toBe('&lt;!here&gt; &lt;https://evil.example/sso|Re-login&gt;');
    expect(mrkdwnText('<@U012AB3CD> <#C123|general> <!subteam^S1> a & b', 200)).toBe(
      '&lt;@U012AB3CD&gt; &lt;#C123|general&gt; &lt;!subteam^S1&gt; a &amp; b',
    );
    expect(mrkdwnText('&lt;!channel&gt;', 200)).toBe('&amp;lt;!channel&amp;gt;');
  });

  it('breaks the bare broadcast words', () => {
    const shown = mrkdwnText('ping @here and @Channel and @everyone, not @hereford', 200);
    expect(shown).not.toMatch(/@(here|channel|everyone)\b/i);
    expect(shown).toContain('@hereford');
  });

  it('replaces backticks so the value can neither open nor end a code span', () => {
    expect(mrkdwnText('a`b``c', 200)).toBe('aˋbˋˋc');
  });

  it('escapes after removing line breaks and invisible characters', () => {
    expect(mrkdwnText('x\r\n<!here>\u202E', 200)).toBe('x &lt;!here&gt;[U+202E]');
  });
});

describe('codeSpan', () => {
  it('wraps the escaped value in backticks that only the span itself contains', () => {
    const span = codeSpan('ns`/`sa <!here>', 200);
    expect(span).toBe('`nsˋ/ˋsa &lt;!here&gt;`');
    expect(span.match(/`/g)).toHaveLength(2);
    expect(codeSpan('', 10)).toBe('`(empty)`');
  });
});

describe('snsSubject', () => {
  it('is printable ASCII on one line, under 100 characters', () => {
    const subject = snsSubject(`IRSA audit\r\n\u202E ${'x'.repeat(200)}`);
    expect(subject).toMatch(/^[\x20-\x7e]{1,99}$/);
    expect(snsSubject('\n\t')).toBe('IRSA audit');
  });
});
