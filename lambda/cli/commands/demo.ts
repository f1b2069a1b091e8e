/**
 * `irsa-audit demo [--change] [--reset]`: the main job on an embedded default. The whole pipeline —
 * collect (the bundled example organization), evaluate, store in an embedded DynamoDB (dynalite,
 * persisted in .irsa-audit/demo), drift against the previous run, and the notification it would
 * publish (email text and AWS Chatbot JSON). A second run reports no drift; `--change` applies the
 * bundled drift (a cluster re-created, an annotation removed, a trust fixed).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type RunSummary, reopenedDetail, runAudit } from '../../app/pipeline';
import { RunLockedError } from '../../app/store-errors';
import { CHECKS, needsKubernetes } from '../../core/checks/index';
import { runChecks } from '../../core/engine';
import type { Finding } from '../../core/findings';
import { resourceLabel } from '../../report/labels';
import { renderScan } from '../../report/scan-report';
import { oneOf, parse } from '../args';
import { loadInventoryFile } from '../inventory-file';
import { CliError, type CliIO, EXIT_OK } from '../io';
import { demoDataDir, openEmbeddedStore } from '../store-options';
import { SUPPRESSION_FLAGS, suppressionsFor, warnAboutEntries } from '../suppressions-options';

export const usage = `Usage: irsa-audit demo [--change] [--reset] [--format table|json|markdown] [--data-dir DIR]
                       [--suppressions FILE | --no-suppressions] [--show-suppressed]

Runs the whole nightly pipeline on the bundled example organization with an embedded DynamoDB
(its data stays in .irsa-audit/demo): scan, store, drift against the previous run, and the
notification it would publish (email text and AWS Chatbot JSON).
  --change    audit examples/demo-org-changed.json: a cluster re-created, an annotation removed by
              a Helm upgrade, a trust fixed — and show exactly the new and resolved findings
  --reset     forget previous runs first
  --suppressions FILE  accepted risks (default examples/irsa-audit.suppressions.yaml); the demo judges
              expiry as of each inventory's generatedAt (the baseline is one night, --change the next),
              so its entry that expires after the first night re-opens its finding in the second
  --no-suppressions    apply none
  --show-suppressed    also list the suppressed findings
Afterwards: irsa-audit findings --demo, irsa-audit runs --demo, irsa-audit history <id> --demo`;

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
export const DEMO_BASELINE = join(EXAMPLES, 'demo-org.json');
export const DEMO_CHANGED = join(EXAMPLES, 'demo-org-changed.json');
export const DEMO_SUPPRESSIONS = join(EXAMPLES, 'irsa-audit.suppressions.yaml');

function findingLine(finding: Finding): string {
  return `  [${finding.severity}] ${finding.checkId}  ${resourceLabel(finding.resource)}`;
}

function driftReport(summary: RunSummary): string {
  const { drift } = summary;
  const out = [
    `Drift: ${drift.new.length} new, ${drift.resolved.length} resolved, ${drift.stillOpen.length} still open` +
      (drift.unverified.length
        ? ` (${drift.unverified.length} kept open: their scope was not collected)`
        : ''),
  ];
  const suppressions = summary.record.suppressions;
  if (suppressions) {
    out.push(
      `Suppressed: ${suppressions.suppressed} (not alerted)` +
        (suppressions.newlySuppressed ? `, ${suppressions.newlySuppressed} since this run` : '') +
        (suppressions.reopened ? `; re-opened: ${suppressions.reopened}` : ''),
    );
  }
  const reopened = new Map(
    summary.suppression.reopened.map((r) => [r.finding.fingerprint, reopenedDetail(r)]),
  );
  const newLine = (finding: Finding) =>
    reopened.has(finding.fingerprint)
      ? `${findingLine(finding)}  (re-opened: ${reopened.get(finding.fingerprint)})`
      : findingLine(finding);
  if (drift.new.length) out.push('New:', ...drift.new.map(newLine));
  if (drift.resolved.length) out.push('Resolved:', ...drift.resolved.map(findingLine));
  return `${out.join('\n')}\n`;
}

function notificationReport(summary: RunSummary): string {
  const notification = summary.notification;
  if (!notification) {
    return `Notification: nothing would be published (${summary.notificationOutcome.detail ?? 'no drift'}).\n`;
  }
  const rule = '─'.repeat(60);
  return [
    `Notification that would be published to SNS (${notification.bytes} bytes${notification.truncated ? ', truncated' : ''}):`,
    `Subject: ${notification.subject}`,
    `MessageAttributes: ${JSON.stringify(Object.fromEntries(Object.entries(notification.attributes).map(([k, v]) => [k, v.StringValue])))}`,
    '',
    `── email ${rule}`,
    notification.email,
    `── AWS Chatbot (Slack) ${rule.slice(14)}`,
    JSON.stringify(notification.chatbot, null, 2),
    '',
  ].join('\n');
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(
    argv,
    {
      change: { type: 'boolean' },
      reset: { type: 'boolean' },
      format: { type: 'string', short: 'f' },
      'data-dir': { type: 'string' },
      ...SUPPRESSION_FLAGS,
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return EXIT_OK;
  }
  const format = oneOf(
    values.format as string | undefined,
    ['table', 'json', 'markdown'] as const,
    '--format',
    'table',
  );
  const dataDir = demoDataDir(values, io);
  if (values.reset) rmSync(dataDir, { recursive: true, force: true });
  const opened = await openEmbeddedStore(dataDir);
  try {
    const audit = async (file: string) => {
      const { inventory } = await loadInventoryFile(file);
      // The demo stands for two nights: expiry is judged as of the inventory's date, not today's.
      const asOf = inventory.generatedAt ? new Date(inventory.generatedAt) : new Date();
      const suppressions = suppressionsFor(
        {
          ...values,
          ...(values.suppressions || values['no-suppressions'] ? {} : { suppressions: DEMO_SUPPRESSIONS }),
        },
        io,
        asOf,
      );
      const summary = await runAudit({
        store: opened.store,
        collect: async () => inventory,
        evaluate: (each) => runChecks(each, CHECKS),
        needsKubernetes,
        notify: { mode: 'changes', commandSuffix: opened.commandSuffix, label: 'demo organization' },
        trigger: 'demo',
        lockTtlSeconds: 120,
        ...(suppressions
          ? {
              suppressions: {
                entries: suppressions.suppressions,
                source: suppressions.source,
                asOf: () => asOf,
              },
            }
          : {}),
      });
      warnAboutEntries(summary.suppression.entries, io);
      return summary;
    };
    if (values.change && (await opened.store.listRuns({ limit: 1 }, new Date())).items.length === 0) {
      io.stderr('No previous demo run: auditing the baseline organization first.\n');
      await audit(DEMO_BASELINE);
    }
    const summary = await audit(values.change ? DEMO_CHANGED : DEMO_BASELINE);
    io.stdout(renderScan(summary.scan, format));
    if (format !== 'json') {
      io.stdout(
        `\nRun ${summary.runId} stored in ${dataDir}\n${driftReport(summary)}\n${notificationReport(summary)}`,
      );
      io.stdout(
        `Query it: irsa-audit findings --demo | irsa-audit runs --demo | irsa-audit history <id> --demo\n`,
      );
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof RunLockedError)
      throw new CliError(`${error.message}; try again when it finishes`, 2, { cause: error });
    throw error;
  } finally {
    await opened.close();
  }
}
