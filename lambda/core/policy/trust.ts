/**
 * Trust analysis of one role: which statements are IRSA statements, and for each (statement,
 * provider) pair the set of service-account subjects it admits — exact service accounts, one
 * namespace, a cross-namespace pattern, unrestricted, or none. The engine indexes these by issuer and
 * subject, so finding the service accounts a role admits is a lookup, never a roles × SAs loop.
 */
import { federatedProblem, isEksIssuer, looksEksLike, type ProviderArnParts, parseProviderArn } from '../arn';
import { WEB_IDENTITY_ACTION } from '../model';
import { evaluateClause, keyState, type Tri, type WebIdentityToken } from './evaluate';
import type { ConditionClause, NormalizedPolicy, NormalizedStatement } from './normalize';
import { statementCoversAction } from './normalize';

const SUBJECT_PREFIX = 'system:serviceaccount:';

export type SubjectKind = 'exact' | 'namespace' | 'cross-namespace' | 'unrestricted' | 'none';

export interface NamespacePattern {
  namespace: string;
  /** The pattern as written (e.g. `system:serviceaccount:argocd:argocd-*`). */
  pattern: string;
  /** True when it matches every service account of the namespace (`…:<ns>:*`). */
  everyServiceAccount: boolean;
}

/** The service accounts a trust's `sub` conditions admit. */
export interface AdmittedSubjects {
  kind: SubjectKind;
  /** Exact subjects admitted (already checked against every other `sub` condition). */
  exact: string[];
  namespaces: NamespacePattern[];
  /** Patterns that reach across namespaces (`system:serviceaccount:*`, `…:team*`). */
  broad: string[];
  why?: string;
  /** No subject can satisfy all the `sub` conditions together. */
  conflicting?: boolean;
}

export interface ProviderRef {
  value: string;
  parsed?: ProviderArnParts;
  /** `parsed.issuer` lower-cased, computed once per run and provider (WebIdentityToken.issuerLower). */
  issuerLower?: string;
  /** Why the value is not a valid OIDC provider ARN, when it is meant as one. */
  problem?: string;
  /** The provider is (or tries to be) an EKS cluster issuer. */
  eks: boolean;
  /** The `Federated` entry is not a string at all (a number, an object…). */
  notString?: boolean;
}

export interface IrsaGrant {
  statement: number;
  providerArn: string;
  issuer: string;
  /** `issuer` lower-cased (shared with the provider's analysis). */
  issuerLower: string;
  subjects: AdmittedSubjects;
  subClauses: ConditionClause[];
  audClauses: ConditionClause[];
  /** Clauses whose key is absent for this issuer's tokens (foreign issuer, typo, missing claim). */
  absentClauses: ConditionClause[];
  /** Reasons the subject set is only an upper bound (unknown keys, operators, variables). */
  undecidable: string[];
  /** Deny statements whose exclusion narrowed `subjects` (Allow minus Deny). */
  narrowedBy: readonly number[];
}

export interface OidcStatement {
  statement: NormalizedStatement;
  providers: ProviderRef[];
  /** Whether Action / NotAction covers sts:AssumeRoleWithWebIdentity. */
  coversWebIdentity: boolean;
}

export interface TrustAnalysis {
  policy: NormalizedPolicy;
  /** Statements whose Federated principal names (or tries to name) an EKS OIDC provider. */
  oidcStatements: readonly OidcStatement[];
  /** Allow statements × valid EKS provider ARNs that cover AssumeRoleWithWebIdentity. */
  grants: readonly IrsaGrant[];
}

/**
 * Per-run memo of the trust analysis, held by the audit context (never at module level): provider
 * analyses by partition and Federated value. The roles of an account name the same few providers, so
 * each value is parsed once per run.
 */
export interface TrustCache {
  providerRefs: Map<string, Map<string, ProviderRef | null>>;
}

export function newTrustCache(): TrustCache {
  return { providerRefs: new Map() };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Splits a valid `system:serviceaccount:<ns>:<name>` subject; undefined when malformed. */
export function parseSubject(subject: string): { namespace: string; name: string } | undefined {
  if (!subject.startsWith(SUBJECT_PREFIX)) return undefined;
  const rest = subject.slice(SUBJECT_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon < 0) return undefined;
  const namespace = rest.slice(0, colon);
  const name = rest.slice(colon + 1);
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) return undefined;
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

/** The `sub` claim of a service account's projected token: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountSubject(namespace: string, name: string): string {
  return `${SUBJECT_PREFIX}${namespace}:${name}`;
}

/** Why a `sub` value (literal or glob) can never be a service-account subject; undefined when fine. */
export function subjectValueProblem(value: string, isGlob: boolean, ignoreCase = false): string | undefined {
  const text = ignoreCase ? value.toLowerCase() : value;
  if (/\s/.test(text)) return 'it contains white space';
  if ((text.match(/system:serviceaccount:/g) ?? []).length > 1)
    return 'the `system:serviceaccount:` prefix is doubled';
  if (!isGlob) {
    if (parseSubject(text)) return undefined;
    if (!text.startsWith(SUBJECT_PREFIX)) return 'it does not start with `system:serviceaccount:`';
    const rest = text.slice(SUBJECT_PREFIX.length);
    const parts = rest.split(':');
    if (parts.length !== 2)
      return `it has ${parts.length} parts after the prefix instead of \`<namespace>:<name>\``;
    if (!DNS_LABEL.test(parts[0])) return `\`${parts[0]}\` is not a valid namespace name`;
    return `\`${parts[1]}\` is not a valid service account name`;
  }
  if (/^\*+$/.test(text)) return undefined;
  const literalHead = text.split(/[*?]/)[0];
  if (!SUBJECT_PREFIX.startsWith(literalHead) && !literalHead.startsWith(SUBJECT_PREFIX)) {
    return 'it does not start with `system:serviceaccount:`';
  }
  if (/[^a-z0-9.:*?-]/.test(text))
    return 'it contains characters that no namespace or service account name has';
  const rest = literalHead.slice(SUBJECT_PREFIX.length);
  if (rest.split(':').length > 2) return 'it has more than `<namespace>:<name>` after the prefix';
  return undefined;
}

type Reach =
  | { rank: 0; exact: string }
  | { rank: 1; ns: NamespacePattern }
  | { rank: 2 | 3; pattern: string };

function reachOfValue(raw: string, glob: boolean): Reach {
  if (!glob) return { rank: 0, exact: raw };
  if (/^\*+$/.test(raw)) return { rank: 3, pattern: raw };
  if (raw.startsWith(SUBJECT_PREFIX)) {
    const rest = raw.slice(SUBJECT_PREFIX.length);
    const colon = rest.indexOf(':');
    const nsPart = colon < 0 ? rest : rest.slice(0, colon);
    if (colon >= 0 && !/[*?]/.test(nsPart)) {
      const namePattern = rest.slice(colon + 1);
      return {
        rank: 1,
        ns: { namespace: nsPart, pattern: raw, everyServiceAccount: /^\*+$/.test(namePattern) },
      };
    }
  }
  return { rank: 2, pattern: raw };
}

function isPositiveString(clause: ConditionClause): boolean {
  return clause.operator?.family === 'String' && !clause.operator.negated;
}

/** Classifies the subjects admitted by the `sub` clauses of one statement for one issuer. */
export function classifySubjects(
  issuer: string,
  statementSubClauses: readonly ConditionClause[],
  undecidable: string[],
  exclusions: readonly ConditionClause[] = [],
  issuerLower = issuer.toLowerCase(),
): AdmittedSubjects {
  const admitted: AdmittedSubjects = { kind: 'none', exact: [], namespaces: [], broad: [] };
  // A Deny's exclusion is one more ANDed condition on `sub` (see denyExclusion).
  const subClauses =
    exclusions.length > 0
      ? [...statementSubClauses, ...exclusions]
      : (statementSubClauses as ConditionClause[]);
  const positive = subClauses.filter(isPositiveString);
  for (const clause of statementSubClauses) {
    if (!clause.operator) undecidable.push(`unknown operator \`${clause.operatorRaw}\` on \`${clause.key}\``);
    else if (clause.operator.family !== 'String' && clause.operator.family !== 'Null') {
      undecidable.push(`\`${clause.operatorRaw}\` on \`${clause.key}\` is not evaluated`);
    }
  }
  if (positive.length === 0) {
    admitted.kind = 'unrestricted';
    admitted.why =
      subClauses.length === 0
        ? 'no condition restricts `sub`'
        : statementSubClauses.length === 0
          ? 'Deny statements exclude only some service accounts: every other one passes'
          : 'only negated conditions constrain `sub`: every other service account passes';
    return admitted;
  }
  // The narrowest positive clause bounds the admitted set (clauses are ANDed).
  let governing = positive[0];
  let governingRank = 4;
  for (const clause of positive) {
    const rank = Math.max(...clause.values.map((value) => reachOfValue(value.raw, value.hasWildcard).rank));
    if (rank < governingRank) {
      governing = clause;
      governingRank = rank;
    }
  }
  if (governingRank === 3) {
    admitted.kind = 'unrestricted';
    admitted.why = `\`${governing.operatorRaw}\` \`sub\` is only \`*\``;
    return admitted;
  }
  const probe = (sub: string): Tri => {
    const token: WebIdentityToken = { issuer, issuerLower, sub, aud: '' };
    let result: Tri = true;
    for (const clause of subClauses) {
      const outcome = evaluateClause(clause, token);
      if (outcome === false) return false;
      if (outcome === undefined) result = undefined;
    }
    return result;
  };
  for (const value of governing.values) {
    if (!value.segments) {
      undecidable.push(`\`${value.raw}\` contains a policy variable`);
      continue;
    }
    const reach = reachOfValue(value.raw, value.hasWildcard);
    if (reach.rank === 0) {
      // Kubernetes names are lower case, so an IgnoreCase value admits exactly its lower-case form.
      const literal = value.literal ?? value.raw;
      const subject = governing.operator?.ignoreCase ? literal.toLowerCase() : literal;
      if (probe(subject) !== false) admitted.exact.push(subject);
    } else if (reach.rank === 1) admitted.namespaces.push(reach.ns);
    else admitted.broad.push(reach.pattern);
  }
  if (admitted.broad.length > 0) admitted.kind = 'cross-namespace';
  else if (admitted.namespaces.length > 0) admitted.kind = 'namespace';
  else if (admitted.exact.length > 0) admitted.kind = 'exact';
  else {
    admitted.kind = 'none';
    admitted.conflicting = positive.length + subClauses.filter((c) => c.operator?.negated).length > 1;
    admitted.why = admitted.conflicting
      ? 'no service account satisfies all the `sub` conditions together'
      : 'no value of the `sub` condition can match';
    return admitted;
  }
  // Namespace-confined patterns ANDed with patterns confined to other namespaces can never match.
  if (admitted.kind === 'namespace' && positive.length > 1) {
    const others = positive.filter((clause) => clause !== governing);
    const disjoint = others.some((clause) =>
      clause.values.every((value) => {
        const reach = reachOfValue(value.raw, value.hasWildcard);
        return reach.rank === 1 && !admitted.namespaces.some((ns) => ns.namespace === reach.ns.namespace);
      }),
    );
    if (disjoint) {
      return {
        kind: 'none',
        exact: [],
        namespaces: [],
        broad: [],
        conflicting: true,
        why: 'the `sub` conditions require different namespaces at once',
      };
    }
  }
  return admitted;
}

function providerRef(value: string, rolePartition: string, cache: TrustCache): ProviderRef | null {
  let byValue = cache.providerRefs.get(rolePartition);
  if (!byValue) {
    byValue = new Map();
    cache.providerRefs.set(rolePartition, byValue);
  }
  const cached = byValue.get(value);
  if (cached !== undefined) return cached;
  const problem = federatedProblem(value, rolePartition);
  const parsed = parseProviderArn(value);
  const eks = parsed ? isEksIssuer(parsed.issuer) || looksEksLike(parsed.issuer) : looksEksLike(value);
  // Only OIDC providers for EKS (or malformed attempts at one) are IRSA; GitHub, SAML, Cognito are not.
  const ref =
    eks || (problem && !parsed)
      ? { value, parsed, issuerLower: parsed?.issuer.toLowerCase(), problem, eks: eks || Boolean(problem) }
      : null;
  byValue.set(value, ref);
  return ref;
}

function providerRefs(
  statement: NormalizedStatement,
  rolePartition: string,
  cache: TrustCache,
): ProviderRef[] {
  const refs: ProviderRef[] = [];
  for (const value of statement.principals?.federated ?? []) {
    const ref = providerRef(value, rolePartition, cache);
    if (ref) refs.push(ref);
  }
  for (const entry of statement.principals?.invalidFederated ?? []) {
    refs.push({
      value: invalidEntryText(entry),
      problem: 'it is not a string (IAM rejects the document)',
      eks: true,
      notString: true,
    });
  }
  return refs;
}

/** A non-string `Federated` entry as a message shows it (never the whole of a nested value). */
function invalidEntryText(entry: unknown): string {
  if (entry === null || typeof entry === 'number' || typeof entry === 'boolean') return String(entry);
  if (Array.isArray(entry)) return `(an array of ${entry.length})`;
  return `(${typeof entry === 'object' ? 'an object' : `a ${typeof entry}`})`;
}

const NO_STATEMENTS: readonly OidcStatement[] = Object.freeze([]);
const NO_INDEXES: readonly number[] = Object.freeze([]);
const NO_STATEMENTS_TO_FOLD: readonly NormalizedStatement[] = Object.freeze([]);
const NO_GRANTS: readonly IrsaGrant[] = Object.freeze([]);

/**
 * Analyses a role's trust. Grants are built only for providers in the role's own account: STS looks
 * the provider up there, so a statement naming another account's provider admits nobody
 * (trust.principal-other-account reports it). `cache` is the run's (AuditContext.cache.trust); a
 * caller outside a run gets a private one.
 */
export function analyzeTrust(
  policy: NormalizedPolicy,
  rolePartition: string,
  roleAccountId: string,
  cache: TrustCache = newTrustCache(),
): TrustAnalysis {
  const oidcStatements: OidcStatement[] = [];
  const grants: IrsaGrant[] = [];
  let denies: NormalizedStatement[] | undefined;
  for (const statement of policy.statements) {
    if (
      statement.effect === 'Deny' &&
      statement.issues.length === 0 &&
      statement.actions.length > 0 &&
      statementCoversAction(statement, WEB_IDENTITY_ACTION)
    ) {
      denies ??= [];
      denies.push(statement);
    }
  }
  for (const statement of policy.statements) {
    const providers = providerRefs(statement, rolePartition, cache);
    if (providers.length === 0) continue;
    const coversWebIdentity =
      statement.actions.length > 0 && statementCoversAction(statement, WEB_IDENTITY_ACTION);
    oidcStatements.push({ statement, providers, coversWebIdentity });
    if (statement.effect !== 'Allow' || !coversWebIdentity) continue;
    for (const provider of providers) {
      if (!provider.parsed || provider.problem || provider.parsed.accountId !== roleAccountId) continue;
      const issuerLower = provider.issuerLower ?? provider.parsed.issuer.toLowerCase();
      grants.push(grantFor(statement, provider.value, provider.parsed.issuer, issuerLower, denies));
    }
  }
  // Most roles are not IRSA roles: share one empty list instead of retaining two per role.
  return {
    policy,
    oidcStatements: oidcStatements.length > 0 ? oidcStatements : NO_STATEMENTS,
    grants: grants.length > 0 ? grants : NO_GRANTS,
  };
}

const NEGATED_OPERATOR: Record<string, string> = {
  StringEquals: 'StringNotEquals',
  StringNotEquals: 'StringEquals',
  StringEqualsIgnoreCase: 'StringNotEqualsIgnoreCase',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringLike: 'StringNotLike',
  StringNotLike: 'StringLike',
};

/**
 * What a Deny statement removes from the subjects a grant admits (docs/irsa-semantics.md §2.2.7: Deny wins), as a
 * condition every admitted subject must also meet: `all` when it denies every token of the issuer,
 * the negation of its one `sub` clause when that is its only live condition (a Deny on
 * `StringNotLike sub …:apps:*` leaves `StringLike sub …:apps:*`). Undefined when it never applies to
 * the issuer's tokens, or when its exclusion is not one clause (several `sub` clauses, `aud`, unknown
 * keys): the grant's set then stays an upper bound, and checks that claim a subject is admitted
 * confirm it with the whole policy (grant-probe).
 */
function denyExclusion(
  deny: NormalizedStatement,
  providerArn: string,
  token: WebIdentityToken,
): 'all' | ConditionClause | undefined {
  const principals = deny.principals;
  if (!principals || !(principals.wildcard || principals.federated.includes(providerArn))) return undefined;
  let subClause: ConditionClause | undefined;
  for (const clause of deny.conditions) {
    const state = keyState(clause, token);
    if (state.kind === 'unknown' || !clause.operator) return undefined;
    const onSub = state.kind === 'present' && clause.keyLower.endsWith(':sub');
    if (onSub && clause.operator.family === 'String') {
      if (subClause) return undefined;
      subClause = clause;
      continue;
    }
    // Absent keys and Null on a present key decide the same way for every token of the issuer.
    if (state.kind === 'present' && clause.operator.family !== 'Null') return undefined;
    const outcome = evaluateClause(clause, token);
    if (outcome !== true) return undefined;
  }
  if (!subClause) return 'all';
  const operator = subClause.operator!;
  const negatedBase = NEGATED_OPERATOR[operator.base];
  if (!negatedBase) return undefined;
  return {
    ...subClause,
    operatorRaw: negatedBase,
    operator: { ...operator, raw: negatedBase, base: negatedBase, negated: !operator.negated },
  };
}

function grantFor(
  statement: NormalizedStatement,
  providerArn: string,
  issuer: string,
  issuerLower: string,
  denies: readonly NormalizedStatement[] | undefined,
): IrsaGrant {
  const token: WebIdentityToken = { issuer, issuerLower, sub: '', aud: '' };
  const subClauses: ConditionClause[] = [];
  const audClauses: ConditionClause[] = [];
  const absentClauses: ConditionClause[] = [];
  const undecidable: string[] = [...statement.issues];
  let blockedBy: ConditionClause | undefined;
  for (const clause of statement.conditions) {
    const state = keyState(clause, token);
    if (state.kind === 'unknown') {
      undecidable.push(`condition key \`${clause.key}\` is not part of an EKS token and is not evaluated`);
    } else if (state.kind === 'absent') {
      absentClauses.push(clause);
      if (evaluateClause(clause, token) === false) blockedBy ??= clause;
    } else {
      // `Null: {"<issuer>:sub": "true"}` requires the key to be absent, and EKS tokens always carry it.
      if (clause.operator?.family === 'Null' && evaluateClause(clause, token) === false) blockedBy ??= clause;
      if (clause.keyLower.endsWith(':sub')) subClauses.push(clause);
      else audClauses.push(clause);
    }
  }
  let why: string | undefined;
  if (blockedBy) {
    why =
      blockedBy.operator?.family === 'Null'
        ? `\`${blockedBy.operatorRaw}\` requires \`${blockedBy.key}\` to be absent, and tokens from \`${issuer}\` always carry it`
        : `\`${blockedBy.operatorRaw}\` requires \`${blockedBy.key}\`, which tokens from \`${issuer}\` never carry`;
  }
  let narrowedBy: number[] | undefined;
  const exclusions: ConditionClause[] = [];
  for (const deny of denies ?? NO_STATEMENTS_TO_FOLD) {
    if (why) break;
    const exclusion = denyExclusion(deny, providerArn, token);
    if (exclusion === undefined) continue;
    narrowedBy ??= [];
    narrowedBy.push(deny.index);
    if (exclusion === 'all') why = `statement ${deny.index} denies every token from \`${issuer}\``;
    else exclusions.push(exclusion);
  }
  const subjects: AdmittedSubjects = why
    ? { kind: 'none', exact: [], namespaces: [], broad: [], why }
    : classifySubjects(issuer, subClauses, undecidable, exclusions, issuerLower);
  return {
    statement: statement.index,
    providerArn,
    issuer,
    issuerLower,
    subjects,
    subClauses,
    audClauses,
    absentClauses,
    undecidable,
    narrowedBy: narrowedBy ?? NO_INDEXES,
  };
}

/** Whether a grant's `aud` conditions admit `audience` (true when there are none). */
export function grantAdmitsAudience(grant: IrsaGrant, audience: string): Tri {
  const token: WebIdentityToken = {
    issuer: grant.issuer,
    issuerLower: grant.issuerLower,
    sub: '',
    aud: audience,
  };
  let result: Tri = true;
  for (const clause of grant.audClauses) {
    const outcome = evaluateClause(clause, token);
    if (outcome === false) return false;
    if (outcome === undefined) result = undefined;
  }
  return result;
}

/** True when some positive condition restricts `aud` (trust.aud-missing is about its absence). */
export function grantRestrictsAudience(grant: IrsaGrant): boolean {
  return grant.audClauses.some(isPositiveString);
}
