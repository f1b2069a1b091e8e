/**
 * `irsa-audit snapshot`, `irsa-audit run` and `irsa-audit explain --live`, in-process, against the
 * simulated organization behind aws-sdk-client-mock (the CLI builds real SDK clients; the mock answers
 * them), its clusters' Kubernetes APIs on loopback servers, and the results table on dynalite.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type SimSettings, SimulatedAws, serviceError } from '../../bench/collect-sim';
import { CALLER } from '../collect/org-fixture';
import { type AwsMocks, mockAwsWithSimulation } from '../collect/sim-mocks';
import { type ServedClusters, serveClusters } from '../handler/kube';
import { DEV, PROD, REGION, roleArn, testOrganization } from '../handler/org';
import { runCli } from '../helpers/cli';
import { startDynalite, type TestDynamo } from '../helpers/dynalite';

const TOPIC = 'arn:aws:sns:us-east-1:999999999999:irsa-audit';
/** What the CLI reads from its own environment (the region of the caller's STS endpoint). */
const CLI_ENV: NodeJS.ProcessEnv = { AWS_REGION: 'us-east-1' };
const SCOPE = ['--accounts', `${PROD},${DEV}`, '--regions', REGION];

const FIRST_RUN_FINDINGS = [
  `pod.irsa-not-injected ${DEV} ${roleArn(DEV, 'api')}`,
  `sa.role-untrusted ${DEV} ${roleArn(DEV, 'api')}`,
  `trust.sub-target-missing ${DEV} ${roleArn(DEV, 'api')}`,
  `trust.sub-unrestricted ${PROD} ${roleArn(PROD, 'batch')}`,
];

interface JsonFinding {
  checkId: string;
  fingerprint: string;
  resource: { accountId: string; roleArn?: string };
}

const label = (finding: JsonFinding) =>
  `${finding.checkId} ${finding.resource.accountId} ${finding.resource.roleArn ?? '-'}`;

function findingsOf(stdout: string): JsonFinding[] {
  return (JSON.parse(stdout) as { findings: JsonFinding[] }).findings;
}

const fingerprints = (findings: JsonFinding[]) => findings.map((finding) => finding.fingerprint).sort();

const sns = mockClient(SNSClient);
let clusters: ServedClusters;
let mocks: AwsMocks | undefined;
const savedEnv: NodeJS.ProcessEnv = {};

/** Sets process.env for this test (the SDK's credential chain and endpoint settings read it). */
function setProcessEnv(values: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(values)) {
    if (!(name in savedEnv)) savedEnv[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

function simulate(settings: SimSettings = {}, org = testOrganization()): SimulatedAws {
  const sim = new SimulatedAws(clusters.apply(org), settings);
  mocks = mockAwsWithSimulation(sim);
  return sim;
}

function tempPath(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'irsa-live-')), name);
}

beforeAll(async () => {
  clusters = await serveClusters(testOrganization());
});
afterAll(async () => {
  sns.restore();
  await clusters.close();
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'sns-message-1' });
  // The simulation's caller; never a developer's own profile or config files.
  setProcessEnv({
    AWS_ACCESS_KEY_ID: 'AKIACALLER',
    AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'irsa-live-no-such-credentials'),
    AWS_CONFIG_FILE: join(tmpdir(), 'irsa-live-no-such-config'),
  });
});
afterEach(() => {
  mocks?.restore();
  mocks = undefined;
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
    delete savedEnv[name];
  }
});

describe('irsa-audit snapshot, scan and run', () => {
  it('writes a snapshot that scan loads, and run finds exactly what scan finds on it', async () => {
    const sim = simulate();
    const out = tempPath('org.json');

    const snapshot = await runCli(['snapshot', '--out', out, ...SCOPE], CLI_ENV);

    expect(snapshot).toEqual({
      code: 0,
      stdout: '',
      stderr: `collected 2 account(s), 2 cluster(s)\nwrote ${out}\n`,
    });
    const text = readFileSync(out, 'utf8');
    const file = JSON.parse(text) as { schemaVersion: number; accounts: { accountId: string }[] };
    expect(file.schemaVersion).toBe(1);
    expect(file.accounts.map((account) => account.accountId)).toEqual([PROD, DEV]);
    expect(text).not.toContain('member-secret'); // no credentials in the file
    // The configured accounts and regions are used as given: no Organizations or region listing.
    expect(mocks!.organizations.calls()).toHaveLength(0);
    expect(sim.callsByApi.get('account:ListRegions')).toBeUndefined();

    const scan = await runCli(['scan', '--inventory', out, '--format', 'json'], CLI_ENV);
    expect(scan.code).toBe(0);
    const fromFile = findingsOf(scan.stdout);
    expect(fromFile.map(label).sort()).toEqual(FIRST_RUN_FINDINGS);

    const run = await runCli(['run', ...SCOPE, '--format', 'json'], CLI_ENV);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('collected 2 account(s), 2 cluster(s)\n');
    expect(fingerprints(findingsOf(run.stdout))).toEqual(fingerprints(fromFile));
    expect(findingsOf(run.stdout)).toEqual(fromFile);
  });

  it('exits 1 from run when a finding meets --fail-on', async () => {
    simulate();

    const critical = await runCli(['run', ...SCOPE, '--fail-on', 'critical', '--format', 'json'], CLI_ENV);
    expect(critical.code).toBe(1);

    const fixed = testOrganization({ fixedBatchTrust: true });
    mocks!.restore();
    simulate({}, fixed);
    const clean = await runCli(['run', ...SCOPE, '--fail-on', 'critical', '--format', 'json'], CLI_ENV);
    expect(clean.code).toBe(0);
    expect(findingsOf(clean.stdout).map((finding) => finding.checkId)).not.toContain(
      'trust.sub-unrestricted',
    );
  });

  it('audits every account of the organization when none are named', async () => {
    simulate();

    const run = await runCli(['run', '--regions', REGION, '--format', 'json'], CLI_ENV);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('collected 3 account(s), 2 cluster(s)\n');
    expect(mocks!.organizations.commandCalls(ListAccountsCommand)).toHaveLength(1);
    expect(findingsOf(run.stdout).map(label).sort()).toEqual(FIRST_RUN_FINDINGS);
  });

  it("reads its own account with the caller's credentials, or through the member role with --assume-in-own-account", async () => {
    const sim = simulate({ assumeRoleFails: (accountId) => accountId === CALLER });

    const plain = await runCli(['run', '--regions', REGION, '--format', 'json'], CLI_ENV);

    expect(plain.code).toBe(0);
    expect(sim.callsByApi.get('sts:AssumeRole')).toBe(2);
    expect(mocks!.sts).not.toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${CALLER}:role/IrsaAuditorMemberRole`,
    });
    expect(findingsOf(plain.stdout).map((finding) => finding.checkId)).not.toContain(
      'scan.account-unreachable',
    );

    const assumed = await runCli(
      ['run', '--regions', REGION, '--assume-in-own-account', '--format', 'json'],
      CLI_ENV,
    );

    expect(mocks!.sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${CALLER}:role/IrsaAuditorMemberRole`,
    });
    // The member role is missing in the caller's own account here: it is unreachable, like any other.
    expect(
      findingsOf(assumed.stdout)
        .filter((finding) => finding.checkId === 'scan.account-unreachable')
        .map((finding) => finding.resource.accountId),
    ).toEqual([CALLER]);
  });

  describe('run --store', () => {
    let dynamo: TestDynamo;
    beforeEach(async () => {
      dynamo = await startDynalite();
      // `run --store` builds its DynamoDB client from the SDK's configuration, which honours this.
      setProcessEnv({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
    });
    afterEach(async () => {
      await dynamo.stop();
    });

    const results = (command: string, ...args: string[]) =>
      runCli([command, '--table', dynamo.tableName, '--endpoint', dynamo.endpoint, ...args], CLI_ENV);

    it('stores the run and its findings; runs and findings read them back; a rerun has no drift', async () => {
      simulate();

      const first = await runCli(['run', ...SCOPE, '--store', dynamo.tableName, '--format', 'json'], CLI_ENV);

      expect(first.code).toBe(0);
      const firstId = /run (\S+): 4 new, 0 resolved; notification disabled \(no topic configured\)\n$/.exec(
        first.stderr,
      )?.[1];
      expect(firstId).toBeDefined();
      expect(findingsOf(first.stdout).map(label).sort()).toEqual(FIRST_RUN_FINDINGS);

      const runs = await results('runs', '--format', 'json');
      expect(runs.code).toBe(0);
      const listed = (
        JSON.parse(runs.stdout) as { runs: { runId: string; trigger: string; status: string }[] }
      ).runs;
      expect(listed).toEqual([
        expect.objectContaining({ runId: firstId, trigger: 'cli', status: 'succeeded' }),
      ]);
      const stored = await results('findings', '--format', 'json', '--all');
      expect(stored.code).toBe(0);
      expect(fingerprints(findingsOf(stored.stdout))).toEqual(fingerprints(findingsOf(first.stdout)));

      const second = await runCli(['run', ...SCOPE, '--store', dynamo.tableName], CLI_ENV);

      expect(second.code).toBe(0);
      const secondId = /run (\S+): 0 new, 0 resolved; notification skipped/.exec(second.stderr)?.[1];
      expect(secondId).toBeDefined();
      expect(secondId).not.toBe(firstId);
      const after = JSON.parse((await results('runs', '--format', 'json')).stdout) as {
        runs: { runId: string }[];
      };
      expect(after.runs.map((run) => run.runId).sort()).toEqual([firstId, secondId].sort());
    });

    it('publishes the drift to the topic with --notify', async () => {
      simulate();

      const run = await runCli(
        ['run', ...SCOPE, '--store', dynamo.tableName, '--notify', TOPIC, '--notify-mode', 'new-only'],
        CLI_ENV,
      );

      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/: 4 new, 0 resolved; notification published\n$/);
      const publishes = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
      expect(publishes).toHaveLength(1);
      expect(publishes[0]).toMatchObject({
        TopicArn: TOPIC,
        MessageStructure: 'json',
        Subject: 'IRSA audit: 4 new (worst: critical), 0 resolved, 4 open',
        MessageAttributes: expect.objectContaining({
          newCount: { DataType: 'Number', StringValue: '4' },
        }),
      });
      const email = (JSON.parse(publishes[0].Message ?? '') as { email: string }).email;
      expect(email).toContain(`irsa-audit findings --status open --table ${dynamo.tableName}`);
    });

    it('exits 2 naming the holder when another run holds the lock', async () => {
      const sim = simulate();
      await dynamo.store().acquireLock('20261129T030000Z-lambda01', new Date(), 960);

      const run = await runCli(['run', ...SCOPE, '--store', dynamo.tableName], CLI_ENV);

      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^irsa-audit run: another audit run holds the run lock: 20261129T030000Z-lambda01/,
      );
      expect(sim.calls).toBe(0);
    });
  });

  it('refuses --notify without --store (exit 2) before calling AWS', async () => {
    const sim = simulate();

    const run = await runCli(['run', ...SCOPE, '--notify', TOPIC], CLI_ENV);

    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'irsa-audit run: --notify needs --store (drift is computed against the results table)\n',
    });
    expect(sim.calls).toBe(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  const neverWritten = tempPath('never.json');
  it.each([
    ['snapshot', ['snapshot', '--out', neverWritten]],
    ['run', ['run']],
  ])('%s exits 2 with a clear message when there are no credentials', async (name, command) => {
    simulate();
    setProcessEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });

    const result = await runCli([...command, ...SCOPE], CLI_ENV);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(`^irsa-audit ${name}: No usable AWS credentials: .*Set AWS_PROFILE \\(or --profile\\)`),
    );
    expect(result.stderr).not.toContain('    at '); // no stack trace
    expect(existsSync(neverWritten)).toBe(false);
  });

  it('exits 2 when the caller may not list the organization, and says what to do', async () => {
    simulate({
      fail: (call) =>
        call.service === 'organizations'
          ? serviceError('AccessDeniedException', "You don't have permissions to access this resource.", 403)
          : undefined,
    });
    const out = tempPath('org.json');

    const snapshot = await runCli(['snapshot', '--out', out, '--regions', REGION], CLI_ENV);
    const run = await runCli(['run', '--regions', REGION], CLI_ENV);

    for (const [name, result] of [
      ['snapshot', snapshot],
      ['run', run],
    ] as const) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(`^irsa-audit ${name}: Cannot list the accounts of the AWS Organization: .*AccessDenied`),
      );
      expect(result.stderr).toContain('or name the accounts with --accounts');
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('irsa-audit explain --live', () => {
  const target = (account: string, cluster: string, namespace: string, serviceAccount: string) => [
    'explain',
    '--live',
    '--account',
    account,
    '--region',
    REGION,
    '--cluster',
    cluster,
    '--namespace',
    namespace,
    '--service-account',
    serviceAccount,
  ];

  it('walks the guide for a broken service account and exits 1', async () => {
    simulate();

    const result = await runCli(target(DEV, 'dev', 'api', 'server'), CLI_ENV);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗');
    expect(result.stdout).toContain('system:serviceaccount:api:client'); // what the trust names instead

    const json = await runCli([...target(DEV, 'dev', 'api', 'server'), '--format', 'json'], CLI_ENV);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { verdict: string; steps: { id: string; status: string }[] };
    expect(report.verdict).toBe('broken');
    expect(report.steps.some((step) => step.status === 'fail')).toBe(true);
  });

  it('confirms a working service account and exits 0, reading only what it needs', async () => {
    const sim = simulate();
    const prod = clusters.servers.get('prod')!;
    const readBefore = prod.requests.length;

    const result = await runCli([...target(PROD, 'prod', 'web', 'frontend'), '--format', 'json'], CLI_ENV);

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      verdict: string;
      mechanism: { effective: string };
      steps: { status: string }[];
    };
    expect(report.verdict).toBe('works');
    expect(report.mechanism.effective).toBe('irsa');
    expect(report.steps.every((step) => step.status !== 'fail')).toBe(true);
    expect(mocks!.organizations.calls()).toHaveLength(0);
    expect(sim.callsByApi.get('eks:ListClusters')).toBeUndefined();
    const prodRequests = prod.requests.slice(readBefore).map((request) => request.path);
    expect(prodRequests.length).toBeGreaterThan(0);
    for (const path of prodRequests) expect(path).toMatch(/^\/api\/v1\/namespaces\/web\//);
  });

  it('exits 2 when the cluster does not exist in that account and region', async () => {
    simulate();

    const result = await runCli(target(PROD, 'no-such-cluster', 'web', 'frontend'), CLI_ENV);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^irsa-audit explain: /);
    expect(result.stderr).toContain('no-such-cluster');
  });

  it('exits 2 when the service account does not exist, saying only it was read', async () => {
    simulate();

    const result = await runCli(target(PROD, 'prod', 'web', 'no-such-sa'), CLI_ENV);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('service account web/no-such-sa does not exist in cluster prod');
    expect(result.stderr).toContain('only that service account was read');
  });

  it('needs --account with --live', async () => {
    const result = await runCli(
      ['explain', '--live', '--cluster', 'dev', '--namespace', 'api', '--service-account', 'server'],
      CLI_ENV,
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--account');
  });
});
