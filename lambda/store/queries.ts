/**
 * The queries behind `irsa-audit findings`, `irsa-audit runs` and `irsa-audit history <fingerprint>`.
 * They take the store port, so the CLI works against DynamoDB or the embedded table alike.
 */

import type { FindingFilter, ResultsStore } from '../app/ports';
import type { RunRecord } from '../app/run-record';
import { StoreError } from '../app/store-errors';
import type { FindingHistory, StoredFinding } from '../app/stored-finding';
import { type FindingsQueryPlan, normalizeFilter, planFindingsQuery } from './query-plan';

export interface FindingsResult {
  filter: FindingFilter & { status: NonNullable<FindingFilter['status']> };
  /** The index used and why (shown with `--explain`, handy in tests). */
  plan: Pick<FindingsQueryPlan, 'indexName' | 'reason'>;
  findings: StoredFinding[];
  /** Present when more results exist (pass it back as `cursor`). */
  cursor?: string;
}

export interface FindingsQueryOptions {
  /** Page size (default 500). */
  limit?: number;
  cursor?: string;
  /** Follow cursors until done, up to `maxItems` (default 100,000). */
  all?: boolean;
  maxItems?: number;
}

export async function queryFindings(
  store: ResultsStore,
  filter: FindingFilter,
  options: FindingsQueryOptions,
  now: Date,
): Promise<FindingsResult> {
  const normalized = normalizeFilter(filter);
  const plan = planFindingsQuery(normalized);
  const findings: StoredFinding[] = [];
  const maxItems = options.maxItems ?? 100_000;
  let cursor = options.cursor;
  do {
    const page = await store.queryFindings(
      normalized,
      { limit: Math.min(options.limit ?? 500, maxItems - findings.length), cursor },
      now,
    );
    findings.push(...page.items);
    cursor = page.cursor;
  } while (options.all && cursor !== undefined && findings.length < maxItems);
  return {
    filter: normalized,
    plan: { indexName: plan.indexName, reason: plan.reason },
    findings,
    ...(cursor === undefined ? {} : { cursor }),
  };
}

export interface RunsResult {
  runs: RunRecord[];
  cursor?: string;
}

export async function listRuns(
  store: ResultsStore,
  options: { limit?: number; cursor?: string },
  now: Date,
): Promise<RunsResult> {
  const page = await store.listRuns({ limit: options.limit ?? 20, cursor: options.cursor }, now);
  return { runs: page.items, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) };
}

/** Fingerprints are 16 hex digits (core/findings.ts `hash64`). */
const FINGERPRINT_RE = /^[0-9a-f]{16}$/;

export async function findingHistory(
  store: ResultsStore,
  fingerprint: string,
  now: Date,
): Promise<FindingHistory> {
  const normalized = fingerprint.trim().toLowerCase();
  if (!FINGERPRINT_RE.test(normalized)) {
    throw new StoreError(
      'BadFilter',
      `"${fingerprint}" is not a finding fingerprint (16 hexadecimal digits)`,
    );
  }
  return store.findingHistory(normalized, now);
}
