import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../lambda/store/table';
import { TABLE_SCHEMA } from '../../lambda/store/table-schema';

/** dynalite with a table that stays CREATING for a while, as DynamoDB's tables do. */
async function slowDynalite(
  createTableMs: number,
): Promise<{ client: DynamoDBClient; stop(): Promise<void> }> {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    client,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

describe('ensureTable', () => {
  it('returns only once the new table is ACTIVE, so the first query finds it', async () => {
    const dynamo = await slowDynalite(300);
    try {
      expect(await ensureTable(dynamo.client, 'results')).toBe(true);
      const query = new QueryCommand({
        TableName: 'results',
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_SCHEMA.partitionKey },
        ExpressionAttributeValues: { ':pk': { S: 'RUN' } },
      });
      await expect(dynamo.client.send(query)).resolves.toMatchObject({ Count: 0 });
      expect(await ensureTable(dynamo.client, 'results')).toBe(false);
    } finally {
      await dynamo.stop();
    }
  });

  it('gives up with a StoreError when the table never becomes ACTIVE in time', async () => {
    const dynamo = await slowDynalite(5_000);
    try {
      await expect(ensureTable(dynamo.client, 'results', { timeoutMs: 100 })).rejects.toMatchObject({
        code: 'ReadFailed',
        message: expect.stringContaining('did not become ACTIVE (status CREATING)'),
      });
    } finally {
      await dynamo.stop();
    }
  });
});
