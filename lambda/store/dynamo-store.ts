/**
 * The results table on DynamoDB (docs/results-table.md), through `@aws-sdk/lib-dynamodb`: the
 * `ResultsStore` port of app/ports.ts, throwing the port's errors (app/store-errors.ts).
 * Every read is a `Query` or a `GetItem`; nothing scans. No transactions: writes are ordered so that a
 * run that dies half-way leaves a state the next run repairs (the pending notification first, finding
 * states last: docs/results-table.md, "The notification outbox").
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  ApplyDriftInput,
  FindingFilter,
  OutboxEntry,
  Page,
  PageOptions,
  ResultsStore,
  RunLock,
} from '../app/ports';
import type { NotificationOutcome, RunRecord, WriteStats } from '../app/run-record';
import { LockLostError, RunLockedError, StoreError } from '../app/store-errors';
import type { FindingHistory, StoredFinding } from '../app/stored-finding';
import { SEVERITIES } from '../core/model';
import { batchPut, DEFAULT_RETRY, type RetryPolicy } from './batch';
import {
  EVENT_PREFIX,
  epochSeconds,
  eventFromItem,
  findingPk,
  gsi1Pk,
  isExpired,
  LOCK_PK,
  LOCK_SK,
  lockFromItem,
  lockItem,
  OUTBOX_PK,
  outboxFromItem,
  outboxItem,
  RUN_PK,
  runFromItem,
  runItem,
  runSk,
  STATE_SK,
  storedFindingFromItem,
} from './items';
import { DEFAULT_WRITE_POLICY, planWrites, type WritePolicy } from './plan';
import { matchesFilter, planFindingsQuery, type QueryStep } from './query-plan';

export interface DynamoResultsStoreOptions {
  tableName: string;
  client: DynamoDBDocumentClient;
  /** Retention of resolved findings and their history, and when to refresh `lastSeen`. */
  writePolicy?: Partial<WritePolicy>;
  /** Days run records are kept (default 400: more than a year of nightly history). */
  runRetentionDays?: number;
  retry?: Partial<RetryPolicy>;
  /** Parallel BatchWriteItem / UpdateItem calls (default 4). */
  writeConcurrency?: number;
}

const DEFAULT_RUN_RETENTION_DAYS = 400;
/** A sent notification is kept this long (for `history`-style inspection), then TTL deletes it. */
const SENT_NOTIFICATION_RETENTION_DAYS = 30;
/** How many of the latest run records the abandoned-run sweep reads (one Query page). */
const ABANDONED_SWEEP_RUNS = 20;
const DEFAULT_PAGE_LIMIT = 500;

/** A document client that drops `undefined` (optional fields) instead of failing on them. */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

interface Cursor {
  /** Step of the query plan. */
  s: number;
  /** ExclusiveStartKey within that step. */
  k?: Record<string, unknown>;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(text: string | undefined): Cursor {
  if (text === undefined) return { s: 0 };
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (typeof cursor.s !== 'number' || cursor.s < 0) throw new Error('bad step');
    return cursor;
  } catch (error) {
    throw new StoreError('BadCursor', 'the page cursor is not one this command produced', { cause: error });
  }
}

export class DynamoResultsStore implements ResultsStore {
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly policy: WritePolicy;
  private readonly runRetentionDays: number;
  private readonly retry: RetryPolicy;
  private readonly concurrency: number;

  constructor(options: DynamoResultsStoreOptions) {
    this.tableName = options.tableName;
    this.client = options.client;
    this.policy = { ...DEFAULT_WRITE_POLICY, ...options.writePolicy };
    this.runRetentionDays = options.runRetentionDays ?? DEFAULT_RUN_RETENTION_DAYS;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.concurrency = options.writeConcurrency ?? 4;
  }

  // ── run lock ────────────────────────────────────────────────────────────────────────────────

  async acquireLock(
    holder: string,
    now: Date,
    ttlSeconds: number,
    options: { invocation?: string } = {},
  ): Promise<RunLock> {
    const lock: RunLock = {
      holder,
      acquiredAt: now.toISOString(),
      expiresAt: epochSeconds(now) + ttlSeconds,
      ...(options.invocation === undefined ? {} : { invocation: options.invocation }),
    };
    // DynamoDB's TTL deletion lags (and dynalite never deletes): expiry is checked here. A retry of the
    // same invocation (Lambda retries keep the request id; the schedule's execution id is in the event)
    // takes over: its earlier attempt has ended, killed at the timeout.
    const sameInvocation = options.invocation === undefined ? '' : ' OR invocation = :invocation';
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: lockItem(lock),
          ConditionExpression: `attribute_not_exists(pk) OR expiresAt < :now${sameInvocation}`,
          ExpressionAttributeValues: {
            ':now': epochSeconds(now),
            ...(options.invocation === undefined ? {} : { ':invocation': options.invocation }),
          },
        }),
      );
      return lock;
    } catch (error) {
      if (!isConditionalFailure(error)) throw this.wrap('WriteFailed', 'could not take the run lock', error);
      const current = await this.readLock();
      throw new RunLockedError(current?.holder ?? 'unknown holder', current?.expiresAt, { cause: error });
    }
  }

  async renewLock(lock: RunLock, now: Date, ttlSeconds: number): Promise<RunLock> {
    const renewed: RunLock = { ...lock, expiresAt: epochSeconds(now) + ttlSeconds };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: LOCK_PK, sk: LOCK_SK },
          UpdateExpression: 'SET expiresAt = :expiresAt',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':expiresAt': renewed.expiresAt, ':holder': lock.holder },
        }),
      );
      return renewed;
    } catch (error) {
      if (isConditionalFailure(error)) throw new LockLostError(lock.holder, { cause: error });
      throw this.wrap('WriteFailed', 'could not renew the run lock', error);
    }
  }

  async releaseLock(lock: RunLock): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: LOCK_PK, sk: LOCK_SK },
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': lock.holder },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalFailure(error)) return false;
      throw this.wrap('WriteFailed', 'could not release the run lock', error);
    }
  }

  async readLock(): Promise<RunLock | undefined> {
    try {
      const response = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: LOCK_PK, sk: LOCK_SK },
          ConsistentRead: true,
        }),
      );
      return response.Item ? lockFromItem(response.Item) : undefined;
    } catch (error) {
      throw this.wrap('ReadFailed', 'could not read the run lock', error);
    }
  }

  // ── findings ────────────────────────────────────────────────────────────────────────────────

  async loadOpenFindings(now: Date): Promise<StoredFinding[]> {
    const open: StoredFinding[] = [];
    for (const severity of SEVERITIES) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const response = await this.query({
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': gsi1Pk('open', severity) },
          ExclusiveStartKey: startKey,
        });
        for (const item of response.items) {
          if (!isExpired(item, epochSeconds(now))) open.push(storedFindingFromItem(item));
        }
        startKey = response.lastKey;
      } while (startKey);
    }
    return open;
  }

  /**
   * The order is the guarantee (docs/results-table.md, "The notification outbox"): the pending
   * notification is written before any finding state, and the states are the commit. A run that dies
   * before the states leaves the drift to be computed again; one that dies after them leaves the
   * notification pending for the next run.
   */
  async applyDrift(input: ApplyDriftInput): Promise<WriteStats> {
    const plan = planWrites(input.drift, input.previousOpen, input.runId, input.now, this.policy);
    let outboxRequests = 0;
    if (input.notification) {
      this.checkNotStopped(input.signal);
      try {
        await this.client.send(
          new PutCommand({ TableName: this.tableName, Item: outboxItem(input.notification) }),
        );
      } catch (error) {
        throw this.wrap('WriteFailed', `could not store the notification of run ${input.runId}`, error);
      }
      outboxRequests = 1;
    }
    const events = await batchPut(
      this.client,
      this.tableName,
      plan.events,
      this.retry,
      this.concurrency,
      input.signal,
    );
    this.checkNotStopped(input.signal);
    await this.expireOpenedEvents(plan.eventExpiries);
    const states = await batchPut(
      this.client,
      this.tableName,
      plan.states,
      this.retry,
      this.concurrency,
      input.signal,
    );
    return {
      ...plan.stats,
      itemsWritten: outboxRequests + events.itemsWritten + states.itemsWritten,
      requests: outboxRequests + events.requests + states.requests + plan.eventExpiries.length,
      retries: events.retries + states.retries,
    };
  }

  private checkNotStopped(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new StoreError('WriteFailed', 'writes stopped: the run passed its stop time');
  }

  private async expireOpenedEvents(
    expiries: readonly { pk: string; sk: string; expiresAt: number }[],
  ): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < expiries.length) {
        const expiry = expiries[next++];
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { pk: expiry.pk, sk: expiry.sk },
              UpdateExpression: 'SET expiresAt = :expiresAt',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':expiresAt': expiry.expiresAt },
            }),
          );
        } catch (error) {
          // The opened event may be missing (older data, or a run that died before writing it).
          if (!isConditionalFailure(error))
            throw this.wrap('WriteFailed', 'could not set the expiry of an event', error);
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(this.concurrency, expiries.length)) }, worker),
    );
  }

  async queryFindings(filter: FindingFilter, page: PageOptions, now: Date): Promise<Page<StoredFinding>> {
    const plan = planFindingsQuery(filter);
    const limit = Math.max(1, page.limit ?? DEFAULT_PAGE_LIMIT);
    const cursor = decodeCursor(page.cursor);
    const nowSeconds = epochSeconds(now);
    const items: StoredFinding[] = [];
    const pkName = `${plan.indexName}pk`;
    const skName = `${plan.indexName}sk`;

    for (let step = cursor.s; step < plan.steps.length; step++) {
      let startKey = step === cursor.s ? cursor.k : undefined;
      do {
        const response = await this.query({
          IndexName: plan.indexName,
          ...keyCondition(plan.steps[step], pkName, skName),
          ExclusiveStartKey: startKey,
          Limit: Math.min(1000, Math.max(limit - items.length, 100)),
        });
        for (let i = 0; i < response.items.length; i++) {
          const item = response.items[i];
          if (isExpired(item, nowSeconds)) continue;
          const finding = storedFindingFromItem(item);
          if (!matchesFilter(finding, filter)) continue;
          items.push(finding);
          if (items.length === limit) {
            const more =
              i < response.items.length - 1 || response.lastKey !== undefined || step < plan.steps.length - 1;
            if (!more) return { items };
            // Resume right after this item: its table and index keys form a valid ExclusiveStartKey.
            const key = { pk: item.pk, sk: item.sk, [pkName]: item[pkName], [skName]: item[skName] };
            return { items, cursor: encodeCursor({ s: step, k: key }) };
          }
        }
        startKey = response.lastKey;
      } while (startKey);
    }
    return { items };
  }

  async findingHistory(fingerprint: string, now: Date): Promise<FindingHistory> {
    const nowSeconds = epochSeconds(now);
    const history: FindingHistory = { fingerprint, events: [] };
    let startKey: Record<string, unknown> | undefined;
    do {
      const response = await this.query({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': findingPk(fingerprint) },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      });
      for (const item of response.items) {
        if (isExpired(item, nowSeconds)) continue;
        if (item.sk === STATE_SK) history.state = storedFindingFromItem(item);
        else if (String(item.sk).startsWith(EVENT_PREFIX)) history.events.push(eventFromItem(item));
      }
      startKey = response.lastKey;
    } while (startKey);
    history.events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.event === 'opened' ? -1 : 1));
    return history;
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────────────

  async putRun(record: RunRecord): Promise<void> {
    const expiresAt = epochSeconds(new Date(record.startedAt)) + this.runRetentionDays * 86_400;
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: runItem(record, expiresAt) }));
    } catch (error) {
      throw this.wrap('WriteFailed', `could not write run record ${record.runId}`, error);
    }
  }

  async markAbandonedRuns(currentRunId: string, now: Date): Promise<string[]> {
    const latest = await this.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': RUN_PK },
      ScanIndexForward: false,
      Limit: ABANDONED_SWEEP_RUNS,
      ConsistentRead: true,
    });
    const abandoned: string[] = [];
    for (const item of latest.items) {
      if (item.status !== 'running' || item.runId === currentRunId) continue;
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'SET #status = :abandoned, #error = :error, abandonedBy = :by',
            ConditionExpression: '#status = :running',
            ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
            ExpressionAttributeValues: {
              ':abandoned': 'abandoned',
              ':running': 'running',
              ':by': currentRunId,
              ':error': {
                stage: 'unknown',
                code: 'RunAbandoned',
                message: `the run ended without recording its end (a Lambda timeout or crash); found by run ${currentRunId} at ${now.toISOString()}`,
              },
            },
          }),
        );
        abandoned.push(String(item.runId));
      } catch (error) {
        // It recorded its end meanwhile (a run whose lock lapsed while it was still alive).
        if (!isConditionalFailure(error))
          throw this.wrap('WriteFailed', `could not mark run ${String(item.runId)} abandoned`, error);
      }
    }
    return abandoned;
  }

  // ── notification outbox ─────────────────────────────────────────────────────────────────────

  async pendingNotifications(limit: number): Promise<OutboxEntry[]> {
    const pending: OutboxEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const response = await this.query({
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pk': OUTBOX_PK, ':pending': 'pending' },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      });
      for (const item of response.items) {
        if (pending.length < limit) pending.push(outboxFromItem(item));
      }
      startKey = response.lastKey;
    } while (startKey && pending.length < limit);
    return pending;
  }

  async countPendingNotifications(): Promise<number> {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      try {
        const response = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pk': OUTBOX_PK, ':pending': 'pending' },
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
            ConsistentRead: true,
          }),
        );
        count += response.Count ?? 0;
        startKey = response.LastEvaluatedKey;
      } catch (error) {
        throw this.wrap('ReadFailed', 'could not count the pending notifications', error);
      }
    } while (startKey);
    return count;
  }

  async markNotificationSent(entry: OutboxEntry, outcome: NotificationOutcome, now: Date): Promise<void> {
    await this.updateOutbox(entry, {
      UpdateExpression: 'SET #status = :sent, sentAt = :at, attempts = :attempts, expiresAt = :expiresAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':at': now.toISOString(),
        ':attempts': outcome.attempts ?? entry.attempts,
        ':expiresAt': epochSeconds(now) + SENT_NOTIFICATION_RETENTION_DAYS * 86_400,
      },
    });
    await this.recordRunNotification(entry, outcome);
  }

  async markNotificationFailed(entry: OutboxEntry, outcome: NotificationOutcome, now: Date): Promise<void> {
    await this.updateOutbox(entry, {
      UpdateExpression: 'SET attempts = :attempts, lastError = :error, lastAttemptAt = :at',
      ExpressionAttributeValues: {
        ':attempts': outcome.attempts ?? entry.attempts,
        ':error': (outcome.detail ?? 'failed').slice(0, 300),
        ':at': now.toISOString(),
      },
    });
    await this.recordRunNotification(entry, outcome);
  }

  private async updateOutbox(
    entry: OutboxEntry,
    update: Pick<
      ConstructorParameters<typeof UpdateCommand>[0],
      'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: OUTBOX_PK, sk: runSk(entry.runStartedAt, entry.runId) },
          ConditionExpression: 'attribute_exists(pk)',
          ...update,
        }),
      );
    } catch (error) {
      throw this.wrap('WriteFailed', `could not update the notification of run ${entry.runId}`, error);
    }
  }

  /** The run record shows where its notification stands (absent once the record expired: skipped). */
  private async recordRunNotification(entry: OutboxEntry, outcome: NotificationOutcome): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: RUN_PK, sk: runSk(entry.runStartedAt, entry.runId) },
          UpdateExpression: 'SET notification = :outcome',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':outcome': JSON.parse(JSON.stringify(outcome)) as unknown },
        }),
      );
    } catch (error) {
      if (!isConditionalFailure(error))
        throw this.wrap('WriteFailed', `could not record the notification of run ${entry.runId}`, error);
    }
  }

  async listRuns(page: PageOptions, now: Date): Promise<Page<RunRecord>> {
    const limit = Math.max(1, page.limit ?? 20);
    const cursor = decodeCursor(page.cursor);
    const nowSeconds = epochSeconds(now);
    const runs: RunRecord[] = [];
    let startKey = cursor.k;
    do {
      const response = await this.query({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': RUN_PK },
        ScanIndexForward: false,
        ExclusiveStartKey: startKey,
        Limit: limit - runs.length,
      });
      for (const item of response.items) {
        if (!isExpired(item, nowSeconds)) runs.push(runFromItem(item));
      }
      startKey = response.lastKey;
    } while (startKey && runs.length < limit);
    return startKey ? { items: runs, cursor: encodeCursor({ s: 0, k: startKey }) } : { items: runs };
  }

  // ── plumbing ────────────────────────────────────────────────────────────────────────────────

  private async query(
    input: Omit<QueryCommandInput, 'TableName'>,
  ): Promise<{ items: Record<string, unknown>[]; lastKey?: Record<string, unknown> }> {
    try {
      const response = await this.client.send(new QueryCommand({ TableName: this.tableName, ...input }));
      return { items: response.Items ?? [], lastKey: response.LastEvaluatedKey };
    } catch (error) {
      throw this.wrap(
        'ReadFailed',
        `Query on ${this.tableName}${input.IndexName ? ` (${input.IndexName})` : ''} failed`,
        error,
      );
    }
  }

  private wrap(code: 'ReadFailed' | 'WriteFailed', message: string, error: unknown): StoreError {
    if (error instanceof StoreError) return error;
    if (awsErrorName(error) === 'ResourceNotFoundException') {
      return new StoreError('TableNotFound', `results table ${this.tableName} does not exist`, {
        cause: error,
      });
    }
    return new StoreError(code, `${message}: ${awsErrorName(error) ?? 'error'}`, { cause: error });
  }
}

function keyCondition(
  step: QueryStep,
  pkName: string,
  skName: string,
): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues'> {
  if (step.skPrefix === undefined) {
    return { KeyConditionExpression: `${pkName} = :pk`, ExpressionAttributeValues: { ':pk': step.pk } };
  }
  return {
    KeyConditionExpression: `${pkName} = :pk AND begins_with(${skName}, :prefix)`,
    ExpressionAttributeValues: { ':pk': step.pk, ':prefix': step.skPrefix },
  };
}

function isConditionalFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    awsErrorName(error) === 'ConditionalCheckFailedException'
  );
}

/** The SDK error name, when the error comes from the AWS SDK. */
function awsErrorName(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'name' in error && typeof error.name === 'string')
    return error.name;
  return undefined;
}
