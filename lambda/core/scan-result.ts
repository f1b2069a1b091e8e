import type { Finding, FindingResource } from './findings';
import type { Part, Severity } from './model';

/** A check that did not run for a scope it needs (e.g. Kubernetes data of an unreachable cluster). */
export interface SkippedCheck {
  checkId: string;
  accountId: string;
  region?: string;
  cluster?: string;
  /** The part that was not read. */
  part?: Part;
  reason: string;
}

/**
 * A check that threw on one resource: recorded, never fatal, never silent. The resource is then not
 * covered for that check: drift keeps the check's findings there open, and `scan`/`run` exit non-zero.
 */
export interface CheckError {
  checkId: string;
  /** The resource, for people. */
  resource: string;
  /** The resource as findings locate theirs: a finding of this check whose resource matches every field set here. */
  at?: FindingResource;
  message: string;
}

export interface ScanSummary {
  accounts: number;
  clusters: number;
  roles: number;
  serviceAccounts: number;
  pods: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  byCheck: Record<string, number>;
  coverageErrors: number;
  skippedChecks: number;
  checkErrors: number;
}

/** The engine's output; `irsa-audit scan --format json` prints it (docs/output.md). */
export interface ScanResult {
  schemaVersion: 1;
  generatedAt?: string;
  summary: ScanSummary;
  findings: Finding[];
  skipped: SkippedCheck[];
  checkErrors: CheckError[];
  /** Present when a suppressions file was applied (docs/suppressions.md). */
  suppressions?: ScanSuppressions;
}

/** A suppression entry's state in a run (docs/suppressions.md). */
export type SuppressionState = 'active' | 'expired' | 'stale';

/** An entry as reports show it (JSON output, run records). */
export interface SuppressionReportEntry {
  index: number;
  state: SuppressionState;
  matched: number;
  fingerprint?: string;
  check?: string;
  /** Resource patterns by name (account, role, cluster, namespace, serviceAccount). */
  patterns: Record<string, string>;
  reason: string;
  owner: string;
  expires: string;
}

/** What `scan --format json` adds under `suppressions` (docs/output.md). */
export interface ScanSuppressions {
  /** The file, as given. */
  source?: string;
  /** The day expiry was judged on (YYYY-MM-DD). */
  asOf: string;
  /** Findings left out of `findings` and of the summary counts. */
  suppressed: number;
  entries: SuppressionReportEntry[];
  /** With `--show-suppressed`: the suppressed findings, each with the index of its entry. */
  findings?: (Finding & { suppressedBy: number })[];
}
