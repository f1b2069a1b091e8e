import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { BATCH_SIZE, backoffDelay, batchPut, DEFAULT_RETRY, dedupeByKey } from '../../lambda/store/batch';
import type { TableItem } from '../../lambda/store/items';

// dynalite never returns UnprocessedItems, so the retry path is driven at the SDK boundary.
const document = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(document);
afterEach(() => ddb.reset());

const items = (count: number): TableItem[] =>
  Array.from({ length: count }, (_, i) => ({ pk: `FINDING#${i}`, sk: 'STATE', n: i }));

const requestsOf = (call: number): Record<string, unknown>[] =>
  (ddb.commandCalls(BatchWriteCommand)[call].args[0].input.RequestItems?.results ?? []) as Record<
    string,
    unknown
  >[];

describe('batchPut', () => {
  it('writes in chunks of at most 25', async () => {
    ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    const result = await batchPut(document, 'results', items(60));
    const sizes = ddb
      .commandCalls(BatchWriteCommand)
      .map((call) => call.args[0].input.RequestItems?.results.length);
    expect(sizes.sort()).toEqual([10, BATCH_SIZE, BATCH_SIZE]);
    expect(result).toEqual({ itemsWritten: 60, requests: 3, retries: 0 });
  });

  it('retries UnprocessedItems with jittered exponential backoff until they are written', async () => {
    const batch = items(5);
    const leftover = batch.slice(3).map((Item) => ({ PutRequest: { Item } }));
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { results: leftover } })
      .resolvesOnce({ UnprocessedItems: { results: leftover.slice(1) } })
      .resolves({});
    const delays: number[] = [];
    const result = await batchPut(document, 'results', batch, {
      ...DEFAULT_RETRY,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
    });
    expect(result).toEqual({ itemsWritten: 5, requests: 3, retries: 2 });
    expect(requestsOf(1)).toEqual(leftover);
    expect(requestsOf(2)).toEqual(leftover.slice(1));
    expect(delays).toEqual([25, 50]); // 0.5 × 50 ms · 2^0, 0.5 × 50 ms · 2^1
  });

  it('gives up after the bounded number of attempts with a typed error', async () => {
    const batch = items(2);
    ddb
      .on(BatchWriteCommand)
      .resolves({ UnprocessedItems: { results: [{ PutRequest: { Item: batch[0] } }] } });
    await expect(
      batchPut(document, 'results', batch, { ...DEFAULT_RETRY, maxAttempts: 4, sleep: async () => {} }),
    ).rejects.toMatchObject({ name: 'StoreError', code: 'UnprocessedItems' });
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(4);
  });

  it('wraps SDK failures, keeping the cause', async () => {
    const cause = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    ddb.on(BatchWriteCommand).rejects(cause);
    await expect(batchPut(document, 'results', items(1))).rejects.toMatchObject({
      code: 'WriteFailed',
      cause,
    });
  });

  it('caps the backoff and never sends one key twice in a batch', () => {
    expect(backoffDelay(20, { baseDelayMs: 50, maxDelayMs: 5000, random: () => 0.999 })).toBeLessThan(5000);
    const twice = dedupeByKey([
      { pk: 'A', sk: 'STATE', v: 1 },
      { pk: 'A', sk: 'STATE', v: 2 },
    ]);
    expect(twice).toEqual([{ pk: 'A', sk: 'STATE', v: 2 }]);
  });
});
