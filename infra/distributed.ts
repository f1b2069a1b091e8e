/**
 * The distributed mode (`-c scale=distributed`; docs/architecture.md "Distributed mode"): a Step
 * Functions Standard state machine the nightly schedule starts instead of the audit function —
 *
 *   Plan (Lambda) → Planned? → CollectAccounts (Distributed Map over the plan's account list in S3,
 *   batches of accounts, one collect Lambda per batch) → Evaluate (Lambda)
 *
 * with a Catch on the map and on Evaluate to the failure handler (records the run failed, frees the
 * lock), the run-artifact bucket, and alarms on failed executions and on accounts whose collect child
 * failed. The collect step runs as the audit function's role: it is the role the member roles trust.
 * The evaluate step runs the pipeline's suppressions and exporters as the audit function does: it gets
 * the bundled suppressions file, the Security Hub statements and the report bucket's grant. The plan
 * step gets the suppressions file too: it checks it before taking the lock, so an invalid file fails
 * the execution before the collection (docs/suppressions.md).
 */
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ICommandHooks, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DISTRIBUTED_METRICS } from '../lambda/distributed/metrics';
import { ENV, SETTINGS } from '../lambda/settings/settings';
import { TABLE_SCHEMA } from '../lambda/store/table-schema';
import type { AuditorConfig } from './config';
import { type ReportBucket, securityHubStatements } from './exports';
import { irsaFunction, REPO_ROOT } from './lambda-function';
import { readOrganizationStatement } from './statements';
import { type DeploymentSuppressions, suppressionsCommandHooks } from './suppressions';

const STEPS_ENTRY = path.join(REPO_ROOT, 'lambda', 'distributed', 'handler.ts');
/** Longest execution: the run lock's lease covers it, plus the evaluate step's own timeout. */
export const EXECUTION_TIMEOUT = Duration.hours(3);
/** Run artifacts (account lists, partial inventories with trust policies) are deleted after this. */
export const ARTIFACT_RETENTION_DAYS = 7;
/** Where the steps write (lambda/artifacts/run-artifacts.ts) and the map writes its results. */
const RUNS_PREFIX = 'irsa-audit/runs/';
const MAP_RESULTS_PREFIX = 'irsa-audit/map-results';
const COLLECT_TIMEOUT = Duration.minutes(15);
/** Lambda's own transient errors, retried with backoff (throttling above all, with many children). */
const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];

export interface DistributedAuditProps {
  config: AuditorConfig;
  key: kms.Key;
  table: dynamodb.Table;
  topic: sns.Topic;
  /** The audit function's role: the member roles trust it, so the collect step runs as it. */
  collectRole: iam.Role;
  /** The environment of the audit function (table, topic, scope, member role…). */
  environment: Record<string, string>;
  metricsNamespace: string;
  serviceName: string;
  /** The validated suppressions file (infra/suppressions.ts): bundled into the plan and evaluate steps. */
  suppressions?: DeploymentSuppressions;
  /** The report bucket of `-c reportBucket` (infra/exports.ts): the evaluate step writes the reports. */
  reportBucket?: ReportBucket;
}

export class DistributedAudit extends Construct {
  readonly bucket: s3.Bucket;
  readonly stateMachine: sfn.StateMachine;
  readonly plan: NodejsFunction;
  readonly collect: NodejsFunction;
  readonly evaluate: NodejsFunction;
  readonly failed: NodejsFunction;

  constructor(scope: Construct, id: string, props: DistributedAuditProps) {
    super(scope, id);
    const { config } = props;

    this.bucket = new s3.Bucket(this, 'ArtifactBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Partials hold trust policies: nothing is kept past the retention.
      lifecycleRules: [
        {
          expiration: Duration.days(ARTIFACT_RETENTION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const environment = {
      ...props.environment,
      [SETTINGS.artifactBucket.env!]: this.bucket.bucketName,
      // The plan's lock outlives the longest execution; the evaluate step renews it.
      [SETTINGS.runLockTtlSeconds.env!]: String(EXECUTION_TIMEOUT.toSeconds() + 15 * 60),
    };
    const stepRole = (name: string, description: string) =>
      new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `irsa-auditor distributed mode: ${description}`,
      });
    const planRole = stepRole('Plan', 'plan step (run lock, run record, account list)');
    const evaluateRole = stepRole('Evaluate', 'evaluate step (partials, checks, results, notification)');
    const failedRole = stepRole('Failed', 'failure handler (run record, run lock)');

    const step = (
      name: string,
      handler: string,
      role: iam.Role,
      options: {
        memoryMb: number;
        timeout: Duration;
        environment?: Record<string, string>;
        commandHooks?: ICommandHooks;
      },
    ) => {
      const logGroup = new logs.LogGroup(this, `${name}Logs`, {
        retention: config.logRetentionDays as logs.RetentionDays,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: `Write${name}Logs`,
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
      return irsaFunction(this, name, {
        description: `irsa-auditor distributed mode: ${handler} step`,
        entry: STEPS_ENTRY,
        handler,
        memorySize: options.memoryMb,
        timeout: options.timeout,
        role,
        logGroup,
        environment: { ...environment, ...options.environment },
        ...(options.commandHooks ? { commandHooks: options.commandHooks } : {}),
      });
    };
    // The plan checks the suppressions file before the lock (an invalid one fails the execution before
    // the collection); the evaluate step applies it, as the audit function does.
    const suppressions = props.suppressions
      ? {
          environment: { [ENV.suppressionsFile]: props.suppressions.bundledName },
          commandHooks: suppressionsCommandHooks(props.suppressions),
        }
      : {};
    this.plan = step('Plan', 'plan', planRole, {
      memoryMb: 512,
      timeout: Duration.minutes(5),
      ...suppressions,
    });
    this.collect = step('Collect', 'collect', props.collectRole, {
      memoryMb: config.memoryMb,
      timeout: COLLECT_TIMEOUT,
    });
    this.evaluate = step('Evaluate', 'evaluate', evaluateRole, {
      memoryMb: config.evaluateMemoryMb,
      timeout: Duration.minutes(15),
      ...suppressions,
    });
    this.failed = step('Failed', 'failed', failedRole, { memoryMb: 256, timeout: Duration.minutes(1) });

    this.grantSteps(props, { planRole, evaluateRole, failedRole });
    this.stateMachine = this.buildStateMachine(config);
    this.alarms(props);
    this.acknowledgeFindings(props, { planRole, evaluateRole, failedRole });
  }

  /** Exact statements per step (no CDK grant helpers), like the audit function's. */
  private grantSteps(
    props: DistributedAuditProps,
    roles: { planRole: iam.Role; evaluateRole: iam.Role; failedRole: iam.Role },
  ): void {
    const { table, key, topic } = props;
    const runObjects = this.bucket.arnForObjects(`${RUNS_PREFIX}*`);
    const tableItems = (sid: string, actions: string[]) =>
      new iam.PolicyStatement({ sid, actions, resources: [table.tableArn] });
    const useKey = (sid: string, actions: string[], services: string[]) =>
      new iam.PolicyStatement({
        sid,
        actions,
        resources: [key.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': services.map((service) => `${service}.${Aws.REGION}.${Aws.URL_SUFFIX}`),
          },
        },
      });

    for (const statement of [
      tableItems('RunLockAndRecord', ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem']),
      readOrganizationStatement(),
      new iam.PolicyStatement({
        sid: 'WriteAccountList',
        actions: ['s3:PutObject'],
        resources: [runObjects],
      }),
      useKey(
        'UseDataKeyThroughDynamoDbAndS3',
        ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        ['dynamodb', 's3'],
      ),
    ])
      roles.planRole.addToPrincipalPolicy(statement);

    for (const statement of [
      new iam.PolicyStatement({ sid: 'WritePartials', actions: ['s3:PutObject'], resources: [runObjects] }),
      useKey('EncryptPartials', ['kms:GenerateDataKey'], ['s3']),
    ])
      props.collectRole.addToPrincipalPolicy(statement);

    for (const statement of [
      tableItems('ResultsTableItems', [
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]),
      new iam.PolicyStatement({
        sid: 'ResultsTableIndexes',
        actions: ['dynamodb:Query'],
        resources: TABLE_SCHEMA.globalSecondaryIndexes.map(
          (index) => `${table.tableArn}/index/${index.indexName}`,
        ),
      }),
      new iam.PolicyStatement({ sid: 'ReadPartials', actions: ['s3:GetObject'], resources: [runObjects] }),
      new iam.PolicyStatement({
        sid: 'PublishNotifications',
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
      }),
      useKey(
        'UseDataKeyThroughDynamoDbSnsAndS3',
        ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        ['dynamodb', 'sns', 's3'],
      ),
    ])
      roles.evaluateRole.addToPrincipalPolicy(statement);
    // The exporters run in the evaluate step: the audit function's grants (infra/exports.ts).
    if (props.config.securityHub) {
      for (const statement of securityHubStatements()) roles.evaluateRole.addToPrincipalPolicy(statement);
    }
    props.reportBucket?.grantWriteReports(roles.evaluateRole);

    for (const statement of [
      tableItems('RunRecordAndLock', ['dynamodb:DeleteItem', 'dynamodb:PutItem']),
      useKey(
        'UseDataKeyThroughDynamoDb',
        ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        ['dynamodb'],
      ),
    ])
      roles.failedRole.addToPrincipalPolicy(statement);
  }

  private buildStateMachine(config: AuditorConfig): sfn.StateMachine {
    const invoke = (id: string, fn: NodejsFunction, payload?: sfn.TaskInput) => {
      const task = new tasks.LambdaInvoke(this, id, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        // Our retry below replaces CDK's default (which has no jitter and no ceiling).
        retryOnServiceExceptions: false,
        ...(payload ? { payload } : {}),
      });
      task.addRetry({
        errors: LAMBDA_TRANSIENT_ERRORS,
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 6,
        maxDelay: Duration.minutes(1),
        jitterStrategy: sfn.JitterType.FULL,
      });
      return task;
    };

    const failedRun = new sfn.Fail(this, 'RunFailed', {
      error: 'AuditRunFailed',
      cause: 'The audit run failed; the run record in the results table says where and why',
    });
    const recordFailure = invoke('RecordFailure', this.failed).next(failedRun);
    const markFailed = (stepName: string) =>
      new sfn.Pass(this, `${stepName}Failed`, {
        result: sfn.Result.fromString(stepName),
        resultPath: '$.failedStep',
      }).next(recordFailure);

    const plan = invoke('PlanRun', this.plan);
    plan.addCatch(
      new sfn.Fail(this, 'PlanFailed', {
        error: 'PlanFailed',
        cause:
          'The plan step failed; it recorded the run failed and released the lock itself, or (an invalid suppressions file) took neither',
      }),
      {
        resultPath: '$.error',
      },
    );

    const collect = new sfn.DistributedMap(this, 'CollectAccounts', {
      comment: 'One collect child per batch of accounts; a failed child makes its accounts not scanned',
      itemReader: new sfn.S3JsonItemReader({
        bucket: this.bucket,
        key: sfn.JsonPath.stringAt('$.accountListKey'),
      }),
      itemBatcher: new sfn.ItemBatcher({
        maxItemsPerBatch: config.map.batchSize,
        // The child input must stay far below the 256 KiB state payload limit.
        maxInputBytesPerBatch: 128 * 1024,
        // Rendered as written: a `.$` key is a path into the map's input (the plan's output).
        batchInput: { 'runId.$': '$.runId' },
      }),
      maxConcurrency: config.map.maxConcurrency,
      toleratedFailurePercentage: config.map.toleratedFailurePercentage,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultWriterV2: new sfn.ResultWriterV2({ bucket: this.bucket, prefix: MAP_RESULTS_PREFIX }),
      // The children's summaries stay in the ResultWriter's files; the state keeps the plan's output.
      resultPath: sfn.JsonPath.DISCARD,
    });
    collect.itemProcessor(invoke('CollectBatch', this.collect));
    collect.addCatch(markFailed('CollectAccounts'), { resultPath: '$.error' });

    const evaluate = invoke('EvaluateRun', this.evaluate);
    evaluate.addCatch(markFailed('Evaluate'), { resultPath: '$.error' });

    const planned = new sfn.Choice(this, 'Planned')
      .when(sfn.Condition.stringEquals('$.status', 'planned'), collect.next(evaluate))
      .otherwise(new sfn.Succeed(this, 'SkippedLockHeld', { comment: 'Another run holds the run lock' }));

    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'irsa-auditor distributed audit run (docs/architecture.md)',
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(plan.next(planned)),
      timeout: EXECUTION_TIMEOUT,
      tracingEnabled: true,
      // Execution data stays out of the logs (partials never pass through the state anyway).
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    // The ItemReader and the ResultWriter read and write SSE-KMS objects.
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ArtifactObjectsThroughS3',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.bucketKeyArn()],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }),
    );
    return stateMachine;
  }

  private bucketKeyArn(): string {
    return this.bucket.encryptionKey!.keyArn;
  }

  private alarms(props: DistributedAuditProps): void {
    const action = new cloudwatchActions.SnsAction(props.topic);
    const stackName = (this.node.scopes[1] as unknown as { stackName?: string })?.stackName ?? 'IrsaAuditor';
    const alarms = [
      new cloudwatch.Alarm(this, 'FailedExecutionsAlarm', {
        alarmName: `${stackName}-distributed-run-failed`,
        alarmDescription:
          'An irsa-auditor distributed run failed, timed out or was aborted (see the execution and the run record).',
        metric: new cloudwatch.MathExpression({
          expression: 'failed + timedOut + aborted',
          usingMetrics: {
            failed: this.stateMachine.metricFailed({ statistic: cloudwatch.Stats.SUM }),
            timedOut: this.stateMachine.metricTimedOut({ statistic: cloudwatch.Stats.SUM }),
            aborted: this.stateMachine.metricAborted({ statistic: cloudwatch.Stats.SUM }),
          },
          period: Duration.hours(1),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      // A map run's failed children are tolerated; their accounts are reported not scanned. The
      // evaluate step counts them (DescribeMapRun has the same figure, but no metric per run).
      new cloudwatch.Alarm(this, 'MapRunFailuresAlarm', {
        alarmName: `${stackName}-distributed-collect-failures`,
        alarmDescription:
          'Collect children of an irsa-auditor distributed run failed or timed out: their accounts were not scanned.',
        metric: new cloudwatch.Metric({
          namespace: props.metricsNamespace,
          metricName: DISTRIBUTED_METRICS.partialsMissing,
          dimensionsMap: { service: props.serviceName },
          period: Duration.hours(1),
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'CollectErrorsAlarm', {
        alarmName: `${stackName}-distributed-collect-errors`,
        alarmDescription: 'The irsa-auditor collect step failed in a child (its accounts were not scanned).',
        metric: this.collect.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(action);
  }

  /** cdk-nag AwsSolutions findings accepted on purpose, each on the one resource it concerns. */
  private acknowledgeFindings(
    props: DistributedAuditProps,
    roles: { planRole: iam.Role; evaluateRole: iam.Role; failedRole: iam.Role },
  ): void {
    const stack = this.stateMachine.stack;
    const runObjects = `Resource::<${stack.resolve((this.bucket.node.defaultChild as s3.CfnBucket).logicalId)}.Arn>/${RUNS_PREFIX}*`;
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Run artifacts are written and read only by this stack’s steps and expire after a week; access is in CloudTrail (data events) where the organization enables them, and an access-log bucket would outlive the artifacts it logs',
    });
    Validations.of(roles.planRole.node.findChild('DefaultPolicy')).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'organizations:DescribeOrganization and organizations:ListAccounts support no resource-level permissions; ListAccountsForParent and ListOrganizationalUnitsForParent walk arbitrary OUs of the organization; all are read-only',
      },
      {
        id: `AwsSolutions-IAM5[${runObjects}]`,
        reason: 'One object per run under the runs prefix (run ids are not known at synth)',
      },
    );
    Validations.of(roles.evaluateRole.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[${runObjects}]`,
      reason:
        'The partial inventories of each run under the runs prefix (run ids and accounts are not known at synth)',
    });
    Validations.of(props.collectRole.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[${runObjects}]`,
      reason: 'One partial inventory per account and run under the runs prefix (not known at synth)',
    });
    const machinePolicy = this.stateMachine.role.node.findChild('DefaultPolicy');
    const fnArn = (fn: NodejsFunction) =>
      `AwsSolutions-IAM5[Resource::<${stack.resolve((fn.node.defaultChild as lambda.CfnFunction).logicalId)}.Arn>:*]`;
    Validations.of(machinePolicy).acknowledge(
      ...[this.plan, this.collect, this.evaluate, this.failed].map((fn) => ({
        id: fnArn(fn),
        reason:
          "Added by CDK's LambdaInvoke task (the function's versions and aliases); it names this one function only",
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudWatch Logs delivery and X-Ray actions of the state machine support no resource-level permissions (added by CDK for logging and tracing)',
      },
    );
    const bucketId = stack.resolve((this.bucket.node.defaultChild as s3.CfnBucket).logicalId);
    Validations.of(machinePolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${bucketId}>/*]`,
      reason:
        "Added by CDK for the Distributed Map's ItemReader (the run's account list) and ResultWriter (its results); this one bucket only",
    });
    const machineId = stack.resolve((this.stateMachine.node.defaultChild as sfn.CfnStateMachine).logicalId);
    const execution = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machineId}"}]}]}`;
    Validations.of(this.stateMachine.node.findChild('DistributedMapPolicy')).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${execution}:*]`,
        reason:
          'Added by CDK for the Distributed Map: the child executions of this state machine only (their names are generated)',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${execution}/*:*]`,
        reason:
          'Added by CDK for the Distributed Map: the map runs of this state machine only (their ids are generated)',
      },
    );
  }
}
