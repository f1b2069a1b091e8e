/**
 * Evaluates a normalised trust policy for one EKS web-identity token, exactly as docs/irsa-semantics.md §2.2–2.3
 * describes: key names case-insensitive, values case-sensitive; anchored globs; AND across operators
 * and keys, OR across values, NOR for negated operators; absent keys make positive operators false and
 * negated / IfExists / ForAllValues true; Deny wins; the Federated provider must be the role account's
 * provider for the token's issuer. Anything undecidable is `indeterminate`, never `allow`.
 */
import { providerArnFor } from '../arn';
import { WEB_IDENTITY_ACTION } from '../model';
import type { ConditionClause, ConditionValue, NormalizedPolicy, NormalizedStatement } from './normalize';
import { statementCoversAction, wildcardMatch, wildcardPattern } from './normalize';

/** Three-valued logic: `undefined` means "cannot be decided". */
export type Tri = boolean | undefined;

export interface WebIdentityToken {
  /** Issuer without scheme, e.g. `oidc.eks.us-west-2.amazonaws.com/id/ABC`. */
  issuer: string;
  /**
   * `issuer.toLowerCase()`, when the caller has it: condition keys are compared with it for every
   * clause of every evaluation, so the run keeps one per provider and cluster instead of lower-casing
   * here each time. Not part of the token's meaning (kept out of evidence).
   */
  issuerLower?: string;
  sub: string;
  aud: string;
}

export interface RoleIdentity {
  accountId: string;
  partition: string;
}

export type KeyState =
  | { kind: 'present'; value: string }
  | { kind: 'absent'; why: string }
  | { kind: 'unknown' };

export interface IdentityKey {
  /** The provider part before the last `:` (e.g. `oidc.eks…/id/ABC`), or the whole key without a claim. */
  prefix: string;
  claim?: string;
}

/** Splits `<provider>:<claim>` keys; undefined for global keys such as `aws:SourceIp` or `sts:…`. */
export function parseIdentityKey(key: string): IdentityKey | undefined {
  const colon = key.lastIndexOf(':');
  const prefix = colon < 0 ? key : key.slice(0, colon);
  if (!prefix.includes('.') && !prefix.includes('/')) {
    return prefix.toLowerCase() === 'saml' ? { prefix, claim: key.slice(colon + 1) } : undefined;
  }
  return colon < 0 ? { prefix } : { prefix, claim: key.slice(colon + 1) };
}

/** Which of `<issuer>:sub` / `<issuer>:aud` a lower-cased condition key is, if either. */
function issuerClaim(keyLower: string, issuerLower: string): 'sub' | 'aud' | undefined {
  if (keyLower.length !== issuerLower.length + 4 || !keyLower.startsWith(issuerLower)) return undefined;
  return keyLower.endsWith(':sub') ? 'sub' : keyLower.endsWith(':aud') ? 'aud' : undefined;
}

/** What the request context holds for a condition key, for a token from `issuer` (docs/irsa-semantics.md §2.1). */
export function keyState(clause: ConditionClause, token: WebIdentityToken): KeyState {
  const issuerLower = token.issuerLower ?? token.issuer.toLowerCase();
  const split = clause.claimKey;
  const claim =
    split === undefined
      ? issuerClaim(clause.keyLower, issuerLower)
      : split !== null && split.issuerLower === issuerLower
        ? split.claim
        : undefined;
  if (claim === 'sub') return { kind: 'present', value: token.sub };
  if (claim === 'aud') return { kind: 'present', value: token.aud };
  const identity = parseIdentityKey(clause.key);
  if (!identity) return { kind: 'unknown' };
  if (identity.claim === undefined) return { kind: 'absent', why: 'the key has no `:<claim>` suffix' };
  if (identity.prefix.toLowerCase() === issuerLower) {
    return { kind: 'absent', why: `EKS tokens carry no \`${identity.claim}\` claim` };
  }
  return { kind: 'absent', why: `the key names another issuer (\`${identity.prefix}\`)` };
}

/**
 * The compiled glob of a value, kept on the value at its first match (values belong to the run's
 * normalised policies); the lower-cased form is built per call (no String operator is both `like`
 * and case-insensitive, so that path is not hot).
 */
function globPattern(value: ConditionValue, ignoreCase: boolean): Int32Array {
  const segments = value.segments ?? [];
  if (ignoreCase) {
    return wildcardPattern(segments.map((part) => (typeof part === 'string' ? part.toLowerCase() : part)));
  }
  value.pattern ??= wildcardPattern(segments);
  return value.pattern;
}

/** Whether `actual` matches one policy value under a String* operator; undefined if not decidable. */
export function valueMatches(value: ConditionValue, actual: string, like: boolean, ignoreCase: boolean): Tri {
  const result = readingMatches(value, actual, like, ignoreCase);
  // Version absent (docs/irsa-semantics.md §2.2.6 [U]): decided only when the 2012 and 2008 readings agree.
  if (!value.alternative || result === undefined) return result;
  return readingMatches(value.alternative, actual, like, ignoreCase) === result ? result : undefined;
}

function readingMatches(value: ConditionValue, actual: string, like: boolean, ignoreCase: boolean): Tri {
  if (!value.segments) return undefined;
  if (value.literal !== undefined) {
    return ignoreCase ? value.literal.toLowerCase() === actual.toLowerCase() : value.literal === actual;
  }
  if (!like) return undefined;
  return wildcardMatch(globPattern(value, ignoreCase), ignoreCase ? actual.toLowerCase() : actual);
}

/** OR across values (a definite match wins over an undecidable value). */
function anyValueMatches(clause: ConditionClause, actual: string): Tri {
  const operator = clause.operator!;
  let result: Tri = false;
  for (const value of clause.values) {
    const match = valueMatches(value, actual, operator.like, operator.ignoreCase);
    if (match === true) return true;
    if (match === undefined) result = undefined;
  }
  return result;
}

/** Evaluates one condition clause against the token's context. */
export function evaluateClause(clause: ConditionClause, token: WebIdentityToken): Tri {
  if (!clause.operator) return undefined;
  return evaluateClauseWith(clause, keyState(clause, token));
}

/**
 * Evaluates one condition clause given what the request context holds for its key (docs/irsa-semantics.md §2.2.4–5):
 * shared by the web-identity evaluator and the Pod Identity one (policy/pod-identity.ts). A present key
 * whose value is not known statically (`value` undefined) is undecidable unless the operator is Null.
 */
export function evaluateClauseWith(
  clause: ConditionClause,
  state: KeyState | { kind: 'present'; value: string | undefined },
): Tri {
  const operator = clause.operator;
  if (!operator) return undefined;
  if (state.kind === 'unknown') return undefined;
  if (operator.family === 'Null') {
    const wanted = clause.values.map((value) => value.raw.toLowerCase());
    if (wanted.some((value) => value !== 'true' && value !== 'false')) return undefined;
    const isNull = state.kind === 'absent';
    return wanted.some((value) => (value === 'true') === isNull);
  }
  if (state.kind === 'absent') {
    if (operator.ifExists || operator.set === 'ForAllValues') return true;
    if (operator.set === 'ForAnyValue') return false;
    return operator.negated;
  }
  // A present, single-valued key: set operators behave as the base operator (docs/irsa-semantics.md §2.2.5).
  if (operator.family !== 'String' || state.value === undefined) return undefined;
  const match = anyValueMatches(clause, state.value);
  if (match === undefined) return undefined;
  return operator.negated ? !match : match;
}

export type StatementPart = 'action' | 'principal' | 'condition' | 'statement';

export interface StatementOutcome {
  index: number;
  effect?: 'Allow' | 'Deny';
  applies: Tri;
  /** The first part that made the statement not apply (or undecidable), with a readable detail. */
  part?: StatementPart;
  detail?: string;
  clause?: ConditionClause;
}

export interface Decision {
  verdict: 'allow' | 'deny' | 'indeterminate';
  /** The deciding statement: the applying Allow or Deny, or the undecidable one. */
  statement?: number;
  clause?: ConditionClause;
  reason: string;
  outcomes: StatementOutcome[];
}

function describeClause(clause: ConditionClause): string {
  const values = clause.values.map((value) => value.raw);
  return `\`${clause.operatorRaw}\` \`${clause.key}\` ${JSON.stringify(values.length === 1 ? values[0] : values)}`;
}

/** The first undecidable part of a statement (later ones do not overwrite it). */
function markUndecided(
  outcome: StatementOutcome,
  part: StatementPart,
  detail: string,
  clause?: ConditionClause,
): void {
  if (outcome.applies === true) Object.assign(outcome, { applies: undefined, part, detail, clause });
}

export function evaluateStatement(
  statement: NormalizedStatement,
  role: RoleIdentity,
  token: WebIdentityToken,
): StatementOutcome {
  const outcome: StatementOutcome = { index: statement.index, effect: statement.effect, applies: true };
  const providerArn = providerArnFor(role.partition, role.accountId, token.issuer);
  const principals = statement.principals;
  if (principals && !principals.wildcard && !principals.federated.includes(providerArn)) {
    const named = principals.federated.length
      ? `Federated is ${principals.federated.map((arn) => `\`${arn}\``).join(', ')}`
      : 'the statement has no Federated principal';
    return {
      ...outcome,
      applies: false,
      part: 'principal',
      detail: `${named}, not \`${providerArn}\``,
    };
  }
  if (statement.actions.length > 0 && !statementCoversAction(statement, WEB_IDENTITY_ACTION)) {
    return {
      ...outcome,
      applies: false,
      part: 'action',
      detail: `${statement.notAction ? 'NotAction excludes' : 'Action does not include'} \`${WEB_IDENTITY_ACTION}\``,
    };
  }
  for (const clause of statement.conditions) {
    const result = evaluateClause(clause, token);
    if (result === false) {
      const state = keyState(clause, token);
      const why =
        state.kind === 'absent'
          ? `key is absent from the token (${state.why})`
          : state.kind === 'present'
            ? `token value is \`${state.value}\``
            : '';
      return {
        ...outcome,
        applies: false,
        part: 'condition',
        detail: `${describeClause(clause)}: ${why}`,
        clause,
      };
    }
    if (result === undefined) {
      const detail = clause.operator
        ? `${describeClause(clause)} cannot be evaluated statically (unknown key, variable or operator family)`
        : `unknown condition operator \`${clause.operatorRaw}\``;
      markUndecided(outcome, 'condition', detail, clause);
    }
  }
  if (statement.issues.length > 0) markUndecided(outcome, 'statement', statement.issues.join('; '));
  if (statement.actions.length === 0) markUndecided(outcome, 'action', 'the statement has no usable Action');
  if (statement.notAction)
    markUndecided(outcome, 'action', '`NotAction` in a trust policy: IAM acceptance is not documented');
  if (!principals) markUndecided(outcome, 'principal', 'the statement has no usable Principal');
  else if (principals.wildcard) {
    markUndecided(
      outcome,
      'principal',
      'Principal `*` / `{"AWS":"*"}`: whether web-identity callers are admitted is undocumented',
    );
  }
  return outcome;
}

/** The verdict of a trust policy for one web-identity token (docs/irsa-semantics.md §2.3). */
export function evaluateWebIdentity(
  policy: NormalizedPolicy,
  role: RoleIdentity,
  token: WebIdentityToken,
): Decision {
  // Plain loops, no per-call closures: this runs for every annotated service account and probe.
  const outcomes: StatementOutcome[] = [];
  for (const statement of policy.statements) outcomes.push(evaluateStatement(statement, role, token));
  if (policy.issues.length > 0) {
    return { verdict: 'indeterminate', reason: policy.issues.join('; '), outcomes };
  }
  // The first of each kind, in statement order.
  let deny: StatementOutcome | undefined;
  let maybeDeny: StatementOutcome | undefined;
  let allow: StatementOutcome | undefined;
  let maybeAllow: StatementOutcome | undefined;
  for (const outcome of outcomes) {
    if (outcome.effect === 'Deny') {
      if (outcome.applies === true) deny ??= outcome;
      else if (outcome.applies === undefined) maybeDeny ??= outcome;
    } else if (outcome.applies === true) {
      if (outcome.effect === 'Allow') allow ??= outcome;
    } else if (outcome.applies === undefined) maybeAllow ??= outcome;
  }
  if (deny) {
    return {
      verdict: 'deny',
      statement: deny.index,
      reason: `statement ${deny.index} explicitly denies this token`,
      outcomes,
    };
  }
  if (allow && !maybeDeny) {
    return {
      verdict: 'allow',
      statement: allow.index,
      reason: `statement ${allow.index} allows this token`,
      outcomes,
    };
  }
  if (allow || maybeAllow) {
    const pending = maybeDeny ?? maybeAllow!;
    return {
      verdict: 'indeterminate',
      statement: pending.index,
      clause: pending.clause,
      reason: `statement ${pending.index}: ${pending.detail}`,
      outcomes,
    };
  }
  return { verdict: 'deny', reason: denialReason(outcomes), outcomes, ...closestAllow(outcomes) };
}

/** The Allow statement that came closest (principal matched), to explain an implicit deny. */
function closestAllow(outcomes: StatementOutcome[]): { statement?: number; clause?: ConditionClause } {
  const near = outcomes.find((outcome) => outcome.effect === 'Allow' && outcome.part === 'condition');
  return near ? { statement: near.index, clause: near.clause } : {};
}

function denialReason(outcomes: StatementOutcome[]): string {
  const allows = outcomes.filter((outcome) => outcome.effect === 'Allow');
  if (allows.length === 0) return 'the trust policy has no Allow statement';
  const byCondition = allows.find((outcome) => outcome.part === 'condition');
  if (byCondition) return `statement ${byCondition.index}: condition ${byCondition.detail}`;
  const byAction = allows.find((outcome) => outcome.part === 'action');
  if (byAction) return `statement ${byAction.index}: ${byAction.detail}`;
  const byPrincipal = allows.find((outcome) => outcome.part === 'principal');
  if (byPrincipal) return `no statement trusts this cluster's provider (${byPrincipal.detail})`;
  return 'no Allow statement applies';
}
