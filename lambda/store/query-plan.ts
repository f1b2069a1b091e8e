/**
 * Which index serves a `findings` query, and with which key conditions (pure). When several filters
 * are given, the most selective index is chosen and every filter is also applied to the items read
 * (cheap, and it keeps results exact when a key prefix cannot express a filter).
 */

import type { FindingFilter } from '../app/ports';
import { StoreError } from '../app/store-errors';
import type { FindingStatus, StoredFinding } from '../app/stored-finding';
import { FINDING_STATUSES } from '../app/stored-finding';
import type { Severity } from '../core/model';
import { SEVERITIES } from '../core/model';
import { gsi1Pk, gsi2Pk, gsi3Pk, gsi4Pk, gsi5Pk, parseClusterArn, roleKeyParts, severityKey } from './items';

export type IndexName = 'gsi1' | 'gsi2' | 'gsi3' | 'gsi4' | 'gsi5';

export interface QueryStep {
  /** Partition key value of the index. */
  pk: string;
  /** `begins_with` on the index sort key, when the filters allow one. */
  skPrefix?: string;
}

export interface FindingsQueryPlan {
  indexName: IndexName;
  /** Queried in order; results come out in that order (worst severity first where it applies). */
  steps: QueryStep[];
  /** Why this index (for `--explain`-style output and tests). */
  reason: string;
}

/** Normalises and checks a filter; throws `StoreError('BadFilter')` with a clear message. */
export function normalizeFilter(
  filter: FindingFilter,
): Required<Pick<FindingFilter, 'status'>> & FindingFilter {
  const status: FindingStatus = filter.status ?? 'open';
  if (!FINDING_STATUSES.includes(status)) {
    throw new StoreError(
      'BadFilter',
      `--status must be one of ${FINDING_STATUSES.join(', ')}, got "${status}"`,
    );
  }
  if (filter.severity !== undefined && !SEVERITIES.includes(filter.severity)) {
    throw new StoreError(
      'BadFilter',
      `--severity must be one of ${SEVERITIES.join(', ')}, got "${filter.severity}"`,
    );
  }
  if (filter.accountId !== undefined && !/^\d{12}$/.test(filter.accountId)) {
    throw new StoreError('BadFilter', `--account must be a 12-digit account id, got "${filter.accountId}"`);
  }
  for (const [flag, value] of [
    ['--cluster', filter.cluster],
    ['--role', filter.role],
    ['--check', filter.checkId],
  ] as const) {
    if (value !== undefined && value.trim() === '')
      throw new StoreError('BadFilter', `${flag} must not be empty`);
  }
  return { ...filter, status };
}

export function planFindingsQuery(input: FindingFilter): FindingsQueryPlan {
  const filter = normalizeFilter(input);
  const { status, severity, checkId } = filter;
  const sev = severity === undefined ? undefined : severityKey(severity);

  if (filter.role !== undefined) {
    const role = roleKeyParts(filter.role);
    const accountId = role.accountId || filter.accountId;
    let skPrefix: string | undefined;
    if (accountId !== undefined) {
      skPrefix = `${accountId}#`;
      if (sev !== undefined) skPrefix += `${sev}#${checkId === undefined ? '' : `${checkId}#`}`;
    }
    return {
      indexName: 'gsi4',
      steps: [{ pk: gsi4Pk(role.name, status), skPrefix }],
      reason: 'role name index',
    };
  }

  if (filter.cluster !== undefined) {
    const arn = parseClusterArn(filter.cluster);
    const name = arn?.name ?? filter.cluster;
    const accountId = arn?.accountId ?? filter.accountId;
    let skPrefix: string | undefined;
    if (accountId !== undefined) {
      skPrefix = `${accountId}#`;
      if (arn) {
        skPrefix += `${arn.region}#`;
        if (sev !== undefined) skPrefix += `${sev}#${checkId === undefined ? '' : `${checkId}#`}`;
      }
    }
    return {
      indexName: 'gsi3',
      steps: [{ pk: gsi3Pk(name, status), skPrefix }],
      reason: 'cluster name index',
    };
  }

  if (filter.accountId !== undefined && checkId !== undefined) {
    const severities: readonly Severity[] = severity === undefined ? SEVERITIES : [severity];
    return {
      indexName: 'gsi2',
      steps: severities.map((each) => ({
        pk: gsi2Pk(filter.accountId as string, status),
        skPrefix: `${severityKey(each)}#${checkId}#`,
      })),
      reason: 'account index, one key prefix per severity for the check',
    };
  }

  if (filter.accountId !== undefined) {
    return {
      indexName: 'gsi2',
      steps: [{ pk: gsi2Pk(filter.accountId, status), skPrefix: sev === undefined ? undefined : `${sev}#` }],
      reason: 'account index',
    };
  }

  if (checkId !== undefined) {
    return {
      indexName: 'gsi5',
      steps: [{ pk: gsi5Pk(checkId, status), skPrefix: sev === undefined ? undefined : `${sev}#` }],
      reason: 'check index',
    };
  }

  const severities: readonly Severity[] = severity === undefined ? SEVERITIES : [severity];
  return {
    indexName: 'gsi1',
    steps: severities.map((each) => ({ pk: gsi1Pk(status, each) })),
    reason: 'status and severity index',
  };
}

/** Applies every filter to a stored finding (exact match; role by ARN or by name). */
export function matchesFilter(finding: StoredFinding, input: FindingFilter): boolean {
  const filter = normalizeFilter(input);
  if (finding.status !== filter.status) return false;
  if (filter.severity !== undefined && finding.severity !== filter.severity) return false;
  if (filter.checkId !== undefined && finding.checkId !== filter.checkId) return false;
  if (filter.accountId !== undefined && finding.resource.accountId !== filter.accountId) {
    // A role or cluster of that account may appear on a finding of another account (cross-account trust).
    const roleAccount = finding.resource.roleArn ? roleKeyParts(finding.resource.roleArn).accountId : '';
    if (!(filter.role !== undefined && roleAccount === filter.accountId)) return false;
  }
  if (filter.cluster !== undefined) {
    const arn = parseClusterArn(filter.cluster);
    if (arn) {
      if (finding.resource.cluster !== arn.name || finding.resource.region !== arn.region) return false;
      if (finding.resource.accountId !== arn.accountId) return false;
    } else if (finding.resource.cluster !== filter.cluster) {
      return false;
    }
  }
  if (filter.role !== undefined) {
    const roleArn = finding.resource.roleArn;
    if (roleArn === undefined) return false;
    const wanted = roleKeyParts(filter.role);
    const actual = roleKeyParts(roleArn);
    if (actual.name !== wanted.name) return false;
    if (wanted.accountId && actual.accountId !== wanted.accountId) return false;
  }
  return true;
}
