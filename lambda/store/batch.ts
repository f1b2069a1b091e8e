/**
 * BatchWriteItem in chunks of 25 with `UnprocessedItems` retried under exponential backoff with full
 * jitter, bounded in attempts. (Throttling errors of the call itself are retried by the SDK.)
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../app/store-errors';
import { itemBytes, MAX_ITEM_BYTES, type TableItem } from './items';

export const BATCH_SIZE = 25;

export interface RetryPolicy {
  /** Attempts per chunk, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter source (injected for tests). */
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 50,
  maxDelayMs: 5_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Full jitter: a random delay in [0, min(max, base · 2^attempt)). */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(policy.random() * ceiling);
}

export interface BatchResult {
  itemsWritten: number;
  requests: number;
  retries: number;
}

/** Later items win over earlier ones with the same key (a batch may not hold one key twice). */
export function dedupeByKey(items: readonly TableItem[]): TableItem[] {
  const byKey = new Map<string, TableItem>();
  for (const item of items) byKey.set(`${item.pk}\u0000${item.sk}`, item);
  return [...byKey.values()];
}

export async function batchPut(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly TableItem[],
  retry: RetryPolicy = DEFAULT_RETRY,
  concurrency = 4,
  signal?: AbortSignal,
): Promise<BatchResult> {
  const unique = dedupeByKey(items);
  for (const item of unique) {
    const bytes = itemBytes(item);
    if (bytes > MAX_ITEM_BYTES) {
      throw new StoreError(
        'WriteFailed',
        `item ${item.pk}/${item.sk} is ${bytes} bytes, over the 400 KB item limit`,
      );
    }
  }
  const chunks: TableItem[][] = [];
  for (let i = 0; i < unique.length; i += BATCH_SIZE) chunks.push(unique.slice(i, i + BATCH_SIZE));
  const result: BatchResult = { itemsWritten: 0, requests: 0, retries: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      // A run stopped at its deadline has recorded itself and released the lock: nothing more is written.
      if (signal?.aborted)
        throw new StoreError('WriteFailed', 'writes stopped: the run passed its stop time');
      const chunk = chunks[next++];
      await writeChunk(client, tableName, chunk, retry, result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, chunks.length)) }, worker));
  return result;
}

async function writeChunk(
  client: DynamoDBDocumentClient,
  tableName: string,
  chunk: TableItem[],
  retry: RetryPolicy,
  result: BatchResult,
): Promise<void> {
  let pending: Record<string, unknown>[] = chunk.map((item) => ({ PutRequest: { Item: item } }));
  for (let attempt = 0; ; attempt++) {
    let unprocessed: Record<string, unknown>[];
    try {
      result.requests++;
      const response = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }),
      );
      unprocessed = (response.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
    } catch (error) {
      throw new StoreError('WriteFailed', `BatchWriteItem on ${tableName} failed`, { cause: error });
    }
    result.itemsWritten += pending.length - unprocessed.length;
    if (unprocessed.length === 0) return;
    if (attempt + 1 >= retry.maxAttempts) {
      throw new StoreError(
        'UnprocessedItems',
        `${unprocessed.length} item(s) still unprocessed by ${tableName} after ${retry.maxAttempts} attempts`,
      );
    }
    result.retries++;
    pending = unprocessed;
    await retry.sleep(backoffDelay(attempt, retry));
  }
}
