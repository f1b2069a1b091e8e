/**
 * What a run writes, computed from the drift and the stored open findings (pure). Only changes are
 * written: a still-open finding whose content is unchanged is not rewritten, except to refresh
 * `lastSeen` once it is older than the refresh interval, or to record/clear a coverage gap.
 */

import type { DriftSuppression } from '../app/ports';
import type { WriteStats } from '../app/run-record';
import {
  type FindingEvent,
  type FindingStatus,
  type StoredFinding,
  type StoredSuppression,
  sameSuppression,
  withoutLifecycle,
} from '../app/stored-finding';
import type { Drift } from '../core/drift';
import type { Finding } from '../core/findings';
import {
  contentHash,
  epochSeconds,
  eventItem,
  eventSk,
  findingPk,
  findingStateItem,
  type TableItem,
} from './items';

export interface WritePolicy {
  /** Days a resolved finding's state and history are kept before TTL deletes them. */
  historyRetentionDays: number;
  /** A still-open, unchanged finding gets its `lastSeen` rewritten once it is this many days old. */
  lastSeenRefreshDays: number;
}

export const DEFAULT_WRITE_POLICY: WritePolicy = { historyRetentionDays: 90, lastSeenRefreshDays: 7 };

/** The `opened` event of a resolved episode: it gets the same expiry as the resolution. */
export interface EventExpiry {
  pk: string;
  sk: string;
  expiresAt: number;
}

export interface WritePlan {
  /** `opened` / `resolved` events: written first. */
  events: TableItem[];
  /** Expiry for the `opened` events of the episodes that resolved (UpdateItem, only if the event exists). */
  eventExpiries: EventExpiry[];
  /** Finding states: written last, so a run that dies half-way is redone (and re-notified) by the next. */
  states: TableItem[];
  stats: Omit<WriteStats, 'itemsWritten' | 'requests' | 'retries'>;
}

/** The status and suppression a new or still-open finding gets, and the event of a change. */
interface Lifecycle {
  status: FindingStatus;
  suppression?: StoredSuppression;
  suppressionEvents?: string[];
  event?: FindingEvent;
}

export function planWrites(
  drift: Drift<StoredFinding>,
  previousOpen: readonly StoredFinding[],
  runId: string,
  now: Date,
  policy: WritePolicy = DEFAULT_WRITE_POLICY,
  suppression?: DriftSuppression,
): WritePlan {
  const at = now.toISOString();
  const expiresAt = epochSeconds(now) + Math.round(policy.historyRetentionDays * 86_400);
  const refreshBefore = now.getTime() - policy.lastSeenRefreshDays * 86_400_000;
  const previous = new Map(previousOpen.map((finding) => [finding.fingerprint, finding]));
  const unverified = new Map(drift.unverified.map((entry) => [entry.finding.fingerprint, entry.reason]));
  const plan: WritePlan = {
    events: [],
    eventExpiries: [],
    states: [],
    stats: {
      opened: 0,
      resolved: 0,
      updated: 0,
      refreshed: 0,
      markedUnverified: 0,
      unchanged: 0,
      suppressed: 0,
      unsuppressed: 0,
    },
  };

  /** Suppression is decided after drift (core/suppressions.ts); here it only sets status and events. */
  const lifecycle = (finding: Finding, stored: StoredFinding | undefined): Lifecycle => {
    const entry = suppression?.suppressed.get(finding.fingerprint);
    const events = stored?.suppressionEvents ?? [];
    const event = (type: FindingEvent['event'], extra: Partial<FindingEvent>): FindingEvent => ({
      ...eventOf(finding, type, at, runId),
      ...extra,
    });
    if (entry) {
      if (stored?.status === 'suppressed' && sameSuppression(stored.suppression, entry)) {
        return { status: 'suppressed', suppression: entry, suppressionEvents: events };
      }
      plan.stats.suppressed++;
      return {
        status: 'suppressed',
        suppression: entry,
        suppressionEvents: [...events, eventSk(at, runId, 'suppressed')],
        event: event('suppressed', { suppression: entry }),
      };
    }
    if (stored?.status === 'suppressed') {
      plan.stats.unsuppressed++;
      const detail = suppression?.reopened.get(finding.fingerprint) ?? 'no suppression entry matches it';
      return {
        status: 'open',
        suppressionEvents: [...events, eventSk(at, runId, 'unsuppressed')],
        event: event('unsuppressed', {
          detail,
          ...(stored.suppression ? { suppression: stored.suppression } : {}),
        }),
      };
    }
    return { status: 'open', ...(events.length ? { suppressionEvents: events } : {}) };
  };
  const lifecycleFields = (life: Lifecycle): Partial<StoredFinding> => ({
    status: life.status,
    ...(life.suppression ? { suppression: life.suppression } : {}),
    ...(life.suppressionEvents?.length ? { suppressionEvents: life.suppressionEvents } : {}),
  });

  for (const finding of drift.new) {
    const life = lifecycle(finding, undefined);
    const state: StoredFinding = {
      ...withoutLifecycle(finding),
      ...lifecycleFields(life),
      status: life.status,
      firstSeen: at,
      openedRunId: runId,
      lastSeen: at,
      lastSeenRunId: runId,
      contentHash: contentHash(finding),
    };
    plan.states.push(findingStateItem(state));
    plan.events.push(eventItem(eventOf(finding, 'opened', at, runId)));
    if (life.event) plan.events.push(eventItem(life.event));
    plan.stats.opened++;
  }

  for (const finding of drift.resolved) {
    const state: StoredFinding = {
      ...finding,
      status: 'resolved',
      resolvedAt: at,
      resolvedRunId: runId,
      expiresAt,
    };
    delete state.unverifiedSince;
    delete state.unverifiedReason;
    delete state.suppression;
    plan.states.push(findingStateItem(state));
    plan.events.push(eventItem({ ...eventOf(finding, 'resolved', at, runId), expiresAt }));
    if (finding.firstSeen && finding.openedRunId) {
      plan.eventExpiries.push({
        pk: findingPk(finding.fingerprint),
        sk: eventSk(finding.firstSeen, finding.openedRunId),
        expiresAt,
      });
    }
    for (const sk of finding.suppressionEvents ?? []) {
      plan.eventExpiries.push({ pk: findingPk(finding.fingerprint), sk, expiresAt });
    }
    plan.stats.resolved++;
  }

  for (const finding of drift.stillOpen) {
    const stored = previous.get(finding.fingerprint);
    if (!stored) continue; // cannot happen: still open means stored as open
    const life = lifecycle(finding, stored);
    if (life.event) plan.events.push(eventItem(life.event));
    const reason = unverified.get(finding.fingerprint);
    if (reason !== undefined) {
      if (stored.unverifiedSince === undefined || life.event) {
        const state: StoredFinding = {
          ...stored,
          ...lifecycleFields(life),
          unverifiedSince: stored.unverifiedSince ?? at,
          unverifiedReason: stored.unverifiedReason ?? reason,
        };
        if (!life.suppression) delete state.suppression;
        plan.states.push(findingStateItem(state));
        if (stored.unverifiedSince === undefined) plan.stats.markedUnverified++;
      } else {
        plan.stats.unchanged++;
      }
      continue;
    }
    const hash = contentHash(finding);
    const changed = hash !== stored.contentHash;
    const lastSeen = Date.parse(stored.lastSeen);
    const stale = Number.isNaN(lastSeen) || lastSeen < refreshBefore;
    if (!changed && stored.unverifiedSince === undefined && !stale && !life.event) {
      plan.stats.unchanged++;
      continue;
    }
    const state: StoredFinding = {
      ...withoutLifecycle(finding),
      ...lifecycleFields(life),
      status: life.status,
      firstSeen: stored.firstSeen,
      openedRunId: stored.openedRunId,
      lastSeen: at,
      lastSeenRunId: runId,
      contentHash: hash,
    };
    plan.states.push(findingStateItem(state));
    if (changed) plan.stats.updated++;
    else if (!life.event) plan.stats.refreshed++;
  }
  return plan;
}

function eventOf(finding: Finding, event: FindingEvent['event'], at: string, runId: string): FindingEvent {
  return {
    fingerprint: finding.fingerprint,
    event,
    at,
    runId,
    checkId: finding.checkId,
    severity: finding.severity,
    title: finding.title,
    message: finding.message,
    resource: finding.resource,
  };
}
