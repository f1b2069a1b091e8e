/**
 * The member role as a plain stack, for the one account a service-managed StackSet never deploys to:
 * the organization's management account (the audit stack puts the role into its own account itself).
 * Same trust and permissions documents as the StackSet template (infra/member-role.ts).
 */
import {
  BootstraplessSynthesizer,
  CfnOutput,
  CfnParameter,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import {
  MEMBER_ROLE_DESCRIPTION,
  MEMBER_ROLE_POLICY_NAME,
  MEMBER_ROLE_TAGS,
  memberPermissionsPolicy,
  memberRoleNameAndPath,
  memberTrustPolicy,
} from './member-role';

export interface MemberRoleStackProps extends StackProps {
  auditRoleArn: string;
  /** Absent: taken as the CloudFormation parameter `OrgId` at deploy time. */
  orgId?: string;
  /** The member role's name, after its IAM path if it has one. */
  roleName: string;
  externalId?: string;
}

export class MemberRoleStack extends Stack {
  readonly role: CfnRole;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps) {
    // No assets and no BootstrapVersion parameter: the synthesized template deploys with a plain
    // `aws cloudformation deploy` and the management account's own credentials, so that account needs no
    // CDK bootstrap (`cdk deploy` works too where it is bootstrapped).
    super(scope, id, { synthesizer: new BootstraplessSynthesizer(), ...props });
    this.role = memberRole(this, 'MemberRole', { ...props, orgId: props.orgId ?? orgIdParameter(this) });
    new CfnOutput(this, 'MemberRoleArn', { value: this.role.attrArn });
  }
}

export interface MemberRoleProps {
  auditRoleArn: string;
  orgId: string;
  /** The member role's name, after its IAM path if it has one. */
  roleName: string;
  externalId?: string;
}

/**
 * The member role as one resource of a stack (the plain member-role stack, and the audit stack for its
 * own account), with the cdk-nag acknowledgements it needs.
 */
export function memberRole(scope: Construct, id: string, props: MemberRoleProps): CfnRole {
  const name = memberRoleNameAndPath(props.roleName);
  const role = new CfnRole(scope, id, {
    roleName: name.name,
    ...(name.path !== '/' ? { path: name.path } : {}),
    description: MEMBER_ROLE_DESCRIPTION,
    maxSessionDuration: 3600,
    assumeRolePolicyDocument: memberTrustPolicy({
      auditRoleArn: props.auditRoleArn,
      orgId: props.orgId,
      externalId: props.externalId,
    }),
    policies: [{ policyName: MEMBER_ROLE_POLICY_NAME, policyDocument: memberPermissionsPolicy() }],
    tags: MEMBER_ROLE_TAGS.map(({ Key, Value }) => ({ key: Key, value: Value })),
  });
  Validations.of(role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'account:ListRegions, eks:ListClusters, iam:GetAccountAuthorizationDetails and iam:ListOpenIDConnectProviders support no resource-level permissions; all four are read-only list calls',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:oidc-provider/*]',
      reason:
        'iam:GetOpenIDConnectProvider on every OIDC provider of this account: the audit compares all of them with the clusters',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:cluster/*]',
      reason:
        'eks:DescribeCluster and eks:ListPodIdentityAssociations on every cluster of this account, in every region it audits',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:podidentityassociation/*]',
      reason:
        'eks:DescribePodIdentityAssociation on every association of this account: the role ARN is only in the describe call',
    },
  );
  return role;
}

/** The organization id as a deploy-time parameter, validated by CloudFormation, when not given in context. */
export function orgIdParameter(scope: Construct): string {
  return new CfnParameter(scope, 'OrgId', {
    type: 'String',
    allowedPattern: '^o-[a-z0-9]{10,32}$',
    constraintDescription: 'an AWS Organizations id such as o-a1b2c3d4e5',
    description:
      'AWS Organizations id (aws organizations describe-organization --query Organization.Id); or pass -c orgId=… at synth',
  }).valueAsString;
}
