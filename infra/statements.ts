/** IAM statements more than one function of the stack needs, written once. */
import * as iam from 'aws-cdk-lib/aws-iam';

/** The accounts of the organization (and its OUs): the audit function and the distributed plan step. */
export function readOrganizationStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadOrganization',
    actions: [
      'organizations:DescribeOrganization',
      'organizations:ListAccounts',
      'organizations:ListAccountsForParent',
      'organizations:ListOrganizationalUnitsForParent',
    ],
    resources: ['*'],
  });
}
