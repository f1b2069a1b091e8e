/**
 * The export formats of `scan`, `run` and `findings` (docs/output.md "Exports"): SARIF, CSV, OCSF,
 * ASFF and the HTML report, next to the terminal, JSON and Markdown reports. The CLI joins the
 * renderers to the ASFF builder (lambda/securityhub/asff.ts), which the renderers may not import.
 */
import type { StoredFinding } from '../app/stored-finding';
import type { Inventory, Severity } from '../core/model';
import type { ScanResult } from '../core/scan-result';
import { renderCsv } from '../report/export/csv';
import { type ExportInput, exportInputOfScan, exportInputOfStored } from '../report/export/export-input';
import { renderOcsf } from '../report/export/ocsf';
import { renderSarif } from '../report/export/sarif';
import { identityGraph } from '../report/html/graph';
import { renderHtml } from '../report/html/html-report';
import { type ReportFormat, renderScan } from '../report/scan-report';
import type { Terminal } from '../report/terminal';
import { asffFinding } from '../securityhub/asff';
import { SETTINGS } from '../settings/settings';
import { str, type Values } from './args';
import { type FindingSelection, filterScan, meetsFailOn } from './filters';
import { CliError, type CliIO, scanExitCode } from './io';
import type { OptionSpec } from './program';

export const EXPORT_FORMATS = ['sarif', 'csv', 'ocsf', 'asff', 'html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(format: string): format is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(format);
}

/** What the exports need besides the format (ASFF's importing account; the docs the rules link to). */
export const EXPORT_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '--security-hub-account <id>',
    description: 'asff: the account the findings are imported into (the default product of its Security Hub)',
  },
  {
    flags: '--checks-doc-url <url>',
    description: 'sarif, asff: where docs/checks.md is published; each rule / finding links to its check',
    env: SETTINGS.checksDocUrl.env,
  },
];

function versionOf(): string {
  // The package's version: bin/irsa-audit.js runs from the repository or the installed package.
  return (require('../../package.json') as { version: string }).version;
}

function checksDocUrl(values: Values): string | undefined {
  const url = str(values, 'checks-doc-url');
  if (url === undefined) return undefined;
  const problem = SETTINGS.checksDocUrl.validate(url);
  if (problem) throw new CliError(`--checks-doc-url: "${url}" is not ${problem}`);
  return url;
}

function renderAsff(input: ExportInput, values: Values, io: CliIO): string {
  const accountId = str(values, 'security-hub-account');
  const region = str(values, 'region') ?? io.env.AWS_REGION;
  if (!accountId || !/^\d{12}$/.test(accountId)) {
    throw new CliError(
      '--format asff needs --security-hub-account ID: Security Hub takes findings of its default product only from the account they name',
    );
  }
  if (!region) throw new CliError('--format asff needs a region: --region or AWS_REGION');
  const url = checksDocUrl(values);
  const findings = input.findings.map((finding) =>
    asffFinding(finding, {
      target: { accountId, region },
      now: input.generatedAt,
      ...(url ? { checksDocUrl: url } : {}),
    }),
  );
  // The shape `aws securityhub batch-import-findings --cli-input-json` reads (at most 100 per call).
  return `${JSON.stringify({ Findings: findings }, null, 2)}\n`;
}

function render(
  format: ExportFormat,
  input: ExportInput,
  values: Values,
  io: CliIO,
  extra: HtmlExtra,
): string {
  switch (format) {
    case 'sarif': {
      const url = checksDocUrl(values);
      return renderSarif(input, url ? { checksDocUrl: url } : {});
    }
    case 'csv':
      return renderCsv(input);
    case 'ocsf':
      return renderOcsf(input);
    case 'asff':
      return renderAsff(input, values, io);
    case 'html':
      return renderHtml({
        findings: input,
        ...(extra.summary ? { summary: extra.summary } : {}),
        ...(extra.graph ? { graph: extra.graph } : {}),
      });
  }
}

interface HtmlExtra {
  summary?: ScanResult['summary'];
  graph?: ReturnType<typeof identityGraph>;
}

/** A scan (`scan`, `run`) in an export format; the HTML report draws the inventory's identity graph. */
export function renderScanExport(
  format: ExportFormat,
  result: ScanResult,
  inventory: Inventory,
  values: Values,
  io: CliIO,
): string {
  const input = exportInputOfScan(result, {
    generatedAt: new Date().toISOString(),
    toolVersion: versionOf(),
  });
  return render(format, input, values, io, {
    summary: result.summary,
    ...(format === 'html' ? { graph: identityGraph(inventory, result) } : {}),
  });
}

/**
 * Prints a scan (`scan`, `run`) as the command's options say — the selected findings in `format` — and
 * returns its exit code: 3 when a check failed on a resource (the results are incomplete), before
 * `--fail-on`.
 */
export function printScan(
  scan: ScanResult,
  inventory: Inventory,
  output: {
    format: ReportFormat | ExportFormat;
    selection: FindingSelection;
    failOn: ReadonlySet<Severity> | undefined;
    terminal: Terminal;
    values: Values;
    io: CliIO;
  },
): number {
  const { format, selection, failOn, terminal, values, io } = output;
  const shown = filterScan(scan, selection);
  io.stdout(
    isExportFormat(format)
      ? renderScanExport(format, shown, inventory, values, io)
      : renderScan(shown, format, { terminal, details: values.details === true }),
  );
  return scanExitCode(scan.checkErrors.length, failOn !== undefined && meetsFailOn(shown, failOn));
}

/** Stored findings (`findings`) in an export format (the HTML report has no graph: no inventory). */
export function renderStoredExport(
  format: ExportFormat,
  findings: readonly StoredFinding[],
  values: Values,
  io: CliIO,
): string {
  const input = exportInputOfStored(findings, {
    generatedAt: new Date().toISOString(),
    toolVersion: versionOf(),
  });
  return render(format, input, values, io, {});
}
