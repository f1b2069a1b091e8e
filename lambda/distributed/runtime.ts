/**
 * What the three steps of the distributed mode share (docs/architecture.md "Distributed mode"): the
 * configuration (the audit Lambda's, plus the artifact bucket and the run lock lease), the adapters
 * they are built from, and the state passed between the steps.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { AuditMetrics, ResultsStore, RunLock } from '../app/ports';
import { RunArtifacts } from '../artifacts/run-artifacts';
import type { CollectDeps } from '../collect/collect';
import type { CollectOptionsInput } from '../collect/options';
import { type HandlerConfig, loadHandlerConfig } from '../config';
import { SettingsReader } from '../settings/read';
import { SETTINGS, type Setting } from '../settings/settings';
import { createDocumentClient, DynamoResultsStore } from '../store/dynamo-store';

/** The part of the Lambda context the steps read. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

export interface DistributedConfig extends HandlerConfig {
  artifactBucket: string;
  /** The plan's lock lease: long enough for the whole execution (the state machine's timeout). */
  runLockTtlSeconds: number;
}

/** What every step needs from outside; everything has a production default (tests inject). */
export interface StepDeps {
  env?: NodeJS.ProcessEnv;
  store?: ResultsStore;
  artifacts?: RunArtifacts;
  sns?: SNSClient;
  collectDeps?: CollectDeps;
  logger?: Logger;
  metrics?: Metrics;
  clock?: () => Date;
}

/** The plan's output: the state every later step receives (small: the account list stays in S3). */
export interface PlannedRun {
  status: 'planned';
  runId: string;
  startedAt: string;
  lock: RunLock;
  /** Where the account list is (the Distributed Map's ItemReader reads it). */
  bucket: string;
  accountListKey: string;
  accounts: number;
}

export function loadDistributedConfig(env: NodeJS.ProcessEnv): DistributedConfig {
  const base = loadHandlerConfig(env);
  const read = new SettingsReader('environment', (setting: Setting) =>
    setting.env === undefined ? undefined : env[setting.env],
  );
  const config: DistributedConfig = {
    ...base,
    artifactBucket: read.string(SETTINGS.artifactBucket, { required: true }) ?? '',
    runLockTtlSeconds: read.integer(SETTINGS.runLockTtlSeconds) ?? SETTINGS.runLockTtlSeconds.default,
  };
  read.finish();
  return config;
}

export function createLogger(): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'irsa-auditor' });
}

export function createMetrics(): Metrics {
  return new Metrics({
    namespace: process.env[SETTINGS.metricsNamespace.env] ?? SETTINGS.metricsNamespace.default,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'irsa-auditor',
  });
}

export function metricsSink(metrics: Metrics): AuditMetrics {
  return {
    addMetric: (name, unit, value) =>
      metrics.addMetric(name, unit === 'Milliseconds' ? MetricUnit.Milliseconds : MetricUnit.Count, value),
  };
}

export function storeOf(config: DistributedConfig, deps: StepDeps): ResultsStore {
  return (
    deps.store ??
    new DynamoResultsStore({
      tableName: config.tableName,
      client: createDocumentClient(),
      writePolicy: { historyRetentionDays: config.historyRetentionDays },
    })
  );
}

export function artifactsOf(config: DistributedConfig, deps: StepDeps): RunArtifacts {
  return deps.artifacts ?? new RunArtifacts({ client: new S3Client({}), bucket: config.artifactBucket });
}

/** The collection options of the audit Lambda (lambda/handler.ts), for a step of the distributed mode. */
export function collectOptions(
  config: DistributedConfig,
  runId: string,
  deadline?: number,
): CollectOptionsInput {
  return {
    runId: runId.slice(0, 50),
    roleName: config.memberRoleName,
    // The function role may only assume the member role: the audit account is read through it like
    // every other (docs/deployment.md §4).
    assumeRoleInOwnAccount: true,
    externalId: config.externalId,
    regions: config.regions,
    accounts: config.accounts,
    excludeAccounts: config.excludeAccounts,
    ous: config.ous,
    concurrency: config.concurrency,
    accountConcurrency: config.accountConcurrency,
    deadline,
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^[A-Z][A-Za-z]+$/.test(code) ? code : 'InternalError';
}
