/**
 * Evaluates a Pod Identity role's trust for one association (docs/irsa-semantics.md §4.2). The EKS Auth service
 * (`pods.eks.amazonaws.com`) calls `sts:AssumeRole` and `sts:TagSession`, tagging the session with
 * `eks-cluster-arn`, `eks-cluster-name`, `kubernetes-namespace`, `kubernetes-service-account`,
 * `kubernetes-pod-name` and `kubernetes-pod-uid`; so a condition on `aws:RequestTag/<tag>` is decided
 * with the association's values (pod name and uid differ per pod: undecidable). EKS sets no other
 * tag, so other `aws:RequestTag/…` keys are absent. Any other key (`aws:SourceArn`, `aws:SourceAccount`,
 * `aws:PrincipalTag/…`, `aws:TagKeys`…) is not documented for this request: the answer is
 * `indeterminate`, never `allow`. Deny wins, as for web identity. An association created with
 * `disableSessionTags` gets no tags; the inventory does not record that field, so tags are assumed.
 */
import { POD_IDENTITY_SERVICE } from '../model';
import { evaluateClauseWith, type Tri } from './evaluate';
import type { ConditionClause, NormalizedPolicy, NormalizedStatement } from './normalize';
import { statementCoversAction } from './normalize';

/** Both are needed: EKS tags the session (EKS user guide, pod-id-role). */
const POD_IDENTITY_ACTIONS: readonly string[] = ['sts:AssumeRole', 'sts:TagSession'];

/** What EKS puts in the session tags for pods of one association. */
export interface PodIdentitySession {
  clusterName: string;
  /** Unknown when the inventory has no cluster ARN: conditions on it are then undecidable. */
  clusterArn?: string;
  namespace: string;
  serviceAccount: string;
}

export interface PodIdentityActionOutcome {
  action: string;
  verdict: 'allow' | 'deny' | 'indeterminate';
  /** The deciding statement (the Deny, the Allow, the undecidable one, or the nearest Allow). */
  statement?: number;
  reason: string;
}

export interface PodIdentityDecision {
  verdict: 'allow' | 'deny' | 'indeterminate';
  /** One outcome per action of POD_IDENTITY_ACTIONS, in that order. */
  actions: PodIdentityActionOutcome[];
}

const REQUEST_TAG = 'aws:requesttag/';

type SessionKeyState =
  | { kind: 'present'; value: string | undefined }
  | { kind: 'absent'; why: string }
  | { kind: 'unknown' };

/** What the request context holds for a condition key when EKS assumes the role for `session`. */
function sessionKeyState(clause: ConditionClause, session: PodIdentitySession): SessionKeyState {
  if (!clause.keyLower.startsWith(REQUEST_TAG)) return { kind: 'unknown' };
  switch (clause.keyLower.slice(REQUEST_TAG.length)) {
    case 'kubernetes-namespace':
      return { kind: 'present', value: session.namespace };
    case 'kubernetes-service-account':
      return { kind: 'present', value: session.serviceAccount };
    case 'eks-cluster-name':
      return { kind: 'present', value: session.clusterName };
    case 'eks-cluster-arn':
      return { kind: 'present', value: session.clusterArn };
    case 'kubernetes-pod-name':
    case 'kubernetes-pod-uid':
      return { kind: 'present', value: undefined };
    default:
      return { kind: 'absent', why: 'EKS Pod Identity sets no such session tag' };
  }
}

function describeClause(clause: ConditionClause): string {
  const values = clause.values.map((value) => value.raw);
  return `\`${clause.operatorRaw}\` \`${clause.key}\` ${JSON.stringify(values.length === 1 ? values[0] : values)}`;
}

interface StatementOutcome {
  index: number;
  effect: 'Allow' | 'Deny';
  applies: Tri;
  detail?: string;
}

function statementOutcome(
  statement: NormalizedStatement,
  action: string,
  session: PodIdentitySession,
): StatementOutcome | undefined {
  const principals = statement.principals;
  if (!statement.effect || !principals) return undefined;
  // A Deny for every principal also refuses the EKS service; an Allow for "*" is not how EKS is trusted.
  const named = principals.service.includes(POD_IDENTITY_SERVICE);
  if (!named && !(statement.effect === 'Deny' && principals.wildcard)) return undefined;
  const outcome: StatementOutcome = { index: statement.index, effect: statement.effect, applies: true };
  if (statement.actions.length > 0 && !statementCoversAction(statement, action)) return undefined;
  for (const clause of statement.conditions) {
    const state = sessionKeyState(clause, session);
    const result = evaluateClauseWith(clause, state);
    if (result === false) {
      const why =
        state.kind === 'present'
          ? `the session tag is ${JSON.stringify(state.value)}`
          : state.kind === 'absent'
            ? state.why
            : '';
      return { ...outcome, applies: false, detail: `${describeClause(clause)}: ${why}` };
    }
    // The condition that made a Deny apply is what the finding shows.
    if (result === true && state.kind === 'present' && state.value !== undefined) {
      outcome.detail ??= `${describeClause(clause)}: the session tag is ${JSON.stringify(state.value)}`;
    }
    if (result === undefined && outcome.applies === true) {
      outcome.applies = undefined;
      outcome.detail =
        state.kind === 'unknown'
          ? `${describeClause(clause)}: the key is not documented for Pod Identity and is not evaluated`
          : `${describeClause(clause)} cannot be evaluated statically`;
    }
  }
  if (statement.issues.length > 0 && outcome.applies === true) {
    outcome.applies = undefined;
    outcome.detail = statement.issues.join('; ');
  }
  if (statement.actions.length === 0 && outcome.applies === true) {
    outcome.applies = undefined;
    outcome.detail = 'the statement has no usable Action';
  }
  return outcome;
}

function decideAction(
  policy: NormalizedPolicy,
  action: string,
  session: PodIdentitySession,
): PodIdentityActionOutcome {
  let deny: StatementOutcome | undefined;
  let maybeDeny: StatementOutcome | undefined;
  let allow: StatementOutcome | undefined;
  let maybeAllow: StatementOutcome | undefined;
  let nearAllow: StatementOutcome | undefined;
  for (const statement of policy.statements) {
    const outcome = statementOutcome(statement, action, session);
    if (!outcome) continue;
    if (outcome.effect === 'Deny') {
      if (outcome.applies === true) deny ??= outcome;
      else if (outcome.applies === undefined) maybeDeny ??= outcome;
    } else if (outcome.applies === true) allow ??= outcome;
    else if (outcome.applies === undefined) maybeAllow ??= outcome;
    else nearAllow ??= outcome;
  }
  if (deny) {
    return {
      action,
      verdict: 'deny',
      statement: deny.index,
      reason: `statement ${deny.index} denies it${deny.detail ? ` (${deny.detail})` : ''}`,
    };
  }
  if (allow && !maybeDeny) {
    return { action, verdict: 'allow', statement: allow.index, reason: `statement ${allow.index} allows it` };
  }
  const pending = maybeDeny ?? maybeAllow;
  if (allow || pending) {
    const undecided = pending ?? allow!;
    return {
      action,
      verdict: 'indeterminate',
      statement: undecided.index,
      reason: `statement ${undecided.index}: ${undecided.detail}`,
    };
  }
  if (nearAllow) {
    return {
      action,
      verdict: 'deny',
      statement: nearAllow.index,
      reason: `statement ${nearAllow.index} does not apply: ${nearAllow.detail}`,
    };
  }
  return { action, verdict: 'deny', reason: `no statement allows ${POD_IDENTITY_SERVICE} to call it` };
}

/** The verdict of a trust policy for EKS assuming the role for one association's pods. */
export function evaluatePodIdentity(
  policy: NormalizedPolicy,
  session: PodIdentitySession,
): PodIdentityDecision {
  const actions = POD_IDENTITY_ACTIONS.map((action) => decideAction(policy, action, session));
  const verdict = actions.some((outcome) => outcome.verdict === 'deny')
    ? 'deny'
    : actions.some((outcome) => outcome.verdict === 'indeterminate')
      ? 'indeterminate'
      : 'allow';
  return { verdict, actions };
}
