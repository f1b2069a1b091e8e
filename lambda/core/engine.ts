/**
 * The engine: builds the audit context once, then walks each resource kind once and runs every check
 * of that kind on it. A check that throws is recorded for that resource and the walk goes on
 * (cdk-nag style isolation), leaving that resource uncovered for that check (drift keeps its findings
 * there open). A check runs on a cluster only when the cluster parts it reads (checks/types.ts `reads`)
 * were read; otherwise it is reported as skipped for that cluster, naming the part.
 */
import type { Check, ResourceKind } from './checks/types';
import { GUIDE_STEPS } from './checks/types';
import { type AuditContext, buildContext, type ClusterView } from './context';
import { partLabel } from './coverage';
import {
  type Finding,
  type FindingDraft,
  type FindingResource,
  fingerprintOf,
  trimEvidence,
} from './findings';
import type { Inventory, Severity } from './model';
import { SEVERITIES, severityRank } from './model';
import type { CheckError, ScanResult, SkippedCheck } from './scan-result';

export interface ScanOptions {
  /** Only run these check ids (all when absent). */
  only?: ReadonlySet<string>;
  /** Only visit these resources (a scoped run, e.g. `explain`); the full scan passes none. */
  filter?: ResourceFilter;
  /** Filled with what the run evaluated, to compare a scoped run with a full scan. */
  work?: EngineWork;
  /** A context built by the caller from the same inventory and filter (`explain` reads it too). */
  context?: AuditContext;
}

/**
 * The resources a scoped run visits. Unvisited roles are not even analysed (the context knows only
 * the accepted ones), so a filter must accept every role its checks look up: the roles of the
 * service accounts, associations and clusters it accepts.
 */
export interface ResourceFilter {
  /** Account-wide and coverage checks of this account. */
  account(accountId: string): boolean;
  provider(providerArn: string): boolean;
  role(roleArn: string): boolean;
  cluster(cluster: ClusterView): boolean;
  /** Service accounts, their workloads and their Pod Identity associations, in accepted clusters. */
  serviceAccount(namespace: string, name: string): boolean;
  /** Keeps a finding of a visited resource (e.g. one cluster of an account-wide check). */
  finding(finding: Finding, check: Check): boolean;
}

/** What a run evaluated: trust policies analysed and resources visited. */
export interface EngineWork {
  roles: number;
  providers: number;
  clusters: number;
  serviceAccounts: number;
  workloads: number;
}

export function emptyWork(): EngineWork {
  return { roles: 0, providers: 0, clusters: 0, serviceAccounts: 0, workloads: 0 };
}

type ChecksByKind = { [S in ResourceKind]: Extract<Check, { runsOn: S }>[] };

function groupByKind(checks: readonly Check[], only?: ReadonlySet<string>): ChecksByKind {
  const groups: ChecksByKind = {
    account: [],
    provider: [],
    cluster: [],
    role: [],
    serviceAccount: [],
    workload: [],
    association: [],
    coverage: [],
  };
  for (const check of checks) {
    if (only && !only.has(check.id)) continue;
    (groups[check.runsOn] as Check[]).push(check);
  }
  return groups;
}

export function runChecks(
  inventory: Inventory,
  checks: readonly Check[],
  options: ScanOptions = {},
): ScanResult {
  const filter = options.filter;
  const ctx =
    options.context ??
    buildContext(inventory.accounts, {
      scope: inventory.scope,
      regionFilter: inventory.regionFilter,
      ...(filter ? { role: (arn: string) => filter.role(arn) } : {}),
    });
  const groups = groupByKind(checks, options.only);
  const work = options.work ?? emptyWork();
  const findings: Finding[] = [];
  const skipped: SkippedCheck[] = [];
  const checkErrors: CheckError[] = [];
  const seen = new Set<string>();

  // Checks run as `try { emit(check, check.run(…)) } catch { fail(…) }` inline, with the resource label
  // built only on failure: no closure or label string per (resource × check), which at 600k
  // resources × 30 checks was a large share of the scan's allocations (bench/engine.ts).
  const fail = (check: Check, resourceLabel: string, error: unknown, at: FindingResource): void => {
    checkErrors.push({
      checkId: check.id,
      resource: resourceLabel,
      at,
      message: errorMessage(error),
    });
  };
  const emit = (check: Check, drafts: FindingDraft[]): void => {
    for (const draft of drafts) {
      const fingerprint = fingerprintOf(check.id, draft.resource, draft.discriminator);
      if (seen.has(fingerprint)) continue;
      seen.add(fingerprint);
      const finding: Finding = {
        checkId: check.id,
        severity: draft.severity ?? check.severity,
        title: check.title,
        message: draft.message,
        resource: draft.resource,
        ...(draft.evidence === undefined ? {} : { evidence: trimEvidence(draft.evidence) }),
        remediation: draft.remediation ?? check.remediation,
        ...commandsOf(draft, check),
        ...(check.guideStep ? { guideStep: GUIDE_STEPS[check.guideStep] } : {}),
        fingerprint,
      };
      if (!filter || filter.finding(finding, check)) findings.push(finding);
    }
  };

  for (const account of inventory.accounts) {
    const accountVisited = !filter || filter.account(account.accountId);
    for (const check of accountVisited ? groups.account : []) {
      try {
        emit(check, check.run(account, ctx));
      } catch (error) {
        fail(check, `account ${account.accountId}`, error, { accountId: account.accountId });
      }
    }
    for (const error of accountVisited ? account.errors : []) {
      for (const check of groups.coverage) {
        try {
          emit(check, check.run(error, account, ctx));
        } catch (thrown) {
          fail(check, `account ${account.accountId} ${error.scope} error`, thrown, {
            accountId: account.accountId,
          });
        }
      }
    }
    for (const provider of account.oidcProviders) {
      if (filter && !filter.provider(provider.arn)) continue;
      work.providers++;
      for (const check of groups.provider) {
        try {
          emit(check, check.run(provider, account, ctx));
        } catch (error) {
          fail(check, provider.arn, error, { accountId: account.accountId, providerArn: provider.arn });
        }
      }
    }
  }
  // A scoped context holds only the accepted roles: every one of them is visited.
  work.roles += ctx.roles.length;
  for (const role of ctx.roles) {
    for (const check of groups.role) {
      try {
        emit(check, check.run(role, ctx));
      } catch (error) {
        fail(check, role.role.arn, error, { accountId: role.accountId, roleArn: role.role.arn });
      }
    }
  }
  for (const cluster of ctx.clusters) {
    if (filter && !filter.cluster(cluster)) continue;
    work.clusters++;
    runClusterChecks(cluster, ctx, groups, emit, fail, skipped, work, filter);
  }

  findings.sort(compareFindings);
  return {
    schemaVersion: 1,
    generatedAt: inventory.generatedAt,
    summary: summarize(inventory, findings, skipped, checkErrors),
    findings,
    skipped,
    checkErrors,
  };
}

function runClusterChecks(
  cluster: ClusterView,
  ctx: AuditContext,
  groups: ChecksByKind,
  emit: (check: Check, drafts: FindingDraft[]) => void,
  fail: (check: Check, label: string, error: unknown, at: FindingResource) => void,
  skipped: SkippedCheck[],
  work: EngineWork,
  filter?: ResourceFilter,
): void {
  const visits = (namespace: string, name: string) => !filter || filter.serviceAccount(namespace, name);
  const { account, cluster: model } = cluster;
  const label = `cluster ${account.accountId}/${model.region}/${model.name}`;
  const at: FindingResource = { accountId: account.accountId, region: model.region, cluster: model.name };
  const atServiceAccount = (namespace: string, serviceAccount: string): FindingResource => ({
    ...at,
    namespace,
    serviceAccount,
  });
  // Checks whose cluster parts were not all read are skipped here, each reported once with the part.
  const runs = (check: Check): boolean => {
    if (cluster.gaps.size === 0) return true;
    for (const part of check.reads) {
      const gap = cluster.gaps.get(part);
      if (!gap) continue;
      skipped.push({
        checkId: check.id,
        accountId: account.accountId,
        region: model.region,
        cluster: model.name,
        part,
        reason: `${partLabel(part)} not read: ${gap.code}${gap.reason ? ` (${gap.reason})` : ''}`,
      });
      return false;
    }
    return true;
  };
  for (const check of groups.cluster) {
    if (!runs(check)) continue;
    try {
      emit(check, check.run(cluster, ctx));
    } catch (error) {
      fail(check, label, error, at);
    }
  }
  // Role and provider checks that read this cluster's Kubernetes data leave it out themselves
  // (ClusterView.readable): reported as skipped for it.
  if (!cluster.readable) {
    for (const check of [...groups.role, ...groups.provider]) {
      if (check.reads.includes('service-accounts')) runs(check);
    }
  }
  const associationChecks = groups.association.filter(runs);
  for (const association of model.podIdentityAssociations) {
    if (!visits(association.namespace, association.serviceAccount)) continue;
    for (const check of associationChecks) {
      try {
        emit(check, check.run(association, cluster, ctx));
      } catch (error) {
        fail(
          check,
          `${label} association ${association.namespace}/${association.serviceAccount}`,
          error,
          atServiceAccount(association.namespace, association.serviceAccount),
        );
      }
    }
  }
  const serviceAccountChecks = groups.serviceAccount.filter(runs);
  const workloadChecks = groups.workload.filter(runs);
  if (!cluster.readable) return;
  for (const serviceAccount of cluster.serviceAccounts.values()) {
    if (!visits(serviceAccount.serviceAccount.namespace, serviceAccount.serviceAccount.name)) continue;
    work.serviceAccounts++;
    for (const check of serviceAccountChecks) {
      try {
        emit(check, check.run(serviceAccount, ctx));
      } catch (error) {
        const { namespace, name } = serviceAccount.serviceAccount;
        fail(check, `${label} sa ${namespace}/${name}`, error, atServiceAccount(namespace, name));
      }
    }
  }
  if (workloadChecks.length === 0) return;
  for (const workload of ctx.workloads(cluster)) {
    if (!visits(workload.namespace, workload.serviceAccountName)) continue;
    work.workloads++;
    for (const check of workloadChecks) {
      try {
        emit(check, check.run(workload, ctx));
      } catch (error) {
        fail(check, `${label} ${workload.namespace}/${workload.workload}`, error, {
          ...at,
          namespace: workload.namespace,
          workload: workload.workload,
        });
      }
    }
  }
}

/** A thrown value's message; never throws itself (a getter, a revoked proxy). */
function errorMessage(error: unknown): string {
  try {
    const message = (error as Error)?.message;
    return typeof message === 'string' ? message : String(error);
  } catch {
    return 'unprintable error';
  }
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    a.checkId.localeCompare(b.checkId) ||
    a.resource.accountId.localeCompare(b.resource.accountId) ||
    a.fingerprint.localeCompare(b.fingerprint)
  );
}

function summarize(
  inventory: Inventory,
  findings: Finding[],
  skipped: SkippedCheck[],
  checkErrors: CheckError[],
): ScanResult['summary'] {
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<
    Severity,
    number
  >;
  const byCheck: Record<string, number> = {};
  for (const finding of findings) {
    bySeverity[finding.severity]++;
    byCheck[finding.checkId] = (byCheck[finding.checkId] ?? 0) + 1;
  }
  let clusters = 0;
  let roles = 0;
  let serviceAccounts = 0;
  let pods = 0;
  let coverageErrors = 0;
  for (const account of inventory.accounts) {
    roles += account.roles.length;
    coverageErrors += account.errors.length;
    for (const cluster of account.clusters) {
      clusters++;
      serviceAccounts += cluster.serviceAccounts.length;
      pods += cluster.pods.length;
    }
  }
  return {
    accounts: inventory.accounts.length,
    clusters,
    roles,
    serviceAccounts,
    pods,
    findings: findings.length,
    bySeverity,
    byCheck,
    coverageErrors,
    skippedChecks: skipped.length,
    checkErrors: checkErrors.length,
  };
}

/** A draft's own commands go with its own remediation; the check's generic ones with the generic text. */
function commandsOf(draft: FindingDraft, check: Check): { commands?: string[] } {
  const commands = draft.remediation === undefined ? (draft.commands ?? check.commands) : draft.commands;
  return commands && commands.length > 0 ? { commands: [...commands] } : {};
}
