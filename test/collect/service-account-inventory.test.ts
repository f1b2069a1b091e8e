import { ListClustersCommand, ListPodIdentityAssociationsCommand } from '@aws-sdk/client-eks';
import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import { SimulatedAws } from '../../bench/collect-sim';
import { CollectError } from '../../lambda/collect/errors';
import { collectServiceAccountInventory } from '../../lambda/collect/service-account-inventory';
import { account, accountId, cluster, organization } from './org-fixture';
import { type AwsMocks, mockAwsWithSimulation } from './sim-mocks';

const HOME = accountId(1);
const ROLES = accountId(2);

function simulate() {
  const target = cluster(HOME, 'eu-west-1', 'prod', {
    associations: [
      {
        associationId: 'a-1',
        namespace: 'payments',
        serviceAccount: 'api',
        roleArn: `arn:aws:iam::${HOME}:role/irsa-2`,
      },
      {
        associationId: 'a-2',
        namespace: 'other',
        serviceAccount: 'x',
        roleArn: `arn:aws:iam::${HOME}:role/irsa-1`,
      },
    ],
    serviceAccounts: [
      {
        namespace: 'payments',
        name: 'api',
        annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${ROLES}:role/irsa-0` },
      },
      { namespace: 'payments', name: 'worker', annotations: {} },
      { namespace: 'other', name: 'api', annotations: {} },
    ],
    pods: [
      { namespace: 'payments', name: 'api-1', serviceAccountName: 'api', containers: [] },
      { namespace: 'payments', name: 'worker-1', serviceAccountName: 'worker', containers: [] },
    ],
  });
  const org = organization([
    account(0),
    account(1, { clusters: [target, cluster(HOME, 'eu-west-1', 'staging')] }),
    account(2, { clusters: [cluster(ROLES, 'us-east-1', 'elsewhere')] }),
    account(3),
  ]);
  const sim = new SimulatedAws(org);
  mocks = mockAwsWithSimulation(sim);
  return {
    sim,
    deps: {
      credentials: sim.callerCredentials,
      kubernetes: sim.kubernetesReader(),
      clock: { now: Date.now, sleep: async () => {} },
    },
  };
}

let mocks: AwsMocks | undefined;
afterEach(() => {
  mocks?.restore();
  mocks = undefined;
});

const target = {
  accountId: HOME,
  region: 'eu-west-1',
  cluster: 'prod',
  namespace: 'payments',
  serviceAccount: 'api',
};

describe('collectServiceAccountInventory (explain --live)', () => {
  it('collects only the cluster, the service account and the accounts of the roles it names', async () => {
    const { sim, deps } = simulate();

    const inventory = await collectServiceAccountInventory(target, { runId: 'explain' }, deps);

    expect(inventory.accounts.map((a) => a.accountId)).toEqual([HOME, ROLES]);
    const [home, roles] = inventory.accounts;
    expect(home.clusters.map((c) => c.name)).toEqual(['prod']);
    expect(home.clusters[0].serviceAccounts.map((sa) => sa.name)).toEqual(['api']);
    expect(home.clusters[0].pods.map((pod) => pod.name)).toEqual(['api-1']);
    expect(home.clusters[0].podIdentityAssociations).toEqual([
      {
        namespace: 'payments',
        serviceAccount: 'api',
        roleArn: `arn:aws:iam::${HOME}:role/irsa-2`,
        associationId: 'a-1',
      },
    ]);
    expect(home.oidcProviders).toHaveLength(2);
    expect(home.roles).toHaveLength(3); // the association's role lives in the cluster account
    expect(roles.roles.map((role) => role.arn)).toContain(`arn:aws:iam::${ROLES}:role/irsa-0`);
    expect(roles.oidcProviders).toHaveLength(1);
    expect(roles.clusters).toEqual([]);
    expect(inventory.accounts.every((a) => a.errors.length === 0)).toBe(true);
    expect(sim.kubernetesReads).toEqual([
      { cluster: 'prod', filter: { namespace: 'payments', serviceAccount: 'api' } },
    ]);
    expect(mocks!.eks).toHaveReceivedCommandTimes(ListClustersCommand, 0);
    expect(mocks!.eks).toHaveReceivedCommandWith(ListPodIdentityAssociationsCommand, {
      clusterName: 'prod',
      namespace: 'payments',
      serviceAccount: 'api',
    });
    expect(mocks!.iam).toHaveReceivedCommandTimes(GetAccountAuthorizationDetailsCommand, 2);
  });

  it('says plainly when the cluster does not exist', async () => {
    const { deps } = simulate();

    const failure = await collectServiceAccountInventory(
      { ...target, cluster: 'nope' },
      { runId: 'explain' },
      deps,
    ).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CollectError);
    expect(failure).toMatchObject({
      code: 'ClusterNotFound',
      message: `No EKS cluster "nope" in account ${HOME}, region eu-west-1.`,
    });
  });
});
