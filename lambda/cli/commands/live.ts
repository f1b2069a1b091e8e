/**
 * Live commands: `irsa-audit snapshot --out FILE`, `irsa-audit run [--store TABLE] [--notify TOPIC]`
 * and the live half of `explain`. They collect with the caller's credentials (assuming the member
 * role in each account) and then use exactly the engine, store and notifier the Lambda uses.
 */
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { fromIni } from '@aws-sdk/credential-providers';
import { NOTIFY_MODES, type NotifyMode } from '../../app/notify-mode';
import { defaultRunId, runAudit } from '../../app/pipeline';
import { RunLockedError } from '../../app/store-errors';
import { collectOptionsFromFlags } from '../../collect/cli-options';
import { type CollectDeps, collectInventory } from '../../collect/collect';
import { CollectError } from '../../collect/errors';
import type { CollectOptions } from '../../collect/options';
import { createProgressReporter } from '../../collect/progress';
import { collectServiceAccountInventory } from '../../collect/service-account-inventory';
import { CHECKS, dependenciesOf } from '../../core/checks/index';
import { runChecks } from '../../core/engine';
import { inventoryToJson } from '../../core/inventory/trust-policy';
import type { Inventory } from '../../core/model';
import type { ScanResult } from '../../core/scan-result';
import { SnsPublisher } from '../../notify/sns-publisher';
import { REPORT_FORMATS } from '../../report/scan-report';
import type { Terminal } from '../../report/terminal';
import { ConfigError } from '../../settings/read';
import { createDocumentClient, DynamoResultsStore } from '../../store/dynamo-store';
import { oneOf, required, severitiesOf, str, type Values } from '../args';
import { checkAwsReachable, unreachableAws } from '../aws-reach';
import { EXPORT_FORMATS, EXPORT_OPTIONS, printScan } from '../exports';
import { selectionOf } from '../filters';
import { CliError, type CliIO, EXIT_OK } from '../io';
import { COLLECT_OPTIONS, DETAILS, FAIL_ON, FILTER_OPTIONS, formatOption } from '../options';
import type { CommandSpec } from '../program';
import {
  SUPPRESSION_OPTIONS,
  suppressForCommand,
  suppressionsFor,
  warnAboutEntries,
} from '../suppressions-options';

function collectDeps(io: CliIO): CollectDeps {
  return { progress: createProgressReporter({ stderr: io.stderr, isTTY: io.isTTY }) };
}

function optionsFrom(values: Values, io: CliIO, runId?: string): CollectOptions {
  try {
    return collectOptionsFromFlags(values, { env: io.env, ...(runId ? { runId } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
}

/**
 * Collection failures that stop a run before it starts (credentials, Organizations, AWS not
 * reachable at all) → exit 2 with what to do.
 */
async function collecting<T>(work: () => Promise<T>, io: CliIO, options: CollectOptions): Promise<T> {
  await checkAwsReachable(options.homeRegion, io);
  try {
    return await work();
  } catch (error) {
    if (error instanceof CollectError || error instanceof ConfigError)
      throw new CliError(error.message, 2, { cause: error });
    const unreachable = unreachableAws(error, io.env);
    if (unreachable) throw new CliError(unreachable, 2, { cause: error });
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

/**
 * A snapshot names every account, role and workload of the organization: readable by its owner only
 * (0600), also when it replaces an existing file (the mode is set before anything is written).
 */
function writeOwnerOnly(path: string, text: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

export const snapshotCommand: CommandSpec = {
  name: 'snapshot',
  summary: 'collect the live inventory of the organization to a file',
  options: [
    { flags: '-o, --out <file>', description: 'where to write the inventory (- for standard output)' },
    ...COLLECT_OPTIONS,
  ],
  help: 'Writes the inventory (docs/inventory.md), loadable with `irsa-audit scan --inventory FILE`.',
  async run(values, _args, { io, usage }) {
    const out = required(str(values, 'out'), '--out FILE', usage);
    const options = optionsFrom(values, io);
    const inventory = await collecting(() => collectInventory(options, collectDeps(io)), io, options);
    const text = `${inventoryToJson(inventory, 1)}\n`;
    if (out === '-') io.stdout(text);
    else {
      try {
        writeOwnerOnly(resolve(io.cwd, out), text);
      } catch (error) {
        throw new CliError(`cannot write ${out}: ${(error as Error).message}`, 2, { cause: error });
      }
    }
    printCollectionSummary(inventory, io);
    if (out !== '-') io.stderr(`wrote ${out}\n`);
    return EXIT_OK;
  },
};

export const runCommand: CommandSpec = {
  name: 'run',
  summary: 'live audit (optionally stored and notified, as the Lambda does)',
  options: [
    ...COLLECT_OPTIONS,
    formatOption([...REPORT_FORMATS, ...EXPORT_FORMATS], 'table'),
    DETAILS,
    ...FILTER_OPTIONS,
    FAIL_ON,
    ...SUPPRESSION_OPTIONS,
    ...EXPORT_OPTIONS,
    { flags: '--store <table>', description: 'run the whole pipeline against this results table' },
    {
      flags: '--notify <topic-arn>',
      description: 'publish the drift notification to this SNS topic (needs --store)',
    },
    {
      flags: '--notify-mode <mode>',
      description: `${NOTIFY_MODES.join(', ')} (default changes)`,
      choices: NOTIFY_MODES,
    },
    { flags: '--region <region>', description: 'region of the results table and topic', env: 'AWS_REGION' },
  ],
  output: true,
  help: `Live audit from a workstation with the caller's credentials: the same engine as the Lambda. With
--store it runs the Lambda's whole pipeline (run lock, drift against the results table, run record)
and with --notify it publishes the drift notification to the SNS topic. The filters choose what is
shown and what --fail-on reads; the results table always gets every finding. Suppressed findings
are stored as suppressed, not notified and not counted by --fail-on (docs/suppressions.md).
Exit codes: 0, 1 --fail-on met, 2 usage or input error, or AWS not reachable.`,
  run: runRun,
};

async function runRun(
  values: Values,
  _args: string[],
  context: { io: CliIO; terminal: Terminal },
): Promise<number> {
  const { io, terminal } = context;
  const format = oneOf(str(values, 'format'), [...REPORT_FORMATS, ...EXPORT_FORMATS], '--format', 'table');
  const failOn = severitiesOf(values, 'fail-on');
  const selection = selectionOf(values);
  const mode = oneOf<NotifyMode>(str(values, 'notify-mode'), NOTIFY_MODES, '--notify-mode', 'changes');
  const store = str(values, 'store');
  const topic = str(values, 'notify');
  if (topic && !store)
    throw new CliError('--notify needs --store (drift is computed against the results table)');
  // The run record is keyed by the run id: a second-resolution id alone would let two runs started in
  // the same second overwrite each other's record, so it carries the pipeline's random suffix too.
  const startedAt = new Date();
  const options = optionsFrom(values, io, defaultRunId(startedAt));
  const suppressions = suppressionsFor(values, io, startedAt);
  const showSuppressed = values['show-suppressed'] === true;
  const deps = collectDeps(io);
  const profile = str(values, 'profile');
  const region = str(values, 'region');
  const awsConfig = {
    ...(region ? { region } : {}),
    ...(profile ? { credentials: fromIni({ profile }) } : {}),
  };
  const render = (scan: ScanResult, inventory: Inventory) =>
    printScan(scan, inventory, { format, selection, failOn, terminal, values, io });

  if (!store) {
    const inventory = await collecting(() => collectInventory(options, deps), io, options);
    printCollectionSummary(inventory, io);
    return render(
      suppressForCommand(runChecks(inventory, CHECKS), suppressions, startedAt, io, showSuppressed),
      inventory,
    );
  }

  const client = createDocumentClient(awsConfig);
  const sns = topic ? new SNSClient(awsConfig) : undefined;
  try {
    const summary = await runAudit({
      store: new DynamoResultsStore({ tableName: store, client }),
      collect: () => collecting(() => collectInventory(options, deps), io, options),
      evaluate: (inventory) => runChecks(inventory, CHECKS),
      dependencies: dependenciesOf,
      publisher: sns && topic ? new SnsPublisher(sns, topic) : undefined,
      notify: { mode, commandSuffix: ` --table ${store}` },
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
    const code = render(summary.scan, summary.inventory);
    io.stderr(
      `run ${summary.runId}: ${summary.drift.new.length} new, ${summary.drift.resolved.length} resolved; notification ${summary.notificationOutcome.status}${summary.notificationOutcome.detail ? ` (${summary.notificationOutcome.detail})` : ''}\n`,
    );
    return code;
  } catch (error) {
    if (error instanceof RunLockedError) throw new CliError(error.message, 2, { cause: error });
    if (!(error instanceof CliError)) {
      const unreachable = unreachableAws(error, io.env);
      if (unreachable) throw new CliError(unreachable, 2, { cause: error });
    }
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
  values: Values,
  io: CliIO,
  deps: CollectDeps = collectDeps(io),
): Promise<Inventory> {
  const options = optionsFrom(values, io);
  return collecting(() => collectServiceAccountInventory(target, options, deps), io, options);
}
