import type { Account, Cluster, CoverageError } from '../core/model';
import type { AccountTarget } from './account-targets';
import { classifyAwsError } from './aws-errors';
import { readClusterKubernetes } from './cluster-kubernetes';
import { AssumeRoleError } from './credentials';
import { collectPodIdentityAssociations, describeCluster, listClusterNames } from './eks';
import { trimMessage } from './errors';
import { collectIam } from './iam';
import { defaultRegionsOf, listEnabledRegions } from './regions';
import { AccountSession, type RunContext } from './run-context';

/** An account with nothing collected yet (also what a not-scanned account looks like). */
export function emptyAccount(run: RunContext, target: AccountTarget, errors: CoverageError[] = []): Account {
  return {
    accountId: target.accountId,
    ...(target.name ? { name: target.name } : {}),
    partition: run.caller.partition,
    oidcProviders: [],
    roles: [],
    clusters: [],
    errors,
  };
}

/**
 * Collects one account (docs/collection.md). Never throws: whatever fails becomes a coverage error at the
 * narrowest scope that is true — the account (role not assumable, IAM unreadable), a region (its
 * clusters could not be listed) or a cluster (describe, Pod Identity, Kubernetes) — and everything
 * else of the account is still collected.
 */
export async function collectAccountIn(
  run: RunContext,
  target: AccountTarget,
  sequence = 0,
): Promise<Account> {
  const account = emptyAccount(run, target);
  const session = new AccountSession(run, target.accountId, sequence);
  try {
    await run.credentials.get(target.accountId, sequence);
  } catch (error) {
    account.errors.push(assumeRoleError(error));
    return account;
  }
  try {
    const [iam] = await Promise.all([collectIam(session), collectClusters(session, account)]);
    account.roles = iam.roles;
    account.oidcProviders = iam.oidcProviders;
    account.errors.push(...iam.errors);
  } catch (error) {
    // Only a bug gets here; the account is reported as incomplete rather than losing the run.
    account.errors.push({
      scope: 'account',
      parts: ['account'],
      code: 'InternalError',
      message: trimMessage(
        `collection stopped unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
      ),
    });
  }
  account.clusters.sort(byRegionThenName);
  account.errors.sort(byScope);
  return account;
}

async function collectClusters(session: AccountSession, account: Account): Promise<void> {
  const regions = await regionsOf(session, account.errors);
  // Which regions were asked for: with the region list unread, coverage takes only these as listed.
  account.regions = [...regions].sort();
  await Promise.all(
    regions.map(async (region) => {
      let names: string[];
      try {
        names = await listClusterNames(session, region);
      } catch (error) {
        const failure = classifyAwsError(error);
        account.errors.push({
          scope: 'region',
          region,
          parts: ['cluster-list'],
          code: failure.code,
          message: `EKS clusters could not be listed (eks:ListClusters): ${failure.message}`,
        });
        session.run.progress('region-finished', { accountId: session.accountId, region });
        return;
      }
      await Promise.all(names.map((name) => collectCluster(session, region, name, account)));
      session.run.progress('region-finished', { accountId: session.accountId, region });
    }),
  );
}

async function collectCluster(
  session: AccountSession,
  region: string,
  name: string,
  account: Account,
): Promise<void> {
  const errors: CoverageError[] = [];
  const described = await describeCluster(session, region, name, errors);
  if (described) {
    const [associations] = await Promise.all([
      collectPodIdentityAssociations(session, region, name, errors),
      readClusterKubernetes(session, described, errors),
    ]);
    described.cluster.podIdentityAssociations = associations;
    account.clusters.push(described.cluster);
    session.run.snapshot.clusters++;
  }
  account.errors.push(...errors);
}

/** Configured regions, else the account's enabled ones; the partition defaults if those cannot be listed. */
async function regionsOf(session: AccountSession, errors: CoverageError[]): Promise<string[]> {
  const configured = session.run.options.regions;
  if (configured) return configured;
  try {
    return await listEnabledRegions(session);
  } catch (error) {
    const failure = classifyAwsError(error);
    const fallback = defaultRegionsOf(session.run.caller.partition);
    // Account scope: which opt-in regions exist is unknown, so nothing of this account may be
    // considered resolved on the strength of this run.
    errors.push({
      scope: 'account',
      parts: ['region-list'],
      code: 'RegionListFailed',
      message:
        `The account's enabled regions could not be listed (account:ListRegions): ${failure.message}. ` +
        `Only the ${fallback.length} regions enabled by default were scanned; opt-in regions were not.`,
    });
    return fallback;
  }
}

function assumeRoleError(error: unknown): CoverageError {
  if (error instanceof AssumeRoleError) {
    return {
      scope: 'account',
      parts: ['account'],
      code: error.code,
      message:
        `${trimMessage(error.message)}. Deploy the member role to this account (the StackSet) or check that ` +
        'its trust policy admits the audit role (and the external id, if one is set).',
    };
  }
  const failure = classifyAwsError(error);
  return {
    scope: 'account',
    parts: ['account'],
    code: failure.code,
    message: `The account's credentials failed: ${failure.message}`,
  };
}

function byRegionThenName(a: Cluster, b: Cluster): number {
  return a.region === b.region ? compare(a.name, b.name) : compare(a.region, b.region);
}

const SCOPE_ORDER = { account: 0, region: 1, cluster: 2 } as const;

/** Account errors first, then regions, then clusters: the same inventory always lists them the same way. */
function byScope(a: CoverageError, b: CoverageError): number {
  return (
    SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope] ||
    compare(a.region ?? '', b.region ?? '') ||
    compare(a.cluster ?? '', b.cluster ?? '') ||
    compare(a.code, b.code) ||
    compare(a.message, b.message)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
