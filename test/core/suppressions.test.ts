import type { Drift } from '../../lambda/core/drift';
import type { Finding, FindingResource } from '../../lambda/core/findings';
import {
  applySuppressions,
  isExpired,
  latestExpiry,
  parseSuppressions,
  SuppressionsError,
  suppressDrift,
  suppressionWarnings,
} from '../../lambda/core/suppressions';

const NOW = new Date('2026-12-06T10:00:00Z');
const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/loki-prod`;

function finding(checkId: string, resource: Partial<FindingResource>, fingerprint: string): Finding {
  return {
    checkId,
    severity: 'low',
    title: checkId,
    message: `${checkId} on ${fingerprint}`,
    resource: { accountId: ACCOUNT, ...resource },
    remediation: 'fix it',
    fingerprint,
  };
}

const entry = (fields: Record<string, unknown>) => ({
  reason: 'accepted by the platform team',
  owner: 'platform@example.com',
  expires: '2027-03-31',
  ...fields,
});

function problems(document: unknown, now = NOW): readonly string[] {
  try {
    parseSuppressions(document, now, 'irsa-audit.suppressions.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(SuppressionsError);
    expect((error as SuppressionsError).message).toContain('irsa-audit.suppressions.yaml');
    return (error as SuppressionsError).problems;
  }
  throw new Error('expected the document to be invalid');
}

describe('parseSuppressions (validation)', () => {
  it('accepts fingerprint entries and check entries with patterns', () => {
    const parsed = parseSuppressions(
      {
        version: 1,
        suppressions: [
          entry({ fingerprint: '0123456789abcdef' }),
          entry({ check: 'trust.aud-missing', account: ACCOUNT, role: 'arn:aws:iam::*:role/loki-*' }),
        ],
      },
      NOW,
    );
    expect(parsed).toEqual([
      expect.objectContaining({ index: 0, fingerprint: '0123456789abcdef', patterns: {} }),
      expect.objectContaining({
        index: 1,
        check: 'trust.aud-missing',
        patterns: { account: ACCOUNT, role: 'arn:aws:iam::*:role/loki-*' },
      }),
    ]);
  });

  it('names the entry (index) and the field of every problem, all at once', () => {
    const found = problems({
      version: 1,
      suppressions: [
        entry({ fingerprint: '0123456789abcdef' }),
        entry({ fingerprint: 'XYZ', reason: '  ' }),
        { check: 'trust.aud-mising', namespace: 'kube-system', expires: '2027-01-01' },
      ],
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^suppressions\[1\]\.fingerprint: expected a finding fingerprint/),
        expect.stringMatching(/^suppressions\[1\]\.reason: expected a non-empty string/),
        expect.stringMatching(
          /^suppressions\[2\]\.check: unknown check id "trust\.aud-mising" \(did you mean "trust\.aud-missing"\?\)/,
        ),
        'suppressions[2].reason: required',
        'suppressions[2].owner: required',
      ]),
    );
    expect(found.some((p) => p.startsWith('suppressions[0]'))).toBe(false);
  });

  it('rejects an expiry more than one year after the run date, and names the latest allowed', () => {
    expect(latestExpiry(NOW)).toBe('2027-12-06');
    expect(
      parseSuppressions(
        { version: 1, suppressions: [entry({ fingerprint: '0123456789abcdef', expires: '2027-12-06' })] },
        NOW,
      ),
    ).toHaveLength(1);
    expect(
      problems({
        version: 1,
        suppressions: [entry({ fingerprint: '0123456789abcdef', expires: '2027-12-07' })],
      }),
    ).toEqual([
      'suppressions[0].expires: 2027-12-07 is more than one year after 2026-12-06; the latest allowed is 2027-12-06',
    ]);
  });

  it.each([
    ['not a calendar date', { expires: '2027-02-30' }, /expires: expected a date YYYY-MM-DD/],
    ['a timestamp', { expires: '2027-02-01T00:00:00Z' }, /expires: expected a date YYYY-MM-DD/],
    ['no expiry', { expires: undefined }, /expires: required/],
    ['no owner', { owner: undefined }, /owner: required/],
    ['a typo in a field name', { namspace: 'x' }, /unknown field "namspace" \(did you mean "namespace"\?\)/],
    [
      'patterns on a fingerprint entry',
      { namespace: 'x' },
      /resource patterns \(namespace\) apply to check entries only/,
    ],
  ])('rejects %s', (_name, fields, expected) => {
    const found = problems({
      version: 1,
      suppressions: [entry({ fingerprint: '0123456789abcdef', ...fields })],
    });
    expect(found.join('\n')).toMatch(expected);
  });

  it.each([
    [
      'both fingerprint and check',
      { fingerprint: '0123456789abcdef', check: 'trust.aud-missing', account: ACCOUNT },
      /either fingerprint or check/,
    ],
    ['a check without any pattern', { check: 'trust.aud-missing' }, /needs at least one resource pattern/],
    ['neither fingerprint nor check', {}, /needs a fingerprint, or a check/],
    [
      'an unquoted account id (a YAML number)',
      { check: 'trust.aud-missing', account: 12345678901 },
      /quoted string \("012345678901"\)/,
    ],
    [
      'an 11-digit account id',
      { check: 'trust.aud-missing', account: '12345678901' },
      /12-digit account id or a pattern/,
    ],
    [
      'a pattern with a space',
      { check: 'trust.aud-missing', namespace: 'kube system' },
      /one token without spaces/,
    ],
  ])('rejects %s', (_name, fields, expected) => {
    expect(problems({ version: 1, suppressions: [entry(fields)] }).join('\n')).toMatch(expected);
  });

  it('rejects a document without version 1 or without a list', () => {
    expect(problems({ suppressions: [] })).toEqual(['version: expected 1, got nothing']);
    expect(problems({ version: 1, suppressions: {} })).toEqual([
      'suppressions: expected a list of entries, got an object',
    ]);
    expect(problems([])[0]).toMatch(/^\(top level\)/);
  });
});

describe('matching and expiry', () => {
  const loki = finding('trust.aud-missing', { roleArn: ROLE }, 'aaaaaaaaaaaaaaaa');
  const velero = finding(
    'trust.aud-missing',
    { roleArn: `arn:aws:iam::${ACCOUNT}:role/velero` },
    'bbbbbbbbbbbbbbbb',
  );
  const sa = finding(
    'sa.role-not-audited',
    { cluster: 'prod-use1', region: 'us-east-1', namespace: 'spark', serviceAccount: 'history' },
    'cccccccccccccccc',
  );

  it('matches by fingerprint, or by check and every pattern (anchored * globs)', () => {
    const entries = parseSuppressions(
      {
        version: 1,
        suppressions: [
          entry({ check: 'trust.aud-missing', role: 'arn:aws:iam::*:role/loki-*' }),
          entry({ fingerprint: 'cccccccccccccccc' }),
        ],
      },
      NOW,
    );
    const applied = applySuppressions([loki, velero, sa], entries, NOW);
    expect(applied.shown).toEqual([velero]);
    expect(applied.suppressed.map((s) => [s.finding.fingerprint, s.suppression.index])).toEqual([
      ['aaaaaaaaaaaaaaaa', 0],
      ['cccccccccccccccc', 1],
    ]);
    expect(applied.entries.map((e) => [e.state, e.matched])).toEqual([
      ['active', 1],
      ['active', 1],
    ]);
  });

  it('needs every given pattern to match, and a pattern on a field the finding lacks never matches', () => {
    const entries = parseSuppressions(
      {
        version: 1,
        suppressions: [
          entry({ check: 'sa.role-not-audited', cluster: 'prod-*', namespace: 'other' }),
          entry({ check: 'trust.aud-missing', namespace: '*' }),
          entry({
            check: 'sa.role-not-audited',
            account: '1111*',
            cluster: 'prod-use1',
            serviceAccount: 'hist*',
          }),
        ],
      },
      NOW,
    );
    const applied = applySuppressions([loki, sa], entries, NOW);
    expect(applied.shown).toEqual([loki]);
    expect(applied.entries.map((e) => e.state)).toEqual(['stale', 'stale', 'active']);
  });

  it('treats the expiry day as the last day in force (UTC) and reports findings of expired entries again', () => {
    const entries = parseSuppressions(
      { version: 1, suppressions: [entry({ fingerprint: 'aaaaaaaaaaaaaaaa', expires: '2026-12-06' })] },
      NOW,
    );
    expect(isExpired(entries[0], new Date('2026-12-06T23:59:59Z'))).toBe(false);
    expect(isExpired(entries[0], new Date('2026-12-07T00:00:00Z'))).toBe(true);
    const later = applySuppressions([loki], entries, new Date('2026-12-07T03:00:00Z'));
    expect(later.shown).toEqual([loki]);
    expect(later.expired.map((s) => s.finding)).toEqual([loki]);
    expect(later.entries[0]).toMatchObject({ state: 'expired', matched: 1 });
    expect(suppressionWarnings(later.entries)).toEqual([
      'suppressions[0] (fingerprint aaaaaaaaaaaaaaaa; owner platform@example.com; expires 2026-12-06) expired on 2026-12-06: its finding is reported again; renew it with a new expiry or remove it',
    ]);
  });

  it('reports an entry in force that matches nothing as stale', () => {
    const entries = parseSuppressions(
      { version: 1, suppressions: [entry({ fingerprint: 'dddddddddddddddd' })] },
      NOW,
    );
    const applied = applySuppressions([loki], entries, NOW);
    expect(applied.entries[0]).toMatchObject({ state: 'stale', matched: 0 });
    expect(suppressionWarnings(applied.entries)[0]).toMatch(/matches no finding \(stale\)/);
  });
});

describe('suppressDrift (applied after drift)', () => {
  const a = finding('trust.aud-missing', { roleArn: ROLE }, 'aaaaaaaaaaaaaaaa');
  const b = finding('role.no-permissions', { roleArn: ROLE }, 'bbbbbbbbbbbbbbbb');
  const c = finding('role.no-permissions', { roleArn: `${ROLE}-2` }, 'cccccccccccccccc');
  const d = finding('role.no-permissions', { roleArn: `${ROLE}-3` }, 'dddddddddddddddd');
  const drift = (parts: Partial<Drift>): Drift => ({
    new: [],
    resolved: [],
    stillOpen: [],
    unverified: [],
    outOfScope: [],
    ...parts,
  });

  it('keeps suppressed findings out of new, open and resolved; re-opens those whose entry expired', () => {
    const entries = parseSuppressions(
      {
        version: 1,
        suppressions: [
          entry({ fingerprint: 'aaaaaaaaaaaaaaaa' }),
          entry({ fingerprint: 'bbbbbbbbbbbbbbbb', expires: '2026-12-01' }),
        ],
      },
      new Date('2026-11-30T00:00:00Z'),
    );
    const result = suppressDrift(
      drift({ new: [a], stillOpen: [b, c], resolved: [d] }),
      new Set(['bbbbbbbbbbbbbbbb', 'dddddddddddddddd']),
      entries,
      NOW,
    );
    expect(result.drift.new).toEqual([b]);
    expect(result.drift.stillOpen).toEqual([c]);
    expect(result.drift.resolved).toEqual([]);
    expect(result.newlySuppressed).toEqual([a]);
    expect(result.reopened).toEqual([{ finding: b, cause: 'expired', suppression: entries[1] }]);
    expect([...result.suppressed.keys()]).toEqual(['aaaaaaaaaaaaaaaa']);
  });

  it('re-opens a suppressed finding whose entry was removed from the file', () => {
    const result = suppressDrift(drift({ stillOpen: [a] }), new Set(['aaaaaaaaaaaaaaaa']), [], NOW);
    expect(result.drift.new).toEqual([a]);
    expect(result.reopened).toEqual([{ finding: a, cause: 'removed' }]);
  });

  it('leaves a finding that stays suppressed out of the alerts entirely', () => {
    const entries = parseSuppressions(
      { version: 1, suppressions: [entry({ fingerprint: 'aaaaaaaaaaaaaaaa' })] },
      NOW,
    );
    const result = suppressDrift(drift({ stillOpen: [a] }), new Set(['aaaaaaaaaaaaaaaa']), entries, NOW);
    expect(result.drift).toEqual(drift({}));
    expect(result.newlySuppressed).toEqual([]);
    expect(result.reopened).toEqual([]);
  });
});
