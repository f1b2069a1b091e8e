import type { Finding } from './findings';
import type { Severity } from './model';
import type { ScanSuppressions } from './suppressions';

/** A check that did not run for a scope it needs (e.g. Kubernetes data of an unreachable cluster). */
export interface SkippedCheck {
  checkId: string;
  accountId: string;
  region?: string;
  cluster?: string;
  reason: string;
}

/** A check that threw on one resource: recorded, never fatal, never silent. */
export interface CheckError {
  checkId: string;
  resource: string;
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
