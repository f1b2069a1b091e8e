import { ConfigError, type HandlerConfig, loadHandlerConfig } from '../../lambda/config';
import { show } from '../../lambda/settings/read';
import { DEFAULT_MEMBER_ROLE_NAME, ENV } from '../../lambda/settings/settings';
import { resource, synth } from '../infra/helpers';

const TABLE = 'irsa-audit-results';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:irsa-audit-alerts';

/** The least a deployment sets: the results table. */
const minimal = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ [ENV.table]: TABLE, ...extra });

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadHandlerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadHandlerConfig', () => {
  describe('defaults', () => {
    it('needs only the table and fills every other setting with its documented default', () => {
      expect(loadHandlerConfig(minimal())).toEqual<HandlerConfig>({
        tableName: TABLE,
        topicArn: undefined,
        memberRoleName: DEFAULT_MEMBER_ROLE_NAME,
        externalId: undefined,
        regions: undefined,
        accounts: undefined,
        excludeAccounts: undefined,
        ous: undefined,
        concurrency: undefined,
        accountConcurrency: undefined,
        deadlineMarginSeconds: 120,
        notifyMode: 'changes',
        historyRetentionDays: 90,
        securityHub: false,
        reportBucket: undefined,
        reportPrefix: 'irsa-audit/',
        checksDocUrl: undefined,
      });
    });

    it('treats empty variables as unset (CloudFormation cannot remove a variable, only empty it)', () => {
      const env = minimal(
        Object.fromEntries(
          [
            ENV.topic,
            ENV.memberRoleName,
            ENV.externalId,
            ENV.regions,
            ENV.accounts,
            ENV.excludeAccounts,
            ENV.ous,
            ENV.concurrency,
            ENV.accountConcurrency,
            ENV.deadlineMarginSeconds,
            ENV.notifyMode,
            ENV.historyRetentionDays,
          ].map((name) => [name, '']),
        ),
      );

      expect(loadHandlerConfig(env)).toEqual(loadHandlerConfig(minimal()));
    });

    it('reads nothing but the environment it is given', () => {
      const saved = process.env[ENV.table];
      process.env[ENV.table] = 'from-process-env';
      try {
        expect(() => loadHandlerConfig({})).toThrow(ConfigError);
      } finally {
        if (saved === undefined) delete process.env[ENV.table];
        else process.env[ENV.table] = saved;
      }
    });
  });

  describe('every setting, valid', () => {
    it('reads a full configuration', () => {
      const config = loadHandlerConfig({
        [ENV.table]: TABLE,
        [ENV.topic]: TOPIC,
        [ENV.memberRoleName]: 'audit/IrsaReader',
        [ENV.externalId]: 'org-audit:2026/ext-id',
        [ENV.regions]: 'eu-west-1,us-east-1',
        [ENV.accounts]: '111122223333, 444455556666',
        [ENV.excludeAccounts]: '777788889999',
        [ENV.ous]: 'ou-ab12-abcdefgh r-ab12',
        [ENV.concurrency]: '64',
        [ENV.accountConcurrency]: '8',
        [ENV.deadlineMarginSeconds]: '300',
        [ENV.notifyMode]: 'new-only',
        [ENV.historyRetentionDays]: '365',
      });

      expect(config).toEqual<HandlerConfig>({
        tableName: TABLE,
        topicArn: TOPIC,
        memberRoleName: 'audit/IrsaReader',
        externalId: 'org-audit:2026/ext-id',
        regions: ['eu-west-1', 'us-east-1'],
        accounts: ['111122223333', '444455556666'],
        excludeAccounts: ['777788889999'],
        ous: ['ou-ab12-abcdefgh', 'r-ab12'],
        concurrency: 64,
        accountConcurrency: 8,
        deadlineMarginSeconds: 300,
        notifyMode: 'new-only',
        historyRetentionDays: 365,
        securityHub: false,
        reportBucket: undefined,
        reportPrefix: 'irsa-audit/',
        checksDocUrl: undefined,
      });
    });

    it.each([
      ['a plain name', 'irsa-audit-results'],
      ['dots and underscores', 'Audit_Results.v2'],
      ['the 3-character minimum', 'abc'],
      ['the 255-character maximum', 'x'.repeat(255)],
    ])('accepts a table name with %s', (_what, table) => {
      expect(loadHandlerConfig({ [ENV.table]: table }).tableName).toBe(table);
    });

    it.each([
      'arn:aws:sns:us-east-1:123456789012:irsa-audit',
      'arn:aws-us-gov:sns:us-gov-west-1:123456789012:irsa_audit',
      'arn:aws-cn:sns:cn-north-1:123456789012:IrsaAudit-Alerts',
    ])('accepts the SNS topic ARN %s', (topic) => {
      expect(loadHandlerConfig(minimal({ [ENV.topic]: topic })).topicArn).toBe(topic);
    });

    it('audits every enabled region when AUDIT_REGIONS is "all"', () => {
      expect(loadHandlerConfig(minimal({ [ENV.regions]: 'all' })).regions).toBeUndefined();
    });

    it('splits lists on commas, spaces and newlines, dropping empty items', () => {
      const config = loadHandlerConfig(minimal({ [ENV.regions]: ' eu-west-1,,\n ap-southeast-2 , ' }));
      expect(config.regions).toEqual(['eu-west-1', 'ap-southeast-2']);
    });

    it.each(['changes', 'new-only', 'always'] as const)('accepts notify mode %s', (mode) => {
      expect(loadHandlerConfig(minimal({ [ENV.notifyMode]: mode })).notifyMode).toBe(mode);
    });

    it.each([
      [ENV.concurrency, '1', 'concurrency', 1],
      [ENV.concurrency, '1024', 'concurrency', 1024],
      [ENV.accountConcurrency, '1', 'accountConcurrency', 1],
      [ENV.accountConcurrency, '64', 'accountConcurrency', 64],
      [ENV.deadlineMarginSeconds, '10', 'deadlineMarginSeconds', 10],
      [ENV.deadlineMarginSeconds, '840', 'deadlineMarginSeconds', 840],
      [ENV.historyRetentionDays, '1', 'historyRetentionDays', 1],
      [ENV.historyRetentionDays, '3650', 'historyRetentionDays', 3650],
    ] as const)('accepts %s=%s (a bound)', (name, value, key, expected) => {
      expect(loadHandlerConfig(minimal({ [name]: value }))[key]).toBe(expected);
    });
  });

  describe('every setting, invalid', () => {
    it('requires the results table', () => {
      expect(problemsOf({})).toEqual(['RESULTS_TABLE is not set (a DynamoDB table name)']);
    });

    it.each([
      ['too short', 'ab'],
      ['too long', 'x'.repeat(256)],
      ['a space', 'my table'],
      ['an ARN instead of a name', 'arn:aws:dynamodb:us-east-1:123456789012:table/results'],
    ])('rejects a table name that is %s', (_what, table) => {
      expect(problemsOf({ [ENV.table]: table })).toEqual([
        `RESULTS_TABLE=${show(table)} is not a DynamoDB table name`,
      ]);
    });

    it.each([
      ['an SQS queue ARN', 'arn:aws:sqs:us-east-1:123456789012:irsa-audit'],
      ['a topic name only', 'irsa-audit'],
      ['a short account id', 'arn:aws:sns:us-east-1:12345:irsa-audit'],
      ['no topic name', 'arn:aws:sns:us-east-1:123456789012:'],
      ['a console URL', 'https://console.aws.amazon.com/sns/v3/home#/topic/arn:aws:sns:us-east-1:1:t'],
    ])('rejects a topic that is %s', (_what, topic) => {
      expect(problemsOf(minimal({ [ENV.topic]: topic }))).toEqual([
        `TOPIC_ARN="${topic}" is not an SNS topic ARN`,
      ]);
    });

    it.each([
      ['a space', 'Irsa Reader'],
      ['more than 64 characters', 'r'.repeat(65)],
      ['a full ARN', 'arn:aws:iam::123456789012:role/IrsaReader'],
    ])('rejects a member role name with %s', (_what, role) => {
      expect(problemsOf(minimal({ [ENV.memberRoleName]: role }))).toEqual([
        `MEMBER_ROLE_NAME="${role}" is not an IAM role name (1-64 characters from A-Z a-z 0-9 +=,.@_-), optionally after its path (audit/IrsaAuditorMemberRole)`,
      ]);
    });

    // STS rejects these in AssumeRole; the collector would only fail after the run took the lock.
    it.each([
      ['one character', 'x'],
      ['a space', 'ext id'],
      ['more than 1224 characters', 'e'.repeat(1225)],
    ])('rejects an external id with %s', (_what, externalId) => {
      expect(problemsOf(minimal({ [ENV.externalId]: externalId }))).toEqual([
        expect.stringMatching(/^MEMBER_ROLE_EXTERNAL_ID is not a valid STS external id \(2-1224 characters/),
      ]);
    });

    it('never echoes the external id (it is a shared secret of the member role trust)', () => {
      const [problem] = problemsOf(minimal({ [ENV.externalId]: 'secret value' }));
      expect(problem).not.toContain('secret');
    });

    it.each([
      ['an availability zone', 'eu-west-1a'],
      ['upper case', 'EU-WEST-1'],
      ['a partial name', 'eu-west'],
    ])('rejects a region that is %s', (_what, region) => {
      expect(problemsOf(minimal({ [ENV.regions]: `us-east-1,${region}` }))).toEqual([
        `AUDIT_REGIONS: "${region}" is not an AWS region code such as eu-west-1`,
      ]);
    });

    it('rejects "all" mixed into a region list', () => {
      expect(problemsOf(minimal({ [ENV.regions]: 'all,us-east-1' }))).toEqual([
        'AUDIT_REGIONS: "all" is not an AWS region code such as eu-west-1',
      ]);
    });

    it.each([
      [ENV.accounts, '12345678901'],
      [ENV.accounts, '1234567890123'],
      [ENV.excludeAccounts, '1234-5678-9012'],
      [ENV.excludeAccounts, 'prod'],
    ])('rejects %s item "%s" (not 12 digits)', (name, item) => {
      expect(problemsOf(minimal({ [name]: `111122223333,${item}` }))).toEqual([
        `${name}: "${item}" is not a 12-digit AWS account id`,
      ]);
    });

    it.each(['ou-x', 'OU-AB12-ABCDEFGH', 'o-a1b2c3d4e5', 'root'])('rejects the OU "%s"', (ou) => {
      expect(problemsOf(minimal({ [ENV.ous]: ou }))).toEqual([
        `AUDIT_OUS: "${ou}" is not an OU id (ou-…) or root id (r-…)`,
      ]);
    });

    it.each([
      [ENV.concurrency, '0', 1, 1024],
      [ENV.concurrency, '1025', 1, 1024],
      [ENV.concurrency, 'many', 1, 1024],
      [ENV.concurrency, '2.5', 1, 1024],
      [ENV.accountConcurrency, '65', 1, 64],
      [ENV.accountConcurrency, '-1', 1, 64],
      [ENV.deadlineMarginSeconds, '9', 10, 840],
      [ENV.deadlineMarginSeconds, '900', 10, 840],
      [ENV.deadlineMarginSeconds, '2m', 10, 840],
      [ENV.historyRetentionDays, '0', 1, 3650],
      [ENV.historyRetentionDays, '3651', 1, 3650],
      [ENV.historyRetentionDays, '90 days', 1, 3650],
    ])('rejects %s="%s"', (name, value, min, max) => {
      expect(problemsOf(minimal({ [name]: value }))).toEqual([
        `${name}="${value}" must be an integer from ${min} to ${max}`,
      ]);
    });

    it.each(['sometimes', 'CHANGES', 'new_only'])('rejects notify mode "%s"', (mode) => {
      expect(problemsOf(minimal({ [ENV.notifyMode]: mode }))).toEqual([
        `NOTIFY_MODE="${mode}" must be one of changes, new-only, always`,
      ]);
    });
  });

  describe('Security Hub and the report bucket', () => {
    it('reads them, and refuses `create` for the bucket outside the CDK context', () => {
      const config = loadHandlerConfig(
        minimal({
          [ENV.securityHub]: 'true',
          [ENV.reportBucket]: 'audit-reports.example',
          [ENV.reportPrefix]: 'reports/irsa/',
          [ENV.checksDocUrl]: 'https://docs.example/irsa/checks.md',
        }),
      );
      expect(config).toMatchObject({
        securityHub: true,
        reportBucket: 'audit-reports.example',
        reportPrefix: 'reports/irsa/',
        checksDocUrl: 'https://docs.example/irsa/checks.md',
      });
      expect(problemsOf(minimal({ [ENV.reportBucket]: 'create' }))).toEqual([
        'REPORT_BUCKET: expected a bucket name (`create` is for the CDK context only)',
      ]);
    });
  });

  describe('reporting', () => {
    it('reports every problem at once, in one typed error with a stable code', () => {
      let caught: unknown;
      try {
        loadHandlerConfig({
          [ENV.topic]: 'not-an-arn',
          [ENV.memberRoleName]: 'bad role',
          [ENV.externalId]: 'x',
          [ENV.regions]: 'mars-1',
          [ENV.accounts]: '42',
          [ENV.excludeAccounts]: '43',
          [ENV.ous]: 'ou-?',
          [ENV.concurrency]: '0',
          [ENV.accountConcurrency]: '100',
          [ENV.deadlineMarginSeconds]: '5',
          [ENV.notifyMode]: 'loud',
          [ENV.historyRetentionDays]: 'forever',
          [ENV.suppressionsFile]: 'notes.txt',
          [ENV.securityHub]: 'maybe',
          [ENV.reportBucket]: 'Not_A_Bucket',
          [ENV.reportPrefix]: 'no-slash',
          [ENV.checksDocUrl]: 'http://plain.example/checks.md',
        });
      } catch (error) {
        caught = error;
      }

      expect(caught).toBeInstanceOf(ConfigError);
      const error = caught as ConfigError;
      expect(error.name).toBe('ConfigError');
      expect(error.code).toBe('InvalidConfiguration');
      expect(error.problems).toHaveLength(18);
      for (const name of Object.values(ENV)) {
        expect(error.problems.some((problem) => problem.includes(name))).toBe(true);
      }
      expect(error.message).toBe(`invalid irsa-auditor configuration: ${error.problems.join('; ')}`);
    });

    it('names each bad list item, not just the first', () => {
      expect(problemsOf(minimal({ [ENV.accounts]: '1,111122223333,2' }))).toEqual([
        'AUDIT_ACCOUNTS: "1" is not a 12-digit AWS account id',
        'AUDIT_ACCOUNTS: "2" is not a 12-digit AWS account id',
      ]);
    });
  });

  describe('the environment the CDK stack gives the function', () => {
    it('is a valid configuration carrying every deployment setting', () => {
      const { template } = synth({
        orgId: 'o-a1b2c3d4e5',
        targetOus: 'r-ab12',
        regions: 'eu-west-1,us-east-1',
        accounts: '111122223333,444455556666',
        excludeAccounts: '777788889999',
        auditOus: 'ou-ab12-abcdefgh',
        concurrency: 48,
        accountConcurrency: 6,
        notifyMode: 'always',
        historyRetentionDays: 30,
        memberRoleName: 'IrsaReader',
        externalId: 'org-audit-2026',
        deadlineMarginSeconds: 180,
      });
      const variables = (
        resource(template, 'AWS::Lambda::Function', 'AuditFunction').Properties as {
          Environment: { Variables: Record<string, unknown> };
        }
      ).Environment.Variables;
      // The table name and topic ARN are CloudFormation references, resolved at deploy time.
      expect(variables[ENV.table]).toEqual({ Ref: expect.any(String) });
      expect(variables[ENV.topic]).toEqual({ Ref: expect.any(String) });
      const env = { ...(variables as Record<string, string>), [ENV.table]: TABLE, [ENV.topic]: TOPIC };

      expect(loadHandlerConfig(env)).toEqual<HandlerConfig>({
        tableName: TABLE,
        topicArn: TOPIC,
        memberRoleName: 'IrsaReader',
        externalId: 'org-audit-2026',
        regions: ['eu-west-1', 'us-east-1'],
        accounts: ['111122223333', '444455556666'],
        excludeAccounts: ['777788889999'],
        ous: ['ou-ab12-abcdefgh'],
        concurrency: 48,
        accountConcurrency: 6,
        deadlineMarginSeconds: 180,
        notifyMode: 'always',
        historyRetentionDays: 30,
        securityHub: false,
        reportBucket: undefined,
        reportPrefix: 'irsa-audit/',
        checksDocUrl: undefined,
      });
    });
  });
});
