import { InventoryError } from '../../lambda/core/inventory/errors';
import { MAX_INVENTORY_PROBLEMS } from '../../lambda/core/inventory/issues';
import { parseInventory } from '../../lambda/core/inventory/parse';
import { ACCOUNT, fixture, inventoryError, validDocument } from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: tests break documents on purpose
type Json = any;

const SOURCE = 'org/inventory.json';

function problemsOf(document: unknown) {
  const error = inventoryError(() => parseInventory(document, SOURCE));
  expect(error.code).toBe('InventoryInvalid');
  expect(error.source).toBe(SOURCE);
  expect(error.message.startsWith(`${SOURCE} is not a valid inventory`)).toBe(true);
  return error;
}

const cases: [string, (doc: Json) => void, string, string][] = [
  [
    'schemaVersion missing',
    (doc) => delete doc.schemaVersion,
    '$.schemaVersion',
    'expected the number 1, got nothing',
  ],
  [
    'schemaVersion as a string',
    (doc) => (doc.schemaVersion = '1'),
    '$.schemaVersion',
    'expected the number 1, got "1"',
  ],
  [
    'generatedAt not a date',
    (doc) => (doc.generatedAt = 'yesterday'),
    '$.generatedAt',
    'expected an ISO 8601 date-time',
  ],
  [
    'accounts missing',
    (doc) => delete doc.accounts,
    '$.accounts',
    'expected an array of accounts, got nothing',
  ],
  [
    'account not an object',
    (doc) => (doc.accounts[0] = 'prod'),
    '$.accounts[0]',
    'expected an account object, got "prod"',
  ],
  [
    'accountId too short',
    (doc) => (doc.accounts[0].accountId = '1234'),
    '$.accounts[0].accountId',
    'expected a 12-digit string, got "1234"',
  ],
  [
    'accountId as a number',
    (doc) => (doc.accounts[0].accountId = 111122223333),
    '$.accounts[0].accountId',
    'expected a 12-digit string, got the number 111122223333 — write it as a string: "111122223333"',
  ],
  [
    'accountId that lost its leading zero',
    (doc) => (doc.accounts[0].accountId = 12345678901),
    '$.accounts[0].accountId',
    'JSON numbers drop leading zeros, so it is probably "012345678901"',
  ],
  [
    'partition unknown',
    (doc) => (doc.accounts[0].partition = 'amazon'),
    '$.accounts[0].partition',
    'expected an AWS partition',
  ],
  [
    'roles not a list',
    (doc) => (doc.accounts[0].roles = 'all'),
    '$.accounts[0].roles',
    'expected an array of roles, or the output of',
  ],
  [
    'role ARN missing',
    (doc) => delete doc.accounts[0].roles[0].arn,
    '$.accounts[0].roles[0].arn',
    'expected an IAM role ARN',
  ],
  [
    'role ARN that is a role name',
    (doc) => (doc.accounts[0].roles[0].arn = 'orders-api'),
    '$.accounts[0].roles[0].arn',
    'expected an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<path/><name>), got "orders-api"',
  ],
  [
    'trust policy missing',
    (doc) => delete doc.accounts[0].roles[0].trustPolicy,
    '$.accounts[0].roles[0].trustPolicy',
    'expected the trust policy',
  ],
  [
    'attachedPolicyArns with a non-string',
    (doc) => (doc.accounts[0].roles[0].attachedPolicyArns = ['a', 7]),
    '$.accounts[0].roles[0].attachedPolicyArns[1]',
    'expected a string, got the number 7',
  ],
  [
    'lastUsed a number',
    (doc) => (doc.accounts[0].roles[0].lastUsed = 5),
    '$.accounts[0].roles[0].lastUsed',
    'expected a date-time string or null',
  ],
  [
    'IAM role entry with a broken attached policy',
    (doc) => {
      const entry = fixture<Json>('gaad-roles.json').RoleDetailList[0];
      entry.AttachedManagedPolicies = [{ PolicyName: 'x' }];
      doc.accounts[0].roles = { RoleDetailList: [entry] };
    },
    '$.accounts[0].roles.RoleDetailList[0].AttachedManagedPolicies[0]',
    'expected an object with a string "PolicyArn", got nothing',
  ],
  [
    'IAM role entry without a policy document',
    (doc) => {
      const entry = fixture<Json>('gaad-roles.json').RoleDetailList[0];
      delete entry.AssumeRolePolicyDocument;
      doc.accounts[0].roles = [entry];
    },
    '$.accounts[0].roles[0].AssumeRolePolicyDocument',
    'expected the trust policy',
  ],
  [
    'provider without client ids',
    (doc) => delete doc.accounts[0].oidcProviders[0].clientIds,
    '$.accounts[0].oidcProviders[0].clientIds',
    'expected an array of client ids (audiences, e.g. ["sts.amazonaws.com"]), got nothing (the field is missing) — get them with `aws iam get-open-id-connect-provider`',
  ],
  [
    'provider ARN with https://',
    (doc) =>
      (doc.accounts[0].oidcProviders[0].arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/https://oidc.eks.x/id/A`),
    '$.accounts[0].oidcProviders[0].arn',
    'expected an IAM OIDC provider ARN',
  ],
  [
    'provider with neither ARN nor url',
    (doc) => (doc.accounts[0].oidcProviders[0] = { clientIds: [] }),
    '$.accounts[0].oidcProviders[0].arn',
    'expected an IAM OIDC provider ARN',
  ],
  [
    'list-open-id-connect-providers output',
    (doc) => (doc.accounts[0].oidcProviders = fixture('list-open-id-connect-providers.json')),
    '$.accounts[0].oidcProviders',
    'use `aws iam get-open-id-connect-provider` for each ARN',
  ],
  [
    'clusters not a list',
    (doc) => (doc.accounts[0].clusters = {}),
    '$.accounts[0].clusters',
    'expected an array of clusters, got an object',
  ],
  [
    'cluster name missing',
    (doc) => delete doc.accounts[0].clusters[0].name,
    '$.accounts[0].clusters[0].name',
    'expected the cluster name',
  ],
  [
    'cluster region invalid',
    (doc) => (doc.accounts[0].clusters[0].region = 'Oregon'),
    '$.accounts[0].clusters[0].region',
    'expected an AWS region such as "us-west-2", got "Oregon"',
  ],
  [
    'cluster region missing and no ARN',
    (doc) => {
      delete doc.accounts[0].clusters[0].region;
      delete doc.accounts[0].clusters[0].arn;
    },
    '$.accounts[0].clusters[0].region',
    '(or a cluster "arn" to take it from)',
  ],
  [
    'describe-cluster output without a name',
    (doc) => {
      const describe = fixture<Json>('describe-cluster.json');
      delete describe.cluster.name;
      doc.accounts[0].clusters[0] = describe;
    },
    '$.accounts[0].clusters[0].cluster.name',
    'expected the cluster name',
  ],
  [
    'unreachable without a reason',
    (doc) => (doc.accounts[0].clusters[0].kubernetes = { status: 'unreachable' }),
    '$.accounts[0].clusters[0].kubernetes.reason',
    'expected the reason the Kubernetes API could not be read',
  ],
  [
    'unknown Kubernetes status',
    (doc) => (doc.accounts[0].clusters[0].kubernetes = { status: 'down' }),
    '$.accounts[0].clusters[0].kubernetes.status',
    'expected "ok", "unreachable" or "not-collected", got "down"',
  ],
  [
    'association without namespace',
    (doc) => delete doc.accounts[0].clusters[0].podIdentityAssociations[0].namespace,
    '$.accounts[0].clusters[0].podIdentityAssociations[0].namespace',
    'expected a Kubernetes name',
  ],
  [
    'service account name missing',
    (doc) => delete doc.accounts[0].clusters[0].serviceAccounts[0].name,
    '$.accounts[0].clusters[0].serviceAccounts[0].name',
    'expected a Kubernetes name (non-empty, no spaces, `:` or `/`), got nothing',
  ],
  [
    'service account name with a colon',
    (doc) => (doc.accounts[0].clusters[0].serviceAccounts[0].name = 'orders:api'),
    '$.accounts[0].clusters[0].serviceAccounts[0].name',
    'got "orders:api"',
  ],
  [
    'annotation value not a string',
    (doc) =>
      (doc.accounts[0].clusters[0].serviceAccounts[0].annotations['eks.amazonaws.com/audience'] = ['a']),
    '$.accounts[0].clusters[0].serviceAccounts[0].annotations["eks.amazonaws.com/audience"]',
    'expected a string value, got an array',
  ],
  [
    'kubectl service account without namespace',
    (doc) => {
      const list = fixture<Json>('kubectl-sa-pods.json');
      delete list.items[2].metadata.namespace;
      doc.accounts[0].clusters[0].serviceAccounts = list;
    },
    '$.accounts[0].clusters[0].serviceAccounts.items[2].metadata.namespace',
    'kubectl prints it with `-A` or `-n <namespace>`',
  ],
  [
    'kubectl service account with a numeric name',
    (doc) => {
      const list = fixture<Json>('kubectl-sa-pods.json');
      list.items[1].metadata.name = 42;
      doc.accounts[0].clusters[0].serviceAccounts = list;
    },
    '$.accounts[0].clusters[0].serviceAccounts.items[1].metadata.name',
    'got the number 42',
  ],
  [
    'kubectl pod without spec',
    (doc) => {
      const list = fixture<Json>('kubectl-sa-pods.json');
      delete list.items[4].spec;
      doc.accounts[0].clusters[0].pods = list;
    },
    '$.accounts[0].clusters[0].pods.items[4].spec',
    'expected the pod spec',
  ],
  [
    'kubectl pod env value not a string',
    (doc) => {
      const list = fixture<Json>('kubectl-sa-pods.json');
      list.items[3].spec.containers[0].env[0].value = 3;
      doc.accounts[0].clusters[0].pods = list;
    },
    '$.accounts[0].clusters[0].pods.items[3].spec.containers[0].env[0].value',
    'expected a string, got the number 3',
  ],
  [
    'item kind not a string',
    (doc) => (doc.accounts[0].clusters[0].serviceAccounts[0].kind = 7),
    '$.accounts[0].clusters[0].serviceAccounts[0].kind',
    'expected a Kubernetes kind string',
  ],
  [
    'serviceAccounts neither array nor List',
    (doc) => (doc.accounts[0].clusters[0].serviceAccounts = 'none'),
    '$.accounts[0].clusters[0].serviceAccounts',
    'or a Kubernetes List',
  ],
  [
    'pod without containers',
    (doc) => delete doc.accounts[0].clusters[0].pods[0].containers,
    '$.accounts[0].clusters[0].pods[0].containers',
    'the IRSA checks read AWS_ROLE_ARN from it',
  ],
  [
    'pod owner without name',
    (doc) => (doc.accounts[0].clusters[0].pods[0].owner = { kind: 'Deployment' }),
    '$.accounts[0].clusters[0].pods[0].owner.name',
    'expected a non-empty string, got nothing',
  ],
  [
    'env entry without name',
    (doc) => (doc.accounts[0].clusters[0].pods[0].containers[0].env[0] = { value: 'x' }),
    '$.accounts[0].clusters[0].pods[0].containers[0].env[0].name',
    'expected a non-empty string',
  ],
  [
    'container init not boolean',
    (doc) => (doc.accounts[0].clusters[0].pods[0].containers[0].init = 'yes'),
    '$.accounts[0].clusters[0].pods[0].containers[0].init',
    'expected true or false, got "yes"',
  ],
  [
    'coverage error with unknown scope',
    (doc) => (doc.accounts[0].errors[0].scope = 'org'),
    '$.accounts[0].errors[0].scope',
    'expected "account", "region" or "cluster", got "org"',
  ],
  [
    'region coverage error without region',
    (doc) => delete doc.accounts[0].errors[0].region,
    '$.accounts[0].errors[0].region',
    'expected the region',
  ],
  [
    'cluster coverage error without cluster',
    (doc) => (doc.accounts[0].errors[0].scope = 'cluster'),
    '$.accounts[0].errors[0].cluster',
    'expected the cluster name',
  ],
  [
    'coverage error without code',
    (doc) => delete doc.accounts[0].errors[0].code,
    '$.accounts[0].errors[0].code',
    'expected an error code',
  ],
];

describe('parseInventory: bad input names the file, the JSON path and what was expected', () => {
  it.each(cases)('%s', (_label, mutate, path, expectation) => {
    const document = validDocument();
    mutate(document);

    const error = problemsOf(document);

    expect(error.problems).toContainEqual({ path, message: expect.stringContaining(expectation) });
    expect(error.message).toContain(`${path}: `);
    expect(error.message).toContain(expectation);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'inventory'],
  ])('rejects a document that is %s', (_label, document) => {
    const error = problemsOf(document);

    expect(error.problems).toEqual([
      {
        path: '$',
        message: expect.stringContaining('expected a JSON object {"schemaVersion": 1, "accounts": […]}'),
      },
    ]);
  });

  it('rejects another schemaVersion with one clear message and nothing else', () => {
    const document = validDocument();
    document.schemaVersion = 2;
    document.accounts[0].accountId = 'x';

    const error = problemsOf(document);

    expect(error.problems).toEqual([
      {
        path: '$.schemaVersion',
        message:
          'expected 1, got the number 2: this irsa-audit reads inventory schemaVersion 1 only ' +
          '(the file was written by a newer irsa-audit: upgrade)',
      },
    ]);
  });

  it('rejects an account listed twice', () => {
    const document = validDocument();
    document.accounts.push({ accountId: ACCOUNT });

    const error = problemsOf(document);

    expect(error.problems).toEqual([
      {
        path: '$.accounts[1]',
        message: 'account 111122223333 is listed twice (also at $.accounts[0]): merge them',
      },
    ]);
  });

  it('lists several problems at once, in a message with one line per problem', () => {
    const document = validDocument();
    document.accounts[0].accountId = '1234';
    document.accounts[0].roles[0].arn = 'x';
    document.accounts[0].clusters[0].region = 'mars-1';

    const error = problemsOf(document);

    expect(error.problems.map((p) => p.path)).toEqual([
      '$.accounts[0].accountId',
      '$.accounts[0].roles[0].arn',
      '$.accounts[0].clusters[0].region',
    ]);
    expect(error.message.split('\n')).toHaveLength(4);
    expect(error.message).toMatch(
      /^org\/inventory\.json is not a valid inventory \(3 problems\):\n {2}\$\.accounts/,
    );
    expect(error.truncated).toBe(false);
  });

  it(`stops after ${MAX_INVENTORY_PROBLEMS} problems and says so`, () => {
    const roles = Array.from({ length: 500 }, (_, i) => ({ arn: `bad-${i}`, trustPolicy: {} }));

    const error = problemsOf({ schemaVersion: 1, accounts: [{ accountId: ACCOUNT, roles }] });

    expect(error.problems).toHaveLength(MAX_INVENTORY_PROBLEMS);
    expect(error.truncated).toBe(true);
    expect(error.message).toContain(`stopped after ${MAX_INVENTORY_PROBLEMS} problems`);
    expect(error.problems[19].path).toBe('$.accounts[0].roles[19].arn');
  });

  it('quotes bad values safely: truncated, invisible and control characters escaped', () => {
    const document = validDocument();
    document.accounts[0].accountId = `\u202e${'9'.repeat(200)}\u0007`;

    const error = problemsOf(document);

    const [problem] = error.problems;
    expect(problem.message).toContain('"\\u202e9999');
    expect(problem.message).toContain('…"');
    expect(problem.message.length).toBeLessThan(120);
    expect(error.message).not.toMatch(/[\u202e\u0007]/);
  });

  it('never prints a whole object or array as the bad value', () => {
    const document = validDocument();
    document.accounts[0].accountId = { id: 'secret-looking-value' };

    const error = problemsOf(document);

    expect(error.message).toContain('got an object');
    expect(error.message).not.toContain('secret-looking-value');
  });

  it('quotes an odd key in the path', () => {
    const document = validDocument();
    document.accounts[0].clusters[0].serviceAccounts[0].annotations = { 'we ird\n"key': 1 };

    const error = problemsOf(document);

    expect(error.problems[0].path).toBe(
      '$.accounts[0].clusters[0].serviceAccounts[0].annotations["we ird\\n\\"key"]',
    );
  });

  it('turns a getter that throws into an InventoryError with the cause kept', () => {
    const boom = new Error('boom');
    const document = validDocument();
    Object.defineProperty(document.accounts[0], 'roles', {
      get() {
        throw boom;
      },
    });

    const error = inventoryError(() => parseInventory(document, SOURCE));

    expect(error).toBeInstanceOf(InventoryError);
    expect(error.code).toBe('InventoryInvalid');
    expect(error.message).toBe(`${SOURCE}: the inventory could not be read (boom)`);
    expect(error.cause).toBe(boom);
  });
});
