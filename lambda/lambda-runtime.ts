/**
 * What the audit Lambda (lambda/handler.ts) and the steps of the distributed mode (lambda/distributed/)
 * share as Lambda entries: the context they read, Powertools' logger and metrics, the collection
 * options the configuration gives, and the results table. One home, so both modes collect, log and
 * store the same way.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AuditMetrics, ResultsStore } from './app/ports';
import type { CollectOptionsInput } from './collect/options';
import type { HandlerConfig } from './config';
import { SETTINGS } from './settings/settings';
import { createDocumentClient, DynamoResultsStore } from './store/dynamo-store';

/** The part of the Lambda context the entries read. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
  /** `arn:<partition>:lambda:<region>:<account>:function:<name>`: the audit account, for Security Hub. */
  invokedFunctionArn?: string;
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

/** The collection options of the configuration, for run `runId` (its first 50 characters name the sessions). */
export function collectOptions(config: HandlerConfig, runId: string, deadline?: number): CollectOptionsInput {
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

/** The results table of the configuration, unless one is injected (tests). */
export function resultsStore(config: HandlerConfig, injected?: ResultsStore): ResultsStore {
  return (
    injected ??
    new DynamoResultsStore({
      tableName: config.tableName,
      client: createDocumentClient(),
      writePolicy: { historyRetentionDays: config.historyRetentionDays },
    })
  );
}
