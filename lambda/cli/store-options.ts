/**
 * How a CLI command reaches the results table: a DynamoDB table (`--table`, `--region`, `--profile`,
 * `--endpoint` for DynamoDB Local) or the embedded demo table (`--demo`, the data `irsa-audit demo`
 * keeps in `.irsa-audit/demo`).
 */
import { join } from 'node:path';
import { fromIni } from '@aws-sdk/credential-providers';
import type { ResultsStore } from '../app/ports';
import { SETTINGS } from '../settings/settings';
import { createDocumentClient, DynamoResultsStore } from '../store/dynamo-store';
import { startEmbeddedDynamo } from '../store/embedded';
import { ensureTable } from '../store/table';
import { str, type Values } from './args';
import { CliError, type CliIO } from './io';
import type { OptionSpec } from './program';

const TABLE = SETTINGS.resultsTable;

export const DATA_DIR: OptionSpec = {
  flags: '--data-dir <dir>',
  description: 'where the demo keeps its data (default .irsa-audit/demo)',
};

/** How a command reaches the results table, by flag name. */
export const STORE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  [TABLE.flag]: {
    flags: `--${TABLE.flag} <name>`,
    description: `DynamoDB results table (default: $${TABLE.cliEnv})`,
    env: TABLE.cliEnv,
  },
  region: {
    flags: '--region <region>',
    description: "its region (default: the SDK's, e.g. $AWS_REGION)",
    env: 'AWS_REGION',
  },
  profile: { flags: '--profile <name>', description: 'AWS CLI profile', env: 'AWS_PROFILE' },
  endpoint: { flags: '--endpoint <url>', description: 'custom endpoint (DynamoDB Local)' },
  demo: { flags: '--demo', description: 'the embedded table of `irsa-audit demo` instead' },
  'data-dir': DATA_DIR,
};

/** The results-table options as help text. */
export const STORE_USAGE = `Results table:\n${Object.values(STORE_OPTIONS)
  .map((option) => `  ${option.flags.padEnd(18)} ${option.description}`)
  .join('\n')}`;

export interface OpenedStore {
  store: ResultsStore;
  /** Appended to suggested commands so they reach the same table. */
  commandSuffix: string;
  close(): Promise<void>;
}

export function demoDataDir(values: Values, io: CliIO): string {
  return str(values, 'data-dir') ?? join(io.cwd, '.irsa-audit', 'demo');
}

export async function openEmbeddedStore(dataDir: string): Promise<OpenedStore> {
  const embedded = await startEmbeddedDynamo({ path: dataDir, tableName: 'irsa-audit-demo' });
  try {
    await ensureTable(embedded.client, embedded.tableName);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return {
    store: new DynamoResultsStore({ tableName: embedded.tableName, client: embedded.documentClient }),
    commandSuffix: ' --demo',
    close: embedded.stop,
  };
}

export async function openStore(values: Values, io: CliIO): Promise<OpenedStore> {
  if (values.demo) return openEmbeddedStore(demoDataDir(values, io));
  const table = str(values, TABLE.flag) ?? io.env[TABLE.cliEnv];
  if (!table)
    throw new CliError(
      `name the results table with --${TABLE.flag} (or $${TABLE.cliEnv}), or use --demo (see --help)`,
    );
  const profile = str(values, 'profile');
  const region = str(values, 'region');
  const endpoint = str(values, 'endpoint');
  const client = createDocumentClient({
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(profile ? { credentials: fromIni({ profile }) } : {}),
  });
  return {
    store: new DynamoResultsStore({ tableName: table, client }),
    commandSuffix: ` --table ${table}`,
    close: async () => client.destroy(),
  };
}
