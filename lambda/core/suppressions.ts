/**
 * Suppressions: accepted risks, kept in a version-controlled file (docs/suppressions.md, schema in
 * schema/suppressions.schema.json). An entry matches one finding by fingerprint, or the findings of
 * one check whose resource matches every pattern it gives; each names a reason, an owner and the last
 * day it applies (at most one year after the run date).
 *
 * Pure: the file has already been read and decoded (YAML or JSON) at the edge; the date to judge
 * expiry against is a parameter. Drift is computed without suppressions (core/drift.ts); this module
 * is the separate step that decides which of its findings alerts see.
 */

import { nearest } from './checks/helpers';
import { CHECKS } from './checks/index';
import type { Drift } from './drift';
import { AuditorError } from './errors';
import type { Finding, FindingResource } from './findings';
import { SEVERITIES, type Severity } from './model';
import type { ScanResult, ScanSuppressions, SuppressionReportEntry } from './scan-result';

export const SUPPRESSIONS_VERSION = 1;

/** The resource patterns an entry may give, and the finding field each one matches. */
export const PATTERN_FIELDS = {
  account: 'accountId',
  role: 'roleArn',
  cluster: 'cluster',
  namespace: 'namespace',
  serviceAccount: 'serviceAccount',
} as const satisfies Record<string, keyof FindingResource>;

export type PatternField = keyof typeof PATTERN_FIELDS;
const PATTERN_NAMES = Object.keys(PATTERN_FIELDS) as PatternField[];
const ENTRY_FIELDS: readonly string[] = [
  'fingerprint',
  'check',
  ...PATTERN_NAMES,
  'reason',
  'owner',
  'expires',
];
const TOP_FIELDS: readonly string[] = ['version', 'suppressions'];

const FINGERPRINT_RE = /^[0-9a-f]{16}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ACCOUNT_PATTERN_RE = /^[0-9*]{1,12}$/;
const ACCOUNT_RE = /^\d{12}$/;
/** Printable, no whitespace: a pattern is one token. */
const PATTERN_RE = /^[\x21-\x7e]+$/;
const LIMITS = { reason: 1000, owner: 200, pattern: 2048 } as const;

/** One entry of the file, validated. */
export interface Suppression {
  /** Position in the file's `suppressions` list (0-based): how errors and reports name the entry. */
  index: number;
  fingerprint?: string;
  check?: string;
  /** `*` globs, anchored, case-sensitive; every pattern given must match. */
  patterns: Partial<Record<PatternField, string>>;
  reason: string;
  owner: string;
  /** Last day the entry applies (UTC, inclusive), `YYYY-MM-DD`. */
  expires: string;
}

export class SuppressionsError extends AuditorError {
  constructor(
    override readonly code: 'SuppressionsInvalid' | 'SuppressionsUnreadable',
    message: string,
    /** One line per problem, each starting with the JSON path of the entry and field. */
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'SuppressionsError';
  }
}

/** The day `expires` names, as the epoch milliseconds of its start (UTC), or undefined if not a date. */
function dayStart(text: string): number | undefined {
  const match = DATE_RE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  // Rejects 2027-02-30, which Date.UTC would roll over to March.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  return time;
}

function isoDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** The latest expiry an entry may have when judged on `now`: the same day one year later. */
export function latestExpiry(now: Date): string {
  return isoDay(Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), now.getUTCDate()));
}

/** Expired once the day after `expires` has begun (UTC). */
export function isExpired(suppression: Pick<Suppression, 'expires'>, now: Date): boolean {
  const start = dayStart(suppression.expires);
  return start === undefined || now.getTime() >= start + 86_400_000;
}

const KNOWN_CHECKS: readonly string[] = CHECKS.map((check) => check.id);

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 59)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function unknownKey(path: string, key: string, known: readonly string[]): string {
  const hint = nearest(key, known, 3);
  return `${path}: unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${known.join(', ')}`;
}

function text(
  entry: Record<string, unknown>,
  key: string,
  path: string,
  problems: string[],
  max: number,
): string | undefined {
  const value = entry[key];
  if (value === undefined) {
    problems.push(`${path}.${key}: required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(`${path}.${key}: expected a non-empty string, got ${describeValue(value)}`);
    return undefined;
  }
  if (value.length > max) {
    problems.push(`${path}.${key}: at most ${max} characters, got ${value.length}`);
    return undefined;
  }
  return value.trim();
}

function pattern(field: PatternField, value: unknown, path: string, problems: string[]): string | undefined {
  const where = `${path}.${field}`;
  if (typeof value === 'number' && field === 'account') {
    problems.push(
      `${where}: write the account id as a quoted string ("${String(value).padStart(12, '0')}"); unquoted digits are read as a number and lose leading zeros`,
    );
    return undefined;
  }
  if (typeof value !== 'string' || value === '') {
    problems.push(`${where}: expected a non-empty pattern string, got ${describeValue(value)}`);
    return undefined;
  }
  if (value.length > LIMITS.pattern || !PATTERN_RE.test(value)) {
    problems.push(
      `${where}: expected one token without spaces (\`*\` matches any characters), got ${describeValue(value)}`,
    );
    return undefined;
  }
  if (
    field === 'account' &&
    !(ACCOUNT_PATTERN_RE.test(value) && (value.includes('*') || ACCOUNT_RE.test(value)))
  ) {
    problems.push(
      `${where}: expected a 12-digit account id or a pattern of digits and *, got ${describeValue(value)}`,
    );
    return undefined;
  }
  return value;
}

function entryOf(value: unknown, index: number, now: Date, problems: string[]): Suppression | undefined {
  const path = `suppressions[${index}]`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(
      `${path}: expected an object (fingerprint or check, reason, owner, expires), got ${describeValue(value)}`,
    );
    return undefined;
  }
  const entry = value as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(entry)) {
    if (!ENTRY_FIELDS.includes(key)) problems.push(unknownKey(`${path}.${key}`, key, ENTRY_FIELDS));
  }

  const patterns: Suppression['patterns'] = {};
  for (const field of PATTERN_NAMES) {
    if (entry[field] === undefined) continue;
    const checked = pattern(field, entry[field], path, problems);
    if (checked !== undefined) patterns[field] = checked;
  }
  const hasPatterns = PATTERN_NAMES.some((field) => entry[field] !== undefined);

  let fingerprint: string | undefined;
  let check: string | undefined;
  if (entry.fingerprint !== undefined && entry.check !== undefined) {
    problems.push(`${path}: give either fingerprint or check with resource patterns, not both`);
  } else if (entry.fingerprint !== undefined) {
    if (typeof entry.fingerprint !== 'string' || !FINGERPRINT_RE.test(entry.fingerprint)) {
      problems.push(
        `${path}.fingerprint: expected a finding fingerprint (16 lower-case hexadecimal digits), got ${describeValue(entry.fingerprint)}`,
      );
    } else {
      fingerprint = entry.fingerprint;
    }
    if (hasPatterns) {
      problems.push(
        `${path}: resource patterns (${PATTERN_NAMES.filter((f) => entry[f] !== undefined).join(', ')}) apply to check entries only; a fingerprint already names one finding`,
      );
    }
  } else if (entry.check !== undefined) {
    if (typeof entry.check !== 'string' || !KNOWN_CHECKS.includes(entry.check)) {
      const hint = typeof entry.check === 'string' ? nearest(entry.check, KNOWN_CHECKS, 4) : undefined;
      problems.push(
        `${path}.check: unknown check id ${describeValue(entry.check)}${hint ? ` (did you mean "${hint}"?)` : ''}; see docs/checks.md`,
      );
    } else {
      check = entry.check;
    }
    if (!hasPatterns) {
      problems.push(
        `${path}: a check entry needs at least one resource pattern (${PATTERN_NAMES.join(', ')}); to accept a check everywhere, say so with account: "*"`,
      );
    }
  } else {
    problems.push(`${path}: needs a fingerprint, or a check with resource patterns`);
  }

  const reason = text(entry, 'reason', path, problems, LIMITS.reason);
  const owner = text(entry, 'owner', path, problems, LIMITS.owner);

  let expires: string | undefined;
  if (entry.expires === undefined) {
    problems.push(`${path}.expires: required (the last day the suppression applies, YYYY-MM-DD)`);
  } else if (typeof entry.expires !== 'string' || dayStart(entry.expires) === undefined) {
    problems.push(`${path}.expires: expected a date YYYY-MM-DD, got ${describeValue(entry.expires)}`);
  } else if (entry.expires > latestExpiry(now)) {
    problems.push(
      `${path}.expires: ${entry.expires} is more than one year after ${isoDay(now.getTime())}; the latest allowed is ${latestExpiry(now)}`,
    );
  } else {
    expires = entry.expires;
  }

  if (problems.length > before || reason === undefined || owner === undefined || expires === undefined)
    return undefined;
  return {
    index,
    ...(fingerprint === undefined ? {} : { fingerprint }),
    ...(check === undefined ? {} : { check }),
    patterns,
    reason,
    owner,
    expires,
  };
}

/**
 * Validates a decoded suppressions document (`{ version: 1, suppressions: [...] }`) as of `now`.
 * Throws `SuppressionsError` listing every problem, each naming the entry (index) and the field.
 */
export function parseSuppressions(document: unknown, now: Date, source = 'suppressions'): Suppression[] {
  const problems: string[] = [];
  const suppressions: Suppression[] = [];
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    problems.push(
      `(top level): expected an object with version: 1 and a suppressions list, got ${describeValue(document)}`,
    );
  } else {
    const top = document as Record<string, unknown>;
    for (const key of Object.keys(top)) {
      if (!TOP_FIELDS.includes(key)) problems.push(unknownKey(key, key, TOP_FIELDS));
    }
    if (top.version !== SUPPRESSIONS_VERSION) {
      problems.push(`version: expected ${SUPPRESSIONS_VERSION}, got ${describeValue(top.version)}`);
    }
    if (!Array.isArray(top.suppressions)) {
      problems.push(`suppressions: expected a list of entries, got ${describeValue(top.suppressions)}`);
    } else {
      top.suppressions.forEach((value, index) => {
        const entry = entryOf(value, index, now, problems);
        if (entry) suppressions.push(entry);
      });
    }
  }
  if (problems.length > 0) {
    throw new SuppressionsError(
      'SuppressionsInvalid',
      `${source}: ${problems.length === 1 ? 'invalid suppression' : `${problems.length} problems`}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
      problems,
    );
  }
  return suppressions;
}

/** An anchored `*` glob as a regular expression; every other character is literal. */
function globRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

type Matcher = (finding: Finding) => boolean;

function matcherOf(suppression: Suppression): Matcher {
  if (suppression.fingerprint !== undefined) {
    const fingerprint = suppression.fingerprint;
    return (finding) => finding.fingerprint === fingerprint;
  }
  const tests = PATTERN_NAMES.flatMap((field) => {
    const glob = suppression.patterns[field];
    if (glob === undefined) return [];
    const re = globRegExp(glob);
    const key = PATTERN_FIELDS[field];
    return [
      (resource: FindingResource) => typeof resource[key] === 'string' && re.test(resource[key] as string),
    ];
  });
  const check = suppression.check;
  return (finding) => finding.checkId === check && tests.every((test) => test(finding.resource));
}

/** Whether an entry matches a finding (ignoring expiry). */
export function suppressionMatches(suppression: Suppression, finding: Finding): boolean {
  return matcherOf(suppression)(finding);
}

export type { ScanSuppressions, SuppressionReportEntry, SuppressionState } from './scan-result';

import type { SuppressionState } from './scan-result';

export interface SuppressionStatus {
  suppression: Suppression;
  /** `active`: in force and matching; `expired`: its findings are reported again; `stale`: in force, matches nothing. */
  state: SuppressionState;
  /** Findings it matched (suppressed when active, reported again when expired). */
  matched: number;
}

export interface SuppressedFinding<F extends Finding = Finding> {
  finding: F;
  suppression: Suppression;
}

export interface AppliedSuppressions<F extends Finding = Finding> {
  /** Findings no entry in force matches: what reports show and alerts see. */
  shown: F[];
  suppressed: SuppressedFinding<F>[];
  /** Subset of `shown`: findings matched only by expired entries (reported again). */
  expired: SuppressedFinding<F>[];
  /** Every entry, in file order, with its state. */
  entries: SuppressionStatus[];
}

/** Splits findings into shown and suppressed as of `now`; the first entry in force that matches wins. */
export function applySuppressions<F extends Finding>(
  findings: readonly F[],
  suppressions: readonly Suppression[],
  now: Date,
): AppliedSuppressions<F> {
  const compiled = suppressions.map((suppression) => ({
    suppression,
    matches: matcherOf(suppression),
    expired: isExpired(suppression, now),
    matched: 0,
  }));
  // Each finding is tested only against the entries that can match it (its fingerprint, its check),
  // in file order: findings × entries would not scale to an organization's findings.
  type Compiled = (typeof compiled)[number];
  const byKey = new Map<string, Compiled[]>();
  for (const entry of compiled) {
    const key = entry.suppression.fingerprint ?? `check:${entry.suppression.check}`;
    const list = byKey.get(key);
    if (list) list.push(entry);
    else byKey.set(key, [entry]);
  }
  const result: AppliedSuppressions<F> = { shown: [], suppressed: [], expired: [], entries: [] };
  for (const finding of findings) {
    const byFingerprint = byKey.get(finding.fingerprint);
    const byCheck = byKey.get(`check:${finding.checkId}`);
    const candidates =
      byFingerprint && byCheck
        ? [...byFingerprint, ...byCheck].sort((a, b) => a.suppression.index - b.suppression.index)
        : (byFingerprint ?? byCheck);
    if (!candidates) {
      result.shown.push(finding);
      continue;
    }
    let by: Compiled | undefined;
    for (const entry of candidates) {
      if (entry.expired || !entry.matches(finding)) continue;
      entry.matched++;
      by ??= entry;
    }
    let lapsedBy: Compiled | undefined;
    // An expired entry counts only the findings no entry in force covers: those it reports again.
    for (const entry of by ? [] : candidates) {
      if (!entry.expired || !entry.matches(finding)) continue;
      entry.matched++;
      lapsedBy ??= entry;
    }
    if (by) {
      result.suppressed.push({ finding, suppression: by.suppression });
    } else {
      result.shown.push(finding);
      if (lapsedBy) result.expired.push({ finding, suppression: lapsedBy.suppression });
    }
  }
  result.entries = compiled.map((entry) => ({
    suppression: entry.suppression,
    state: entry.expired ? 'expired' : entry.matched === 0 ? 'stale' : 'active',
    matched: entry.matched,
  }));
  return result;
}

/** Why a finding stored as suppressed is open again. */
export interface ReopenedFinding<F extends Finding = Finding> {
  finding: F;
  /** `expired`: the entry that matched it has expired; `removed`: no entry of the file matches it any more. */
  cause: 'expired' | 'removed';
  /** The expired entry (for `expired`). */
  suppression?: Suppression;
}

export interface SuppressedDrift<P extends Finding = Finding> {
  /**
   * The drift as alerts see it: suppressed findings are neither new, open nor resolved; findings that
   * were suppressed and no longer are count as new (listed in `reopened` too).
   */
  drift: Drift<P>;
  /** Fingerprint → entry, for every finding suppressed after this run (including out-of-scope ones). */
  suppressed: Map<string, Suppression>;
  /** Stored as suppressed before this run, open now. */
  reopened: ReopenedFinding[];
  /** New findings, or findings open before, that are suppressed from this run on. */
  newlySuppressed: Finding[];
  /** Shown findings matched only by expired entries (reopened ones included). */
  expired: SuppressedFinding[];
  entries: SuppressionStatus[];
}

/**
 * Applied after drift: the drift computed without suppressions, the fingerprints stored as suppressed
 * before this run, and the entries in the file. Stale entries are judged over every finding still
 * known (new, still open, and stored findings of accounts out of this run's scope).
 */
export function suppressDrift<P extends Finding>(
  drift: Drift<P>,
  previouslySuppressed: ReadonlySet<string>,
  suppressions: readonly Suppression[],
  now: Date,
): SuppressedDrift<P> {
  const known: Finding[] = [...drift.new, ...drift.stillOpen, ...drift.outOfScope];
  const applied = applySuppressions(known, suppressions, now);
  const suppressed = new Map(applied.suppressed.map((s) => [s.finding.fingerprint, s.suppression]));
  const expiredBy = new Map(applied.expired.map((s) => [s.finding.fingerprint, s.suppression]));
  const isSuppressed = (finding: Finding) => suppressed.has(finding.fingerprint);
  const wasSuppressed = (finding: Finding) => previouslySuppressed.has(finding.fingerprint);

  const reopened: ReopenedFinding[] = [];
  const newlySuppressed: Finding[] = [];
  const alerts: Drift<P> = {
    new: [],
    resolved: [],
    stillOpen: [],
    unverified: [],
    outOfScope: drift.outOfScope,
  };
  for (const finding of drift.new) {
    if (isSuppressed(finding)) newlySuppressed.push(finding);
    else alerts.new.push(finding);
  }
  for (const finding of drift.stillOpen) {
    if (isSuppressed(finding)) {
      if (!wasSuppressed(finding)) newlySuppressed.push(finding);
    } else if (wasSuppressed(finding)) {
      alerts.new.push(finding);
      const suppression = expiredBy.get(finding.fingerprint);
      reopened.push(suppression ? { finding, cause: 'expired', suppression } : { finding, cause: 'removed' });
    } else {
      alerts.stillOpen.push(finding);
    }
  }
  alerts.unverified = drift.unverified.filter(
    (entry) => !isSuppressed(entry.finding) && !wasSuppressed(entry.finding),
  );
  alerts.resolved = drift.resolved.filter((finding) => !wasSuppressed(finding));
  const shownFingerprints = new Set([...alerts.new, ...alerts.stillOpen].map((f) => f.fingerprint));
  return {
    drift: alerts,
    suppressed,
    reopened,
    newlySuppressed,
    expired: applied.expired.filter((s) => shownFingerprints.has(s.finding.fingerprint)),
    entries: applied.entries,
  };
}

/** One line naming an entry for people: its position, what it matches and its owner. */
export function describeSuppression(suppression: Suppression): string {
  const what = suppression.fingerprint
    ? `fingerprint ${suppression.fingerprint}`
    : `check ${suppression.check}${PATTERN_NAMES.filter((f) => suppression.patterns[f] !== undefined)
        .map((f) => ` ${f}=${suppression.patterns[f]}`)
        .join('')}`;
  return `suppressions[${suppression.index}] (${what}; owner ${suppression.owner}; expires ${suppression.expires})`;
}

/** Warnings for the entries that need attention: expired ones and stale ones. */
export function suppressionWarnings(entries: readonly SuppressionStatus[]): string[] {
  const warnings: string[] = [];
  for (const entry of entries) {
    const name = describeSuppression(entry.suppression);
    if (entry.state === 'expired') {
      warnings.push(
        `${name} expired on ${entry.suppression.expires}: ${entry.matched === 1 ? 'its finding is' : `its ${entry.matched} findings are`} reported again; renew it with a new expiry or remove it`,
      );
    } else if (entry.state === 'stale') {
      warnings.push(`${name} matches no finding (stale): remove it, or fix its patterns`);
    }
  }
  return warnings;
}

export function reportEntry(status: SuppressionStatus): SuppressionReportEntry {
  const { suppression } = status;
  return {
    index: suppression.index,
    state: status.state,
    matched: status.matched,
    ...(suppression.fingerprint === undefined ? {} : { fingerprint: suppression.fingerprint }),
    ...(suppression.check === undefined ? {} : { check: suppression.check }),
    patterns: suppression.patterns,
    reason: suppression.reason,
    owner: suppression.owner,
    expires: suppression.expires,
  };
}

/**
 * The scan result as reports show it: suppressed findings left out of `findings` and of the counts
 * (so `--fail-on` ignores them), and a `suppressions` section saying what was left out and why.
 */
export function suppressScan(
  result: ScanResult,
  suppressed: ReadonlyMap<string, Suppression>,
  entries: readonly SuppressionStatus[],
  options: { asOf: Date; source?: string; showSuppressed?: boolean },
): ScanResult {
  const shown = result.findings.filter((finding) => !suppressed.has(finding.fingerprint));
  const hidden = result.findings.filter((finding) => suppressed.has(finding.fingerprint));
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<
    Severity,
    number
  >;
  const byCheck: Record<string, number> = {};
  for (const finding of shown) {
    bySeverity[finding.severity]++;
    byCheck[finding.checkId] = (byCheck[finding.checkId] ?? 0) + 1;
  }
  const suppressions: ScanSuppressions = {
    ...(options.source === undefined ? {} : { source: options.source }),
    asOf: isoDay(options.asOf.getTime()),
    suppressed: hidden.length,
    entries: entries.map(reportEntry),
    ...(options.showSuppressed
      ? {
          findings: hidden.map((finding) => ({
            ...finding,
            suppressedBy: (suppressed.get(finding.fingerprint) as Suppression).index,
          })),
        }
      : {}),
  };
  return {
    ...result,
    summary: { ...result.summary, findings: shown.length, bySeverity, byCheck },
    findings: shown,
    suppressions,
  };
}
