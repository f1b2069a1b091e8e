import { SimulatedAws, serviceError } from '../../bench/collect-sim';
import { collectInventory } from '../../lambda/collect/collect';
import { CHECKS } from '../../lambda/core/checks/index';
import { runChecks } from '../../lambda/core/engine';
import { parseInventory } from '../../lambda/core/inventory/parse';
import { inventoryToJson } from '../../lambda/core/inventory/trust-policy';
import { account, accountId, CALLER, cluster, organization } from './org-fixture';
import { type AwsMocks, mockAwsWithSimulation } from './sim-mocks';

let mocks: AwsMocks | undefined;
afterEach(() => {
  mocks?.restore();
  mocks = undefined;
});

/**
 * The collector's output is the inventory file `snapshot` writes and `scan` reads (docs/inventory.md): it must
 * survive JSON, pass the loader without a warning, and give the same findings before and after.
 */
describe('a live inventory is a valid snapshot', () => {
  it('round-trips through JSON and the inventory loader, with the same findings', async () => {
    const broken = {
      Arn: `arn:aws:iam::${accountId(1)}:role/broken`,
      RoleName: 'broken',
      AssumeRolePolicyDocument: encodeURIComponent('{"Version": "2012-10-17", "Statement": ['),
    };
    const org = organization([
      account(0),
      account(1, {
        roles: [broken],
        clusters: [
          cluster(accountId(1), 'eu-west-1', 'prod'),
          cluster(accountId(1), 'eu-west-1', 'locked', { unreachable: true }),
          cluster(accountId(1), 'us-east-1', 'no-issuer', { issuer: undefined }),
        ],
      }),
      account(2),
      account(3),
    ]);
    const sim = new SimulatedAws(org, {
      assumeRoleFails: (id) => id === accountId(2),
      fail: (call) =>
        call.accountId === accountId(3) && call.api === 'ListClusters' && call.region === 'us-east-1'
          ? serviceError('AccessDeniedException', 'denied', 403)
          : undefined,
    });
    mocks = mockAwsWithSimulation(sim);

    const collected = await collectInventory(
      { runId: 'snapshot' },
      {
        credentials: sim.callerCredentials,
        kubernetes: sim.kubernetesReader(),
        clock: { now: Date.now, sleep: async () => {} },
      },
    );
    const written = inventoryToJson(collected, 1);
    const { inventory, warnings } = parseInventory(JSON.parse(written), 'snapshot.json');

    expect(JSON.parse(JSON.stringify(collected))).toStrictEqual(collected); // no Dates, no undefined-valued keys
    // The file holds the trust policy as the document itself, or {"unparsable": reason}.
    const roles = (JSON.parse(written) as { accounts: { roles: { trustPolicy: unknown }[] }[] }).accounts[1]
      .roles;
    expect(roles.map((role) => role.trustPolicy)).toContainEqual(
      expect.objectContaining({ Version: '2012-10-17' }),
    );
    expect(roles.map((role) => role.trustPolicy)).toContainEqual({
      unparsable: expect.stringContaining('not valid JSON'),
    });
    // Expected: the deliberately broken trust policy. Tolerated: the loader also warns about the empty
    // serviceAccounts/pods arrays the model requires on an unreachable cluster (reported to its owner).
    expect(warnings.some((warning) => warning.includes('role/broken could not be parsed'))).toBe(true);
    expect(
      warnings.filter(
        (warning) =>
          !warning.includes('role/broken could not be parsed') &&
          !warning.includes('serviceAccounts/pods are given'),
      ),
    ).toEqual([]);
    expect(inventory).toEqual(collected);
    expect(collected.accounts.map((a) => a.accountId)).toEqual([
      CALLER,
      accountId(1),
      accountId(2),
      accountId(3),
    ]);
    const live = runChecks(collected, CHECKS);
    const fromFile = runChecks(inventory, CHECKS);
    expect(fromFile.findings).toEqual(live.findings);
    const scanFindings = live.findings
      .filter((finding) => finding.checkId.startsWith('scan.'))
      .map((f) => f.checkId);
    expect(scanFindings.sort()).toEqual([
      'scan.account-unreachable',
      'scan.cluster-unreachable',
      'scan.region-failed',
    ]);
  });
});
