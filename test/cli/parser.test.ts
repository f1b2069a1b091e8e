/** The command line's habits: version, help, suggestions, list filters, stdin, --output, config, completion. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAwsReachable, unreachableAws } from '../../lambda/cli/aws-reach';
import { COMMANDS as ALL_COMMANDS } from '../../lambda/cli/commands/index';
import type { CliIO } from '../../lambda/cli/io';
import { rawCommand, runProgram } from '../../lambda/cli/program';
import { type CliRunOptions, runCli } from '../helpers/cli';

const SMALL = join(__dirname, '..', 'fixtures', 'cli', 'small.json');
const DEMO = join(__dirname, '..', '..', 'examples', 'demo-org.json');
const COMMANDS = [
  'scan',
  'explain',
  'snapshot',
  'run',
  'demo',
  'findings',
  'runs',
  'history',
  'access',
  'completion',
];

interface JsonScan {
  findings: { checkId: string; severity: string }[];
  summary: { findings: number };
}
const checkIds = (stdout: string) =>
  [...new Set((JSON.parse(stdout) as JsonScan).findings.map((f) => f.checkId))].sort();
const severities = (stdout: string) =>
  [...new Set((JSON.parse(stdout) as JsonScan).findings.map((f) => f.severity))].sort();

/** Runs the CLI with standard input and a working directory of its own. */
function runWith(argv: string[], options: CliRunOptions & { env?: NodeJS.ProcessEnv }) {
  return runCli(argv, options.env, options);
}

describe('irsa-audit command line', () => {
  it('prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('shows one command\'s help with "help <command>", and lists every command in the global help', async () => {
    const help = await runCli(['help', 'scan']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: irsa-audit scan \[options\]/);
    expect(help.stdout).toContain('-i, --inventory <file>');
    const global = await runCli(['--help']);
    expect(global.code).toBe(0);
    for (const name of COMMANDS) expect(global.stdout).toMatch(new RegExp(`^ {2}${name}\\b`, 'm'));
  });

  it('never cites the spec in help, and shows every short flag that messages use', async () => {
    for (const name of COMMANDS) {
      const { code, stdout } = await runCli([name, '--help']);
      expect(code).toBe(0);
      expect(stdout).not.toMatch(/SPEC|§/);
    }
    const scanHelp = (await runCli(['scan', '--help'])).stdout;
    for (const flag of ['-i, --inventory', '-f, --format', '-h, --help']) expect(scanHelp).toContain(flag);
  });

  it('suggests the nearest command and option (exit 2)', async () => {
    const command = await runCli(['scna']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/Unknown command 'scna'\n\(Did you mean scan\?\)/);
    const help = await runCli(['help', 'scna']);
    expect(help.code).toBe(2);
    expect(help.stderr).toContain('did you mean "scan"?');
    const option = await runCli(['scan', '-i', SMALL, '--chek', 'x']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('(Did you mean --check?)');
  });

  it('takes list filters repeated and comma-separated alike', async () => {
    const repeated = await runCli([
      'scan',
      '-i',
      SMALL,
      '-f',
      'json',
      '--check',
      'sa.role-untrusted',
      '--check',
      'role.no-permissions',
    ]);
    const comma = await runCli([
      'scan',
      '-i',
      SMALL,
      '-f',
      'json',
      '--check',
      'sa.role-untrusted,role.no-permissions',
    ]);
    expect(repeated.code).toBe(0);
    expect(checkIds(repeated.stdout)).toEqual(['role.no-permissions', 'sa.role-untrusted']);
    expect(checkIds(comma.stdout)).toEqual(['role.no-permissions', 'sa.role-untrusted']);
    const skipped = await runCli(['scan', '-i', SMALL, '-f', 'json', '--skip-check', 'sa.role-untrusted']);
    expect(checkIds(skipped.stdout)).not.toContain('sa.role-untrusted');
    expect((JSON.parse(skipped.stdout) as JsonScan).summary.findings).toBe(4);
  });

  it('rejects an unknown check id naming the nearest ids (exit 2)', async () => {
    const result = await runCli(['scan', '-i', SMALL, '--check', 'sa.role-untrustd']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no check "sa.role-untrustd"; nearest: sa.role-untrusted');
  });

  it('reads --severity as at-or-above, and a list as exactly those; --fail-on reads the shown findings', async () => {
    const high = await runCli(['scan', '-i', SMALL, '-f', 'json', '--severity', 'high']);
    expect(severities(high.stdout)).toEqual(['critical', 'high']);
    const list = await runCli(['scan', '-i', SMALL, '-f', 'json', '--severity', 'critical,low']);
    expect(severities(list.stdout)).toEqual(['critical', 'low']);
    const bad = await runCli(['scan', '-i', SMALL, '--severity', 'hihg']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean "high"');
    // Only low findings shown: --fail-on high is not met.
    expect((await runCli(['scan', '-i', SMALL, '--severity', 'low,info', '--fail-on', 'high'])).code).toBe(0);
    expect((await runCli(['scan', '-i', SMALL, '--fail-on', 'critical,low'])).code).toBe(1);
  });

  it('reads the inventory from standard input with --inventory -', async () => {
    const result = await runWith(['scan', '--inventory', '-', '-f', 'json'], {
      stdin: readFileSync(SMALL, 'utf8'),
    });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as JsonScan).summary.findings).toBe(5);
    const broken = await runWith(['scan', '--inventory', '-'], { stdin: '{"accounts": [' });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('<stdin>');
  });

  it('writes the report to --output FILE, uncoloured', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'irsa-out-')), 'report.txt');
    const result = await runCli(['scan', '-i', SMALL, '--output', out], { FORCE_COLOR: '1' });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^irsa-audit: 1 account/);
    expect(text).not.toContain('\u001b[');
  });

  describe('config file', () => {
    const inventory = join(mkdtempSync(join(tmpdir(), 'irsa-cfg-')), 'inv.json');
    writeFileSync(
      inventory,
      JSON.stringify({
        schemaVersion: 1,
        accounts: [
          {
            accountId: '111122223333',
            clusters: [
              {
                name: 'locked',
                region: 'eu-central-1',
                arn: 'arn:aws:eks:eu-central-1:111122223333:cluster/locked',
                kubernetes: { status: 'unreachable', reason: 'Forbidden' },
              },
            ],
          },
        ],
      }),
    );
    const dir = (config: unknown) => {
      const cwd = mkdtempSync(join(tmpdir(), 'irsa-cfg-'));
      writeFileSync(join(cwd, '.irsa-audit.json'), JSON.stringify(config));
      return cwd;
    };

    it('fills options from ./.irsa-audit.json: flag > environment > config file', async () => {
      const cwd = dir({ 'member-role-name': 'FromConfig', scan: { format: 'json' } });
      const fromConfig = await runWith(['access', '-i', inventory], { cwd });
      expect(fromConfig.stdout).toContain(':role/FromConfig ');
      const fromEnv = await runWith(['access', '-i', inventory], {
        cwd,
        env: { MEMBER_ROLE_NAME: 'FromEnv' },
      });
      expect(fromEnv.stdout).toContain(':role/FromEnv ');
      const fromFlag = await runWith(['access', '-i', inventory, '--member-role-name', 'FromFlag'], {
        cwd,
        env: { MEMBER_ROLE_NAME: 'FromEnv' },
      });
      expect(fromFlag.stdout).toContain(':role/FromFlag ');
      const scan = await runWith(['scan', '-i', SMALL], { cwd });
      expect((JSON.parse(scan.stdout) as JsonScan).summary.findings).toBe(5);
    });

    it('takes --config FILE, and rejects an unknown key naming the nearest', async () => {
      const cwd = dir({ 'fail-onn': 'high' });
      const result = await runWith(['scan', '-i', SMALL], { cwd });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /\.irsa-audit\.json: "fail-onn" is neither a command nor an option; did you mean "fail-on"\?/,
      );
      const other = join(cwd, 'other.json');
      writeFileSync(other, JSON.stringify({ 'fail-on': 'critical' }));
      expect((await runWith(['scan', '-i', SMALL, '--config', other], { cwd })).code).toBe(1);
      expect((await runWith(['scan', '-i', SMALL, '--config', join(cwd, 'none.json')], { cwd })).code).toBe(
        2,
      );
    });
  });

  it('prints bash and zsh completion scripts', async () => {
    const bash = await runCli(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -o default -F _irsa_audit irsa-audit');
    expect(bash.stdout).toMatch(
      /scan\) opts="-i --inventory -f --format --details --severity --check --skip-check/,
    );
    expect(bash.stdout).toMatch(/--format\) words="table json markdown sarif csv ocsf asff html text" ;;/);
    expect(bash.stdout).toMatch(/--check\) words="[^"]*sa\.role-untrusted /);
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef irsa-audit\n/);
    expect(zsh.stdout).toContain('bashcompinit');
    expect((await runCli(['completion', 'fish'])).code).toBe(2);
  });

  it('keeps the existing short flags and commands working', async () => {
    const explain = await runCli([
      'explain',
      '-i',
      DEMO,
      '-c',
      'prod-use1',
      '-n',
      'vault',
      '-s',
      'vault',
      '-f',
      'json',
    ]);
    expect(explain.stderr).toBe('');
    expect((JSON.parse(explain.stdout) as { target: { serviceAccount: string } }).target.serviceAccount).toBe(
      'vault',
    );
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/^Usage: irsa-audit \[options\] \[command\]/);
  });
});

describe('adding a command', () => {
  it('is one entry; a command that parses its own arguments gets them untouched and is in the help', async () => {
    const seen: string[][] = [];
    const specs = [
      ...ALL_COMMANDS,
      rawCommand('fixit', 'a command with its own parser', async (argv) => {
        seen.push(argv);
        return 0;
      }),
    ];
    let out = '';
    const io: CliIO = {
      stdout: (text) => {
        out += text;
      },
      stderr: () => {},
      isTTY: false,
      env: {},
      cwd: process.cwd(),
    };
    expect(await runProgram(['fixit', '0123456789abcdef', '--out', 'dir', '-h'], specs, io)).toBe(0);
    expect(seen).toEqual([['0123456789abcdef', '--out', 'dir', '-h']]);
    await runProgram(['--help'], specs, io);
    expect(out).toMatch(/^ {2}fixit +a command with its own parser$/m);
  });
});

describe('AWS not reachable', () => {
  const system = (code: string, message: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(message), { code, ...extra });

  it.each([
    [
      system('ENOTFOUND', 'getaddrinfo ENOTFOUND sts.us-east-1.amazonaws.com', {
        hostname: 'sts.us-east-1.amazonaws.com',
      }),
      /the name sts\.us-east-1\.amazonaws\.com does not resolve .*offline/,
    ],
    [system('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), /^Cannot reach AWS \(.*ECONNREFUSED/],
    [Object.assign(new Error('Region is missing'), { name: 'Error' }), /no region is configured/],
    [Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), /^Cannot reach AWS/],
  ])('names %p as AWS not reachable', (error, message) => {
    expect(unreachableAws(error, {})).toMatch(message);
  });

  it('looks through causes, and says when the endpoint is overridden', () => {
    const wrapped = new Error('collection failed', {
      cause: system('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
    });
    expect(unreachableAws(wrapped, { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' })).toContain(
      'The endpoint is overridden (http://127.0.0.1:1)',
    );
  });

  const offline = (resolved: string[]) => async (host: string) => {
    resolved.push(host);
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
    });
  };

  it.each([
    ['snapshot', ['snapshot', '--out']],
    ['run', ['run']],
    ['explain', ['explain', '--live', '--account', '111122223333', '-c', 'c', '-n', 'n', '-s', 's']],
  ])('%s fails at once with exit 2 when offline, before any AWS call', async (name, command) => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-offline-'));
    const argv = command[command.length - 1] === '--out' ? [...command, join(dir, 'org.json')] : command;
    const resolved: string[] = [];
    const started = Date.now();

    const result = await runWith(argv, { env: { AWS_REGION: 'eu-west-1' }, resolveHost: offline(resolved) });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `^irsa-audit ${name}: Cannot reach AWS: the name sts\\.eu-west-1\\.amazonaws\\.com does not resolve .*Are you offline\\?`,
      ),
    );
    expect(result.stdout).toBe('');
    expect(resolved).toEqual(['sts.eu-west-1.amazonaws.com']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not second-guess a custom endpoint or a proxy, and lets other resolver errors through', async () => {
    const resolved: string[] = [];
    const io = (env: NodeJS.ProcessEnv, resolveHost = offline(resolved)): CliIO => ({
      stdout: () => {},
      stderr: () => {},
      isTTY: false,
      env,
      cwd: process.cwd(),
      resolveHost,
    });
    await expect(
      checkAwsReachable('us-east-1', io({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })),
    ).resolves.toBeUndefined();
    await expect(
      checkAwsReachable('us-east-1', io({ HTTPS_PROXY: 'http://proxy:3128' })),
    ).resolves.toBeUndefined();
    expect(resolved).toEqual([]);
    await expect(checkAwsReachable('cn-north-1', io({}))).rejects.toMatchObject({ exitCode: 2 });
    expect(resolved).toEqual(['sts.cn-north-1.amazonaws.com.cn']);
    const refused = async () => {
      throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
    };
    await expect(checkAwsReachable('us-east-1', io({}, refused))).resolves.toBeUndefined();
  });

  it('leaves other errors alone (they stay internal errors, exit 3)', () => {
    expect(unreachableAws(new TypeError('x is undefined'), {})).toBeUndefined();
    expect(
      unreachableAws(
        Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
        {},
      ),
    ).toBeUndefined();
  });
});
