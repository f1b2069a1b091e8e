/**
 * Fix commands are data, not prose: each a complete one-line command, shown on its own line by the
 * text report, never wrapped; restarts name workloads, never a whole namespace (docs/output.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../../lambda/core/checks/index';
import { runChecks } from '../../lambda/core/engine';
import type { Finding } from '../../lambda/core/findings';
import type { Inventory } from '../../lambda/core/model';
import { renderScan } from '../../lambda/report/scan-report';
import { loadCheckFixtures, loadInventory } from '../helpers/inventory';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const demos = ['demo-org.json', 'demo-org-changed.json'].map((name) =>
  loadInventory(JSON.parse(readFileSync(join(EXAMPLES, name), 'utf8')), name),
);
const findings: Finding[] = [
  ...demos.flatMap((inventory) => runChecks(inventory, CHECKS).findings),
  ...loadCheckFixtures().flatMap(
    (loaded) => runChecks(loadInventory(loaded.fixture.inventory, loaded.file), CHECKS).findings,
  ),
];

/** A shell command for AWS, Kubernetes or eksctl at the start of prose or after a colon. */
const COMMAND_IN_PROSE = /(^|[:\n]\s*)(aws (iam|eks|sts)|kubectl|eksctl) [a-z]/;

describe('fix commands', () => {
  it('the demo and the check fixtures produce commands to check', () => {
    expect(findings.filter((finding) => finding.commands?.length).length).toBeGreaterThan(40);
  });

  it('are complete one-liners, and the prose carries none', () => {
    for (const finding of findings) {
      for (const command of finding.commands ?? []) {
        expect(command).not.toMatch(/[\n\r]/);
        expect(command).not.toMatch(/\s#/); // no trailing comment to paste
        expect(command).toMatch(/^(aws|kubectl|eksctl) /);
      }
      expect(`${finding.checkId}: ${finding.remediation}`).not.toMatch(COMMAND_IN_PROSE);
    }
    for (const check of CHECKS) {
      expect(`${check.id}: ${check.remediation}`).not.toMatch(COMMAND_IN_PROSE);
      for (const command of check.commands ?? []) expect(command).not.toMatch(/[\n\r]/);
    }
  });

  it('are printed on their own lines by the detailed text report, never wrapped', () => {
    for (const inventory of demos) {
      const result = runChecks(inventory, CHECKS);
      const lines = renderScan(result, 'table', { details: true })
        .split('\n')
        .map((line) => line.trim());
      for (const finding of result.findings)
        for (const command of finding.commands ?? []) expect(lines).toContain(command);
    }
  });

  it('never restart a whole namespace', () => {
    for (const finding of findings) {
      for (const command of finding.commands ?? []) {
        if (command.includes('rollout restart'))
          expect(command).toMatch(/^kubectl rollout restart -n \S+ (deployment|statefulset|daemonset)\/\S+$/);
      }
    }
  });

  it('replace the whole trust policy only from the complete file irsa-audit fix writes', () => {
    for (const finding of findings) {
      for (const command of finding.commands ?? []) {
        if (!command.includes('update-assume-role-policy')) continue;
        const role = finding.resource.roleArn?.slice(finding.resource.roleArn.lastIndexOf('/') + 1);
        expect(command).toBe(
          `aws iam update-assume-role-policy --role-name ${role} --policy-document file://${role}.trust.json`,
        );
        expect(finding.remediation).toContain('irsa-audit fix <id>');
      }
      expect(finding.remediation).not.toMatch(/Add this statement|with the statement/);
    }
  });
});

describe('restarts name the workloads of the service account', () => {
  const ROLE = 'arn:aws:iam::111122223333:role/app';
  function inventoryWith(pods: Inventory['accounts'][number]['clusters'][number]['pods']): Inventory {
    return loadInventory(
      {
        schemaVersion: 1,
        accounts: [
          {
            accountId: '111122223333',
            oidcProviders: [],
            roles: [],
            clusters: [
              {
                name: 'prod',
                region: 'eu-west-1',
                kubernetes: { status: 'ok' },
                serviceAccounts: [
                  {
                    namespace: 'kube-system',
                    name: 'ebs-csi',
                    annotations: { 'eks.amazon.com/role-arn': ROLE },
                  },
                  { namespace: 'kube-system', name: 'other', annotations: {} },
                ],
                pods,
              },
            ],
          },
        ],
      },
      'restart.json',
    );
  }
  const pod = (name: string, owner?: { kind: string; name: string }, serviceAccountName = 'ebs-csi') => ({
    namespace: 'kube-system',
    name,
    serviceAccountName,
    phase: 'Running',
    ...(owner ? { owner } : {}),
    containers: [{ name: 'main', env: [] }],
  });

  it('rollout-restarts each owning controller, deletes pods of other owners by name', () => {
    const inventory = inventoryWith([
      pod('ebs-csi-controller-1', { kind: 'Deployment', name: 'ebs-csi-controller' }),
      pod('ebs-csi-node-1', { kind: 'DaemonSet', name: 'ebs-csi-node' }),
      pod('db-0', { kind: 'StatefulSet', name: 'db' }),
      pod('backup-1', { kind: 'Job', name: 'backup' }),
      pod('debug'),
      pod('unrelated-1', { kind: 'Deployment', name: 'coredns' }, 'other'),
    ]);
    const [typo] = runChecks(inventory, CHECKS).findings.filter(
      (f) => f.checkId === 'sa.annotation-key-typo',
    );
    expect(typo.commands).toEqual([
      `kubectl annotate serviceaccount -n kube-system ebs-csi eks.amazon.com/role-arn- eks.amazonaws.com/role-arn=${ROLE}`,
      'kubectl rollout restart -n kube-system deployment/ebs-csi-controller',
      'kubectl rollout restart -n kube-system daemonset/ebs-csi-node',
      'kubectl rollout restart -n kube-system statefulset/db',
      'kubectl delete pod -n kube-system backup-1',
      'kubectl delete pod -n kube-system debug',
    ]);
    expect(typo.remediation).toContain('re-create it from its manifest');
  });

  it('says so in prose when no pod uses the service account', () => {
    const [typo] = runChecks(inventoryWith([]), CHECKS).findings.filter(
      (f) => f.checkId === 'sa.annotation-key-typo',
    );
    expect(typo.commands).toHaveLength(1);
    expect(typo.commands?.[0]).toMatch(/^kubectl annotate /);
    expect(typo.remediation).toContain('nothing needs a restart');
  });
});
