/**
 * trust.principal-malformed — a Federated value meant as an EKS OIDC provider that is not a valid
 * provider ARN (`https://` inside, missing `/id/`, a cluster ARN, a bad account, the wrong
 * partition). IAM rejects such documents on write (MalformedPolicyDocument) or the statement never
 * matches a token.
 */
import { repointFix, roleResource, statementEvidence } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.principal-malformed',
  runsOn: 'role',
  severity: 'high',
  title: 'Federated principal is not a valid OIDC provider ARN',
  description:
    'The Federated principal is meant to be the IAM OIDC provider of an EKS cluster but is not a valid provider ARN, so no token can match the statement.',
  remediation:
    'Use arn:<partition>:iam::<role account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<ID>.',
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role, ctx) {
    if (role.trust.oidcStatements.length === 0) return [];
    return role.trust.oidcStatements.flatMap(({ statement, providers }) =>
      providers
        .filter((provider) => provider.problem)
        .map((provider) => ({
          message: `${role.role.arn}: statement ${statement.index} has Federated principal "${provider.value}", which is not a valid OIDC provider ARN: ${provider.problem}.`,
          resource: roleResource(role, statement.index),
          evidence: statementEvidence(statement),
          discriminator: provider.value,
          // A non-string entry is removed by hand (irsa-audit fix repoints, it does not delete entries).
          ...(provider.notString
            ? {
                remediation: `Remove the entry ${provider.value} from Principal.Federated of statement ${statement.index}; every entry is an OIDC provider ARN string.`,
              }
            : repointFix(role, statement.index, ctx)),
        })),
    );
  },
};
