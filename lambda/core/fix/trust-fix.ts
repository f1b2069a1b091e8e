/**
 * The complete new trust policy that fixes a trust finding (docs/output.md "Fix commands").
 * `update-assume-role-policy` replaces the whole document, so a fix is never a fragment: it is the
 * role's current policy with every statement kept in its order, and only the statement the finding
 * names repaired — provider, condition keys and audience corrected, a wrong subject replaced rather
 * than added to. Pure: the caller reads the inventory and writes the file.
 */
import { parseProviderArn, providerArnFor, sameClusterOtherHostFamily, stripScheme } from '../arn';
import { dependsOnIrsa, intendedIssuer, trustFileName } from '../checks/helpers';
import { irsaTrustProblem } from '../checks/sa.role-untrusted';
import type { AuditContext, RoleView, ServiceAccountView } from '../context';
import { buildContext } from '../context';
import { AuditorError } from '../errors';
import type { Finding } from '../findings';
import type { Inventory, JsonObject } from '../model';
import { ANNOTATION_AUDIENCE, DEFAULT_AUDIENCE, POD_IDENTITY_SERVICE, WEB_IDENTITY_ACTION } from '../model';
import { actionMatches } from '../policy/normalize';

/** Checks whose fix is a new trust policy for the finding's role. */
export const TRUST_FIX_CHECKS: readonly string[] = Object.freeze([
  'sa.role-untrusted',
  'trust.sub-unrestricted',
  'trust.sub-wildcard-broad',
  'trust.sub-conflicting',
  'trust.action-mismatch',
  'trust.aud-mismatch',
  'trust.aud-missing',
  'trust.condition-key-foreign',
  'trust.stringequals-wildcard',
  'trust.principal-malformed',
  'trust.principal-other-account',
  'trust.provider-missing',
  'podidentity.trust-missing',
]);

/** An OIDC provider the fixed statement names and the role's account does not have yet. */
export interface ProviderToCreate {
  accountId: string;
  /** Issuer without scheme. */
  issuer: string;
  clientIds: string[];
}

export interface TrustFixPlan {
  roleArn: string;
  /** `<role name>.trust.json`, the file the finding's command reads. */
  fileName: string;
  /** The role's complete new trust policy. */
  document: JsonObject;
  /** What changed, one sentence each. */
  changes: string[];
  /** Providers to create before the new policy can work (the finding's commands create them). */
  providers: ProviderToCreate[];
}

function unavailable(message: string): AuditorError {
  return new AuditorError('TrustFixUnavailable', message);
}

/** The new trust policy for a finding of `inventory`; throws TrustFixUnavailable when there is none. */
export function planTrustFix(finding: Finding, inventory: Inventory): TrustFixPlan {
  if (!TRUST_FIX_CHECKS.includes(finding.checkId)) {
    throw unavailable(
      `${finding.checkId} is not fixed by a new trust policy; its remediation says what to do (trust fixes: ${TRUST_FIX_CHECKS.join(', ')})`,
    );
  }
  const roleArn = finding.resource.roleArn;
  const ctx = buildContext(inventory.accounts);
  const role = roleArn ? ctx.rolesByArn.get(roleArn) : undefined;
  if (!roleArn || !role) throw unavailable(`role ${roleArn ?? '(none)'} is not in the inventory`);
  if (role.role.trustPolicy.kind !== 'parsed') {
    throw unavailable(`the trust policy of ${roleArn} could not be parsed (${role.role.trustPolicy.reason})`);
  }
  const document = structuredClone(role.role.trustPolicy.document);
  const editor = new StatementList(document);
  const plan: TrustFixPlan = {
    roleArn,
    fileName: trustFileName(roleArn),
    document,
    changes: [],
    providers: [],
  };

  if (finding.checkId === 'podidentity.trust-missing') {
    addPodIdentityTrust(editor, plan);
  } else if (finding.checkId === 'sa.role-untrusted') {
    const sa = findServiceAccount(ctx, finding);
    if (!sa?.cluster.issuer)
      throw unavailable('the service account or its cluster issuer is not in the inventory');
    const issuer = sa.cluster.issuer;
    const deny = denyingStatement(sa, ctx);
    if (deny !== undefined) {
      throw unavailable(
        `statement ${deny}, a Deny, excludes ${sa.subject}: narrow or remove it by hand if the exclusion is not intended`,
      );
    }
    const index = statementFor(role, issuer, ctx, editor);
    repairStatement(editor, index, issuer, role, ctx, plan, { restrict: false, include: [sa] });
  } else {
    const index = finding.resource.statement;
    if (index === undefined || !editor.at(index))
      throw unavailable('the finding names no statement of the role');
    const issuer = intendedIssuer(role, index, ctx);
    if (!issuer) {
      throw unavailable(
        `statement ${index} of ${roleArn}: which cluster issuer it is meant for cannot be told (no annotated service account of the role needs one); point Principal.Federated and the condition keys at the cluster's issuer by hand`,
      );
    }
    const restrict =
      finding.checkId === 'trust.sub-unrestricted' || finding.checkId === 'trust.sub-wildcard-broad';
    repairStatement(editor, index, issuer, role, ctx, plan, { restrict, include: [] });
  }
  editor.write();
  return plan;
}

/** The finding of a scan by fingerprint (for `irsa-audit fix`). */
export function findingByFingerprint(findings: readonly Finding[], fingerprint: string): Finding | undefined {
  return findings.find((finding) => finding.fingerprint === fingerprint);
}

/** The statements of a document, edited in place and written back in the document's own shape. */
class StatementList {
  readonly statements: JsonObject[];
  private readonly single: boolean;
  constructor(private readonly document: JsonObject) {
    const raw = document.Statement;
    this.single = !Array.isArray(raw);
    const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    if (!list.every(isObject)) throw unavailable('the trust policy has a statement that is not an object');
    this.statements = list as JsonObject[];
  }
  at(index: number): JsonObject | undefined {
    return this.statements[index];
  }
  append(statement: JsonObject): number {
    this.statements.push(statement);
    return this.statements.length - 1;
  }
  write(): void {
    this.document.Statement =
      this.single && this.statements.length === 1 ? this.statements[0] : this.statements;
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

function findServiceAccount(ctx: AuditContext, finding: Finding): ServiceAccountView | undefined {
  const r = finding.resource;
  const cluster = ctx.clusters.find(
    (view) =>
      view.account.accountId === r.accountId &&
      view.cluster.region === r.region &&
      view.cluster.name === r.cluster,
  );
  return cluster?.serviceAccounts.get(`${r.namespace}/${r.serviceAccount}`);
}

/** The Deny statement that excludes the service account's token, if one does. */
export function denyingStatement(sa: ServiceAccountView, ctx: AuditContext): number | undefined {
  const problem = irsaTrustProblem(sa, ctx);
  return problem?.decision.outcomes.find((outcome) => outcome.effect === 'Deny' && outcome.applies === true)
    ?.index;
}

/** Service accounts whose pods use the role through IRSA, in clusters of `issuer`. */
function usersOf(role: RoleView, issuer: string, ctx: AuditContext): ServiceAccountView[] {
  return (ctx.serviceAccountsByRole.get(role.role.arn) ?? []).filter(
    (sa) => sa.cluster.issuer === issuer && dependsOnIrsa(sa, ctx),
  );
}

/** Whether the statement is an Allow whose Federated principal names only `providerArn`-like values. */
function federatedOf(statement: JsonObject): string[] {
  const principal = statement.Principal;
  return isObject(principal)
    ? asList(principal.Federated).filter((v): v is string => typeof v === 'string')
    : [];
}

/**
 * The statement to repair for a service account of `issuer`: the one that names the role account's
 * provider for it, else a statement whose provider is dead or malformed (it was meant for this
 * cluster), else a new one appended at the end.
 */
function statementFor(role: RoleView, issuer: string, ctx: AuditContext, editor: StatementList): number {
  const own = providerArnFor(role.partition, role.accountId, issuer);
  const named = editor.statements.findIndex(
    (statement) =>
      statement.Effect === 'Allow' &&
      federatedOf(statement).length === 1 &&
      federatedOf(statement)[0] === own,
  );
  if (named !== -1) return named;
  for (const { statement, providers } of role.trust.oidcStatements) {
    if (statement.effect !== 'Allow' || providers.length !== 1) continue;
    const ref = providers[0];
    const issuerOf = ref.parsed?.issuer;
    const dead =
      ref.problem !== undefined ||
      issuerOf === undefined ||
      issuerOf === issuer ||
      sameClusterOtherHostFamily(issuerOf, issuer) ||
      !ctx.clustersByIssuer.has(issuerOf);
    if (dead && !servesUsers(role, statement.index, ctx)) return statement.index;
  }
  return editor.append({ Effect: 'Allow', Principal: { Federated: own }, Action: WEB_IDENTITY_ACTION });
}

/** Whether some other audited cluster's service accounts use the role through this statement's issuer. */
function servesUsers(role: RoleView, index: number, ctx: AuditContext): boolean {
  return role.trust.grants.some(
    (grant) =>
      grant.statement === index &&
      ctx.clustersByIssuer.has(grant.issuer) &&
      usersOf(role, grant.issuer, ctx).length > 0,
  );
}

/** `<issuer>:<claim>` keys, also foreign ones (another issuer, `https://`, a provider ARN as prefix). */
function irsaClaim(key: string): { issuer: string; claim: 'sub' | 'aud' } | undefined {
  const colon = key.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const claim = key.slice(colon + 1).toLowerCase();
  if (claim !== 'sub' && claim !== 'aud') return undefined;
  let prefix = key.slice(0, colon);
  const arn = parseProviderArn(prefix);
  if (arn) prefix = arn.issuer;
  prefix = stripScheme(prefix);
  // `aws:sub`-like global keys have no host; an issuer always has a dot.
  if (!prefix.includes('.')) return undefined;
  return { issuer: prefix, claim };
}

/** Operators whose values must match for the statement to apply (not negated, not IfExists). */
function positiveStringOperator(operator: string): boolean {
  const bare = operator.replace(/^ForAnyValue:/i, '');
  return /^String(Equals|Like)(IgnoreCase)?$/i.test(bare) && !/^ForAllValues:/i.test(operator);
}

function hasWildcard(value: string): boolean {
  return /[*?]/.test(value);
}

function globMatches(pattern: string, text: string): boolean {
  let expression = '^';
  for (const char of pattern) {
    if (char === '*') expression += '.*';
    else if (char === '?') expression += '.';
    else expression += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${expression}$`, 's').test(text);
}

interface RepairOptions {
  /** Drop patterns: the statement must name exact service accounts (sub-unrestricted, broad patterns). */
  restrict: boolean;
  /** Service accounts the statement must admit after the fix. */
  include: ServiceAccountView[];
}

/**
 * Makes statement `index` the documented IRSA form for `issuer` while keeping everything else in it:
 * Federated is the role account's provider for the issuer, the action covers web identity, the
 * `:sub` / `:aud` keys name the issuer, `:sub` values that name no existing service account are
 * replaced (patterns go under StringLike), and `:aud` lists the audiences of the role's users.
 */
function repairStatement(
  editor: StatementList,
  index: number,
  issuer: string,
  role: RoleView,
  ctx: AuditContext,
  plan: TrustFixPlan,
  options: RepairOptions,
): void {
  const statement = editor.at(index) as JsonObject;
  if (statement.Effect !== 'Allow') throw unavailable(`statement ${index} is not an Allow statement`);
  const providerArn = providerArnFor(role.partition, role.accountId, issuer);
  const federated = federatedOf(statement);
  if (federated.length > 1) {
    throw unavailable(
      `statement ${index} names ${federated.length} providers; split it by hand into one statement per provider`,
    );
  }
  if (federated[0] !== providerArn) {
    const principal = isObject(statement.Principal) ? statement.Principal : {};
    principal.Federated = providerArn;
    statement.Principal = principal;
    plan.changes.push(`statement ${index}: Principal.Federated is now ${providerArn}`);
  }
  if (statement.NotAction === undefined) {
    const actions = asList(statement.Action).filter((a): a is string => typeof a === 'string');
    if (!actions.some((action) => actionMatches(action, WEB_IDENTITY_ACTION))) {
      statement.Action = WEB_IDENTITY_ACTION;
      plan.changes.push(`statement ${index}: Action is now ${WEB_IDENTITY_ACTION}`);
    }
  }

  // Take the positive :sub / :aud clauses out (whatever issuer their keys name); keep every other one.
  const condition = isObject(statement.Condition) ? statement.Condition : {};
  const subClauses: { values: string[]; like: boolean }[] = [];
  const audValues: string[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block) || !positiveStringOperator(operator)) continue;
    for (const [key, value] of Object.entries(block)) {
      const values = asList(value).filter((v): v is string => typeof v === 'string');
      const claim = irsaClaim(key) ?? claimlessIssuerKey(key, values);
      if (!claim) continue;
      if (claim.claim === 'aud') audValues.push(...values);
      else subClauses.push({ values, like: /Like/i.test(operator) });
      delete block[key];
      if (key !== `${issuer}:${claim.claim}`) {
        plan.changes.push(`statement ${index}: condition key ${key} is now ${issuer}:${claim.claim}`);
      }
    }
    if (Object.keys(block).length === 0) delete condition[operator];
  }

  const { live, dead } = subjectValues(subClauses, issuer, ctx, index, plan);
  const { subjects, required } = fixedSubjects(live, dead, issuer, role, ctx, options, index, plan);
  unexclude(condition, required, index, plan);
  const users = usersOf(role, issuer, ctx).filter((sa) => subjects.some((s) => globMatches(s, sa.subject)));
  const audiences = fixedAudiences(audValues, [...users, ...options.include], issuer, role, ctx, index, plan);

  if (subjects.length > 0) {
    const operator = subjects.some(hasWildcard) ? 'StringLike' : 'StringEquals';
    const block = isObject(condition[operator]) ? condition[operator] : {};
    block[`${issuer}:sub`] = oneOrMany(subjects);
    condition[operator] = block;
  }
  const equals = isObject(condition.StringEquals) ? condition.StringEquals : {};
  equals[`${issuer}:aud`] = oneOrMany(audiences);
  condition.StringEquals = equals;
  statement.Condition = condition;

  if (
    ctx.partRead(role.accountId, 'oidc-providers') &&
    !ctx.providersByAccount.get(role.accountId)?.has(issuer)
  ) {
    plan.providers.push({ accountId: role.accountId, issuer, clientIds: audiences });
  }
}

/**
 * The `:sub` values after the fix: the existing values that still name an existing service account
 * (all of them when the issuer's clusters were not read), plus the service accounts that must be
 * admitted. A value that names nothing is the wrong subject: it is replaced, never kept beside the
 * right one.
 */
function fixedSubjects(
  live: string[],
  deadPatterns: string[],
  issuer: string,
  role: RoleView,
  ctx: AuditContext,
  options: RepairOptions,
  index: number,
  plan: TrustFixPlan,
): { subjects: string[]; required: string[] } {
  const known = knownSubjects(issuer, ctx);
  const values = [...live, ...deadPatterns];
  const kept = live.filter((value) => {
    if (options.restrict && hasWildcard(value)) return false;
    return known === undefined || known.some((subject) => globMatches(value, subject));
  });
  const denied = usersDenied(role, ctx);
  const required = options.restrict
    ? usersOf(role, issuer, ctx)
    : [...options.include, ...usersOf(role, issuer, ctx).filter((sa) => denied.has(sa))];
  const result = [...new Set(kept)];
  for (const sa of required)
    if (!result.some((value) => globMatches(value, sa.subject))) result.push(sa.subject);
  if (options.restrict && result.length === 0) {
    throw unavailable(
      `no service account uses ${role.role.arn} through ${issuer}, so the subjects to allow cannot be told; name them by hand under StringEquals`,
    );
  }
  const requiredSubjects = required.map((sa) => sa.subject);
  // Nothing to name: keep what was written, a dead pattern as the pattern it was meant to be.
  if (result.length === 0) return { subjects: values, required: requiredSubjects };
  const dropped = values.filter((value) => !result.includes(value));
  const added = result.filter((value) => !values.includes(value));
  if (dropped.length > 0 || added.length > 0) {
    plan.changes.push(
      `statement ${index}: sub ${dropped.length ? `${dropped.map((v) => JSON.stringify(v)).join(', ')} replaced by` : 'now also admits'} ${added.map((v) => JSON.stringify(v)).join(', ') || 'the remaining values'}`,
    );
  }
  return { subjects: result, required: requiredSubjects };
}

/** Subjects of every service account in the issuer's clusters, or undefined when one was not read. */
function knownSubjects(issuer: string, ctx: AuditContext): string[] | undefined {
  const clusters = ctx.clustersByIssuer.get(issuer) ?? [];
  if (clusters.length === 0 || !clusters.every((cluster) => cluster.readable)) return undefined;
  return clusters.flatMap((cluster) => [...cluster.serviceAccounts.values()].map((sa) => sa.subject));
}

/**
 * The `:sub` values written in the statement: `live` ones that can match, and `dead` patterns written
 * under StringEquals (literal there, so they never matched anything). Several conditions on `:sub`
 * must all hold; merging their values would widen the trust, so they become the existing service
 * accounts that satisfy all of them.
 */
function subjectValues(
  clauses: { values: string[]; like: boolean }[],
  issuer: string,
  ctx: AuditContext,
  index: number,
  plan: TrustFixPlan,
): { live: string[]; dead: string[] } {
  if (clauses.length === 0) return { live: [], dead: [] };
  if (clauses.length === 1) {
    const [clause] = clauses;
    if (clause.like) return { live: clause.values, dead: [] };
    return { live: clause.values.filter((v) => !hasWildcard(v)), dead: clause.values.filter(hasWildcard) };
  }
  const known = knownSubjects(issuer, ctx);
  if (!known) {
    throw unavailable(
      `statement ${index} has ${clauses.length} conditions on :sub that must all hold and the service accounts of its cluster were not read; merge them by hand`,
    );
  }
  plan.changes.push(
    `statement ${index}: its ${clauses.length} conditions on :sub, which had to hold together, are one`,
  );
  const live = known.filter((subject) =>
    clauses.every((clause) =>
      clause.values.some((value) => (clause.like ? globMatches(value, subject) : value === subject)),
    ),
  );
  return { live, dead: [] };
}

/** Negated `:sub` conditions no longer exclude the service accounts the fix must admit. */
function unexclude(condition: JsonObject, required: string[], index: number, plan: TrustFixPlan): void {
  if (required.length === 0) return;
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block) || !/^String(Not)(Equals|Like)/i.test(operator)) continue;
    const like = /Like/i.test(operator);
    for (const [key, value] of Object.entries(block)) {
      if (irsaClaim(key)?.claim !== 'sub') continue;
      const values = asList(value).filter((v): v is string => typeof v === 'string');
      const kept = values.filter(
        (v) => !required.some((subject) => (like ? globMatches(v, subject) : v === subject)),
      );
      if (kept.length === values.length) continue;
      plan.changes.push(
        `statement ${index}: ${operator} ${key} no longer excludes ${required.map((v) => JSON.stringify(v)).join(', ')}`,
      );
      if (kept.length === 0) delete block[key];
      else block[key] = oneOrMany(kept);
    }
    if (Object.keys(block).length === 0) delete condition[operator];
  }
}

/**
 * A key that is an EKS issuer without its `:sub` / `:aud` suffix (never present in a token): which
 * claim it was meant for, from its values.
 */
function claimlessIssuerKey(
  key: string,
  values: string[],
): { issuer: string; claim: 'sub' | 'aud' } | undefined {
  const issuer = stripScheme(parseProviderArn(key)?.issuer ?? key);
  if (issuer.includes(':') || !issuer.includes('/id/')) return undefined;
  const claim =
    values.length > 0 && values.every((v) => v.startsWith('system:serviceaccount:')) ? 'sub' : 'aud';
  return { issuer, claim };
}

/** The audiences the service accounts' tokens carry, plus existing values the provider accepts. */
function fixedAudiences(
  values: string[],
  users: ServiceAccountView[],
  issuer: string,
  role: RoleView,
  ctx: AuditContext,
  index: number,
  plan: TrustFixPlan,
): string[] {
  const clientIds = ctx.providersByAccount.get(role.accountId)?.get(issuer)?.clientIds ?? [];
  const needed = users.map((sa) => sa.serviceAccount.annotations[ANNOTATION_AUDIENCE] || DEFAULT_AUDIENCE);
  const result = [...new Set([...needed, ...values.filter((value) => clientIds.includes(value))])];
  if (result.length === 0) result.push(DEFAULT_AUDIENCE);
  const changed = result.length !== values.length || result.some((value) => !values.includes(value));
  if (changed)
    plan.changes.push(`statement ${index}: aud is now ${result.map((v) => JSON.stringify(v)).join(', ')}`);
  return result;
}

/** The users of the role that the current trust denies, by the same rule as sa.role-untrusted. */
function usersDenied(role: RoleView, ctx: AuditContext): Set<ServiceAccountView> {
  const denied = new Set<ServiceAccountView>();
  for (const sa of ctx.serviceAccountsByRole.get(role.role.arn) ?? []) {
    if (sa.cluster.issuer && dependsOnIrsa(sa, ctx) && irsaTrustProblem(sa, ctx)) denied.add(sa);
  }
  return denied;
}

/**
 * Adds sts:AssumeRole and sts:TagSession for pods.eks.amazonaws.com: to its existing statement, whose
 * conditions then cover both (a new unconditioned statement would widen them), or as a new one.
 */
function addPodIdentityTrust(editor: StatementList, plan: TrustFixPlan): void {
  const needed = ['sts:AssumeRole', 'sts:TagSession'];
  const index = editor.statements.findIndex((statement) => {
    const principal = statement.Principal;
    return (
      statement.Effect === 'Allow' &&
      isObject(principal) &&
      asList(principal.Service).includes(POD_IDENTITY_SERVICE)
    );
  });
  if (index === -1) {
    editor.append({ Effect: 'Allow', Principal: { Service: POD_IDENTITY_SERVICE }, Action: needed });
    plan.changes.push(`a statement allowing ${POD_IDENTITY_SERVICE} ${needed.join(' and ')} is added`);
    return;
  }
  const statement = editor.at(index) as JsonObject;
  const actions = asList(statement.Action).filter((a): a is string => typeof a === 'string');
  const missing = needed.filter((action) => !actions.some((pattern) => actionMatches(pattern, action)));
  statement.Action = [...actions, ...missing];
  plan.changes.push(`statement ${index}: Action now also allows ${missing.join(' and ')}`);
}
