/**
 * The audit Lambda's exporters (docs/deployment.md §14), wired from its configuration: Security Hub
 * and the report bucket. Entry-point wiring: it joins the renderers (the HTML report) to the
 * adapters (S3, Security Hub), which may not import each other.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { ExportRun, RunExporter } from './app/ports';
import type { ExportOutcome } from './app/run-record';
import type { HandlerConfig } from './config';
import { exportInputOfScan } from './report/export/export-input';
import { identityGraph } from './report/html/graph';
import { renderHtml } from './report/html/html-report';
import { ReportBucket, reportLocation } from './reports/report-bucket';
import { SecurityHubExporter } from './securityhub/security-hub-exporter';
import { SecurityHubRunExporter } from './securityhub/security-hub-run-exporter';

export const REPORT_EXPORTER = 'reportBucket';

export interface ExporterClients {
  s3?: S3Client;
  securityHub?: SecurityHubClient;
}

/** Writes the run's HTML report (summary, drift, findings, identity graph) to the report bucket. */
export class ReportRunExporter implements RunExporter {
  readonly name = REPORT_EXPORTER;

  constructor(
    private readonly bucket: ReportBucket,
    private readonly toolVersion: string,
  ) {}

  async export(run: ExportRun): Promise<ExportOutcome> {
    const html = renderHtml({
      findings: exportInputOfScan(run.scan, { generatedAt: run.startedAt, toolVersion: this.toolVersion }),
      summary: run.scan.summary,
      graph: identityGraph(run.inventory, run.scan),
      drift: {
        new: run.drift.new,
        resolved: run.drift.resolved,
        open: run.drift.new.length + run.drift.stillOpen.length,
      },
    });
    const outcome = await this.bucket.write(run.runId, html);
    if (outcome.status === 'failed') {
      return {
        name: this.name,
        status: 'failed',
        detail: `${outcome.error.code}: ${outcome.error.message}`,
      };
    }
    return {
      name: this.name,
      status: 'ok',
      detail: `${outcome.run.uri} (${html.length} bytes) and ${outcome.latest.uri}`,
      link: outcome.run.consoleUrl,
    };
  }
}

/** The exporters the configuration turns on, and the notification's link to the report. */
export function exportersFor(
  config: HandlerConfig,
  region: string,
  accountId: string | undefined,
  toolVersion: string,
  clients: ExporterClients = {},
): { exporters: RunExporter[]; reportLink?: (runId: string) => string } {
  const exporters: RunExporter[] = [];
  let reportLink: ((runId: string) => string) | undefined;
  if (config.reportBucket) {
    const bucket = config.reportBucket;
    exporters.push(
      new ReportRunExporter(
        new ReportBucket(clients.s3 ?? new S3Client({ region }), {
          bucket,
          prefix: config.reportPrefix,
          region,
        }),
        toolVersion,
      ),
    );
    reportLink = (runId) =>
      reportLocation(bucket, `${config.reportPrefix}runs/${runId}.html`, region).consoleUrl;
  }
  if (config.securityHub) {
    if (!accountId) throw new Error('Security Hub import needs the audit account id (from the function ARN)');
    exporters.push(
      new SecurityHubRunExporter(
        new SecurityHubExporter(clients.securityHub ?? new SecurityHubClient({ region }), {
          target: { accountId, region },
          ...(config.checksDocUrl ? { checksDocUrl: config.checksDocUrl } : {}),
        }),
      ),
    );
  }
  return { exporters, ...(reportLink ? { reportLink } : {}) };
}
