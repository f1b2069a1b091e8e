/**
 * One cluster, one account, read twice: live (the real collector against the SDK mock layer and the
 * real Kubernetes reader against the loopback API server) and from the exports of the same objects
 * (`aws iam get-account-authorization-details`, `aws iam get-open-id-connect-provider`, `aws eks
 * describe-cluster`, `aws eks describe-pod-identity-association`, `kubectl get sa,pods -A -o json`).
 * Both must give the same inventory and the same findings, fingerprints included (docs/collection.md).
 */
import type { RoleDetail } from '@aws-sdk/client-iam';
import { SimulatedAws } from '../../bench/collect-sim';
import { collectInventory } from '../../lambda/collect/collect';
import { CHECKS } from '../../lambda/core/checks/index';
import { runChecks } from '../../lambda/core/engine';
import { parseInventory } from '../../lambda/core/inventory/parse';
import { inventoryToJson } from '../../lambda/core/inventory/trust-policy';
import type { Account, Inventory } from '../../lambda/core/model';
import { awsDocsTrust, oidcProvider, webIdentityTrust } from '../../scripts/shapes/trust-policies';
import { CA_DATA, type KubeServer, startKubeServer } from './kube-server';
import { account, accountId, cluster, organization } from './org-fixture';
import { type AwsMocks, mockAwsWithSimulation } from './sim-mocks';

const MEMBER = accountId(1);
const REGION = 'eu-west-1';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EQUIVALENCE0000000000000000000000';
const provider = oidcProvider(MEMBER, ISSUER);
const roleArn = (name: string) => `arn:aws:iam::${MEMBER}:role/${name}`;

const ordersTrust = awsDocsTrust(provider, 'payments', 'api');
// A literal `%2A` in the document: kept as it is (a document is URL-decoded once, only when encoded).
const literalTrust = webIdentityTrust(provider, {
  StringLike: {
    [`${ISSUER}:sub`]: 'system:serviceaccount:batch:worker-%2A',
    [`${ISSUER}:aud`]: 'sts.amazonaws.com',
  },
});
const podIdentityTrust = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    },
  ],
};
const brokenTrust = '{"Version": "2012-10-17", "Statement": [';

/** One role as GetAccountAuthorizationDetails returns it through the SDK, and as the AWS CLI prints it. */
function role(name: string, document: string, cliDocument: unknown, lastUsed?: string) {
  const sdk: RoleDetail = {
    Path: '/',
    RoleName: name,
    RoleId: `AROA${name.toUpperCase()}`,
    Arn: roleArn(name),
    CreateDate: new Date('2026-01-05T09:00:00Z'),
    AssumeRolePolicyDocument: encodeURIComponent(document),
    AttachedManagedPolicies: [
      { PolicyName: 'AmazonS3ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' },
    ],
    RolePolicyList: [{ PolicyName: `${name}-inline`, PolicyDocument: '%7B%7D' }],
    RoleLastUsed: lastUsed ? { LastUsedDate: new Date(lastUsed), Region: REGION } : {},
  };
  const cli = {
    ...sdk,
    CreateDate: '2026-01-05T09:00:00+00:00',
    AssumeRolePolicyDocument: cliDocument,
    RoleLastUsed: lastUsed ? { LastUsedDate: lastUsed.replace('Z', '+00:00'), Region: REGION } : {},
  };
  return { sdk, cli };
}

const roles = [
  // The CLI prints the document decoded, as an object.
  role('orders-api', JSON.stringify(ordersTrust), ordersTrust, '2026-11-28T21:03:11Z'),
  // A plain JSON string holding `%2A`; the SDK has it encoded (`%252A`).
  role('batch-worker', JSON.stringify(literalTrust), JSON.stringify(literalTrust)),
  // Exports that keep IAM's URL-encoded text.
  role(
    'billing',
    JSON.stringify(podIdentityTrust),
    encodeURIComponent(JSON.stringify(podIdentityTrust)),
    '2026-11-20T08:00:00Z',
  ),
  role('broken', brokenTrust, encodeURIComponent(brokenTrust)),
];

const associations = [
  {
    associationId: 'a-billing',
    namespace: 'payments',
    serviceAccount: 'billing',
    roleArn: roleArn('billing'),
  },
];

const serviceAccounts = [
  { metadata: { namespace: 'default', name: 'default', uid: 's1' }, secrets: [{ name: 'default-token' }] },
  {
    metadata: {
      namespace: 'payments',
      name: 'api',
      annotations: { 'eks.amazonaws.com/role-arn': roleArn('orders-api') },
    },
  },
  { metadata: { namespace: 'payments', name: 'billing' } },
  {
    metadata: {
      namespace: 'batch',
      name: 'worker',
      annotations: { 'eks.amazonaws.com/role-arn': roleArn('batch-worker') },
    },
  },
];

const IRSA_ENV = [
  { name: 'AWS_ROLE_ARN', value: roleArn('orders-api') },
  { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' },
];

const pods = [
  {
    // A Deployment's pod: its ReplicaSet is `<deployment>-<pod-template-hash>`.
    metadata: {
      namespace: 'payments',
      name: 'api-7d9f8b6c5-abcde',
      labels: { app: 'api', 'pod-template-hash': '7d9f8b6c5' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-7d9f8b6c5', uid: 'r1', controller: true },
      ],
    },
    spec: {
      serviceAccountName: 'api',
      initContainers: [
        {
          name: 'migrate',
          image: 'migrate:1',
          env: [{ name: 'DB_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }],
        },
      ],
      containers: [
        {
          name: 'app',
          image: 'app:1',
          env: [
            ...IRSA_ENV,
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'EMPTY' },
          ],
        },
      ],
    },
    status: { phase: 'Running', startTime: '2026-11-20T10:00:05Z' },
  },
  {
    // One owner reference, not the controller: a bare pod for the checks (docs/inventory.md).
    metadata: {
      namespace: 'batch',
      name: 'worker-nightly-0',
      ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Workflow', name: 'nightly', uid: 'w1' }],
    },
    spec: { serviceAccountName: 'worker', containers: [{ name: 'worker', image: 'worker:1' }] },
    status: { phase: 'Running', startTime: '2026-11-21T02:00:00Z' },
  },
  {
    metadata: {
      namespace: 'batch',
      name: 'worker-1',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'worker', uid: 'st1', controller: true },
      ],
    },
    spec: { serviceAccountName: 'worker', containers: [{ name: 'worker', image: 'worker:1' }] },
    status: { phase: 'Running', startTime: '2026-11-21T02:05:00Z' },
  },
  {
    // A bare pod on the default service account, not scheduled yet.
    metadata: { namespace: 'default', name: 'debug' },
    spec: { containers: [{ name: 'shell', image: 'busybox', env: [{ name: 'AWS_REGION', value: REGION }] }] },
    status: { phase: 'Pending' },
  },
  {
    metadata: { namespace: 'payments', name: 'billing-0', labels: { app: 'billing' } },
    spec: {
      serviceAccountName: 'billing',
      containers: [
        {
          name: 'billing',
          image: 'billing:1',
          env: [
            { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://169.254.170.23/v1/credentials' },
          ],
        },
      ],
    },
    status: { phase: 'Running', startTime: '2026-11-22T00:00:00Z' },
  },
];

/** The export file of the same objects, as the tools print them. */
function exportedInventory(endpoint: string) {
  const describeCluster = {
    cluster: {
      name: 'prod',
      arn: `arn:aws:eks:${REGION}:${MEMBER}:cluster/prod`,
      createdAt: '2026-01-05T09:00:00+00:00',
      version: '1.33',
      endpoint,
      roleArn: roleArn('eks-cluster'),
      status: 'ACTIVE',
      certificateAuthority: { data: CA_DATA },
      identity: { oidc: { issuer: `https://${ISSUER}` } },
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
      resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true },
    },
  };
  return {
    schemaVersion: 1,
    accounts: [
      {
        accountId: MEMBER,
        name: 'member-1',
        partition: 'aws',
        oidcProviders: [
          {
            Arn: provider.arn,
            Url: ISSUER,
            ClientIDList: ['sts.amazonaws.com'],
            ThumbprintList: [],
            CreateDate: '2026-01-05T09:00:00+00:00',
          },
        ],
        roles: { RoleDetailList: roles.map((r) => r.cli), Policies: [], IsTruncated: false },
        clusters: [
          {
            ...describeCluster,
            region: REGION,
            podIdentityAssociations: associations.map((association) => ({
              association: {
                clusterName: 'prod',
                ...association,
                associationArn: `arn:aws:eks:${REGION}:${MEMBER}:podidentityassociation/prod/${association.associationId}`,
                createdAt: '2026-01-05T09:00:00+00:00',
                tags: {},
              },
            })),
            // `kubectl get sa,pods -A -o json`: one mixed List.
            serviceAccounts: {
              apiVersion: 'v1',
              kind: 'List',
              items: [
                ...serviceAccounts.map((object) => ({ apiVersion: 'v1', kind: 'ServiceAccount', ...object })),
                ...pods.map((object) => ({ apiVersion: 'v1', kind: 'Pod', ...object })),
              ],
            },
          },
        ],
        errors: [],
      },
    ],
  };
}

describe('a live read and the exports of the same objects', () => {
  let server: KubeServer | undefined;
  let mocks: AwsMocks | undefined;
  afterEach(async () => {
    mocks?.restore();
    await server?.close();
  });

  it('give identical inventories and identical findings', async () => {
    server = await startKubeServer({
      serviceAccounts: structuredClone(serviceAccounts),
      pods: structuredClone(pods),
    });
    const org = organization([
      account(0, { clusters: [] }),
      account(1, {
        regions: [REGION],
        roleCount: 0,
        roles: roles.map((r) => r.sdk),
        providers: [{ url: ISSUER, clientIds: ['sts.amazonaws.com'] }],
        clusters: [
          cluster(MEMBER, REGION, 'prod', {
            issuer: `https://${ISSUER}`,
            associations,
            endpoint: server.url,
            caData: CA_DATA,
          }),
        ],
      }),
    ]);
    const sim = new SimulatedAws(org);
    mocks = mockAwsWithSimulation(sim);
    const collected = await collectInventory(
      { runId: 'equivalence', kubernetes: { pageSize: 2 } },
      { credentials: sim.callerCredentials, clock: { now: Date.now, sleep: async () => {} } },
    );
    const { regions, ...member } = collected.accounts.find((a) => a.accountId === MEMBER) as Account;
    // Which regions the run asked for is the collector's own record (coverage), not an exported object.
    expect(regions).toEqual([REGION]);
    const live: Inventory = { schemaVersion: 1, accounts: [member] };

    const { inventory: fromFile } = parseInventory(exportedInventory(server.url), 'exports.json');

    expect(member.errors).toEqual([]);
    expect(member.clusters[0].kubernetes).toEqual({ status: 'ok' });
    // Plain data on both sides: no client class instances, no Dates, no undefined-valued keys.
    expect(JSON.parse(JSON.stringify(live))).toStrictEqual(live);
    expect(fromFile).toStrictEqual(live);
    // What a snapshot of each would write: byte for byte the same.
    expect(inventoryToJson(fromFile, 1)).toBe(inventoryToJson(live, 1));

    // The cases this test is about, so it cannot pass on an empty read.
    const [prod] = member.clusters;
    const podNamed = (name: string) => prod.pods.find((p) => p.name === name);
    expect(podNamed('api-7d9f8b6c5-abcde')?.owner).toEqual({ kind: 'Deployment', name: 'api' });
    expect(podNamed('api-7d9f8b6c5-abcde')?.containers.map((c) => [c.name, c.init === true])).toEqual([
      ['migrate', true],
      ['app', false],
    ]);
    expect(podNamed('worker-nightly-0')?.owner).toBeUndefined();
    expect(podNamed('worker-1')?.owner).toEqual({ kind: 'StatefulSet', name: 'worker' });
    expect(podNamed('debug')?.serviceAccountName).toBe('default');
    expect(member.roles.map((r) => r.trustPolicy)).toEqual([
      { kind: 'parsed', document: ordersTrust },
      { kind: 'parsed', document: literalTrust },
      { kind: 'parsed', document: podIdentityTrust },
      { kind: 'unparsable', reason: expect.stringContaining('not valid JSON') },
    ]);

    const liveFindings = runChecks(live, CHECKS).findings;
    const fileFindings = runChecks(fromFile, CHECKS).findings;
    expect(liveFindings.length).toBeGreaterThan(0);
    expect(fileFindings.map((f) => f.fingerprint)).toEqual(liveFindings.map((f) => f.fingerprint));
    expect(fileFindings).toEqual(liveFindings);
  });
});
