/**
 * The fast matchers against textbook versions: banded edit distance and `nearest` against
 * the full Levenshtein table and a plain scan; the iterative glob against a recursive one.
 */
import fc from 'fast-check';
import { closeCandidates, editDistance, nearest } from '../../lambda/core/checks/helpers';
import {
  actionMatches,
  type Segment,
  wildcardMatch,
  wildcardPattern,
} from '../../lambda/core/policy/normalize';

function levenshtein(a: string, b: string): number {
  const table = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) table[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i][j] = Math.min(
        table[i - 1][j] + 1,
        table[i][j - 1] + 1,
        table[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
  }
  return table[a.length][b.length];
}

function plainNearest(target: string, candidates: string[], max: number): string | undefined {
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of candidates) {
    const distance = levenshtein(target, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function globMatch(parts: Segment[], text: string): boolean {
  const chars: (string | '*' | '?')[] = [];
  const wild: boolean[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      for (const ch of part.split('')) {
        chars.push(ch);
        wild.push(false);
      }
    } else {
      chars.push(part.wildcard);
      wild.push(true);
    }
  }
  const match = (p: number, t: number): boolean => {
    if (p === chars.length) return t === text.length;
    if (wild[p] && chars[p] === '*') {
      for (let k = t; k <= text.length; k++) if (match(p + 1, k)) return true;
      return false;
    }
    if (t === text.length) return false;
    return (wild[p] || chars[p] === text[t]) && match(p + 1, t + 1);
  };
  return match(0, 0);
}

// A small alphabet with the characters ARNs and subjects share, plus non-ASCII.
const text = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom('a', 'b', 'A', ':', '-', '/', '1', 'é', '*', '?'), maxLength });

describe('matchers agree with textbook versions', () => {
  it('editDistance is exact within max and above max otherwise', () => {
    fc.assert(
      fc.property(
        text(16),
        text(16),
        fc.oneof(fc.nat({ max: 10 }), fc.constant(Number.POSITIVE_INFINITY)),
        (a, b, max) => {
          const expected = levenshtein(a, b);
          const actual = editDistance(a, b, max);
          if (expected <= max) expect(actual).toBe(expected);
          else expect(actual).toBeGreaterThan(max);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('nearest returns the first candidate at minimal distance', () => {
    fc.assert(
      fc.property(
        text(12),
        fc.array(text(12), { maxLength: 40 }),
        fc.nat({ max: 8 }),
        (target, candidates, max) => {
          expect(nearest(target, candidates, max)).toBe(plainNearest(target, candidates, max));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('closeCandidates keeps every name sharing a prefix or a suffix with the target, whatever the pool size', () => {
    fc.assert(
      fc.property(text(12), fc.array(text(12), { maxLength: 200 }), (target, names) => {
        const close = closeCandidates(new Map(), 'fuzz', () => names, target, 200);
        expect(new Set(close)).toEqual(new Set(names));
        const narrow = closeCandidates(new Map(), 'fuzz', () => names, target, 2);
        expect(narrow.length).toBeLessThanOrEqual(8);
        for (const name of narrow) expect(names).toContain(name);
      }),
      { numRuns: 500 },
    );
  });

  it('closeCandidates finds a one-character typo among thousands of names', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `arn:aws:iam::111122223333:role/team-${i}-reader`);
    const typo = 'arn:aws:iam::111122223333:role/team-4242-raeder';
    const near = nearest(
      typo,
      closeCandidates(new Map(), 'roles', () => names, typo),
      3,
    );
    expect(near).toBe('arn:aws:iam::111122223333:role/team-4242-reader');
    const renamedNamespace = 'system:serviceaccount:payment:payments-api';
    const subjects = ['system:serviceaccount:payments:payments-api', 'system:serviceaccount:payments:worker'];
    expect(
      nearest(
        renamedNamespace,
        closeCandidates(new Map(), 's', () => subjects, renamedNamespace),
        8,
      ),
    ).toBe('system:serviceaccount:payments:payments-api');
  });

  it('wildcardMatch agrees with a recursive glob', () => {
    const segment: fc.Arbitrary<Segment> = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', ':'), minLength: 1, maxLength: 3 }),
      },
      { weight: 2, arbitrary: fc.constantFrom<Segment>({ wildcard: '*' }, { wildcard: '?' }) },
    );
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 6 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', ':'), maxLength: 8 }),
        (parts, value) => {
          expect(wildcardMatch(wildcardPattern(parts), value)).toBe(globMatch(parts, value));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('actionMatches is a case-insensitive glob', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('s', 'T', ':', '*', '?', 'a'), maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('s', 't', ':', 'A', 'a'), maxLength: 8 }),
        (pattern, action) => {
          const parts: Segment[] = [...pattern.toLowerCase()].map((ch) =>
            ch === '*' || ch === '?' ? { wildcard: ch } : ch,
          );
          expect(actionMatches(pattern, action)).toBe(globMatch(parts, action.toLowerCase()));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
