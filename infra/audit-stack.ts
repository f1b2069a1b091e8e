/**
 * The audit stack (docs/deployment.md), deployed in the security/audit account: results table, notification topic
 * (email, optional Slack through AWS Chatbot), the nightly audit function and its schedule, failure
 * queues, alarms on their own topic, the read-only member role in this account (the function audits
 * its own account through it, like every other), and the StackSet that puts that role into every
 * other account.
 */
import * as path from 'node:path';
import {
  ArnFormat,
  Aws,
  CfnOutput,
  CfnParameter,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRICS } from '../lambda/app/metrics';
import { ENV, SETTINGS } from '../lambda/settings/settings';
import { TABLE_SCHEMA } from '../lambda/store/table-schema';
import type { AuditorConfig } from './config';
import { DistributedAudit } from './distributed';
import { ReportBucket, securityHubStatements } from './exports';
import { irsaFunction, REPO_ROOT } from './lambda-function';
import { MemberRoleStackSet } from './member-role';
import { memberRole, orgIdParameter } from './member-role-stack';
import { readOrganizationStatement } from './statements';
import { type DeploymentSuppressions, suppressionsCommandHooks } from './suppressions';

const HANDLER_ENTRY = path.join(REPO_ROOT, 'lambda', 'handler.ts');
/** Powertools' default `service` dimension; the handler's RunsSucceeded metric carries it. */
export const SERVICE_NAME = 'irsa-auditor';
/** Metric the handler emits (Count, 1) after a run stored its results; the staleness alarm watches it. */
export const RUNS_SUCCEEDED_METRIC = METRICS.runsSucceeded;
/** A nightly run plus two hours of slack for a late or slow run. */
const STALE_AFTER_HOURS = 26;
/** The metrics the "notifications undelivered" alarm watches (emitted by lambda/app/pipeline.ts). */
export const NOTIFICATION_METRICS = {
  failed: METRICS.notificationFailed,
  pending: METRICS.notificationsPending,
} as const;
/** The metric the "exports failed" alarm watches (emitted by lambda/app/pipeline.ts with exporters only). */
export const EXPORTS_FAILED_METRIC = METRICS.exportsFailed;

export interface AuditStackProps extends StackProps {
  config: AuditorConfig;
  /** The Lambda entry file; defaults to lambda/handler.ts. */
  entry?: string;
  /** The validated suppressions file, bundled into the function (infra/suppressions.ts). */
  suppressions?: DeploymentSuppressions;
}

export class AuditStack extends Stack {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;
  /** Where every alarm goes: its own topic and key, so an alarm about the notification topic never depends on it. */
  readonly alarmTopic: sns.Topic;
  readonly functionRole: iam.Role;
  readonly auditFunction: NodejsFunction;
  readonly memberRoleStackSet?: MemberRoleStackSet;
  readonly reportBucket?: ReportBucket;
  /** The member role in this (the audit) account; absent with `auditAccountMemberRole=false`. */
  readonly ownMemberRole?: iam.CfnRole;
  /** The Step Functions run of `-c scale=distributed` (infra/distributed.ts); absent in the single mode. */
  readonly distributed?: DistributedAudit;

  constructor(scope: Construct, id: string, props: AuditStackProps) {
    super(scope, id, props);
    const { config } = props;
    const orgId = config.orgId ?? orgIdParameter(this);

    // One customer-managed key for the findings at rest and in flight: the key policy, not only IAM,
    // decides who can read them, and every use is in CloudTrail. Retained like the table it protects.
    // (Alarms publish to their own topic, with its own key: alarmTopicFor.)
    this.key = new kms.Key(this, 'DataKey', {
      description: 'irsa-auditor: results table and notification topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = this.resultsTable();
    this.topic = this.notificationTopic(config);
    this.alarmTopic = this.alarmTopicFor(config);

    const scheduleDeadLetterQueue = this.failureQueue('ScheduleDeadLetterQueue');
    const failedRunQueue = this.failureQueue('FailedRunQueue');

    const logGroup = new logs.LogGroup(this, 'AuditFunctionLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.functionRole = new iam.Role(this, 'AuditFunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'irsa-auditor audit function: assumes the member role, reads Organizations, writes results',
    });
    this.grantFunctionPermissions(config, orgId, logGroup);
    if (config.securityHub) {
      for (const statement of securityHubStatements()) this.functionRole.addToPrincipalPolicy(statement);
    }
    if (config.reportBucket) {
      this.reportBucket = new ReportBucket(this, 'ReportBucket', {
        ...(config.reportBucket === 'create' ? {} : { bucketName: config.reportBucket }),
        prefix: config.reportPrefix,
        retentionDays: config.reportRetentionDays,
        key: this.key,
        role: this.functionRole,
      });
    }

    this.auditFunction = irsaFunction(this, 'AuditFunction', {
      description: 'irsa-auditor: nightly organization-wide IRSA / Pod Identity audit',
      entry: props.entry ?? HANDLER_ENTRY,
      handler: 'handler',
      memorySize: config.memoryMb,
      timeout: Duration.minutes(config.timeoutMinutes),
      // One run at a time (the run lock of docs/results-table.md is the second line of defence).
      reservedConcurrentExecutions: 1,
      role: this.functionRole,
      logGroup,
      environment: {
        ...this.functionEnvironment(config),
        ...(props.suppressions ? { [ENV.suppressionsFile]: props.suppressions.bundledName } : {}),
      },
      ...(props.suppressions ? { commandHooks: suppressionsCommandHooks(props.suppressions) } : {}),
      // Asynchronous invocations (the schedule): one retry for a transient failure, then the event
      // with its error goes to the failed-run queue.
      retryAttempts: 1,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(failedRunQueue),
    });

    // Our own execution role (instead of the target's implicit one) so its trust is visible and scoped to
    // this account's default schedule group.
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      description: 'irsa-auditor: EventBridge Scheduler invokes the audit function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Aws.ACCOUNT_ID,
            'aws:SourceArn': this.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });

    // ── distributed mode (infra/distributed.ts): the schedule starts the state machine instead ──
    if (config.scale === 'distributed') {
      this.distributed = new DistributedAudit(this, 'Distributed', {
        config,
        key: this.key,
        table: this.table,
        topic: this.topic,
        collectRole: this.functionRole,
        environment: this.functionEnvironment(config),
        metricsNamespace: config.metricsNamespace,
        serviceName: SERVICE_NAME,
        ...(props.suppressions ? { suppressions: props.suppressions } : {}),
        ...(this.reportBucket ? { reportBucket: this.reportBucket } : {}),
      });
    }
    const scheduleTargetProps = {
      input: ScheduleTargetInput.fromObject({
        source: 'irsa-auditor.schedule',
        scheduledTime: ContextAttribute.scheduledTime,
        executionId: ContextAttribute.executionId,
      }),
      // Delivery retries (throttling, service errors); the function's own failures are retried by Lambda.
      retryAttempts: 3,
      maxEventAge: Duration.hours(1),
      deadLetterQueue: scheduleDeadLetterQueue,
      role: scheduleRole,
    };

    new Schedule(this, 'NightlySchedule', {
      description: 'irsa-auditor nightly audit',
      schedule: ScheduleExpression.expression(config.schedule, TimeZone.of(config.timezone)),
      timeWindow: TimeWindow.off(),
      target: this.distributed
        ? new StepFunctionsStartExecution(this.distributed.stateMachine, scheduleTargetProps)
        : new LambdaInvoke(this.auditFunction, scheduleTargetProps),
    });

    this.alarms(config, [scheduleDeadLetterQueue, failedRunQueue]);

    if (config.memberRoleStackSet) {
      this.memberRoleStackSet = new MemberRoleStackSet(this, 'MemberRole', {
        auditRoleArn: this.functionRole.roleArn,
        orgId,
        roleName: config.memberRoleName,
        externalId: config.externalId,
        targets:
          config.targetOus ??
          new CfnParameter(this, 'MemberRoleTargets', {
            type: 'CommaDelimitedList',
            description:
              'Where the StackSet deploys the member role: the organization root id (r-…) or OU ids (ou-…); or pass -c targetOus=… at synth',
          }).valueAsList,
        region: config.stackSetRegion ?? Aws.REGION,
        callAs: config.stackSetCallAs,
        // This account has its own copy below: a StackSet instance here would collide on the role name.
        ...(config.auditAccountMemberRole ? { excludeAccounts: [Aws.ACCOUNT_ID] } : {}),
      });
    }

    // The function audits this account through the member role like every other account (its own role
    // may only assume that role). A service-managed StackSet never reaches the management account, and
    // reaches a delegated administrator only when it sits under the targets; so the role is here.
    if (config.auditAccountMemberRole) {
      this.ownMemberRole = memberRole(this, 'AuditAccountMemberRole', {
        auditRoleArn: this.functionRole.roleArn,
        orgId,
        roleName: config.memberRoleName,
        externalId: config.externalId,
      });
      // On an update from a deployment whose StackSet covered this account, its instance (and role)
      // must be gone before this role is created under the same name.
      if (this.memberRoleStackSet) this.ownMemberRole.addResourceDependency(this.memberRoleStackSet.stackSet);
    }

    this.acknowledgeFindings(config, scheduleRole, [scheduleDeadLetterQueue, failedRunQueue]);

    new CfnOutput(this, 'ResultsTableName', { value: this.table.tableName });
    new CfnOutput(this, 'NotificationTopicArn', { value: this.topic.topicArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'AuditFunctionName', { value: this.auditFunction.functionName });
    new CfnOutput(this, 'AuditFunctionRoleArn', { value: this.functionRole.roleArn });
    new CfnOutput(this, 'DataKeyArn', { value: this.key.keyArn });
    new CfnOutput(this, 'FailedRunQueueUrl', { value: failedRunQueue.queueUrl });
    new CfnOutput(this, 'AuditLogGroupName', { value: logGroup.logGroupName });
    new CfnOutput(this, 'MemberRoleName', { value: config.memberRoleName });
  }

  private resultsTable(): dynamodb.Table {
    const key = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    // Table rather than TableV2: TableV2 cannot render a customer-managed key in a region-agnostic
    // stack, and this stack must synthesize offline without an account or region.
    const table = new dynamodb.Table(this, 'ResultsTable', {
      partitionKey: key(TABLE_SCHEMA.partitionKey),
      sortKey: key(TABLE_SCHEMA.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.ttlAttribute,
      // Findings history outlives the stack; deleting it is a deliberate manual step (docs/deployment.md).
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    for (const index of TABLE_SCHEMA.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    return table;
  }

  private notificationTopic(config: AuditorConfig): sns.Topic {
    const topicName = `${this.stackName}-notifications`;
    const topic = new sns.Topic(this, 'NotificationTopic', {
      topicName,
      displayName: 'IRSA auditor',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of config.notifyEmails)
      topic.addSubscription(new subscriptions.EmailSubscription(email));

    if (config.slack) {
      new chatbot.SlackChannelConfiguration(this, 'SlackChannel', {
        slackChannelConfigurationName: `${this.stackName}-slack`,
        slackWorkspaceId: config.slack.workspaceId,
        slackChannelId: config.slack.channelId,
        // Drift notifications and alarms; the alarm topic is created right after this one.
        notificationTopics: [topic],
        loggingLevel: chatbot.LoggingLevel.ERROR,
        // Notifications only: the channel may not run AWS commands (the default guardrail is
        // AdministratorAccess), and its role has no policies.
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AWSDenyAll')],
      });
    }
    return topic;
  }

  /**
   * The alarm topic: every alarm publishes here, not to the notification topic, so the alarm that says
   * notifications are not delivered does not depend on the topic that fails to deliver them (its key,
   * its policy, the function's permission to publish). Its own key, because CloudWatch must be granted
   * the key and an AWS-managed SNS key cannot grant that; alarms carry no findings. The same e-mail
   * addresses and Slack channel subscribe (docs/deployment.md, "Alarms").
   */
  private alarmTopicFor(config: AuditorConfig): sns.Topic {
    const key = new kms.Key(this, 'AlarmKey', {
      description: 'irsa-auditor: alarm topic',
      enableKeyRotation: true,
      // Holds no data at rest: alarm messages are delivered, not kept.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const topicName = `${this.stackName}-alarms`;
    const topicArn = this.formatArn({ service: 'sns', resource: topicName });
    const topic = new sns.Topic(this, 'AlarmTopic', {
      topicName,
      displayName: 'IRSA auditor alarms',
      masterKey: key,
      enforceSSL: true,
    });
    const alarmArns = this.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${this.stackName}-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisStacksAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': alarmArns },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // SNS always passes the topic ARN as encryption context: the grant reaches this topic only.
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
      }),
    );
    for (const email of config.notifyEmails)
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    const slack = this.node.tryFindChild('SlackChannel') as chatbot.SlackChannelConfiguration | undefined;
    slack?.addNotificationTopic(topic);
    return topic;
  }

  /** Holds only invocation envelopes and error summaries, no findings: SQS-managed encryption suffices. */
  private failureQueue(id: string): sqs.Queue {
    return new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
  }

  private functionEnvironment(config: AuditorConfig): Record<string, string> {
    const environment: Record<string, string> = {
      [ENV.table]: this.table.tableName,
      [ENV.topic]: this.topic.topicArn,
      [ENV.memberRoleName]: config.memberRoleName,
      [ENV.deadlineMarginSeconds]: String(config.deadlineMarginSeconds),
      [ENV.notifyMode]: config.notifyMode,
      [ENV.historyRetentionDays]: String(config.historyRetentionDays),
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      [SETTINGS.metricsNamespace.env]: config.metricsNamespace,
    };
    // Optional settings are left out when unset: the handler then applies its defaults (all regions,
    // all accounts, its own concurrency).
    const optional: [string, string | undefined][] = [
      [ENV.externalId, config.externalId],
      [ENV.regions, config.regions.join(',') || undefined],
      [ENV.accounts, config.accounts.join(',') || undefined],
      [ENV.excludeAccounts, config.excludeAccounts.join(',') || undefined],
      [ENV.ous, config.auditOus.join(',') || undefined],
      [ENV.concurrency, config.concurrency?.toString()],
      [ENV.accountConcurrency, config.accountConcurrency?.toString()],
      [ENV.securityHub, config.securityHub ? 'true' : undefined],
      [ENV.reportBucket, this.reportBucket?.bucketName],
      [ENV.reportPrefix, this.reportBucket ? config.reportPrefix : undefined],
      [ENV.checksDocUrl, config.checksDocUrl],
    ];
    for (const [name, value] of optional) if (value !== undefined) environment[name] = value;
    return environment;
  }

  /** Exact statements, no CDK grant helpers: every action and resource is visible here and in the tests. */
  private grantFunctionPermissions(config: AuditorConfig, orgId: string, logGroup: logs.LogGroup): void {
    const statements = [
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'ResultsTableItems',
        // No Scan (docs/results-table.md: every query pattern is a Query); no table management.
        actions: [
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
        resources: [this.table.tableArn],
      }),
      new iam.PolicyStatement({
        sid: 'ResultsTableIndexes',
        actions: ['dynamodb:Query'],
        resources: TABLE_SCHEMA.globalSecondaryIndexes.map(
          (index) => `${this.table.tableArn}/index/${index.indexName}`,
        ),
      }),
      new iam.PolicyStatement({
        sid: 'PublishNotifications',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
      new iam.PolicyStatement({
        sid: 'UseDataKeyThroughDynamoDbAndSns',
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': [
              `dynamodb.${Aws.REGION}.${Aws.URL_SUFFIX}`,
              `sns.${Aws.REGION}.${Aws.URL_SUFFIX}`,
            ],
          },
        },
      }),
      new iam.PolicyStatement({
        sid: 'AssumeMemberRole',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${config.memberRoleName}`],
        // Only roles in accounts of our own organization, whatever their account id.
        conditions: { StringEquals: { 'aws:ResourceOrgID': orgId } },
      }),
      readOrganizationStatement(),
    ];
    for (const statement of statements) this.functionRole.addToPrincipalPolicy(statement);
  }

  private alarms(config: AuditorConfig, queues: sqs.Queue[]): void {
    const action = new cloudwatchActions.SnsAction(this.alarmTopic);
    const timeoutMs = config.timeoutMinutes * 60_000;
    const alarms = [
      new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmName: `${this.stackName}-errors`,
        alarmDescription: 'The irsa-auditor audit function failed (see its logs and the failed-run queue).',
        metric: this.auditFunction.metricErrors({
          period: Duration.hours(1),
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'DurationAlarm', {
        alarmName: `${this.stackName}-duration-near-timeout`,
        alarmDescription: `An audit run took more than 80 % of the ${config.timeoutMinutes}-minute timeout: raise timeoutMinutes or memoryMb before runs are cut short.`,
        metric: this.auditFunction.metricDuration({
          period: Duration.hours(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: Math.round(timeoutMs * 0.8),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      // The handler emits RunsSucceeded only after a run stored its results. Lambda's Invocations minus
      // Errors would also count runs that returned early (run lock held, nothing stored), so it could
      // stay green while no audit completes. Missing data is breaching: silence is the failure we want
      // to hear about.
      new cloudwatch.Alarm(this, 'NoSuccessfulRunAlarm', {
        alarmName: `${this.stackName}-no-successful-run`,
        alarmDescription: `No irsa-auditor run completed in the last ${STALE_AFTER_HOURS} hours.`,
        metric: this.runMetric(config, RUNS_SUCCEEDED_METRIC, cloudwatch.Stats.SUM),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: STALE_AFTER_HOURS,
        datapointsToAlarm: STALE_AFTER_HOURS,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
      // A notification not delivered: a publish failed, or notifications wait in the outbox
      // (docs/notifications.md). Both metrics come from each run; no run is the alarm above.
      new cloudwatch.Alarm(this, 'NotificationsUndeliveredAlarm', {
        alarmName: `${this.stackName}-notifications-undelivered`,
        alarmDescription:
          'A drift notification could not be published: it is stored and every run retries it (irsa-audit runs shows which run it reports). Check the notification topic, its key and the function role.',
        metric: new cloudwatch.MathExpression({
          expression: 'MAX([FILL(failed, 0), FILL(pending, 0)])',
          usingMetrics: {
            failed: this.runMetric(config, NOTIFICATION_METRICS.failed, cloudwatch.Stats.SUM),
            pending: this.runMetric(config, NOTIFICATION_METRICS.pending, cloudwatch.Stats.MAXIMUM),
          },
          label: 'notifications failed or pending',
          period: Duration.hours(1),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      // Security Hub refused findings or the report was not written (docs/deployment.md §14). Only with
      // an exporter configured: the pipeline emits the metric only then, in both modes (the evaluate
      // step has the audit function's namespace and service).
      ...(config.securityHub || config.reportBucket !== undefined
        ? [
            new cloudwatch.Alarm(this, 'ExportsFailedAlarm', {
              alarmName: `${this.stackName}-exports-failed`,
              alarmDescription:
                "An exporter of a run was refused in part or failed (Security Hub or the report bucket); the stored results are complete. irsa-audit runs --format json shows each exporter's outcome (exports).",
              metric: this.runMetric(config, EXPORTS_FAILED_METRIC, cloudwatch.Stats.SUM),
              threshold: 1,
              comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
              evaluationPeriods: 1,
              treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
            }),
          ]
        : []),
      ...queues.map(
        (queue) =>
          new cloudwatch.Alarm(this, `${queue.node.id}Alarm`, {
            alarmName: `${this.stackName}-${queue.node.id}-not-empty`,
            alarmDescription: `Messages in ${queue.node.id}: an audit run was not delivered or failed after retries.`,
            metric: queue.metricApproximateNumberOfMessagesVisible({
              period: Duration.minutes(5),
              statistic: cloudwatch.Stats.MAXIMUM,
            }),
            threshold: 0,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      ),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(action);
  }

  /** A metric the pipeline emits once per run (EMF, dimension `service`). */
  private runMetric(config: AuditorConfig, metricName: string, statistic: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: config.metricsNamespace,
      metricName,
      dimensionsMap: { service: SERVICE_NAME },
      period: Duration.hours(1),
      statistic,
    });
  }

  /** cdk-nag AwsSolutions findings accepted on purpose, each on the one resource it concerns. */
  private acknowledgeFindings(
    config: AuditorConfig,
    scheduleRole: iam.Role,
    failureQueues: sqs.Queue[],
  ): void {
    const functionPolicy = this.functionRole.node.findChild('DefaultPolicy');
    Validations.of(functionPolicy).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${config.memberRoleName}]`,
        reason:
          'The audit assumes the member role in every account of the organization, whose ids are not known at synth; limited to one role name and to aws:ResourceOrgID = our organization',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'organizations:DescribeOrganization and organizations:ListAccounts support no resource-level permissions; ListAccountsForParent and ListOrganizationalUnitsForParent walk arbitrary OUs of the organization; all are read-only',
      },
    );
    const functionLogicalId = this.resolve(
      (this.auditFunction.node.defaultChild as lambda.CfnFunction).logicalId,
    );
    // The distributed mode's schedule starts the state machine: no wildcard (infra/distributed.ts).
    if (!this.distributed) {
      Validations.of(scheduleRole.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
        reason:
          "Added by CDK's LambdaInvoke target (grantInvoke covers the function's versions and aliases); it names this one function only",
      });
    }
    for (const queue of failureQueues) {
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter destination (of the schedule, or of failed asynchronous invocations); a DLQ of a DLQ adds nothing',
      });
    }
  }
}
