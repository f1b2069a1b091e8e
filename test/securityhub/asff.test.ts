import type { AsffFinding } from '../../lambda/securityhub/asff';
import { asffFinding, asffId, productArn } from '../../lambda/securityhub/asff';
import { demoScan } from '../report/export/demo-scan';

const target = { accountId: '999988887777', region: 'eu-west-1' };
const now = '2026-12-06T02:00:00.000Z';
const DOCS = 'https://example.test/docs/checks.md';

const roleFinding: AsffFinding = {
  checkId: 'trust.sub-unrestricted',
  severity: 'critical',
  title: 'Trust policy has no sub condition',
  message: 'Any service account of cluster prod can assume arn:aws:iam::111122223333:role/app.',
  resource: { accountId: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/app', statement: 0 },
  remediation: 'Restrict the statement to the service accounts that use the role.',
  commands: ['irsa-audit fix 0123abcd --out .'],
  guideStep: 'trust-policy',
  fingerprint: '0123abcd',
  firstSeen: '2026-12-01T02:00:00.000Z',
  lastSeen: '2026-12-05T02:00:00.000Z',
};

describe('ASFF', () => {
  it('builds the exact ASFF of a role finding', () => {
    expect(asffFinding(roleFinding, { target, now, checksDocUrl: DOCS })).toEqual({
      SchemaVersion: '2018-10-08',
      Id: 'irsa-auditor/0123abcd',
      ProductArn: 'arn:aws:securityhub:eu-west-1:999988887777:product/999988887777/default',
      GeneratorId: 'trust.sub-unrestricted',
      AwsAccountId: '999988887777',
      Types: [
        'Software and Configuration Checks/AWS Security Best Practices/EKS IAM Roles for Service Accounts',
      ],
      CreatedAt: '2026-12-01T02:00:00.000Z',
      UpdatedAt: now,
      FirstObservedAt: '2026-12-01T02:00:00.000Z',
      LastObservedAt: '2026-12-05T02:00:00.000Z',
      Severity: { Label: 'CRITICAL', Original: 'critical' },
      FindingProviderFields: {
        Severity: { Label: 'CRITICAL', Original: 'critical' },
        Types: [
          'Software and Configuration Checks/AWS Security Best Practices/EKS IAM Roles for Service Accounts',
        ],
      },
      Title: 'trust.sub-unrestricted: Trust policy has no sub condition',
      Description: 'Any service account of cluster prod can assume arn:aws:iam::111122223333:role/app.',
      Remediation: {
        Recommendation: {
          Text: 'Restrict the statement to the service accounts that use the role.\nirsa-audit fix 0123abcd --out .',
          Url: 'https://example.test/docs/checks.md#trustsub-unrestricted',
        },
      },
      ProductFields: {
        'irsa-auditor/checkId': 'trust.sub-unrestricted',
        'irsa-auditor/fingerprint': '0123abcd',
        'irsa-auditor/severity': 'critical',
        'irsa-auditor/accountId': '111122223333',
        'irsa-auditor/guideStep': 'trust-policy',
      },
      Resources: [
        {
          Type: 'AwsIamRole',
          Id: 'arn:aws:iam::111122223333:role/app',
          Partition: 'aws',
          Region: 'eu-west-1',
          Details: { AwsIamRole: { RoleName: 'app' } },
        },
      ],
      Workflow: { Status: 'NEW' },
      RecordState: 'ACTIVE',
    });
  });

  it('builds the exact resources of a service-account finding: the service account, its role, its cluster', () => {
    const finding = asffFinding(
      {
        ...roleFinding,
        checkId: 'sa.role-untrusted',
        severity: 'high',
        resource: {
          accountId: '111122223333',
          region: 'us-west-2',
          cluster: 'prod',
          namespace: 'payments',
          serviceAccount: 'api',
          roleArn: 'arn:aws:iam::111122223333:role/app',
        },
        firstSeen: undefined,
        lastSeen: undefined,
      },
      { target, now },
    );
    expect(finding.CreatedAt).toBe(now);
    expect(finding.FirstObservedAt).toBeUndefined();
    expect(finding.Remediation?.Recommendation?.Url).toBeUndefined();
    expect(finding.Resources).toEqual([
      {
        Type: 'Other',
        Id: '111122223333/us-west-2/prod/payments/api',
        Partition: 'aws',
        Region: 'us-west-2',
        Details: {
          Other: {
            accountId: '111122223333',
            cluster: 'prod',
            region: 'us-west-2',
            namespace: 'payments',
            serviceAccount: 'api',
          },
        },
      },
      {
        Type: 'AwsIamRole',
        Id: 'arn:aws:iam::111122223333:role/app',
        Partition: 'aws',
        Region: 'eu-west-1',
        Details: { AwsIamRole: { RoleName: 'app' } },
      },
      {
        Type: 'AwsEksCluster',
        Id: 'arn:aws:eks:us-west-2:111122223333:cluster/prod',
        Partition: 'aws',
        Region: 'us-west-2',
        Details: { AwsEksCluster: { Name: 'prod', Arn: 'arn:aws:eks:us-west-2:111122223333:cluster/prod' } },
      },
    ]);
  });

  it('uses the partition of the ARNs and of the Region (GovCloud, China)', () => {
    expect(productArn({ accountId: '111122223333', region: 'us-gov-west-1' })).toBe(
      'arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default',
    );
    const cn = asffFinding(
      {
        ...roleFinding,
        resource: { accountId: '111122223333', roleArn: 'arn:aws-cn:iam::111122223333:role/app' },
      },
      { target: { accountId: '111122223333', region: 'cn-north-1' }, now },
    );
    expect(cn.Resources?.[0]?.Partition).toBe('aws-cn');
  });

  it('keeps every demo finding within the API limits', () => {
    for (const finding of demoScan().findings) {
      const asff = asffFinding(finding, { target, now, checksDocUrl: DOCS });
      expect(asff.Id).toBe(asffId(finding.fingerprint));
      expect(asff.Title!.length).toBeLessThanOrEqual(256);
      expect(asff.Description!.length).toBeLessThanOrEqual(1024);
      expect(asff.Description!.length).toBeGreaterThan(0);
      expect(asff.Remediation!.Recommendation!.Text!.length).toBeLessThanOrEqual(512);
      // The importing account: Security Hub refuses a default-product finding naming another one.
      expect(asff.AwsAccountId).toBe(target.accountId);
      expect(asff.ProductFields!['irsa-auditor/accountId']).toBe(finding.resource.accountId);
      expect(asff.Resources!.length).toBeGreaterThan(0);
      expect(asff.Resources!.length).toBeLessThanOrEqual(32);
      for (const resource of asff.Resources!) {
        expect(['AwsIamRole', 'AwsEksCluster', 'Other', 'AwsAccount']).toContain(resource.Type);
      }
    }
  });

  it('cuts long text with an ellipsis instead of being refused', () => {
    const asff = asffFinding({ ...roleFinding, message: 'x'.repeat(5_000) }, { target, now });
    expect(asff.Description).toHaveLength(1024);
    expect(asff.Description!.endsWith('…')).toBe(true);
  });
});
