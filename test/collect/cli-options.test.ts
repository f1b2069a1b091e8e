import { parseArgs } from 'node:util';
import { STORE_OPTIONS, STORE_USAGE } from '../../lambda/cli/store-options';
import {
  COLLECT_FLAGS,
  COLLECT_FLAGS_HELP,
  collectOptionsFromFlags,
  newRunId,
} from '../../lambda/collect/cli-options';
import { resolveCollectOptions } from '../../lambda/collect/options';
import { createProgressReporter, formatProgress, type ProgressSnapshot } from '../../lambda/collect/progress';
import { ConfigError } from '../../lambda/settings/read';
import { DEFAULT_MEMBER_ROLE_NAME, SETTINGS, type Setting } from '../../lambda/settings/settings';

const NOW = Date.parse('2026-11-29T03:00:00.123Z');

function fromArgv(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const { values } = parseArgs({ args: argv, options: COLLECT_FLAGS, strict: true });
  return collectOptionsFromFlags(values, { env, now: () => NOW });
}

describe('collection flags', () => {
  it('maps every flag to the collection options', () => {
    const options = fromArgv([
      '--accounts',
      '111122223333, 444455556666',
      '--exclude-accounts',
      '777788889999',
      '--ous',
      'ou-ab12-34cd56ef',
      '--exclude-ous',
      'r-ab12',
      '--regions',
      'eu-west-1 us-east-1',
      '--role-name',
      'audit/Reader',
      '--external-id',
      'ext-123',
      '--concurrency',
      '8',
      '--profile',
      'org-admin',
      '--skip-kubernetes',
      '--assume-in-own-account',
    ]);

    expect(options).toMatchObject({
      runId: '20261129T030000Z',
      accounts: ['111122223333', '444455556666'],
      excludeAccounts: ['777788889999'],
      ous: ['ou-ab12-34cd56ef'],
      excludeOus: ['r-ab12'],
      regions: ['eu-west-1', 'us-east-1'],
      roleName: 'audit/Reader',
      externalId: 'ext-123',
      concurrency: 8,
      accountConcurrency: 4,
      profile: 'org-admin',
      kubernetes: expect.objectContaining({ enabled: false }),
      assumeRoleInOwnAccount: true,
    });
  });

  it('has defaults that need no flag at all', () => {
    const options = fromArgv([], { AWS_REGION: 'eu-central-1' });

    expect(options).toMatchObject({
      roleName: DEFAULT_MEMBER_ROLE_NAME,
      homeRegion: 'eu-central-1',
      concurrency: 32,
      accountConcurrency: 4,
      accountsInFlight: 16,
      kubernetes: expect.objectContaining({ enabled: true, pageSize: 500 }),
      // The CLI reads its own account with the caller's credentials unless told otherwise.
      assumeRoleInOwnAccount: false,
    });
    expect(options.accounts).toBeUndefined();
    expect(options.regions).toBeUndefined();
  });

  it.each([
    [['--accounts', '12345'], '--accounts: "12345" is not a 12-digit AWS account id'],
    [['--ous', 'team-a'], '--ous: "team-a" is not an OU id'],
    [['--regions', 'Europe'], '--regions: "Europe" is not an AWS region code such as eu-west-1'],
    [['--role-name', 'bad role'], '--role-name: "bad role" is not an IAM role name'],
    [['--external-id', 'x'], '--external-id is not a valid STS external id (2-1224 characters'],
    [['--concurrency', 'many'], '--concurrency: "many" must be an integer from 1 to 1024'],
    [['--concurrency', '0'], '--concurrency: "0" must be an integer from 1 to 1024'],
    [['--accounts', ','], '--accounts needs at least one value'],
    [['--profile', ''], '--profile: "" is not a profile name'],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    expect(() => fromArgv(argv)).toThrow(ConfigError);
    expect(() => fromArgv(argv)).toThrow(message);
  });

  it('lists every bad flag at once, in one ConfigError with the code all configuration errors share', () => {
    let caught: unknown;
    try {
      fromArgv(['--accounts', '1', '--regions', 'mars', '--concurrency', '0']);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('InvalidConfiguration');
    expect((caught as ConfigError).problems).toEqual([
      '--accounts: "1" is not a 12-digit AWS account id',
      '--regions: "mars" is not an AWS region code such as eu-west-1',
      '--concurrency: "0" must be an integer from 1 to 1024',
    ]);
  });

  it('never echoes the external id (a shared secret of the member role trust)', () => {
    expect(() => fromArgv(['--external-id', 'secret value'])).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret') }),
    );
  });

  it('checks options a program passes by the same rules, naming the option', () => {
    expect(() => resolveCollectOptions({ roleName: 'bad role' })).toThrow(ConfigError);
    expect(() => resolveCollectOptions({ regions: ['Europe'] })).toThrow(
      'invalid collection options: regions: "Europe" is not an AWS region code such as eu-west-1',
    );
    expect(() => resolveCollectOptions({}, { AWS_REGION: 'Europe' })).toThrow(
      'the caller\'s region "Europe" (homeRegion, else AWS_REGION or AWS_DEFAULT_REGION) is not an AWS region code',
    );
  });

  it('are the flags of the settings table, each in the help', () => {
    for (const flag of Object.keys(COLLECT_FLAGS)) expect(COLLECT_FLAGS_HELP).toContain(`--${flag} `);
    for (const flag of Object.keys(STORE_OPTIONS)) expect(STORE_USAGE).toContain(`--${flag} `);
    const tableFlags = Object.values(SETTINGS).flatMap((setting: Setting) =>
      setting.flag ? [setting.flag] : [],
    );
    expect(tableFlags.filter((flag) => !(flag in COLLECT_FLAGS) && !(flag in STORE_OPTIONS))).toEqual([]);
  });

  it('makes run ids that sort by time and fit an STS session name', () => {
    expect(newRunId(NOW)).toBe('20261129T030000Z');
  });
});

describe('progress on stderr', () => {
  const snapshot: ProgressSnapshot = {
    accountsTotal: 40,
    accountsDone: 12,
    accountsWithErrors: 1,
    apiCalls: 1234,
    throttled: 0,
    errors: 3,
    clusters: 7,
    kubernetesRequests: 10,
  };

  it('draws one self-overwriting line on a terminal, at most every interval, and ends it when done', () => {
    const written: string[] = [];
    let now = 0;
    const report = createProgressReporter(
      { stderr: (text) => written.push(text), isTTY: true, now: () => now },
      200,
    );

    report({ phase: 'account-finished', snapshot });
    now = 100;
    report({ phase: 'account-finished', snapshot: { ...snapshot, accountsDone: 13 } });
    now = 250;
    report({ phase: 'account-finished', snapshot: { ...snapshot, accountsDone: 14 } });
    report({ phase: 'done', snapshot: { ...snapshot, accountsDone: 40 } });

    expect(written).toEqual([
      '\r\x1b[Kaccounts 12/40 · clusters 7 · API calls 1,234 · errors 3',
      '\r\x1b[Kaccounts 14/40 · clusters 7 · API calls 1,234 · errors 3',
      '\r\x1b[Kaccounts 40/40 · clusters 7 · API calls 1,234 · errors 3\n',
    ]);
  });

  it('writes nothing when stderr is not a terminal', () => {
    const written: string[] = [];
    const report = createProgressReporter({ stderr: (text) => written.push(text), isTTY: false });

    report({ phase: 'done', snapshot });

    expect(written).toEqual([]);
  });

  it('mentions throttling only when there was some', () => {
    expect(formatProgress({ ...snapshot, throttled: 5 })).toContain('throttled 5');
  });
});
