/**
 * What the audit Lambda (lambda/handler.ts) and the steps of the distributed mode (lambda/distributed/)
 * share as Lambda entries: the context they read, Powertools' logger and metrics, the collection
 * options the configuration gives, the results table, and what a run applies besides the checks (the
 * bundled suppressions file, the exporters, the report link) with the result fields that report them.
 * One home, so both modes collect, suppress, log, store and export the same way.
 */
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import packageJson from '../package.json';
import type { AuditDeps, RunSummary } from './app/pipeline';
import type { AuditMetrics, ResultsStore } from './app/ports';
import type { CollectOptionsInput } from './collect/options';
import type { HandlerConfig } from './config';
import { type ExporterClients, exportersFor } from './exporters';
import { SETTINGS } from './settings/settings';
import { createDocumentClient, DynamoResultsStore } from './store/dynamo-store';
import { type LoadedSuppressions, loadSuppressionsFile } from './suppressions-file';

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

/** What the suppressions file and the exporters take from outside (tests inject). */
export interface RunOutputDeps {
  /** The clients of the exporters (Security Hub, the report bucket); tests inject mocks or a local server. */
  exporterClients?: ExporterClients;
  /** Where a relative suppressions file is looked up (default: the function's directory, /var/task). */
  functionDir?: string;
}

/** The pipeline's inputs from the suppressions file and the exporters of the configuration. */
export type RunOutputs = Pick<AuditDeps, 'suppressions' | 'exporters' | 'reportLink'>;

/**
 * The suppressions file the CDK app bundled (docs/suppressions.md), read and judged as of the run's
 * start; undefined when the deployment has none. An invalid file throws (after logging it): no audit
 * is run rather than one that alerts on accepted risks or hides new ones. The single handler and the
 * distributed plan call it before the run lock; the evaluate step again (through `runOutputs`).
 */
export function bundledSuppressions(
  config: HandlerConfig,
  run: { startedAt: Date; logger: Logger; deps: RunOutputDeps },
): LoadedSuppressions | undefined {
  if (!config.suppressionsFile) return undefined;
  try {
    return loadSuppressionsFile(
      resolve(run.deps.functionDir ?? __dirname, config.suppressionsFile),
      run.startedAt,
      config.suppressionsFile,
    );
  } catch (error) {
    run.logger.error('the suppressions file is invalid; no audit was run', {
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}

/**
 * The bundled suppressions file (`bundledSuppressions`, which throws on an invalid file) and the
 * exporters with the notification's report link (docs/deployment.md §14).
 */
export function runOutputs(
  config: HandlerConfig,
  run: {
    startedAt: Date;
    env: NodeJS.ProcessEnv;
    context: InvocationContext;
    logger: Logger;
    deps: RunOutputDeps;
  },
): RunOutputs {
  const suppressions = bundledSuppressions(config, run);
  const { exporters, reportLink } = exportersFor(
    config,
    run.env.AWS_REGION ?? 'us-east-1',
    run.context.invokedFunctionArn?.split(':')[4],
    packageJson.version,
    run.deps.exporterClients,
  );
  return {
    ...(suppressions
      ? { suppressions: { entries: suppressions.suppressions, source: suppressions.source } }
      : {}),
    exporters,
    ...(reportLink ? { reportLink } : {}),
  };
}

/** What an entry (the audit function, the evaluate step) returns and logs about a completed run. */
export interface CompletedRunFields {
  runId: string;
  accounts: { audited: number; failed: number };
  findings: number;
  drift: { new: number; resolved: number; open: number };
  notification: string;
  /** Present when a suppressions file was used or findings are suppressed (docs/suppressions.md). */
  suppressions?: { suppressed: number; reopened: number; expiredEntries: number; staleEntries: number };
  /** Each exporter's outcome (`securityHub: ok`). */
  exports?: string[];
}

export function completedRunFields(summary: RunSummary): CompletedRunFields {
  const { record } = summary;
  const failed = record.audited?.accountsFailed ?? 0;
  return {
    runId: summary.runId,
    accounts: { audited: (record.audited?.accounts ?? 0) - failed, failed },
    findings: summary.scan.findings.length,
    drift: {
      new: summary.drift.new.length,
      resolved: summary.drift.resolved.length,
      open: summary.drift.stillOpen.length + summary.drift.new.length,
    },
    notification: summary.notificationOutcome.status,
    ...(record.suppressions
      ? {
          suppressions: {
            suppressed: record.suppressions.suppressed,
            reopened: record.suppressions.reopened,
            expiredEntries: record.suppressions.expiredEntries,
            staleEntries: record.suppressions.staleEntries,
          },
        }
      : {}),
    ...(record.exports ? { exports: record.exports.map((e) => `${e.name}: ${e.status}`) } : {}),
  };
}
