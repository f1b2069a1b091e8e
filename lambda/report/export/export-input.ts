/**
 * What every export format renders (docs/output.md): findings with their status, when the run was,
 * which version of the tool produced them, and what the run could not see. Built from a scan result
 * (`scan`, `run`) or from stored findings (`findings`), so each format is one function of one input.
 */
import type { StoredFinding } from '../../app/stored-finding';
import { withoutLifecycle } from '../../app/stored-finding';
import type { Finding } from '../../core/findings';
import type { CheckError, ScanResult } from '../../core/scan-result';

/** `open` (reported now), `resolved` (stored, no longer reported), `suppressed` (accepted risk). */
export type ExportStatus = 'open' | 'resolved' | 'suppressed';

export interface ExportFinding extends Finding {
  status: ExportStatus;
  /** Complete one-line fix commands (docs/output.md). */
  commands?: string[];
  /** ISO times from the results table; absent for an offline scan. */
  firstSeen?: string;
  lastSeen?: string;
  resolvedAt?: string;
}

export interface ExportInput {
  /** ISO time of the run (or of the query, for stored findings). */
  generatedAt: string;
  toolVersion: string;
  findings: readonly ExportFinding[];
  /** Coverage errors of the run: parts of the organization it could not read. */
  coverageErrors: number;
  /** Checks that failed on a resource: the results are incomplete for that resource. */
  checkErrors: readonly CheckError[];
}

export interface ExportMeta {
  generatedAt: string;
  toolVersion: string;
}

export function exportInputOfScan(result: ScanResult, meta: ExportMeta): ExportInput {
  return {
    generatedAt: result.generatedAt ?? meta.generatedAt,
    toolVersion: meta.toolVersion,
    findings: result.findings.map((finding) => ({ ...finding, status: 'open' })),
    coverageErrors: result.summary.coverageErrors,
    checkErrors: result.checkErrors,
  };
}

export function exportInputOfStored(findings: readonly StoredFinding[], meta: ExportMeta): ExportInput {
  return {
    generatedAt: meta.generatedAt,
    toolVersion: meta.toolVersion,
    findings: findings.map((stored) => ({
      ...withoutLifecycle(stored),
      status: stored.status,
      firstSeen: stored.firstSeen,
      lastSeen: stored.lastSeen,
      ...(stored.resolvedAt === undefined ? {} : { resolvedAt: stored.resolvedAt }),
    })),
    coverageErrors: 0,
    checkErrors: [],
  };
}
