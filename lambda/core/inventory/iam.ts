/**
 * IAM parts of an account: OIDC providers and roles, in our shape or as the AWS CLI / SDK return them
 * (`get-open-id-connect-provider`, `get-account-authorization-details` `RoleDetailList`, `list-roles`).
 * Trust policies are decoded (`./trust-policy.ts`) once, here; one that cannot be decoded is kept as
 * unparsable with a warning, because a broken trust policy is a finding, not a load error. The live
 * collector converts SDK responses with the same functions (`./api-objects.ts`).
 */
import { parseProviderArn, parseRoleArn, stripScheme } from '../arn';
import type { OidcProvider, Role, TrustPolicy } from '../model';
import { isObject, type JsonObject, optionalString, optionalStringArray, optionalTimestamp } from './fields';
import type { Issues } from './issues';
import { decodeTrustPolicy, trustPolicyOfValue } from './trust-policy';

const ROLE_ARN_EXPECTED = 'an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<path/><name>)';
const PROVIDER_ARN_EXPECTED =
  'an IAM OIDC provider ARN (arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer without https://>)';

/** Shared per parse: identical trust-policy strings (common with generators) are decoded once. */
export type TrustPolicyCache = Map<string, TrustPolicy>;

/**
 * The trust policy as the model keeps it (`TrustPolicy`). Strings are decoded (cached by text, so roles
 * with byte-identical documents share one document object); an undecodable one is kept with its reason.
 */
function normalizeTrustPolicy(
  value: unknown,
  key: string,
  roleArn: string | undefined,
  issues: Issues,
  cache: TrustPolicyCache,
): TrustPolicy {
  if (value === undefined || value === null) {
    issues.expected(
      'the trust policy (an object, or the JSON / URL-encoded JSON string IAM returns)',
      value,
      key,
    );
    return { kind: 'unparsable', reason: 'the role has no trust policy' };
  }
  let trust: TrustPolicy | undefined;
  if (typeof value === 'string') {
    trust = cache.get(value);
    if (trust === undefined) {
      trust = decodeTrustPolicy(value);
      cache.set(value, trust);
    }
  } else trust = trustPolicyOfValue(value);
  // A snapshot keeps an undecodable document as `{unparsable}`: say so again on every load.
  if (trust.kind === 'unparsable') {
    const who = roleArn ? ` of ${roleArn}` : '';
    issues.warn(
      `the trust policy${who} could not be parsed (${trust.reason}); kept as {"unparsable"} for the checks`,
      key,
    );
  }
  return trust;
}

function checkRoleArn(
  value: unknown,
  key: string,
  accountId: string | undefined,
  issues: Issues,
): string | undefined {
  const parts = typeof value === 'string' ? parseRoleArn(value) : undefined;
  if (parts) {
    if (accountId !== undefined && parts.accountId !== accountId) {
      issues.warn(
        `role ${value} is listed under account ${accountId} but its ARN names another account`,
        key,
      );
    }
    return value as string;
  }
  issues.expected(ROLE_ARN_EXPECTED, value, key);
  return undefined;
}

/** Our shape, validated in place. */
function ownRole(
  raw: JsonObject,
  accountId: string | undefined,
  issues: Issues,
  cache: TrustPolicyCache,
): Role {
  const arn = checkRoleArn(raw.arn, 'arn', accountId, issues);
  raw.trustPolicy = normalizeTrustPolicy(raw.trustPolicy, 'trustPolicy', arn, issues, cache);
  raw.attachedPolicyArns = optionalStringArray(raw, 'attachedPolicyArns', issues);
  raw.inlinePolicyNames = optionalStringArray(raw, 'inlinePolicyNames', issues);
  const lastUsed = raw.lastUsed;
  if (lastUsed !== undefined && lastUsed !== null && typeof lastUsed !== 'string') {
    issues.expected('a date-time string or null', lastUsed, 'lastUsed');
  }
  return raw as unknown as Role;
}

/** An IAM `RoleDetailList` (or `list-roles` `Roles`) entry, converted. */
export function iamRole(
  raw: JsonObject,
  accountId: string | undefined,
  issues: Issues,
  cache: TrustPolicyCache,
): Role {
  const arn = checkRoleArn(raw.Arn, 'Arn', accountId, issues) ?? '';
  const trustPolicy = normalizeTrustPolicy(
    raw.AssumeRolePolicyDocument,
    'AssumeRolePolicyDocument',
    arn,
    issues,
    cache,
  );
  const attachedPolicyArns = listOfField(raw, 'AttachedManagedPolicies', 'PolicyArn', issues);
  const inlinePolicyNames = listOfField(raw, 'RolePolicyList', 'PolicyName', issues);
  let lastUsed: string | null | undefined;
  const roleLastUsed = raw.RoleLastUsed;
  if (isObject(roleLastUsed)) {
    // IAM returns `{}` for a role not used in the tracking period.
    issues.path.push('RoleLastUsed');
    lastUsed = optionalTimestamp(roleLastUsed, 'LastUsedDate', issues) ?? null;
    issues.path.pop();
  } else if (roleLastUsed !== undefined && roleLastUsed !== null) {
    issues.expected('an object ({"LastUsedDate": …} or {})', roleLastUsed, 'RoleLastUsed');
  }
  // Fields the input did not give stay absent (not `undefined`): a snapshot writes no such keys.
  const role: Role = { arn, trustPolicy };
  if (attachedPolicyArns !== undefined) role.attachedPolicyArns = attachedPolicyArns;
  if (inlinePolicyNames !== undefined) role.inlinePolicyNames = inlinePolicyNames;
  if (lastUsed !== undefined) role.lastUsed = lastUsed;
  return role;
}

/** `[{PolicyArn}]` → `[arn]`; undefined when the field is absent (the input did not say). */
function listOfField(raw: JsonObject, key: string, field: string, issues: Issues): string[] | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    issues.expected(`an array of {"${field}": …} objects`, value, key);
    return undefined;
  }
  const out: string[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const entry = value[i];
    const text = isObject(entry) ? entry[field] : undefined;
    if (typeof text === 'string') out[i] = text;
    else issues.expected(`an object with a string "${field}"`, isObject(entry) ? text : entry, [key, i]);
  }
  return out;
}

/**
 * `roles`: an array of our roles and/or IAM role entries, or a whole `get-account-authorization-details`
 * (`{RoleDetailList}`) or `list-roles` (`{Roles}`) output. Converted entries replace the raw ones in the
 * same array (no copy of large arrays).
 */
export function parseRoles(
  value: unknown,
  accountId: string | undefined,
  issues: Issues,
  cache: TrustPolicyCache,
): Role[] {
  if (value === undefined || value === null) return [];
  let list: unknown[];
  let wrapper: string | undefined;
  if (Array.isArray(value)) list = value;
  else if (isObject(value) && Array.isArray(value.RoleDetailList)) {
    list = value.RoleDetailList;
    wrapper = 'RoleDetailList';
  } else if (isObject(value) && Array.isArray(value.Roles)) {
    list = value.Roles;
    wrapper = 'Roles';
  } else {
    issues.expected(
      'an array of roles, or the output of `aws iam get-account-authorization-details` ({"RoleDetailList": […]})',
      value,
    );
    return [];
  }
  const path = issues.path;
  if (wrapper) path.push(wrapper);
  const depth = path.length;
  path.push(0);
  for (let i = 0; i < list.length; i++) {
    path[depth] = i;
    const raw = list[i];
    if (!isObject(raw)) {
      issues.expected('a role object', raw);
      continue;
    }
    if (raw.arn === undefined && raw.Arn !== undefined) list[i] = iamRole(raw, accountId, issues, cache);
    else ownRole(raw, accountId, issues, cache);
  }
  path.length = wrapper ? depth - 1 : depth;
  return list as Role[];
}

function checkProviderArn(value: string, key: string, accountId: string | undefined, issues: Issues) {
  const parts = parseProviderArn(value);
  if (!parts) {
    issues.expected(PROVIDER_ARN_EXPECTED, value, key);
    return undefined;
  }
  if (accountId !== undefined && parts.accountId !== accountId) {
    issues.warn(
      `OIDC provider ${value} is listed under account ${accountId} but its ARN names another account`,
      key,
    );
  }
  return parts;
}

/**
 * One OIDC provider: `{arn, url, clientIds}`, or the `get-open-id-connect-provider` output
 * (`{Url, ClientIDList}`, plus `Arn` if you add it; otherwise the ARN is built from the account, the
 * partition and the URL, exactly as IAM builds it).
 */
export function parseProvider(
  raw: JsonObject,
  accountId: string | undefined,
  partition: () => string,
  issues: Issues,
): OidcProvider | undefined {
  const iamShape = raw.arn === undefined && raw.url === undefined && raw.clientIds === undefined;
  const arnKey = iamShape ? 'Arn' : 'arn';
  const urlKey = iamShape ? 'Url' : 'url';
  const clientIdsKey = iamShape ? 'ClientIDList' : 'clientIds';
  let arn = optionalString(raw, arnKey, issues, PROVIDER_ARN_EXPECTED);
  let url = optionalString(raw, urlKey, issues, 'the issuer URL without scheme');
  const clientIds = raw[clientIdsKey];
  if (url !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const stripped = stripScheme(url);
    if (stripped !== url)
      issues.warn(`removed the scheme from the provider URL: IAM stores "${stripped}"`, urlKey);
    url = stripped;
  }
  if (arn !== undefined) {
    const parts = checkProviderArn(arn, arnKey, accountId, issues);
    if (parts && url === undefined) url = parts.issuer;
    else if (parts && url !== parts.issuer) {
      issues.warn(`the provider URL "${url}" differs from the issuer in its ARN "${parts.issuer}"`, urlKey);
    }
  } else if (url !== undefined && url.length > 0 && accountId !== undefined) {
    arn = `arn:${partition()}:iam::${accountId}:oidc-provider/${url}`;
  } else if (url === undefined && (raw[arnKey] === undefined || raw[arnKey] === null)) {
    issues.expected(`${PROVIDER_ARN_EXPECTED} (or "${urlKey}")`, raw[arnKey], arnKey);
  }
  if (url !== undefined && url.length === 0) issues.expected('the issuer URL without scheme', url, urlKey);
  if (!Array.isArray(clientIds)) {
    issues.expected(
      'an array of client ids (audiences, e.g. ["sts.amazonaws.com"])',
      clientIds,
      clientIdsKey,
      clientIds === undefined ? 'get them with `aws iam get-open-id-connect-provider`' : undefined,
    );
  } else {
    for (let i = 0; i < clientIds.length; i++) {
      if (typeof clientIds[i] !== 'string') issues.expected('a string', clientIds[i], [clientIdsKey, i]);
    }
  }
  if (arn === undefined || url === undefined || !Array.isArray(clientIds)) return undefined;
  if (iamShape) return { arn, url, clientIds: clientIds as string[] };
  raw.arn = arn;
  raw.url = url;
  return raw as unknown as OidcProvider;
}

export function parseProviders(
  value: unknown,
  accountId: string | undefined,
  partition: () => string,
  issues: Issues,
): OidcProvider[] {
  if (value === undefined || value === null) return [];
  if (isObject(value) && Array.isArray(value.OpenIDConnectProviderList)) {
    issues.problem(
      'expected an array of providers with their client ids, got the output of ' +
        '`aws iam list-open-id-connect-providers` (ARNs only) — use `aws iam get-open-id-connect-provider` ' +
        'for each ARN (see docs/inventory.md)',
    );
    return [];
  }
  if (!Array.isArray(value)) {
    issues.expected('an array of OIDC providers', value);
    return [];
  }
  const path = issues.path;
  const depth = path.length;
  path.push(0);
  for (let i = 0; i < value.length; i++) {
    path[depth] = i;
    const raw = value[i];
    if (!isObject(raw)) {
      issues.expected('an OIDC provider object', raw);
      continue;
    }
    const provider = parseProvider(raw, accountId, partition, issues);
    if (provider) value[i] = provider;
  }
  path.length = depth;
  return value as OidcProvider[];
}
