/**
 * Subject classification (analyzeTrust / classifySubjects): per IRSA statement and provider, the set of
 * service accounts admitted — exact, one namespace, cross-namespace, unrestricted or none — which the
 * wildcard / unrestricted / target checks and the engine's subject index rely on.
 */
import { normalizePolicy } from '../../lambda/core/policy/normalize';
import {
  type AdmittedSubjects,
  analyzeTrust,
  classifySubjects,
  grantAdmitsAudience,
  grantRestrictsAudience,
  type IrsaGrant,
  parseSubject,
  subjectValueProblem,
} from '../../lambda/core/policy/trust';
import {
  ACCOUNT,
  AUD,
  AUDIENCE,
  ISSUER,
  OTHER_ACCOUNT,
  OTHER_ISSUER,
  OTHER_SUB,
  providerArn,
  SUB,
  statement,
  subject,
  TAG_VARIABLE,
  trustPolicy,
} from './trust-fixtures';

function grantsOf(document: unknown): readonly IrsaGrant[] {
  return analyzeTrust(normalizePolicy(document), 'aws', ACCOUNT).grants;
}

/** The subject scope of the only grant of a one-statement policy with `condition`. */
function admittedOf(condition?: Record<string, unknown>): AdmittedSubjects {
  const grants = grantsOf(trustPolicy(statement(condition)));
  expect(grants).toHaveLength(1);
  return grants[0].subjects;
}

describe('subject classification', () => {
  test('exact: one service account', () => {
    const scope = admittedOf({ StringEquals: { [SUB]: subject('payments', 'api'), [AUD]: AUDIENCE } });
    expect(scope).toMatchObject({
      kind: 'exact',
      exact: [subject('payments', 'api')],
      namespaces: [],
      broad: [],
    });
  });

  test('exact: several service accounts (terraform v6 list)', () => {
    const scope = admittedOf({
      StringEquals: {
        [SUB]: [subject('kube-system', 'aws-node'), subject('default', 'app')],
        [AUD]: AUDIENCE,
      },
    });
    expect(scope.kind).toBe('exact');
    expect(scope.exact).toEqual([subject('kube-system', 'aws-node'), subject('default', 'app')]);
  });

  test('exact: an IgnoreCase value admits its lower-case form (Kubernetes names are lower case)', () => {
    const scope = admittedOf({ StringEqualsIgnoreCase: { [SUB]: 'system:serviceaccount:Payments:API' } });
    expect(scope).toMatchObject({ kind: 'exact', exact: [subject('payments', 'api')] });
  });

  test('namespace: every service account of one namespace', () => {
    const scope = admittedOf({ StringLike: { [SUB]: subject('payments', '*'), [AUD]: AUDIENCE } });
    expect(scope.kind).toBe('namespace');
    expect(scope.namespaces).toEqual([
      { namespace: 'payments', pattern: subject('payments', '*'), everyServiceAccount: true },
    ]);
  });

  test('namespace: a name prefix pattern inside one namespace (EKS Blueprints argocd-*)', () => {
    const scope = admittedOf({ StringLike: { [SUB]: subject('argocd', 'argocd-*'), [AUD]: AUDIENCE } });
    expect(scope.kind).toBe('namespace');
    expect(scope.namespaces).toEqual([
      { namespace: 'argocd', pattern: subject('argocd', 'argocd-*'), everyServiceAccount: false },
    ]);
  });

  test.each([
    'system:serviceaccount:*',
    'system:serviceaccount:team*',
    'system:serviceaccount:team-?:*',
    'system:*:payments:api',
  ])('cross-namespace: %s', (pattern) => {
    const scope = admittedOf({ StringLike: { [SUB]: pattern }, StringEquals: { [AUD]: AUDIENCE } });
    expect(scope.kind).toBe('cross-namespace');
    expect(scope.broad).toEqual([pattern]);
  });

  test('the narrowest positive clause governs: an exact subject ANDed with a namespace pattern is exact', () => {
    const scope = admittedOf({
      StringEquals: { [SUB]: subject('payments', 'api') },
      StringLike: { [SUB]: subject('payments', '*') },
    });
    expect(scope).toMatchObject({ kind: 'exact', exact: [subject('payments', 'api')] });
  });

  test.each([
    ['no condition', undefined],
    ['aud-only', { StringEquals: { [AUD]: AUDIENCE } }],
    [
      'negated-only',
      { StringNotEquals: { [SUB]: subject('kube-system', 'default') }, StringEquals: { [AUD]: AUDIENCE } },
    ],
    ['StringNotLike only', { StringNotLike: { [SUB]: subject('kube-system', '*') } }],
    ['IfExists on a foreign key', { StringEqualsIfExists: { [OTHER_SUB]: subject('payments', 'api') } }],
    [
      'ForAllValues on a foreign key',
      { 'ForAllValues:StringEquals': { [OTHER_SUB]: subject('payments', 'api') } },
    ],
    ['StringLike "*"', { StringLike: { [SUB]: '*' } }],
  ] as const)('unrestricted: %s', (_name, condition) => {
    const scope = admittedOf(condition);
    expect(scope.kind).toBe('unrestricted');
    expect(scope.why).toEqual(expect.any(String));
  });

  test.each([
    [
      'StringEquals and StringNotEquals on the same subject',
      {
        StringEquals: { [SUB]: subject('payments', 'api') },
        StringNotEquals: { [SUB]: subject('payments', 'api') },
      },
    ],
    [
      'an exact subject ANDed with another namespace pattern',
      { StringEquals: { [SUB]: subject('payments', 'api') }, StringLike: { [SUB]: subject('billing', '*') } },
    ],
    [
      'two namespace patterns ANDed',
      {
        StringLike: { [SUB]: subject('payments', '*') },
        'ForAnyValue:StringLike': { [SUB]: subject('billing', '*') },
      },
    ],
  ] as const)('none (conflicting): %s', (_name, condition) => {
    const scope = admittedOf(condition);
    expect(scope).toMatchObject({ kind: 'none', conflicting: true, exact: [], namespaces: [], broad: [] });
  });

  test("none, not conflicting: a positive condition on another issuer's key closes the statement", () => {
    const scope = admittedOf({ StringEquals: { [OTHER_SUB]: subject('payments', 'api'), [AUD]: AUDIENCE } });
    expect(scope.kind).toBe('none');
    expect(scope.conflicting).toBeFalsy();
    expect(scope.why).toContain(OTHER_SUB);
  });

  test('a policy variable is reported as undecidable, not silently admitted', () => {
    // Arrange
    const policy = normalizePolicy(
      trustPolicy(statement({ StringEquals: { [SUB]: subject(TAG_VARIABLE, 'api') } })),
    );
    const subClauses = policy.statements[0].conditions.filter((clause) => clause.keyLower.endsWith(':sub'));
    const undecidable: string[] = [];

    // Act
    const scope = classifySubjects(ISSUER, subClauses, undecidable);

    // Assert
    expect(scope.exact).toEqual([]);
    expect(undecidable.join(' ')).toContain('policy variable');
  });
});

describe('grants', () => {
  test('one grant per (Allow statement, provider); Federated arrays give one grant each', () => {
    const grants = grantsOf(
      trustPolicy(
        statement(
          { StringEquals: { [SUB]: subject('payments', 'api') } },
          {
            Principal: { Federated: [providerArn(), providerArn(OTHER_ISSUER)] },
          },
        ),
      ),
    );
    expect(grants.map((grant) => grant.issuer)).toEqual([ISSUER, OTHER_ISSUER]);
    // For the second provider the sub key is foreign: that grant admits nobody.
    expect(grants.map((grant) => grant.subjects.kind)).toEqual(['exact', 'none']);
  });

  test('Deny statements and statements that do not cover AssumeRoleWithWebIdentity are not grants', () => {
    const analysis = analyzeTrust(
      normalizePolicy(
        trustPolicy(
          statement(undefined, { Effect: 'Deny' }),
          statement({ StringEquals: { [SUB]: subject('payments', 'api') } }, { Action: 'sts:AssumeRole' }),
        ),
      ),
      'aws',
      ACCOUNT,
    );
    expect(analysis.grants).toEqual([]);
    expect(analysis.oidcStatements.map((entry) => entry.coversWebIdentity)).toEqual([true, false]);
  });

  test('non-EKS federated principals (GitHub Actions, SAML, Cognito) are not IRSA statements', () => {
    const analysis = analyzeTrust(
      normalizePolicy(
        trustPolicy(
          statement(
            { StringEquals: { 'token.actions.githubusercontent.com:aud': AUDIENCE } },
            {
              Principal: {
                Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
              },
            },
          ),
          statement(undefined, {
            Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/Okta` },
            Action: 'sts:AssumeRoleWithSAML',
          }),
          statement(undefined, { Principal: { Federated: 'cognito-identity.amazonaws.com' } }),
        ),
      ),
      'aws',
      ACCOUNT,
    );
    expect(analysis.oidcStatements).toEqual([]);
    expect(analysis.grants).toEqual([]);
  });

  test("a provider in another account than the role's admits nobody: no grant", () => {
    const document = trustPolicy(
      statement(
        { StringEquals: { [SUB]: subject('payments', 'api') } },
        {
          Principal: { Federated: providerArn(ISSUER, OTHER_ACCOUNT) },
        },
      ),
    );
    const analysis = analyzeTrust(normalizePolicy(document), 'aws', ACCOUNT);
    expect(analysis.grants).toEqual([]);
    expect(analysis.oidcStatements).toHaveLength(1);
  });

  test('a malformed EKS provider ARN is an OIDC statement with a problem and no grant', () => {
    const analysis = analyzeTrust(
      normalizePolicy(
        trustPolicy(statement(undefined, { Principal: { Federated: providerArn(`https://${ISSUER}`) } })),
      ),
      'aws',
      ACCOUNT,
    );
    expect(analysis.grants).toEqual([]);
    expect(analysis.oidcStatements[0].providers[0].problem).toContain('https://');
  });

  test('audience: restricted, admitted, excluded', () => {
    const [scoped] = grantsOf(
      trustPolicy(statement({ StringEquals: { [SUB]: subject('payments', 'api'), [AUD]: AUDIENCE } })),
    );
    const [subOnly] = grantsOf(
      trustPolicy(statement({ StringEquals: { [SUB]: subject('payments', 'api') } })),
    );
    const [negated] = grantsOf(
      trustPolicy(
        statement({ StringNotEquals: { [AUD]: 'other' }, StringEquals: { [SUB]: subject('a', 'b') } }),
      ),
    );
    expect(grantRestrictsAudience(scoped)).toBe(true);
    expect(grantAdmitsAudience(scoped, AUDIENCE)).toBe(true);
    expect(grantAdmitsAudience(scoped, 'irsa.example.com')).toBe(false);
    expect(grantRestrictsAudience(subOnly)).toBe(false);
    expect(grantAdmitsAudience(subOnly, 'anything')).toBe(true);
    expect(grantRestrictsAudience(negated)).toBe(false);
  });
});

describe('subject syntax', () => {
  test.each([
    [subject('payments', 'api'), { namespace: 'payments', name: 'api' }],
    [subject('payments', 'api.v2'), { namespace: 'payments', name: 'api.v2' }],
    ['system:serviceaccount:Payments:api', undefined],
    ['system:serviceaccount:payments', undefined],
    ['system:serviceaccount:payments:api:extra', undefined],
    ['serviceaccount:payments:api', undefined],
  ])('parseSubject(%s)', (value, expected) => {
    expect(parseSubject(value)).toEqual(expected);
  });

  test.each([
    ['system:serviceaccount:system:serviceaccount:payments:api', false, 'doubled'],
    ['system:serviceaccount:payments: api', false, 'white space'],
    ['system:serviceaccount:payments', false, 'parts'],
    ['system:serviceaccount:Payments:api', false, 'namespace'],
    ['sa:payments:api', true, 'does not start'],
  ] as const)('subjectValueProblem(%s) names the problem', (value, glob, problem) => {
    expect(subjectValueProblem(value, glob)).toContain(problem);
  });

  test.each([
    [subject('payments', 'api'), false],
    [subject('payments', '*'), true],
    ['system:serviceaccount:*', true],
    ['*', true],
  ] as const)('subjectValueProblem(%s) accepts a valid subject or pattern', (value, glob) => {
    expect(subjectValueProblem(value, glob)).toBeUndefined();
  });
});

describe('Allow minus Deny: what the Deny statements exclude', () => {
  const deny = (condition?: Record<string, unknown>, overrides: Record<string, unknown> = {}) =>
    statement(condition, { Effect: 'Deny', ...overrides });

  test('an Allow without `sub` fenced by a Deny on StringNotLike `<ns>:*` admits that namespace', () => {
    const grants = grantsOf(
      trustPolicy(
        statement({ StringEquals: { [AUD]: AUDIENCE } }),
        deny({ StringNotLike: { [SUB]: subject('apps', '*') } }),
      ),
    );
    expect(grants).toHaveLength(1);
    expect(grants[0].subjects).toMatchObject({
      kind: 'namespace',
      namespaces: [{ namespace: 'apps', pattern: subject('apps', '*'), everyServiceAccount: true }],
    });
    expect(grants[0].narrowedBy).toEqual([1]);
  });

  test('a Deny on StringNotEquals one subject leaves exactly that subject', () => {
    const grants = grantsOf(
      trustPolicy(statement(), deny({ StringNotEquals: { [SUB]: subject('payments', 'api') } })),
    );
    expect(grants[0].subjects).toMatchObject({ kind: 'exact', exact: [subject('payments', 'api')] });
  });

  test('a Deny on one namespace removes it from an Allow of two namespaces', () => {
    const grants = grantsOf(
      trustPolicy(
        statement({ StringLike: { [SUB]: [subject('apps', '*'), subject('jobs', '*')] } }),
        deny({ StringLike: { [SUB]: subject('jobs', '*') } }),
      ),
    );
    // Both patterns stay listed (the classification is per value), but a `jobs` subject is refused.
    expect(grants[0].subjects.kind).toBe('namespace');
    expect(grants[0].narrowedBy).toEqual([1]);
  });

  test('an unconditional Deny for the provider leaves nobody', () => {
    const grants = grantsOf(trustPolicy(statement(), deny()));
    expect(grants[0].subjects).toMatchObject({ kind: 'none', exact: [], namespaces: [], broad: [] });
    expect(grants[0].subjects.why).toContain('statement 1 denies every token');
  });

  test('a Deny for another provider, another action, or on keys the token lacks excludes nothing', () => {
    const grants = grantsOf(
      trustPolicy(
        statement(),
        deny(
          { StringNotLike: { [SUB]: subject('apps', '*') } },
          { Principal: { Federated: providerArn(OTHER_ISSUER) } },
        ),
        deny({ StringNotLike: { [SUB]: subject('apps', '*') } }, { Action: 'sts:AssumeRole' }),
        deny({ StringEquals: { [OTHER_SUB]: subject('apps', 'api') } }),
      ),
    );
    expect(grants[0].subjects.kind).toBe('unrestricted');
    expect(grants[0].narrowedBy).toEqual([]);
  });

  test('a Deny whose exclusion is not one `sub` condition (aud, unknown keys, two sub clauses) leaves an upper bound', () => {
    const grants = grantsOf(
      trustPolicy(
        statement({ StringLike: { [SUB]: subject('apps', '*') } }),
        deny({ StringNotEquals: { [AUD]: AUDIENCE } }),
        deny({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' }, StringLike: { [SUB]: subject('apps', 'a*') } }),
        deny({
          StringLike: { [SUB]: subject('apps', '*') },
          StringNotEquals: { [SUB]: subject('apps', 'api') },
        }),
      ),
    );
    expect(grants[0].subjects.kind).toBe('namespace');
    expect(grants[0].narrowedBy).toEqual([]);
  });

  test('Deny statements that exclude every subject of the Allow leave a conflicting statement', () => {
    const grants = grantsOf(
      trustPolicy(
        statement({ StringEquals: { [SUB]: subject('payments', 'api') } }),
        deny({ StringNotLike: { [SUB]: subject('apps', '*') } }),
      ),
    );
    expect(grants[0].subjects).toMatchObject({ kind: 'none', conflicting: true });
  });
});
