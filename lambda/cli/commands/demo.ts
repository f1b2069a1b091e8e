/**
 * `irsa-audit demo [--change] [--reset]`: the main job on an embedded default. The whole pipeline —
 * collect (the bundled example organization), evaluate, store in an embedded DynamoDB (dynalite,
 * persisted in .irsa-audit/demo), drift against the previous run, and the notification it would
 * publish. A second run reports no drift; `--change` applies the bundled drift (a cluster
 * re-created, an annotation removed, a trust fixed). The first screen says what was found, what
 * changed and what to do next; the findings follow, the notification bodies only on request.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type RunSummary, reopenedDetail, runAudit } from '../../app/pipeline';
import { RunLockedError } from '../../app/store-errors';
import { CHECKS, dependenciesOf } from '../../core/checks/index';
import { runChecks } from '../../core/engine';
import type { Finding } from '../../core/findings';
import { compactResourceLabel } from '../../report/labels';
import { compactLines, countsLine, renderScan, scanHeader } from '../../report/scan-report';
import type { Terminal } from '../../report/terminal';
import { wrap } from '../../report/text';
import { oneOf, str } from '../args';
import { filterScan, selectionOf } from '../filters';
import { loadInventoryFile } from '../inventory-file';
import { CliError, EXIT_OK } from '../io';
import { DETAILS, FILTER_OPTIONS, formatOption } from '../options';
import type { CommandSpec } from '../program';
import { DATA_DIR, demoDataDir, openEmbeddedStore } from '../store-options';
import { SUPPRESSION_OPTIONS, suppressionsFor, warnAboutEntries } from '../suppressions-options';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
export const DEMO_BASELINE = join(EXAMPLES, 'demo-org.json');
export const DEMO_CHANGED = join(EXAMPLES, 'demo-org-changed.json');
export const DEMO_SUPPRESSIONS = join(EXAMPLES, 'irsa-audit.suppressions.yaml');

/** At most this many new or resolved findings on the first screen; the rest are counted. */
const DRIFT_LINES = 12;

function driftLines(summary: RunSummary, terminal: Terminal): string[] {
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
  const list = (title: string, findings: readonly Finding[]) => {
    if (findings.length === 0) return;
    out.push(`${title}:`);
    const rows = findings.slice(0, DRIFT_LINES).map((finding) => ({
      severity: finding.severity,
      checkId: finding.checkId,
      resource: compactResourceLabel(finding.resource),
      text: reopened.has(finding.fingerprint)
        ? `${finding.title} (re-opened: ${reopened.get(finding.fingerprint)})`
        : finding.title,
    }));
    out.push(...compactLines(rows, { ...terminal, width: terminal.width - 2 }).map((line) => `  ${line}`));
    if (findings.length > DRIFT_LINES)
      out.push(`  … and ${findings.length - DRIFT_LINES} more (irsa-audit findings --demo)`);
  };
  // Re-opened findings first: an accepted risk whose acceptance ended is the news.
  list('New', [
    ...drift.new.filter((finding) => reopened.has(finding.fingerprint)),
    ...drift.new.filter((finding) => !reopened.has(finding.fingerprint)),
  ]);
  list('Resolved', drift.resolved);
  return out;
}

function notificationLine(summary: RunSummary): string {
  const notification = summary.notification;
  if (!notification)
    return `Notification: nothing would be published (${summary.notificationOutcome.detail ?? 'no drift'}).`;
  return `Notification: would publish "${notification.subject}" (${notification.bytes} bytes${notification.truncated ? ', truncated' : ''}; show it with --show-notification).`;
}

function notificationBodies(summary: RunSummary): string {
  const notification = summary.notification;
  if (!notification) return '';
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

function nextSteps(summary: RunSummary, changed: boolean): string[] {
  // The worst finding on a service account: `explain` shows its whole chain.
  const worst = summary.scan.findings.find((finding) => finding.resource.serviceAccount);
  const file = changed ? 'examples/demo-org-changed.json' : 'examples/demo-org.json';
  const steps = [
    'Next:',
    '  irsa-audit findings --demo                 the open findings, one line each',
    '  irsa-audit history <fingerprint> --demo    one finding, run by run',
  ];
  if (worst?.resource.serviceAccount && worst.resource.cluster && worst.resource.namespace) {
    steps.push(
      `  irsa-audit explain -i ${file} -c ${worst.resource.cluster} -n ${worst.resource.namespace} -s ${worst.resource.serviceAccount}`,
    );
  } else {
    steps.push(`  irsa-audit explain -i ${file} -c CLUSTER -n NAMESPACE -s SERVICE_ACCOUNT`);
  }
  steps.push(
    changed
      ? '  npm start -- --reset                       start over from the baseline'
      : '  npm start -- --change                      apply the bundled drift and see what changes',
  );
  return steps;
}

export const command: CommandSpec = {
  name: 'demo',
  summary: 'the whole pipeline on the bundled demo organization (embedded DynamoDB)',
  options: [
    {
      flags: '--change',
      description:
        'audit examples/demo-org-changed.json (a cluster re-created, an annotation removed by a Helm upgrade, a trust fixed) and show the new and resolved findings',
    },
    { flags: '--reset', description: 'forget previous runs first' },
    {
      flags: '--show-notification',
      description: 'print the e-mail and AWS Chatbot (Slack) bodies it would publish',
    },
    formatOption(['table', 'json', 'markdown'], 'table'),
    DETAILS,
    ...FILTER_OPTIONS,
    ...SUPPRESSION_OPTIONS,
    DATA_DIR,
  ],
  output: true,
  help: `Runs the whole nightly pipeline on the bundled example organization with an embedded DynamoDB
(its data stays in .irsa-audit/demo): scan, store, drift against the previous run, and the
notification it would publish. It prints the summary, the drift and what to do next first, then the
findings. Afterwards: irsa-audit findings --demo, irsa-audit runs --demo, irsa-audit history <id> --demo`,
  async run(values, _args, { io, terminal }) {
    const format = oneOf(str(values, 'format'), ['table', 'json', 'markdown'] as const, '--format', 'table');
    const selection = selectionOf(values);
    const dataDir = demoDataDir(values, io);
    if (values.reset) rmSync(dataDir, { recursive: true, force: true });
    const opened = await openEmbeddedStore(dataDir);
    try {
      const audit = async (file: string) => {
        const { inventory } = await loadInventoryFile(file);
        // The demo stands for two nights: expiry is judged as of the inventory's date, not today's.
        const asOf = inventory.generatedAt ? new Date(inventory.generatedAt) : new Date();
        const suppressions = suppressionsFor(values, io, asOf, DEMO_SUPPRESSIONS);
        const summary = await runAudit({
          store: opened.store,
          collect: async () => inventory,
          evaluate: (each) => runChecks(each, CHECKS),
          dependencies: dependenciesOf,
          notify: { mode: 'changes', commandSuffix: opened.commandSuffix, label: 'demo organization' },
          trigger: 'demo',
          lockTtlSeconds: 120,
          ...(suppressions
            ? {
                suppressions: {
                  entries: suppressions.suppressions,
                  source: suppressions.source,
                  asOf: () => asOf,
                  showSuppressed: values['show-suppressed'] === true,
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
      const shown = filterScan(summary.scan, selection);
      if (format === 'json') {
        io.stdout(renderScan(shown, format));
        return EXIT_OK;
      }
      const screen = [
        ...scanHeader(shown, terminal),
        ...wrap(`Run ${summary.runId} stored in ${dataDir}`, terminal.width),
        '',
        ...driftLines(summary, terminal),
        ...wrap(notificationLine(summary), terminal.width),
        '',
        ...nextSteps(summary, Boolean(values.change)),
        '',
      ];
      if (format === 'markdown') io.stdout(`${renderScan(shown, format)}\n`);
      io.stdout(`${screen.join('\n')}\n`);
      if (format === 'table') {
        // The full list follows the first screen, whose header it shares.
        io.stdout(`All findings (${countsLine(shown, terminal)}):\n`);
        io.stdout(renderScan(shown, 'table', { terminal, details: values.details === true, header: false }));
      }
      if (values['show-notification'] && summary.notification) io.stdout(`\n${notificationBodies(summary)}`);
      return EXIT_OK;
    } catch (error) {
      if (error instanceof RunLockedError)
        throw new CliError(`${error.message}; try again when it finishes`, 2, { cause: error });
      throw error;
    } finally {
      await opened.close();
    }
  },
};
