/**
 * The names of the metrics a run emits (EMF, through the `AuditMetrics` port). The pipeline and the
 * handler emit them; the CDK stack's alarms watch them (docs/deployment.md).
 */
import type { Severity } from '../core/model';

export const METRICS = {
  /** Emitted once per run that stored its results; the "no successful run" alarm watches it. */
  runsSucceeded: 'RunsSucceeded',
  runFailed: 'RunFailed',
  newFindings: 'NewFindings',
  resolvedFindings: 'ResolvedFindings',
  openFindings: 'OpenFindings',
  accountsAudited: 'AccountsAudited',
  accountsFailed: 'AccountsFailed',
  clustersUnreachable: 'ClustersUnreachable',
  coverageErrors: 'CoverageErrors',
  runDuration: 'RunDuration',
  /** Publishes that failed in this run (this run's notification or an earlier pending one). */
  notificationFailed: 'NotificationFailed',
  /** Notifications stored and not yet delivered after this run (the outbox backlog). */
  notificationsPending: 'NotificationsPending',
  /**
   * Exporters whose outcome this run is `partial` or `failed` (Security Hub, the report bucket);
   * emitted only when exporters are configured. The "exports failed" alarm watches it.
   */
  exportsFailed: 'ExportsFailed',
  /** Findings the exporters' destinations refused this run (Security Hub's FailedFindings / UnprocessedFindings). */
  exportFindingsRefused: 'ExportFindingsRefused',
} as const;

/** Findings of a run by severity: `FindingsCritical`, `FindingsHigh`… */
export function findingsMetric(severity: Severity): string {
  return `Findings${severity[0].toUpperCase()}${severity.slice(1)}`;
}
