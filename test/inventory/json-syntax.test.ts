import fc from 'fast-check';
import { findJsonSyntaxError, lineAndColumn } from '../../lambda/core/inventory/json-syntax';

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('findJsonSyntaxError', () => {
  it('finds no error in valid JSON of any shape', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(findJsonSyntaxError(text)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with JSON.parse on randomly damaged JSON', () => {
    const damaged = fc
      .tuple(
        fc.jsonValue(),
        fc.nat(),
        fc.constantFrom('', ',', '}', ']', '"', ':', '\\', '\n', 'x', '0', '-', '{', '['),
        fc.nat(3),
      )
      .map(([value, at, insert, remove]) => {
        const text = JSON.stringify(value);
        const position = text.length === 0 ? 0 : at % text.length;
        return text.slice(0, position) + insert + text.slice(position + remove);
      });
    fc.assert(
      fc.property(damaged, (text) => {
        const error = findJsonSyntaxError(text);
        expect(error === undefined).toBe(isJson(text));
        if (error) {
          expect(error.offset).toBeGreaterThanOrEqual(0);
          expect(error.offset).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('handles nesting far deeper than any recursion limit', () => {
    const depth = 200_000;
    const valid = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const broken = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth - 1)}`;

    expect(findJsonSyntaxError(valid)).toBeUndefined();
    expect(findJsonSyntaxError(broken)).toMatchObject({ line: 1, column: broken.length + 1 });
  });

  it('counts lines and columns from 1', () => {
    expect(lineAndColumn('ab\ncd\r\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd\r\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab\ncd\r\nef', 8)).toEqual({ line: 3, column: 2 });
  });
});
