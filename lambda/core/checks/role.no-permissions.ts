/**
 * role.no-permissions — an IRSA role with no attached and no inline policy (guide: verify that all
 * your required permissions are assigned): the pod assumes it and then gets AccessDenied on every call.
 * Silent when the inventory does not say which policies the role has.
 */

import { shellQuote } from '../access-entry';
import { roleNameOf } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'role.no-permissions',
  runsOn: 'role',
  severity: 'low',
  title: 'IRSA role has no permissions policy',
  description: 'The role is used for IRSA but has neither attached managed policies nor inline policies.',
  remediation: 'Attach a managed policy (or put an inline policy) with what the pods need.',
  commands: ['aws iam attach-role-policy --role-name <name> --policy-arn <policy arn>'],
  guideStep: 'role-permissions',
  reads: ['iam-roles'],
  run(role) {
    const { attachedPolicyArns, inlinePolicyNames } = role.role;
    if (role.trust.grants.length === 0 || !attachedPolicyArns || !inlinePolicyNames) return [];
    if (attachedPolicyArns.length > 0 || inlinePolicyNames.length > 0) return [];
    const name = roleNameOf(role.role.arn);
    return [
      {
        message: `${role.role.arn} is an IRSA role with no attached or inline policy: pods that assume it can call nothing.`,
        resource: { accountId: role.accountId, roleArn: role.role.arn },
        remediation:
          'Attach a managed policy with what the pods need (replace <policy arn>), or put an inline policy (put-role-policy).',
        commands: [`aws iam attach-role-policy --role-name ${shellQuote(name)} --policy-arn <policy arn>`],
      },
    ];
  },
};
