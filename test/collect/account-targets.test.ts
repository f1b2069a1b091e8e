import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import 'aws-sdk-client-mock-jest';
import { type SimSettings, SimulatedAws, serviceError } from '../../bench/collect-sim';
import { collectInventory, listAccountTargets } from '../../lambda/collect/collect';
import { MissingCredentialsError, OrganizationsAccessError } from '../../lambda/collect/errors';
import { account, accountId, CALLER, organization } from './org-fixture';
import { type AwsMocks, mockAwsWithSimulation } from './sim-mocks';

const OU_A = 'ou-ab12-aaaaaaaa';
const OU_A_CHILD = 'ou-ab12-cccccccc';
const OU_B = 'ou-ab12-bbbbbbbb';

/** Root: caller, accounts 1-2; OU A: 3-27 (25 accounts, two pages); OU A/child: 28-29; OU B: 30. */
function layeredOrganization() {
  const accounts = [account(0), account(1), account(2, { state: 'SUSPENDED' })];
  for (let n = 3; n <= 27; n++) accounts.push(account(n, { parent: OU_A }));
  accounts.push(account(28, { parent: OU_A_CHILD }), account(29, { parent: OU_A_CHILD, state: 'SUSPENDED' }));
  accounts.push(account(30, { parent: OU_B }));
  return organization(accounts, {
    ous: [
      { id: OU_A, parent: 'r-ab12' },
      { id: OU_A_CHILD, parent: OU_A },
      { id: OU_B, parent: 'r-ab12' },
    ],
  });
}

let mocks: AwsMocks | undefined;
afterEach(() => {
  mocks?.restore();
  mocks = undefined;
});

function simulate(settings: SimSettings = {}, org = layeredOrganization()) {
  const sim = new SimulatedAws(org, settings);
  mocks = mockAwsWithSimulation(sim);
  return {
    sim,
    deps: { credentials: sim.callerCredentials, clock: { now: Date.now, sleep: async () => {} } },
  };
}

const ids = (targets: { accountId: string }[]) => targets.map((target) => target.accountId);

describe('which accounts a run audits', () => {
  it('lists every ACTIVE account of the organization, every page', async () => {
    const { deps } = simulate();

    const targets = await listAccountTargets({ runId: 't' }, deps);

    expect(targets).toHaveLength(29); // 31 accounts (the caller's own included), 2 of them suspended
    expect(ids(targets)).not.toContain(accountId(2));
    expect(ids(targets)).not.toContain(accountId(29));
    expect(targets[1]).toEqual({ accountId: accountId(1), name: 'member-1' });
    expect(mocks!.organizations).toHaveReceivedCommandTimes(ListAccountsCommand, 2);
    expect(mocks!.organizations).toHaveReceivedCommandWith(ListAccountsCommand, { MaxResults: 20 });
  });

  it('expands OUs recursively, page by page, with ACTIVE accounts only', async () => {
    const { deps } = simulate();

    const targets = await listAccountTargets({ runId: 't', ous: [OU_A] }, deps);

    expect(ids(targets).sort()).toEqual(
      [...Array.from({ length: 25 }, (_, i) => accountId(i + 3)), accountId(28)].sort(),
    );
    expect(mocks!.organizations).toHaveReceivedCommandTimes(ListAccountsForParentCommand, 3); // A twice, child once
    expect(mocks!.organizations).toHaveReceivedCommandWith(ListOrganizationalUnitsForParentCommand, {
      ParentId: OU_A_CHILD,
    });
    expect(mocks!.organizations).toHaveReceivedCommandTimes(ListAccountsCommand, 0);
  });

  it('unions named accounts with OUs and removes exclusions (ids and OUs)', async () => {
    const { deps } = simulate();

    const targets = await listAccountTargets(
      {
        runId: 't',
        accounts: [accountId(1), accountId(30)],
        ous: [OU_A],
        excludeAccounts: [accountId(3)],
        excludeOus: [OU_A_CHILD],
      },
      deps,
    );

    expect(ids(targets)).toEqual([
      accountId(1),
      accountId(30),
      ...Array.from({ length: 24 }, (_, i) => accountId(i + 4)),
    ]);
  });

  it('audits named accounts without calling Organizations at all', async () => {
    const { deps } = simulate();

    const targets = await listAccountTargets({ runId: 't', accounts: [accountId(5), CALLER] }, deps);

    expect(targets).toEqual([{ accountId: accountId(5) }, { accountId: CALLER }]);
    expect(mocks!.organizations.calls()).toHaveLength(0);
  });

  it('audits only the caller account when the organization is not in use', async () => {
    const { deps } = simulate({
      fail: (call) =>
        call.service === 'organizations'
          ? serviceError(
              'AWSOrganizationsNotInUseException',
              'Your account is not a member of an organization.',
            )
          : undefined,
    });

    await expect(listAccountTargets({ runId: 't' }, deps)).resolves.toEqual([{ accountId: CALLER }]);
  });

  it('explains what is missing when the caller may not list the organization', async () => {
    const { deps } = simulate({
      fail: (call) =>
        call.api === 'ListAccounts'
          ? serviceError('AccessDeniedException', 'You don’t have permissions', 403)
          : undefined,
    });

    const failure = await collectInventory({ runId: 't' }, deps).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OrganizationsAccessError);
    expect((failure as Error).message).toMatch(/organizations:ListAccounts.*--accounts/);
    expect((failure as { code: string }).code).toBe('OrganizationsAccessDenied');
  });

  it('lists the organization through a throttling storm', async () => {
    let throttles = 0;
    const { deps } = simulate({
      throttle: (call) => call.api === 'ListAccounts' && throttles++ < 2,
    });

    await expect(listAccountTargets({ runId: 't', stormBackoffMs: 1 }, deps)).resolves.toHaveLength(29);
  });
});

describe('caller credentials', () => {
  it('reports missing credentials clearly instead of a stack trace', async () => {
    const { deps } = simulate();
    mocks!.sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );

    const failure = await collectInventory({ runId: 't' }, deps).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MissingCredentialsError);
    expect((failure as Error).message).toMatch(/^No usable AWS credentials: .*aws sso login/);
  });

  it('reports expired caller credentials the same way', async () => {
    const { deps } = simulate();
    mocks!.sts
      .on(GetCallerIdentityCommand)
      .rejects(serviceError('ExpiredToken', 'The security token included in the request is expired'));

    await expect(collectInventory({ runId: 't' }, deps)).rejects.toThrow(
      'No usable AWS credentials: the credentials have expired',
    );
  });
});
