/**
 * The engine on random inventories (roles with hostile trust policies, providers, clusters with
 * service accounts and pods carrying random annotations and env, coverage errors, unreachable
 * clusters): it never throws and no check errors; every role is either evaluated or reported
 * indeterminate; every finding is complete with a 16-hex fingerprint; the output is deterministic.
 */
import fc from 'fast-check';
import { generateOrgText } from '../../bench/generate-org';
import { looksEksLike } from '../../lambda/core/arn';
import { CHECKS } from '../../lambda/core/checks/index';
import { buildContext } from '../../lambda/core/context';
import { runChecks } from '../../lambda/core/engine';
import type { Finding } from '../../lambda/core/findings';
import { decodeTrustPolicy } from '../../lambda/core/inventory/trust-policy';
import { ANNOTATION_AUDIENCE, DEFAULT_AUDIENCE, type Inventory, SEVERITIES } from '../../lambda/core/model';
import { evaluateWebIdentity } from '../../lambda/core/policy/evaluate';
import { ISSUERS, inventory } from './arbitraries';

const CHECK_IDS = new Set(CHECKS.map((check) => check.id));
const PROBE_SUBJECTS = ['system:serviceaccount:default:app', 'system:serviceaccount:team-a:sa-1'];

/** Plain assertion: jest's `expect` costs too much per call inside hundreds of property runs. */
function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

function assertWellFormed(findings: Finding[]): void {
  const fingerprints = new Set<string>();
  for (const finding of findings) {
    const what = () => `finding ${JSON.stringify(finding).slice(0, 500)}`;
    check(CHECK_IDS.has(finding.checkId), () => `unknown check id in ${what()}`);
    check(SEVERITIES.includes(finding.severity), () => `bad severity in ${what()}`);
    for (const text of [finding.title, finding.message, finding.remediation]) {
      check(
        typeof text === 'string' && text.length > 0,
        () => `empty title/message/remediation in ${what()}`,
      );
    }
    check(typeof finding.resource?.accountId === 'string', () => `no resource.accountId in ${what()}`);
    check(
      finding.guideStep === undefined || typeof finding.guideStep === 'string',
      () => `bad guideStep in ${what()}`,
    );
    check(/^[0-9a-f]{16}$/.test(finding.fingerprint), () => `bad fingerprint in ${what()}`);
    check(!fingerprints.has(finding.fingerprint), () => `duplicate fingerprint in ${what()}`);
    fingerprints.add(finding.fingerprint);
    // Evidence must survive the JSON round trip into DynamoDB / notifications.
    JSON.stringify(finding);
  }
}

/**
 * Every role is evaluated or reported: whenever the evaluator cannot decide a token of an audited
 * cluster (or a probe token of a trusted issuer), a trust.indeterminate finding names the role; every
 * denied annotated service account has a sa.role-untrusted finding.
 */
function assertEvaluatedOrReported(document: Inventory, findings: Finding[]): void {
  const ctx = buildContext(document.accounts);
  const reported = (checkId: string, match: (finding: Finding) => boolean) =>
    findings.some((finding) => finding.checkId === checkId && match(finding));
  // Tokens come from EKS clusters: their issuers look like EKS issuers (a cluster whose inventory
  // issuer is random text is not a token source the trust checks can recognise).
  const issuers = new Set<string>(ISSUERS);
  for (const cluster of ctx.clusters)
    if (cluster.issuer && looksEksLike(cluster.issuer)) issuers.add(cluster.issuer);

  for (const role of ctx.roles) {
    const indeterminateReported = reported(
      'trust.indeterminate',
      (finding) => finding.resource.roleArn === role.role.arn,
    );
    if (role.trust.policy.issues.length > 0) {
      check(indeterminateReported, () => `${role.role.arn}: unreadable trust policy not reported`);
      continue;
    }
    for (const issuer of issuers) {
      for (const sub of PROBE_SUBJECTS) {
        const decision = evaluateWebIdentity(role.trust.policy, role, { issuer, sub, aud: DEFAULT_AUDIENCE });
        if (decision.verdict === 'indeterminate' && !indeterminateReported) {
          throw new Error(
            `${role.role.arn}: undecidable for ${issuer} / ${sub} (${decision.reason}) but no trust.indeterminate finding`,
          );
        }
      }
    }
  }

  for (const cluster of ctx.clusters) {
    if (!cluster.readable || !cluster.issuer) continue;
    for (const sa of cluster.serviceAccounts.values()) {
      const role = sa.roleArn ? ctx.rolesByArn.get(sa.roleArn) : undefined;
      if (!role) continue;
      const aud = sa.serviceAccount.annotations[ANNOTATION_AUDIENCE] || DEFAULT_AUDIENCE;
      const decision = evaluateWebIdentity(role.trust.policy, role, {
        issuer: cluster.issuer,
        sub: sa.subject,
        aud,
      });
      if (decision.verdict === 'deny' && sa.association) {
        // New pods use the association instead (docs/irsa-semantics.md §4.3): sa.irsa-and-pod-identity speaks for
        // it, and sa.role-untrusted only while some pod still carries the IRSA variables.
        const found = reported(
          'sa.irsa-and-pod-identity',
          (finding) =>
            finding.resource.accountId === cluster.account.accountId &&
            finding.resource.cluster === cluster.cluster.name &&
            finding.resource.namespace === sa.serviceAccount.namespace &&
            finding.resource.serviceAccount === sa.serviceAccount.name,
        );
        if (!found)
          throw new Error(`${sa.subject} is denied by ${role.role.arn} and associated, but not reported`);
      } else if (decision.verdict === 'deny') {
        const found = reported(
          'sa.role-untrusted',
          (finding) =>
            finding.resource.accountId === cluster.account.accountId &&
            finding.resource.cluster === cluster.cluster.name &&
            finding.resource.region === cluster.cluster.region &&
            finding.resource.namespace === sa.serviceAccount.namespace &&
            finding.resource.serviceAccount === sa.serviceAccount.name,
        );
        if (!found) throw new Error(`${sa.subject} is denied by ${role.role.arn} but not reported`);
      }
      if (decision.verdict === 'indeterminate') {
        expect(reported('trust.indeterminate', (finding) => finding.resource.roleArn === role.role.arn)).toBe(
          true,
        );
      }
    }
  }
}

describe('runChecks on random inventories', () => {
  it('never throws, reports every role, and is deterministic', () => {
    fc.assert(
      fc.property(inventory, (document) => {
        const first = runChecks(structuredClone(document), CHECKS);
        expect(first.checkErrors).toEqual([]);
        assertWellFormed(first.findings);
        assertEvaluatedOrReported(document, first.findings);

        const second = runChecks(structuredClone(document), CHECKS);
        expect(second.findings.map((finding) => finding.fingerprint)).toEqual(
          first.findings.map((finding) => finding.fingerprint),
        );
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
      }),
      { numRuns: 300 },
    );
  });

  it('stays fast on huge names, subjects, ARNs and annotation values', () => {
    const big = (seed: string, length = 60_000) =>
      seed.repeat(Math.ceil(length / seed.length)).slice(0, length);
    const accountId = '111122223333';
    const issuer = ISSUERS[0];
    const roleArn = `arn:aws:iam::${accountId}:role/${big('r')}`;
    const namespace = big('n', 20_000);
    const name = big('s', 60_000);
    const subjects = [
      `system:serviceaccount:${big('m', 20_000)}:${big('t', 60_000)}`,
      `system:serviceaccount:${namespace}:x`,
    ];
    const document: Inventory = {
      schemaVersion: 1,
      accounts: [
        {
          accountId,
          oidcProviders: [
            { arn: `arn:aws:iam::${accountId}:oidc-provider/${issuer}`, url: issuer, clientIds: [big('c')] },
          ],
          roles: [
            {
              arn: roleArn,
              trustPolicy: {
                kind: 'parsed',
                document: {
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Effect: 'Allow',
                      Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/${issuer}` },
                      Action: 'sts:AssumeRoleWithWebIdentity',
                      Condition: {
                        StringEquals: { [`${issuer}:sub`]: subjects, [`${issuer}:aud`]: big('a') },
                        StringLike: { [`${issuer}:sub`]: [`${big('*?')}x`, big('system:serviceaccount:*')] },
                      },
                    },
                  ],
                },
              },
              attachedPolicyArns: [],
              inlinePolicyNames: [],
            },
            {
              arn: `${roleArn}x`,
              trustPolicy: decodeTrustPolicy(big('%7B')),
              attachedPolicyArns: [],
              inlinePolicyNames: [],
            },
          ],
          clusters: [
            {
              name: big('c'),
              region: 'us-west-2',
              oidcIssuer: `https://${issuer}`,
              podIdentityAssociations: [{ namespace, serviceAccount: big('p'), roleArn: `${roleArn}y` }],
              kubernetes: { status: 'ok' },
              serviceAccounts: [
                {
                  namespace,
                  name,
                  annotations: {
                    'eks.amazonaws.com/role-arn': roleArn,
                    'eks.amazonaws.com/audience': big('v'),
                  },
                },
                {
                  namespace: big('o', 20_000),
                  name,
                  annotations: { 'eks.amazonaws.com/role-arn': `${roleArn}z` },
                },
                { namespace, name: `${name}q`, annotations: { [big('eks.amazon.com/role-arn')]: roleArn } },
              ],
              pods: [
                {
                  namespace,
                  name: big('pod'),
                  serviceAccountName: name,
                  owner: { kind: 'ReplicaSet', name: big('w') },
                  containers: [{ name: big('k'), env: [{ name: 'AWS_ROLE_ARN', value: big('arn:') }] }],
                },
              ],
            },
          ],
          errors: [],
        },
      ],
    };
    const started = performance.now();
    const result = runChecks(document, CHECKS);
    expect(result.checkErrors).toEqual([]);
    assertWellFormed(result.findings);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('holds on a realistic generated organization too', () => {
    const text = generateOrgText({ roles: 2_000, serviceAccounts: 1_000, pods: 3_000, seed: 7 });
    const document = JSON.parse(text) as Inventory;
    const first = runChecks(JSON.parse(text) as Inventory, CHECKS);
    expect(first.checkErrors).toEqual([]);
    expect(first.summary.roles).toBe(2_000);
    expect(first.summary.serviceAccounts).toBe(1_000);
    expect(first.summary.pods).toBe(3_000);
    assertWellFormed(first.findings);
    assertEvaluatedOrReported(document, first.findings);
    expect(JSON.stringify(runChecks(JSON.parse(text) as Inventory, CHECKS))).toBe(JSON.stringify(first));
  });
});
