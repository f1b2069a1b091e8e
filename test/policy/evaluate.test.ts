/**
 * evaluateWebIdentity against docs/irsa-semantics.md §2.2–2.3: the golden table of
 * 15 cases a general IAM simulator (@cloud-copilot/iam-simulate) got wrong, then each rule of
 * condition evaluation, statement shapes, and everything that must come out "indeterminate", never
 * "allow".
 */
import { decodeTrustPolicy } from '../../lambda/core/inventory/trust-policy';
import {
  evaluateWebIdentity,
  type RoleIdentity,
  type WebIdentityToken,
} from '../../lambda/core/policy/evaluate';
import { normalizePolicy, normalizeTrustPolicy } from '../../lambda/core/policy/normalize';
import {
  ACCOUNT,
  AUD,
  AUDIENCE,
  ESCAPED_STAR,
  ISSUER,
  LITERAL_VARIABLE_NAME,
  OTHER_ACCOUNT,
  OTHER_ISSUER,
  OTHER_SUB,
  providerArn,
  ROLE,
  SUB,
  scopedPolicy,
  statement,
  subject,
  token,
  trustPolicy,
  USERNAME_VARIABLE,
} from './trust-fixtures';

type Verdict = 'allow' | 'deny' | 'indeterminate';

function verdictOf(document: unknown, request: WebIdentityToken, role: RoleIdentity = ROLE): Verdict {
  // Strings as an inventory holds them: decoded by the inventory, then normalised.
  const policy =
    typeof document === 'string'
      ? normalizeTrustPolicy(decodeTrustPolicy(document))
      : normalizePolicy(document);
  return evaluateWebIdentity(policy, role, request).verdict;
}

const api = token('payments', 'api');

describe('golden table (dependencies.md §5)', () => {
  const rows: [string, unknown, WebIdentityToken, Verdict][] = [
    ['typical policy, matching service account', scopedPolicy(), api, 'allow'],
    [
      'typical policy, other service account in the same namespace',
      scopedPolicy(),
      token('payments', 'worker'),
      'deny',
    ],
    [
      'typical policy, same service account name in another namespace',
      scopedPolicy(),
      token('billing', 'api'),
      'deny',
    ],
    [
      'typical policy, wrong aud',
      scopedPolicy(),
      token('payments', 'api', { aud: 'sts.amazonaws.com.cn' }),
      'deny',
    ],
    // EKS tokens always carry aud; an empty audience is the closest request the token model can express.
    [
      'typical policy, aud missing from the request',
      scopedPolicy(),
      token('payments', 'api', { aud: '' }),
      'deny',
    ],
    [
      'typical policy, token from another OIDC provider',
      scopedPolicy(),
      token('payments', 'api', { issuer: OTHER_ISSUER }),
      'deny',
    ],
    [
      'StringLike ns:*, service account in the namespace',
      trustPolicy(
        statement({ StringLike: { [SUB]: subject('payments', '*') }, StringEquals: { [AUD]: AUDIENCE } }),
      ),
      api,
      'allow',
    ],
    [
      'StringLike ns:*, service account in another namespace',
      trustPolicy(
        statement({ StringLike: { [SUB]: subject('payments', '*') }, StringEquals: { [AUD]: AUDIENCE } }),
      ),
      token('billing', 'api'),
      'deny',
    ],
    [
      'StringLike sub "*"',
      trustPolicy(statement({ StringLike: { [SUB]: '*' } })),
      token('kube-system', 'default'),
      'allow',
    ],
    ['StringEquals "…:ns:*" is a literal star', scopedPolicy(subject('payments', '*')), api, 'deny'],
    ['StringEquals sub "*" is a literal star', scopedPolicy('*'), api, 'deny'],
    [
      "condition on another issuer's sub key",
      trustPolicy(statement({ StringEquals: { [OTHER_SUB]: subject('payments', 'api'), [AUD]: AUDIENCE } })),
      api,
      'deny',
    ],
    [
      'aud-only condition: any service account',
      trustPolicy(statement({ StringEquals: { [AUD]: AUDIENCE } })),
      token('default', 'default'),
      'allow',
    ],
    ['no condition: any service account', trustPolicy(statement()), token('default', 'default'), 'allow'],
    [
      'sub-only policy, request with an unexpected aud',
      trustPolicy(statement({ StringEquals: { [SUB]: subject('payments', 'api') } })),
      token('payments', 'api', { aud: '' }),
      'allow',
    ],
  ];

  test.each(rows)('%s → %s', (_name, document, request, expected) => {
    expect(verdictOf(document, request)).toBe(expected);
  });
});

describe('keys and values (§2.2.1–2)', () => {
  test('condition key names are case-insensitive', () => {
    const document = trustPolicy(
      statement({
        StringEquals: {
          [SUB.toUpperCase()]: subject('payments', 'api'),
          [`${ISSUER.toLowerCase()}:Aud`]: AUDIENCE,
        },
      }),
    );
    expect(verdictOf(document, api)).toBe('allow');
  });

  test('values are case-sensitive under StringEquals and StringLike', () => {
    expect(verdictOf(scopedPolicy(subject('Payments', 'api')), api)).toBe('deny');
    expect(verdictOf(trustPolicy(statement({ StringLike: { [SUB]: subject('Payments', '*') } })), api)).toBe(
      'deny',
    );
  });

  test('StringEqualsIgnoreCase ignores the case of values', () => {
    const document = trustPolicy(
      statement({
        StringEqualsIgnoreCase: { [SUB]: 'SYSTEM:ServiceAccount:PAYMENTS:Api', [AUD]: 'STS.AmazonAWS.com' },
      }),
    );
    expect(verdictOf(document, api)).toBe('allow');
    expect(verdictOf(document, token('payments', 'worker'))).toBe('deny');
  });

  test.each([
    ['system:serviceaccount:payments:ap', 'deny'],
    ['system:serviceaccount:payments:a*', 'allow'],
    ['*:payments:api', 'allow'],
    ['system:serviceaccount:payments:a?i', 'allow'],
    ['system:serviceaccount:payments:a?', 'deny'],
    ['system:serviceaccount:pay*', 'allow'],
    ['system:serviceaccount:pay', 'deny'],
  ] as const)('StringLike %s is an anchored glob (* matches ":") → %s', (pattern, expected) => {
    expect(verdictOf(trustPolicy(statement({ StringLike: { [SUB]: pattern } })), api)).toBe(expected);
  });
});

describe('combining conditions (§2.2.3)', () => {
  test('OR across the values of one key', () => {
    const document = scopedPolicy();
    const both = trustPolicy(
      statement({
        StringEquals: { [SUB]: [subject('payments', 'api'), subject('payments', 'worker')], [AUD]: AUDIENCE },
      }),
    );
    expect(verdictOf(document, token('payments', 'worker'))).toBe('deny');
    expect(verdictOf(both, token('payments', 'worker'))).toBe('allow');
    expect(verdictOf(both, token('payments', 'cron'))).toBe('deny');
  });

  test('AND across operators and keys', () => {
    const document = trustPolicy(
      statement({
        StringLike: { [SUB]: subject('payments', '*') },
        StringEquals: { [AUD]: 'irsa.example.com' },
      }),
    );
    expect(verdictOf(document, api)).toBe('deny');
    expect(verdictOf(document, token('payments', 'api', { aud: 'irsa.example.com' }))).toBe('allow');
  });

  test('StringNotEquals with several values is a NOR', () => {
    const document = trustPolicy(
      statement({
        StringNotEquals: { [SUB]: [subject('kube-system', 'default'), subject('default', 'default')] },
        StringEquals: { [AUD]: AUDIENCE },
      }),
    );
    expect(verdictOf(document, token('kube-system', 'default'))).toBe('deny');
    expect(verdictOf(document, token('default', 'default'))).toBe('deny');
    expect(verdictOf(document, api)).toBe('allow');
  });

  test('StringNotLike with several values is a NOR', () => {
    const document = trustPolicy(
      statement({ StringNotLike: { [SUB]: [subject('kube-system', '*'), subject('default', '*')] } }),
    );
    expect(verdictOf(document, token('kube-system', 'aws-node'))).toBe('deny');
    expect(verdictOf(document, token('default', 'app'))).toBe('deny');
    expect(verdictOf(document, api)).toBe('allow');
  });
});

describe("absent keys: a condition on another issuer's key (§2.2.4–5)", () => {
  test.each([
    ['StringEquals', 'deny'],
    ['StringLike', 'deny'],
    ['StringNotEquals', 'allow'],
    ['StringNotLike', 'allow'],
    ['StringEqualsIfExists', 'allow'],
    ['StringLikeIfExists', 'allow'],
    ['ForAllValues:StringEquals', 'allow'],
    ['ForAnyValue:StringEquals', 'deny'],
    ['ForAnyValue:StringLike', 'deny'],
  ] as const)(
    "%s on another issuer's sub → %s (any service account of this cluster)",
    (operator, expected) => {
      const document = trustPolicy(statement({ [operator]: { [OTHER_SUB]: subject('payments', 'api') } }));
      expect(verdictOf(document, token('default', 'default'))).toBe(expected);
    },
  );

  test('set operators on the present single-valued key behave as the base operator', () => {
    const anyValue = trustPolicy(
      statement({ 'ForAnyValue:StringEquals': { [SUB]: subject('payments', 'api') } }),
    );
    const allValues = trustPolicy(
      statement({ 'ForAllValues:StringEquals': { [SUB]: subject('payments', 'api') } }),
    );
    expect(verdictOf(anyValue, api)).toBe('allow');
    expect(verdictOf(anyValue, token('payments', 'worker'))).toBe('deny');
    expect(verdictOf(allValues, api)).toBe('allow');
    expect(verdictOf(allValues, token('payments', 'worker'))).toBe('deny');
  });

  test('Null "false" requires the key, Null "true" requires its absence', () => {
    const present = trustPolicy(statement({ Null: { [SUB]: 'false' } }));
    const absent = trustPolicy(statement({ Null: { [SUB]: 'true' } }));
    const foreignAbsent = trustPolicy(statement({ Null: { [OTHER_SUB]: 'true' } }));
    expect(verdictOf(present, api)).toBe('allow');
    expect(verdictOf(absent, api)).toBe('deny');
    expect(verdictOf(foreignAbsent, api)).toBe('allow');
  });

  test('a key without the claim suffix is never present', () => {
    const document = trustPolicy(
      statement({ StringEquals: { [SUB]: subject('payments', 'api'), [ISSUER]: AUDIENCE } }),
    );
    expect(verdictOf(document, api)).toBe('deny');
  });

  test('claims EKS tokens do not carry (amr, azp) are absent', () => {
    const document = trustPolicy(statement({ StringEquals: { [`${ISSUER}:amr`]: 'authenticated' } }));
    expect(verdictOf(document, api)).toBe('deny');
  });
});

describe('effects and statements (§2.2.7)', () => {
  test('an applicable Deny wins over an Allow', () => {
    // Arrange
    const document = trustPolicy(
      statement({ StringEquals: { [AUD]: AUDIENCE } }),
      statement({ StringNotEquals: { [SUB]: subject('payments', 'api') } }, { Effect: 'Deny' }),
    );

    // Act
    const denied = evaluateWebIdentity(normalizePolicy(document), ROLE, token('payments', 'worker'));

    // Assert
    expect(denied.verdict).toBe('deny');
    expect(denied.statement).toBe(1);
    expect(verdictOf(document, api)).toBe('allow');
  });

  test('an unconditional Deny for the provider denies every token', () => {
    const document = trustPolicy(
      statement({ StringEquals: { [SUB]: subject('payments', 'api'), [AUD]: AUDIENCE } }),
      statement(undefined, { Effect: 'Deny' }),
    );
    expect(verdictOf(document, api)).toBe('deny');
  });

  test('Statement as an object or an array gives the same verdicts', () => {
    const asObject = {
      Version: '2012-10-17',
      Statement: statement({ StringEquals: { [SUB]: subject('payments', 'api') } }),
    };
    const asArray = trustPolicy(statement({ StringEquals: { [SUB]: subject('payments', 'api') } }));
    for (const request of [api, token('payments', 'worker')]) {
      expect(verdictOf(asObject, request)).toBe(verdictOf(asArray, request));
    }
    expect(verdictOf(asObject, api)).toBe('allow');
  });

  test('no Allow statement means an implicit deny', () => {
    expect(verdictOf(trustPolicy(), api)).toBe('deny');
  });

  test('an Effect that is not "Allow"/"Deny" is indeterminate, never allow', () => {
    expect(verdictOf(trustPolicy(statement(undefined, { Effect: 'allow' })), api)).toBe('indeterminate');
  });

  test('a denial names the deciding condition and the token value', () => {
    const decision = evaluateWebIdentity(normalizePolicy(scopedPolicy()), ROLE, token('payments', 'worker'));
    expect(decision.verdict).toBe('deny');
    expect(decision.clause?.key).toBe(SUB);
    expect(decision.reason).toContain(subject('payments', 'worker'));
  });
});

describe('actions (§2.2.8)', () => {
  test.each([
    ['sts:AssumeRoleWithWebIdentity', 'allow'],
    [['sts:AssumeRoleWithWebIdentity'], 'allow'],
    [['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'], 'allow'],
    ['sts:*', 'allow'],
    ['STS:assumerole*', 'allow'],
    ['*', 'allow'],
    ['sts:AssumeRole', 'deny'],
    [['sts:AssumeRole', 'sts:TagSession'], 'deny'],
  ] as const)('Action %j → %s', (action, expected) => {
    const document = trustPolicy(
      statement({ StringEquals: { [SUB]: subject('payments', 'api') } }, { Action: action }),
    );
    expect(verdictOf(document, api)).toBe(expected);
  });

  const withNotAction = (notAction: string | string[]) =>
    trustPolicy({ Effect: 'Allow', Principal: { Federated: providerArn() }, NotAction: notAction });

  test('NotAction that does not exclude the action is indeterminate', () => {
    expect(verdictOf(withNotAction(['sts:AssumeRole']), api)).toBe('indeterminate');
  });

  test('NotAction that excludes the action makes the statement not apply', () => {
    expect(verdictOf(withNotAction('sts:AssumeRoleWith*'), api)).toBe('deny');
  });
});

describe('principals (§2.2.9–10)', () => {
  test('Principal "*" and {"AWS": "*"} are indeterminate, never allow', () => {
    expect(verdictOf(trustPolicy(statement(undefined, { Principal: '*' })), api)).toBe('indeterminate');
    expect(verdictOf(trustPolicy(statement(undefined, { Principal: { AWS: '*' } })), api)).toBe(
      'indeterminate',
    );
  });

  test('Federated as an array is an OR', () => {
    const document = trustPolicy(
      statement(undefined, { Principal: { Federated: [providerArn(OTHER_ISSUER), providerArn()] } }),
    );
    expect(verdictOf(document, api)).toBe('allow');
    expect(verdictOf(document, token('payments', 'api', { issuer: OTHER_ISSUER }))).toBe('allow');
    expect(
      verdictOf(
        document,
        token('payments', 'api', {
          issuer: 'oidc.eks.us-east-1.amazonaws.com/id/0C4D8E2F6A1B5C9D3E7F0A4B8C2D6E1F',
        }),
      ),
    ).toBe('deny');
  });

  test("a provider in another account than the role's never matches", () => {
    const document = trustPolicy(statement({ StringEquals: { [SUB]: subject('payments', 'api') } }));
    const roleInOtherAccount: RoleIdentity = { accountId: OTHER_ACCOUNT, partition: 'aws' };
    expect(verdictOf(document, api, roleInOtherAccount)).toBe('deny');
    const ownProvider = trustPolicy(
      statement(
        { StringEquals: { [SUB]: subject('payments', 'api') } },
        { Principal: { Federated: providerArn(ISSUER, OTHER_ACCOUNT) } },
      ),
    );
    expect(verdictOf(ownProvider, api, roleInOtherAccount)).toBe('allow');
  });

  test("two providers in one statement with both issuers' sub keys ANDed deny both clusters", () => {
    const document = trustPolicy(
      statement(
        { StringEquals: { [SUB]: subject('payments', 'api'), [OTHER_SUB]: subject('payments', 'api') } },
        { Principal: { Federated: [providerArn(), providerArn(OTHER_ISSUER)] } },
      ),
    );
    expect(verdictOf(document, api)).toBe('deny');
    expect(verdictOf(document, token('payments', 'api', { issuer: OTHER_ISSUER }))).toBe('deny');
  });

  test('the partition of the role decides the provider ARN (aws-cn)', () => {
    const issuer = 'oidc.eks.cn-northwest-1.amazonaws.com.cn/id/88E5C8D5DAFCCF674D4617208E9234E6';
    const document = trustPolicy(
      statement(
        {
          StringEquals: { [`${issuer}:sub`]: subject('logging', 'fluent-bit'), [`${issuer}:aud`]: AUDIENCE },
        },
        {
          Principal: { Federated: providerArn(issuer, ACCOUNT, 'aws-cn') },
        },
      ),
    );
    const request = { issuer, sub: subject('logging', 'fluent-bit'), aud: AUDIENCE };
    expect(verdictOf(document, request, { accountId: ACCOUNT, partition: 'aws-cn' })).toBe('allow');
    expect(verdictOf(document, request, ROLE)).toBe('deny');
  });
});

describe('what cannot be decided is indeterminate', () => {
  test('an unknown operator', () => {
    expect(
      verdictOf(trustPolicy(statement({ StringEqualz: { [SUB]: subject('payments', 'api') } })), api),
    ).toBe('indeterminate');
  });

  test('an unknown global key (aws:SourceIp)', () => {
    const document = trustPolicy(
      statement({
        StringEquals: { [SUB]: subject('payments', 'api') },
        IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
      }),
    );
    expect(verdictOf(document, api)).toBe('indeterminate');
  });

  test('an undecidable clause never hides a definite mismatch of another clause', () => {
    const document = trustPolicy(
      statement({
        StringEquals: { [SUB]: subject('payments', 'api') },
        IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
      }),
    );
    expect(verdictOf(document, token('payments', 'worker'))).toBe('deny');
  });

  test('an undecidable Deny makes an applying Allow indeterminate', () => {
    const document = trustPolicy(
      statement({ StringEquals: { [SUB]: subject('payments', 'api') } }),
      statement({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { Effect: 'Deny' }),
    );
    expect(verdictOf(document, api)).toBe('indeterminate');
  });

  test('a non-string operator family on the sub key', () => {
    expect(verdictOf(trustPolicy(statement({ NumericLessThan: { [SUB]: '5' } })), api)).toBe('indeterminate');
  });

  test('an unresolvable policy variable under 2012-10-17', () => {
    const document = trustPolicy(statement({ StringEquals: { [SUB]: subject(USERNAME_VARIABLE, 'api') } }));
    expect(verdictOf(document, api)).toBe('indeterminate');
  });

  test('a variable with no Version: whether it is a variable is unknown', () => {
    const withVariable = {
      Statement: [statement({ StringEquals: { [SUB]: subject(USERNAME_VARIABLE, 'api') } })],
    };
    const plain = { Statement: [statement({ StringEquals: { [SUB]: subject('payments', 'api') } })] };
    expect(verdictOf(withVariable, api)).toBe('indeterminate');
    expect(verdictOf(plain, api)).toBe('allow');
  });

  test('the escaped star escape with no Version: indeterminate where the 2008 and 2012 readings differ, decided where they agree', () => {
    const escaped = {
      Statement: [statement({ StringLike: { [SUB]: subject('payments', ESCAPED_STAR) } })],
    };
    // 2012: only a subject ending in a literal "*"; 2008: only one ending in "$" "{…}". Real names have neither.
    expect(verdictOf(escaped, token('payments', '*'))).toBe('indeterminate');
    expect(verdictOf(escaped, api)).toBe('deny');
  });

  test('a document that is not JSON', () => {
    expect(verdictOf('%7B%22Version%22%3A%222012-10-17%22%2C%22Statement', api)).toBe('indeterminate');
  });
});

describe('policy variables and Version (§2.2.6)', () => {
  const escaped = (version: string) => ({
    Version: version,
    Statement: [statement({ StringLike: { [SUB]: subject('payments', ESCAPED_STAR) } })],
  });

  test('under 2012-10-17 the escape is a literal star', () => {
    expect(verdictOf(escaped('2012-10-17'), token('payments', '*'))).toBe('allow');
    expect(verdictOf(escaped('2012-10-17'), api)).toBe('deny');
    expect(verdictOf(escaped('2012-10-17'), token('payments', LITERAL_VARIABLE_NAME))).toBe('deny');
  });

  test('under 2008-10-17 the escape is literal text (and the * inside stays a StringLike wildcard)', () => {
    expect(verdictOf(escaped('2008-10-17'), token('payments', LITERAL_VARIABLE_NAME))).toBe('allow');
    expect(verdictOf(escaped('2008-10-17'), token('payments', '*'))).toBe('deny');
    expect(verdictOf(escaped('2008-10-17'), api)).toBe('deny');
  });

  test('under 2008-10-17 a variable-looking value is plain text, so it is decidable', () => {
    const document = {
      Version: '2008-10-17',
      Statement: [statement({ StringEquals: { [SUB]: subject(USERNAME_VARIABLE, 'api') } })],
    };
    expect(verdictOf(document, api)).toBe('deny');
  });
});

describe('document encodings', () => {
  test('the URL-encoded string IAM returns evaluates like the object', () => {
    const compact = encodeURIComponent(JSON.stringify(scopedPolicy()));
    const pretty = encodeURIComponent(JSON.stringify(scopedPolicy(), null, 4));
    for (const request of [api, token('payments', 'worker')]) {
      expect(verdictOf(compact, request)).toBe(verdictOf(scopedPolicy(), request));
      expect(verdictOf(pretty, request)).toBe(verdictOf(scopedPolicy(), request));
    }
    expect(verdictOf(compact, api)).toBe('allow');
  });

  test('a JSON string (already decoded) evaluates like the object', () => {
    expect(verdictOf(JSON.stringify(scopedPolicy()), api)).toBe('allow');
  });
});
