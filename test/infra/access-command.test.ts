import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { renderAccessCommands, run, type UnreadableCluster } from '../../lambda/cli/commands/access';
import { CliError, type CliIO } from '../../lambda/cli/io';
import { shellQuote } from '../../lambda/core/access-entry';

const PROD: UnreadableCluster = {
  accountId: '111122223333',
  region: 'us-west-2',
  name: 'prod',
  reason: 'Unauthorized (401) from the Kubernetes API',
};

describe('renderAccessCommands', () => {
  it('prints the documented create-access-entry and associate-access-policy commands for a cluster', () => {
    const text = renderAccessCommands([PROD], 'IrsaAuditorMemberRole');
    const lines = text.split('\n');

    expect(lines).toContain('# 111122223333 us-west-2 prod: Unauthorized (401) from the Kubernetes API');
    expect(lines).toContain(
      'aws eks create-access-entry --cluster-name prod --region us-west-2 --principal-arn arn:aws:iam::111122223333:role/IrsaAuditorMemberRole --type STANDARD',
    );
    expect(lines).toContain(
      'aws eks associate-access-policy --cluster-name prod --region us-west-2 --principal-arn arn:aws:iam::111122223333:role/IrsaAuditorMemberRole --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy --access-scope type=cluster',
    );
    expect(lines[0]).toBe(
      '# irsa-auditor: grant the member role read access to 1 cluster the last run could not read.',
    );
    expect(text.endsWith('\n')).toBe(true);
  });

  it('returns nothing when every cluster was readable', () => {
    expect(renderAccessCommands([], 'IrsaAuditorMemberRole')).toBe('');
  });

  it('covers every cluster once, sorted by account, region and name', () => {
    const text = renderAccessCommands(
      [
        { ...PROD, accountId: '444455556666', name: 'b' },
        { ...PROD, name: 'z' },
        { ...PROD, region: 'eu-west-1', name: 'a' },
        { ...PROD, name: 'z', reason: 'duplicate' },
      ],
      'Auditor',
    );
    const creates = text.split('\n').filter((line) => line.startsWith('aws eks create-access-entry'));

    expect(
      creates.map((line) =>
        /--cluster-name (\S+) --region (\S+) --principal-arn \S+:(\d{12}):/.exec(line)?.slice(1),
      ),
    ).toEqual([
      ['a', 'eu-west-1', '111122223333'],
      ['z', 'us-west-2', '111122223333'],
      ['b', 'us-west-2', '444455556666'],
    ]);
    expect(text).toContain('to 3 clusters');
  });

  it('uses the partition of the cluster, else the one given', () => {
    const text = renderAccessCommands(
      [{ ...PROD, region: 'cn-north-1', partition: 'aws-cn' }, PROD],
      'Auditor',
      'aws-us-gov',
    );

    expect(text).toContain('--principal-arn arn:aws-cn:iam::111122223333:role/Auditor');
    expect(text).toContain('--policy-arn arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy');
    expect(text).toContain('--principal-arn arn:aws-us-gov:iam::111122223333:role/Auditor');
  });

  it('cannot be made to run a command by a hostile inventory', () => {
    const text = renderAccessCommands(
      [{ ...PROD, name: "x'; rm -rf ~; '", reason: 'boom\nrm -rf /\r\u2028curl evil' }],
      'Auditor',
    );
    const lines = text.split('\n');

    expect(lines).toContain("# 111122223333 us-west-2 x'; rm -rf ~; ': boom rm -rf / curl evil");
    expect(
      lines.filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('aws eks ')),
    ).toEqual([]);
    expect(text).toContain(`--cluster-name 'x'\\''; rm -rf ~; '\\'''`);
  });
});

describe('shellQuote', () => {
  it.each([
    ['prod-1', 'prod-1'],
    ['arn:aws:iam::111122223333:role/x', 'arn:aws:iam::111122223333:role/x'],
    ['a b', "'a b'"],
    ["it's", `'it'\\''s'`],
    ['$(id)', "'$(id)'"],
  ])('%s → %s', (value, quoted) => {
    expect(shellQuote(value)).toBe(quoted);
  });
});

describe('irsa-audit access', () => {
  let dir: string;
  let out: string;
  let err: string;
  let io: CliIO;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'irsa-access-'));
    out = '';
    err = '';
    io = {
      stdout: (text) => (out += text),
      stderr: (text) => (err += text),
      isTTY: false,
      env: {},
      cwd: dir,
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeInventory(inventory: unknown, name = 'inventory.json'): string {
    writeFileSync(
      path.join(dir, name),
      typeof inventory === 'string' ? inventory : JSON.stringify(inventory),
    );
    return name;
  }

  const cluster = (name: string, kubernetes: unknown, extra: Record<string, unknown> = {}) => ({
    name,
    region: 'eu-central-1',
    arn: `arn:aws:eks:eu-central-1:111122223333:cluster/${name}`,
    podIdentityAssociations: [],
    kubernetes,
    serviceAccounts: [],
    pods: [],
    ...extra,
  });
  const inventory = {
    schemaVersion: 1,
    accounts: [
      {
        accountId: '111122223333',
        oidcProviders: [],
        roles: [],
        errors: [],
        clusters: [
          cluster('ok', { status: 'ok' }),
          cluster('locked', { status: 'unreachable', reason: 'Forbidden (403)' }),
          cluster('skipped', { status: 'not-collected' }),
        ],
      },
      { accountId: '444455556666', oidcProviders: [], roles: [], errors: [] },
    ],
  };

  it('prints the commands for the clusters whose kubernetes.status is unreachable, and only those', async () => {
    const file = writeInventory(inventory);

    await expect(run(['--inventory', file], io)).resolves.toBe(0);

    expect(out).toContain('# 111122223333 eu-central-1 locked: Forbidden (403)');
    expect(out).toContain('--cluster-name locked --region eu-central-1');
    expect(out).toContain('arn:aws:iam::111122223333:role/IrsaAuditorMemberRole');
    expect(out).not.toMatch(/--cluster-name (ok|skipped)/);
    expect(err).toBe('');
  });

  it('takes the member role name from --member-role-name, else from MEMBER_ROLE_NAME', async () => {
    const file = writeInventory(inventory);

    await run([`--inventory=${file}`, '--member-role-name', 'SecurityAuditRead'], io);
    expect(out).toContain(':role/SecurityAuditRead ');

    out = '';
    await run(['--inventory', file], { ...io, env: { MEMBER_ROLE_NAME: 'FromEnv' } });
    expect(out).toContain(':role/FromEnv ');
  });

  it('says so on stderr, and prints nothing to run, when every cluster was readable', async () => {
    const file = writeInventory({
      schemaVersion: 1,
      accounts: [{ accountId: '111122223333', clusters: [cluster('ok', { status: 'ok' })] }],
    });

    await expect(run(['--inventory', file], io)).resolves.toBe(0);

    expect(out).toBe('');
    expect(err).toContain('nothing to grant');
  });

  it('prints its usage on --help', async () => {
    await expect(run(['--help'], io)).resolves.toBe(0);
    expect(out).toContain('Usage: irsa-audit access (--inventory FILE | --table TABLE | --demo)');
  });

  it.each([
    [[], /missing --inventory FILE/],
    [['--inventory', 'missing.json'], /missing\.json: cannot read the inventory file/],
    [['--inventory', 'bad.json'], /bad\.json.* not valid JSON/],
    [['--inventory', 'shape.json'], /shape\.json[\s\S]*\$\.accounts/],
    [['--inventory', 'cluster.json'], /cluster\.json[\s\S]*\$\.accounts\[0\]\.clusters\[0\]\.region/],
    [['--inventory', 'inventory.json', '--member-role-name', 'no spaces'], /is not an IAM role name/],
    [['--inventory', 'inventory.json', '--partition', 'azure'], /is not an AWS partition/],
    [['--inventory', 'inventory.json', '--fast'], /Unknown option '--fast'/],
  ])('rejects %j with a clear usage error', async (argv, message) => {
    writeInventory(inventory);
    writeInventory('{"accounts": [', 'bad.json');
    writeInventory({ accounts: {} }, 'shape.json');
    writeInventory(
      {
        accounts: [
          {
            accountId: '111122223333',
            clusters: [cluster('c', { status: 'unreachable', reason: 'x' }, { region: 'mars' })],
          },
        ],
      },
      'cluster.json',
    );

    const result = run(argv as string[], io);

    await expect(result).rejects.toBeInstanceOf(CliError);
    await expect(result).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
  });
});
