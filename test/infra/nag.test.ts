/**
 * cdk-nag AwsSolutions over the whole app: nothing unacknowledged, every acknowledgement on one
 * resource, with a reason, and matching a finding that really occurs (no stale or blanket ones).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { BASE_CONTEXT, synth } from './helpers';

const FULL_CONTEXT = {
  ...BASE_CONTEXT,
  notifyEmails: 'secops@example.com',
  slackWorkspaceId: 'T0123ABCDE',
  slackChannelId: 'C0123ABCDE',
  externalId: 'irsa-auditor-2026',
  memberRoleStack: 'true',
  auditRoleArn: 'arn:aws:iam::111122223333:role/IrsaAuditor-AuditFunctionRole-AbCdEf',
};

const EXPORTS_CONTEXT = { ...BASE_CONTEXT, securityHub: 'true', reportBucket: 'create' };

const suppressionsDir = mkdtempSync(join(tmpdir(), 'irsa-nag-'));
afterAll(() => rmSync(suppressionsDir, { recursive: true, force: true }));
const suppressionsFile = join(suppressionsDir, 'accepted.yaml');
writeFileSync(
  suppressionsFile,
  `version: 1\nsuppressions:\n  - fingerprint: 0123456789abcdef\n    reason: accepted\n    owner: security\n    expires: ${new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)}\n`,
);

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
  construct: IConstruct;
}

function acknowledgements(app: App): Acknowledgement[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
          construct,
        })),
      ),
  );
}

/** All findings as if nothing were acknowledged. */
function rawFindings(app: App): { ruleName: string; path: string | undefined }[] {
  const checks = new AwsSolutionsChecks();
  (checks as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return checks.validateScope(app).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      ruleName: violation.ruleName,
      path: resource.constructPath,
    })),
  );
}

describe.each([
  ['the default configuration', BASE_CONTEXT],
  ['every optional resource (Slack, e-mail, external id, management-account stack)', FULL_CONTEXT],
  ['no context at all (fresh clone)', {}],
  ['Security Hub and a report bucket the stack creates', EXPORTS_CONTEXT],
  ['the distributed mode (scale=distributed)', { ...BASE_CONTEXT, scale: 'distributed' }],
  [
    'the distributed mode with Security Hub, a report bucket the stack creates and a suppressions file',
    { ...EXPORTS_CONTEXT, scale: 'distributed', suppressionsFile },
  ],
  [
    'the distributed mode with a report bucket the operator names',
    { ...BASE_CONTEXT, scale: 'distributed', reportBucket: 'org-audit-reports' },
  ],
])('cdk-nag AwsSolutions with %s', (_name, context) => {
  let app: App;
  beforeAll(() => {
    app = synth(context).app;
  });

  it('reports no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(app);

    expect(
      report.violations.map(
        (violation) => `${violation.ruleName} ${violation.violatingResources[0]?.constructPath}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('lets the synthesis (with the validation plugin) succeed', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('acknowledges narrowly: per resource, per finding, with a reason', () => {
    const acks = acknowledgements(app);

    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(Stack.isStack(ack.construct) || Stage.isStage(ack.construct)).toBe(false);
      expect(ack.reason.length).toBeGreaterThanOrEqual(40);
      if (ack.id.startsWith('AwsSolutions-IAM5'))
        expect(ack.id).toMatch(/^AwsSolutions-IAM5\[(Resource|Action)::.+\]$/);
    }
  });

  it('acknowledges only findings that really occur on that resource', () => {
    const findings = rawFindings(app);

    const stale = acknowledgements(app)
      .filter(
        (ack) =>
          !findings.some(
            (finding) =>
              finding.ruleName === ack.id &&
              (finding.path === ack.path || (finding.path ?? '').startsWith(`${ack.path}/`)),
          ),
      )
      .map((ack) => `${ack.path} ${ack.id}`);
    expect(stale).toEqual([]);
  });
});

it('lists the accepted findings (kept in docs/deployment.md)', () => {
  const acks = acknowledgements(synth(FULL_CONTEXT).app).map(
    (ack) => `${ack.path.replace(/\/Resource$/, '')} ${ack.id}`,
  );

  expect(acks.sort()).toEqual([
    'IrsaAuditor/AuditAccountMemberRole AwsSolutions-IAM5[Resource::*]',
    'IrsaAuditor/AuditAccountMemberRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:cluster/*]',
    'IrsaAuditor/AuditAccountMemberRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:podidentityassociation/*]',
    'IrsaAuditor/AuditAccountMemberRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:oidc-provider/*]',
    'IrsaAuditor/AuditFunction AwsSolutions-L1',
    'IrsaAuditor/AuditFunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
    'IrsaAuditor/AuditFunctionRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/IrsaAuditorMemberRole]',
    'IrsaAuditor/FailedRunQueue AwsSolutions-SQS3',
    'IrsaAuditor/ScheduleDeadLetterQueue AwsSolutions-SQS3',
    expect.stringMatching(
      /^IrsaAuditor\/ScheduleRole\/DefaultPolicy AwsSolutions-IAM5\[Resource::<AuditFunction[0-9A-F]{8}\.Arn>:\*\]$/,
    ),
    'IrsaAuditorMemberRole/MemberRole AwsSolutions-IAM5[Resource::*]',
    'IrsaAuditorMemberRole/MemberRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:cluster/*]',
    'IrsaAuditorMemberRole/MemberRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:podidentityassociation/*]',
    'IrsaAuditorMemberRole/MemberRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:oidc-provider/*]',
  ]);
});
