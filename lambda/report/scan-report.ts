/**
 * Renders a ScanResult for a terminal — compact (one line per finding, the default) or in full
 * (`--details`: message, fix and fingerprint of each finding) — as Markdown, or as the stable JSON
 * document of docs/output.md. Pure functions of the result and the terminal.
 */
import type { Finding } from '../core/findings';
import type { Severity } from '../core/model';
import { SEVERITIES } from '../core/model';
import type { ScanResult } from '../core/scan-result';
import { compactResourceLabel, resourceLabel } from './labels';
import { codeBlock, mdEscape } from './markdown';
import { clip, clipStart, PLAIN, paintSeverity, type Terminal } from './terminal';
import { indentCode, plural, wrap } from './text';

export type ReportFormat = 'table' | 'json' | 'markdown';
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'json', 'markdown'];

export interface ScanRenderOptions {
  terminal?: Terminal;
  /** The full form of each finding instead of one line. */
  details?: boolean;
  /** The summary lines on top (default true; the demo prints its own first screen). */
  header?: boolean;
}

/** The one-line shell commands of a finding's fix, when its check gives them (docs/output.md). */
export function fixCommands(finding: Finding): readonly string[] {
  return finding.commands ?? [];
}

export function summaryLine(result: ScanResult): string {
  const s = result.summary;
  return `${plural(s.accounts, 'account')}, ${plural(s.clusters, 'cluster')}, ${plural(s.roles, 'role')}, ${plural(s.serviceAccounts, 'service account')}, ${plural(s.pods, 'pod')}`;
}

export function countsLine(result: ScanResult, terminal: Terminal = PLAIN): string {
  const counts = SEVERITIES.filter((severity) => result.summary.bySeverity[severity] > 0).map((severity) =>
    paintSeverity(`${result.summary.bySeverity[severity]} ${severity}`, severity, terminal),
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

/** The head of every terminal report: what was scanned, how many findings, what was not seen. */
export function scanHeader(result: ScanResult, terminal: Terminal = PLAIN): string[] {
  const out: string[] = [];
  out.push(...wrap(`irsa-audit: ${summaryLine(result)}`, terminal.width));
  // Coloured, the counts line carries escape codes that `wrap` would count: it is left whole.
  const counts = `Findings: ${result.findings.length} (${countsLine(result, terminal)})`;
  out.push(...(terminal.color ? [counts] : wrap(counts, terminal.width)));
  const suppressed = suppressedLine(result);
  if (suppressed) out.push(...wrap(suppressed, terminal.width));
  for (const note of scanGapNotes(result)) out.push(...wrap(note, terminal.width));
  return out;
}

const SEVERITY_TAG: Record<Severity, string> = {
  critical: 'CRIT',
  high: 'HIGH',
  medium: 'MED',
  low: 'LOW',
  info: 'INFO',
};

export interface CompactRow {
  severity: Severity;
  checkId: string;
  resource: string;
  text: string;
  /** Printed before the text when given (the `findings` table's fingerprint). */
  id?: string;
}

/**
 * One line per finding, fitted to the terminal: severity, check, resource, and what is wrong, clipped
 * with `…` so no line is longer than the width (a resource keeps its end, the most specific part).
 */
export function compactLines(rows: readonly CompactRow[], terminal: Terminal = PLAIN): string[] {
  if (rows.length === 0) return [];
  const width = terminal.width;
  const checkWidth = Math.min(30, Math.max(...rows.map((row) => row.checkId.length)));
  const idWidth = Math.max(0, ...rows.map((row) => row.id?.length ?? 0));
  // Severity (4) + gaps, check, id; the resource gets up to half of what is left, the text the rest.
  const fixed = 4 + 2 + checkWidth + 2 + (idWidth ? idWidth + 2 : 0);
  const rest = Math.max(20, width - fixed);
  const resourceWidth = Math.min(
    Math.max(...rows.map((row) => row.resource.length)),
    Math.max(12, Math.floor(rest * 0.5)),
  );
  const textWidth = Math.max(8, width - fixed - resourceWidth - 2);
  return rows.map((row) => {
    const tag = paintSeverity(SEVERITY_TAG[row.severity].padEnd(4), row.severity, terminal);
    const cells = [
      tag,
      clip(row.checkId, checkWidth).padEnd(checkWidth),
      clipStart(row.resource, resourceWidth).padEnd(resourceWidth),
      ...(idWidth ? [(row.id ?? '').padEnd(idWidth)] : []),
      clip(row.text, textWidth),
    ];
    return cells.join('  ').trimEnd();
  });
}

function compactRow(finding: Finding): CompactRow {
  return {
    severity: finding.severity,
    checkId: finding.checkId,
    resource: compactResourceLabel(finding.resource),
    text: finding.title,
  };
}

function renderCompact(result: ScanResult, terminal: Terminal, header: boolean): string {
  const out = header ? [...scanHeader(result, terminal), ''] : [];
  if (result.findings.length === 0) {
    out.push('No findings.', ...renderSuppressedText(result, terminal.width));
    return `${out.join('\n')}\n`;
  }
  out.push(...compactLines(result.findings.map(compactRow), terminal));
  out.push(...renderSuppressedText(result, terminal.width), '');
  out.push(
    ...wrap(
      'Each finding in full (message, fix, fingerprint): --details; one service account: irsa-audit explain --cluster C --namespace N --service-account S.',
      terminal.width,
    ),
  );
  return `${out.join('\n')}\n`;
}

function renderDetails(result: ScanResult, terminal: Terminal, header: boolean): string {
  const out = header ? scanHeader(result, terminal) : [];
  for (const severity of SEVERITIES) {
    const group = result.findings.filter((finding) => finding.severity === severity);
    if (group.length === 0) continue;
    if (out.length) out.push('');
    out.push(
      paintSeverity(`${severity.toUpperCase()} (${group.length})`, severity, terminal),
      '─'.repeat(Math.min(terminal.width, 40)),
    );
    for (const finding of group) out.push(...renderFindingBlock(finding, terminal.width));
  }
  if (result.findings.length === 0) out.push('', 'No findings.');
  out.push(...renderSuppressedText(result, terminal.width));
  return `${out.join('\n')}\n`;
}

/**
 * A finding's fix: the prose wrapped, code lines (policy fragments) and commands unbroken, each
 * command on a line of its own so it can be copied as it is.
 */
const COMMAND_START = /^(aws|kubectl|eksctl|helm)\s/;

export function fixLines(finding: Finding, width: number, indent: string): string[] {
  const lines: string[] = [];
  const [first, ...rest] = finding.remediation.split('\n');
  // A fix that starts with a command keeps it whole on a line of its own.
  if (COMMAND_START.test(first)) lines.push(`${indent}fix:`, `${indent}  ${first}`);
  else if (first) lines.push(...wrap(`fix: ${first}`, width, indent));
  else lines.push(`${indent}fix:`);
  if (rest.length) lines.push(...indentCode(rest.join('\n'), `${indent}  `));
  for (const command of fixCommands(finding)) lines.push(`${indent}  ${command}`);
  return lines;
}

function renderFindingBlock(finding: Finding, width: number): string[] {
  const lines: string[] = [];
  lines.push(...wrap(`${finding.checkId}  ${finding.title}`, width));
  lines.push(...wrap(resourceLabel(finding.resource), width, '    '));
  lines.push(...wrap(finding.message, width, '    '));
  lines.push(...fixLines(finding, width, '    '));
  lines.push(...wrap(`id ${finding.fingerprint}`, width, '    '));
  lines.push('');
  return lines;
}

export function renderMarkdown(result: ScanResult): string {
  const out: string[] = ['# irsa-audit report', '', `Scanned ${mdEscape(summaryLine(result))}.`, ''];
  out.push('| severity | findings |', '|---|---|');
  for (const severity of SEVERITIES) out.push(`| ${severity} | ${result.summary.bySeverity[severity]} |`);
  const suppressed = suppressedLine(result);
  const notes = [...(suppressed ? [suppressed] : []), ...scanGapNotes(result)];
  if (notes.length) out.push('', ...notes.map((note) => `> ${mdEscape(note)}`));
  for (const severity of SEVERITIES) {
    const group = result.findings.filter((finding) => finding.severity === severity);
    if (group.length === 0) continue;
    out.push(
      '',
      `## ${severity} (${group.length})`,
      '',
      '| check | resource | finding | fingerprint |',
      '|---|---|---|---|',
    );
    for (const finding of group) {
      out.push(
        `| \`${finding.checkId}\` | ${mdEscape(resourceLabel(finding.resource))} | ${mdEscape(finding.message)} | [\`${finding.fingerprint}\`](#fix-${finding.fingerprint}) |`,
      );
    }
  }
  if (result.findings.length) {
    // Fixes carry commands and policy JSON: code blocks below the tables, never table cells.
    out.push('', '## Fixes');
    for (const finding of result.findings) {
      const [prose, ...code] = finding.remediation.split('\n');
      out.push(
        '',
        `### <a id="fix-${finding.fingerprint}"></a>\`${finding.fingerprint}\` \`${finding.checkId}\``,
        '',
        mdEscape(prose),
      );
      if (code.length) out.push('', ...codeBlock(code.join('\n'), 'text'));
      const commands = fixCommands(finding);
      if (commands.length) out.push('', ...codeBlock(commands.join('\n'), 'sh'));
    }
  }
  return `${out.join('\n')}\n`;
}

function renderJson(result: ScanResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

export function renderScan(
  result: ScanResult,
  format: ReportFormat,
  options: ScanRenderOptions = {},
): string {
  const terminal = options.terminal ?? PLAIN;
  switch (format) {
    case 'json':
      return renderJson(result);
    case 'markdown':
      return renderMarkdown(result);
    default:
      return options.details
        ? renderDetails(result, terminal, options.header ?? true)
        : renderCompact(result, terminal, options.header ?? true);
  }
}
