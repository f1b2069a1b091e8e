/**
 * The results store port (SPEC §5): what the pipeline and the CLI need from the results table,
 * independent of DynamoDB. `DynamoResultsStore` (dynamo-store.ts) is the adapter.
 */
import type { Drift } from '../core/drift';
import type { Finding, FindingResource } from '../core/findings';
import type { Severity } from '../core/model';

export type FindingStatus = 'open' | 'resolved';
export const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'resolved'];

/** A finding as stored: the finding plus its lifecycle. */
export interface StoredFinding extends Finding {
  status: FindingStatus;
  /** When the current open episode started (ISO); also the time of its `opened` event. */
  firstSeen: string;
  openedRunId: string;
  /**
   * Last run that saw the finding and wrote it. Refreshed when the content changes, when it is verified
   * again after a coverage gap, or when older than the refresh interval (not every night).
   */
  lastSeen: string;
  lastSeenRunId: string;
  resolvedAt?: string;
  resolvedRunId?: string;
  /** Set while the finding is kept open only because its scope could not be collected. */
  unverifiedSince?: string;
  unverifiedReason?: string;
  /** Hash of the finding's content (not its lifecycle): a write happens only when it changes. */
  contentHash: string;
  /** Epoch seconds; set once resolved (TTL). */
  expiresAt?: number;
}

export type FindingEventType = 'opened' | 'resolved';

export interface FindingEvent {
  fingerprint: string;
  event: FindingEventType;
  at: string;
  runId: string;
  checkId: string;
  severity: Severity;
  title: string;
  message: string;
  resource: FindingResource;
  /** Epoch seconds; events of a resolved episode expire with it. */
  expiresAt?: number;
}

export interface FindingHistory {
  fingerprint: string;
  /** Absent when the finding was never stored or its resolved state has expired. */
  state?: StoredFinding;
  /** Oldest first. */
  events: FindingEvent[];
}

export type NotifyMode = 'changes' | 'new-only' | 'always';
export const NOTIFY_MODES: readonly NotifyMode[] = ['changes', 'new-only', 'always'];

export type NotificationStatus = 'pending' | 'published' | 'skipped' | 'disabled' | 'failed';

export interface NotificationOutcome {
  mode: NotifyMode;
  status: NotificationStatus;
  /** Why it was skipped/disabled, or the error of a failed publish (never credentials). */
  detail?: string;
  messageId?: string;
  attempts?: number;
  truncated?: boolean;
  bytes?: number;
}

export interface RunCoverageError {
  accountId: string;
  scope: 'account' | 'region' | 'cluster';
  region?: string;
  cluster?: string;
  code: string;
  message: string;
}

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

export interface RunAudited {
  accounts: number;
  /** Accounts with an account-scope error (unreachable, not scanned before the deadline). */
  accountsFailed: number;
  regionsFailed: number;
  clusters: number;
  /** Clusters whose Kubernetes API was not read. */
  clustersUnreachable: number;
  roles: number;
  serviceAccounts: number;
  pods: number;
}

export interface RunDriftCounts {
  new: number;
  resolved: number;
  /** Open after this run (new + still open, including unverified). */
  open: number;
  /** Kept open only because their scope was not collected. */
  unverified: number;
  /** Open findings of accounts outside this run's scope, left untouched. */
  outOfScope: number;
}

export type SeverityCounts = Record<Severity, number>;

/** One audit run (SPEC §5, issue: run records). */
export interface RunRecord {
  schemaVersion: 1;
  runId: string;
  status: RunStatus;
  /** What started it: `schedule`, `cli`, `demo`… */
  trigger?: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  audited?: RunAudited;
  /** The first coverage errors (capped), and how many there were. */
  coverageErrors?: RunCoverageError[];
  coverageErrorCount?: number;
  /** Findings this run produced, by severity. */
  findingsBySeverity?: SeverityCounts;
  /** Open findings after this run, by severity. */
  openBySeverity?: SeverityCounts;
  newBySeverity?: SeverityCounts;
  resolvedBySeverity?: SeverityCounts;
  drift?: RunDriftCounts;
  skippedChecks?: number;
  checkErrors?: number;
  writes?: WriteStats;
  notification?: NotificationOutcome;
  /** Why the run failed (stage, stable code, message without secrets). */
  error?: { stage: string; code: string; message: string };
}

export interface WriteStats {
  opened: number;
  resolved: number;
  /** Still-open findings rewritten because their content changed. */
  updated: number;
  /** Still-open findings rewritten only to refresh `lastSeen` or to clear `unverifiedSince`. */
  refreshed: number;
  /** Still-open findings marked unverified (first run of a coverage gap). */
  markedUnverified: number;
  /** Still-open findings left untouched (no write). */
  unchanged: number;
  /** Items written (state + events) and DynamoDB requests made. */
  itemsWritten: number;
  requests: number;
  retries: number;
}

export interface RunLock {
  holder: string;
  acquiredAt: string;
  /** Epoch seconds. */
  expiresAt: number;
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
}

/** The results table as the pipeline and the CLI see it. */
export interface ResultsStore {
  /** Takes the run lock or throws `RunLockedError` naming the holder. */
  acquireLock(holder: string, now: Date, ttlSeconds: number): Promise<RunLock>;
  /** Extends the lock; throws `LockLostError` when another run took it over. */
  renewLock(lock: RunLock, now: Date, ttlSeconds: number): Promise<RunLock>;
  /** Releases the lock if still held by `lock.holder`; returns false when it was not. */
  releaseLock(lock: RunLock): Promise<boolean>;
  /** Every finding stored as open (all severities). */
  loadOpenFindings(now: Date): Promise<StoredFinding[]>;
  /** Writes the drift: events, then finding states (only what changed). */
  applyDrift(input: ApplyDriftInput): Promise<WriteStats>;
  putRun(record: RunRecord): Promise<void>;
  queryFindings(filter: FindingFilter, page: PageOptions, now: Date): Promise<Page<StoredFinding>>;
  listRuns(page: PageOptions, now: Date): Promise<Page<RunRecord>>;
  findingHistory(fingerprint: string, now: Date): Promise<FindingHistory>;
}
