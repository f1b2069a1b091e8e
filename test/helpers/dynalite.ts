/**
 * dynalite (a real implementation of the DynamoDB protocol) started in-process on a random loopback
 * port, in memory, with the results table created from TABLE_SCHEMA. One per test file.
 */
import { DynamoResultsStore, type DynamoResultsStoreOptions } from '../../lambda/store/dynamo-store';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../lambda/store/embedded';

export interface TestDynamo extends EmbeddedDynamo {
  /** A store on this table; options override the defaults (no retry delays). */
  store(options?: Partial<DynamoResultsStoreOptions>): DynamoResultsStore;
}

let tables = 0;

export async function startDynalite(tableName = `results-${process.pid}-${++tables}`): Promise<TestDynamo> {
  const dynamo = await startEmbeddedDynamo({ tableName });
  if (!dynamo.endpoint.startsWith('http://127.0.0.1:')) throw new Error('dynalite must listen on loopback');
  return {
    ...dynamo,
    store: (options = {}) =>
      new DynamoResultsStore({
        tableName: dynamo.tableName,
        client: dynamo.documentClient,
        retry: { sleep: async () => {} },
        ...options,
      }),
  };
}
