import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ClusterEndpoint } from '../../lambda/collect/cluster-endpoint';
import { createKubernetesReader, type KubernetesReadResult } from '../../lambda/collect/kubernetes';
import { type KubernetesOptions, resolveCollectOptions } from '../../lambda/collect/options';
import { unreachableReason } from '../../lambda/collect/unreachable';
import { CA_DATA, type KubeServer, OTHER_CA_DATA, pod, serviceAccount, startKubeServer } from './kube-server';

const run = promisify(execFile);
const TOKEN = 'k8s-aws-v1.test-token';
const HINT = { principalArn: 'arn:aws:iam::111122223333:role/IrsaAuditor' };

function settings(overrides: Partial<KubernetesOptions> = {}): KubernetesOptions {
  return { ...resolveCollectOptions({}).kubernetes, pageSize: 2, ...overrides };
}

function endpointOf(server: { url: string }, overrides: Partial<ClusterEndpoint> = {}): ClusterEndpoint {
  return {
    accountId: '111122223333',
    region: 'eu-west-1',
    name: 'prod',
    endpoint: server.url,
    caData: CA_DATA,
    authenticationMode: 'API_AND_CONFIG_MAP',
    endpointPublicAccess: true,
    ...overrides,
  };
}

const serviceAccounts = [
  serviceAccount('default', 'default'),
  serviceAccount('payments', 'api', {
    'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/payments',
  }),
  serviceAccount('payments', 'worker'),
  serviceAccount('kube-system', 'aws-node'),
  serviceAccount('kube-system', 'coredns'),
];
const pods = [
  pod('payments', 'api-7d9f8b6c5-abcde', {
    serviceAccountName: 'api',
    replicaSet: 'api-7d9f8b6c5',
    hash: '7d9f8b6c5',
    env: [{ name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::111122223333:role/payments' }],
  }),
  pod('payments', 'worker-0', { serviceAccountName: 'worker' }),
  pod('default', 'debug'),
];

describe('Kubernetes reader against a loopback HTTPS API server', () => {
  let server: KubeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('lists every ServiceAccount and Pod page by page with the bearer token, keeping only model fields', async () => {
    server = await startKubeServer({ serviceAccounts, pods, authorize: (token) => token === TOKEN });

    const result = await createKubernetesReader(settings()).read(endpointOf(server), TOKEN, HINT);

    expect(result.status).toBe('ok');
    const ok = result as Extract<KubernetesReadResult, { status: 'ok' }>;
    expect(ok.serviceAccounts.map((sa) => `${sa.namespace}/${sa.name}`)).toEqual([
      'default/default',
      'payments/api',
      'payments/worker',
      'kube-system/aws-node',
      'kube-system/coredns',
    ]);
    expect(ok.serviceAccounts[1].annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/payments',
    });
    expect(ok.pods[0]).toEqual({
      namespace: 'payments',
      name: 'api-7d9f8b6c5-abcde',
      serviceAccountName: 'api',
      phase: 'Running',
      owner: { kind: 'Deployment', name: 'api' },
      startTime: '2026-11-28T10:00:00.000Z',
      containers: [
        { name: 'app', env: [{ name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::111122223333:role/payments' }] },
      ],
    });
    expect(ok.pods[2].serviceAccountName).toBe('default');
    const saRequests = server.requests.filter((request) => request.path === '/api/v1/serviceaccounts');
    expect(saRequests.map((request) => request.query)).toEqual([
      { limit: '2' },
      { limit: '2', continue: '2' },
      { limit: '2', continue: '4' },
    ]);
    expect(server.requests.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(ok.requests).toBe(5);
  });

  it('restarts a list from its first page when the continue token expired (410) mid-list', async () => {
    server = await startKubeServer({
      serviceAccounts,
      pods,
      goneOnContinue: { resource: 'serviceaccounts', times: 1 },
    });

    const result = await createKubernetesReader(settings()).read(endpointOf(server), TOKEN, HINT);

    expect(result.status).toBe('ok');
    const ok = result as Extract<KubernetesReadResult, { status: 'ok' }>;
    // No duplicates from the abandoned first attempt.
    expect(ok.serviceAccounts).toHaveLength(5);
    const saQueries = server.requests.filter((request) => request.path === '/api/v1/serviceaccounts');
    expect(saQueries.map((request) => request.query.continue ?? '-')).toEqual(['-', '2', '-', '2', '4']);
  });

  it('gives up after the allowed restarts with an actionable reason', async () => {
    server = await startKubeServer({
      serviceAccounts,
      pods,
      goneOnContinue: { resource: 'pods', times: 10 },
    });

    const result = await createKubernetesReader(settings({ maxListRestarts: 2 })).read(
      endpointOf(server),
      TOKEN,
      HINT,
    );

    expect(result).toMatchObject({ status: 'unreachable', code: 'KubernetesListExpired' });
    expect((result as { reason: string }).reason).toMatch(/Pod list expired \(410 Gone\) 3 times/);
    expect(
      server.requests.filter((request) => request.path === '/api/v1/pods' && request.query.continue),
    ).toHaveLength(3);
  });

  it('reports a rejected token (401) with the access entry to create', async () => {
    server = await startKubeServer({ serviceAccounts, pods, authorize: () => false });

    const result = await createKubernetesReader(settings()).read(endpointOf(server), TOKEN, HINT);

    expect(result).toMatchObject({ status: 'unreachable', code: 'KubernetesUnauthorized' });
    const reason = (result as { reason: string }).reason;
    expect(reason).toContain('aws eks create-access-entry --cluster-name prod --region eu-west-1');
    expect(reason).toContain('--principal-arn arn:aws:iam::111122223333:role/IrsaAuditor');
    expect(reason).toContain(
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy --access-scope type=cluster',
    );
  });

  it('reports a forbidden list (403) and, on a CONFIG_MAP-only cluster, how to switch modes', async () => {
    server = await startKubeServer({ serviceAccounts, pods, forbid: 'pods' });

    const result = await createKubernetesReader(settings()).read(
      endpointOf(server, { authenticationMode: 'CONFIG_MAP' }),
      TOKEN,
      HINT,
    );

    expect(result).toMatchObject({ status: 'unreachable', code: 'KubernetesForbidden' });
    expect((result as { reason: string }).reason).toContain('authenticationMode=API_AND_CONFIG_MAP');
  });

  it('cuts a slow endpoint at the request timeout and points at private-endpoint reachability', async () => {
    server = await startKubeServer({ serviceAccounts, pods, delayMs: 5_000 });
    const started = Date.now();

    const result = await createKubernetesReader(settings({ requestTimeoutMs: 300 })).read(
      endpointOf(server, { endpointPublicAccess: false }),
      TOKEN,
      HINT,
    );

    expect(Date.now() - started).toBeLessThan(4_000);
    expect(result).toMatchObject({ status: 'unreachable', code: 'KubernetesTimeout' });
    expect((result as { reason: string }).reason).toMatch(/did not answer within 0\.3 s.*private-only/);
  });

  it('cuts the whole cluster at its budget even when each request is within its own timeout', async () => {
    server = await startKubeServer({ serviceAccounts, pods, delayMs: 150 });

    const result = await createKubernetesReader(settings({ pageSize: 1, clusterTimeoutMs: 400 })).read(
      endpointOf(server),
      TOKEN,
      HINT,
    );

    expect(result).toMatchObject({ status: 'unreachable', code: 'KubernetesTimeout' });
    expect((result as { reason: string }).reason).toMatch(/within its 0\.4 s budget/);
  });

  it('refuses a server whose certificate does not chain to the cluster CA', async () => {
    server = await startKubeServer({ serviceAccounts, pods });

    const result = await createKubernetesReader(settings()).read(
      endpointOf(server, { caData: OTHER_CA_DATA }),
      TOKEN,
      HINT,
    );

    expect(result).toMatchObject({ status: 'unreachable', code: 'KubernetesTlsFailure' });
    expect(server.requests).toHaveLength(0);
  });

  it('verifies the cluster CA even when NODE_TLS_REJECT_UNAUTHORIZED=0 (the token never reaches the server)', async () => {
    // A child process: Node's TLS reads the real environment, not Jest's copy of it.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(__dirname, 'tls-env-probe.ts')], {
      env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0', NODE_NO_WARNINGS: '1' },
      timeout: 60_000,
    });

    const { result, requests } = JSON.parse(stdout) as { result: KubernetesReadResult; requests: number };
    expect(result).toMatchObject({ status: 'unreachable', code: 'KubernetesTlsFailure' });
    expect(requests).toBe(0);
  }, 90_000);

  it('stops a list whose continue token comes back unchanged, with its own code', async () => {
    server = await startKubeServer({ serviceAccounts, pods, repeatContinue: 'pods' });
    const started = Date.now();

    const result = await createKubernetesReader(settings({ clusterTimeoutMs: 10_000 })).read(
      endpointOf(server),
      TOKEN,
      HINT,
    );

    expect(result).toMatchObject({ status: 'unreachable', code: 'KubernetesContinueRepeated' });
    expect((result as { reason: string }).reason).toMatch(/same continue token twice for the Pod list/);
    // The first repeat ends it: no loop until the cluster budget, no timeout reported.
    expect(server.requests.filter((request) => request.path === '/api/v1/pods')).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('asks a page over the size cap again with half the limit, keeping every object', async () => {
    const big = Array.from({ length: 6 }, (_, i) =>
      serviceAccount('ns', `sa-${i}`, { note: 'x'.repeat(3_000) }),
    );
    server = await startKubeServer({ serviceAccounts: big, pods });

    const result = await createKubernetesReader(settings({ pageSize: 4 }), { maxPageBytes: 8_000 }).read(
      endpointOf(server),
      TOKEN,
      HINT,
    );

    expect(result.status).toBe('ok');
    const ok = result as Extract<KubernetesReadResult, { status: 'ok' }>;
    expect(ok.serviceAccounts.map((sa) => sa.name)).toEqual(big.map((sa) => sa.metadata.name));
    const limits = server.requests
      .filter((request) => request.path === '/api/v1/serviceaccounts')
      .map((request) => request.query.limit);
    expect(limits).toEqual(['4', '2', '2', '2']);
  });

  it('gives up on a single object over the page cap with its own code', async () => {
    server = await startKubeServer({
      serviceAccounts: [serviceAccount('ns', 'huge', { note: 'x'.repeat(20_000) })],
      pods,
    });

    const result = await createKubernetesReader(settings(), { maxPageBytes: 8_000 }).read(
      endpointOf(server),
      TOKEN,
      HINT,
    );

    expect(result).toMatchObject({ status: 'unreachable', code: 'KubernetesPageTooLarge' });
  });

  it('counts the objects cut to the per-object size cap', async () => {
    const annotations = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [`example.com/key-${String(i).padStart(40, '0')}`, 'v']),
    );
    server = await startKubeServer({
      serviceAccounts: [...serviceAccounts, serviceAccount('ns', 'flooded', annotations)],
      pods,
    });

    const result = await createKubernetesReader(settings()).read(endpointOf(server), TOKEN, HINT);

    expect(result).toMatchObject({ status: 'ok', cappedObjects: 1 });
  });

  it('reports a closed port as unreachable with network advice', async () => {
    server = await startKubeServer();
    const url = server.url;
    await server.close();
    server = undefined;

    const result = await createKubernetesReader(settings()).read(endpointOf({ url }), TOKEN, HINT);

    expect(result).toMatchObject({ status: 'unreachable', code: 'KubernetesUnreachable' });
    expect((result as { reason: string }).reason).toMatch(/ECONNREFUSED.*publicAccessCidrs/);
  });

  it('reads only one service account and its pods when scoped (explain --live)', async () => {
    server = await startKubeServer({ serviceAccounts, pods });

    const result = await createKubernetesReader(settings()).read(endpointOf(server), TOKEN, HINT, {
      namespace: 'payments',
      serviceAccount: 'api',
    });

    const ok = result as Extract<KubernetesReadResult, { status: 'ok' }>;
    expect(ok.serviceAccounts.map((sa) => sa.name)).toEqual(['api']);
    expect(ok.pods.map((p) => p.name)).toEqual(['api-7d9f8b6c5-abcde']);
    expect(server.requests.map((request) => request.path).sort()).toEqual([
      '/api/v1/namespaces/payments/pods',
      '/api/v1/namespaces/payments/serviceaccounts',
    ]);
  });
});

describe('unreachable reasons', () => {
  const cluster: ClusterEndpoint = {
    accountId: '111122223333',
    region: 'cn-north-1',
    name: 'east',
    endpoint: 'https://ABC.gr7.cn-north-1.eks.amazonaws.com.cn',
    caData: CA_DATA,
  };

  it('names the host that did not resolve (DNS), without any lookup in the test', () => {
    const dnsError = Object.assign(new Error('getaddrinfo ENOTFOUND abc'), {
      type: 'system',
      code: 'ENOTFOUND',
    });

    const { code, reason } = unreachableReason(dnsError, cluster, HINT, settings());

    expect(code).toBe('KubernetesDnsFailure');
    expect(reason).toContain('abc.gr7.cn-north-1.eks.amazonaws.com.cn did not resolve (ENOTFOUND)');
  });

  it('uses the principal partition for the access policy ARN', () => {
    const { ApiException } = jest.requireActual('@kubernetes/client-node');
    const unauthorized = new ApiException(401, 'Unauthorized', undefined, {});

    const { reason } = unreachableReason(
      unauthorized,
      cluster,
      { principalArn: 'arn:aws-cn:iam::111122223333:role/IrsaAuditor' },
      settings(),
    );

    expect(reason).toContain('arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy');
  });
});
