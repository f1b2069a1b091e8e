/**
 * The read-only member role (docs/deployment.md, docs/collection.md "Permissions") that the audit function assumes in every account, and the
 * service-managed CloudFormation StackSet that rolls it out to the organization.
 *
 * The policy documents are generated here once and used twice: inside the StackSet's template body
 * (member accounts) and by MemberRoleStack (the management account, which StackSets never deploy to).
 */
import { Stack } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import { splitRoleName } from '../lambda/settings/settings';

/** Every API the collectors call with the member role's credentials (sts:GetCallerIdentity needs no grant). */
export const MEMBER_ROLE_ACTIONS = {
  /** No resource-level permissions exist for these. */
  accountWide: [
    'account:ListRegions',
    'eks:ListClusters',
    'iam:GetAccountAuthorizationDetails',
    'iam:ListOpenIDConnectProviders',
  ],
  oidcProvider: ['iam:GetOpenIDConnectProvider'],
  cluster: ['eks:DescribeCluster', 'eks:ListPodIdentityAssociations'],
  podIdentityAssociation: ['eks:DescribePodIdentityAssociation'],
} as const;

/** A CloudFormation value: a literal or an intrinsic such as `{ Ref: 'OrgId' }`. */
export type CfnValue = string | Record<string, unknown>;

export interface MemberTrustInput {
  auditRoleArn: CfnValue;
  orgId: CfnValue;
  /** When set, the trust also requires this sts:ExternalId. */
  externalId?: CfnValue;
}

/** Only the audit function's role, and only while it belongs to the organization. */
export function memberTrustPolicy({ auditRoleArn, orgId, externalId }: MemberTrustInput) {
  const stringEquals: Record<string, CfnValue> = { 'aws:PrincipalOrgID': orgId };
  if (externalId !== undefined) stringEquals['sts:ExternalId'] = externalId;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AuditFunctionOnly',
        Effect: 'Allow',
        Principal: { AWS: auditRoleArn },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: stringEquals },
      },
    ],
  };
}

/** Read-only: list and describe; resources scoped to the account wherever IAM and EKS allow it. */
export function memberPermissionsPolicy() {
  // Fn::Sub, resolved by CloudFormation in each account.
  const inThisAccount = (service: string, region: string, resource: string) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:${service}:${region}:\${AWS::AccountId}:${resource}`,
  });
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ListAccountWide',
        Effect: 'Allow',
        Action: [...MEMBER_ROLE_ACTIONS.accountWide],
        Resource: '*',
      },
      {
        Sid: 'ReadOidcProviders',
        Effect: 'Allow',
        Action: [...MEMBER_ROLE_ACTIONS.oidcProvider],
        Resource: inThisAccount('iam', '', 'oidc-provider/*'),
      },
      {
        Sid: 'ReadClusters',
        Effect: 'Allow',
        Action: [...MEMBER_ROLE_ACTIONS.cluster],
        Resource: inThisAccount('eks', '*', 'cluster/*'),
      },
      {
        Sid: 'ReadPodIdentityAssociations',
        Effect: 'Allow',
        Action: [...MEMBER_ROLE_ACTIONS.podIdentityAssociation],
        Resource: inThisAccount('eks', '*', 'podidentityassociation/*'),
      },
    ],
  };
}

export const MEMBER_ROLE_DESCRIPTION =
  'irsa-auditor: read-only access to IAM OIDC providers, IAM roles and EKS clusters, assumed by the nightly audit';
export const MEMBER_ROLE_POLICY_NAME = 'irsa-auditor-read-only';
export const MEMBER_ROLE_TAGS = [{ Key: 'managed-by', Value: 'irsa-auditor' }];

/**
 * The template body each StackSet instance deploys. Values arrive as parameters, so the body is a
 * constant JSON document (reviewable and testable) and the audit role's ARN is passed by reference.
 */
function memberRoleTemplate(options: { withExternalId: boolean; withPath?: boolean }) {
  const parameters: Record<string, unknown> = {
    AuditRoleArn: {
      Type: 'String',
      Description: 'ARN of the audit function role allowed to assume this role',
    },
    OrgId: { Type: 'String', AllowedPattern: '^o-[a-z0-9]{10,32}$', Description: 'AWS Organizations id' },
    RoleName: {
      Type: 'String',
      AllowedPattern: '^[\\w+=,.@-]{1,64}$',
      Description: 'Name of the member role',
    },
  };
  if (options.withPath) {
    parameters.RolePath = {
      Type: 'String',
      AllowedPattern: '^/([\\w+=,.@-]+/)*$',
      Description: 'IAM path of the member role',
    };
  }
  if (options.withExternalId) {
    parameters.ExternalId = { Type: 'String', Description: 'sts:ExternalId the audit function sends' };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'irsa-auditor member role (read-only), deployed by a service-managed StackSet',
    Parameters: parameters,
    Resources: {
      MemberRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: 'RoleName' },
          ...(options.withPath ? { Path: { Ref: 'RolePath' } } : {}),
          Description: MEMBER_ROLE_DESCRIPTION,
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: memberTrustPolicy({
            auditRoleArn: { Ref: 'AuditRoleArn' },
            orgId: { Ref: 'OrgId' },
            externalId: options.withExternalId ? { Ref: 'ExternalId' } : undefined,
          }),
          Policies: [{ PolicyName: MEMBER_ROLE_POLICY_NAME, PolicyDocument: memberPermissionsPolicy() }],
          Tags: MEMBER_ROLE_TAGS,
        },
      },
    },
    Outputs: { MemberRoleArn: { Value: { 'Fn::GetAtt': ['MemberRole', 'Arn'] } } },
  };
}

export interface MemberRoleStackSetProps {
  auditRoleArn: string;
  orgId: string;
  /** The member role's name, after its IAM path if it has one (`audit/IrsaAuditorMemberRole`). */
  roleName: string;
  externalId?: string;
  /** The organization root (`r-…`) or OU ids (`ou-…`); tokens allowed. */
  targets: string[];
  /** Accounts under the targets that get no instance (the audit account, which has its own role). */
  excludeAccounts?: string[];
  /** One region: IAM is global, a second instance per account would collide on the role name. */
  region: string;
  callAs: 'SELF' | 'DELEGATED_ADMIN';
}

export class MemberRoleStackSet extends Construct {
  readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberRoleStackSetProps) {
    super(scope, id);
    const role = memberRoleNameAndPath(props.roleName);
    const parameters = [
      { parameterKey: 'AuditRoleArn', parameterValue: props.auditRoleArn },
      { parameterKey: 'OrgId', parameterValue: props.orgId },
      { parameterKey: 'RoleName', parameterValue: role.name },
    ];
    if (role.path !== '/') parameters.push({ parameterKey: 'RolePath', parameterValue: role.path });
    if (props.externalId !== undefined) {
      parameters.push({ parameterKey: 'ExternalId', parameterValue: props.externalId });
    }
    this.stackSet = new CfnStackSet(this, 'StackSet', {
      stackSetName: `${Stack.of(this).stackName}-member-role`,
      description: 'irsa-auditor read-only member role in every account of the organization (or chosen OUs)',
      permissionModel: 'SERVICE_MANAGED',
      // New accounts get the role when they join a target OU; leaving the organization removes it.
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: props.callAs,
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 50,
        // A few accounts that deny IAM writes through an SCP must not block the other hundred.
        failureTolerancePercentage: 10,
      },
      templateBody: JSON.stringify(
        memberRoleTemplate({ withExternalId: props.externalId !== undefined, withPath: role.path !== '/' }),
      ),
      parameters,
      stackInstancesGroup: [
        {
          deploymentTargets: {
            organizationalUnitIds: props.targets,
            ...(props.excludeAccounts?.length
              ? { accounts: props.excludeAccounts, accountFilterType: 'DIFFERENCE' }
              : {}),
          },
          regions: [props.region],
        },
      ],
    });
  }
}

/**
 * The member role setting (`audit/IrsaAuditorMemberRole`) as CloudFormation wants it: RoleName and
 * Path apart. The audit assumes `role/<path/><name>`, the ARN of the role created this way.
 */
export function memberRoleNameAndPath(roleName: string): { name: string; path: string } {
  const role = splitRoleName(roleName);
  if (!role) throw new Error(`not an IAM role name: ${JSON.stringify(roleName)}`);
  return role;
}
