/**
 * The trust-policy evaluator against a brute-force reference (./oracle, written from reference
 * §2.2–2.3 with no imports from lambda/core/policy), on random well-formed policies and every token of
 * a small universe: key names case-insensitive, values case-sensitive, anchored globs where `*`
 * matches `:`, literal `*` under StringEquals, AND/OR/NOR, absent keys, IfExists / ForAnyValue /
 * ForAllValues / Null, policy variables and their escapes, Deny wins, the provider in the role's own
 * account.
 */
import fc from 'fast-check';
import { evaluateWebIdentity } from '../../lambda/core/policy/evaluate';
import { normalizePolicy } from '../../lambda/core/policy/normalize';
import { VAR_DOLLAR, VAR_QUESTION, VAR_STAR, VAR_USERNAME } from './arbitraries';
import { type OracleToken, oracleVerdict, statementApplies, type Verdict } from './oracle';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const ISSUER = 'oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789';
const OTHER_ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/00000000000000000000000000000000';
const ROLE = { accountId: ACCOUNT, partition: 'aws' };
const provider = (accountId: string, issuer: string) => `arn:aws:iam::${accountId}:oidc-provider/${issuer}`;

const PROVIDERS = [
  provider(ACCOUNT, ISSUER),
  provider(ACCOUNT, OTHER_ISSUER),
  provider(OTHER_ACCOUNT, ISSUER),
];
const KEYS = [
  `${ISSUER}:sub`,
  `${ISSUER}:aud`,
  `${ISSUER.toUpperCase()}:Sub`,
  `${ISSUER}:Aud`,
  `${OTHER_ISSUER}:sub`,
  `${OTHER_ISSUER}:aud`,
  `${ISSUER}:amr`,
];
const ACTIONS = [
  'sts:AssumeRoleWithWebIdentity',
  'STS:assumerolewithwebidentity',
  'sts:AssumeRole',
  'sts:AssumeRole*',
  'sts:*',
  '*',
  'sts:AssumeRoleWith???Identity',
  'sts:TagSession',
  'iam:*',
];
const BASE_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringLike',
  'StringNotLike',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
];
const SEGMENTS = [
  'a',
  'b',
  'A',
  'ab',
  '*',
  '?',
  'a*',
  '*b',
  '??',
  VAR_STAR,
  VAR_QUESTION,
  VAR_DOLLAR,
  VAR_USERNAME,
  '',
];
const SUBS = [
  'system:serviceaccount:a:b',
  'system:serviceaccount:a:a',
  'system:serviceaccount:b:b',
  'system:serviceaccount:A:b',
  'system:serviceaccount:ab:b',
  'system:serviceaccount:a:*',
  'system:serviceaccount:a:b:c',
  'system:serviceaccount:a:$',
  // Not a Kubernetes name, but it tells the 2012 and 2008 readings of `${*}` apart.
  `system:serviceaccount:a:${VAR_STAR}`,
];
const AUDS = ['sts.amazonaws.com', 'STS.amazonaws.com', 'vault', ''];
const TOKENS: OracleToken[] = [ISSUER, OTHER_ISSUER].flatMap((issuer) =>
  SUBS.flatMap((sub) => AUDS.map((aud) => ({ issuer, sub, aud }))),
);

const segment = fc.constantFrom(...SEGMENTS);
const subValue = fc.oneof(
  fc.tuple(segment, segment).map(([ns, name]) => `system:serviceaccount:${ns}:${name}`),
  segment.map((rest) => `system:serviceaccount:${rest}`),
  fc.constantFrom(
    '*',
    '?',
    'system:serviceaccount:a:b',
    'SYSTEM:serviceaccount:a:b',
    `system:serviceaccount:a:${VAR_STAR}`,
  ),
);
const audValue = fc.constantFrom(
  'sts.amazonaws.com',
  'STS.amazonaws.com',
  'sts.*',
  '*',
  'sts.amazonaws.co?',
  'vault',
);
const value = fc.oneof({ weight: 3, arbitrary: subValue }, { weight: 2, arbitrary: audValue });
const values = fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 }));
const nullValues = fc.oneof(
  fc.constantFrom<unknown>('true', 'false', true, false),
  fc.constant<unknown>(['true', 'false']),
);

const stringOperator = fc
  .tuple(
    fc.constantFrom(...BASE_OPERATORS),
    fc.constantFrom('', '', 'IfExists'),
    fc.constantFrom('', '', '', 'ForAnyValue:', 'ForAllValues:'),
  )
  .map(([base, suffix, prefix]) => `${prefix}${base}${suffix}`);

/** One operator block: { operator: { key: values } }. Unknown operators are rare. */
const conditionEntry = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(
      stringOperator,
      fc.dictionary(fc.constantFrom(...KEYS), values, { minKeys: 1, maxKeys: 2 }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.constant('Null'),
      fc.dictionary(fc.constantFrom(...KEYS), nullValues, { minKeys: 1, maxKeys: 2 }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom('StringEqualz', 'NullIfExists'),
      fc.dictionary(fc.constantFrom(...KEYS), values, { minKeys: 1, maxKeys: 1 }),
    ),
  },
);

const condition = fc
  .array(conditionEntry, { maxLength: 3 })
  .map((entries) => Object.fromEntries(entries) as Record<string, Record<string, unknown>>);

const principal = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...PROVIDERS).map((arn) => ({ Federated: arn })) },
  {
    weight: 4,
    arbitrary: fc
      .uniqueArray(fc.constantFrom(...PROVIDERS), { minLength: 1, maxLength: 2 })
      .map((arns) => ({ Federated: arns })),
  },
  { weight: 1, arbitrary: fc.constant<unknown>('*') },
);

const actionList = fc.oneof(
  fc.constantFrom(...ACTIONS),
  fc.uniqueArray(fc.constantFrom(...ACTIONS), { minLength: 1, maxLength: 2 }),
);

const statement = fc
  .record({
    effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
    principal,
    actions: actionList,
    useNotAction: fc.integer({ min: 0, max: 9 }).map((roll) => roll === 0),
    condition: fc.option(condition, { nil: undefined, freq: 5 }),
    sid: fc.option(fc.constantFrom('', 'Irsa'), { nil: undefined }),
  })
  .map(({ effect, principal, actions, useNotAction, condition, sid }) => ({
    ...(sid === undefined ? {} : { Sid: sid }),
    Effect: effect,
    Principal: principal,
    ...(useNotAction ? { NotAction: actions } : { Action: actions }),
    ...(condition === undefined ? {} : { Condition: condition }),
  }));

const policy = fc
  .record({
    version: fc.constantFrom<string | undefined>(
      '2012-10-17',
      '2012-10-17',
      '2012-10-17',
      '2008-10-17',
      undefined,
    ),
    statements: fc.array(statement, { minLength: 1, maxLength: 3 }),
    asObject: fc.boolean(),
  })
  .map(({ version, statements, asObject }) => ({
    ...(version === undefined ? {} : { Version: version }),
    Statement: asObject && statements.length === 1 ? statements[0] : statements,
  }));

describe('evaluateWebIdentity agrees with a brute-force reference evaluator', () => {
  it('on every token of the universe, for random well-formed policies', () => {
    const counts: Record<Verdict, number> = { allow: 0, deny: 0, indeterminate: 0 };
    fc.assert(
      fc.property(policy, (document) => {
        const normalized = normalizePolicy(document);
        for (const token of TOKENS) {
          const expected = oracleVerdict(document, ROLE, token);
          const decision = evaluateWebIdentity(normalized, ROLE, token);
          counts[expected]++;
          if (decision.verdict !== expected) {
            throw new Error(
              `token ${JSON.stringify(token)}: evaluator says ${decision.verdict} (${decision.reason}), reference says ${expected}`,
            );
          }
          // The deciding statement really is one that applies.
          if (
            decision.verdict === 'allow' ||
            (decision.verdict === 'deny' && decision.statement !== undefined)
          ) {
            const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
            const deciding = statements[decision.statement!] as Record<string, unknown>;
            if (
              (decision.verdict === 'allow' || deciding.Effect === 'Deny') &&
              statementApplies(deciding, ROLE, token, document.Version) !== true
            ) {
              throw new Error(
                `statement ${decision.statement} decided ${decision.verdict} but does not apply`,
              );
            }
          }
        }
      }),
      { numRuns: 1000 },
    );
    // The generator must exercise every outcome, and mostly definite ones.
    expect(counts.allow).toBeGreaterThan(2000);
    expect(counts.deny).toBeGreaterThan(20000);
    expect(counts.indeterminate).toBeGreaterThan(500);
  });

  it('on single-statement IRSA trusts with policy variables, with or without Version', () => {
    const irsa = fc.record({
      version: fc.constantFrom<string | undefined>('2012-10-17', '2008-10-17', undefined),
      sub: fc.oneof(
        subValue,
        fc.constantFrom(`system:serviceaccount:a:${VAR_STAR}`, `system:serviceaccount:a:${VAR_USERNAME}`),
      ),
      aud: audValue,
      operator: stringOperator,
      key: fc.constantFrom(...KEYS),
      effect: fc.constantFrom('Allow', 'Deny'),
    });
    fc.assert(
      fc.property(irsa, ({ version, sub, aud, operator, key, effect }) => {
        const federated = { Federated: provider(ACCOUNT, ISSUER) };
        const document = {
          ...(version === undefined ? {} : { Version: version }),
          Statement: [
            {
              Effect: effect,
              Principal: federated,
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: { [operator]: { [key]: sub }, StringEquals: { [`${ISSUER}:aud`]: aud } },
            },
            // With a Deny under test, an Allow for everyone makes the Deny decide the verdict.
            ...(effect === 'Deny'
              ? [{ Effect: 'Allow', Principal: federated, Action: 'sts:AssumeRoleWithWebIdentity' }]
              : []),
          ],
        };
        const normalized = normalizePolicy(document);
        for (const token of TOKENS) {
          const expected = oracleVerdict(document, ROLE, token);
          const actual = evaluateWebIdentity(normalized, ROLE, token);
          if (actual.verdict !== expected) {
            throw new Error(
              `token ${JSON.stringify(token)}: evaluator says ${actual.verdict} (${actual.reason}), reference says ${expected}`,
            );
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
