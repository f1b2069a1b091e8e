import { Template } from 'aws-cdk-lib/assertions';
import { MEMBER_ROLE_ACTIONS } from '../../infra/member-role';
import { arnOf, BASE_CONTEXT, logicalId, ORG_ID, properties, resource, synth } from './helpers';

const AUDIT_ROLE_ARN = 'arn:aws:iam::111122223333:role/IrsaAuditor-AuditFunctionRoleA885DC2B-AbCdEf';

/** What docs/deployment.md and docs/collection.md ask the member role to do, and nothing else. */
const EXPECTED_PERMISSIONS = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ListAccountWide',
      Effect: 'Allow',
      Action: [
        'account:ListRegions',
        'eks:ListClusters',
        'iam:GetAccountAuthorizationDetails',
        'iam:ListOpenIDConnectProviders',
      ],
      Resource: '*',
    },
    {
      Sid: 'ReadOidcProviders',
      Effect: 'Allow',
      Action: ['iam:GetOpenIDConnectProvider'],
      Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/*` },
    },
    {
      Sid: 'ReadClusters',
      Effect: 'Allow',
      Action: ['eks:DescribeCluster', 'eks:ListPodIdentityAssociations'],
      Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:eks:*:\${AWS::AccountId}:cluster/*` },
    },
    {
      Sid: 'ReadPodIdentityAssociations',
      Effect: 'Allow',
      Action: ['eks:DescribePodIdentityAssociation'],
      Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:eks:*:\${AWS::AccountId}:podidentityassociation/*` },
    },
  ],
};

function stackSetOf(template: Template) {
  const stackSet = properties(template, 'AWS::CloudFormation::StackSet', 'MemberRoleStackSet');
  const body = JSON.parse(stackSet.TemplateBody as string);
  return { stackSet, body, role: body.Resources.MemberRole.Properties };
}

describe('member role StackSet', () => {
  let template: Template;
  beforeAll(() => {
    template = synth().template;
  });

  it('is service-managed, auto-deploys to new accounts and removes the role when an account leaves', () => {
    template.resourceCountIs('AWS::CloudFormation::StackSet', 1);
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'IrsaAuditor-member-role',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'DELEGATED_ADMIN',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    });
    // Every account under the targets except the audit account, which holds its own copy of the role.
    expect(stackSetOf(template).stackSet.StackInstancesGroup).toEqual([
      {
        DeploymentTargets: {
          OrganizationalUnitIds: ['r-ab12'],
          Accounts: [{ Ref: 'AWS::AccountId' }],
          AccountFilterType: 'DIFFERENCE',
        },
        Regions: [{ Ref: 'AWS::Region' }],
      },
    ]);
  });

  it("passes the audit function role's ARN, the organization id and the role name as parameters", () => {
    const { stackSet } = stackSetOf(template);
    const functionRole = logicalId(template, 'AWS::IAM::Role', 'AuditFunctionRole');

    expect(stackSet.Parameters).toEqual([
      { ParameterKey: 'AuditRoleArn', ParameterValue: arnOf(functionRole) },
      { ParameterKey: 'OrgId', ParameterValue: ORG_ID },
      { ParameterKey: 'RoleName', ParameterValue: 'IrsaAuditorMemberRole' },
    ]);
  });

  it('creates a role that trusts only the audit function role, inside the organization', () => {
    const { body, role } = stackSetOf(template);

    expect(Object.keys(body.Resources)).toEqual(['MemberRole']);
    expect(body.Resources.MemberRole.Type).toBe('AWS::IAM::Role');
    expect(role.RoleName).toEqual({ Ref: 'RoleName' });
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AuditFunctionOnly',
          Effect: 'Allow',
          Principal: { AWS: { Ref: 'AuditRoleArn' } },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrgId' } } },
        },
      ],
    });
    expect(body.Parameters.OrgId.AllowedPattern).toBe('^o-[a-z0-9]{10,32}$');
  });

  it('grants exactly the read-only permissions of docs/collection.md', () => {
    const { role } = stackSetOf(template);

    expect(role.Policies).toEqual([
      { PolicyName: 'irsa-auditor-read-only', PolicyDocument: EXPECTED_PERMISSIONS },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    const actions = Object.values(MEMBER_ROLE_ACTIONS).flat();
    expect([...actions].sort()).toEqual([
      'account:ListRegions',
      'eks:DescribeCluster',
      'eks:DescribePodIdentityAssociation',
      'eks:ListClusters',
      'eks:ListPodIdentityAssociations',
      'iam:GetAccountAuthorizationDetails',
      'iam:GetOpenIDConnectProvider',
      'iam:ListOpenIDConnectProviders',
    ]);
    for (const action of actions) expect(action).toMatch(/^[a-z]+:(List|Get|Describe)[A-Za-z]+$/);
  });

  it('adds the sts:ExternalId condition and parameter when an external id is configured', () => {
    const { template: withExternalId } = synth({ ...BASE_CONTEXT, externalId: 'irsa-auditor-2026' });
    const { stackSet, body, role } = stackSetOf(withExternalId);

    expect(stackSet.Parameters).toContainEqual({
      ParameterKey: 'ExternalId',
      ParameterValue: 'irsa-auditor-2026',
    });
    expect(body.Parameters.ExternalId).toMatchObject({ Type: 'String' });
    expect(role.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrgId' }, 'sts:ExternalId': { Ref: 'ExternalId' } },
    });
  });

  it('deploys to the chosen OUs and region, as the management account when asked', () => {
    const { template: custom } = synth({
      ...BASE_CONTEXT,
      targetOus: 'ou-ab12-cdefgh12,ou-ab12-ijklmn34',
      stackSetRegion: 'eu-west-1',
      stackSetCallAs: 'SELF',
    });

    custom.hasResourceProperties('AWS::CloudFormation::StackSet', { CallAs: 'SELF' });
    expect(stackSetOf(custom).stackSet.StackInstancesGroup).toEqual([
      {
        DeploymentTargets: {
          OrganizationalUnitIds: ['ou-ab12-cdefgh12', 'ou-ab12-ijklmn34'],
          Accounts: [{ Ref: 'AWS::AccountId' }],
          AccountFilterType: 'DIFFERENCE',
        },
        Regions: ['eu-west-1'],
      },
    ]);
  });

  it('can be left out when the role is rolled out another way', () => {
    synth({ ...BASE_CONTEXT, memberRoleStackSet: 'false' }).template.resourceCountIs(
      'AWS::CloudFormation::StackSet',
      0,
    );
  });
});

describe('member role in the audit account', () => {
  it('is part of the audit stack: the same role as the StackSet, trusting the function role', () => {
    const { template } = synth();
    const { stackSet: stackSetProps, role: stackSetRole } = stackSetOf(template);
    const functionRole = logicalId(template, 'AWS::IAM::Role', 'AuditFunctionRole');
    const stackSet = logicalId(template, 'AWS::CloudFormation::StackSet', 'MemberRoleStackSet');

    const own = resource(template, 'AWS::IAM::Role', 'AuditAccountMemberRole');
    const role = own.Properties ?? {};
    expect(role.RoleName).toBe('IrsaAuditorMemberRole');
    expect(role.Description).toBe(stackSetRole.Description);
    expect(role.MaxSessionDuration).toBe(3600);
    expect(role.Policies).toEqual([
      { PolicyName: 'irsa-auditor-read-only', PolicyDocument: EXPECTED_PERMISSIONS },
    ]);
    expect(role.Tags).toEqual(stackSetRole.Tags);
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AuditFunctionOnly',
          Effect: 'Allow',
          Principal: { AWS: arnOf(functionRole) },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
        },
      ],
    });
    // Created after the StackSet, whose instance in this account (an older deployment's) must go first.
    expect(own.DependsOn).toContain(stackSet);
    expect(stackSetProps.StackInstancesGroup).toEqual([
      expect.objectContaining({
        DeploymentTargets: expect.objectContaining({ Accounts: [{ Ref: 'AWS::AccountId' }] }),
      }),
    ]);
  });

  it('requires the external id too when one is configured', () => {
    const { template } = synth({ ...BASE_CONTEXT, externalId: 'irsa-auditor-2026' });

    const role = properties(template, 'AWS::IAM::Role', 'AuditAccountMemberRole');
    expect(
      (role.AssumeRolePolicyDocument as { Statement: { Condition: unknown }[] }).Statement[0].Condition,
    ).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': ORG_ID, 'sts:ExternalId': 'irsa-auditor-2026' },
    });
  });

  it('is in the audit stack even without the StackSet', () => {
    const { template } = synth({ ...BASE_CONTEXT, memberRoleStackSet: 'false' });

    expect(properties(template, 'AWS::IAM::Role', 'AuditAccountMemberRole').RoleName).toBe(
      'IrsaAuditorMemberRole',
    );
  });

  it('can be left to the StackSet (or another rollout) with auditAccountMemberRole=false', () => {
    const { template } = synth({ ...BASE_CONTEXT, auditAccountMemberRole: 'false' });

    expect(
      Object.keys(template.findResources('AWS::IAM::Role')).filter((id) =>
        id.startsWith('AuditAccountMemberRole'),
      ),
    ).toEqual([]);
    expect(stackSetOf(template).stackSet.StackInstancesGroup).toEqual([
      { DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'] }, Regions: [{ Ref: 'AWS::Region' }] },
    ]);
  });
});

describe('member role stack for the management account', () => {
  it('is only synthesized on request', () => {
    expect(synth().memberRoleStack).toBeUndefined();
  });

  it('creates the same role as the StackSet, trusting the given audit role ARN', () => {
    const { memberRoleStack, template: auditTemplate } = synth({
      ...BASE_CONTEXT,
      memberRoleStack: 'true',
      auditRoleArn: AUDIT_ROLE_ARN,
    });
    const template = Template.fromStack(memberRoleStack!);
    const { role: stackSetRole } = stackSetOf(auditTemplate);

    template.resourceCountIs('AWS::IAM::Role', 1);
    const role = properties(template, 'AWS::IAM::Role', 'MemberRole');
    expect(role.RoleName).toBe('IrsaAuditorMemberRole');
    expect(role.Description).toBe(stackSetRole.Description);
    expect(role.MaxSessionDuration).toBe(3600);
    expect(role.Policies).toEqual(stackSetRole.Policies);
    expect(role.Tags).toEqual(stackSetRole.Tags);
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AuditFunctionOnly',
          Effect: 'Allow',
          Principal: { AWS: AUDIT_ROLE_ARN },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
        },
      ],
    });
    expect(template.toJSON().Outputs.MemberRoleArn.Value).toEqual(
      arnOf(logicalId(template, 'AWS::IAM::Role', 'MemberRole')),
    );
  });

  it('deploys as a plain template: no assets, no CDK bootstrap parameter or rule', () => {
    const { memberRoleStack } = synth({
      ...BASE_CONTEXT,
      memberRoleStack: 'true',
      auditRoleArn: AUDIT_ROLE_ARN,
    });
    const json = Template.fromStack(memberRoleStack!).toJSON();

    expect(json.Parameters).toBeUndefined();
    expect(json.Rules).toBeUndefined();
    // Only the role (CDK's version-reporting metadata resource aside, which `cdk synth` may add).
    const types = Object.values(json.Resources).map((resource) => (resource as { Type: string }).Type);
    expect(types.filter((type) => type !== 'AWS::CDK::Metadata')).toEqual(['AWS::IAM::Role']);
  });
});
