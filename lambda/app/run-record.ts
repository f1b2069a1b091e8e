/**
 * Run records (pure): what a run audited, could not see, found, changed and published
 * (docs/results-table.md, docs/notifications.md).
 */
import { type Coverage, gapCounts } from '../core/coverage';
import type { Drift } from '../core/drift';
import type { Finding } from '../core/findings';
import type { Inventory, Severity } from '../core/model';
import { SEVERITIES } from '../core/model';
import type { ScanResult } from '../core/scan-result';
import type { SuppressedDrift } from '../core/suppressions';
import type { NotifyMode } from './notify-mode';
import type { StoredFinding } from './stored-finding';

/** What a run record keeps of coverage errors, so one record stays a small item. */
const RUN_RECORD_LIMITS = {
  coverageErrors: 100,
  errorMessage: 300,
} as const;

export type NotificationStatus = 'pending' | 'published' | 'skipped' | 'disabled' | 'failed';

export interface NotificationOutcome {
  mode: NotifyMode;
  status: NotificationStatus;
  /** Why it was skipped/disabled, or the error of a failed publish (never credentials). */
  detail?: string;
  messageId?: string;
  /** Publish attempts, over every run that tried. */
  attempts?: number;
  /** The later run that delivered this run's pending notification. */
  deliveredBy?: string;
  truncated?: boolean;
  bytes?: number;
}

export interface RunCoverageError {
  accountId: string;
  scope: 'account' | 'region' | 'cluster';
  region?: string;
  cluster?: string;
  code: string;
  message: string;
}

/**
 * `abandoned`: the run never recorded its end (a Lambda timeout or crash); the next run marks it
 * (docs/results-table.md, "Runs that end badly").
 */
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'abandoned';

export interface RunAudited {
  accounts: number;
  /** Accounts with an account-scope error (unreachable, not scanned before the deadline). */
  accountsFailed: number;
  regionsFailed: number;
  clusters: number;
  /** Clusters whose Kubernetes API was not read. */
  clustersUnreachable: number;
  roles: number;
  serviceAccounts: number;
  pods: number;
}

export interface RunDriftCounts {
  new: number;
  resolved: number;
  /** Open after this run (new + still open, including unverified). */
  open: number;
  /** Kept open only because their scope was not collected. */
  unverified: number;
  /** Open findings of accounts outside this run's scope, left untouched. */
  outOfScope: number;
}

export type SeverityCounts = Record<Severity, number>;

/** One audit run (docs/results-table.md). */
export interface RunRecord {
  schemaVersion: 1;
  runId: string;
  status: RunStatus;
  /** What started it: `schedule`, `cli`, `demo`… */
  trigger?: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  audited?: RunAudited;
  /** The first coverage errors (capped), and how many there were. */
  coverageErrors?: RunCoverageError[];
  coverageErrorCount?: number;
  /** Findings this run produced, by severity. */
  findingsBySeverity?: SeverityCounts;
  /** Open findings after this run, by severity. */
  openBySeverity?: SeverityCounts;
  newBySeverity?: SeverityCounts;
  resolvedBySeverity?: SeverityCounts;
  drift?: RunDriftCounts;
  suppressions?: RunSuppressions;
  skippedChecks?: number;
  checkErrors?: number;
  writes?: WriteStats;
  notification?: NotificationOutcome;
  /** Why the run failed (stage, stable code, message without secrets). */
  error?: { stage: string; code: string; message: string };
  /** The run that found this one abandoned. */
  abandonedBy?: string;
  /** What each exporter did with the run (Security Hub, the report bucket). */
  exports?: ExportOutcome[];
}

/** One exporter's result for a run (`RunExporter`, app/ports.ts). */
export interface ExportOutcome {
  name: string;
  status: 'ok' | 'partial' | 'failed';
  /** One line: what was sent, or why not. */
  detail: string;
  /** Where the result is, e.g. the run's HTML report. */
  link?: string;
  /** Findings to send again with the next run (capped; the detail counts the rest). */
  carry?: Finding[];
  /**
   * Findings the destination refused this run (0 when none), from exporters that count them per
   * finding (Security Hub); the `ExportFindingsRefused` metric sums it.
   */
  refused?: number;
}

export interface WriteStats {
  opened: number;
  resolved: number;
  /** Still-open findings rewritten because their content changed. */
  updated: number;
  /** Still-open findings rewritten only to refresh `lastSeen` or to clear `unverifiedSince`. */
  refreshed: number;
  /** Still-open findings marked unverified (first run of a coverage gap). */
  markedUnverified: number;
  /** Still-open findings left untouched (no write). */
  unchanged: number;
  /** Findings suppressed by this run (new ones included), and suppressed ones open again. */
  suppressed: number;
  unsuppressed: number;
  /** Items written (state + events) and DynamoDB requests made. */
  itemsWritten: number;
  requests: number;
  retries: number;
}

function emptySeverityCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
}

function countBySeverity(findings: readonly Pick<Finding, 'severity'>[]): SeverityCounts {
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

function auditedOf(inventory: Inventory, coverage: Coverage): RunAudited {
  const gaps = gapCounts(coverage);
  const audited: RunAudited = {
    accounts: inventory.accounts.length,
    accountsFailed: gaps.accountsNotRead,
    regionsFailed: gaps.regionsNotListed,
    clusters: 0,
    clustersUnreachable: gaps.clustersNotRead,
    roles: 0,
    serviceAccounts: 0,
    pods: 0,
  };
  for (const account of inventory.accounts) {
    audited.roles += account.roles.length;
    for (const cluster of account.clusters) {
      audited.clusters++;
      audited.serviceAccounts += cluster.serviceAccounts.length;
      audited.pods += cluster.pods.length;
    }
  }
  return audited;
}

function coverageErrorsOf(inventory: Inventory): { errors: RunCoverageError[]; count: number } {
  const errors: RunCoverageError[] = [];
  let count = 0;
  for (const account of inventory.accounts) {
    for (const error of account.errors) {
      count++;
      if (errors.length >= RUN_RECORD_LIMITS.coverageErrors) continue;
      errors.push({
        accountId: account.accountId,
        scope: error.scope,
        ...(error.region === undefined ? {} : { region: error.region }),
        ...(error.cluster === undefined ? {} : { cluster: error.cluster }),
        code: error.code.slice(0, 100),
        message:
          error.message.length > RUN_RECORD_LIMITS.errorMessage
            ? `${error.message.slice(0, RUN_RECORD_LIMITS.errorMessage - 1)}…`
            : error.message,
      });
    }
  }
  return { errors, count };
}

export interface CompletedRun {
  endedAt: Date;
  inventory: Inventory;
  /** What the run read (core/coverage.ts), as drift used it. */
  coverage: Coverage;
  scan: ScanResult;
  /** As alerts see it (suppressed findings left out). */
  drift: Drift<StoredFinding>;
  writes: WriteStats;
  suppression?: SuppressedDrift<StoredFinding>;
  suppressionsSource?: string;
}

/** What the suppressions file did in a run (docs/suppressions.md). */
export interface RunSuppressions {
  source?: string;
  entries: number;
  /** Findings suppressed after this run (out-of-scope ones included). */
  suppressed: number;
  newlySuppressed: number;
  reopened: number;
  expiredEntries: number;
  staleEntries: number;
}

/** The record after the results are stored; `partial` when something could not be collected. */
export function completeRunRecord(started: RunRecord, run: CompletedRun): RunRecord {
  const errors = coverageErrorsOf(run.inventory);
  const open = [...run.drift.new, ...run.drift.stillOpen];
  return {
    ...started,
    // A check that failed on a resource leaves it uncovered for that check, like a coverage error.
    status: errors.count > 0 || run.scan.checkErrors.length > 0 ? 'partial' : 'succeeded',
    endedAt: run.endedAt.toISOString(),
    durationMs: run.endedAt.getTime() - Date.parse(started.startedAt),
    audited: auditedOf(run.inventory, run.coverage),
    coverageErrors: errors.errors,
    coverageErrorCount: errors.count,
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
    ...(run.suppression && suppressionsUsed(run.suppression)
      ? { suppressions: runSuppressions(run.suppression, run.suppressionsSource) }
      : {}),
    skippedChecks: run.scan.skipped.length,
    checkErrors: run.scan.checkErrors.length,
    writes: run.writes,
  };
}

/** A run without a file and without suppressed findings records nothing about suppressions. */
function suppressionsUsed(suppression: SuppressedDrift<StoredFinding>): boolean {
  return suppression.entries.length > 0 || suppression.suppressed.size > 0 || suppression.reopened.length > 0;
}

function runSuppressions(suppression: SuppressedDrift<StoredFinding>, source?: string): RunSuppressions {
  return {
    ...(source === undefined ? {} : { source }),
    entries: suppression.entries.length,
    suppressed: suppression.suppressed.size,
    newlySuppressed: suppression.newlySuppressed.length,
    reopened: suppression.reopened.length,
    expiredEntries: suppression.entries.filter((entry) => entry.state === 'expired').length,
    staleEntries: suppression.entries.filter((entry) => entry.state === 'stale').length,
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
    error: { ...error, message: error.message.slice(0, RUN_RECORD_LIMITS.errorMessage) },
  };
}
