/**
 * The scale benchmark's organization (bench/scale-org.ts) and the simulation's Kubernetes list latency
 * (bench/collect-sim.ts): without defects the organization audits clean, with them each defect shows as
 * the findings docs/performance.md "Scale" states, and Kubernetes lists are paged and timed as the real
 * reader reads them.
 */
import { type SimOrganization, SimulatedAws } from '../../bench/collect-sim';
import { SCALE_SHAPE, scaleOrganization } from '../../bench/scale-org';
import type { ClusterEndpoint } from '../../lambda/collect/cluster-endpoint';
import { collectInventory } from '../../lambda/collect/collect';
import { CHECKS } from '../../lambda/core/checks/index';
import { runChecks } from '../../lambda/core/engine';
import type { Pod, ServiceAccount } from '../../lambda/core/model';

const fastClock = { now: () => Date.now(), sleep: async () => {} };

async function findingsByCheck(org: SimOrganization): Promise<Record<string, number>> {
  const sim = new SimulatedAws(org);
  const inventory = await collectInventory(
    { runId: 'scale-org', assumeRoleInOwnAccount: true },
    {
      clients: sim.clientFactory(),
      credentials: sim.callerCredentials,
      kubernetes: sim.kubernetesReader(),
      clock: fastClock,
    },
  );
  expect(inventory.accounts.flatMap((account) => account.errors)).toEqual([]);
  const counts: Record<string, number> = {};
  for (const finding of runChecks(inventory, CHECKS).findings) {
    counts[finding.checkId] = (counts[finding.checkId] ?? 0) + 1;
  }
  return counts;
}

describe('the scale organization', () => {
  const NONE = {
    annotatedRoleDeleted: 0,
    trustWrongNamespace: 0,
    notInjected: 0,
    staleProviderEveryAccounts: 0,
  };

  it('has the stated shape per account', () => {
    const [account] = scaleOrganization(1).accounts;
    expect(account.regions).toHaveLength(17);
    expect(account.roleCount).toBe(200);
    expect(account.clusters).toHaveLength(2);
    const objects = account.clusters[0].kubernetesObjects!();
    expect(objects.serviceAccounts).toHaveLength(SCALE_SHAPE.serviceAccountsPerCluster);
    expect(objects.pods).toHaveLength(150);
    const injected = objects.pods.filter((pod) =>
      pod.containers[0].env.some((variable) => variable.name === 'AWS_ROLE_ARN'),
    );
    expect(injected).toHaveLength(SCALE_SHAPE.irsaPerCluster * SCALE_SHAPE.podsPerServiceAccount);
  });

  it('audits clean without defects', async () => {
    const org = scaleOrganization(3, {
      defects: {
        annotatedRoleDeleted: 0,
        trustWrongNamespace: 0,
        notInjected: 0,
        staleProviderEveryAccounts: 0,
      },
    });
    expect(await findingsByCheck(org)).toEqual({});
  });

  it.each([
    // A deleted role: the role it replaced trusts a service account annotated otherwise.
    [{ annotatedRoleDeleted: 0.2 }, ['sa.role-missing', 'trust.target-not-annotated']],
    // A trust naming the wrong namespace: its target is missing and its service account untrusted.
    [{ trustWrongNamespace: 0.2 }, ['sa.role-untrusted', 'trust.sub-target-missing']],
    [{ notInjected: 0.2 }, ['pod.irsa-not-injected']],
  ])('shows the defect %j as one finding of each of %j', async (defect, checks) => {
    const counts = await findingsByCheck(scaleOrganization(4, { defects: { ...NONE, ...defect } }));
    expect(Object.keys(counts).sort()).toEqual(checks);
    const [first] = Object.values(counts);
    expect(first).toBeGreaterThan(0);
    expect(new Set(Object.values(counts))).toEqual(new Set([first]));
  });

  it('keeps one stale provider per stated number of accounts', async () => {
    const org = scaleOrganization(4, { defects: { ...NONE, staleProviderEveryAccounts: 2 } });
    expect(await findingsByCheck(org)).toEqual({ 'provider.orphaned': 2 });
  });

  it('is the same for the same seed', () => {
    const objects = (seed: number) =>
      scaleOrganization(20, { seed }).accounts.map((account) =>
        account.clusters.map((cluster) => JSON.stringify(cluster.kubernetesObjects!())),
      );
    expect(objects(11)).toEqual(objects(11));
    expect(objects(11)).not.toEqual(objects(12));
  });
});

describe('Kubernetes list latency of the simulation', () => {
  function clusterOf(serviceAccounts: number, pods: number): SimOrganization {
    const org = scaleOrganization(1);
    const cluster = org.accounts[0].clusters[0];
    cluster.kubernetesObjects = undefined;
    cluster.serviceAccounts = Array.from(
      { length: serviceAccounts },
      (_, n): ServiceAccount => ({ namespace: 'a', name: `sa-${n}`, annotations: {} }),
    );
    cluster.pods = Array.from(
      { length: pods },
      (_, n): Pod => ({ namespace: 'a', name: `p-${n}`, serviceAccountName: 'sa-0', containers: [] }),
    );
    return org;
  }

  function readFirstCluster(sim: SimulatedAws) {
    const [account] = sim.org.accounts;
    const [cluster] = account.clusters;
    const endpoint = { accountId: account.accountId, region: cluster.region, name: cluster.name };
    return sim
      .kubernetesReader()
      .read(endpoint as ClusterEndpoint, 'k8s-aws-v1.token', { principalArn: 'x' });
  }

  it('reads both lists in parallel, each in pages of 500, one page after another', async () => {
    const org = clusterOf(10, 1_200);
    const sleeps: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const sim = new SimulatedAws(org, {
      kubernetesLatency: { pageMs: 150 },
      sleep: async (ms) => {
        sleeps.push(ms);
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
    });
    const read = await readFirstCluster(sim);
    expect(read.status).toBe('ok');
    expect(read.requests).toBe(1 + 3);
    expect(sim.kubernetesRequests).toBe(4);
    expect(sim.calls).toBe(0);
    expect(sleeps).toEqual([150, 150, 150, 150]);
    expect(sim.kubernetesListPages(org.accounts[0].clusters[0])).toEqual({ serviceAccounts: 1, pods: 3 });
    // The two lists at once; the pages of one list never overlap.
    expect(mostInFlight).toBe(2);
  });

  it('answers at once without a latency model', async () => {
    const org = clusterOf(10, 10);
    const sleeps: number[] = [];
    const sim = new SimulatedAws(org, { sleep: async (ms) => void sleeps.push(ms) });
    const read = await readFirstCluster(sim);
    expect(read.requests).toBe(2);
    expect(sleeps).toEqual([]);
  });
});
