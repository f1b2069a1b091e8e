/**
 * An embedded DynamoDB (dynalite) on loopback, for `irsa-audit demo` (data kept in a local folder so a
 * second run sees the first run's results) and for tests (in memory). Never imported by the Lambda:
 * dynalite is loaded lazily so it stays out of the Lambda bundle's hot path.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from './table';

export interface EmbeddedDynamo {
  endpoint: string;
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** Closes the clients and the server (and flushes the on-disk store). */
  stop(): Promise<void>;
}

export interface EmbeddedDynamoOptions {
  tableName?: string;
  /** Folder for a persistent LevelDB store; in memory when absent. */
  path?: string;
}

type DynaliteFactory = (options: Record<string, unknown>) => Server;

export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
    maxAttempts: 3,
  });
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  const tableName = options.tableName ?? 'irsa-audit-results';
  const stop = async (): Promise<void> => {
    documentClient.destroy();
    client.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, client, documentClient, tableName, stop };
}
