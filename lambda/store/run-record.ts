/** Building run records (pure): what a run audited, could not see, found and changed. */
import type { Drift } from '../core/drift';
import type { Finding } from '../core/findings';
import type { Inventory, Severity } from '../core/model';
import { SEVERITIES } from '../core/model';
import type { ScanResult } from '../core/scan-result';
import { LIMITS } from './items';
import type {
  RunAudited,
  RunCoverageError,
  RunRecord,
  SeverityCounts,
  StoredFinding,
  WriteStats,
} from './types';

export function emptySeverityCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
}

export function countBySeverity(findings: readonly Pick<Finding, 'severity'>[]): SeverityCounts {
  const counts = emptySeverityCounts();
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

export function startRunRecord(runId: string, startedAt: Date, trigger?: string): RunRecord {
  return {
    schemaVersion: 1,
    runId,
    status: 'running',
    ...(trigger === undefined ? {} : { trigger }),
    startedAt: startedAt.toISOString(),
  };
}

export function auditedOf(inventory: Inventory): RunAudited {
  const audited: RunAudited = {
    accounts: inventory.accounts.length,
    accountsFailed: 0,
    regionsFailed: 0,
    clusters: 0,
    clustersUnreachable: 0,
    roles: 0,
    serviceAccounts: 0,
    pods: 0,
  };
  for (const account of inventory.accounts) {
    if (account.errors.some((error) => error.scope === 'account')) audited.accountsFailed++;
    audited.regionsFailed += account.errors.filter((error) => error.scope === 'region').length;
    audited.roles += account.roles.length;
    for (const cluster of account.clusters) {
      audited.clusters++;
      if (cluster.kubernetes.status !== 'ok') audited.clustersUnreachable++;
      audited.serviceAccounts += cluster.serviceAccounts.length;
      audited.pods += cluster.pods.length;
    }
  }
  return audited;
}

export function coverageErrorsOf(inventory: Inventory): { errors: RunCoverageError[]; count: number } {
  const errors: RunCoverageError[] = [];
  let count = 0;
  for (const account of inventory.accounts) {
    for (const error of account.errors) {
      count++;
      if (errors.length >= LIMITS.runCoverageErrors) continue;
      errors.push({
        accountId: account.accountId,
        scope: error.scope,
        ...(error.region === undefined ? {} : { region: error.region }),
        ...(error.cluster === undefined ? {} : { cluster: error.cluster }),
        code: error.code.slice(0, 100),
        message:
          error.message.length > LIMITS.runErrorMessage
            ? `${error.message.slice(0, LIMITS.runErrorMessage - 1)}…`
            : error.message,
      });
    }
  }
  return { errors, count };
}

export interface CompletedRun {
  endedAt: Date;
  inventory: Inventory;
  scan: ScanResult;
  drift: Drift<StoredFinding>;
  writes: WriteStats;
}

/** The record after the results are stored; `partial` when something could not be collected. */
export function completeRunRecord(started: RunRecord, run: CompletedRun): RunRecord {
  const coverage = coverageErrorsOf(run.inventory);
  const open = [...run.drift.new, ...run.drift.stillOpen];
  return {
    ...started,
    status: coverage.count > 0 ? 'partial' : 'succeeded',
    endedAt: run.endedAt.toISOString(),
    durationMs: run.endedAt.getTime() - Date.parse(started.startedAt),
    audited: auditedOf(run.inventory),
    coverageErrors: coverage.errors,
    coverageErrorCount: coverage.count,
    findingsBySeverity: countBySeverity(run.scan.findings),
    openBySeverity: countBySeverity(open),
    newBySeverity: countBySeverity(run.drift.new),
    resolvedBySeverity: countBySeverity(run.drift.resolved),
    drift: {
      new: run.drift.new.length,
      resolved: run.drift.resolved.length,
      open: open.length,
      unverified: run.drift.unverified.length,
      outOfScope: run.drift.outOfScope.length,
    },
    skippedChecks: run.scan.skipped.length,
    checkErrors: run.scan.checkErrors.length,
    writes: run.writes,
  };
}

export function failedRunRecord(
  started: RunRecord,
  endedAt: Date,
  error: { stage: string; code: string; message: string },
): RunRecord {
  return {
    ...started,
    status: 'failed',
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - Date.parse(started.startedAt),
    error: { ...error, message: error.message.slice(0, LIMITS.runErrorMessage) },
  };
}
