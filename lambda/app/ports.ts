/**
 * The ports of the application layer: what the pipeline and the CLI need from the outside, as plain
 * interfaces. Adapters implement them: the results table (store/dynamo-store.ts, DynamoDB or the
 * embedded dynalite), the publisher (notify/sns-publisher.ts), the collector (collect/collect.ts, or
 * an inventory file), Powertools' Logger and Metrics.
 */
import type { Drift } from '../core/drift';
import type { Finding } from '../core/findings';
import type { Inventory, Severity } from '../core/model';
import type { ScanResult } from '../core/scan-result';
import type { NotificationMessage } from './notification';
import type { ExportOutcome, NotificationOutcome, RunRecord, WriteStats } from './run-record';
import type { FindingHistory, FindingStatus, StoredFinding, StoredSuppression } from './stored-finding';

export interface RunLock {
  holder: string;
  acquiredAt: string;
  /** Epoch seconds. */
  expiresAt: number;
  /**
   * The invocation that took the lock (the scheduled event's execution id, or the Lambda request id):
   * a retry of that same invocation may take the lock over, because its earlier attempt has ended.
   */
  invocation?: string;
}

export interface FindingFilter {
  status?: FindingStatus;
  accountId?: string;
  /** Cluster name, or an EKS cluster ARN (narrows to its account and region). */
  cluster?: string;
  /** Role ARN, or a role name (matches that name in every account). */
  role?: string;
  checkId?: string;
  severity?: Severity;
}

export interface PageOptions {
  /** Maximum items to return (default 500). */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when more items may follow. */
  cursor?: string;
}

export interface ApplyDriftInput {
  drift: Drift<StoredFinding>;
  /** The open findings the drift was computed from (what `loadOpenFindings` returned). */
  previousOpen: readonly StoredFinding[];
  runId: string;
  now: Date;
  /**
   * The run's notification, stored as pending in the outbox BEFORE any finding state is written
   * (docs/results-table.md, "The notification outbox").
   */
  notification?: OutboxEntry;
  /** Aborted when the run passed its stop time: no further write starts. */
  signal?: AbortSignal;
  /**
   * Which of the drift's new and still-open findings are suppressed after this run, and why the ones
   * stored as suppressed that are not any more were re-opened (docs/suppressions.md). Absent: none.
   */
  suppression?: DriftSuppression;
}

export interface DriftSuppression {
  suppressed: ReadonlyMap<string, StoredSuppression>;
  /** Fingerprint → why it is open again (for the `unsuppressed` event). */
  reopened: ReadonlyMap<string, string>;
}

/** What SNS needs of a built notification (notification.ts); the outbox stores exactly this. */
export type PublishableMessage = Pick<
  NotificationMessage,
  'subject' | 'message' | 'messageStructure' | 'attributes'
>;

/** A notification in the outbox: stored with the drift it reports, pending until published. */
export interface OutboxEntry {
  /** The run it reports (every message names it too). */
  runId: string;
  /** The run's start (ISO): the outbox is delivered oldest first. */
  runStartedAt: string;
  message: PublishableMessage;
  /** The run record's notification outcome when it was stored (mode, truncated, bytes). */
  outcome: NotificationOutcome;
  /** Publish attempts so far, over every run that tried. */
  attempts: number;
  /** The last failure (`Code: message`), if any. */
  lastError?: string;
}

/** The results table as the pipeline and the CLI see it. */
export interface ResultsStore {
  /**
   * Takes the run lock or throws `RunLockedError` (store-errors.ts) naming the holder. A lock that
   * expired, or that the same `invocation` took (a retry after a timeout), is taken over.
   */
  acquireLock(
    holder: string,
    now: Date,
    ttlSeconds: number,
    options?: { invocation?: string },
  ): Promise<RunLock>;
  /** Extends the lock; throws `LockLostError` when another run took it over. */
  renewLock(lock: RunLock, now: Date, ttlSeconds: number): Promise<RunLock>;
  /** Releases the lock if still held by `lock.holder`; returns false when it was not. */
  releaseLock(lock: RunLock): Promise<boolean>;
  /** Every finding stored as open or suppressed (all severities): what a run compares against. */
  loadOpenFindings(now: Date): Promise<StoredFinding[]>;
  /** Writes the drift: the pending notification, events, then finding states (only what changed). */
  applyDrift(input: ApplyDriftInput): Promise<WriteStats>;
  putRun(record: RunRecord): Promise<void>;
  /**
   * Marks `abandoned` the run records still `running` among the latest runs, except `currentRunId`
   * (called with the lock held: such a run was killed). Returns their run ids.
   */
  markAbandonedRuns(currentRunId: string, now: Date): Promise<string[]>;
  /** Pending notifications, oldest first, at most `limit`. */
  pendingNotifications(limit: number): Promise<OutboxEntry[]>;
  /** How many notifications are pending. */
  countPendingNotifications(): Promise<number>;
  /** Marks a pending notification sent, and records the outcome on its run's record. */
  markNotificationSent(entry: OutboxEntry, outcome: NotificationOutcome, now: Date): Promise<void>;
  /** Records a failed attempt; the notification stays pending. */
  markNotificationFailed(entry: OutboxEntry, outcome: NotificationOutcome, now: Date): Promise<void>;
  queryFindings(filter: FindingFilter, page: PageOptions, now: Date): Promise<Page<StoredFinding>>;
  listRuns(page: PageOptions, now: Date): Promise<Page<RunRecord>>;
  findingHistory(fingerprint: string, now: Date): Promise<FindingHistory>;
}

export type PublishOutcome =
  | { status: 'published'; messageId: string; attempts: number }
  | {
      status: 'failed';
      attempts: number;
      error: { code: string; message: string };
      /** The topic refused this message itself (invalid parameters): other messages may still go. */
      messageRejected?: boolean;
    };

/** The port the pipeline publishes through (SNS in AWS; a recorder in the demo and tests). */
export interface NotificationPublisher {
  publish(message: PublishableMessage): Promise<PublishOutcome>;
}

/** Collects the inventory (live collection, or a file for the demo). Coverage gaps are data, not throws. */
export type Collector = () => Promise<Inventory>;

export type Clock = () => Date;

/** Structured logger (Powertools `Logger` fits). Never pass credentials or policy documents. */
export interface AuditLogger {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

/** Metrics sink (Powertools `Metrics` fits); names from metrics.ts. */
export interface AuditMetrics {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
}

/** A finished run, as the exporters see it (after its results are stored). */
export interface ExportRun {
  runId: string;
  startedAt: string;
  now: Date;
  inventory: Inventory;
  scan: ScanResult;
  drift: Drift<StoredFinding>;
  /** Findings covered by an entry of the suppressions file after this run (docs/suppressions.md). */
  suppressed: readonly Finding[];
  /** What this exporter asked to send again (`ExportOutcome.carry` of the last run that exported). */
  carried: readonly Finding[];
}

/**
 * A destination of a run's results besides the table and the topic: Security Hub, the report bucket
 * (docs/deployment.md). Runs after the results are stored; never throws (a failure is the outcome).
 */
export interface RunExporter {
  readonly name: string;
  export(run: ExportRun): Promise<ExportOutcome>;
}
