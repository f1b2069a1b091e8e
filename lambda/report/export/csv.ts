/**
 * CSV for spreadsheets and ticket imports (docs/output.md): one row per finding, a fixed column order
 * (new columns are only ever appended), RFC 4180 quoting with CRLF record ends, fix commands in one
 * cell (one per line). Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR
 * first) are prefixed with `'`: finding text quotes names anyone who can create a service account
 * chooses.
 */
import type { ExportFinding, ExportInput } from './export-input';

export const CSV_COLUMNS = [
  'severity',
  'check_id',
  'title',
  'status',
  'account_id',
  'region',
  'cluster',
  'namespace',
  'service_account',
  'workload',
  'role_arn',
  'provider_arn',
  'statement',
  'message',
  'remediation',
  'commands',
  'fingerprint',
  'first_seen',
  'last_seen',
  'resolved_at',
] as const;

type Column = (typeof CSV_COLUMNS)[number];

function cellsOf(finding: ExportFinding): Record<Column, string> {
  const r = finding.resource;
  return {
    severity: finding.severity,
    check_id: finding.checkId,
    title: finding.title,
    status: finding.status,
    account_id: r.accountId,
    region: r.region ?? '',
    cluster: r.cluster ?? '',
    namespace: r.namespace ?? '',
    service_account: r.serviceAccount ?? '',
    workload: r.workload ?? '',
    role_arn: r.roleArn ?? '',
    provider_arn: r.providerArn ?? '',
    statement: r.statement === undefined ? '' : String(r.statement),
    message: finding.message,
    remediation: finding.remediation,
    commands: (finding.commands ?? []).join('\n'),
    fingerprint: finding.fingerprint,
    first_seen: finding.firstSeen ?? '',
    last_seen: finding.lastSeen ?? '',
    resolved_at: finding.resolvedAt ?? '',
  };
}

/** One RFC 4180 field: quoted when it holds a comma, a quote or a line break; formulas defused. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function renderCsv(input: ExportInput): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const finding of input.findings) {
    const cells = cellsOf(finding);
    rows.push(CSV_COLUMNS.map((column) => csvField(cells[column])).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
