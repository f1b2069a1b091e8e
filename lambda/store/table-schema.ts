/**
 * The results table's physical schema, shared by the store adapter (lambda/store) and the CDK stack
 * (infra/). docs/results-table.md explains which item types use which index and the Query behind
 * every query pattern of the CLI.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes resolved findings' state and history after the retention. */
  ttlAttribute: 'expiresAt',
  /** All GSIs have string keys and project ALL attributes (items are small; queries show whole findings). */
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }, // by status + severity (OPEN#high)
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' }, // by account (+status)
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' }, // by cluster name (+status); sk: account#region#…
    { indexName: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' }, // by role name (+status); sk: role account#…
    { indexName: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' }, // by check id (+status)
  ],
} as const;
