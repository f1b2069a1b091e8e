/**
 * `explain` is built from the engine: for every service account of the demo organization, the
 * findings it shows are exactly the full scan's findings in that service account's scope (nothing
 * re-decided, nothing lost), it evaluates far less than a full scan, and its verdict names the
 * credentials the pods get.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS, checkById } from '../../lambda/core/checks/index';
import type { GuideStep } from '../../lambda/core/checks/types';
import { emptyWork, runChecks } from '../../lambda/core/engine';
import {
  type ExplainReport,
  ExplainTargetError,
  explainServiceAccount,
  inNeighbourhood,
  neighbourhoodOf,
  resolveTarget,
} from '../../lambda/core/explain/index';
import { FINDING_EFFECT, unclassifiedChecks } from '../../lambda/core/explain/verdict';
import type { Finding } from '../../lambda/core/findings';
import { parseInventory } from '../../lambda/core/inventory/parse';
import type { Inventory } from '../../lambda/core/model';
import { loadInventory } from '../helpers/inventory';

const ROOT = join(__dirname, '..', '..');
const demo: Inventory = parseInventory(
  JSON.parse(readFileSync(join(ROOT, 'examples/demo-org.json'), 'utf8')),
  'examples/demo-org.json',
).inventory;

const fullWork = emptyWork();
const fullScan = runChecks(demo, CHECKS, { work: fullWork });

function explainDemo(cluster: string, namespace: string, serviceAccount: string): ExplainReport {
  return explainServiceAccount(demo, { cluster, namespace, serviceAccount });
}

function shownFindings(report: ExplainReport): Finding[] {
  return report.steps.flatMap((step) => step.findings);
}

function key(finding: Finding): string {
  return `${finding.fingerprint} ${finding.severity} ${finding.message}`;
}

function status(report: ExplainReport): Partial<Record<GuideStep, string>> {
  return Object.fromEntries(report.steps.map((step) => [step.id, step.status]));
}

const demoServiceAccounts = demo.accounts.flatMap((account) =>
  account.clusters.flatMap((cluster) => cluster.serviceAccounts.map((sa) => ({ account, cluster, sa }))),
);

describe('explain over every service account of the demo organization', () => {
  it('covers a real sample', () => {
    expect(demoServiceAccounts.length).toBeGreaterThan(100);
  });

  it.each(
    demoServiceAccounts.map(({ account, cluster, sa }) => [
      `${cluster.name} ${sa.namespace}/${sa.name}`,
      account.accountId,
      cluster.name,
      sa.namespace,
      sa.name,
    ]),
  )(
    '%s: shows exactly the full scan findings of its scope, for less work',
    (_, accountId, cluster, namespace, name) => {
      const report = explainServiceAccount(demo, { cluster, namespace, serviceAccount: name, accountId });
      const area = neighbourhoodOf(
        resolveTarget(demo, { cluster, namespace, serviceAccount: name, accountId }),
      );
      const expected = fullScan.findings.filter((finding) =>
        inNeighbourhood(area, finding, checkById(finding.checkId)!),
      );

      expect(shownFindings(report).map(key).sort()).toEqual(expected.map(key).sort());
      // Each finding sits in the step its check declares.
      for (const step of report.steps) {
        for (const finding of step.findings) expect(checkById(finding.checkId)?.guideStep).toBe(step.id);
      }
      // A step fails only on a finding, and a broken verdict always shows the failing step.
      for (const step of report.steps.filter((s) => s.status === 'fail')) {
        expect(step.findings.some((finding) => FINDING_EFFECT[finding.checkId] !== 'context')).toBe(true);
      }
      expect(report.verdict === 'broken').toBe(report.steps.some((step) => step.status === 'fail'));
      // Scoped: a few roles and one cluster, not the organization.
      expect(report.scope.work.roles).toBeLessThanOrEqual(5);
      expect(report.scope.work.roles).toBeLessThan(fullWork.roles);
      expect(report.scope.work.clusters).toBe(1);
      expect(report.scope.work.serviceAccounts).toBe(1);
    },
  );

  it('finds the same providers by account lookup (the HTML graph) as by walking every account', () => {
    const accountsById = new Map(demo.accounts.map((account) => [account.accountId, account]));
    let withProviders = 0;
    for (const { account, cluster, sa } of demoServiceAccounts) {
      const target = resolveTarget(demo, {
        cluster: cluster.name,
        namespace: sa.namespace,
        serviceAccount: sa.name,
        accountId: account.accountId,
      });
      const walked = neighbourhoodOf(target, { withoutTrustingRoles: true });
      const looked = neighbourhoodOf(target, { withoutTrustingRoles: true, accountsById });
      expect([...looked.providers].sort()).toEqual([...walked.providers].sort());
      expect(looked.accounts).toEqual(walked.accounts);
      expect(looked.ownRoles).toEqual(walked.ownRoles);
      if (walked.providers.size > 0) withProviders++;
    }
    expect(withProviders).toBeGreaterThan(50);
  });

  it('evaluates far fewer roles than a full scan', () => {
    const totals = demoServiceAccounts.map(
      ({ account, cluster, sa }) =>
        explainServiceAccount(demo, {
          cluster: cluster.name,
          namespace: sa.namespace,
          serviceAccount: sa.name,
          accountId: account.accountId,
        }).scope.work,
    );
    const mostRoles = Math.max(...totals.map((work) => work.roles));
    expect(fullWork.roles).toBe(demo.accounts.reduce((sum, account) => sum + account.roles.length, 0));
    expect(mostRoles * 10).toBeLessThan(fullWork.roles);
    expect(fullWork.clusters).toBe(4);
  });

  it('gives every check a meaning for the verdict', () => {
    expect(unclassifiedChecks()).toEqual([]);
  });
});

describe('the cases that were wrong', () => {
  it('a service account that uses Pod Identity only is not "IRSA is broken" (cluster not read)', () => {
    const report = explainDemo('ci-runners-usw2', 'arc-runners', 'arc-runner-set');

    expect(report.mechanism.effective).toBe('pod-identity');
    expect(report.mechanism.newPods).toBe('pod-identity');
    expect(report.verdict).toBe('unknown');
    expect(report.summary).toBe('Pod Identity: could not be fully checked (the Kubernetes API was not read)');
    expect(report.kubernetesNotRead).toContain('401 Unauthorized');
    // Unread parts are unknown, never pass or fail; IRSA steps do not fail an SA that uses Pod Identity.
    expect(status(report)).toMatchObject({
      'service-account': 'unknown',
      'test-pod': 'unknown',
      'pod-identity': 'unknown',
      'trust-policy': 'unknown',
      coverage: 'unknown',
    });
    expect(
      report.steps.some(
        (step) => step.status === 'fail' || (step.status === 'pass' && step.id === 'service-account'),
      ),
    ).toBe(false);
  });

  it('pods without any credentials variables are not "✓ IRSA environment" (media/thumbnailer)', () => {
    const report = explainDemo('staging-use1', 'media', 'thumbnailer');

    expect(report.mechanism.runningPods?.map((pod) => pod.credentials)).toEqual(['none', 'none']);
    expect(report.mechanism.effective).toBe('none');
    expect(report.verdict).toBe('broken');
    expect(status(report)['test-pod']).not.toBe('pass');
    expect(status(report)['service-account']).toBe('fail');
    expect(
      shownFindings(report)
        .map((f) => f.checkId)
        .sort(),
    ).toEqual(['sa.annotation-key-typo', 'trust.target-not-annotated']);
  });

  it('shows trust.sub-target-missing on the annotated role', () => {
    const report = explainDemo('prod-use1', 'payments', 'payments-api');

    const ids = shownFindings(report).map((f) => f.checkId);
    expect(ids).toContain('trust.sub-target-missing');
    expect(ids).toContain('sa.role-untrusted');
    expect(report.verdict).toBe('broken');
    expect(report.mechanism.effective).toBe('irsa');
  });

  it('a service account that does not exist is an input error listing what exists', () => {
    const missing = () => explainDemo('staging-use1', 'media', 'nope');
    expect(missing).toThrow(ExplainTargetError);
    expect(missing).toThrow('service accounts of namespace media: default, thumbnailer');

    const noNamespace = () => explainDemo('staging-use1', 'medai', 'thumbnailer');
    expect(noNamespace).toThrow('namespace medai does not exist');
    expect(noNamespace).toThrow(/namespaces: argocd, .*media/);

    expect(() => explainDemo('nope', 'media', 'thumbnailer')).toThrow(
      /clusters: .*staging-use1 \(739205186614, us-east-1\)/,
    );
  });
});

describe('the verdict names the credentials the pods get', () => {
  it('IRSA works', () => {
    const report = explainDemo('prod-use1', 'kube-system', 'aws-node');
    expect([report.mechanism.effective, report.verdict, report.summary]).toEqual([
      'irsa',
      'works',
      'IRSA works',
    ]);
    expect(status(report)).toMatchObject({
      'oidc-provider': 'pass',
      'trust-policy': 'pass',
      'service-account': 'pass',
      'pod-identity': 'n/a',
    });
  });

  it('Pod Identity works', () => {
    const report = explainDemo('prod-use1', 'observability', 'adot-collector');
    expect([report.mechanism.effective, report.verdict, report.summary]).toEqual([
      'pod-identity',
      'works',
      'Pod Identity works',
    ]);
    expect(status(report)['pod-identity']).toBe('pass');
  });

  it('both: running pods kept IRSA, new pods get Pod Identity', () => {
    const report = explainDemo('prod-euw1', 'karpenter', 'karpenter');
    expect(report.mechanism.newPods).toBe('pod-identity');
    expect(new Set(report.mechanism.runningPods?.map((pod) => pod.credentials))).toEqual(new Set(['irsa']));
    expect([report.mechanism.effective, report.verdict]).toEqual(['both', 'works']);
    expect(status(report)['test-pod']).toBe('warn');
  });

  it('neither: nothing configured is not a failure', () => {
    const report = explainDemo('prod-use1', 'kube-system', 'coredns');
    expect([report.mechanism.effective, report.verdict]).toEqual(['none', 'unused']);
    expect(report.steps.every((step) => step.status !== 'fail')).toBe(true);
  });

  it('Pod Identity broken: the association role does not allow sts:TagSession', () => {
    const report = explainDemo('prod-euw1', 'notifications', 'notifier');
    expect([report.mechanism.effective, report.verdict]).toEqual(['pod-identity', 'broken']);
    expect(status(report)['pod-identity']).toBe('fail');
  });
});

/** One cluster with a Pod Identity association whose role's trust is given. */
function podIdentityInventory(trustStatements: unknown[], readable = true): Inventory {
  const account = '111122223333';
  const issuer = 'https://oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789';
  return loadInventory(
    {
      schemaVersion: 1,
      accounts: [
        {
          accountId: account,
          oidcProviders: [],
          roles: [
            {
              arn: `arn:aws:iam::${account}:role/pi`,
              trustPolicy: { Version: '2012-10-17', Statement: trustStatements },
              attachedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
              inlinePolicyNames: [],
            },
          ],
          clusters: [
            {
              name: 'c1',
              region: 'us-west-2',
              oidcIssuer: issuer,
              podIdentityAssociations: [
                {
                  namespace: 'app',
                  serviceAccount: 'api',
                  roleArn: `arn:aws:iam::${account}:role/pi`,
                  associationId: 'a-1',
                },
              ],
              kubernetes: readable ? { status: 'ok' } : { status: 'unreachable', reason: 'timeout' },
              serviceAccounts: readable ? [{ namespace: 'app', name: 'api', annotations: {} }] : [],
              pods: readable
                ? [
                    {
                      namespace: 'app',
                      name: 'api-1',
                      serviceAccountName: 'api',
                      phase: 'Running',
                      containers: [
                        {
                          name: 'api',
                          env: [
                            {
                              name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
                              value: 'http://169.254.170.23/v1/credentials',
                            },
                          ],
                        },
                      ],
                    },
                  ]
                : [],
            },
          ],
          errors: [],
        },
      ],
    },
    'pod-identity.json',
  );
}

const ALLOW = {
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
};

describe('Pod Identity trust', () => {
  it('honours a Deny statement, as podidentity.trust-missing does', () => {
    const denied = podIdentityInventory([
      ALLOW,
      { Effect: 'Deny', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:TagSession' },
    ]);
    const report = explainServiceAccount(denied, { cluster: 'c1', namespace: 'app', serviceAccount: 'api' });

    expect(report.verdict).toBe('broken');
    const step = report.steps.find((s) => s.id === 'pod-identity')!;
    expect(step.status).toBe('fail');
    expect(step.findings.map((f) => f.checkId)).toEqual(['podidentity.trust-missing']);
    expect(runChecks(denied, CHECKS).findings.map((f) => f.checkId)).toContain('podidentity.trust-missing');
  });

  it('works with the documented trust', () => {
    const report = explainServiceAccount(podIdentityInventory([ALLOW]), {
      cluster: 'c1',
      namespace: 'app',
      serviceAccount: 'api',
    });
    expect([report.mechanism.effective, report.verdict]).toEqual(['pod-identity', 'works']);
  });

  it('is unknown, never pass, when the cluster was not read', () => {
    const report = explainServiceAccount(podIdentityInventory([ALLOW], false), {
      cluster: 'c1',
      namespace: 'app',
      serviceAccount: 'api',
    });
    expect(report.verdict).toBe('unknown');
    expect(report.mechanism.runningPods).toBeUndefined();
    expect(status(report)).toMatchObject({ 'service-account': 'unknown', 'test-pod': 'unknown' });
  });
});

describe('a part that was not read shows `?`, never a pass or n/a', () => {
  const withErrors = (errors: Inventory['accounts'][number]['errors'], accountId?: string): Inventory => {
    const copy = structuredClone(demo);
    const cluster = copy.accounts.flatMap((account) => account.clusters).find((c) => c.name === 'prod-use1')!;
    const owner = copy.accounts.find((account) => account.clusters.includes(cluster))!;
    const target = accountId ? copy.accounts.find((account) => account.accountId === accountId)! : owner;
    target.errors.push(
      ...errors.map((error) =>
        error.scope === 'cluster' ? { ...error, cluster: 'prod-use1', region: cluster.region } : error,
      ),
    );
    return copy;
  };

  it('Pod Identity associations not listed: the pod-identity step is `?` with the error', () => {
    const inventory = withErrors([
      {
        scope: 'cluster',
        region: '',
        cluster: '',
        parts: ['pod-identity'],
        code: 'Throttled',
        message: 'Rate exceeded',
      },
    ]);
    const report = explainServiceAccount(inventory, {
      cluster: 'prod-use1',
      namespace: 'kube-system',
      serviceAccount: 'aws-node',
    });
    expect(status(report)['pod-identity']).toBe('unknown');
    expect(report.notRead.map((gap) => gap.part)).toEqual(['pod-identity']);
    expect(report.steps.find((step) => step.id === 'pod-identity')?.evidence.join(' ')).toContain(
      'Throttled',
    );
  });

  it('OIDC providers of the role account not listed: the oidc-provider step is `?`', () => {
    const inventory = withErrors([
      {
        scope: 'account',
        parts: ['oidc-providers'],
        code: 'AccessDenied',
        message: 'iam:ListOpenIDConnectProviders denied',
      },
    ]);
    const report = explainServiceAccount(inventory, {
      cluster: 'prod-use1',
      namespace: 'kube-system',
      serviceAccount: 'aws-node',
    });
    expect(status(report)['oidc-provider']).toBe('unknown');
    expect(report.notRead.map((gap) => gap.part)).toEqual(['oidc-providers']);
  });
});
