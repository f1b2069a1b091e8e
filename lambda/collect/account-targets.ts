import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type Account as OrganizationsAccount,
} from '@aws-sdk/client-organizations';
import { classifyAwsError } from './aws-errors';
import { globalRegionOf } from './clients';
import { CollectError, OrganizationsAccessError, PaginationError } from './errors';
import { forEachPage } from './paginate';
import type { RunContext } from './run-context';

/** An account to audit, with its Organizations name when known. */
export interface AccountTarget {
  accountId: string;
  name?: string;
}

/** The organization's listing comes before any account's calls. */
const RUN_LEVEL = { priority: -1 };

/** Organizations caps these list calls at 20 per page. */
const ORGANIZATIONS_PAGE = 20;

/**
 * Which accounts the run audits (docs/collection.md; settings in docs/deployment.md), as a stream so collection starts with the
 * first page of the organization instead of waiting for the last:
 * - `accounts` and/or `ous` given: their union (OUs expanded recursively, ACTIVE accounts only);
 * - neither: every ACTIVE account of the organization (`ListAccounts`, every page);
 * - then `excludeAccounts` and the accounts under `excludeOus` are removed (listed first).
 * An organization not in use means a standalone account: the caller's own. A caller that may not list
 * the organization gets `OrganizationsAccessError` (there is nothing sensible to audit).
 */
export async function* accountTargets(run: RunContext): AsyncGenerator<AccountTarget> {
  const { options } = run;
  const excluded = new Set(options.excludeAccounts ?? []);
  const seen = new Set<string>();
  const admit = (target: AccountTarget) => {
    if (excluded.has(target.accountId) || seen.has(target.accountId)) return false;
    seen.add(target.accountId);
    return true;
  };
  try {
    for (const account of await accountsUnder(run, options.excludeOus ?? [])) excluded.add(account.accountId);
    if (options.accounts || options.ous) {
      const named = new Map<string, AccountTarget>();
      for (const account of await accountsUnder(run, options.ous ?? []))
        named.set(account.accountId, account);
      for (const accountId of options.accounts ?? []) {
        const target = named.get(accountId) ?? { accountId };
        if (admit(target)) yield target;
      }
      for (const target of named.values()) if (admit(target)) yield target;
      return;
    }
    for await (const page of activeAccountPages(run)) {
      for (const target of page) if (admit(target)) yield target;
    }
  } catch (error) {
    if (error instanceof CollectError) throw error;
    const name = (error as { name?: string }).name;
    if (
      name === 'AWSOrganizationsNotInUseException' &&
      !options.ous &&
      !options.excludeOus &&
      seen.size === 0
    ) {
      // A standalone account: audit the caller's own.
      if (admit({ accountId: run.caller.accountId })) yield { accountId: run.caller.accountId };
      return;
    }
    const failure = classifyAwsError(error);
    if (failure.kind === 'denied' || name === 'AWSOrganizationsNotInUseException') {
      throw new OrganizationsAccessError(failure.message, { cause: error });
    }
    throw new CollectError(
      'AccountListFailed',
      `Listing the organization's accounts failed: ${failure.message}`,
      {
        cause: error,
      },
    );
  }
}

/** Every account the run would audit, listed to the end. */
export async function resolveAccountTargets(run: RunContext): Promise<AccountTarget[]> {
  const targets: AccountTarget[] = [];
  for await (const target of accountTargets(run)) targets.push(target);
  return targets;
}

async function* activeAccountPages(run: RunContext): AsyncGenerator<AccountTarget[]> {
  const organizations = run.callerClient('organizations', globalRegionOf(run.caller.partition));
  const tokens = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await run.api.call(
      'organizations:ListAccounts',
      () => organizations.send(new ListAccountsCommand({ MaxResults: ORGANIZATIONS_PAGE, NextToken })),
      RUN_LEVEL,
    );
    const accounts: AccountTarget[] = [];
    collectActive(page.Accounts, accounts);
    yield accounts;
    NextToken = page.NextToken || undefined;
    if (NextToken !== undefined) {
      if (tokens.has(NextToken))
        throw new PaginationError('organizations:ListAccounts', 'the same page token twice');
      tokens.add(NextToken);
    }
  } while (NextToken !== undefined);
}

/** ACTIVE accounts under the given OUs or roots, at any depth (breadth-first, one level at a time). */
async function accountsUnder(run: RunContext, parents: readonly string[]): Promise<AccountTarget[]> {
  if (parents.length === 0) return [];
  const organizations = run.callerClient('organizations', globalRegionOf(run.caller.partition));
  const accounts: AccountTarget[] = [];
  const visited = new Set<string>();
  let level = [...parents];
  while (level.length > 0) {
    const children: string[] = [];
    await Promise.all(
      level
        .filter((parent) => !visited.has(parent) && visited.add(parent))
        .map(async (ParentId) => {
          await forEachPage(
            'organizations:ListAccountsForParent',
            (NextToken) =>
              run.api.call(
                'organizations:ListAccountsForParent',
                () =>
                  organizations.send(
                    new ListAccountsForParentCommand({ ParentId, MaxResults: ORGANIZATIONS_PAGE, NextToken }),
                  ),
                RUN_LEVEL,
              ),
            (page) => page.NextToken,
            (page) => collectActive(page.Accounts, accounts),
          );
          await forEachPage(
            'organizations:ListOrganizationalUnitsForParent',
            (NextToken) =>
              run.api.call(
                'organizations:ListOrganizationalUnitsForParent',
                () =>
                  organizations.send(
                    new ListOrganizationalUnitsForParentCommand({
                      ParentId,
                      MaxResults: ORGANIZATIONS_PAGE,
                      NextToken,
                    }),
                  ),
                RUN_LEVEL,
              ),
            (page) => page.NextToken,
            (page) => {
              for (const unit of page.OrganizationalUnits ?? []) if (unit.Id) children.push(unit.Id);
            },
          );
        }),
    );
    level = children;
  }
  return accounts;
}

function collectActive(page: OrganizationsAccount[] | undefined, into: AccountTarget[]): void {
  for (const account of page ?? []) {
    // `State` replaces the deprecated `Status`; either says ACTIVE for an account that can be audited.
    const state = account.State ?? account.Status;
    if (!account.Id || state !== 'ACTIVE') continue;
    into.push(account.Name ? { accountId: account.Id, name: account.Name } : { accountId: account.Id });
  }
}
