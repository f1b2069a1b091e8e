/**
 * The audit pipeline shared by the Lambda handler, `irsa-audit run --store --notify` and `irsa-audit demo`:
 *
 *   acquire lock → collect → evaluate → load open findings → drift → store → run record → notify → release
 *
 * Everything with side effects is injected (store, collector, publisher, clock, run ids, logs, metrics).
 * The results are stored before anything is published, so a failed publish loses nothing: it is retried
 * by the publisher and reported in the run record.
 */
import { randomUUID } from 'node:crypto';
import { coverageOf } from '../core/coverage';
import { computeDrift, type Drift } from '../core/drift';
import { AuditorError, type ErrorCode } from '../core/errors';
import type { Inventory } from '../core/model';
import { SEVERITIES } from '../core/model';
import type { ScanResult } from '../core/scan-result';
import { type SuppressedDrift, type Suppression, suppressDrift, suppressScan } from '../core/suppressions';
import { findingsMetric, METRICS } from './metrics';
import {
  buildNotification,
  type NotificationMessage,
  type NotifyOptions,
  publishDecision,
} from './notification';
import type {
  AuditLogger,
  AuditMetrics,
  Clock,
  Collector,
  NotificationPublisher,
  ResultsStore,
  RunLock,
} from './ports';
import {
  completeRunRecord,
  failedRunRecord,
  type NotificationOutcome,
  type RunRecord,
  startRunRecord,
} from './run-record';
import { RunLockedError, StoreError } from './store-errors';
import { type StoredFinding, type StoredSuppression, storedSuppression } from './stored-finding';

export interface AuditDeps {
  store: ResultsStore;
  collect: Collector;
  /** The engine over the check registry. */
  evaluate: (inventory: Inventory) => ScanResult | Promise<ScanResult>;
  /** From the check registry: whether a check reads Kubernetes data (drift keeps those findings of unread clusters). */
  needsKubernetes: (checkId: string) => boolean;
  /** Absent: nothing is published (the message is still built and returned, e.g. for the demo). */
  publisher?: NotificationPublisher;
  notify?: NotifyOptions;
  clock?: Clock;
  newRunId?: (now: Date) => string;
  logger?: AuditLogger;
  metrics?: AuditMetrics;
  /** Run lock lease; renewed between stages (default 960 s: a 15-minute Lambda plus a margin). */
  lockTtlSeconds?: number;
  /** Recorded in the run record: `schedule`, `cli`, `demo`… */
  trigger?: string;
  /** Accepted risks (docs/suppressions.md), already validated. Absent: none (suppressed findings re-open). */
  suppressions?: PipelineSuppressions;
}

export interface PipelineSuppressions {
  entries: readonly Suppression[];
  /** The file, for reports. */
  source?: string;
  /** The date expiry is judged on; default the run's start (the demo uses its inventory's date). */
  asOf?: (inventory: Inventory) => Date;
  /** List the suppressed findings in `scan.suppressions.findings`. */
  showSuppressed?: boolean;
}

export interface RunSummary {
  runId: string;
  record: RunRecord;
  inventory: Inventory;
  /** The engine's result with suppressed findings left out and counted (`scan.suppressions`). */
  scan: ScanResult;
  /** The drift as alerts see it: suppressed findings are neither new, open nor resolved. */
  drift: Drift<StoredFinding>;
  /** What the suppressions did this run (re-opened, newly suppressed, entry states). */
  suppression: SuppressedDrift<StoredFinding>;
  /** The message built for this run (absent when the mode says there is nothing to publish). */
  notification?: NotificationMessage;
  notificationOutcome: NotificationOutcome;
}

export type PipelineStage = 'lock' | 'collect' | 'evaluate' | 'load' | 'store' | 'record';

export class PipelineError extends AuditorError {
  constructor(
    override readonly code: Extract<
      ErrorCode,
      'CollectFailed' | 'EvaluateFailed' | 'StoreFailed' | 'LockLost'
    >,
    readonly stage: PipelineStage,
    readonly runId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'PipelineError';
  }
}

const DEFAULT_LOCK_TTL_SECONDS = 960;

const silentLogger: AuditLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** Sortable and unique: `20261129T030000Z-1a2b3c4d`. */
export function defaultRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `${stamp}-${randomUUID().slice(0, 8)}`;
}

const STAGE_CODES: Record<PipelineStage, PipelineError['code']> = {
  lock: 'LockLost',
  collect: 'CollectFailed',
  evaluate: 'EvaluateFailed',
  load: 'StoreFailed',
  store: 'StoreFailed',
  record: 'StoreFailed',
};

/**
 * Runs one audit. Throws `RunLockedError` (from the store) when another run holds the lock: callers
 * should report the holder and exit cleanly. Throws `PipelineError` when a stage fails; the lock is
 * released and a `failed` run record written (best effort) first.
 */
export async function runAudit(deps: AuditDeps): Promise<RunSummary> {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger ?? silentLogger;
  const ttl = deps.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS;
  const mode = deps.notify?.mode ?? 'changes';
  const startedAt = clock();
  const runId = (deps.newRunId ?? defaultRunId)(startedAt);

  let lock: RunLock;
  try {
    lock = await deps.store.acquireLock(runId, startedAt, ttl);
  } catch (error) {
    if (error instanceof RunLockedError) {
      logger.warn('another audit run holds the lock; exiting', { runId, holder: error.holder });
    }
    throw error;
  }

  let stage: PipelineStage = 'record';
  let record = startRunRecord(runId, startedAt, deps.trigger);
  try {
    await deps.store.putRun(record);
    logger.info('audit run started', { runId, trigger: deps.trigger });

    stage = 'collect';
    const inventory = await deps.collect();
    stage = 'lock';
    lock = await deps.store.renewLock(lock, clock(), ttl);

    stage = 'evaluate';
    const evaluated = await deps.evaluate(inventory);
    stage = 'lock';
    lock = await deps.store.renewLock(lock, clock(), ttl);

    stage = 'load';
    const previousOpen = await deps.store.loadOpenFindings(clock());
    const coverage = coverageOf(inventory);
    const fullDrift = computeDrift({
      previousOpen,
      current: evaluated.findings,
      coverage,
      needsKubernetes: deps.needsKubernetes,
    });
    // Suppression is its own step after drift: it decides what alerts see and what is stored as suppressed.
    const asOf = deps.suppressions?.asOf?.(inventory) ?? startedAt;
    const suppression = suppressDrift(
      fullDrift,
      new Set(previousOpen.filter((f) => f.status === 'suppressed').map((f) => f.fingerprint)),
      deps.suppressions?.entries ?? [],
      asOf,
    );
    const drift = suppression.drift;
    const scan = suppressScan(evaluated, suppression.suppressed, suppression.entries, {
      asOf,
      showSuppressed: deps.suppressions?.showSuppressed ?? false,
      ...(deps.suppressions?.source === undefined ? {} : { source: deps.suppressions.source }),
    });

    stage = 'store';
    const writes = await deps.store.applyDrift({
      drift: fullDrift,
      previousOpen,
      runId,
      now: clock(),
      suppression: {
        suppressed: new Map<string, StoredSuppression>(
          [...suppression.suppressed].map(([fingerprint, entry]) => [fingerprint, storedSuppression(entry)]),
        ),
        reopened: new Map(suppression.reopened.map((r) => [r.finding.fingerprint, reopenedDetail(r)])),
      },
    });

    stage = 'record';
    record = completeRunRecord(record, {
      endedAt: clock(),
      inventory,
      coverage,
      scan,
      drift,
      writes,
      suppression,
      ...(deps.suppressions?.source === undefined ? {} : { suppressionsSource: deps.suppressions.source }),
    });
    const notification = buildNotification(
      { ...drift, reopened: suppression.reopened, expired: suppression.expired },
      record,
      { ...deps.notify, mode },
    );
    let outcome: NotificationOutcome;
    if (!notification) {
      outcome = { mode, status: 'skipped', detail: publishDecision(drift, mode).reason };
    } else if (!deps.publisher) {
      outcome = {
        mode,
        status: 'disabled',
        detail: 'no topic configured',
        truncated: notification.truncated,
        bytes: notification.bytes,
      };
    } else {
      outcome = { mode, status: 'pending', truncated: notification.truncated, bytes: notification.bytes };
    }
    record = { ...record, notification: outcome };
    // The results and the run are stored before anything is published.
    await deps.store.putRun(record);

    if (notification && deps.publisher) {
      const published = await deps.publisher.publish(notification);
      outcome =
        published.status === 'published'
          ? { ...outcome, status: 'published', messageId: published.messageId, attempts: published.attempts }
          : {
              ...outcome,
              status: 'failed',
              attempts: published.attempts,
              detail: `${published.error.code}: ${published.error.message}`,
            };
      record = { ...record, notification: outcome };
      if (outcome.status === 'failed') {
        logger.error('notification publish failed; results are stored', { runId, detail: outcome.detail });
      }
      try {
        await deps.store.putRun(record);
      } catch (error) {
        logger.error('could not record the notification outcome', { runId, error: errorMessage(error) });
      }
    }

    emitMetrics(deps.metrics, record, outcome);
    logger.info('audit run finished', {
      runId,
      status: record.status,
      durationMs: record.durationMs,
      drift: record.drift,
      coverageErrors: record.coverageErrorCount,
      notification: outcome.status,
    });
    return {
      runId,
      record,
      inventory,
      scan,
      drift,
      suppression,
      ...(notification ? { notification } : {}),
      notificationOutcome: outcome,
    };
  } catch (error) {
    const code = error instanceof StoreError && error.code === 'LockLost' ? 'LockLost' : STAGE_CODES[stage];
    const message = `audit run ${runId} failed while ${describeStage(stage)}: ${errorMessage(error)}`;
    logger.error('audit run failed', { runId, stage, code, error: errorMessage(error).slice(0, 300) });
    try {
      await deps.store.putRun(
        failedRunRecord(record, clock(), { stage, code, message: errorMessage(error) }),
      );
    } catch (recordError) {
      logger.error('could not record the failed run', { runId, error: errorMessage(recordError) });
    }
    deps.metrics?.addMetric(METRICS.runFailed, 'Count', 1);
    throw new PipelineError(code, stage, runId, message, { cause: error });
  } finally {
    try {
      await deps.store.releaseLock(lock);
    } catch (error) {
      logger.warn('could not release the run lock; it expires by itself', {
        runId,
        error: errorMessage(error),
      });
    }
  }
}

/** What the `unsuppressed` event and the notification say about a re-opened finding. */
export function reopenedDetail(reopened: SuppressedDrift['reopened'][number]): string {
  if (reopened.cause === 'expired' && reopened.suppression) {
    return `suppression expired on ${reopened.suppression.expires} (suppressions[${reopened.suppression.index}], owner ${reopened.suppression.owner})`;
  }
  return 'no entry of the suppressions file matches it any more';
}

function describeStage(stage: PipelineStage): string {
  switch (stage) {
    case 'lock':
      return 'renewing the run lock';
    case 'collect':
      return 'collecting the inventory';
    case 'evaluate':
      return 'evaluating the checks';
    case 'load':
      return 'loading the open findings';
    case 'store':
      return 'storing the results';
    case 'record':
      return 'writing the run record';
  }
}

function emitMetrics(
  metrics: AuditMetrics | undefined,
  record: RunRecord,
  outcome: NotificationOutcome,
): void {
  if (!metrics) return;
  for (const severity of SEVERITIES) {
    metrics.addMetric(findingsMetric(severity), 'Count', record.findingsBySeverity?.[severity] ?? 0);
  }
  metrics.addMetric(METRICS.newFindings, 'Count', record.drift?.new ?? 0);
  metrics.addMetric(METRICS.resolvedFindings, 'Count', record.drift?.resolved ?? 0);
  metrics.addMetric(METRICS.openFindings, 'Count', record.drift?.open ?? 0);
  metrics.addMetric(METRICS.accountsAudited, 'Count', record.audited?.accounts ?? 0);
  metrics.addMetric(METRICS.accountsFailed, 'Count', record.audited?.accountsFailed ?? 0);
  metrics.addMetric(METRICS.clustersUnreachable, 'Count', record.audited?.clustersUnreachable ?? 0);
  metrics.addMetric(METRICS.coverageErrors, 'Count', record.coverageErrorCount ?? 0);
  metrics.addMetric(METRICS.runDuration, 'Milliseconds', record.durationMs ?? 0);
  metrics.addMetric(METRICS.notificationFailed, 'Count', outcome.status === 'failed' ? 1 : 0);
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
