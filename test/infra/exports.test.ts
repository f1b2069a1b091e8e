/** The audit stack with Security Hub import and the report bucket (docs/deployment.md §14). */
import { Match } from 'aws-cdk-lib/assertions';
import { EXPORTS_FAILED_METRIC, SERVICE_NAME } from '../../infra/audit-stack';
import { ENV } from '../../lambda/settings/settings';
import { BASE_CONTEXT, logicalId, properties, ref, synth } from './helpers';

function functionStatements(context: Record<string, unknown>) {
  const { template } = synth(context);
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: { Sid?: string }[] } } }).Properties
        .PolicyDocument.Statement,
  );
}

function environment(context: Record<string, unknown>): Record<string, unknown> {
  const { template } = synth(context);
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((resource) =>
    JSON.stringify(resource).includes('nightly organization-wide'),
  ) as { Properties: { Environment: { Variables: Record<string, unknown> } } };
  return fn.Properties.Environment.Variables;
}

describe('Security Hub import', () => {
  it('is off by default: no permission, no variable', () => {
    expect(functionStatements(BASE_CONTEXT).map((s) => s.Sid)).not.toContain(
      'ImportFindingsToDefaultProduct',
    );
    expect(environment(BASE_CONTEXT)[ENV.securityHub]).toBeUndefined();
  });

  it('-c securityHub=true: BatchImportFindings on the default product only, workflow on the hub only', () => {
    const context = { ...BASE_CONTEXT, securityHub: 'true' };
    const statements = functionStatements(context) as {
      Sid?: string;
      Action: unknown;
      Resource: unknown;
    }[];
    const importing = statements.find((s) => s.Sid === 'ImportFindingsToDefaultProduct')!;
    expect(importing.Action).toBe('securityhub:BatchImportFindings');
    expect(JSON.stringify(importing.Resource)).toMatch(/:securityhub:.*:product\/.*\/default/);
    const workflow = statements.find((s) => s.Sid === 'SetWorkflowOfImportedFindings')!;
    expect(workflow.Action).toBe('securityhub:BatchUpdateFindings');
    expect(JSON.stringify(workflow.Resource)).toMatch(/:hub\/default/);
    expect(environment(context)[ENV.securityHub]).toBe('true');
  });
});

describe('the report bucket', () => {
  it('-c reportBucket=create: a private, encrypted, TLS-only bucket with expiring run reports', () => {
    const context = { ...BASE_CONTEXT, reportBucket: 'create', reportRetentionDays: '30' };
    const { template } = synth(context);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'irsa-audit/runs/', ExpirationInDays: 30 })]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const env = environment(context);
    expect(env[ENV.reportBucket]).toEqual({ Ref: expect.any(String) });
    expect(env[ENV.reportPrefix]).toBe('irsa-audit/');
  });

  it('-c reportBucket=<name>: only PutObject under the prefix of that bucket', () => {
    const context = { ...BASE_CONTEXT, reportBucket: 'org-audit-reports' };
    const statements = functionStatements(context) as { Sid?: string; Action: unknown; Resource: unknown }[];
    const write = statements.find((s) => s.Sid === 'WriteRunReports')!;
    expect(write.Action).toBe('s3:PutObject');
    expect(JSON.stringify(write.Resource)).toContain(':s3:::org-audit-reports/irsa-audit/*');
    expect(environment(context)[ENV.reportBucket]).toBe('org-audit-reports');
    expect(synth(context).template.findResources('AWS::S3::Bucket')).toEqual({});
  });

  it('refuses a bucket name S3 would refuse, at synth', () => {
    expect(() => synth({ ...BASE_CONTEXT, reportBucket: 'Not_A_Bucket' })).toThrow(/reportBucket/);
  });
});

describe('the exports-failed alarm', () => {
  const alarmsNamed = (context: Record<string, unknown>) =>
    Object.values(synth(context).template.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => alarm.Properties.AlarmName === 'IrsaAuditor-exports-failed',
    );

  it('is absent by default: without exporters the pipeline emits no ExportsFailed', () => {
    expect(alarmsNamed(BASE_CONTEXT)).toEqual([]);
  });

  it.each([
    ['securityHub=true', { securityHub: 'true' }],
    ['reportBucket=create', { reportBucket: 'create' }],
    ['reportBucket=<name>', { reportBucket: 'org-audit-reports' }],
  ])('-c %s: fires on ExportsFailed ≥ 1, to the alarm topic', (_label, extra) => {
    const context = { ...BASE_CONTEXT, ...extra };
    const [alarm] = alarmsNamed(context);
    expect(alarm?.Properties).toMatchObject({
      MetricName: EXPORTS_FAILED_METRIC,
      Namespace: 'IrsaAuditor',
      Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    const alarmTopic = logicalId(synth(context).template, 'AWS::SNS::Topic', 'AlarmTopic');
    expect(alarm?.Properties.AlarmActions).toEqual([ref(alarmTopic)]);
  });

  it('watches what the evaluate step emits in the distributed mode (its namespace and service)', () => {
    const context = { ...BASE_CONTEXT, scale: 'distributed', securityHub: 'true' };
    const [alarm] = alarmsNamed(context);
    const evaluate = properties(synth(context).template, 'AWS::Lambda::Function', 'DistributedEvaluate')
      .Environment as { Variables: Record<string, unknown> };
    expect(alarm?.Properties).toMatchObject({
      MetricName: EXPORTS_FAILED_METRIC,
      Namespace: evaluate.Variables.POWERTOOLS_METRICS_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: evaluate.Variables.POWERTOOLS_SERVICE_NAME }],
    });
  });
});
