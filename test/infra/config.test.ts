import { DEFAULTS, parseConfig } from '../../infra/config';
import { ConfigError } from '../../lambda/settings/read';
import { scheduleExpressionProblem } from '../../lambda/settings/settings';
import { CDK_JSON } from './helpers';

function problemsOf(context: Record<string, unknown>): string[] {
  try {
    parseConfig(context);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const AUDIT_ROLE_ARN_FOR_CONFIG = 'arn:aws:iam::111122223333:role/IrsaAuditor-AuditFunctionRole-AbCdEf';

describe('parseConfig', () => {
  it('applies the documented defaults to an empty context (fresh clone, no -c)', () => {
    const config = parseConfig({});

    expect(config).toMatchObject({
      schedule: 'cron(0 3 * * ? *)',
      timezone: 'UTC',
      regions: [],
      accounts: [],
      notifyEmails: [],
      slack: undefined,
      notifyMode: 'changes',
      historyRetentionDays: 90,
      memberRoleName: 'IrsaAuditorMemberRole',
      orgId: undefined,
      targetOus: undefined,
      memberRoleStackSet: true,
      stackSetCallAs: 'DELEGATED_ADMIN',
      memoryMb: 1769,
      timeoutMinutes: 15,
      deadlineMarginSeconds: 120,
      logRetentionDays: 90,
      metricsNamespace: 'IrsaAuditor',
      auditAccountMemberRole: true,
      memberRoleStack: false,
      warnings: [],
    });
  });

  it("accepts cdk.json's own context (feature flags, cli-telemetry) without complaint", () => {
    expect(() => parseConfig(CDK_JSON.context)).not.toThrow();
    expect(CDK_JSON.context['cli-telemetry']).toBe(false);
  });

  it('parses -c strings: comma lists trimmed and de-duplicated, numbers, booleans', () => {
    const config = parseConfig({
      regions: ' us-east-1, eu-west-1 ,,us-east-1',
      notifyEmails: 'a@example.com,b@example.org',
      accounts: '111122223333',
      memoryMb: '2048',
      timeoutMinutes: '10',
      deadlineMarginSeconds: '120',
      memberRoleStackSet: 'false',
      memberRoleStack: 'true',
      auditRoleArn: 'arn:aws:iam::111122223333:role/IrsaAuditor-AuditFunctionRole-ABC',
      slackWorkspaceId: 'T0123ABCDE',
      slackChannelId: 'C0123ABCDE',
      orgId: 'o-a1b2c3d4e5',
      targetOus: 'ou-ab12-cdefgh12,ou-ab12-ijklmn34',
      notifyMode: 'new-only',
    });

    expect(config).toMatchObject({
      regions: ['us-east-1', 'eu-west-1'],
      notifyEmails: ['a@example.com', 'b@example.org'],
      accounts: ['111122223333'],
      memoryMb: 2048,
      timeoutMinutes: 10,
      deadlineMarginSeconds: 120,
      memberRoleStackSet: false,
      memberRoleStack: true,
      slack: { workspaceId: 'T0123ABCDE', channelId: 'C0123ABCDE' },
      orgId: 'o-a1b2c3d4e5',
      targetOus: ['ou-ab12-cdefgh12', 'ou-ab12-ijklmn34'],
      notifyMode: 'new-only',
    });
  });

  it('accepts native JSON values from the cdk.json context block', () => {
    const config = parseConfig({ regions: ['us-east-1'], memoryMb: 512, memberRoleStackSet: false });

    expect(config).toMatchObject({ regions: ['us-east-1'], memoryMb: 512, memberRoleStackSet: false });
  });

  it('treats an empty value as unset, so -c key= clears a cdk.json setting', () => {
    expect(parseConfig({ regions: '', schedule: '  ', memoryMb: '' })).toMatchObject({
      regions: [],
      schedule: DEFAULTS.schedule,
      memoryMb: DEFAULTS.memoryMb,
    });
  });

  it.each([
    ['schedule', 'cron(0 3 * * *)', ['schedule: got "cron(0 3 * * *)"', 'six fields, got 5']],
    ['schedule', 'cron(0 3 * * MON *)', ['exactly one of day-of-month and day-of-week must be ?']],
    ['schedule', 'rate(1 days)', ['schedule: got "rate(1 days)"', 'rate(1 day)']],
    ['schedule', 'at(2026-01-01T00:00:00)', ['cron(minutes hours day-of-month month day-of-week year)']],
    ['timezone', 'Mars/Olympus', ['timezone: got "Mars/Olympus"', 'IANA time zone']],
    ['regions', 'us-east-1,useast2', ['regions: got "useast2"', 'each item is an AWS region code']],
    ['accounts', '1234', ['accounts: got "1234"', 'each item is a 12-digit AWS account id']],
    ['excludeAccounts', 'abc', ['excludeAccounts: got "abc"']],
    ['auditOus', 'ou-bad', ['auditOus: got "ou-bad"']],
    ['concurrency', '0', ['concurrency: got "0"', 'an integer from 1 to 1024']],
    [
      'notifyEmails',
      'secops@example.com,not-an-email',
      ['notifyEmails: got "not-an-email"', 'an e-mail address'],
    ],
    ['notifyMode', 'sometimes', ['notifyMode: got "sometimes"', 'one of changes, new-only, always']],
    ['historyRetentionDays', '0', ['historyRetentionDays: got "0"', 'an integer from 1 to 3650']],
    ['memberRoleName', 'bad name!', ['memberRoleName: got "bad name!"', 'IAM role name']],
    ['externalId', 'x', ['externalId: got a value not shown here', '2-1224 characters']],
    ['orgId', 'o-short', ['orgId: got "o-short"', 'o-[a-z0-9]{10,32}']],
    ['targetOus', 'ou-123', ['targetOus: got "ou-123"', 'root id r-… or an OU id ou-…']],
    ['stackSetCallAs', 'ADMIN', ['stackSetCallAs: got "ADMIN"', 'one of SELF, DELEGATED_ADMIN']],
    ['stackSetRegion', 'europe', ['stackSetRegion: got "europe"']],
    ['memoryMb', '64', ['memoryMb: got "64"', 'an integer from 128 to 10240']],
    ['memoryMb', '1.5', ['memoryMb: got "1.5"']],
    ['timeoutMinutes', '16', ['timeoutMinutes: got "16"', 'an integer from 1 to 15']],
    ['logRetentionDays', '10', ['logRetentionDays: got "10"', 'retention periods 1, 3, 5, 7, 14, 30']],
    ['metricsNamespace', 'AWS/Lambda', ['metricsNamespace: got "AWS/Lambda"', 'not starting with AWS/']],
    ['memberRoleStackSet', 'maybe', ['memberRoleStackSet: got "maybe"', 'true or false']],
    ['auditRoleArn', 'arn:aws:iam::1:role/x', ['auditRoleArn: got "arn:aws:iam::1:role/x"', 'IAM role ARN']],
  ])('rejects %s=%j naming the key, the value and what is expected', (key, value, expected) => {
    const problems = problemsOf({ [key]: value }).join('\n');

    for (const fragment of expected) expect(problems).toContain(fragment);
  });

  it('reports every problem at once, in one message', () => {
    let error: unknown;
    try {
      parseConfig({ memoryMb: 'lots', orgId: 'acme', timezone: 'Nowhere' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
    expect((error as ConfigError).message).toMatch(/^Invalid CDK context \(3 problems\):\n {2}- /);
    expect((error as ConfigError).code).toBe('InvalidConfiguration');
  });

  it('rejects an unknown camelCase key and suggests the key that was probably meant', () => {
    expect(problemsOf({ notifyEmail: 'a@example.com' })[0]).toMatch(
      /^unknown context key `notifyEmail` \(did you mean `notifyEmails`\?\)/,
    );
    expect(problemsOf({ MemoryMB: '512' })[0]).toContain('did you mean `memoryMb`');
    expect(problemsOf({ schedul: 'rate(1 day)' })[0]).toContain('did you mean `schedule`');
    expect(problemsOf({ colour: 'blue' })[0]).toMatch(
      /^unknown context key `colour`; known keys: schedule, /,
    );
  });

  it('needs both Slack ids or neither', () => {
    expect(problemsOf({ slackWorkspaceId: 'T0123ABCDE' })).toEqual([
      'slackWorkspaceId and slackChannelId: set both to add the Slack channel, or neither (only one was given)',
    ]);
    expect(problemsOf({ slackWorkspaceId: 'T0123ABCDE', slackChannelId: '#security' })[0]).toContain(
      'a Slack channel id',
    );
  });

  it('takes either the organization root alone or OU ids as StackSet targets', () => {
    expect(parseConfig({ targetOus: 'r-ab12' }).targetOus).toEqual(['r-ab12']);
    expect(problemsOf({ targetOus: 'r-ab12,ou-ab12-cdefgh12' })[0]).toContain(
      'either the root id alone (the whole organization) or OU ids, not both',
    );
  });

  it('keeps the deadline margin below half of the timeout', () => {
    expect(problemsOf({ timeoutMinutes: '2', deadlineMarginSeconds: '90' })).toEqual([
      'deadlineMarginSeconds: got "90"; expected an integer from 10 to 60 (at most half of timeoutMinutes=2)',
    ]);
    expect(parseConfig({ timeoutMinutes: '1' }).deadlineMarginSeconds).toBe(30);
  });

  it('requires the audit role ARN for the management-account member-role stack', () => {
    expect(problemsOf({ memberRoleStack: 'true' })[0]).toContain(
      'auditRoleArn: required when memberRoleStack=true',
    );
  });

  it('refuses the plain member-role stack beside an audit stack in the management account (one role, twice)', () => {
    expect(
      problemsOf({
        memberRoleStack: 'true',
        auditRoleArn: AUDIT_ROLE_ARN_FOR_CONFIG,
        stackSetCallAs: 'SELF',
      })[0],
    ).toContain('memberRoleStack: with stackSetCallAs=SELF');
    expect(
      parseConfig({
        memberRoleStack: 'true',
        auditRoleArn: AUDIT_ROLE_ARN_FOR_CONFIG,
        stackSetCallAs: 'SELF',
        auditAccountMemberRole: 'false',
      }).auditAccountMemberRole,
    ).toBe(false);
  });

  it('warns (without failing) when the schedule may run less often than the 26-hour staleness alarm', () => {
    expect(parseConfig({ schedule: 'cron(0 3 ? * MON *)' }).warnings[0]).toContain('less often than daily');
    expect(parseConfig({ schedule: 'rate(2 days)' }).warnings).toHaveLength(1);
    expect(parseConfig({ schedule: 'rate(12 hours)' }).warnings).toEqual([]);
    expect(parseConfig({ schedule: 'cron(15 1 * * ? *)' }).warnings).toEqual([]);
  });
});

describe('scheduleExpressionProblem', () => {
  it.each([
    'cron(0 3 * * ? *)',
    'cron(0/30 8-17 ? * MON-FRI *)',
    'cron(0 0 L * ? *)',
    'rate(1 hour)',
    'rate(6 hours)',
  ])('accepts %s', (expression) => {
    expect(scheduleExpressionProblem(expression)).toBeUndefined();
  });

  it.each([
    '0 3 * * *',
    'cron(0 3 * * * *)',
    'cron(0 3 ? * ? *)',
    'rate(0 days)',
    'rate(5 hour)',
    'cron(0 3 * * ? *;)',
  ])('rejects %s', (expression) => {
    expect(scheduleExpressionProblem(expression)).toBeDefined();
  });
});
