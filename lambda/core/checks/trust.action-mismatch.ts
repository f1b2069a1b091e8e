/**
 * trust.action-mismatch — a statement for an OIDC principal that does not allow
 * `sts:AssumeRoleWithWebIdentity` (typically `sts:AssumeRole`, copied from an EC2 or account trust):
 * the web-identity exchange is denied.
 */
import { WEB_IDENTITY_ACTION } from '../model';
import { roleResource, statementEvidence, trustFix } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.action-mismatch',
  runsOn: 'role',
  severity: 'high',
  title: 'OIDC statement does not allow sts:AssumeRoleWithWebIdentity',
  description:
    'A statement with an OIDC (Federated) principal allows other actions but not sts:AssumeRoleWithWebIdentity, so pods cannot exchange their token through it.',
  remediation: 'Set "Action": "sts:AssumeRoleWithWebIdentity" in the statement.',
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role) {
    if (role.trust.oidcStatements.length === 0) return [];
    return role.trust.oidcStatements
      .filter(
        ({ statement, coversWebIdentity }) =>
          statement.effect === 'Allow' &&
          !statement.notAction &&
          statement.actions.length > 0 &&
          !coversWebIdentity,
      )
      .map(({ statement }) => ({
        message: `${role.role.arn}: statement ${statement.index} has an OIDC principal but allows ${JSON.stringify(statement.actions)}, not ${WEB_IDENTITY_ACTION}; pods get AccessDenied.`,
        resource: roleResource(role, statement.index),
        evidence: statementEvidence(statement),
        ...trustFix(
          role.role.arn,
          `Set the Action of statement ${statement.index} to "${WEB_IDENTITY_ACTION}".`,
        ),
      }));
  },
};
