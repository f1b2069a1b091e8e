/**
 * fast-check arbitraries for the fuzz tests: trust policies from well-formed (eksctl / terraform / docs
 * shapes) to hostile (wrong types, huge and odd-Unicode strings, deep nesting, unknown operators and
 * keys, policy variables, URL-encoded and broken JSON strings), and inventories built from them.
 */
import fc from 'fast-check';
import { trustPolicyOfValue } from '../../lambda/core/inventory/trust-policy';
import type {
  Account,
  Cluster,
  Container,
  CoverageError,
  Inventory,
  OidcProvider,
  Pod,
  PodIdentityAssociation,
  Role,
  ServiceAccount,
} from '../../lambda/core/model';

export const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];
export const ISSUERS = [
  'oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789',
  'oidc.eks.eu-west-1.amazonaws.com/id/00000000000000000000000000000000',
  'oidc-eks.us-west-2.api.aws/id/ABCDEF0123456789ABCDEF0123456789',
  'oidc.eks.cn-north-1.amazonaws.com.cn/id/11111111111111111111111111111111',
];
/** Issuers that are not (valid) EKS issuers but show up in trust policies and inventories. */
export const ODD_ISSUERS = [
  'token.actions.githubusercontent.com',
  'oidc.us-west-2.eks.amazonaws.com/CLUSTERID',
  'oidc.eks.us-west-2.amazonaws.com',
  'https://oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789',
  '',
];

// biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy variable syntax, not a template
export const POLICY_VARIABLES = ['${*}', '${?}', '${$}', '${aws:username}', '${}'] as const;
export const [VAR_STAR, VAR_QUESTION, VAR_DOLLAR, VAR_USERNAME] = POLICY_VARIABLES;

const HUGE = [
  'a'.repeat(100_000),
  '${'.repeat(40_000),
  '*?'.repeat(30_000),
  `system:serviceaccount:${'*'.repeat(20_000)}`,
  '%'.repeat(50_000),
  'é'.repeat(30_000),
];

/**
 * Strings that have broken parsers before: empty, control characters, lone surrogates, RTL marks…
 * (huge ones are in `oddOrHugeString`: names in inventories get their own huge-value test, since
 * every finding hashes its resource names).
 */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\uD800',
      '\uDFFF',
      '\u202Edesrever',
      '\uFEFF',
      'é',
      'İ',
      'ß',
      '%',
      '%E0%A4%A',
      ...POLICY_VARIABLES,
      '${',
      '}',
      '*',
      '?',
      ':',
      '__proto__',
      'constructor',
      'toString',
      'system:serviceaccount:*',
      'system:serviceaccount:default:app',
      'system:serviceaccount:system:serviceaccount:default:app',
      'sts.amazonaws.com',
      'true',
      'false',
      'null',
      'NaN',
    ),
  },
);

export const oddOrHugeString: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: oddString },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
);

export const providerArn = (accountId: string, issuer: string) =>
  `arn:aws:iam::${accountId}:oidc-provider/${issuer}`;

export const federatedValue: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...ACCOUNTS), fc.constantFrom(...ISSUERS))
      .map(([accountId, issuer]) => providerArn(accountId, issuer)),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      `arn:aws:iam::${ACCOUNTS[0]}:oidc-provider/https://${ISSUERS[0]}`,
      `arn:aws:iam::${ACCOUNTS[0]}:oidc-provider/oidc.eks.us-west-2.amazonaws.com`,
      `arn:aws:iam::${ACCOUNTS[0]}:oidc-provider/oidc.us-west-2.eks.amazonaws.com/CLUSTERID`,
      `arn:aws-cn:iam::${ACCOUNTS[0]}:oidc-provider/${ISSUERS[0]}`,
      `arn:aws:iam::12345:oidc-provider/${ISSUERS[0]}`,
      `arn:aws:iam::${ACCOUNTS[0]}:oidc-provider/`,
      `arn:aws:eks:us-west-2:${ACCOUNTS[0]}:cluster/prod`,
      `arn:aws:iam::${ACCOUNTS[0]}:saml-provider/corp`,
      `arn:aws:iam::${ACCOUNTS[0]}:oidc-provider/token.actions.githubusercontent.com`,
      `https://${ISSUERS[0]}`,
      ISSUERS[0],
      'cognito-identity.amazonaws.com',
      'arn:aws:iam:::oidc-provider/x',
      'arn:',
    ),
  },
  { weight: 1, arbitrary: oddOrHugeString },
);

const conditionKey: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...ISSUERS, ...ODD_ISSUERS),
        fc.constantFrom(':sub', ':aud', ':Sub', ':AUD', ':amr', ':azp', ''),
      )
      .map(([issuer, claim]) => `${issuer}${claim}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      `${ISSUERS[0].toUpperCase()}:sub`,
      `https://${ISSUERS[0]}:sub`,
      `${providerArn(ACCOUNTS[0], ISSUERS[0])}:sub`,
      'aws:SourceIp',
      'aws:PrincipalArn',
      'sts:RoleSessionName',
      'aws:FederatedProvider',
      'SAML:aud',
      'sub',
      ':sub',
    ),
  },
  { weight: 1, arbitrary: oddOrHugeString },
);

const BASE_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericLessThan',
  'DateGreaterThan',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotLike',
  'Null',
];

export const operatorName: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', '', 'ForAnyValue:', 'ForAllValues:'),
        fc.constantFrom(...BASE_OPERATORS),
        fc.constantFrom('', '', 'IfExists'),
      )
      .map(([set, base, suffix]) => `${set}${base}${suffix}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'StringEqualz',
      'stringequals',
      'IfExists',
      'ForAnyValue:',
      'ForAnyValue:ForAllValues:StringEquals',
      'NullIfExists',
      '__proto__',
      'hasOwnProperty',
      '',
    ),
  },
  { weight: 1, arbitrary: oddOrHugeString },
);

/** Nested arrays/objects, deeper than any policy should be. */
const deep: fc.Arbitrary<unknown> = fc.integer({ min: 50, max: 2000 }).map((depth) => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { nested: value };
  return value;
});

export const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: oddOrHugeString },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, [], {}, 0, -0, 1e308, true) },
);

const stringOrList = (item: fc.Arbitrary<string>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: item },
    { weight: 3, arbitrary: fc.array(item, { maxLength: 3 }) },
    { weight: 1, arbitrary: jsonish },
  );

const subValue: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('default', 'team-a', 'kube-system', '*', 'team*', ''),
      fc.constantFrom('app', 'sa-1', '*', '?', 'app-*'),
    )
    .map(([ns, name]) => `system:serviceaccount:${ns}:${name}`),
  oddOrHugeString,
);

const conditionValues: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: stringOrList(subValue) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(true, false, 42, ['true', 'false'], [1, 'x', false], []) },
  { weight: 1, arbitrary: jsonish },
);

export const conditionBlock: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.dictionary(
      operatorName,
      fc.oneof(
        { weight: 6, arbitrary: fc.dictionary(conditionKey, conditionValues, { maxKeys: 3 }) },
        { weight: 1, arbitrary: jsonish },
      ),
      { maxKeys: 3 },
    ),
  },
  { weight: 1, arbitrary: jsonish },
);

const ACTIONS = [
  'sts:AssumeRoleWithWebIdentity',
  'sts:assumerolewithwebidentity',
  'sts:AssumeRole',
  'sts:AssumeRole*',
  'sts:*',
  '*',
  'sts:TagSession',
  's3:GetObject',
  'sts:AssumeRoleWith?ebIdentity',
];

const principal: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ Federated: stringOrList(federatedValue) }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      '*',
      { AWS: '*' },
      { AWS: ['arn:aws:iam::111122223333:root', '*'] },
      { Service: 'pods.eks.amazonaws.com' },
      { Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] },
      { CanonicalUser: 'abc' },
      { Federated: 'x', Unknown: 'y' },
    ),
  },
  { weight: 1, arbitrary: jsonish },
);

/** A statement: mostly IRSA-shaped, with any field possibly missing, doubled or of the wrong type. */
export const statement: fc.Arbitrary<unknown> = fc
  .record(
    {
      Sid: fc.oneof(fc.constantFrom('', 'Irsa'), jsonish),
      Effect: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('Allow', 'Deny') },
        { weight: 1, arbitrary: jsonish },
      ),
      Principal: principal,
      NotPrincipal: principal,
      Action: stringOrList(fc.constantFrom(...ACTIONS)),
      NotAction: stringOrList(fc.constantFrom(...ACTIONS)),
      Condition: conditionBlock,
      Resource: jsonish,
    },
    { requiredKeys: [] },
  )
  .map((raw) => {
    // Keep most statements plausible: NotPrincipal and NotAction only sometimes.
    const { NotPrincipal, NotAction, ...rest } = raw as Record<string, unknown>;
    const out: Record<string, unknown> = { ...rest };
    if (NotPrincipal !== undefined && !('Principal' in rest)) out.NotPrincipal = NotPrincipal;
    if (NotAction !== undefined && !('Action' in rest)) out.NotAction = NotAction;
    return out;
  });

/** A policy document object, from well-formed to hostile. */
export const policyObject: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      Version: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('2012-10-17', '2008-10-17') },
        { weight: 1, arbitrary: jsonish },
      ),
      Id: jsonish,
      Statement: fc.oneof(
        { weight: 6, arbitrary: fc.array(statement, { maxLength: 4 }) },
        { weight: 2, arbitrary: statement },
        { weight: 1, arbitrary: jsonish },
      ),
    },
    { requiredKeys: ['Statement'] },
  )
  .map((policy) => policy as Record<string, unknown>);

/** A well-formed IRSA trust (the tool shapes of docs/irsa-semantics.md §6), for mutation and inventories. */
export const irsaPolicy = (
  accountId: string,
  issuer: string,
  subjects: string[],
): Record<string, unknown> => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: providerArn(accountId, issuer) },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${issuer}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
          [`${issuer}:aud`]: 'sts.amazonaws.com',
        },
      },
    },
  ],
});

/** Replaces, deletes, wraps or stringifies the n-th node (depth-first) of a JSON tree. */
function mutate(tree: unknown, target: number, kind: string, replacement: unknown): unknown {
  let counter = 0;
  const visit = (node: unknown): unknown => {
    if (counter++ === target) {
      if (kind === 'replace') return replacement;
      if (kind === 'wrap') return [node];
      if (kind === 'stringify') return JSON.stringify(node) ?? 'undefined';
      return undefined;
    }
    if (Array.isArray(node)) return node.map(visit).filter((item) => item !== undefined);
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        const next = visit(value);
        if (next !== undefined) out[key] = next;
      }
      return out;
    }
    return node;
  };
  return visit(tree);
}

export const mutatedPolicy: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(...ACCOUNTS),
    fc.constantFrom(...ISSUERS),
    fc.array(
      fc.tuple(fc.nat({ max: 40 }), fc.constantFrom('replace', 'delete', 'wrap', 'stringify'), jsonish),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
  )
  .map(([accountId, issuer, mutations]) =>
    mutations.reduce<unknown>(
      (tree, [target, kind, replacement]) => mutate(tree, target, kind, replacement),
      irsaPolicy(accountId, issuer, ['system:serviceaccount:default:app']),
    ),
  );

/** What a role's `trustPolicy` may hold: objects, JSON / URL-encoded / broken strings, anything. */
export const trustDocument: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: policyObject },
  { weight: 4, arbitrary: mutatedPolicy },
  { weight: 2, arbitrary: policyObject.map((policy) => JSON.stringify(policy)) },
  { weight: 2, arbitrary: mutatedPolicy.map((policy) => encodeURIComponent(JSON.stringify(policy) ?? '')) },
  {
    weight: 1,
    arbitrary: fc.tuple(policyObject, fc.nat()).map(([policy, cut]) => {
      const text = JSON.stringify(policy);
      return text.slice(0, cut % (text.length + 1));
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      '',
      '   ',
      '%7B%22Statement%22%3A%5B',
      '%E0%A4%A',
      '%7B%22Version%22%3A%222012-10-17%22%7D',
      '{"Statement": []}',
      JSON.stringify(JSON.stringify({ Statement: [] })),
      '{"Statement":{"Effect":"Allow","Principal":"*","Action":"*"}}',
      { unparsable: 'not JSON' },
      { unparsable: 'x', Statement: [] },
    ),
  },
  { weight: 1, arbitrary: jsonish },
);

// ---------------------------------------------------------------- inventories

const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('default', 'app', 'sa-1', 'team-a', 'kube-system', 'web') },
  { weight: 1, arbitrary: oddString },
);

const roleArnFor = (accountId: string, roleName: string) => `arn:aws:iam::${accountId}:role/${roleName}`;
const ROLE_NAMES = ['irsa-app', 'irsa-web', 'team/irsa-sa1', 'podid', 'lambda'];

const roleArnValue: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...ACCOUNTS, '999999999999'), fc.constantFrom(...ROLE_NAMES, 'deleted'))
      .map(([accountId, roleName]) => roleArnFor(accountId, roleName)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      `"${roleArnFor(ACCOUNTS[0], 'irsa-app')}"`,
      ` ${roleArnFor(ACCOUNTS[0], 'irsa-app')}`,
      'arn:aws:iam::::111122223333:role/x',
      'irsa-app',
      '',
    ),
  },
  { weight: 1, arbitrary: oddString },
);

const annotations: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'eks.amazonaws.com/role-arn',
        'eks.amazonaws.com/audience',
        'eks.amazonaws.com/token-expiration',
        'eks.amazonaws.com/sts-regional-endpoints',
        'eks.amazon.com/role-arn',
        'eks.amazonaws.com/role_arn',
        'eks.amazonaws.com/skip-containers',
      ),
    },
    { weight: 1, arbitrary: oddString },
  ),
  fc.oneof({ weight: 3, arbitrary: roleArnValue }, { weight: 2, arbitrary: oddString }),
  { maxKeys: 4 },
);

const envVar = fc.record(
  {
    name: fc.oneof(
      fc.constantFrom(
        'AWS_ROLE_ARN',
        'AWS_WEB_IDENTITY_TOKEN_FILE',
        'AWS_REGION',
        'AWS_STS_REGIONAL_ENDPOINTS',
        'AWS_ACCESS_KEY_ID',
      ),
      oddString,
    ),
    value: fc.oneof(roleArnValue, oddString),
    valueFrom: fc.boolean(),
  },
  { requiredKeys: ['name'] },
);

const container: fc.Arbitrary<Container> = fc.record(
  {
    name: fc.oneof(fc.constantFrom('app', 'sidecar'), oddString),
    init: fc.boolean(),
    env: fc.array(envVar, { maxLength: 4 }),
  },
  { requiredKeys: ['name', 'env'] },
);

const pod: fc.Arbitrary<Pod> = fc.record(
  {
    namespace: name,
    name: fc.oneof(fc.constantFrom('app-1', 'app-2', 'web-x'), oddString),
    serviceAccountName: name,
    phase: fc.constantFrom('Running', 'Pending', 'Succeeded', 'Failed', 'Unknown', ''),
    annotations,
    labels: fc.dictionary(
      fc.oneof(fc.constant('eks.amazonaws.com/skip-pod-identity-webhook'), oddString),
      oddString,
      {
        maxKeys: 2,
      },
    ),
    owner: fc.record({ kind: fc.constantFrom('ReplicaSet', 'StatefulSet', 'Job', ''), name }),
    startTime: fc.constantFrom('2026-11-20T10:00:00Z', 'not a date'),
    containers: fc.array(container, { maxLength: 3 }),
  },
  { requiredKeys: ['namespace', 'name', 'serviceAccountName', 'containers'] },
);

const serviceAccount: fc.Arbitrary<ServiceAccount> = fc.record({ namespace: name, name, annotations });

const association: fc.Arbitrary<PodIdentityAssociation> = fc.record(
  { namespace: name, serviceAccount: name, roleArn: roleArnValue, associationId: oddString },
  { requiredKeys: ['namespace', 'serviceAccount'] },
);

const cluster: fc.Arbitrary<Cluster> = fc.record(
  {
    name: fc.oneof(fc.constantFrom('prod', 'dev'), oddString),
    region: fc.constantFrom('us-west-2', 'eu-west-1', 'cn-north-1', 'us-gov-west-1', ''),
    arn: fc.oneof(fc.constant('arn:aws:eks:us-west-2:111122223333:cluster/prod'), oddString),
    oidcIssuer: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...ISSUERS).map((issuer) => `https://${issuer}`) },
      { weight: 1, arbitrary: fc.constantFrom(...ISSUERS, ...ODD_ISSUERS) },
      { weight: 1, arbitrary: oddString },
    ),
    podIdentityAssociations: fc.array(association, { maxLength: 2 }),
    kubernetes: fc.oneof(
      { weight: 5, arbitrary: fc.constant({ status: 'ok' as const }) },
      { weight: 1, arbitrary: fc.record({ status: fc.constant('unreachable' as const), reason: oddString }) },
      { weight: 1, arbitrary: fc.constant({ status: 'not-collected' as const }) },
    ),
    serviceAccounts: fc.array(serviceAccount, { maxLength: 6 }),
    pods: fc.array(pod, { maxLength: 6 }),
  },
  { requiredKeys: ['name', 'region', 'podIdentityAssociations', 'kubernetes', 'serviceAccounts', 'pods'] },
);

const provider: fc.Arbitrary<OidcProvider> = fc
  .tuple(
    fc.constantFrom(...ACCOUNTS),
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...ISSUERS) },
      { weight: 1, arbitrary: fc.constantFrom(...ODD_ISSUERS) },
    ),
    fc.oneof(
      fc.constant<string[]>(['sts.amazonaws.com']),
      fc.constant<string[]>([]),
      fc.array(fc.oneof(fc.constant('sts.amazonaws.com'), oddString), { maxLength: 3 }),
    ),
  )
  .map(([accountId, issuer, clientIds]) => ({ arn: providerArn(accountId, issuer), url: issuer, clientIds }));

const coverageError: fc.Arbitrary<CoverageError> = fc.record(
  {
    scope: fc.constantFrom('account', 'region', 'cluster'),
    region: fc.constantFrom('us-west-2', 'eu-west-1', 'ap-south-1'),
    cluster: name,
    code: fc.constantFrom('AccessDenied', 'Throttling', ''),
    message: oddString,
  },
  { requiredKeys: ['scope', 'code', 'message'] },
);

/** A role: mostly an IRSA trust for a service account that may or may not exist, sometimes anything. */
const role = (accountId: string): fc.Arbitrary<Role> =>
  fc
    .record(
      {
        roleName: fc.oneof(
          { weight: 5, arbitrary: fc.constantFrom(...ROLE_NAMES) },
          { weight: 1, arbitrary: oddString },
        ),
        trustPolicy: fc.oneof(
          {
            weight: 3,
            arbitrary: fc
              .tuple(
                fc.constantFrom(accountId, ...ACCOUNTS),
                fc.constantFrom(...ISSUERS),
                fc.array(subValue, { minLength: 1, maxLength: 2 }),
              )
              .map(
                ([providerAccount, issuer, subjects]) =>
                  irsaPolicy(providerAccount, issuer, subjects) as unknown,
              ),
          },
          { weight: 3, arbitrary: trustDocument },
        ),
        attachedPolicyArns: fc.array(fc.constant('arn:aws:iam::aws:policy/ReadOnlyAccess'), { maxLength: 1 }),
        inlinePolicyNames: fc.array(oddString, { maxLength: 1 }),
        lastUsed: fc.constantFrom<string | null>(null, '2026-11-28T12:00:00Z'),
        weirdArn: fc.integer({ min: 0, max: 19 }).map((roll) => roll === 0),
      },
      { requiredKeys: ['roleName', 'trustPolicy', 'weirdArn'] },
    )
    .map(({ roleName, weirdArn, trustPolicy, ...rest }) => ({
      arn: weirdArn ? roleName : roleArnFor(accountId, roleName),
      // The file's forms decoded as the parser decodes them, so the engine also sees unparsable ones.
      trustPolicy: trustPolicyOfValue(trustPolicy),
      ...rest,
    }));

const account: fc.Arbitrary<Account> = fc
  .constantFrom(...ACCOUNTS, ...ACCOUNTS.slice(0, 1))
  .chain((accountId) =>
    fc.record(
      {
        accountId: fc.constant(accountId),
        name: oddString,
        partition: fc.constantFrom('aws', 'aws-cn'),
        oidcProviders: fc.array(provider, { maxLength: 4 }),
        roles: fc.array(role(accountId), { maxLength: 6 }),
        clusters: fc.array(cluster, { maxLength: 3 }),
        errors: fc.array(coverageError, { maxLength: 2 }),
      },
      { requiredKeys: ['accountId', 'oidcProviders', 'roles', 'clusters', 'errors'] },
    ),
  );

export const inventory: fc.Arbitrary<Inventory> = fc.record({
  schemaVersion: fc.constant(1),
  generatedAt: fc.constant('2026-11-29T03:00:00Z'),
  accounts: fc.array(account, { minLength: 1, maxLength: 3 }),
});
