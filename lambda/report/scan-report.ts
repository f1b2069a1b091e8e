/**
 * Renders a ScanResult as an 80-column terminal table grouped by severity, as Markdown, or as the
 * stable JSON document of docs/output.md. Pure functions of the result.
 */
import type { Finding } from '../core/findings';
import type { Severity } from '../core/model';
import { SEVERITIES } from '../core/model';
import type { ScanResult } from '../core/scan-result';
import { resourceLabel } from './labels';
import { indentCode, plural, wrap } from './text';

export type ReportFormat = 'table' | 'json' | 'markdown';
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'json', 'markdown'];

function summaryLine(result: ScanResult): string {
  const s = result.summary;
  return `${plural(s.accounts, 'account')}, ${plural(s.clusters, 'cluster')}, ${plural(s.roles, 'role')}, ${plural(s.serviceAccounts, 'service account')}, ${plural(s.pods, 'pod')}`;
}

function countsLine(result: ScanResult): string {
  const counts = SEVERITIES.filter((severity) => result.summary.bySeverity[severity] > 0).map(
    (severity) => `${result.summary.bySeverity[severity]} ${severity}`,
  );
  return counts.length ? counts.join(', ') : 'none';
}

/** What the scan could not see or check: collection errors, skipped clusters, failed checks. */
function scanGapNotes(result: ScanResult): string[] {
  const notes: string[] = [];
  if (result.summary.coverageErrors > 0) {
    notes.push(
      `${plural(result.summary.coverageErrors, 'coverage error')} (see scan.* findings): not everything was seen.`,
    );
  }
  if (result.skipped.length > 0) {
    const clusters = new Set(result.skipped.map((s) => `${s.accountId}/${s.region}/${s.cluster}`));
    notes.push(`Kubernetes checks skipped for ${plural(clusters.size, 'unreadable cluster')}.`);
  }
  if (result.checkErrors.length > 0) {
    notes.push(
      `${plural(result.checkErrors.length, 'check error')} (a check failed on a resource; results are incomplete):`,
    );
    for (const error of result.checkErrors.slice(0, 10))
      notes.push(`  ${error.checkId} on ${error.resource}: ${error.message}`);
  }
  return notes;
}

/** How many findings a suppressions file left out, and where to see them (docs/suppressions.md). */
function suppressedLine(result: ScanResult): string | undefined {
  const suppressions = result.suppressions;
  if (!suppressions || suppressions.suppressed === 0) return undefined;
  return `Suppressed: ${plural(suppressions.suppressed, 'finding')} accepted in ${suppressions.source ?? 'the suppressions file'}${
    suppressions.findings ? '' : ' (--show-suppressed lists them)'
  }.`;
}

function renderSuppressedText(result: ScanResult, width: number): string[] {
  const suppressions = result.suppressions;
  if (!suppressions?.findings?.length) return [];
  const entries = new Map(suppressions.entries.map((entry) => [entry.index, entry]));
  const out = ['', `SUPPRESSED (${suppressions.findings.length})`, '─'.repeat(Math.min(width, 40))];
  for (const finding of suppressions.findings) {
    const entry = entries.get(finding.suppressedBy);
    out.push(...wrap(`[${finding.severity}] ${finding.checkId}  ${resourceLabel(finding.resource)}`, width));
    if (entry) {
      out.push(
        ...wrap(
          `suppressions[${entry.index}] until ${entry.expires} (${entry.owner}): ${entry.reason}`,
          width,
          '    ',
        ),
      );
    }
    out.push(...wrap(`id ${finding.fingerprint}`, width, '    '));
  }
  return out;
}

function renderScanText(result: ScanResult, width = 80): string {
  const out: string[] = [];
  out.push(...wrap(`irsa-audit: ${summaryLine(result)}`, width));
  out.push(...wrap(`Findings: ${result.findings.length} (${countsLine(result)})`, width));
  const suppressed = suppressedLine(result);
  if (suppressed) out.push(...wrap(suppressed, width));
  for (const note of scanGapNotes(result)) out.push(...wrap(note, width));
  for (const severity of SEVERITIES) {
    const group = result.findings.filter((finding) => finding.severity === severity);
    if (group.length === 0) continue;
    out.push('', `${severity.toUpperCase()} (${group.length})`, '─'.repeat(Math.min(width, 40)));
    for (const finding of group) out.push(...renderFindingBlock(finding, width));
  }
  if (result.findings.length === 0) out.push('', 'No findings.');
  out.push(...renderSuppressedText(result, width));
  return `${out.join('\n')}\n`;
}

function renderFindingBlock(finding: Finding, width: number): string[] {
  const lines: string[] = [];
  lines.push(...wrap(`${finding.checkId}  ${finding.title}`, width));
  lines.push(...wrap(resourceLabel(finding.resource), width, '    '));
  lines.push(...wrap(finding.message, width, '    '));
  const [first, ...rest] = finding.remediation.split('\n');
  lines.push(...wrap(`fix: ${first}`, width, '    '));
  if (rest.length) lines.push(...indentCode(rest.join('\n'), '      '));
  lines.push(...wrap(`id ${finding.fingerprint}`, width, '    '));
  lines.push('');
  return lines;
}

function mdEscape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}

export function renderMarkdown(result: ScanResult): string {
  const out: string[] = ['# irsa-audit report', '', `Scanned ${summaryLine(result)}.`, ''];
  out.push('| severity | findings |', '|---|---|');
  for (const severity of SEVERITIES) out.push(`| ${severity} | ${result.summary.bySeverity[severity]} |`);
  const suppressed = suppressedLine(result);
  const notes = [...(suppressed ? [suppressed] : []), ...scanGapNotes(result)];
  if (notes.length) out.push('', ...notes.map((note) => `> ${note}`));
  for (const severity of SEVERITIES) {
    const group = result.findings.filter((finding) => finding.severity === severity);
    if (group.length === 0) continue;
    out.push(
      '',
      `## ${severity} (${group.length})`,
      '',
      '| check | resource | finding | fix |',
      '|---|---|---|---|',
    );
    for (const finding of group) {
      out.push(
        `| \`${finding.checkId}\` | ${mdEscape(resourceLabel(finding.resource))} | ${mdEscape(finding.message)} | ${mdEscape(finding.remediation)} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

function renderJson(result: ScanResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

export function renderScan(result: ScanResult, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return renderJson(result);
    case 'markdown':
      return renderMarkdown(result);
    default:
      return renderScanText(result);
  }
}

/** Whether a finding at or above `threshold` exists (the `--fail-on` rule). */
export function meetsFailOn(result: ScanResult, threshold: Severity): boolean {
  const limit = SEVERITIES.indexOf(threshold);
  return result.findings.some((finding) => SEVERITIES.indexOf(finding.severity) <= limit);
}
