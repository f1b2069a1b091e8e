/**
 * Findings as the results table keeps them: the finding plus its lifecycle (opened, last seen,
 * resolved, unverified while its scope was not read) and its history of events (docs/results-table.md).
 */
import type { Finding, FindingResource } from '../core/findings';
import type { Severity } from '../core/model';
import type { Suppression } from '../core/suppressions';

/** `suppressed`: open, but accepted by an entry of the suppressions file (docs/suppressions.md). */
export type FindingStatus = 'open' | 'resolved' | 'suppressed';
export const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'resolved', 'suppressed'];

/** The suppression entry that covers a suppressed finding, as stored with it and its events. */
export interface StoredSuppression {
  /** The entry's position in the file (0-based). */
  entry: number;
  reason: string;
  owner: string;
  /** Last day in force, YYYY-MM-DD. */
  expires: string;
}

export function storedSuppression(suppression: Suppression): StoredSuppression {
  return {
    entry: suppression.index,
    reason: suppression.reason,
    owner: suppression.owner,
    expires: suppression.expires,
  };
}

export function sameSuppression(a: StoredSuppression | undefined, b: StoredSuppression | undefined): boolean {
  return (
    a?.entry === b?.entry && a?.reason === b?.reason && a?.owner === b?.owner && a?.expires === b?.expires
  );
}

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
  /** While `suppressed`: the entry that covers it. */
  suppression?: StoredSuppression;
  /** Sort keys of this episode's `suppressed` / `unsuppressed` events: they expire with the episode. */
  suppressionEvents?: string[];
}

/** `suppressed`: an entry of the suppressions file covers it from now on; `unsuppressed`: open again. */
export type FindingEventType = 'opened' | 'resolved' | 'suppressed' | 'unsuppressed';

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
  /** For `suppressed` (the entry now) and `unsuppressed` (the entry before, when known). */
  suppression?: StoredSuppression;
  /** For `unsuppressed`: why (the entry expired, or no entry matches any more). */
  detail?: string;
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

/** The finding itself, without the stored lifecycle fields (status, first/last seen…). */
export function withoutLifecycle(finding: Finding): Finding {
  return {
    checkId: finding.checkId,
    severity: finding.severity,
    title: finding.title,
    message: finding.message,
    resource: finding.resource,
    ...(finding.evidence === undefined ? {} : { evidence: finding.evidence }),
    remediation: finding.remediation,
    ...(finding.commands === undefined ? {} : { commands: finding.commands }),
    ...(finding.guideStep === undefined ? {} : { guideStep: finding.guideStep }),
    fingerprint: finding.fingerprint,
  };
}
