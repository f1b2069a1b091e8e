/**
 * `irsa-audit findings`, `irsa-audit runs` and `irsa-audit history <fingerprint>`: queries of the
 * results table, each served by a DynamoDB Query (docs/results-table.md).
 */

import type { FindingFilter } from '../../app/ports';
import { StoreError } from '../../app/store-errors';
import { FINDING_STATUSES, type FindingStatus } from '../../app/stored-finding';
import {
  renderFindingsCompact,
  renderFindingsJson,
  renderFindingsTable,
  renderHistoryJson,
  renderHistoryTable,
  renderRunsJson,
  renderRunsTable,
} from '../../report/results-report';
import { findingHistory, listRuns, queryFindings } from '../../store/queries';
import { checkIdsOf, oneOf, severitiesOf, str, type Values } from '../args';
import { EXPORT_FORMATS, EXPORT_OPTIONS, isExportFormat, renderStoredExport } from '../exports';
import { matchesSelection } from '../filters';
import { CliError, type CliIO, EXIT_OK } from '../io';
import { DETAILS, FILTER_OPTIONS, formatOption } from '../options';
import type { CommandSpec } from '../program';
import { openStore, STORE_OPTIONS } from '../store-options';

const FORMATS = ['table', 'json'] as const;
const CURSOR = {
  flags: '--cursor <cursor>',
  description: 'continue after the page that printed this cursor',
};

async function withStore<T>(
  values: Values,
  io: CliIO,
  use: (store: Awaited<ReturnType<typeof openStore>>['store']) => Promise<T>,
): Promise<T> {
  const opened = await openStore(values, io);
  try {
    return await use(opened.store);
  } catch (error) {
    if (error instanceof StoreError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  } finally {
    await opened.close();
  }
}

export const findingsCommand: CommandSpec = {
  name: 'findings',
  summary: 'query findings in the results table',
  options: [
    {
      flags: '--status <status>',
      description: `${FINDING_STATUSES.join(', ')} (default open)`,
      choices: FINDING_STATUSES,
    },
    { flags: '--account <id>', description: 'only this account' },
    { flags: '--cluster <name>', description: 'only this cluster (name or ARN)' },
    { flags: '--role <arn>', description: 'only this role (ARN, or a name in every account)' },
    ...FILTER_OPTIONS.filter((option) => !option.flags.startsWith('--skip-check')),
    { flags: '--all', description: 'follow every page' },
    { flags: '--limit <n>', description: 'page size (default 500)' },
    CURSOR,
    formatOption([...FORMATS, ...EXPORT_FORMATS], 'table'),
    DETAILS,
    ...EXPORT_OPTIONS,
    ...Object.values(STORE_OPTIONS),
  ],
  output: true,
  help: 'Queries the results table; defaults to open findings, one line each (--details: every column).',
  async run(values, _args, { io, terminal }) {
    const format = oneOf(str(values, 'format'), [...FORMATS, ...EXPORT_FORMATS], '--format', 'table');
    const status = oneOf<FindingStatus>(str(values, 'status'), FINDING_STATUSES, '--status', 'open');
    const severities = severitiesOf(values, 'severity');
    const checks = checkIdsOf(values, 'check');
    const limit =
      str(values, 'limit') === undefined ? undefined : positiveInt(str(values, 'limit') as string, '--limit');
    const filter: FindingFilter = {
      status,
      accountId: str(values, 'account'),
      cluster: str(values, 'cluster'),
      role: str(values, 'role'),
      // One value is a filter of the query itself; several are applied to every page read.
      ...(checks?.size === 1 ? { checkId: [...checks][0] } : {}),
      ...(severities?.size === 1 ? { severity: [...severities][0] } : {}),
    };
    const several = (checks?.size ?? 0) > 1 || (severities?.size ?? 0) > 1;
    const result = await withStore(values, io, (store) =>
      queryFindings(
        store,
        filter,
        { all: values.all === true || several, limit, cursor: str(values, 'cursor') },
        new Date(),
      ),
    );
    const shown = several
      ? {
          ...result,
          findings: result.findings.filter((finding) => matchesSelection(finding, { severities, checks })),
        }
      : result;
    if (isExportFormat(format)) io.stdout(renderStoredExport(format, shown.findings, values, io));
    else if (format === 'json') io.stdout(renderFindingsJson(shown));
    else
      io.stdout(
        values.details === true ? renderFindingsTable(shown) : renderFindingsCompact(shown, terminal),
      );
    return EXIT_OK;
  },
};

export const runsCommand: CommandSpec = {
  name: 'runs',
  summary: 'list audit runs',
  options: [
    { flags: '--limit <n>', description: 'how many (default 20)' },
    CURSOR,
    formatOption(FORMATS, 'table'),
    ...Object.values(STORE_OPTIONS),
  ],
  output: true,
  help: 'Lists audit runs, newest first: duration, what was audited, coverage errors, drift.',
  async run(values, _args, { io }) {
    const format = oneOf(str(values, 'format'), FORMATS, '--format', 'table');
    const limit =
      str(values, 'limit') === undefined ? 20 : positiveInt(str(values, 'limit') as string, '--limit');
    const result = await withStore(values, io, (store) =>
      listRuns(store, { limit, cursor: str(values, 'cursor') }, new Date()),
    );
    io.stdout(format === 'json' ? renderRunsJson(result) : renderRunsTable(result));
    return EXIT_OK;
  },
};

export const historyCommand: CommandSpec = {
  name: 'history',
  summary: "one finding's history (opened / suppressed / resolved)",
  arguments: '<fingerprint>',
  options: [formatOption(FORMATS, 'table'), ...Object.values(STORE_OPTIONS)],
  output: true,
  help: 'Shows one finding: its message and fix, and when it was opened, suppressed and resolved, run by run.',
  async run(values, args, { io }) {
    if (args.length !== 1) throw new CliError('give exactly one fingerprint');
    const format = oneOf(str(values, 'format'), FORMATS, '--format', 'table');
    const history = await withStore(values, io, (store) => findingHistory(store, args[0], new Date()));
    io.stdout(format === 'json' ? renderHistoryJson(history) : renderHistoryTable(history));
    return EXIT_OK;
  },
};

function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new CliError(`${flag} must be a positive integer (got "${text}")`);
  return value;
}
