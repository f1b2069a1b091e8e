import { Match, type Template } from 'aws-cdk-lib/assertions';
import { NOTIFICATION_METRICS, RUNS_SUCCEEDED_METRIC, SERVICE_NAME } from '../../infra/audit-stack';
import { ENV } from '../../lambda/settings/settings';
import { TABLE_SCHEMA } from '../../lambda/store/table-schema';
import {
  arnOf,
  BASE_CONTEXT,
  logicalId,
  ORG_ID,
  properties,
  ref,
  resource,
  synth,
  withPartition,
} from './helpers';

const regionJoin = (prefix: string) => ({
  'Fn::Join': ['', [prefix, { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
});
const inThisAccount = (service: string, resourcePart: string) =>
  withPartition(`:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, resourcePart);

describe('audit stack with the default configuration', () => {
  let template: Template;
  let ids: Record<
    'fn' | 'role' | 'table' | 'topic' | 'key' | 'logs' | 'dlq' | 'failed' | 'scheduleRole',
    string
  >;

  beforeAll(() => {
    template = synth().template;
    ids = {
      fn: logicalId(template, 'AWS::Lambda::Function', 'AuditFunction'),
      role: logicalId(template, 'AWS::IAM::Role', 'AuditFunctionRole'),
      table: logicalId(template, 'AWS::DynamoDB::Table', 'ResultsTable'),
      topic: logicalId(template, 'AWS::SNS::Topic', 'NotificationTopic'),
      key: logicalId(template, 'AWS::KMS::Key', 'DataKey'),
      logs: logicalId(template, 'AWS::Logs::LogGroup', 'AuditFunctionLogs'),
      dlq: logicalId(template, 'AWS::SQS::Queue', 'ScheduleDeadLetterQueue'),
      failed: logicalId(template, 'AWS::SQS::Queue', 'FailedRunQueue'),
      scheduleRole: logicalId(template, 'AWS::IAM::Role', 'ScheduleRole'),
    };
  });

  describe('audit function', () => {
    it('runs Node.js 22 on arm64 with one concurrent execution, 1024 MB and a 15-minute timeout', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        ReservedConcurrentExecutions: 1,
        MemorySize: 1769,
        Timeout: 900,
        Handler: 'index.handler',
        Role: arnOf(ids.role),
        LoggingConfig: { LogGroup: ref(ids.logs) },
      });
      template.resourceCountIs('AWS::Lambda::Function', 1);
    });

    it('gets exactly the environment the handler reads (ENV names of the settings table), source maps on', () => {
      expect(properties(template, 'AWS::Lambda::Function', 'AuditFunction').Environment).toEqual({
        Variables: {
          [ENV.table]: ref(ids.table),
          [ENV.topic]: ref(ids.topic),
          [ENV.memberRoleName]: 'IrsaAuditorMemberRole',
          [ENV.deadlineMarginSeconds]: '120',
          [ENV.notifyMode]: 'changes',
          [ENV.historyRetentionDays]: '90',
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: 'IrsaAuditor',
        },
      });
    });

    it('retries a failed asynchronous run once, then sends it to the failed-run queue', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: ref(ids.fn),
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 21600,
        DestinationConfig: { OnFailure: { Destination: arnOf(ids.failed) } },
      });
    });

    it('logs to its own log group kept 90 days', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    });

    it('has a role that only Lambda can assume, with no managed policies', () => {
      const role = properties(template, 'AWS::IAM::Role', 'AuditFunctionRole');

      expect(role.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      });
      expect(role.ManagedPolicyArns).toBeUndefined();
      expect(role.Policies).toBeUndefined();
    });

    it('has exactly the least-privilege statements of the design, and no others', () => {
      const policies = template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [ref(ids.role)] },
      });
      expect(Object.keys(policies)).toHaveLength(1);
      const document = Object.values(policies)[0].Properties.PolicyDocument;

      const tableArn = arnOf(ids.table);
      expect(document.Statement).toEqual([
        {
          Sid: 'WriteOwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: arnOf(ids.logs),
        },
        {
          Sid: 'ResultsTableItems',
          Effect: 'Allow',
          Action: [
            'dynamodb:BatchWriteItem',
            'dynamodb:DeleteItem',
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:Query',
            'dynamodb:UpdateItem',
          ],
          Resource: tableArn,
        },
        {
          Sid: 'ResultsTableIndexes',
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'].map((name) => ({
            'Fn::Join': ['', [tableArn, `/index/${name}`]],
          })),
        },
        { Sid: 'PublishNotifications', Effect: 'Allow', Action: 'sns:Publish', Resource: ref(ids.topic) },
        {
          Sid: 'UseDataKeyThroughDynamoDbAndSns',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
          Resource: arnOf(ids.key),
          Condition: { StringEquals: { 'kms:ViaService': [regionJoin('dynamodb.'), regionJoin('sns.')] } },
        },
        {
          Sid: 'AssumeMemberRole',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: withPartition(':iam::*:role/IrsaAuditorMemberRole'),
          Condition: { StringEquals: { 'aws:ResourceOrgID': ORG_ID } },
        },
        {
          Sid: 'ReadOrganization',
          Effect: 'Allow',
          Action: [
            'organizations:DescribeOrganization',
            'organizations:ListAccounts',
            'organizations:ListAccountsForParent',
            'organizations:ListOrganizationalUnitsForParent',
          ],
          Resource: '*',
        },
        {
          // Added by the on-failure destination.
          Effect: 'Allow',
          Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          Resource: arnOf(ids.failed),
        },
      ]);
    });

    it('never grants Scan, table management, tracing or session tagging', () => {
      const text = JSON.stringify(template.findResources('AWS::IAM::Policy'));

      for (const action of [
        'dynamodb:Scan',
        'dynamodb:*',
        'xray:',
        'sts:TagSession',
        'iam:PassRole',
        'kms:*',
      ]) {
        expect(text).not.toContain(`"${action}`);
      }
    });
  });

  describe('schedule', () => {
    it('invokes the function nightly at 03:00 UTC with a retry policy and a dead-letter queue', () => {
      template.resourceCountIs('AWS::Scheduler::Schedule', 1);
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(0 3 * * ? *)',
        ScheduleExpressionTimezone: 'UTC',
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: arnOf(ids.fn),
          RoleArn: arnOf(ids.scheduleRole),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: arnOf(ids.dlq) },
        },
      });
    });

    it('passes the scheduled time so a run knows which night it audits', () => {
      const input = JSON.parse(
        (properties(template, 'AWS::Scheduler::Schedule', 'NightlySchedule').Target as { Input: string })
          .Input,
      );

      expect(input).toEqual({
        source: 'irsa-auditor.schedule',
        scheduledTime: '<aws.scheduler.scheduled-time>',
        executionId: '<aws.scheduler.execution-id>',
      });
    });

    it("runs as a role only this account's default schedule group can assume, allowed to invoke and dead-letter", () => {
      expect(properties(template, 'AWS::IAM::Role', 'ScheduleRole').AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:SourceArn': inThisAccount('scheduler', ':schedule-group/default'),
              },
            },
          },
        ],
      });
      const policy = Object.values(
        template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(ids.scheduleRole)] } }),
      )[0];
      expect(policy.Properties.PolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [arnOf(ids.fn), { 'Fn::Join': ['', [arnOf(ids.fn), ':*']] }],
        },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(ids.dlq) },
      ]);
    });
  });

  describe('results table', () => {
    it('is built from TABLE_SCHEMA: keys, all five GSIs projecting ALL, TTL attribute', () => {
      const table = properties(template, 'AWS::DynamoDB::Table', 'ResultsTable');

      expect(table.KeySchema).toEqual([
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ]);
      expect(table.GlobalSecondaryIndexes).toEqual(
        TABLE_SCHEMA.globalSecondaryIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      );
      expect(
        (table.GlobalSecondaryIndexes as unknown[]).map(
          (index) => (index as { IndexName: string }).IndexName,
        ),
      ).toEqual(['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5']);
      expect(table.AttributeDefinitions).toHaveLength(12);
      expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    });

    it('is on-demand, has point-in-time recovery, is encrypted with the data key and survives stack deletion', () => {
      const table = resource(template, 'AWS::DynamoDB::Table', 'ResultsTable');

      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf(ids.key) },
        DeletionProtectionEnabled: true,
      });
      expect(table.Properties?.ProvisionedThroughput).toBeUndefined();
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    });
  });

  describe('data key', () => {
    it('rotates, is retained with the table, and grants CloudWatch nothing (alarms have their own topic)', () => {
      const key = resource(template, 'AWS::KMS::Key', 'DataKey');

      expect(key.Properties).toMatchObject({ EnableKeyRotation: true });
      expect(key.DeletionPolicy).toBe('Retain');
      expect(JSON.stringify(key.Properties!.KeyPolicy)).not.toContain('cloudwatch.amazonaws.com');
    });
  });

  describe('alarm topic', () => {
    it('has its own rotating key, which CloudWatch may use for this topic only', () => {
      const alarmTopic = logicalId(template, 'AWS::SNS::Topic', 'AlarmTopic');
      const alarmKey = logicalId(template, 'AWS::KMS::Key', 'AlarmKey');
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: 'IrsaAuditor-alarms',
        KmsMasterKeyId: arnOf(alarmKey),
      });
      expect(alarmKey).not.toBe(ids.key);
      const key = resource(template, 'AWS::KMS::Key', 'AlarmKey');
      expect(key.Properties).toMatchObject({ EnableKeyRotation: true });
      expect((key.Properties!.KeyPolicy as { Statement: unknown[] }).Statement).toContainEqual({
        Sid: 'AllowCloudWatchAlarmsToPublishToTheTopic',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:EncryptionContext:aws:sns:topicArn': inThisAccount('sns', ':IrsaAuditor-alarms'),
          },
        },
      });
      expect(alarmTopic).not.toBe(ids.topic);
    });

    it('refuses publishing without TLS and lets only this stack\u2019s alarms publish as CloudWatch', () => {
      const alarmTopic = logicalId(template, 'AWS::SNS::Topic', 'AlarmTopic');
      const policy = properties(template, 'AWS::SNS::TopicPolicy', 'AlarmTopicPolicy');

      expect(policy.Topics).toEqual([ref(alarmTopic)]);
      expect((policy.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
        {
          Sid: 'AllowPublishThroughSSLOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: ref(alarmTopic),
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'AllowThisStacksAlarms',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: inThisAccount('sns', ':IrsaAuditor-alarms'),
          Condition: {
            ArnLike: { 'aws:SourceArn': inThisAccount('cloudwatch', ':alarm:IrsaAuditor-*') },
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          },
        },
      ]);
    });
  });

  describe('notification topic', () => {
    it('is encrypted with the data key', () => {
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: 'IrsaAuditor-notifications',
        KmsMasterKeyId: arnOf(ids.key),
      });
    });

    it('refuses publishing without TLS; only the function publishes (no CloudWatch grant)', () => {
      const policy = properties(template, 'AWS::SNS::TopicPolicy', 'NotificationTopicPolicy');

      expect(policy.Topics).toEqual([ref(ids.topic)]);
      expect((policy.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
        {
          Sid: 'AllowPublishThroughSSLOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: ref(ids.topic),
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]);
    });

    it('has no subscribers and no Slack channel unless configured', () => {
      template.resourceCountIs('AWS::SNS::Subscription', 0);
      template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    });
  });

  describe('failure queues', () => {
    it.each(['ScheduleDeadLetterQueue', 'FailedRunQueue'])(
      '%s is encrypted, TLS-only and keeps messages 14 days',
      (id) => {
        template.hasResourceProperties('AWS::SQS::Queue', {
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 1209600,
        });
        const queueId = logicalId(template, 'AWS::SQS::Queue', id);
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [ref(queueId)],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      },
    );
  });

  describe('alarms', () => {
    it('all notify the alarm topic, never only the notification topic they may be about', () => {
      const alarms = template.findResources('AWS::CloudWatch::Alarm');
      const alarmTopic = logicalId(template, 'AWS::SNS::Topic', 'AlarmTopic');

      expect(Object.keys(alarms)).toHaveLength(6);
      for (const alarm of Object.values(alarms)) {
        expect(alarm.Properties.AlarmActions).toEqual([ref(alarmTopic)]);
        expect(alarm.Properties.AlarmName).toMatch(/^IrsaAuditor-/);
      }
    });

    it('fire when a notification failed or waits in the outbox', () => {
      const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find(
        (each) => each.Properties.AlarmName === 'IrsaAuditor-notifications-undelivered',
      );
      expect(alarm?.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      const queries = alarm?.Properties.Metrics as {
        Id: string;
        Expression?: string;
        MetricStat?: {
          Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] };
          Stat: string;
        };
      }[];
      expect(queries.find((query) => query.Expression)?.Expression).toBe(
        'MAX([FILL(failed, 0), FILL(pending, 0)])',
      );
      const watched = Object.fromEntries(
        queries
          .filter((query) => query.MetricStat)
          .map((query) => [query.Id, [query.MetricStat?.Metric.MetricName, query.MetricStat?.Stat]]),
      );
      expect(watched).toEqual({
        failed: [NOTIFICATION_METRICS.failed, 'Sum'],
        pending: [NOTIFICATION_METRICS.pending, 'Maximum'],
      });
      expect(NOTIFICATION_METRICS).toEqual({ failed: 'NotificationFailed', pending: 'NotificationsPending' });
      for (const query of queries.filter((each) => each.MetricStat)) {
        expect(query.MetricStat?.Metric).toMatchObject({
          Namespace: 'IrsaAuditor',
          Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
        });
      }
    });

    it('fire on any function error', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'IrsaAuditor-errors',
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: ref(ids.fn) }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    it('fire when a run takes more than 80 % of the timeout', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'IrsaAuditor-duration-near-timeout',
        MetricName: 'Duration',
        Statistic: 'Maximum',
        Threshold: 720_000,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('fire when no run succeeded for 26 hours, counting silence as failure', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'IrsaAuditor-no-successful-run',
        Namespace: 'IrsaAuditor',
        MetricName: RUNS_SUCCEEDED_METRIC,
        Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 26,
        DatapointsToAlarm: 26,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
    });

    it.each([
      ['ScheduleDeadLetterQueue', 'dlq'],
      ['FailedRunQueue', 'failed'],
    ] as const)('fire when %s holds a message', (name, key) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `IrsaAuditor-${name}-not-empty`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids[key], 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });
  });

  it('takes the organization id from context, with no deploy-time parameters', () => {
    expect(Object.keys(template.toJSON().Parameters ?? {})).toEqual(['BootstrapVersion']);
  });

  it('outputs what operators and the member-role stack need', () => {
    expect(Object.keys(template.toJSON().Outputs)).toEqual(
      expect.arrayContaining([
        'ResultsTableName',
        'NotificationTopicArn',
        'AlarmTopicArn',
        'AuditFunctionName',
        'AuditFunctionRoleArn',
        'DataKeyArn',
        'FailedRunQueueUrl',
        'AuditLogGroupName',
        'MemberRoleName',
      ]),
    );
  });
});

describe('audit stack configured through context', () => {
  it('follows schedule, time zone, memory, timeout, margin and retention settings', () => {
    const { template } = synth({
      ...BASE_CONTEXT,
      schedule: 'cron(30 1 * * ? *)',
      timezone: 'Europe/Berlin',
      memoryMb: '2048',
      timeoutMinutes: '10',
      deadlineMarginSeconds: '90',
      logRetentionDays: '30',
      notifyMode: 'always',
      historyRetentionDays: '30',
      metricsNamespace: 'Security/Irsa',
    });

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 1 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 2048,
      Timeout: 600,
      Environment: {
        Variables: Match.objectLike({
          [ENV.deadlineMarginSeconds]: '90',
          [ENV.notifyMode]: 'always',
          [ENV.historyRetentionDays]: '30',
          POWERTOOLS_METRICS_NAMESPACE: 'Security/Irsa',
        }),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Duration', Threshold: 480_000 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'RunsSucceeded',
      Namespace: 'Security/Irsa',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('passes the audit scope and member-role options to the function', () => {
    const { template } = synth({
      ...BASE_CONTEXT,
      regions: 'us-east-1,eu-west-1',
      accounts: '111122223333,444455556666',
      excludeAccounts: '777788889999',
      auditOus: 'ou-ab12-cdefgh12',
      concurrency: '32',
      accountConcurrency: '4',
      memberRoleName: 'SecurityAuditRead',
      externalId: 'irsa-auditor-2026',
    });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.regions]: 'us-east-1,eu-west-1',
          [ENV.accounts]: '111122223333,444455556666',
          [ENV.excludeAccounts]: '777788889999',
          [ENV.ous]: 'ou-ab12-cdefgh12',
          [ENV.concurrency]: '32',
          [ENV.accountConcurrency]: '4',
          [ENV.memberRoleName]: 'SecurityAuditRead',
          [ENV.externalId]: 'irsa-auditor-2026',
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AssumeMemberRole',
            Resource: withPartition(':iam::*:role/SecurityAuditRead'),
          }),
        ]),
      },
    });
  });

  it('subscribes every e-mail address and connects the Slack channel, notifications only', () => {
    const { template } = synth({
      ...BASE_CONTEXT,
      notifyEmails: 'secops@example.com,platform@example.com',
      slackWorkspaceId: 'T0123ABCDE',
      slackChannelId: 'C0123ABCDE',
    });
    const topic = ref(logicalId(template, 'AWS::SNS::Topic', 'NotificationTopic'));
    const alarmTopic = ref(logicalId(template, 'AWS::SNS::Topic', 'AlarmTopic'));

    // Each address gets the drift notifications and, through the other topic, the alarms.
    for (const email of ['secops@example.com', 'platform@example.com']) {
      for (const topicArn of [topic, alarmTopic]) {
        template.hasResourceProperties('AWS::SNS::Subscription', {
          Protocol: 'email',
          Endpoint: email,
          TopicArn: topicArn,
        });
      }
    }
    template.resourceCountIs('AWS::SNS::Subscription', 4);
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: 'IrsaAuditor-slack',
      SlackWorkspaceId: 'T0123ABCDE',
      SlackChannelId: 'C0123ABCDE',
      SnsTopicArns: [topic, alarmTopic],
      LoggingLevel: 'ERROR',
      GuardrailPolicies: [withPartition(':iam::aws:policy/AWSDenyAll')],
    });
    const chatbotRole = properties(template, 'AWS::IAM::Role', 'SlackChannelConfigurationRole');
    expect(chatbotRole.ManagedPolicyArns).toBeUndefined();
    expect(chatbotRole.Policies).toBeUndefined();
    expect(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [ref(logicalId(template, 'AWS::IAM::Role', 'SlackChannelConfigurationRole'))] },
      }),
    ).toEqual({});
  });

  it('asks for the organization id and StackSet targets at deploy time when the context has none', () => {
    const { template } = synth({});
    const json = template.toJSON();

    expect(json.Parameters.OrgId).toMatchObject({ Type: 'String', AllowedPattern: '^o-[a-z0-9]{10,32}$' });
    expect(json.Parameters.MemberRoleTargets).toMatchObject({ Type: 'CommaDelimitedList' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AssumeMemberRole',
            Condition: { StringEquals: { 'aws:ResourceOrgID': ref('OrgId') } },
          }),
        ]),
      },
    });
  });
});
