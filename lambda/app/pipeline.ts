/**
 * The audit pipeline shared by the Lambda handler, `irsa-audit run --store --notify` and `irsa-audit demo`:
 *
 *   acquire lock → mark abandoned runs → deliver pending notifications → collect → evaluate →
 *   load open findings → drift → store (notification pending first, states last) → run record →
 *   deliver (oldest first, this run's last) → release
 *
 * Everything with side effects is injected (store, collector, publisher, clock, run ids, logs, metrics).
 * The notification is stored as pending before the drift it reports is committed, and stays pending
 * until a publish succeeds, in this run or a later one: at-least-once (docs/notifications.md).
 */
import { randomUUID } from 'node:crypto';
import { coverageOf } from '../core/coverage';
import { type CheckDependencies, computeDrift, type Drift } from '../core/drift';
import { AuditorError, type ErrorCode } from '../core/errors';
import type { Finding } from '../core/findings';
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
  OutboxEntry,
  ResultsStore,
  RunExporter,
  RunLock,
} from './ports';
import {
  completeRunRecord,
  type ExportOutcome,
  failedRunRecord,
  type NotificationOutcome,
  type RunRecord,
  startRunRecord,
  type WriteStats,
} from './run-record';
import { RunLockedError, StoreError } from './store-errors';
import { type StoredFinding, type StoredSuppression, storedSuppression } from './stored-finding';

export interface AuditDeps {
  store: ResultsStore;
  collect: Collector;
  /** The engine over the check registry. */
  evaluate: (inventory: Inventory) => ScanResult | Promise<ScanResult>;
  /** From the check registry (`dependenciesOf`): the parts each check reads, for drift. */
  dependencies: (checkId: string) => CheckDependencies | undefined;
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
  /**
   * When the run must have recorded itself and released the lock (the Lambda: its timeout minus a
   * margin). Past it the run stops, records `failed` (`RunTimedOut`) and releases the lock; the lock
   * lease ends shortly after it. Absent: no stop time (the CLI), the lease is `lockTtlSeconds`.
   */
  stopAt?: Date;
  /** The invocation (Lambda request or scheduled execution): a retry of it may take over the lock. */
  invocation?: string;
  /** Accepted risks (docs/suppressions.md), already validated. Absent: none (suppressed findings re-open). */
  suppressions?: PipelineSuppressions;
  /**
   * Where the run's results also go once stored (Security Hub, the report bucket). Best effort: an
   * exporter's failure is recorded in the run record, never fails the run.
   */
  exporters?: readonly RunExporter[];
  /** The link the notification gives to the run's report (the report bucket's object page). */
  reportLink?: (runId: string) => string;
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

export type PipelineStage =
  | 'lock'
  | 'recover'
  | 'collect'
  | 'evaluate'
  | 'load'
  | 'store'
  | 'record'
  | 'notify';

export class PipelineError extends AuditorError {
  constructor(
    override readonly code: Extract<
      ErrorCode,
      'CollectFailed' | 'EvaluateFailed' | 'StoreFailed' | 'LockLost' | 'RunTimedOut'
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
/** With a stop time, the lease ends this long after it: a killed run's lock lapses about a minute after. */
const LOCK_GRACE_SECONDS = 60;
/** Pending notifications one delivery sends at most (oldest first); the rest wait for the next run. */
export const MAX_DELIVERIES_PER_RUN = 10;

const NO_WRITES: WriteStats = {
  suppressed: 0,
  unsuppressed: 0,
  opened: 0,
  resolved: 0,
  updated: 0,
  refreshed: 0,
  markedUnverified: 0,
  unchanged: 0,
  itemsWritten: 0,
  requests: 0,
  retries: 0,
};

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
  recover: 'StoreFailed',
  collect: 'CollectFailed',
  evaluate: 'EvaluateFailed',
  load: 'StoreFailed',
  store: 'StoreFailed',
  record: 'StoreFailed',
  notify: 'StoreFailed',
};

/** The run passed its stop time (`AuditDeps.stopAt`); the pipeline turns it into a `PipelineError`. */
export class RunStoppedError extends AuditorError {
  constructor(readonly stopAt: Date) {
    super('RunTimedOut', `the run passed its stop time ${stopAt.toISOString()}`);
    this.name = 'RunStoppedError';
  }
}

interface Stopper {
  /** Aborted at the stop time: the store starts no further write. */
  signal: AbortSignal;
  /** The promise, or RunStoppedError at the stop time, whichever comes first. */
  guard<T>(work: Promise<T>): Promise<T>;
  dispose(): void;
}

function stopperFor(stopAt: Date | undefined, now: Date): Stopper {
  const controller = new AbortController();
  if (!stopAt) return { signal: controller.signal, guard: (work) => work, dispose: () => {} };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        controller.abort();
        reject(new RunStoppedError(stopAt));
      },
      Math.max(0, stopAt.getTime() - now.getTime()),
    );
  });
  stopped.catch(() => {});
  return {
    signal: controller.signal,
    guard: (work) => Promise.race([work, stopped]),
    dispose: () => clearTimeout(timer),
  };
}

/**
 * Runs one audit. Throws `RunLockedError` (from the store) when another run holds the lock: callers
 * should report the holder and exit cleanly. Throws `PipelineError` when a stage fails or the run
 * passes its stop time; the lock is released and a `failed` run record written (best effort) first.
 * A failed publish does not throw: the notification stays pending for the next run, and the run
 * record, the log and the `NotificationsPending` metric say so.
 */
/** At most this many findings an exporter carries to the next run (the run record stays small). */
export const MAX_CARRIED_FINDINGS = 200;

/**
 * Runs the exporters one after another, after the results are stored. Each gets what it asked to
 * carry over from the last run that exported (its `carry`), and its outcome goes in the run record.
 */
async function exportRun(
  deps: AuditDeps,
  run: {
    runId: string;
    record: RunRecord;
    inventory: Inventory;
    scan: ScanResult;
    drift: Drift<StoredFinding>;
    suppressed: readonly Finding[];
  },
  clock: Clock,
  logger: AuditLogger,
): Promise<ExportOutcome[]> {
  let previous: RunRecord | undefined;
  try {
    const recent = await deps.store.listRuns({ limit: 10 }, clock());
    previous = recent.items.find((r) => r.runId !== run.runId && r.exports !== undefined);
  } catch (error) {
    logger.warn("could not read the last run's exports; nothing is carried over", {
      error: errorMessage(error).slice(0, 300),
    });
  }
  const outcomes: ExportOutcome[] = [];
  for (const exporter of deps.exporters ?? []) {
    const carried = previous?.exports?.find((e) => e.name === exporter.name)?.carry ?? [];
    let outcome: ExportOutcome;
    try {
      outcome = await exporter.export({
        runId: run.runId,
        startedAt: run.record.startedAt,
        now: clock(),
        inventory: run.inventory,
        scan: run.scan,
        drift: run.drift,
        suppressed: run.suppressed,
        carried,
      });
    } catch (error) {
      outcome = { name: exporter.name, status: 'failed', detail: errorMessage(error).slice(0, 300) };
    }
    if (outcome.carry && outcome.carry.length > MAX_CARRIED_FINDINGS) {
      outcome = {
        ...outcome,
        detail: `${outcome.detail}; ${outcome.carry.length - MAX_CARRIED_FINDINGS} more not carried over`,
        carry: outcome.carry.slice(0, MAX_CARRIED_FINDINGS),
      };
    }
    if (outcome.status !== 'ok')
      logger.warn(`export to ${exporter.name} incomplete`, { detail: outcome.detail });
    outcomes.push(outcome);
  }
  return outcomes;
}

export async function runAudit(deps: AuditDeps): Promise<RunSummary> {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger ?? silentLogger;
  const mode = deps.notify?.mode ?? 'changes';
  const startedAt = clock();
  const runId = (deps.newRunId ?? defaultRunId)(startedAt);
  const leaseSeconds = (now: Date): number =>
    deps.stopAt
      ? Math.max(
          LOCK_GRACE_SECONDS,
          Math.ceil((deps.stopAt.getTime() - now.getTime()) / 1000) + LOCK_GRACE_SECONDS,
        )
      : (deps.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS);

  let lock: RunLock;
  try {
    lock = await deps.store.acquireLock(runId, startedAt, leaseSeconds(startedAt), {
      ...(deps.invocation === undefined ? {} : { invocation: deps.invocation }),
    });
  } catch (error) {
    if (error instanceof RunLockedError) {
      logger.warn('another audit run holds the lock; exiting', { runId, holder: error.holder });
    }
    throw error;
  }

  const stopper = stopperFor(deps.stopAt, startedAt);
  const { guard } = stopper;
  const delivery: DeliveryTally = { published: 0, failed: 0, outcomes: new Map() };
  /** A step whose failure does not fail the run (logged); passing the stop time still does. */
  const bestEffort = async <T>(what: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await guard(work());
    } catch (error) {
      if (error instanceof RunStoppedError) throw error;
      logger.error(`could not ${what}`, { runId, error: errorMessage(error) });
      return undefined;
    }
  };
  const deliver = (): Promise<void> =>
    deliverPending(deps.store, deps.publisher as NotificationPublisher, runId, clock, logger, delivery);

  let stage: PipelineStage = 'record';
  let record = startRunRecord(runId, startedAt, deps.trigger);
  try {
    await guard(deps.store.putRun(record));
    logger.info('audit run started', { runId, trigger: deps.trigger });

    // What earlier runs left behind: records of killed runs, notifications not yet delivered.
    stage = 'recover';
    const abandoned = await bestEffort('mark abandoned runs', () =>
      deps.store.markAbandonedRuns(runId, clock()),
    );
    if (abandoned?.length)
      logger.warn('marked runs that never recorded their end as abandoned', { runId, abandoned });
    if (deps.publisher) await bestEffort('deliver the pending notifications', deliver);

    stage = 'collect';
    const inventory = await guard(deps.collect());
    stage = 'lock';
    lock = await guard(deps.store.renewLock(lock, clock(), leaseSeconds(clock())));

    stage = 'evaluate';
    const evaluated = await guard(Promise.resolve(deps.evaluate(inventory)));
    stage = 'lock';
    lock = await guard(deps.store.renewLock(lock, clock(), leaseSeconds(clock())));

    stage = 'load';
    const previousOpen = await guard(deps.store.loadOpenFindings(clock()));
    const coverage = coverageOf(inventory);
    const fullDrift = computeDrift({
      previousOpen,
      current: evaluated.findings,
      coverage,
      dependencies: deps.dependencies,
      checkErrors: evaluated.checkErrors,
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
    const completed = {
      inventory,
      coverage,
      scan,
      drift,
      suppression,
      ...(deps.suppressions?.source === undefined ? {} : { suppressionsSource: deps.suppressions.source }),
    };
    const draft = completeRunRecord(record, { ...completed, endedAt: clock(), writes: NO_WRITES });
    const reportUrl = deps.reportLink?.(runId);
    const notification = buildNotification(
      { ...drift, reopened: suppression.reopened, expired: suppression.expired },
      draft,
      { ...deps.notify, mode, ...(reportUrl ? { reportUrl } : {}) },
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
    // Stored as pending before the states it reports are committed (docs/results-table.md).
    const pending: OutboxEntry | undefined =
      notification && deps.publisher
        ? {
            runId,
            runStartedAt: record.startedAt,
            message: {
              subject: notification.subject,
              message: notification.message,
              messageStructure: notification.messageStructure,
              attributes: notification.attributes,
            },
            outcome,
            attempts: 0,
          }
        : undefined;
    const writes = await guard(
      deps.store.applyDrift({
        // The whole drift: suppressed findings are stored too, with their status (docs/suppressions.md).
        drift: fullDrift,
        previousOpen,
        runId,
        now: clock(),
        signal: stopper.signal,
        ...(pending ? { notification: pending } : {}),
        suppression: {
          suppressed: new Map<string, StoredSuppression>(
            [...suppression.suppressed].map(([fingerprint, entry]) => [
              fingerprint,
              storedSuppression(entry),
            ]),
          ),
          reopened: new Map(suppression.reopened.map((r) => [r.finding.fingerprint, reopenedDetail(r)])),
        },
      }),
    );

    stage = 'record';
    record = {
      ...completeRunRecord(record, { ...completed, endedAt: clock(), writes }),
      notification: outcome,
    };
    await guard(deps.store.putRun(record));

    if (deps.exporters?.length) {
      // Suppressed findings are neither open nor resolved for alerts; an exporter marks them as such.
      const suppressed = [...fullDrift.new, ...fullDrift.stillOpen].filter((finding) =>
        suppression.suppressed.has(finding.fingerprint),
      );
      const exports = await exportRun(
        deps,
        { runId, record, inventory, scan, drift, suppressed },
        clock,
        logger,
      );
      record = { ...record, exports };
      await bestEffort('record the exports', () => deps.store.putRun(record));
    }

    stage = 'notify';
    if (pending) {
      // Oldest first: what earlier runs left pending goes before this run's message.
      await bestEffort('deliver the notifications', deliver);
      outcome = delivery.outcomes.get(runId) ?? {
        ...outcome,
        detail:
          delivery.failed > 0
            ? 'not sent yet: an earlier notification could not be delivered first; the next run sends it'
            : 'not sent yet (see the log); the next run sends it',
      };
      record = { ...record, notification: outcome };
      if (outcome.status === 'failed') {
        logger.error('notification publish failed; it stays pending for the next run', {
          runId,
          detail: outcome.detail,
        });
      }
      await bestEffort('record the notification outcome', () => deps.store.putRun(record));
    }
    const stillPending = deps.publisher
      ? await bestEffort('count the pending notifications', () => deps.store.countPendingNotifications())
      : 0;

    emitMetrics(deps.metrics, record, delivery, stillPending);
    logger.info('audit run finished', {
      runId,
      status: record.status,
      durationMs: record.durationMs,
      drift: record.drift,
      coverageErrors: record.coverageErrorCount,
      notification: outcome.status,
      notificationsPending: stillPending,
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
    const code =
      error instanceof RunStoppedError
        ? 'RunTimedOut'
        : error instanceof StoreError && error.code === 'LockLost'
          ? 'LockLost'
          : STAGE_CODES[stage];
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
    if (delivery.failed > 0) deps.metrics?.addMetric(METRICS.notificationFailed, 'Count', delivery.failed);
    throw new PipelineError(code, stage, runId, message, { cause: error });
  } finally {
    stopper.dispose();
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

interface DeliveryTally {
  published: number;
  failed: number;
  /** The outcome of each run's notification this run tried to publish, by run id. */
  outcomes: Map<string, NotificationOutcome>;
}

/**
 * Publishes the pending notifications oldest first, each marked sent as soon as SNS took it. Stops at
 * the first failure that is not about one message alone (the topic is failing: the order is kept and
 * the next run tries again); a message the topic rejects stays pending and does not block the rest.
 */
async function deliverPending(
  store: ResultsStore,
  publisher: NotificationPublisher,
  runId: string,
  clock: Clock,
  logger: AuditLogger,
  tally: DeliveryTally,
): Promise<void> {
  const pending = await store.pendingNotifications(MAX_DELIVERIES_PER_RUN);
  for (const entry of pending) {
    const result = await publisher.publish(entry.message);
    const { detail: _previous, ...base } = entry.outcome;
    const attempts = entry.attempts + result.attempts;
    if (result.status === 'published') {
      const outcome: NotificationOutcome = {
        ...base,
        status: 'published',
        messageId: result.messageId,
        attempts,
        ...(entry.runId === runId ? {} : { deliveredBy: runId }),
      };
      tally.published++;
      tally.outcomes.set(entry.runId, outcome);
      if (entry.runId !== runId)
        logger.info('delivered the pending notification of an earlier run', { runId, of: entry.runId });
      await store.markNotificationSent(entry, outcome, clock());
      continue;
    }
    const outcome: NotificationOutcome = {
      ...base,
      status: 'failed',
      attempts,
      detail: `${result.error.code}: ${result.error.message}`,
    };
    tally.failed++;
    tally.outcomes.set(entry.runId, outcome);
    logger.error('notification publish failed; it stays pending', {
      runId,
      of: entry.runId,
      detail: outcome.detail,
    });
    await store.markNotificationFailed(entry, outcome, clock());
    if (!result.messageRejected) return;
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
    case 'recover':
      return 'recovering what earlier runs left (abandoned runs, pending notifications)';
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
    case 'notify':
      return 'publishing the notifications';
  }
}

function emitMetrics(
  metrics: AuditMetrics | undefined,
  record: RunRecord,
  delivery: DeliveryTally,
  pending: number | undefined,
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
  // The "notifications undelivered" alarm watches these two (infra/audit-stack.ts).
  metrics.addMetric(METRICS.notificationFailed, 'Count', delivery.failed);
  if (pending !== undefined) metrics.addMetric(METRICS.notificationsPending, 'Count', pending);
  // Only with exporters configured (`exports` is set then): a deployment without them pays for no
  // metric it cannot use. The "exports failed" alarm watches ExportsFailed (infra/audit-stack.ts).
  if (record.exports) {
    const failed = record.exports.filter((outcome) => outcome.status !== 'ok').length;
    metrics.addMetric(METRICS.exportsFailed, 'Count', failed);
    const counted = record.exports.filter((outcome) => outcome.refused !== undefined);
    if (counted.length) {
      const refused = counted.reduce((sum, outcome) => sum + (outcome.refused ?? 0), 0);
      metrics.addMetric(METRICS.exportFindingsRefused, 'Count', refused);
    }
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
