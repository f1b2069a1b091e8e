/**
 * Creating the results table from TABLE_SCHEMA: used by the embedded table of `irsa-audit demo` and
 * by tests. In AWS the CDK stack creates it (with TTL enabled on `expiresAt`, which dynalite lacks).
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { StoreError } from '../app/store-errors';
import { TABLE_SCHEMA } from './table-schema';

function createTableInput(tableName: string): CreateTableCommandInput {
  const keyNames = new Set<string>([TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey]);
  for (const index of TABLE_SCHEMA.globalSecondaryIndexes) {
    keyNames.add(index.partitionKey);
    keyNames.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyNames].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE_SCHEMA.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

/**
 * Creates the table unless it exists, and returns once it is ACTIVE: a table still CREATING answers
 * queries with ResourceNotFoundException (DynamoDB and dynalite alike), which a loaded machine hits.
 * Returns true when it was created.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  wait: { timeoutMs?: number; pollMs?: number } = {},
): Promise<boolean> {
  let status = await tableStatus(client, tableName);
  let created = false;
  if (status === undefined) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      created = true;
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) {
        throw new StoreError('WriteFailed', `could not create table ${tableName}`, { cause: error });
      }
    }
    status = await tableStatus(client, tableName);
  }
  const deadline = Date.now() + (wait.timeoutMs ?? 60_000);
  let pollMs = wait.pollMs ?? 20;
  while (status !== 'ACTIVE') {
    if (Date.now() > deadline) {
      throw new StoreError(
        'ReadFailed',
        `table ${tableName} did not become ACTIVE (status ${status ?? 'missing'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    pollMs = Math.min(pollMs * 2, 1_000);
    status = await tableStatus(client, tableName);
  }
  return created;
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus ?? 'ACTIVE';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw new StoreError('ReadFailed', `could not describe table ${tableName}`, { cause: error });
  }
}
