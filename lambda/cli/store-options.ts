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
import type { Options, Parsed } from './args';
import { CliError, type CliIO } from './io';

const TABLE = SETTINGS.resultsTable;

export const STORE_OPTIONS: Options = {
  [TABLE.flag]: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  endpoint: { type: 'string' },
  demo: { type: 'boolean' },
  'data-dir': { type: 'string' },
};

export const STORE_USAGE = `Results table:
  --${TABLE.flag} NAME       DynamoDB results table (default: $${TABLE.cliEnv})
  --region R         its region (default: the SDK's, e.g. $AWS_REGION)
  --profile P        AWS CLI profile
  --endpoint URL     custom endpoint (DynamoDB Local)
  --demo             the embedded table of \`irsa-audit demo\` instead
  --data-dir DIR     where the demo keeps its data (default .irsa-audit/demo)`;

export interface OpenedStore {
  store: ResultsStore;
  /** Appended to suggested commands so they reach the same table. */
  commandSuffix: string;
  close(): Promise<void>;
}

export function demoDataDir(values: Parsed['values'], io: CliIO): string {
  return (values['data-dir'] as string | undefined) ?? join(io.cwd, '.irsa-audit', 'demo');
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

export async function openStore(values: Parsed['values'], io: CliIO): Promise<OpenedStore> {
  if (values.demo) return openEmbeddedStore(demoDataDir(values, io));
  const table = (values[TABLE.flag] as string | undefined) ?? io.env[TABLE.cliEnv];
  if (!table)
    throw new CliError(
      `name the results table with --${TABLE.flag} (or $${TABLE.cliEnv}), or use --demo\n\n${STORE_USAGE}`,
    );
  const profile = values.profile as string | undefined;
  const client = createDocumentClient({
    ...(values.region ? { region: values.region as string } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint as string } : {}),
    ...(profile ? { credentials: fromIni({ profile }) } : {}),
  });
  return {
    store: new DynamoResultsStore({ tableName: table, client }),
    commandSuffix: ` --table ${table}`,
    close: async () => client.destroy(),
  };
}
