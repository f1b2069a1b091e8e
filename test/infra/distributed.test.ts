/**
 * `-c scale=distributed` (infra/distributed.ts): the synthesized state machine (Amazon States Language)
 * and the IAM of each step and of the state machine's role. The default stays the single Lambda.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssetStaging } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ENV } from '../../lambda/settings/settings';
import { BASE_CONTEXT, logicalId, properties, synth } from './helpers';

const DISTRIBUTED = {
  ...BASE_CONTEXT,
  scale: 'distributed',
  mapBatchSize: '20',
  mapMaxConcurrency: '64',
  mapToleratedFailurePercentage: '5',
};

type State = Record<string, unknown> & { Type: string; Next?: string; End?: boolean };

/** The state machine's definition, with CloudFormation references rendered as `<Ref>` / `<Id.Attr>`. */
function definition(template: Template): {
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
} {
  const body = properties(template, 'AWS::StepFunctions::StateMachine', 'DistributedStateMachine')
    .DefinitionString as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as { Ref?: string }).Ref;
      if (ref) return `<${ref}>`;
      const attr = (part as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
      return attr ? `<${attr.join('.')}>` : '<token>';
    })
    .join('');
  return JSON.parse(text);
}

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** The statements of a role's default policy, by role logical-id prefix. */
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const role = logicalId(template, 'AWS::IAM::Role', rolePrefix);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: role }]) },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

const actions = (statements: Statement[]) =>
  [...new Set(statements.flatMap((statement) => [statement.Action].flat()))].sort();

describe('scale=distributed', () => {
  const { template } = synth(DISTRIBUTED);
  const asl = definition(template);
  // biome-ignore lint/suspicious/noExplicitAny: Amazon States Language JSON, asserted field by field
  const map = asl.States.CollectAccounts as State & Record<string, any>;

  it('starts the Standard state machine from the nightly schedule, not the function', () => {
    const machine = logicalId(template, 'AWS::StepFunctions::StateMachine', 'DistributedStateMachine');
    expect(properties(template, 'AWS::StepFunctions::StateMachine', 'DistributedStateMachine')).toMatchObject(
      {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      },
    );
    const schedule = properties(template, 'AWS::Scheduler::Schedule', 'NightlySchedule');
    expect(schedule.Target).toMatchObject({ Arn: { Ref: machine } });
    expect(asl.TimeoutSeconds).toBe(3 * 3600);
  });

  it('plans, then skips when the lock is held, else maps and evaluates', () => {
    expect(asl.StartAt).toBe('PlanRun');
    expect(asl.States.PlanRun).toMatchObject({ Type: 'Task', Next: 'Planned' });
    expect(asl.States.Planned).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.status', StringEquals: 'planned', Next: 'CollectAccounts' }],
      Default: 'SkippedLockHeld',
    });
    expect(map.Next).toBe('EvaluateRun');
    expect(asl.States.EvaluateRun).toMatchObject({ Type: 'Task', End: true });
  });

  it('collects with a Distributed Map: S3 item reader, batches, concurrency, tolerated failures, result writer', () => {
    expect(map).toMatchObject({
      Type: 'Map',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'CollectBatch',
      },
      ItemReader: {
        Resource: expect.stringContaining(':states:::s3:getObject'),
        ReaderConfig: { InputType: 'JSON' },
        Parameters: {
          Bucket: expect.stringMatching(/^<DistributedArtifactBucket/),
          'Key.$': '$.accountListKey',
        },
      },
      ItemBatcher: {
        MaxItemsPerBatch: 20,
        MaxInputBytesPerBatch: 131072,
        BatchInput: { 'runId.$': '$.runId' },
      },
      MaxConcurrency: 64,
      ToleratedFailurePercentage: 5,
      ResultWriter: {
        Resource: expect.stringContaining(':states:::s3:putObject'),
        Parameters: {
          Bucket: expect.stringMatching(/^<DistributedArtifactBucket/),
          Prefix: 'irsa-audit/map-results',
        },
      },
      ResultPath: null,
    });
  });

  it('retries every Lambda step on Lambda throttling with backoff and jitter', () => {
    const states = { ...asl.States, ...map.ItemProcessor.States } as Record<string, State>;
    for (const name of ['PlanRun', 'CollectBatch', 'EvaluateRun', 'RecordFailure']) {
      expect(states[name].Retry).toEqual([
        {
          ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException', 'Lambda.ServiceException']),
          IntervalSeconds: 2,
          BackoffRate: 2,
          MaxAttempts: 6,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        },
      ]);
    }
  });

  it('catches a failed map or evaluate into the failure handler, which records the run, then fails', () => {
    expect(map.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'CollectAccountsFailed' },
    ]);
    expect(asl.States.EvaluateRun.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'EvaluateFailed' },
    ]);
    expect(asl.States.CollectAccountsFailed).toMatchObject({
      Type: 'Pass',
      Result: 'CollectAccounts',
      ResultPath: '$.failedStep',
      Next: 'RecordFailure',
    });
    expect(asl.States.RecordFailure).toMatchObject({ Type: 'Task', Next: 'RunFailed' });
    expect(asl.States.RunFailed).toMatchObject({ Type: 'Fail' });
    // A failed plan cleaned up after itself (or, on an invalid suppressions file, took no lock and
    // wrote nothing): straight to Fail, which fails the execution (the failed-run alarm counts it).
    expect(asl.States.PlanRun.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'PlanFailed' },
    ]);
    expect(asl.States.PlanFailed).toMatchObject({ Type: 'Fail', Error: 'PlanFailed' });
  });

  it('keeps the run artifacts in a KMS-encrypted, private, TLS-only bucket that expires them', () => {
    const bucket = properties(template, 'AWS::S3::Bucket', 'DistributedArtifactBucket');
    expect(bucket).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ ExpirationInDays: 7, Status: 'Enabled' })],
      },
    });
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0] as {
      Properties: { PolicyDocument: { Statement: Statement[] } };
    };
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('sizes each step: collect children with memoryMb, evaluate with evaluateMemoryMb', () => {
    const memory = (t: Template, prefix: string) =>
      properties(t, 'AWS::Lambda::Function', prefix).MemorySize as number;
    expect(memory(template, 'DistributedCollect')).toBe(1769);
    expect(memory(template, 'DistributedEvaluate')).toBe(4096);
    const sized = synth({ ...DISTRIBUTED, memoryMb: '1024', evaluateMemoryMb: '8192' }).template;
    expect(memory(sized, 'DistributedCollect')).toBe(1024);
    expect(memory(sized, 'DistributedEvaluate')).toBe(8192);
  });

  it('gives each step only what it does', () => {
    expect(actions(statementsOf(template, 'DistributedPlanRole'))).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'organizations:DescribeOrganization',
      'organizations:ListAccounts',
      'organizations:ListAccountsForParent',
      'organizations:ListOrganizationalUnitsForParent',
      's3:PutObject',
    ]);
    const evaluate = actions(statementsOf(template, 'DistributedEvaluateRole'));
    expect(evaluate).toEqual(
      expect.arrayContaining(['s3:GetObject', 'sns:Publish', 'dynamodb:BatchWriteItem']),
    );
    expect(evaluate).not.toContain('sts:AssumeRole');
    expect(evaluate).not.toContain('s3:PutObject');
    expect(evaluate.filter((action) => action.startsWith('organizations:'))).toEqual([]);
    expect(actions(statementsOf(template, 'DistributedFailedRole'))).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    // The collect step runs as the audit function's role (the member roles trust it) and adds writing partials.
    const collect = statementsOf(template, 'AuditFunctionRole');
    expect(actions(collect)).toEqual(expect.arrayContaining(['sts:AssumeRole', 's3:PutObject']));
    expect(collect.find((statement) => statement.Sid === 'WritePartials')?.Resource).toEqual({
      'Fn::Join': [
        '',
        [
          { 'Fn::GetAtt': [expect.stringMatching(/^DistributedArtifactBucket/), 'Arn'] },
          '/irsa-audit/runs/*',
        ],
      ],
    });
  });

  it("lets the state machine's role invoke the four steps, read the account list and write the map results", () => {
    const statements = statementsOf(template, 'DistributedStateMachineRole');
    const all = actions(statements);
    expect(all).toEqual(
      expect.arrayContaining([
        'lambda:InvokeFunction',
        's3:GetObject',
        's3:PutObject',
        'states:StartExecution',
        'kms:Decrypt',
      ]),
    );
    const invoked = statements
      .filter((statement) => [statement.Action].flat().includes('lambda:InvokeFunction'))
      .flatMap((statement) => [statement.Resource].flat())
      .map(
        (resource) =>
          JSON.stringify(resource).match(/Distributed(Plan|Collect|Evaluate|Failed)[0-9A-F]{8}/)?.[1],
      );
    expect(new Set(invoked)).toEqual(new Set(['Plan', 'Collect', 'Evaluate', 'Failed']));
    expect(all).not.toContain('sts:AssumeRole');
    expect(all.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
  });

  it('alarms on failed executions and on accounts whose collect child failed', () => {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => (alarm as { Properties: { AlarmName: unknown } }).Properties.AlarmName,
    );
    const text = JSON.stringify(names);
    expect(text).toContain('-distributed-run-failed');
    expect(text).toContain('-distributed-collect-failures');
    expect(text).toContain('-distributed-collect-errors');
  });

  it('is off by default: the single mode has no state machine and the schedule invokes the function', () => {
    const single = synth(BASE_CONTEXT).template;
    expect(single.findResources('AWS::StepFunctions::StateMachine')).toEqual({});
    const fn = logicalId(single, 'AWS::Lambda::Function', 'AuditFunction');
    expect(properties(single, 'AWS::Scheduler::Schedule', 'NightlySchedule').Target).toMatchObject({
      Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
    });
  });
});

describe('scale=distributed with the suppressions file and the exporters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-infra-distributed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const suppressionsFile = join(dir, 'accepted.yaml');
  writeFileSync(
    suppressionsFile,
    `version: 1\nsuppressions:\n  - fingerprint: 0123456789abcdef\n    reason: accepted\n    owner: security\n    expires: ${expires}\n`,
  );
  const EXPORTS = { ...DISTRIBUTED, securityHub: 'true', reportBucket: 'create', suppressionsFile };
  const NAMED_BUCKET = { ...DISTRIBUTED, reportBucket: 'org-audit-reports' };

  const variables = (template: Template, prefix: string) =>
    (
      properties(template, 'AWS::Lambda::Function', prefix).Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
  const bySid = (statements: Statement[], sid: string) =>
    statements.find((statement) => statement.Sid === sid);
  const EXPORT_SIDS = [
    'ImportFindingsToDefaultProduct',
    'SetWorkflowOfImportedFindings',
    'WriteRunReports',
    'EncryptRunReports',
  ];

  it('gives the evaluate step none of it by default', () => {
    const { template } = synth(DISTRIBUTED);
    const sids = statementsOf(template, 'DistributedEvaluateRole').map((statement) => statement.Sid);
    for (const sid of EXPORT_SIDS) expect(sids).not.toContain(sid);
    const env = variables(template, 'DistributedEvaluate');
    for (const name of [ENV.suppressionsFile, ENV.securityHub, ENV.reportBucket])
      expect(env[name]).toBeUndefined();
    expect(variables(template, 'DistributedPlan')[ENV.suppressionsFile]).toBeUndefined();
  });

  it('gives the evaluate step the Security Hub statements of the audit function: import on the default product, workflow on the hub', () => {
    const { template } = synth(EXPORTS);
    const evaluate = statementsOf(template, 'DistributedEvaluateRole');
    const single = statementsOf(template, 'AuditFunctionRole');
    const importing = bySid(evaluate, 'ImportFindingsToDefaultProduct')!;
    expect(importing.Action).toBe('securityhub:BatchImportFindings');
    expect(JSON.stringify(importing.Resource)).toMatch(/:securityhub:.*:product\/.*\/default/);
    const workflow = bySid(evaluate, 'SetWorkflowOfImportedFindings')!;
    expect(workflow.Action).toBe('securityhub:BatchUpdateFindings');
    expect(JSON.stringify(workflow.Resource)).toMatch(/:hub\/default/);
    for (const sid of ['ImportFindingsToDefaultProduct', 'SetWorkflowOfImportedFindings'])
      expect(bySid(evaluate, sid)).toEqual(bySid(single, sid));
    expect(variables(template, 'DistributedEvaluate')[ENV.securityHub]).toBe('true');
    // Only the evaluate step exports; the other steps' roles do not import findings.
    for (const role of ['DistributedPlanRole', 'DistributedFailedRole'])
      expect(
        actions(statementsOf(template, role)).filter((action) => action.startsWith('securityhub:')),
      ).toEqual([]);
  });

  it('lets the evaluate step write the reports to a bucket the stack creates, under the prefix, with its key', () => {
    const { template } = synth(EXPORTS);
    const bucket = logicalId(template, 'AWS::S3::Bucket', 'ReportBucket');
    const evaluate = statementsOf(template, 'DistributedEvaluateRole');
    expect(bySid(evaluate, 'WriteRunReports')).toMatchObject({
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/irsa-audit/*']] },
    });
    expect(bySid(evaluate, 'EncryptRunReports')).toMatchObject({
      Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
    });
    const single = statementsOf(template, 'AuditFunctionRole');
    for (const sid of ['WriteRunReports', 'EncryptRunReports'])
      expect(bySid(evaluate, sid)).toEqual(bySid(single, sid));
    const env = variables(template, 'DistributedEvaluate');
    expect(env[ENV.reportBucket]).toEqual({ Ref: bucket });
    expect(env[ENV.reportPrefix]).toBe('irsa-audit/');
  });

  it('lets the evaluate step write only under the prefix of a bucket the operator names', () => {
    const { template } = synth(NAMED_BUCKET);
    const write = bySid(statementsOf(template, 'DistributedEvaluateRole'), 'WriteRunReports')!;
    expect(write.Action).toBe('s3:PutObject');
    expect(JSON.stringify(write.Resource)).toContain(':s3:::org-audit-reports/irsa-audit/*');
    expect(bySid(statementsOf(template, 'DistributedEvaluateRole'), 'EncryptRunReports')).toBeUndefined();
    expect(variables(template, 'DistributedEvaluate')[ENV.reportBucket]).toBe('org-audit-reports');
  });

  it('tells the plan step (which checks it before the lock) and the evaluate step the name of the bundled suppressions file, and no other step', () => {
    const { template } = synth(EXPORTS);
    for (const step of ['DistributedPlan', 'DistributedEvaluate'])
      expect(variables(template, step)[ENV.suppressionsFile]).toBe('irsa-audit.suppressions.yaml');
    for (const step of ['DistributedCollect', 'DistributedFailed'])
      expect(variables(template, step)[ENV.suppressionsFile]).toBeUndefined();
  });

  it('bundles the suppressions file into the plan and evaluate steps (esbuild, as cdk synth does)', () => {
    const built = synth({ ...EXPORTS, 'aws:cdk:bundling-stacks': ['**'] });
    try {
      const files = (fn: NodejsFunction) =>
        readdirSync((fn.node.findChild('Code').node.findChild('Stage') as AssetStaging).absoluteStagedPath);
      const steps = built.audit.distributed!;
      for (const fn of [steps.plan, steps.evaluate, built.audit.auditFunction])
        expect(files(fn)).toContain('irsa-audit.suppressions.yaml');
      for (const fn of [steps.collect, steps.failed])
        expect(files(fn)).not.toContain('irsa-audit.suppressions.yaml');
    } finally {
      rmSync(built.app.outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
