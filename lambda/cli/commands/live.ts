/**
 * Live commands: `irsa-audit snapshot --out FILE`, `irsa-audit run [--store TABLE] [--notify TOPIC]`
 * and the live half of `explain`. They collect with the caller's credentials (assuming the member
 * role in each account) and then use exactly the engine, store and notifier the Lambda uses.
 */
import { writeFileSync } from 'node:fs';
import { SNSClient } from '@aws-sdk/client-sns';
import { fromIni } from '@aws-sdk/credential-providers';
import { NOTIFY_MODES, type NotifyMode } from '../../app/notify-mode';
import { defaultRunId, runAudit } from '../../app/pipeline';
import { RunLockedError } from '../../app/store-errors';
import { COLLECT_FLAGS, COLLECT_FLAGS_HELP, collectOptionsFromFlags } from '../../collect/cli-options';
import { type CollectDeps, collectInventory } from '../../collect/collect';
import { CollectError } from '../../collect/errors';
import type { CollectOptions } from '../../collect/options';
import { createProgressReporter } from '../../collect/progress';
import { collectServiceAccountInventory } from '../../collect/service-account-inventory';
import { CHECKS, needsKubernetes } from '../../core/checks/index';
import { runChecks } from '../../core/engine';
import { inventoryToJson } from '../../core/inventory/trust-policy';
import type { Inventory } from '../../core/model';
import { SEVERITIES, type Severity } from '../../core/model';
import { SnsPublisher } from '../../notify/sns-publisher';
import { meetsFailOn, REPORT_FORMATS, renderScan } from '../../report/scan-report';
import { ConfigError } from '../../settings/read';
import { createDocumentClient, DynamoResultsStore } from '../../store/dynamo-store';
import { oneOf, type Parsed, parse, required } from '../args';
import { CliError, type CliIO, EXIT_FINDINGS, EXIT_OK } from '../io';
import {
  SUPPRESSION_FLAGS,
  SUPPRESSION_FLAGS_HELP,
  suppressForCommand,
  suppressionsFor,
  warnAboutEntries,
} from '../suppressions-options';

const snapshotUsage = `Usage: irsa-audit snapshot --out FILE [collection options]

Collects the live inventory (docs/inventory.md) to FILE, loadable with \`irsa-audit scan --inventory FILE\`.

${COLLECT_FLAGS_HELP}`;

const runUsage = `Usage: irsa-audit run [collection options] [--format table|json|markdown] [--fail-on SEV]
                      [--store TABLE] [--notify TOPIC_ARN] [--notify-mode changes|new-only|always]
                      [--suppressions FILE | --no-suppressions] [--show-suppressed]

Live audit from a workstation with the caller's credentials: the same engine as the Lambda. With
--store it runs the Lambda's whole pipeline (run lock, drift against the results table, run record)
and with --notify it publishes the drift notification to the SNS topic. Suppressed findings are
stored as suppressed, not notified and not counted by --fail-on (docs/suppressions.md).

${SUPPRESSION_FLAGS_HELP}
${COLLECT_FLAGS_HELP}`;

function collectDeps(io: CliIO): CollectDeps {
  return { progress: createProgressReporter({ stderr: io.stderr, isTTY: io.isTTY }) };
}

function optionsFrom(values: Parsed['values'], io: CliIO, runId?: string): CollectOptions {
  try {
    return collectOptionsFromFlags(values as never, { env: io.env, ...(runId ? { runId } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
}

/** Collection failures that stop a run before it starts (credentials, Organizations) → exit 2. */
async function collecting<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CollectError || error instanceof ConfigError)
      throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
}

/** One stderr line after a collection: what was collected and how many coverage errors it had. */
function printCollectionSummary(inventory: Inventory, io: CliIO): void {
  const errors = inventory.accounts.reduce((sum, account) => sum + account.errors.length, 0);
  io.stderr(
    `collected ${inventory.accounts.length} account(s), ${inventory.accounts.reduce((sum, a) => sum + a.clusters.length, 0)} cluster(s)` +
      (errors ? `; ${errors} coverage error(s) (reported as scan.* findings)\n` : '\n'),
  );
}

export async function runSnapshot(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, { ...COLLECT_FLAGS, out: { type: 'string', short: 'o' } }, snapshotUsage);
  if (values.help) {
    io.stdout(`${snapshotUsage}\n`);
    return EXIT_OK;
  }
  const out = required(values.out as string | undefined, '--out FILE', snapshotUsage);
  const options = optionsFrom(values, io);
  const inventory = await collecting(() => collectInventory(options, collectDeps(io)));
  try {
    writeFileSync(out, `${inventoryToJson(inventory, 1)}\n`);
  } catch (error) {
    throw new CliError(`cannot write ${out}: ${(error as Error).message}`, 2, { cause: error });
  }
  printCollectionSummary(inventory, io);
  io.stderr(`wrote ${out}\n`);
  return EXIT_OK;
}

export async function runRun(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(
    argv,
    {
      ...COLLECT_FLAGS,
      format: { type: 'string', short: 'f' },
      'fail-on': { type: 'string' },
      store: { type: 'string' },
      notify: { type: 'string' },
      'notify-mode': { type: 'string' },
      region: { type: 'string' },
      ...SUPPRESSION_FLAGS,
    },
    runUsage,
  );
  if (values.help) {
    io.stdout(`${runUsage}\n`);
    return EXIT_OK;
  }
  const format = oneOf(values.format as string | undefined, REPORT_FORMATS, '--format', 'table');
  const failOn =
    values['fail-on'] === undefined
      ? undefined
      : oneOf<Severity>(values['fail-on'] as string, SEVERITIES, '--fail-on', 'high');
  const mode = oneOf<NotifyMode>(
    values['notify-mode'] as string | undefined,
    NOTIFY_MODES,
    '--notify-mode',
    'changes',
  );
  if (values.notify && !values.store)
    throw new CliError('--notify needs --store (drift is computed against the results table)');
  const startedAt = new Date();
  const suppressions = suppressionsFor(values, io, startedAt);
  const showSuppressed = Boolean(values['show-suppressed']);
  // The run record is keyed by the run id: a second-resolution id alone would let two runs started in
  // the same second overwrite each other's record, so it carries the pipeline's random suffix too.
  const options = optionsFrom(values, io, defaultRunId(new Date()));
  const deps = collectDeps(io);
  const profile = values.profile as string | undefined;
  const awsConfig = {
    ...(values.region ? { region: values.region as string } : {}),
    ...(profile ? { credentials: fromIni({ profile }) } : {}),
  };

  if (!values.store) {
    const inventory = await collecting(() => collectInventory(options, deps));
    printCollectionSummary(inventory, io);
    const result = suppressForCommand(
      runChecks(inventory, CHECKS),
      suppressions,
      startedAt,
      io,
      showSuppressed,
    );
    io.stdout(renderScan(result, format));
    return failOn && meetsFailOn(result, failOn) ? EXIT_FINDINGS : EXIT_OK;
  }

  const table = values.store as string;
  const client = createDocumentClient(awsConfig);
  const sns = values.notify ? new SNSClient(awsConfig) : undefined;
  try {
    const summary = await runAudit({
      store: new DynamoResultsStore({ tableName: table, client }),
      collect: () => collecting(() => collectInventory(options, deps)),
      evaluate: (inventory) => runChecks(inventory, CHECKS),
      needsKubernetes,
      publisher: sns ? new SnsPublisher(sns, values.notify as string) : undefined,
      notify: { mode, commandSuffix: ` --table ${table}` },
      newRunId: () => options.runId,
      // A workstation run may take longer than the Lambda; the lock must outlive it.
      lockTtlSeconds: 3 * 3600,
      trigger: 'cli',
      ...(suppressions
        ? {
            suppressions: { entries: suppressions.suppressions, source: suppressions.source, showSuppressed },
          }
        : {}),
    });
    warnAboutEntries(summary.suppression.entries, io);
    printCollectionSummary(summary.inventory, io);
    io.stdout(renderScan(summary.scan, format));
    io.stderr(
      `run ${summary.runId}: ${summary.drift.new.length} new, ${summary.drift.resolved.length} resolved; notification ${summary.notificationOutcome.status}${summary.notificationOutcome.detail ? ` (${summary.notificationOutcome.detail})` : ''}\n`,
    );
    return failOn && meetsFailOn(summary.scan, failOn) ? EXIT_FINDINGS : EXIT_OK;
  } catch (error) {
    if (error instanceof RunLockedError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  } finally {
    client.destroy();
    sns?.destroy();
  }
}

/**
 * What `explain --live` needs, and no more: that one cluster (its namespace's service accounts and
 * pods) with its account's IAM, plus the IAM of the accounts of the roles it references.
 */
export async function collectForExplain(
  target: { accountId: string; region: string; cluster: string; namespace: string; serviceAccount: string },
  values: Parsed['values'],
  io: CliIO,
  deps: CollectDeps = collectDeps(io),
): Promise<Inventory> {
  const options = optionsFrom(values, io);
  return collecting(() => collectServiceAccountInventory(target, options, deps));
}
