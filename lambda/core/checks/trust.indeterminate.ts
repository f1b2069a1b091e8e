/**
 * trust.indeterminate — constructs the evaluator cannot decide for an EKS token: unknown condition
 * keys or operators, `NotAction`, `Principal: "*"`, policy variables, an unparsable document. Reported
 * so that "could not evaluate" is never read as "safe".
 */
import type { FindingDraft } from '../findings';
import { WEB_IDENTITY_ACTION } from '../model';
import { statementCoversAction } from '../policy/normalize';
import { roleResource, statementEvidence } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.indeterminate',
  runsOn: 'role',
  severity: 'medium',
  title: 'Trust policy cannot be evaluated for EKS tokens',
  description:
    'The trust policy uses constructs whose effect on an EKS web-identity token cannot be decided statically (unknown keys or operators, NotAction, Principal "*", policy variables, unparsable JSON). Review it by hand.',
  remediation:
    'Rewrite the statement in the documented IRSA form: Federated provider, sts:AssumeRoleWithWebIdentity, StringEquals on :sub and :aud.',
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role) {
    const drafts: FindingDraft[] = [];
    const policy = role.trust.policy;
    if (policy.issues.length > 0) {
      drafts.push({
        message: `${role.role.arn}: the trust policy cannot be evaluated: ${policy.issues.join('; ')}.`,
        resource: roleResource(role),
        evidence: { issues: policy.issues },
        discriminator: 'document',
      });
      return drafts;
    }
    const oidc = new Set(role.trust.oidcStatements.map(({ statement }) => statement.index));
    for (const statement of policy.statements) {
      const reasons: string[] = [];
      const wildcardPrincipal = statement.principals?.wildcard === true || statement.notPrincipal;
      // A statement whose Principal could not be read (missing, garbled, not an object) may name any
      // provider: the evaluator cannot decide it for any token, so it is reported like a wildcard.
      const unknownPrincipal = statement.principals === undefined;
      const relevant =
        oidc.has(statement.index) ||
        ((wildcardPrincipal || unknownPrincipal) &&
          (statement.actions.length === 0 || statementCoversAction(statement, WEB_IDENTITY_ACTION)));
      if (!relevant) continue;
      reasons.push(...statement.issues);
      if (statement.notAction) reasons.push('`NotAction` (IAM acceptance in trust policies is undocumented)');
      if (wildcardPrincipal && !statement.notPrincipal) {
        reasons.push(
          'Principal "*" with an action covering sts:AssumeRoleWithWebIdentity (over-permissive; effect on web identity undocumented)',
        );
      }
      for (const grant of role.trust.grants) {
        if (grant.statement === statement.index)
          reasons.push(...grant.undecidable.filter((r) => !statement.issues.includes(r)));
      }
      if (reasons.length === 0) continue;
      drafts.push({
        message: `${role.role.arn}: statement ${statement.index} cannot be evaluated for EKS tokens: ${[...new Set(reasons)].join('; ')}.`,
        resource: roleResource(role, statement.index),
        evidence: statementEvidence(statement),
      });
    }
    return drafts;
  },
};
