/**
 * Malformed trust policies (wrong types, huge documents, odd Unicode, deep nesting, unknown
 * operators and keys, policy variables, NotAction / NotPrincipal, Principal "*", URL-encoded and
 * broken JSON strings) give a finding or an indeterminate verdict — never a crash, never a silent
 * "allow".
 */
import fc from 'fast-check';
import { decodeTrustPolicy, trustPolicyOfValue } from '../../lambda/core/inventory/trust-policy';
import { evaluateWebIdentity, type WebIdentityToken } from '../../lambda/core/policy/evaluate';
import { normalizePolicy, normalizeTrustPolicy } from '../../lambda/core/policy/normalize';
import { analyzeTrust, grantAdmitsAudience, grantRestrictsAudience } from '../../lambda/core/policy/trust';
import { ACCOUNTS, ISSUERS, ODD_ISSUERS, oddOrHugeString, trustDocument } from './arbitraries';

const VERDICTS = new Set(['allow', 'deny', 'indeterminate']);
const SUBJECT_KINDS = new Set(['exact', 'namespace', 'cross-namespace', 'unrestricted', 'none']);

const token: fc.Arbitrary<WebIdentityToken> = fc.record({
  issuer: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...ISSUERS) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_ISSUERS) },
    { weight: 1, arbitrary: oddOrHugeString },
  ),
  sub: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom('system:serviceaccount:default:app', 'system:serviceaccount:team-a:sa-1'),
    },
    { weight: 1, arbitrary: oddOrHugeString },
  ),
  aud: fc.oneof(
    { weight: 4, arbitrary: fc.constant('sts.amazonaws.com') },
    { weight: 1, arbitrary: oddOrHugeString },
  ),
});

const role = fc.record({
  accountId: fc.oneof(fc.constantFrom(...ACCOUNTS), oddOrHugeString),
  partition: fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', ''),
});

describe('trust policies from hostile input', () => {
  it('normalise, evaluate and analyse without throwing, with a valid verdict', () => {
    fc.assert(
      fc.property(
        trustDocument,
        role,
        fc.array(token, { minLength: 1, maxLength: 3 }),
        (document, identity, tokens) => {
          const policy = normalizeTrustPolicy(trustPolicyOfValue(document));
          expect(Array.isArray(policy.statements)).toBe(true);
          expect(policy.issues.every((issue) => typeof issue === 'string')).toBe(true);
          policy.statements.forEach((statement, index) => {
            expect(statement.index).toBe(index);
            expect(statement.issues.every((issue) => typeof issue === 'string')).toBe(true);
          });

          for (const webIdentity of tokens) {
            const decision = evaluateWebIdentity(policy, identity, webIdentity);
            expect(VERDICTS.has(decision.verdict)).toBe(true);
            expect(typeof decision.reason).toBe('string');
            expect(decision.outcomes).toHaveLength(policy.statements.length);
            // A document the evaluator could not read is never a yes or a no.
            if (policy.issues.length > 0) expect(decision.verdict).toBe('indeterminate');
            if (decision.verdict === 'allow') {
              // Only a clean, explicitly applying Allow statement can allow, and no Deny is pending.
              const deciding = policy.statements[decision.statement!];
              expect(deciding.effect).toBe('Allow');
              expect(deciding.issues).toEqual([]);
              expect(deciding.notAction).toBe(false);
              expect(decision.outcomes.some((o) => o.effect === 'Deny' && o.applies !== false)).toBe(false);
            }
          }

          const analysis = analyzeTrust(policy, identity.partition, identity.accountId);
          for (const grant of analysis.grants) {
            expect(policy.statements[grant.statement]).toBeDefined();
            expect(SUBJECT_KINDS.has(grant.subjects.kind)).toBe(true);
            expect([true, false, undefined]).toContain(grantAdmitsAudience(grant, 'sts.amazonaws.com'));
            expect(typeof grantRestrictsAudience(grant)).toBe('boolean');
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('stays linear on huge values (no quadratic scan of `${`, `*` or `%`)', () => {
    const issuer = ISSUERS[0];
    const provider = `arn:aws:iam::${ACCOUNTS[0]}:oidc-provider/${issuer}`;
    for (const value of [
      '${'.repeat(100_000),
      `${'*'.repeat(100_000)}x`,
      '?'.repeat(100_000),
      'a'.repeat(200_000),
    ]) {
      for (const operator of ['StringEquals', 'StringLike', 'StringNotLike']) {
        const document = {
          Version: '2012-10-17',
          Statement: {
            Effect: 'Allow',
            Principal: { Federated: provider },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { [operator]: { [`${issuer}:sub`]: value } },
          },
        };
        const started = performance.now();
        const policy = normalizePolicy(document);
        evaluateWebIdentity(
          policy,
          { accountId: ACCOUNTS[0], partition: 'aws' },
          { issuer, sub: 'a'.repeat(50_000), aud: 'sts.amazonaws.com' },
        );
        analyzeTrust(policy, 'aws', ACCOUNTS[0]);
        normalizeTrustPolicy(decodeTrustPolicy(encodeURIComponent(JSON.stringify(document))));
        expect(performance.now() - started).toBeLessThan(5_000);
      }
    }
  });
});
