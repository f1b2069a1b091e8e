/**
 * schema/suppressions.schema.json and the hand-written validator (lambda/core/suppressions.ts) agree:
 * every sample is valid for both or invalid for both. Two rules need the run date or a calendar and
 * are the validator's alone; they are listed and tested as such.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { CHECKS } from '../../lambda/core/checks/index';
import { parseSuppressions, SuppressionsError } from '../../lambda/core/suppressions';
import { decodeSuppressionsText } from '../../lambda/suppressions-file';

const REPO = join(__dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(REPO, 'schema', 'suppressions.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);
const NOW = new Date('2026-12-06T12:00:00Z');

const base = { reason: 'accepted', owner: 'platform@example.com', expires: '2027-06-30' };
const doc = (...entries: Record<string, unknown>[]) => ({ version: 1, suppressions: entries });

function validatorAccepts(document: unknown): boolean {
  try {
    parseSuppressions(document, NOW);
    return true;
  } catch (error) {
    if (error instanceof SuppressionsError) return false;
    throw error;
  }
}

const VALID: [string, unknown][] = [
  ['an empty list', doc()],
  ['a fingerprint entry', doc({ ...base, fingerprint: '0123456789abcdef' })],
  ['a check with an account', doc({ ...base, check: 'trust.aud-missing', account: '111122223333' })],
  ['a check with an account glob', doc({ ...base, check: 'trust.aud-missing', account: '1111*' })],
  [
    'a check with every pattern',
    doc({
      ...base,
      check: 'sa.role-untrusted',
      account: '*',
      role: 'arn:aws:iam::*:role/x-*',
      cluster: 'prod-*',
      namespace: 'kube-system',
      serviceAccount: 'ebs-*',
    }),
  ],
  ['an expired entry', doc({ ...base, fingerprint: '0123456789abcdef', expires: '2020-01-01' })],
];

const INVALID: [string, unknown][] = [
  ['not an object', []],
  ['no version', { suppressions: [] }],
  ['version 2', { version: 2, suppressions: [] }],
  ['an unknown top-level key', { ...doc(), extra: true }],
  ['suppressions not a list', { version: 1, suppressions: {} }],
  ['an entry that is a string', doc('x' as never)],
  ['no reason', doc({ fingerprint: '0123456789abcdef', owner: 'o', expires: '2027-01-01' })],
  ['a blank reason', doc({ ...base, fingerprint: '0123456789abcdef', reason: '   ' })],
  ['no owner', doc({ fingerprint: '0123456789abcdef', reason: 'r', expires: '2027-01-01' })],
  ['no expiry', doc({ fingerprint: '0123456789abcdef', reason: 'r', owner: 'o' })],
  [
    'an expiry that is not YYYY-MM-DD',
    doc({ ...base, fingerprint: '0123456789abcdef', expires: '31.12.2027' }),
  ],
  ['an upper-case fingerprint', doc({ ...base, fingerprint: '0123456789ABCDEF' })],
  ['a short fingerprint', doc({ ...base, fingerprint: '0123' })],
  [
    'both fingerprint and check',
    doc({ ...base, fingerprint: '0123456789abcdef', check: 'trust.aud-missing', account: '*' }),
  ],
  ['a fingerprint with a pattern', doc({ ...base, fingerprint: '0123456789abcdef', namespace: 'x' })],
  ['a check without patterns', doc({ ...base, check: 'trust.aud-missing' })],
  ['neither fingerprint nor check', doc({ ...base, namespace: 'x' })],
  ['an unknown check', doc({ ...base, check: 'trust.no-such-check', account: '*' })],
  ['an unknown field', doc({ ...base, fingerprint: '0123456789abcdef', expiry: '2027-01-01' })],
  ['a numeric account', doc({ ...base, check: 'trust.aud-missing', account: 111122223333 })],
  ['an 11-digit account', doc({ ...base, check: 'trust.aud-missing', account: '11112222333' })],
  ['an account with letters', doc({ ...base, check: 'trust.aud-missing', account: 'prod' })],
  ['an empty pattern', doc({ ...base, check: 'trust.aud-missing', cluster: '' })],
  ['a pattern with a space', doc({ ...base, check: 'trust.aud-missing', namespace: 'kube system' })],
];

describe('suppressions schema and validator agree', () => {
  it.each(VALID)('both accept %s', (_name, document) => {
    expect(validate(document)).toBe(true);
    expect(validatorAccepts(document)).toBe(true);
  });

  it.each(INVALID)('both reject %s', (_name, document) => {
    expect(validate(document)).toBe(false);
    expect(validatorAccepts(document)).toBe(false);
  });

  it.each([
    [
      'an expiry more than one year after the run date',
      doc({ ...base, fingerprint: '0123456789abcdef', expires: '2027-12-07' }),
    ],
    [
      'an expiry that is not a calendar date',
      doc({ ...base, fingerprint: '0123456789abcdef', expires: '2027-02-30' }),
    ],
  ])('only the validator rejects %s (needs the run date or a calendar)', (_name, document) => {
    expect(validate(document)).toBe(true);
    expect(validatorAccepts(document)).toBe(false);
  });

  it("lists exactly the registry's check ids", () => {
    expect(schema.$defs.entry.properties.check.enum).toEqual(CHECKS.map((check) => check.id));
  });

  it('validates the example file against the schema', () => {
    const path = join(REPO, 'examples', 'irsa-audit.suppressions.yaml');
    const document = decodeSuppressionsText(readFileSync(path, 'utf8'), path);
    expect(validate(document)).toBe(true);
    expect(parseSuppressions(document, new Date('2026-11-29T03:00:00Z'))).toHaveLength(3);
  });
});
