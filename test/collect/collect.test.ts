import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import 'aws-sdk-client-mock-jest';
import { type SimSettings, SimulatedAws, serviceError } from '../../bench/collect-sim';
import { collectInventory } from '../../lambda/collect/collect';
import { type CollectOptionsInput, DEFAULT_MEMBER_ROLE_NAME } from '../../lambda/collect/options';
import type { ProgressEvent } from '../../lambda/collect/progress';
import type { CollectDeps } from '../../lambda/collect/run-context';
import type { Account, Inventory } from '../../lambda/core/model';
import { CA_DATA, type KubeServer, pod, serviceAccount, startKubeServer } from './kube-server';
import { account, accountId, CALLER, cluster, organization } from './org-fixture';
import { type AwsMocks, mockAwsWithSimulation } from './sim-mocks';

const fastClock = { now: () => Date.now(), sleep: async () => {} };
const baseOptions: CollectOptionsInput = { runId: 'test-run', stormBackoffMs: 1 };

let mocks: AwsMocks | undefined;
afterEach(() => {
  mocks?.restore();
  mocks = undefined;
});

function simulate(org = organization([account(0), account(1), account(2)]), settings: SimSettings = {}) {
  const sim = new SimulatedAws(org, settings);
  mocks = mockAwsWithSimulation(sim);
  const deps: CollectDeps = {
    credentials: sim.callerCredentials,
    kubernetes: sim.kubernetesReader(),
    clock: fastClock,
  };
  return { sim, deps };
}

function byId(inventory: Inventory, id: string): Account {
  const found = inventory.accounts.find((candidate) => candidate.accountId === id);
  if (!found) throw new Error(`account ${id} missing`);
  return found;
}

describe('collectInventory against the SDK mock layer', () => {
  it('collects every account of the organization with the fewest calls', async () => {
    const org = organization([
      account(0),
      account(1, { roleCount: 2500 }),
      account(2, { state: 'SUSPENDED' }),
      account(3, {
        clusters: [
          cluster(accountId(3), 'us-east-1', 'no-issuer', { issuer: undefined }),
          cluster(accountId(3), 'eu-west-1', 'b'),
          cluster(accountId(3), 'eu-west-1', 'a'),
        ],
      }),
    ]);
    const { sim, deps } = simulate(org);

    const inventory = await collectInventory(baseOptions, deps);

    expect(inventory.schemaVersion).toBe(1);
    expect(inventory.accounts.map((a) => a.accountId)).toEqual([CALLER, accountId(1), accountId(3)]);
    const big = byId(inventory, accountId(1));
    expect(big.name).toBe('member-1');
    expect(big.partition).toBe('aws');
    expect(big.roles).toHaveLength(2500);
    expect(big.errors).toEqual([]);
    expect(big.roles[0]).toEqual({
      arn: `arn:aws:iam::${accountId(1)}:role/irsa-0`,
      trustPolicy: { kind: 'parsed', document: expect.objectContaining({ Version: '2012-10-17' }) },
      attachedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'],
      inlinePolicyNames: [],
      lastUsed: '2026-11-01T00:00:00.000Z',
    });
    expect(big.oidcProviders).toEqual([
      {
        arn: expect.stringContaining(':oidc-provider/oidc.eks.eu-west-1.'),
        url: expect.any(String),
        clientIds: ['sts.amazonaws.com'],
      },
    ]);
    const three = byId(inventory, accountId(3));
    expect(three.clusters.map((c) => `${c.region}/${c.name}`)).toEqual([
      'eu-west-1/a',
      'eu-west-1/b',
      'us-east-1/no-issuer',
    ]);
    expect(three.clusters[0].oidcIssuer).toBe(org.accounts[3].clusters[2].issuer);
    expect(three.clusters[2].oidcIssuer).toBeUndefined();
    expect(three.clusters[0].podIdentityAssociations).toEqual([
      {
        namespace: 'payments',
        serviceAccount: 'api',
        roleArn: `arn:aws:iam::${accountId(3)}:role/irsa-1`,
        associationId: 'a-a-1',
      },
    ]);
    expect(three.clusters[0].kubernetes).toEqual({ status: 'ok' });
    expect(three.clusters[0].serviceAccounts).toHaveLength(1);
    // The caller's own account is read with the caller's credentials: no AssumeRole into it.
    expect(mocks!.sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(mocks!.sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${accountId(1)}:role/${DEFAULT_MEMBER_ROLE_NAME}`,
      RoleSessionName: 'irsa-auditor-test-run',
      DurationSeconds: 3600,
    });
    expect(mocks!.iam).toHaveReceivedCommandWith(GetAccountAuthorizationDetailsCommand, {
      Filter: ['Role'],
      MaxItems: 1000,
      Marker: '2000',
    });
    expect(sim.calls).toBe(sim.minCalls().total);
  });

  it("with assumeRoleInOwnAccount, reads the caller's own account through the member role too", async () => {
    const { deps } = simulate(organization([account(0), account(1)]), {
      assumeRoleFails: (id) => id === CALLER,
    });

    const inventory = await collectInventory({ ...baseOptions, assumeRoleInOwnAccount: true }, deps);

    expect(mocks!.sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(mocks!.sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${CALLER}:role/${DEFAULT_MEMBER_ROLE_NAME}`,
    });
    // Without the member role in its own account, the audit account is unreachable like any other.
    expect(byId(inventory, CALLER).errors).toEqual([
      expect.objectContaining({ scope: 'account', code: 'AssumeRoleFailed' }),
    ]);
    expect(byId(inventory, accountId(1)).errors).toEqual([]);
  });

  it('passes the external id and a custom role name to AssumeRole', async () => {
    const { deps } = simulate(
      organization([account(0), account(1)], { memberRoleName: 'audit/Reader', externalId: 'ext-123' }),
    );

    const inventory = await collectInventory(
      { ...baseOptions, roleName: 'audit/Reader', externalId: 'ext-123' },
      deps,
    );

    expect(byId(inventory, accountId(1)).errors).toEqual([]);
    expect(mocks!.sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${accountId(1)}:role/audit/Reader`,
      ExternalId: 'ext-123',
    });
  });

  it('keeps an account that cannot be assumed, empty, with an account-scope error', async () => {
    const { deps } = simulate(undefined, { assumeRoleFails: (id) => id === accountId(2) });

    const inventory = await collectInventory(baseOptions, deps);

    const failed = byId(inventory, accountId(2));
    expect(failed).toMatchObject({ roles: [], oidcProviders: [], clusters: [] });
    expect(failed.errors).toEqual([
      {
        scope: 'account',
        code: 'AssumeRoleFailed',
        message: expect.stringMatching(
          new RegExp(
            `^could not assume arn:aws:iam::100000000002:role/${DEFAULT_MEMBER_ROLE_NAME}: AccessDenied: .*Deploy the member role`,
          ),
        ),
      },
    ]);
    expect(byId(inventory, accountId(1)).errors).toEqual([]);
  });

  it('re-assumes the role once when the service says the credentials expired', async () => {
    let expiredOnce = false;
    const { deps } = simulate(undefined, {
      fail: (call) => {
        if (
          call.api === 'GetAccountAuthorizationDetails' &&
          call.accountId === accountId(1) &&
          !expiredOnce
        ) {
          expiredOnce = true;
          return serviceError(
            'ExpiredTokenException',
            'The security token included in the request is expired',
          );
        }
        return undefined;
      },
    });

    const inventory = await collectInventory(baseOptions, deps);

    expect(byId(inventory, accountId(1)).errors).toEqual([]);
    expect(byId(inventory, accountId(1)).roles).toHaveLength(3);
    expect(mocks!.sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 3); // accounts 1 and 2, plus the refresh
  });

  it('retries a throttling storm that outlasts the SDK retries, then succeeds', async () => {
    const storm = new Map<string, number>();
    const { sim, deps } = simulate(undefined, {
      throttle: (call) => {
        const key = `${call.accountId}|${call.api}|${call.region}`;
        const seen = storm.get(key) ?? 0;
        storm.set(key, seen + 1);
        return call.service === 'eks' && seen < 2;
      },
    });

    const inventory = await collectInventory({ ...baseOptions, stormRetries: 3 }, deps);

    expect(inventory.accounts.every((a) => a.errors.length === 0)).toBe(true);
    expect(sim.throttled).toBeGreaterThan(0);
  });

  it('records a storm that never ends as coverage at the scope it hit', async () => {
    const { deps } = simulate(undefined, {
      throttle: (call) =>
        call.api === 'ListClusters' && call.region === 'us-east-1' && call.accountId === accountId(1),
    });

    const inventory = await collectInventory({ ...baseOptions, stormRetries: 2 }, deps);

    const one = byId(inventory, accountId(1));
    expect(one.errors).toEqual([
      {
        scope: 'region',
        region: 'us-east-1',
        code: 'Throttled',
        message: expect.stringContaining('EKS clusters could not be listed (eks:ListClusters)'),
      },
    ]);
    expect(one.clusters.map((c) => c.name)).toEqual(['c1']); // eu-west-1 still collected
    expect(one.roles).toHaveLength(3);
  });

  it('records denied IAM and failed cluster calls at their own scope and keeps the rest', async () => {
    const { deps } = simulate(
      organization([
        account(0),
        account(1, {
          clusters: [cluster(accountId(1), 'eu-west-1', 'c1'), cluster(accountId(1), 'eu-west-1', 'c2')],
        }),
      ]),
      {
        fail: (call) => {
          if (call.accountId !== accountId(1)) return undefined;
          if (call.api === 'GetAccountAuthorizationDetails')
            return serviceError('AccessDenied', 'not authorized', 403);
          if (call.api === 'DescribeCluster' && call.input.name === 'c2')
            return serviceError('ServerException', 'boom', 500);
          if (call.api === 'DescribePodIdentityAssociation')
            return serviceError('AccessDeniedException', 'denied', 403);
          return undefined;
        },
      },
    );

    const inventory = await collectInventory(baseOptions, deps);

    const one = byId(inventory, accountId(1));
    expect(one.roles).toEqual([]);
    expect(one.oidcProviders).toHaveLength(2);
    expect(one.errors).toEqual([
      expect.objectContaining({
        scope: 'account',
        code: 'AccessDenied',
        message: expect.stringContaining('iam:GetAccountAuthorizationDetails'),
      }),
      expect.objectContaining({ scope: 'cluster', region: 'eu-west-1', cluster: 'c1', code: 'AccessDenied' }),
      expect.objectContaining({ scope: 'cluster', region: 'eu-west-1', cluster: 'c2', code: 'AccessDenied' }),
      expect.objectContaining({ scope: 'cluster', region: 'eu-west-1', cluster: 'c2', code: 'ServiceError' }),
    ]);
    const [c1, c2] = one.clusters;
    expect(c1.podIdentityAssociations).toEqual([
      { namespace: 'payments', serviceAccount: 'api', associationId: 'a-c1-1' },
    ]);
    expect(c2).toMatchObject({ name: 'c2', kubernetes: { status: 'not-collected' } });
  });

  it('falls back to the default regions when the enabled ones cannot be listed', async () => {
    const { sim, deps } = simulate(organization([account(0)]), {
      fail: (call) =>
        call.api === 'ListRegions'
          ? serviceError('AccessDeniedException', 'no account:ListRegions', 403)
          : undefined,
    });

    const inventory = await collectInventory(baseOptions, deps);

    expect(inventory.accounts[0].errors).toEqual([
      expect.objectContaining({
        scope: 'account',
        code: 'RegionListFailed',
        message: expect.stringContaining('opt-in regions were not'),
      }),
    ]);
    expect(sim.callsByApi.get('eks:ListClusters')).toBe(17);
    expect(inventory.accounts[0].clusters).toHaveLength(1);
  });

  it('scans only the configured regions without listing them', async () => {
    const { sim, deps } = simulate();

    await collectInventory({ ...baseOptions, regions: ['eu-west-1'] }, deps);

    expect(sim.callsByApi.get('account:ListRegions')).toBeUndefined();
    expect(sim.callsByApi.get('eks:ListClusters')).toBe(3);
  });

  it('stops starting accounts at the deadline and records the rest as not scanned', async () => {
    let now = Date.parse('2026-11-29T03:00:00Z');
    const { deps } = simulate(organization([account(0), account(1), account(2), account(3)]));
    const events: ProgressEvent[] = [];
    deps.clock = { now: () => now, sleep: async () => {} };
    deps.progress = (event) => {
      events.push(event);
      if (event.phase === 'account-finished') now += 60_000; // each account "takes" a minute
    };

    const inventory = await collectInventory(
      { ...baseOptions, accountsInFlight: 1, deadline: Date.parse('2026-11-29T03:01:30Z') },
      deps,
    );

    expect(inventory.accounts.map((a) => a.errors.map((e) => e.code))).toEqual([
      [],
      [],
      ['NotScanned'],
      ['NotScanned'],
    ]);
    expect(inventory.accounts[2]).toMatchObject({
      accountId: accountId(2),
      name: 'member-2',
      roles: [],
      clusters: [],
    });
    expect(inventory.accounts[2].errors[0].message).toContain('deadline (2026-11-29T03:01:30.000Z)');
    const last = events[events.length - 1];
    expect(last.phase).toBe('done');
    expect(last.snapshot).toMatchObject({
      accountsTotal: 4,
      accountsDone: 4,
      accountsWithErrors: 2,
      errors: 2,
    });
  });

  it('does not start a cluster read once the deadline has passed, and says so at cluster scope', async () => {
    let now = Date.parse('2026-11-29T03:00:00Z');
    const { deps } = simulate(organization([account(0), account(1)]));
    deps.clock = { now: () => now, sleep: async () => {} };
    deps.progress = (event) => {
      if (event.phase === 'account-started') now += 120_000; // the deadline passes while it runs
    };

    const inventory = await collectInventory(
      { ...baseOptions, accountsInFlight: 1, deadline: Date.parse('2026-11-29T03:01:00Z') },
      deps,
    );

    const [first, second] = inventory.accounts;
    expect(first.roles).toHaveLength(3); // started before the deadline: AWS side finished
    expect(first.clusters[0].kubernetes).toEqual({
      status: 'not-collected',
      reason: expect.stringContaining('deadline'),
    });
    expect(first.errors).toEqual([
      expect.objectContaining({ scope: 'cluster', cluster: 'c0', code: 'NotScanned' }),
    ]);
    expect(second.errors.map((e) => e.code)).toEqual(['NotScanned']);
  });

  it('survives 20 % failing AssumeRole, throttling storms and an unreachable cluster, losing nothing else', async () => {
    const accounts = Array.from({ length: 20 }, (_, n) =>
      account(n, {
        roleCount: 40 + n,
        clusters: [
          cluster(n === 0 ? CALLER : accountId(n), 'eu-west-1', `c${n}`, { unreachable: n === 5 }),
          cluster(n === 0 ? CALLER : accountId(n), 'us-east-1', `d${n}`),
        ],
      }),
    );
    const org = organization(accounts);
    const clean = await (async () => {
      const { deps } = simulate(org);
      const inventory = await collectInventory(baseOptions, deps);
      mocks!.restore();
      return inventory;
    })();
    const failing = new Set([3, 8, 13, 18].map(accountId));
    const storm = new Map<string, number>();
    const { sim, deps } = simulate(org, {
      assumeRoleFails: (id) => failing.has(id),
      throttle: (call) => {
        if (call.api === 'AssumeRole') return false;
        const key = `${call.accountId}|${call.api}`;
        const seen = storm.get(key) ?? 0;
        storm.set(key, seen + 1);
        return seen % 4 < 2; // bursts: two throttled, two through, …
      },
    });

    const inventory = await collectInventory({ ...baseOptions, stormRetries: 5 }, deps);

    expect(sim.throttled).toBeGreaterThan(100);
    expect(inventory.accounts).toHaveLength(20);
    for (const collected of inventory.accounts) {
      const expected = byId(clean, collected.accountId);
      if (failing.has(collected.accountId)) {
        expect(collected).toMatchObject({ roles: [], clusters: [], oidcProviders: [] });
        expect(collected.errors.map((e) => `${e.scope}:${e.code}`)).toEqual(['account:AssumeRoleFailed']);
      } else {
        expect(collected).toEqual(expected);
      }
    }
    const five = byId(inventory, accountId(5));
    expect(five.clusters[0].kubernetes).toEqual({
      status: 'unreachable',
      reason: expect.stringContaining('401'),
    });
    expect(five.errors).toEqual([
      expect.objectContaining({
        scope: 'cluster',
        region: 'eu-west-1',
        cluster: 'c5',
        code: 'KubernetesUnauthorized',
      }),
    ]);
    expect(inventory.accounts.flatMap((a) => a.errors.map((e) => e.code)).sort()).toEqual([
      'AssumeRoleFailed',
      'AssumeRoleFailed',
      'AssumeRoleFailed',
      'AssumeRoleFailed',
      'KubernetesUnauthorized',
    ]);
  });
});

describe('collectInventory with the real Kubernetes reader on a loopback API server', () => {
  let server: KubeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('presigns the token with the member role credentials and reads the cluster through it', async () => {
    const tokens: string[] = [];
    server = await startKubeServer({
      serviceAccounts: [
        serviceAccount('payments', 'api', { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' }),
      ],
      pods: [pod('payments', 'api-0', { serviceAccountName: 'api' })],
      authorize: (token) => {
        tokens.push(token);
        return token.startsWith('k8s-aws-v1.');
      },
    });
    const member = accountId(1);
    const org = organization([
      account(0, { clusters: [] }),
      account(1, {
        clusters: [cluster(member, 'eu-west-1', 'live', { endpoint: server.url, caData: CA_DATA })],
      }),
    ]);
    const { deps } = simulate(org);
    delete deps.kubernetes; // the production reader

    const inventory = await collectInventory({ ...baseOptions, kubernetes: { pageSize: 1 } }, deps);

    const live = byId(inventory, member).clusters[0];
    expect(live.kubernetes).toEqual({ status: 'ok' });
    expect(live.serviceAccounts).toEqual([
      {
        namespace: 'payments',
        name: 'api',
        annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' },
      },
    ]);
    expect(live.pods.map((p) => p.name)).toEqual(['api-0']);
    const url = new URL(Buffer.from(tokens[0].slice('k8s-aws-v1.'.length), 'base64url').toString());
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      new RegExp(`^ASIA${member}/\\d{8}/eu-west-1/sts/aws4_request$`),
    );
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('member-session');
  });
});
