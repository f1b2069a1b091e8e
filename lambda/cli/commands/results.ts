/**
 * `irsa-audit findings`, `irsa-audit runs` and `irsa-audit history <fingerprint>`: queries of the
 * results table, each served by a DynamoDB Query (docs/results-table.md).
 */

import { StoreError } from '../../app/store-errors';
import { FINDING_STATUSES, type FindingStatus } from '../../app/stored-finding';
import { SEVERITIES, type Severity } from '../../core/model';
import {
  renderFindingsJson,
  renderFindingsTable,
  renderHistoryJson,
  renderHistoryTable,
  renderRunsJson,
  renderRunsTable,
} from '../../report/results-report';
import { findingHistory, listRuns, queryFindings } from '../../store/queries';
import { oneOf, parse } from '../args';
import { CliError, type CliIO, EXIT_OK } from '../io';
import { openStore, STORE_OPTIONS, STORE_USAGE } from '../store-options';

const FORMAT = { format: { type: 'string', short: 'f' } } as const;

const findingsUsage = `Usage: irsa-audit findings [--status open|resolved|suppressed] [--account ID] [--cluster NAME|ARN]
                           [--role ARN|NAME] [--check ID] [--severity SEV] [--all] [--format table|json]

Queries the results table. Defaults to open findings; --all follows every page.

${STORE_USAGE}`;

const runsUsage = `Usage: irsa-audit runs [--limit N] [--format table|json]

Lists audit runs, newest first: duration, what was audited, coverage errors, drift.

${STORE_USAGE}`;

const historyUsage = `Usage: irsa-audit history FINGERPRINT [--format table|json]

Shows one finding's history: when it was opened, suppressed and resolved, run by run.

${STORE_USAGE}`;

async function withStore<T>(
  values: Record<string, unknown>,
  io: CliIO,
  use: (store: Awaited<ReturnType<typeof openStore>>['store']) => Promise<T>,
): Promise<T> {
  const opened = await openStore(values as never, io);
  try {
    return await use(opened.store);
  } catch (error) {
    if (error instanceof StoreError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  } finally {
    await opened.close();
  }
}

export async function runFindings(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(
    argv,
    {
      ...STORE_OPTIONS,
      ...FORMAT,
      status: { type: 'string' },
      account: { type: 'string' },
      cluster: { type: 'string' },
      role: { type: 'string' },
      check: { type: 'string' },
      severity: { type: 'string' },
      all: { type: 'boolean' },
      limit: { type: 'string' },
    },
    findingsUsage,
  );
  if (values.help) {
    io.stdout(`${findingsUsage}\n`);
    return EXIT_OK;
  }
  const format = oneOf(values.format as string | undefined, ['table', 'json'] as const, '--format', 'table');
  const status = oneOf<FindingStatus>(
    values.status as string | undefined,
    FINDING_STATUSES,
    '--status',
    'open',
  );
  const severity =
    values.severity === undefined
      ? undefined
      : oneOf<Severity>(values.severity as string, SEVERITIES, '--severity', 'high');
  const limit = values.limit === undefined ? undefined : positiveInt(values.limit as string, '--limit');
  const result = await withStore(values, io, (store) =>
    queryFindings(
      store,
      {
        status,
        accountId: values.account as string | undefined,
        cluster: values.cluster as string | undefined,
        role: values.role as string | undefined,
        checkId: values.check as string | undefined,
        severity,
      },
      { all: Boolean(values.all), limit },
      new Date(),
    ),
  );
  io.stdout(format === 'json' ? renderFindingsJson(result) : renderFindingsTable(result));
  return EXIT_OK;
}

export async function runRuns(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, { ...STORE_OPTIONS, ...FORMAT, limit: { type: 'string' } }, runsUsage);
  if (values.help) {
    io.stdout(`${runsUsage}\n`);
    return EXIT_OK;
  }
  const format = oneOf(values.format as string | undefined, ['table', 'json'] as const, '--format', 'table');
  const limit = values.limit === undefined ? 20 : positiveInt(values.limit as string, '--limit');
  const result = await withStore(values, io, (store) => listRuns(store, { limit }, new Date()));
  io.stdout(format === 'json' ? renderRunsJson(result) : renderRunsTable(result));
  return EXIT_OK;
}

export async function runHistory(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, { ...STORE_OPTIONS, ...FORMAT }, historyUsage, true);
  if (values.help) {
    io.stdout(`${historyUsage}\n`);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new CliError(`give exactly one fingerprint\n\n${historyUsage}`);
  const format = oneOf(values.format as string | undefined, ['table', 'json'] as const, '--format', 'table');
  const history = await withStore(values, io, (store) => findingHistory(store, positionals[0], new Date()));
  io.stdout(format === 'json' ? renderHistoryJson(history) : renderHistoryTable(history));
  return EXIT_OK;
}

function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new CliError(`${flag} must be a positive integer (got "${text}")`);
  return value;
}
