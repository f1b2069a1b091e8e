/**
 * The member role name is one setting with one rule (a role name, after its IAM path if it has one),
 * and every entry point accepts and rejects the same values: the Lambda environment, the CDK context,
 * the collection flags, the `access` command and the collection options a program passes.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../infra/config';
import { run as runAccess } from '../../lambda/cli/commands/access';
import { CliError, type CliIO } from '../../lambda/cli/io';
import { collectOptionsFromFlags } from '../../lambda/collect/cli-options';
import { memberRoleArn } from '../../lambda/collect/credentials';
import { resolveCollectOptions } from '../../lambda/collect/options';
import { loadHandlerConfig } from '../../lambda/config';
import { ConfigError } from '../../lambda/settings/read';
import { ENV, splitRoleName } from '../../lambda/settings/settings';
import { BASE_CONTEXT, properties, synth } from '../infra/helpers';

const ACCEPTED = [
  'IrsaAuditorMemberRole',
  'audit/IrsaReader',
  'org/security/audit/IrsaReader',
  'Role+=,.@_-x',
  'r'.repeat(64),
  `${'p'.repeat(100)}/${'q'.repeat(100)}/Reader`,
];
const REJECTED = [
  'bad role',
  'r'.repeat(65),
  'arn:aws:iam::123456789012:role/IrsaReader',
  '/audit/IrsaReader',
  'audit//IrsaReader',
  'audit/',
  'audit/Irsa Reader',
  'team:a/IrsaReader',
  // A path of more than 512 characters.
  `${'p'.repeat(300)}/${'q'.repeat(300)}/Reader`,
];

type EntryPoint = (roleName: string) => boolean;

function accepts(attempt: () => unknown): boolean {
  try {
    attempt();
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

const ENTRY_POINTS: Record<string, EntryPoint> = {
  'the Lambda environment (MEMBER_ROLE_NAME)': (roleName) =>
    accepts(() => loadHandlerConfig({ [ENV.table]: 'results', [ENV.memberRoleName]: roleName })),
  'the CDK context (memberRoleName)': (roleName) => accepts(() => parseConfig({ memberRoleName: roleName })),
  'the collection flags (--role-name)': (roleName) =>
    accepts(() => collectOptionsFromFlags({ 'role-name': roleName }, { env: {}, runId: 'test' })),
  'the collection options (roleName)': (roleName) => accepts(() => resolveCollectOptions({ roleName })),
};

describe('the member role name', () => {
  describe.each(Object.entries(ENTRY_POINTS))('read from %s', (_where, entryPoint) => {
    it.each(ACCEPTED)('accepts %s', (roleName) => {
      expect(entryPoint(roleName)).toBe(true);
    });

    it.each(REJECTED)('rejects %s', (roleName) => {
      expect(entryPoint(roleName)).toBe(false);
    });
  });

  describe('read by `irsa-audit access` (--member-role-name)', () => {
    const io: CliIO = {
      cwd: '/nonexistent',
      env: {},
      isTTY: false,
      stdout: () => {},
      stderr: () => {},
    };
    // The name is checked before the inventory is read: a valid name fails on the missing file.
    const failure = async (roleName: string) => {
      try {
        await runAccess(['--inventory', 'missing.json', '--member-role-name', roleName], io);
      } catch (error) {
        if (error instanceof CliError) return error.message;
        throw error;
      }
      throw new Error('expected a CliError');
    };

    it.each(ACCEPTED)('accepts %s', async (roleName) => {
      expect(await failure(roleName)).toContain('cannot read the inventory file');
    });

    it.each(REJECTED)('rejects %s', async (roleName) => {
      expect(await failure(roleName)).toMatch(/^--member-role-name: .* is not an IAM role name/);
    });
  });

  it('names a role whose ARN is role/<path/><name>, as IAM builds it', () => {
    expect(splitRoleName('org/security/IrsaReader')).toEqual({ path: '/org/security/', name: 'IrsaReader' });
    expect(splitRoleName('IrsaReader')).toEqual({ path: '/', name: 'IrsaReader' });
    expect(memberRoleArn('aws', '111122223333', 'org/security/IrsaReader')).toBe(
      'arn:aws:iam::111122223333:role/org/security/IrsaReader',
    );
  });

  describe('with a path, deployed by the CDK app', () => {
    const context = { ...BASE_CONTEXT, memberRoleName: 'audit/IrsaReader' };

    it('creates the StackSet role with that path and name apart', () => {
      const stackSet = properties(
        synth(context).template,
        'AWS::CloudFormation::StackSet',
        'MemberRoleStackSet',
      );
      const body = JSON.parse(stackSet.TemplateBody as string);

      expect(stackSet.Parameters).toEqual(
        expect.arrayContaining([
          { ParameterKey: 'RoleName', ParameterValue: 'IrsaReader' },
          { ParameterKey: 'RolePath', ParameterValue: '/audit/' },
        ]),
      );
      expect(body.Parameters.RolePath.AllowedPattern).toBe('^/([\\w+=,.@-]+/)*$');
      expect(body.Resources.MemberRole.Properties).toMatchObject({
        RoleName: { Ref: 'RoleName' },
        Path: { Ref: 'RolePath' },
      });
    });

    it('creates the management-account role with that path and name apart', () => {
      const { memberRoleStack } = synth({
        ...context,
        memberRoleStack: 'true',
        auditRoleArn: 'arn:aws:iam::111122223333:role/IrsaAuditor-AuditFunctionRole-ABC',
      });
      const role = properties(Template.fromStack(memberRoleStack!), 'AWS::IAM::Role', 'MemberRole');

      expect(role).toMatchObject({ RoleName: 'IrsaReader', Path: '/audit/' });
    });

    it('gives the function the role name the collectors assume, path included', () => {
      const fn = properties(synth(context).template, 'AWS::Lambda::Function', 'AuditFunction') as {
        Environment: { Variables: Record<string, string> };
      };
      expect(fn.Environment.Variables[ENV.memberRoleName]).toBe('audit/IrsaReader');
    });
  });

  it('without a path, adds no Path to the roles (templates as before)', () => {
    const stackSet = properties(synth().template, 'AWS::CloudFormation::StackSet', 'MemberRoleStackSet');
    const body = JSON.parse(stackSet.TemplateBody as string);

    expect(body.Parameters.RolePath).toBeUndefined();
    expect(body.Resources.MemberRole.Properties.Path).toBeUndefined();
  });
});
