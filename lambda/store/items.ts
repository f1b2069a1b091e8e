/**
 * Item shapes of the results table (docs/results-table.md): keys, sparse index attributes, and the
 * conversion between domain objects and items. Pure: no SDK calls here.
 */

import type { OutboxEntry, RunLock } from '../app/ports';
import type { NotificationOutcome, RunRecord } from '../app/run-record';
import type { FindingEvent, FindingStatus, StoredFinding } from '../app/stored-finding';
import type { Finding, FindingResource } from '../core/findings';
import { hash64 } from '../core/findings';
import type { Severity } from '../core/model';
import { SEVERITIES } from '../core/model';

const FINDING_PREFIX = 'FINDING#';
export const STATE_SK = 'STATE';
export const EVENT_PREFIX = 'EVENT#';
export const RUN_PK = 'RUN';
export const LOCK_PK = 'LOCK';
export const LOCK_SK = 'RUN';
export const OUTBOX_PK = 'OUTBOX';

export type TableItem = Record<string, unknown> & { pk: string; sk: string };

/** Caps that keep every item far below DynamoDB's 400 KB (and index keys below 1 KB / 2 KB). */
export const LIMITS = {
  title: 300,
  message: 4000,
  remediation: 4000,
  guideStep: 300,
  resourceValue: 1000,
  evidenceJson: 8000,
  keyPart: 400,
} as const;

/** DynamoDB's item size limit; items are checked against it before writing. */
export const MAX_ITEM_BYTES = 400 * 1024;

export const findingPk = (fingerprint: string): string => `${FINDING_PREFIX}${fingerprint}`;
export const eventSk = (at: string, runId: string): string => `${EVENT_PREFIX}${at}#${runId}`;
/** Run records and outbox entries share this sort key: both list in start order. */
export const runSk = (startedAt: string, runId: string): string => `${startedAt}#${runId}`;

/** `0` for critical … `4` for info: index sort keys list the worst first. */
export function severityKey(severity: Severity): string {
  return String(SEVERITIES.indexOf(severity));
}

const statusKey = (status: FindingStatus): string => (status === 'open' ? 'OPEN' : 'RESOLVED');

export const gsi1Pk = (status: FindingStatus, severity: Severity): string =>
  `${statusKey(status)}#${severity}`;
export const gsi2Pk = (accountId: string, status: FindingStatus): string => `ACCOUNT#${accountId}#${status}`;
export const gsi3Pk = (cluster: string, status: FindingStatus): string =>
  `CLUSTER#${cap(cluster, LIMITS.keyPart)}#${status}`;
export const gsi4Pk = (roleName: string, status: FindingStatus): string =>
  `ROLE#${cap(roleName, LIMITS.keyPart)}#${status}`;
export const gsi5Pk = (checkId: string, status: FindingStatus): string => `CHECK#${checkId}#${status}`;

/**
 * The parts of a role ARN the role index uses: the role name (lower-cased: IAM role names are unique
 * case-insensitively) and the account. Lenient, so malformed ARNs from annotations still get a key.
 */
export function roleKeyParts(roleArn: string): { name: string; accountId: string } {
  const parts = roleArn.split(':');
  const accountId = parts.length >= 6 && /^\d{12}$/.test(parts[4]) ? parts[4] : '';
  const resource = parts.length >= 6 ? parts.slice(5).join(':') : roleArn;
  const name = resource.slice(resource.lastIndexOf('/') + 1);
  return { name: name.toLowerCase(), accountId };
}

/** Cluster name, account and region from an EKS cluster ARN (`arn:aws:eks:us-west-2:1111…:cluster/prod`). */
export function parseClusterArn(
  arn: string,
): { name: string; accountId: string; region: string } | undefined {
  const match = /^arn:aws[a-z0-9-]*:eks:([a-z0-9-]+):(\d{12}):cluster\/(.+)$/.exec(arn);
  if (!match) return undefined;
  return { region: match[1], accountId: match[2], name: match[3] };
}

function cap(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** The index attributes of a finding state item for its status and content. */
function indexAttributes(finding: Finding, status: FindingStatus): Record<string, string> {
  const { accountId, region, cluster, roleArn } = finding.resource;
  const severity = severityKey(finding.severity);
  const fingerprint = finding.fingerprint;
  const attributes: Record<string, string> = {
    gsi1pk: gsi1Pk(status, finding.severity),
    gsi1sk: `${accountId}#${finding.checkId}#${fingerprint}`,
    gsi2pk: gsi2Pk(accountId, status),
    gsi2sk: `${severity}#${finding.checkId}#${fingerprint}`,
    gsi5pk: gsi5Pk(finding.checkId, status),
    gsi5sk: `${severity}#${accountId}#${fingerprint}`,
  };
  if (cluster !== undefined) {
    attributes.gsi3pk = gsi3Pk(cluster, status);
    attributes.gsi3sk = `${accountId}#${cap(region ?? '', 64)}#${severity}#${finding.checkId}#${fingerprint}`;
  }
  if (roleArn !== undefined) {
    const role = roleKeyParts(roleArn);
    attributes.gsi4pk = gsi4Pk(role.name, status);
    attributes.gsi4sk = `${role.accountId}#${severity}#${finding.checkId}#${fingerprint}`;
  }
  return attributes;
}

function capResource(resource: FindingResource): FindingResource {
  const capped: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(resource)) {
    if (value === undefined) continue;
    capped[name] = typeof value === 'string' ? cap(value, LIMITS.resourceValue) : value;
  }
  return capped as unknown as FindingResource;
}

function evidenceJson(evidence: unknown): string | undefined {
  if (evidence === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(evidence);
  } catch {
    text = JSON.stringify({ unserializable: true });
  }
  if (text === undefined) return undefined;
  if (text.length <= LIMITS.evidenceJson) return text;
  // Shrink until the encoded excerpt fits, so trimming an already trimmed value changes nothing.
  let keep = LIMITS.evidenceJson - 100;
  for (;;) {
    const trimmed = JSON.stringify({ truncated: true, excerpt: `${text.slice(0, keep)}…` });
    if (trimmed.length <= LIMITS.evidenceJson) return trimmed;
    keep = Math.floor(keep * 0.8);
  }
}

/**
 * The finding as it is stored: strings capped, evidence trimmed. Content comparison uses this form, so
 * a finding whose only difference is beyond the caps counts as unchanged.
 */
function storableFinding(finding: Finding): Finding {
  const evidence = evidenceJson(finding.evidence);
  return {
    checkId: finding.checkId,
    severity: finding.severity,
    title: cap(finding.title, LIMITS.title),
    message: cap(finding.message, LIMITS.message),
    resource: capResource(finding.resource),
    ...(evidence === undefined ? {} : { evidence: JSON.parse(evidence) as unknown }),
    remediation: cap(finding.remediation, LIMITS.remediation),
    ...(finding.guideStep === undefined ? {} : { guideStep: cap(finding.guideStep, LIMITS.guideStep) }),
    fingerprint: finding.fingerprint,
  };
}

/** Canonical JSON (sorted keys), so the hash does not depend on property order. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([name, entry]) => `${JSON.stringify(name)}:${canonicalJson(entry)}`).join(',')}}`;
}

/** Hash of what a reader sees of a finding (not its lifecycle). */
export function contentHash(finding: Finding): string {
  const stored = storableFinding(finding);
  return hash64(
    canonicalJson({
      checkId: stored.checkId,
      severity: stored.severity,
      title: stored.title,
      message: stored.message,
      resource: stored.resource,
      evidence: stored.evidence,
      remediation: stored.remediation,
      guideStep: stored.guideStep,
    }),
  );
}

export function findingStateItem(finding: StoredFinding): TableItem {
  const stored = storableFinding(finding);
  const item: TableItem = {
    pk: findingPk(finding.fingerprint),
    sk: STATE_SK,
    type: 'finding',
    ...indexAttributes(stored, finding.status),
    fingerprint: stored.fingerprint,
    checkId: stored.checkId,
    severity: stored.severity,
    title: stored.title,
    message: stored.message,
    resource: stored.resource,
    remediation: stored.remediation,
    status: finding.status,
    firstSeen: finding.firstSeen,
    openedRunId: finding.openedRunId,
    lastSeen: finding.lastSeen,
    lastSeenRunId: finding.lastSeenRunId,
    contentHash: finding.contentHash,
  };
  if (stored.evidence !== undefined) item.evidence = JSON.stringify(stored.evidence);
  if (stored.guideStep !== undefined) item.guideStep = stored.guideStep;
  if (finding.resolvedAt !== undefined) item.resolvedAt = finding.resolvedAt;
  if (finding.resolvedRunId !== undefined) item.resolvedRunId = finding.resolvedRunId;
  if (finding.unverifiedSince !== undefined) item.unverifiedSince = finding.unverifiedSince;
  if (finding.unverifiedReason !== undefined) item.unverifiedReason = cap(finding.unverifiedReason, 500);
  if (finding.expiresAt !== undefined) item.expiresAt = finding.expiresAt;
  return item;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export function storedFindingFromItem(item: Record<string, unknown>): StoredFinding {
  const finding: StoredFinding = {
    fingerprint: String(item.fingerprint),
    checkId: String(item.checkId),
    severity: item.severity as Severity,
    title: String(item.title ?? ''),
    message: String(item.message ?? ''),
    resource: (item.resource ?? { accountId: '' }) as FindingResource,
    remediation: String(item.remediation ?? ''),
    status: item.status === 'resolved' ? 'resolved' : 'open',
    firstSeen: String(item.firstSeen ?? ''),
    openedRunId: String(item.openedRunId ?? ''),
    lastSeen: String(item.lastSeen ?? ''),
    lastSeenRunId: String(item.lastSeenRunId ?? ''),
    contentHash: String(item.contentHash ?? ''),
  };
  const evidence = str(item.evidence);
  if (evidence !== undefined) {
    try {
      finding.evidence = JSON.parse(evidence);
    } catch {
      finding.evidence = evidence;
    }
  }
  const optional = {
    guideStep: str(item.guideStep),
    resolvedAt: str(item.resolvedAt),
    resolvedRunId: str(item.resolvedRunId),
    unverifiedSince: str(item.unverifiedSince),
    unverifiedReason: str(item.unverifiedReason),
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) (finding as unknown as Record<string, unknown>)[name] = value;
  }
  const expiresAt = num(item.expiresAt);
  if (expiresAt !== undefined) finding.expiresAt = expiresAt;
  return finding;
}

export function eventItem(event: FindingEvent): TableItem {
  const item: TableItem = {
    pk: findingPk(event.fingerprint),
    sk: eventSk(event.at, event.runId),
    type: 'event',
    fingerprint: event.fingerprint,
    event: event.event,
    at: event.at,
    runId: event.runId,
    checkId: event.checkId,
    severity: event.severity,
    title: cap(event.title, LIMITS.title),
    message: cap(event.message, LIMITS.message),
    resource: capResource(event.resource),
  };
  if (event.expiresAt !== undefined) item.expiresAt = event.expiresAt;
  return item;
}

export function eventFromItem(item: Record<string, unknown>): FindingEvent {
  const event: FindingEvent = {
    fingerprint: String(item.fingerprint),
    event: item.event === 'resolved' ? 'resolved' : 'opened',
    at: String(item.at),
    runId: String(item.runId),
    checkId: String(item.checkId),
    severity: item.severity as Severity,
    title: String(item.title ?? ''),
    message: String(item.message ?? ''),
    resource: (item.resource ?? { accountId: '' }) as FindingResource,
  };
  const expiresAt = num(item.expiresAt);
  if (expiresAt !== undefined) event.expiresAt = expiresAt;
  return event;
}

export function runItem(record: RunRecord, expiresAt: number): TableItem {
  return {
    ...(JSON.parse(JSON.stringify(record)) as Record<string, unknown>),
    pk: RUN_PK,
    sk: runSk(record.startedAt, record.runId),
    type: 'run',
    expiresAt,
  };
}

export function runFromItem(item: Record<string, unknown>): RunRecord {
  const { pk: _pk, sk: _sk, type: _type, expiresAt: _expiresAt, ...record } = item;
  return record as unknown as RunRecord;
}

export function lockItem(lock: RunLock): TableItem {
  return { pk: LOCK_PK, sk: LOCK_SK, type: 'lock', ...lock };
}

export function lockFromItem(item: Record<string, unknown>): RunLock {
  return {
    holder: String(item.holder),
    acquiredAt: String(item.acquiredAt),
    expiresAt: Number(item.expiresAt),
    ...(typeof item.invocation === 'string' ? { invocation: item.invocation } : {}),
  };
}

/** A pending notification (the outbox of docs/results-table.md): no expiry while pending. */
export function outboxItem(entry: OutboxEntry): TableItem {
  return {
    pk: OUTBOX_PK,
    sk: runSk(entry.runStartedAt, entry.runId),
    type: 'notification',
    status: 'pending',
    runId: entry.runId,
    runStartedAt: entry.runStartedAt,
    subject: entry.message.subject,
    message: entry.message.message,
    messageStructure: entry.message.messageStructure,
    attributes: entry.message.attributes,
    outcome: JSON.parse(JSON.stringify(entry.outcome)) as Record<string, unknown>,
    attempts: entry.attempts,
    ...(entry.lastError === undefined ? {} : { lastError: entry.lastError }),
  };
}

export function outboxFromItem(item: Record<string, unknown>): OutboxEntry {
  return {
    runId: String(item.runId),
    runStartedAt: String(item.runStartedAt),
    message: {
      subject: String(item.subject ?? ''),
      message: String(item.message ?? ''),
      messageStructure: 'json',
      attributes: (item.attributes ?? {}) as OutboxEntry['message']['attributes'],
    },
    outcome: (item.outcome ?? { mode: 'changes', status: 'pending' }) as NotificationOutcome,
    attempts: num(item.attempts) ?? 0,
    ...(typeof item.lastError === 'string' ? { lastError: item.lastError } : {}),
  };
}

/** Items whose TTL has passed are still returned until DynamoDB deletes them (up to days later). */
export function isExpired(item: Record<string, unknown>, nowSeconds: number): boolean {
  const expiresAt = item.expiresAt;
  return typeof expiresAt === 'number' && expiresAt <= nowSeconds;
}

export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/**
 * DynamoDB's size of an item: attribute names plus values (UTF-8 strings, ~numbers, nested overhead).
 * An upper-bound estimate, used to refuse an item before DynamoDB does.
 */
export function itemBytes(item: Record<string, unknown>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) total += Buffer.byteLength(name) + valueBytes(value);
  return total;
}

function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return 21;
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, entry) => sum + 1 + valueBytes(entry), 0);
  if (typeof value === 'object') {
    let total = 3;
    for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
      total += 1 + Buffer.byteLength(name) + valueBytes(entry);
    }
    return total;
  }
  return Buffer.byteLength(String(value));
}
