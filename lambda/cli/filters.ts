/**
 * The finding filters of `scan`, `run` and `demo` (`--severity`, `--check`, `--skip-check`) and the
 * `--fail-on` gate, which reads the filtered findings: what is not shown does not fail the build.
 */
import type { Severity } from '../core/model';
import type { ScanResult } from '../core/scan-result';
import { checkIdsOf, severitiesOf, type Values } from './args';

export interface FindingSelection {
  severities?: ReadonlySet<Severity>;
  checks?: ReadonlySet<string>;
  skipChecks?: ReadonlySet<string>;
}

export const FILTER_FLAGS = ['severity', 'check', 'skip-check'] as const;

export function selectionOf(values: Values): FindingSelection {
  return {
    severities: severitiesOf(values, 'severity'),
    checks: checkIdsOf(values, 'check'),
    skipChecks: checkIdsOf(values, 'skip-check'),
  };
}

function selected(finding: { severity: Severity; checkId: string }, selection: FindingSelection): boolean {
  return (
    (!selection.severities || selection.severities.has(finding.severity)) &&
    (!selection.checks || selection.checks.has(finding.checkId)) &&
    !selection.skipChecks?.has(finding.checkId)
  );
}

/** The result with only the selected findings; the summary's finding counts follow. */
export function filterScan(result: ScanResult, selection: FindingSelection): ScanResult {
  if (!selection.severities && !selection.checks && !selection.skipChecks) return result;
  const findings = result.findings.filter((finding) => selected(finding, selection));
  const bySeverity = Object.fromEntries(
    Object.keys(result.summary.bySeverity).map((key) => [key, 0]),
  ) as Record<Severity, number>;
  const byCheck: Record<string, number> = {};
  for (const finding of findings) {
    bySeverity[finding.severity]++;
    byCheck[finding.checkId] = (byCheck[finding.checkId] ?? 0) + 1;
  }
  return {
    ...result,
    findings,
    summary: { ...result.summary, findings: findings.length, bySeverity, byCheck },
  };
}

/** `--fail-on SEV`: a finding at SEV or worse; `--fail-on A,B`: a finding of exactly those. */
export function meetsFailOn(result: ScanResult, failOn: ReadonlySet<Severity>): boolean {
  return result.findings.some((finding) => failOn.has(finding.severity));
}

export function matchesSelection(
  finding: { severity: Severity; checkId: string },
  selection: FindingSelection,
): boolean {
  return selected(finding, selection);
}
