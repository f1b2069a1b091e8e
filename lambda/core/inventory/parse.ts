/**
 * The inventory parser (docs/inventory.md): validates a parsed JSON document and normalises it into the
 * model the engine reads. Raw AWS CLI / SDK and kubectl shapes are converted by this folder, once, for
 * files and for the live collectors (`./api-objects.ts`); documents already in our shape are validated
 * in place and their objects and arrays reused (the engine benchmark loads hundreds of thousands of
 * roles and pods, so validation must cost far less than `JSON.parse`).
 *
 * The parser takes ownership of `document`: it may mutate it. Bad input throws `InventoryError`
 * (`InventoryInvalid`) listing up to `MAX_INVENTORY_PROBLEMS` problems, each with its JSON path and
 * what was expected; nothing else is ever thrown.
 */

import { partitionOfArn, partitionOfRegion } from '../arn';
import { ACCOUNT_ID_RE } from '../aws-ids';
import {
  type Account,
  type CoverageError,
  INVENTORY_SCHEMA_VERSION,
  type Inventory,
  type InventoryScope,
  PARTS,
} from '../model';
import { parseClusters } from './eks';
import { InventoryError } from './errors';
import { isObject, type JsonObject, optionalString, requiredString } from './fields';
import { parseProviders, parseRoles, type TrustPolicyCache } from './iam';
import { Issues } from './issues';

export interface ParseInventoryResult {
  inventory: Inventory;
  /** Human-readable, each prefixed with the source and JSON path. */
  warnings: string[];
}

/**
 * The fields of our own shape that the parser reads, required or not. The JSON Schema
 * (`schema/inventory.schema.json`) must agree; a test compares them.
 */
export const INVENTORY_FIELDS = {
  inventory: { required: ['schemaVersion', 'accounts'], optional: ['generatedAt', 'scope', 'regionFilter'] },
  account: {
    required: ['accountId'],
    optional: ['name', 'partition', 'oidcProviders', 'roles', 'clusters', 'regions', 'errors'],
  },
  role: {
    required: ['arn', 'trustPolicy'],
    optional: ['attachedPolicyArns', 'inlinePolicyNames', 'lastUsed'],
  },
  cluster: {
    required: ['name', 'region'],
    optional: ['arn', 'oidcIssuer', 'podIdentityAssociations', 'kubernetes', 'serviceAccounts', 'pods'],
  },
} as const;

const PARTITION_RE = /^aws(?:-[a-z0-9]+)*$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})$/;
const SCOPES = ['account', 'region', 'cluster'];
const INVENTORY_SCOPES: readonly InventoryScope[] = ['organization', 'selection'];

export function parseInventory(document: unknown, source: string): ParseInventoryResult {
  const issues = new Issues(source);
  let inventory: Inventory | undefined;
  try {
    inventory = parseDocument(document, issues);
  } catch (error) {
    if (error instanceof InventoryError) throw error;
    // Not reachable with JSON.parse output; guards exotic objects (getters, proxies) and our own bugs.
    const reason = error instanceof Error ? error.message : String(error);
    throw new InventoryError('InventoryInvalid', `${source}: the inventory could not be read (${reason})`, {
      source,
      cause: error,
    });
  }
  issues.throwIfProblems();
  return { inventory: inventory!, warnings: issues.warningList() };
}

function parseDocument(document: unknown, issues: Issues): Inventory | undefined {
  if (!isObject(document)) {
    issues.expected('a JSON object {"schemaVersion": 1, "accounts": […]}', document);
    return undefined;
  }
  checkSchemaVersion(document.schemaVersion, issues);
  let generatedAt: string | undefined;
  if (document.generatedAt !== undefined && document.generatedAt !== null) {
    const value = document.generatedAt;
    if (typeof value === 'string' && DATE_TIME_RE.test(value)) generatedAt = value;
    else issues.expected('an ISO 8601 date-time such as "2026-11-29T03:00:00Z"', value, 'generatedAt');
  }
  let scope: InventoryScope | undefined;
  if (document.scope !== undefined && document.scope !== null) {
    if (INVENTORY_SCOPES.includes(document.scope as InventoryScope)) scope = document.scope as InventoryScope;
    else issues.expected('"organization" or "selection"', document.scope, 'scope');
  }
  issues.path.push('regionFilter');
  const regionFilter = parseRegions(document.regionFilter, issues);
  issues.path.pop();
  const accounts = document.accounts;
  if (!Array.isArray(accounts)) {
    issues.expected('an array of accounts', accounts, 'accounts');
    return undefined;
  }
  const cache: TrustPolicyCache = new Map();
  const seen = new Map<string, number>();
  const path = issues.path;
  path.push('accounts', 0);
  for (let i = 0; i < accounts.length; i++) {
    path[1] = i;
    const raw = accounts[i];
    if (!isObject(raw)) {
      issues.expected('an account object', raw);
      continue;
    }
    const account = parseAccount(raw, issues, cache);
    if (account.accountId !== '') {
      const first = seen.get(account.accountId);
      if (first !== undefined) {
        issues.problem(
          `account ${account.accountId} is listed twice (also at $.accounts[${first}]): merge them`,
        );
      } else seen.set(account.accountId, i);
    }
  }
  path.length = 0;
  return {
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    ...(generatedAt === undefined ? {} : { generatedAt }),
    ...(scope === undefined ? {} : { scope }),
    ...(regionFilter === undefined ? {} : { regionFilter }),
    accounts: accounts as Account[],
  };
}

function checkSchemaVersion(value: unknown, issues: Issues): void {
  if (value === INVENTORY_SCHEMA_VERSION) return;
  if (typeof value === 'number') {
    const newer = value > INVENTORY_SCHEMA_VERSION;
    issues.problem(
      `expected ${INVENTORY_SCHEMA_VERSION}, got the number ${value}: this irsa-audit reads inventory ` +
        `schemaVersion ${INVENTORY_SCHEMA_VERSION} only` +
        (newer ? ' (the file was written by a newer irsa-audit: upgrade)' : ''),
      'schemaVersion',
    );
    // Another version's fields would only produce noise: stop here.
    throw issues.failure(false);
  }
  issues.expected(`the number ${INVENTORY_SCHEMA_VERSION}`, value, 'schemaVersion');
}

function parseAccount(raw: JsonObject, issues: Issues, cache: TrustPolicyCache): Account {
  const accountId = checkAccountId(raw.accountId, issues);
  raw.accountId = accountId ?? '';
  if (raw.name !== undefined) raw.name = optionalString(raw, 'name', issues);
  if (raw.partition !== undefined && raw.partition !== null) {
    if (typeof raw.partition !== 'string' || !PARTITION_RE.test(raw.partition)) {
      issues.expected('an AWS partition such as "aws", "aws-cn" or "aws-us-gov"', raw.partition, 'partition');
    }
  } else if (raw.partition === null) raw.partition = undefined;

  const path = issues.path;
  const partition = (): string => partitionHint(raw);
  path.push('oidcProviders');
  raw.oidcProviders = parseProviders(raw.oidcProviders, accountId, partition, issues);
  path[path.length - 1] = 'roles';
  raw.roles = parseRoles(raw.roles, accountId, issues, cache);
  path[path.length - 1] = 'clusters';
  raw.clusters = parseClusters(raw.clusters, issues);
  path[path.length - 1] = 'regions';
  const regions = parseRegions(raw.regions, issues);
  if (regions === undefined) delete raw.regions;
  else raw.regions = regions;
  path[path.length - 1] = 'errors';
  raw.errors = parseCoverageErrors(raw.errors, issues);
  path.pop();
  return raw as unknown as Account;
}

function checkAccountId(value: unknown, issues: Issues): string | undefined {
  if (typeof value === 'string' && ACCOUNT_ID_RE.test(value)) return value;
  let hint: string | undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 1e12) {
    const quoted = String(value).padStart(12, '0');
    hint =
      String(value).length === 12
        ? `write it as a string: "${quoted}"`
        : `write it as a string; JSON numbers drop leading zeros, so it is probably "${quoted}"`;
  }
  issues.expected('a 12-digit string', value, 'accountId', hint);
  return undefined;
}

/** For ARNs built from a provider URL: the account's partition, else its ARNs' or regions' partition. */
function partitionHint(raw: JsonObject): string {
  if (typeof raw.partition === 'string') return raw.partition;
  const roles = isObject(raw.roles) ? (raw.roles.RoleDetailList ?? raw.roles.Roles) : raw.roles;
  if (Array.isArray(roles) && roles.length > 0 && isObject(roles[0])) {
    const arn = roles[0].arn ?? roles[0].Arn;
    const partition = typeof arn === 'string' ? partitionOfArn(arn) : undefined;
    if (partition) return partition;
  }
  if (Array.isArray(raw.clusters) && raw.clusters.length > 0 && isObject(raw.clusters[0])) {
    const region = raw.clusters[0].region;
    if (typeof region === 'string') return partitionOfRegion(region);
  }
  return 'aws';
}

function parseRegions(value: unknown, issues: Issues): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((region) => typeof region === 'string')) {
    issues.expected('an array of region names', value);
    return undefined;
  }
  return value as string[];
}

function parseCoverageErrors(value: unknown, issues: Issues): CoverageError[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    issues.expected('an array of coverage errors', value);
    return [];
  }
  const path = issues.path;
  const depth = path.length;
  path.push(0);
  for (let i = 0; i < value.length; i++) {
    path[depth] = i;
    const raw = value[i];
    if (!isObject(raw)) {
      issues.expected('an object {"scope", "code", "message", "region"?, "cluster"?}', raw);
      continue;
    }
    const scope = raw.scope;
    if (typeof scope !== 'string' || !SCOPES.includes(scope)) {
      issues.expected('"account", "region" or "cluster"', scope, 'scope');
    }
    if (raw.region === null) raw.region = undefined;
    if (raw.cluster === null) raw.cluster = undefined;
    if (scope === 'region' || scope === 'cluster') requiredString(raw, 'region', issues, 'the region');
    else if (raw.region !== undefined) optionalString(raw, 'region', issues);
    if (scope === 'cluster') requiredString(raw, 'cluster', issues, 'the cluster name');
    else if (raw.cluster !== undefined) optionalString(raw, 'cluster', issues);
    if (raw.parts === null) raw.parts = undefined;
    if (
      raw.parts !== undefined &&
      (!Array.isArray(raw.parts) || !raw.parts.every((part) => PARTS.includes(part as never)))
    ) {
      issues.expected(`an array of parts (${PARTS.join(', ')})`, raw.parts, 'parts');
    }
    requiredString(raw, 'code', issues, 'an error code such as "AccessDenied"');
    if (typeof raw.message !== 'string') issues.expected('a string', raw.message, 'message');
  }
  path.length = depth;
  return value as CoverageError[];
}
