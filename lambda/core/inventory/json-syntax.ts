/**
 * Locates the first JSON syntax error in a text, with line and column. `JSON.parse` messages differ
 * between Node versions, some carry no position and some quote the input (which may be a policy);
 * this scanner runs only after `JSON.parse` failed, keeps an explicit stack (no recursion, so any
 * nesting depth is fine) and describes the error without echoing the document.
 */
import { quote } from './issues';

export interface JsonSyntaxError {
  /** 0-based UTF-16 offset. */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  /** e.g. `expected a value, found "}"`. */
  message: string;
}

const OBJECT = 0;
const ARRAY = 1;

// Scanner states.
const State = { Value: 0, ValueOrEnd: 1, Key: 2, KeyOrEnd: 3, AfterValue: 4 } as const;
type State = (typeof State)[keyof typeof State];

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4_RE = /^[0-9a-fA-F]{4}$/;

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

function found(text: string, offset: number): string {
  if (offset >= text.length) return 'the end of the input';
  const codePoint = text.codePointAt(offset)!;
  return quote(String.fromCodePoint(codePoint));
}

/** Returns the first syntax error, or undefined when the text is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const error = scan(text);
  if (!error) return undefined;
  const { line, column } = lineAndColumn(text, error.offset);
  return { offset: error.offset, line, column, message: error.message };
}

function scan(text: string): { offset: number; message: string } | undefined {
  const stack: number[] = [];
  const n = text.length;
  let i = 0;
  let state: State = State.Value;
  const fail = (offset: number, expected: string) => ({
    offset,
    message: `expected ${expected}, found ${found(text, offset)}`,
  });
  for (;;) {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
    const top = stack.length > 0 ? stack[stack.length - 1] : -1;
    if (state === State.AfterValue) {
      if (top === -1) return i < n ? fail(i, 'the end of the input after the JSON value') : undefined;
      const ch = text[i];
      if (ch === ',') {
        i++;
        state = top === OBJECT ? State.Key : State.Value;
      } else if ((top === OBJECT && ch === '}') || (top === ARRAY && ch === ']')) {
        i++;
        stack.pop();
      } else {
        return fail(i, top === OBJECT ? '"," or "}"' : '"," or "]"');
      }
      continue;
    }
    const ch = text[i];
    if (state === State.Key || state === State.KeyOrEnd) {
      if (state === State.KeyOrEnd && ch === '}') {
        i++;
        stack.pop();
        state = State.AfterValue;
        continue;
      }
      if (ch !== '"') {
        if (state === State.Key && ch === '}')
          return fail(i, 'a property name after "," (trailing commas are not JSON)');
        return fail(
          i,
          state === State.Key ? 'a double-quoted property name' : 'a double-quoted property name or "}"',
        );
      }
      const end = scanString(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      while (i < n && /[ \t\n\r]/.test(text[i])) i++;
      if (text[i] !== ':') return fail(i, '":" after the property name');
      i++;
      state = State.Value;
      continue;
    }
    // State.Value or State.ValueOrEnd
    if (state === State.ValueOrEnd && ch === ']') {
      i++;
      stack.pop();
      state = State.AfterValue;
      continue;
    }
    switch (ch) {
      case '{':
        stack.push(OBJECT);
        i++;
        state = State.KeyOrEnd;
        continue;
      case '[':
        stack.push(ARRAY);
        i++;
        state = State.ValueOrEnd;
        continue;
      case '"': {
        const end = scanString(text, i);
        if (typeof end !== 'number') return end;
        i = end;
        state = State.AfterValue;
        continue;
      }
      case 't':
      case 'f':
      case 'n': {
        const literal = ch === 't' ? 'true' : ch === 'f' ? 'false' : 'null';
        if (!text.startsWith(literal, i))
          return fail(i, 'a value (true, false, null, a number, a string, [ or {)');
        i += literal.length;
        state = State.AfterValue;
        continue;
      }
      default: {
        if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
          NUMBER_RE.lastIndex = i;
          const match = NUMBER_RE.exec(text);
          if (!match) return fail(i, 'a number');
          i += match[0].length;
          state = State.AfterValue;
          continue;
        }
        if (top === ARRAY && state === State.Value && ch === ']') {
          return fail(i, 'a value after "," (trailing commas are not JSON)');
        }
        return fail(i, 'a value (true, false, null, a number, a string, [ or {)');
      }
    }
  }
}

/** Returns the offset after the closing quote, or an error. */
function scanString(text: string, start: number): number | { offset: number; message: string } {
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c < 0x20)
      return { offset: i, message: 'found a control character inside a string (escape it, e.g. \\n)' };
    if (c === 92) {
      const next = text[i + 1];
      if (next === 'u') {
        if (!HEX4_RE.test(text.slice(i + 2, i + 6))) {
          return { offset: i, message: 'found an invalid \\u escape (expected 4 hexadecimal digits)' };
        }
        i += 6;
        continue;
      }
      if (next === undefined || !'"\\/bfnrt'.includes(next)) {
        return { offset: i, message: `found an invalid escape sequence \\${next ?? ''} inside a string` };
      }
      i += 2;
      continue;
    }
    i++;
  }
  return { offset: start, message: 'found a string that is never closed (missing ")' };
}
