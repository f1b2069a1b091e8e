/**
 * The distributed mode end to end, in-process: the real plan, collect and evaluate steps and the
 * failure handler, orchestrated as the state machine does (bench/state-machine-sim.ts), on the
 * simulated organization, with the results table on dynalite, the artifact and report buckets on
 * s3rver, and SNS and Security Hub through aws-sdk-client-mock.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  BatchImportFindingsCommand,
  type BatchImportFindingsCommandInput,
  BatchUpdateFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
// s3rver ships no types; the part used here is typed in test/types/s3rver.d.ts.
import { type SimOrganization, type SimSettings, SimulatedAws, serviceError } from '../../bench/collect-sim';
import { type ExecutionOutcome, type MapSettings, runExecution } from '../../bench/state-machine-sim';
import type { StoredFinding } from '../../lambda/app/stored-finding';
import { RunArtifacts } from '../../lambda/artifacts/run-artifacts';
import type { CollectDeps } from '../../lambda/collect/run-context';
import { collectBatch } from '../../lambda/distributed/collect-batch';
import { evaluateRun } from '../../lambda/distributed/evaluate';
import { recordFailedRun } from '../../lambda/distributed/failed';
import { planRun } from '../../lambda/distributed/plan';
import type { StepDeps } from '../../lambda/distributed/runtime';
import { type HandlerDeps, runScheduledAudit } from '../../lambda/handler';
import { ENV, SETTINGS } from '../../lambda/settings/settings';
import { listRuns, queryFindings } from '../../lambda/store/queries';
import { CALLER } from '../collect/org-fixture';
import { DEV, PROD, REGION, roleArn, testOrganization } from '../handler/org';
import { startDynalite, type TestDynamo } from '../helpers/dynalite';
import { startS3rver, type TestS3 } from '../helpers/s3rver';

const BUCKET = 'irsa-audit-artifacts';
const REPORT_BUCKET = 'irsa-reports';
const AUDIT_ACCOUNT = '999999999999';
const TOPIC = `arn:aws:sns:us-east-1:${AUDIT_ACCOUNT}:irsa-audit`;
/** The evaluate step's ARN: Security Hub imports into the account it names. */
const EVALUATE_ARN = `arn:aws:lambda:${REGION}:${AUDIT_ACCOUNT}:function:IrsaAuditor-DistributedEvaluate`;
const PRODUCT = `arn:aws:securityhub:${REGION}:${AUDIT_ACCOUNT}:product/${AUDIT_ACCOUNT}/default`;
const FIFTEEN_MINUTES = 15 * 60_000;

const BATCH_UNRESTRICTED = `trust.sub-unrestricted ${PROD} ${roleArn(PROD, 'batch')}`;
const DEV_FINDINGS = [
  `pod.irsa-not-injected ${DEV} ${roleArn(DEV, 'api')}`,
  `sa.role-untrusted ${DEV} ${roleArn(DEV, 'api')}`,
  `trust.sub-target-missing ${DEV} ${roleArn(DEV, 'api')}`,
];
const FIRST_RUN_FINDINGS = [...DEV_FINDINGS, BATCH_UNRESTRICTED].sort();

const label = (finding: { checkId: string; resource: { accountId: string; roleArn?: string } }) =>
  `${finding.checkId} ${finding.resource.accountId} ${finding.resource.roleArn ?? '-'}`;

let s3server: TestS3;
let s3: S3Client;
let sns: ReturnType<typeof mockClient>;
let hub: ReturnType<typeof mockClient>;
let dynamo: TestDynamo;
let nextStart: number;

beforeAll(async () => {
  // Created here (not at module load): mockClient patches every SNSClient until restored.
  sns = mockClient(SNSClient);
  hub = mockClient(SecurityHubClient);
  s3server = await startS3rver([BUCKET, REPORT_BUCKET]);
  s3 = s3server.client;
});
afterAll(async () => {
  sns.restore();
  hub.restore();
  await s3server.stop();
});
beforeEach(async () => {
  dynamo = await startDynalite();
  nextStart = Date.now();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'sns-message-1' });
  hub.reset();
  hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
  hub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
});
afterEach(async () => {
  await dynamo.stop();
});

const quiet = { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const quietMetrics = () =>
  new Metrics({ namespace: 'IrsaAuditorTest', serviceName: 'irsa-auditor', logger: quiet });
const quietLogger = () => new Logger({ serviceName: 'irsa-auditor-test', logLevel: 'SILENT' });

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    [ENV.table]: dynamo.tableName,
    [ENV.topic]: TOPIC,
    [ENV.regions]: REGION,
    [SETTINGS.artifactBucket.env]: BUCKET,
    [SETTINGS.runLockTtlSeconds.env]: '7200',
    ...extra,
  };
}

function context(remainingMs = FIFTEEN_MINUTES) {
  return { getRemainingTimeInMillis: () => remainingMs };
}

function collectDeps(sim: SimulatedAws): CollectDeps {
  return {
    clients: sim.clientFactory(),
    credentials: sim.callerCredentials,
    kubernetes: sim.kubernetesReader(),
    clock: { now: Date.now, sleep: async () => {} },
  };
}

interface Execution {
  org?: SimOrganization;
  settings?: SimSettings;
  map?: Partial<MapSettings>;
  /** Replaces the dependencies of one child (by batch index). */
  child?: (index: number, deps: StepDeps) => StepDeps;
  artifacts?: RunArtifacts;
  /** More environment of every step (the suppressions file, the exporters). */
  env?: NodeJS.ProcessEnv;
  /** More dependencies of every step (where the function's files are, the exporters' clients). */
  deps?: Partial<StepDeps>;
  /** More dependencies of the evaluate step alone (its own bundle's files). */
  evaluateDeps?: Partial<StepDeps>;
}

/** One scheduled execution of the state machine against a fresh simulation of `org`. */
async function execute(run: Execution = {}): Promise<{ outcome: ExecutionOutcome; sim: SimulatedAws }> {
  const sim = new SimulatedAws(run.org ?? testOrganization(), run.settings);
  let now = nextStart;
  nextStart += 60_000;
  const artifacts = run.artifacts ?? new RunArtifacts({ client: s3, bucket: BUCKET });
  const deps: StepDeps = {
    env: env(run.env),
    store: dynamo.store(),
    artifacts,
    sns: new SNSClient({ region: 'us-east-1' }),
    collectDeps: collectDeps(sim),
    logger: quietLogger(),
    metrics: quietMetrics(),
    clock: () => new Date(now++),
    ...run.deps,
  };
  const outcome = await runExecution(
    {
      plan: () => planRun(context(), deps),
      readItems: (planned) => artifacts.readAccountList(planned.runId),
      collect: (event, index) => collectBatch(event, context(), run.child ? run.child(index, deps) : deps),
      evaluate: (planned) =>
        evaluateRun(
          planned,
          { ...context(), invokedFunctionArn: EVALUATE_ARN },
          { ...deps, ...run.evaluateDeps },
        ),
      failed: (event) => recordFailedRun(event, deps),
    },
    { batchSize: 1, maxConcurrency: 2, toleratedFailurePercentage: 50, childTimeoutMs: 10_000, ...run.map },
  );
  return { outcome, sim };
}

async function findings(status: 'open' | 'resolved'): Promise<StoredFinding[]> {
  return (await queryFindings(dynamo.store(), { status }, { all: true }, new Date(nextStart))).findings;
}

async function runs() {
  return (await listRuns(dynamo.store(), { limit: 50 }, new Date(nextStart))).runs;
}

/** Every object of the artifact bucket (the runs of all the tests of this file). */
async function allKeys(): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
    keys.push(...(listed.Contents ?? []).map((object) => object.Key!));
    token = listed.NextContinuationToken;
  } while (token);
  return keys.sort();
}

async function keysOf(runId: string): Promise<string[]> {
  const listed = await s3.send(
    new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `irsa-audit/runs/${runId}/` }),
  );
  return (listed.Contents ?? []).map((object) => object.Key!.replace(`irsa-audit/runs/${runId}/`, '')).sort();
}

describe('the distributed mode', () => {
  it('plans, collects one partial per account, evaluates, stores, notifies and frees the lock', async () => {
    const { outcome } = await execute();
    expect(outcome.status).toBe('succeeded');
    if (outcome.plan?.status !== 'planned') throw new Error('not planned');
    const { runId } = outcome.plan;
    expect(outcome.plan.accounts).toBe(3);
    expect(outcome.children.map((child) => child.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(await keysOf(runId)).toEqual(
      [
        'accounts.json',
        `partials/${CALLER}.json.gz`,
        `partials/${PROD}.json.gz`,
        `partials/${DEV}.json.gz`,
      ].sort(),
    );
    expect(outcome.evaluate).toEqual({
      status: 'completed',
      runId,
      accounts: { audited: 3, failed: 0, partialsMissing: 0 },
      findings: 4,
      drift: { new: 4, resolved: 0, open: 4 },
      notification: 'published',
    });
    expect((await findings('open')).map(label).sort()).toEqual(FIRST_RUN_FINDINGS);
    const [record] = await runs();
    expect(record).toMatchObject({
      runId,
      status: 'succeeded',
      trigger: 'schedule',
      startedAt: outcome.plan.startedAt,
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    // The lock is free: the next execution runs.
    expect((await execute()).outcome.status).toBe('succeeded');
  });

  it('gives the same findings and fingerprints as the single mode for the same organization', async () => {
    const org = testOrganization();
    const { outcome } = await execute({ org });
    expect(outcome.status).toBe('succeeded');
    const distributed = await findings('open');

    const single = await startDynalite();
    try {
      const sim = new SimulatedAws(org);
      await runScheduledAudit(context(), {
        env: { ...env(), [ENV.table]: single.tableName },
        store: single.store(),
        sns: new SNSClient({ region: 'us-east-1' }),
        collectDeps: collectDeps(sim),
        logger: quietLogger(),
        metrics: quietMetrics(),
      });
      const stored = (await queryFindings(single.store(), { status: 'open' }, { all: true }, new Date()))
        .findings;
      const view = (list: StoredFinding[]) =>
        list
          .map((finding) => ({
            fingerprint: finding.fingerprint,
            checkId: finding.checkId,
            severity: finding.severity,
            resource: finding.resource,
            message: finding.message,
          }))
          .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
      expect(view(distributed)).toEqual(view(stored));
      expect(distributed).toHaveLength(4);
    } finally {
      await single.stop();
    }
  });

  it('a failed child: its accounts are not scanned, their findings stay open, the others are audited', async () => {
    await execute();
    // The child of DEV (batch 2) cannot write its partial.
    const { outcome } = await execute({
      org: testOrganization({ fixedBatchTrust: true }),
      child: (index, deps) =>
        index === 2
          ? {
              ...deps,
              artifacts: Object.assign(Object.create(deps.artifacts!), {
                writePartial: async () => {
                  throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
                },
              }),
            }
          : deps,
    });
    expect(outcome.children.map((child) => child.status)).toEqual(['succeeded', 'succeeded', 'failed']);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.evaluate?.accounts).toEqual({ audited: 2, failed: 1, partialsMissing: 1 });
    const open = (await findings('open')).map(label);
    // DEV was not seen: its findings stay open; PROD's fixed trust resolves.
    for (const finding of DEV_FINDINGS) expect(open).toContain(finding);
    expect(open).toContain(`scan.account-unreachable ${DEV} -`);
    expect((await findings('resolved')).map(label)).toEqual([BATCH_UNRESTRICTED]);
    const [record] = await runs();
    expect(record.coverageErrors).toEqual([
      expect.objectContaining({ accountId: DEV, scope: 'account', code: 'NotScanned' }),
    ]);
  });

  it('a child that times out: a missing partial is a coverage error of each of its accounts', async () => {
    await execute();
    const { outcome } = await execute({
      map: { batchSize: 2, childTimeoutMs: 300 },
      // The second batch (DEV alone) hangs in its first AWS call until the Map times it out.
      child: (index, deps) => {
        if (index !== 1) return deps;
        const hung = new SimulatedAws(testOrganization(), {
          latencyMs: () => 1,
          sleep: () => new Promise(() => {}),
        });
        return { ...deps, collectDeps: collectDeps(hung) };
      },
    });
    expect(outcome.children.map((child) => child.status)).toEqual(['succeeded', 'timedOut']);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.evaluate?.accounts).toEqual({ audited: 2, failed: 1, partialsMissing: 1 });
    const open = (await findings('open')).map(label);
    for (const finding of FIRST_RUN_FINDINGS) expect(open).toContain(finding);
    expect(await findings('resolved')).toEqual([]);
  });

  it('a child whose accounts cannot be assumed writes their partials with the coverage error', async () => {
    const { outcome } = await execute({ settings: { assumeRoleFails: (id) => id === DEV } });
    expect(outcome.children.every((child) => child.status === 'succeeded')).toBe(true);
    expect(outcome.evaluate?.accounts).toEqual({ audited: 2, failed: 1, partialsMissing: 0 });
    expect((await findings('open')).map(label)).toContain(`scan.account-unreachable ${DEV} -`);
  });

  it('too many failed children fail the run: the failure handler records it and frees the lock', async () => {
    await execute();
    const { outcome } = await execute({
      map: { toleratedFailurePercentage: 0 },
      child: (index, deps) => (index === 0 ? { ...deps, artifacts: brokenArtifacts() } : deps),
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.failed).toEqual({ runId: expect.any(String), recorded: true, lockReleased: true });
    const [record] = await runs();
    expect(record).toMatchObject({
      status: 'failed',
      error: { stage: 'CollectAccounts', code: 'States.ExceedToleratedFailureThreshold' },
    });
    // Nothing was resolved by the failed run.
    expect((await findings('open')).map(label).sort()).toEqual(FIRST_RUN_FINDINGS);
    expect((await execute()).outcome.status).toBe('succeeded');
  });

  it('another run holding the lock: the execution ends skipped, nothing is written', async () => {
    await dynamo.store().acquireLock('20261206T030000Z-otherrun', new Date(), 3600);
    const { outcome, sim } = await execute();
    expect(outcome).toMatchObject({
      status: 'skipped',
      plan: { status: 'skipped', holder: '20261206T030000Z-otherrun' },
    });
    expect(sim.calls).toBe(0);
    expect(await runs()).toEqual([]);
  });

  it('a plan that cannot list the organization records the run failed and frees the lock', async () => {
    const sim = new SimulatedAws(testOrganization(), {
      fail: (call) =>
        call.api === 'ListAccounts'
          ? serviceError('AccessDeniedException', 'You don’t have permissions', 403)
          : undefined,
    });
    const deps: StepDeps = {
      env: env(),
      store: dynamo.store(),
      artifacts: new RunArtifacts({ client: s3, bucket: BUCKET }),
      collectDeps: collectDeps(sim),
      logger: quietLogger(),
      metrics: quietMetrics(),
    };
    await expect(planRun(context(), deps)).rejects.toThrow(/organization/i);
    const [record] = await runs();
    expect(record).toMatchObject({
      status: 'failed',
      error: { stage: 'plan', code: 'OrganizationsAccessDenied' },
    });
    expect(await dynamo.store().readLock()).toBeUndefined();
  });

  it('evaluate fails when another run took the lock over, and releases nothing of the other run', async () => {
    const { outcome } = await execute({
      artifacts: lockStealingArtifacts(),
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.failed).toMatchObject({ lockReleased: false });
    expect((await dynamo.store().readLock())?.holder).toBe('20261206T040000Z-thief');
    expect(await findings('open')).toEqual([]);
  });
});

function brokenArtifacts(): RunArtifacts {
  const artifacts = new RunArtifacts({ client: s3, bucket: BUCKET });
  artifacts.writePartial = async () => {
    throw new Error('Slow Down');
  };
  return artifacts;
}

/** Artifacts whose account-list read (the evaluate step's first) happens after another run took the lock. */
function lockStealingArtifacts(): RunArtifacts {
  const artifacts = new RunArtifacts({ client: s3, bucket: BUCKET });
  const read = artifacts.readAccountList.bind(artifacts);
  let reads = 0;
  artifacts.readAccountList = async (runId) => {
    // The first read is the Map's ItemReader; the second is the evaluate step's.
    if (++reads === 2) {
      const store = dynamo.store();
      const current = await store.readLock();
      await store.releaseLock(current!);
      await store.acquireLock('20261206T040000Z-thief', new Date(), 3600);
    }
    return read(runId);
  };
  return artifacts;
}

/** A function directory holding a suppressions file, as the CDK app bundles it (docs/suppressions.md). */
function functionDirWith(name: string, body: string): string {
  const functionDir = mkdtempSync(join(tmpdir(), 'irsa-function-'));
  writeFileSync(join(functionDir, name), body);
  return functionDir;
}

/** Accepts the unrestricted trust of PROD's batch role (one of the four findings) for 60 days. */
function batchSuppressions(): string {
  const expires = new Date(nextStart + 60 * 86_400_000).toISOString().slice(0, 10);
  return `version: 1\nsuppressions:\n  - check: trust.sub-unrestricted\n    account: "${PROD}"\n    role: "*:role/batch"\n    reason: break-glass\n    owner: security\n    expires: ${expires}\n`;
}

function published(): PublishCommandInput[] {
  return sns.commandCalls(PublishCommand).map((call) => call.args[0].input as PublishCommandInput);
}

describe('the distributed mode applies the suppressions file and the exporters as the single mode does', () => {
  it('the bundled suppressions file suppresses the same findings: stored `suppressed`, not notified', async () => {
    const functionDir = functionDirWith('irsa-audit.suppressions.yaml', batchSuppressions());
    const { outcome } = await execute({
      env: { [ENV.suppressionsFile]: 'irsa-audit.suppressions.yaml' },
      deps: { functionDir },
    });
    expect(outcome.status).toBe('succeeded');
    expect(outcome.evaluate).toMatchObject({
      findings: 3,
      drift: { new: 3, open: 3 },
      suppressions: { suppressed: 1, reopened: 0, expiredEntries: 0, staleEntries: 0 },
    });
    const suppressed = (
      await queryFindings(dynamo.store(), { status: 'suppressed' }, {}, new Date(nextStart))
    ).findings;
    expect(suppressed.map(label)).toEqual([BATCH_UNRESTRICTED]);
    expect((await findings('open')).map(label).sort()).toEqual([...DEV_FINDINGS].sort());
    const [message] = published();
    expect(message.Message).not.toContain('role/batch');
    const [record] = await runs();
    expect(record.suppressions).toMatchObject({ source: 'irsa-audit.suppressions.yaml', suppressed: 1 });

    // The single mode, the same organization and file: the same findings suppressed, the same result.
    const single = await startDynalite();
    try {
      const result = await runScheduledAudit(context(), {
        ...singleDeps(single),
        env: {
          ...env(),
          [ENV.table]: single.tableName,
          [ENV.suppressionsFile]: 'irsa-audit.suppressions.yaml',
        },
        functionDir,
      });
      expect(result.suppressions).toEqual(outcome.evaluate?.suppressions);
      const singleSuppressed = (await queryFindings(single.store(), { status: 'suppressed' }, {}, new Date()))
        .findings;
      expect(singleSuppressed.map((finding) => finding.fingerprint)).toEqual(
        suppressed.map((finding) => finding.fingerprint),
      );
    } finally {
      await single.stop();
    }
  });

  it('a valid file passes the plan unchanged: the same accounts planned as without one', async () => {
    const withFile = await execute({
      env: { [ENV.suppressionsFile]: 'irsa-audit.suppressions.yaml' },
      deps: { functionDir: functionDirWith('irsa-audit.suppressions.yaml', batchSuppressions()) },
    });
    const without = await execute();
    expect(withFile.outcome.status).toBe('succeeded');
    if (withFile.outcome.plan?.status !== 'planned' || without.outcome.plan?.status !== 'planned')
      throw new Error('not planned');
    const { runId, startedAt, lock, accountListKey, ...rest } = withFile.outcome.plan;
    expect(without.outcome.plan).toMatchObject(rest);
    expect(rest).toMatchObject({ status: 'planned', accounts: 3 });
    const artifacts = new RunArtifacts({ client: s3, bucket: BUCKET });
    expect(await artifacts.readAccountList(runId)).toEqual(
      await artifacts.readAccountList(without.outcome.plan.runId),
    );
  });

  const INVALID: { what: string; name: string; body?: () => string; runAgo?: number; message: RegExp }[] = [
    { what: 'missing', name: 'irsa-audit.suppressions.yaml', message: /cannot read the suppressions file/ },
    {
      what: 'invalid',
      name: 'bad.json',
      body: () => JSON.stringify({ version: 1, suppressions: [{ check: 'x' }] }),
      message: /bad\.json/,
    },
    {
      // Valid today, but judged as of the run's start (400 days ago) it expires more than a year later.
      what: "invalid as of the run's start",
      name: 'irsa-audit.suppressions.yaml',
      body: batchSuppressions,
      runAgo: 400 * 86_400_000,
      message: /more than one year after/,
    },
  ];
  it.each(INVALID)(
    'a suppressions file $what fails the plan: no lock, no run record, no account list, no AWS call',
    async ({ name, body, runAgo, message }) => {
      const functionDir = body
        ? functionDirWith(name, body())
        : mkdtempSync(join(tmpdir(), 'irsa-function-'));
      const logger = quietLogger();
      const logged = jest.spyOn(logger, 'error');
      const sim = new SimulatedAws(testOrganization());
      const start = new Date(nextStart - (runAgo ?? 0));
      const before = await allKeys();
      await expect(
        execute({
          env: { [ENV.suppressionsFile]: name },
          deps: { functionDir, logger, collectDeps: collectDeps(sim), clock: () => start },
        }),
      ).rejects.toMatchObject({ name: 'SuppressionsError', message: expect.stringMatching(message) });
      // The single handler's log line (lambda/lambda-runtime.ts), then nothing.
      expect(logged.mock.calls).toEqual([
        ['the suppressions file is invalid; no audit was run', { error: expect.stringMatching(message) }],
      ]);
      expect(sim.calls).toBe(0);
      expect(await dynamo.store().readLock()).toBeUndefined();
      expect(await runs()).toEqual([]);
      expect(await allKeys()).toEqual(before);
      expect(published()).toEqual([]);
      // Nothing to clean up: the next execution runs.
      expect((await execute()).outcome.status).toBe('succeeded');
    },
  );

  it('the evaluate step checks its own copy again: invalid there, the run is recorded failed, the lock released', async () => {
    // The plan's copy is valid; the evaluate step's is not (each function has its own bundle).
    const valid = functionDirWith('bad.json', JSON.stringify({ version: 1, suppressions: [] }));
    const functionDir = functionDirWith(
      'bad.json',
      JSON.stringify({ version: 1, suppressions: [{ check: 'x' }] }),
    );
    const { outcome } = await execute({
      env: { [ENV.suppressionsFile]: 'bad.json' },
      deps: { functionDir: valid },
      evaluateDeps: { functionDir },
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ Error: 'SuppressionsError' });
    expect(outcome.failed).toEqual({ runId: expect.any(String), recorded: true, lockReleased: true });
    const [record] = await runs();
    expect(record).toMatchObject({
      status: 'failed',
      error: { stage: 'Evaluate', code: 'SuppressionsError', message: expect.stringContaining('bad.json') },
    });
    // Nothing was evaluated, stored or notified; the lock is free, so the next run goes ahead.
    expect(await findings('open')).toEqual([]);
    expect(published()).toEqual([]);
    expect(await dynamo.store().readLock()).toBeUndefined();
    expect((await execute()).outcome.status).toBe('succeeded');
  });

  it('imports the findings into Security Hub and writes the report the notification links to', async () => {
    const metrics = quietMetrics();
    const added = jest.spyOn(metrics, 'addMetric');
    const { outcome } = await execute({
      env: { [ENV.securityHub]: 'true', [ENV.reportBucket]: REPORT_BUCKET, AWS_REGION: REGION },
      deps: { exporterClients: { s3, securityHub: new SecurityHubClient({ region: REGION }) }, metrics },
    });
    expect(outcome.status).toBe('succeeded');
    expect(outcome.evaluate).toMatchObject({ findings: 4, exports: ['reportBucket: ok', 'securityHub: ok'] });
    const runId = outcome.evaluate!.runId;

    const imported = hub
      .commandCalls(BatchImportFindingsCommand)
      .flatMap((call) => (call.args[0].input as BatchImportFindingsCommandInput).Findings ?? []);
    for (const finding of imported)
      expect(finding).toMatchObject({
        ProductArn: PRODUCT,
        AwsAccountId: AUDIT_ACCOUNT,
        RecordState: 'ACTIVE',
      });
    const stored = await findings('open');
    expect(imported.map((finding) => finding.ProductFields?.['irsa-auditor/fingerprint']).sort()).toEqual(
      stored.map((finding) => finding.fingerprint).sort(),
    );
    expect(imported.map((finding) => finding.GeneratorId).sort()).toEqual(
      stored.map((finding) => finding.checkId).sort(),
    );

    const report = await objectText(REPORT_BUCKET, `irsa-audit/runs/${runId}.html`);
    expect(report).toContain('<!doctype html>');
    for (const finding of stored) expect(report).toContain(finding.fingerprint);
    expect(await objectText(REPORT_BUCKET, 'irsa-audit/latest.html')).toBe(report);
    const link = `https://s3.console.aws.amazon.com/s3/object/${REPORT_BUCKET}?prefix=${encodeURIComponent(`irsa-audit/runs/${runId}.html`)}`;
    const message = JSON.parse(published()[0].Message as string);
    expect(message.email).toContain(`Report: ${link}`);
    const [record] = await runs();
    expect(record.exports?.map((exported) => `${exported.name}: ${exported.status}`)).toEqual([
      'reportBucket: ok',
      'securityHub: ok',
    ]);
    // The evaluate step emits the metric the "exports failed" alarm watches, as the audit function does.
    expect(added).toHaveBeenCalledWith('ExportsFailed', 'Count', 0);
    expect(added).toHaveBeenCalledWith('ExportFindingsRefused', 'Count', 0);
  });
});

/** What the single mode's handler needs to audit the simulated organization into `table`. */
function singleDeps(table: TestDynamo): HandlerDeps {
  return {
    store: table.store(),
    sns: new SNSClient({ region: 'us-east-1' }),
    collectDeps: collectDeps(new SimulatedAws(testOrganization())),
    logger: quietLogger(),
    metrics: quietMetrics(),
  };
}

async function objectText(bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

describe('RunArtifacts', () => {
  it('reports a partial that is not gzip as unreadable, not as a thrown run', async () => {
    const artifacts = new RunArtifacts({ client: s3, bucket: BUCKET });
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: artifacts.partialKey('run-x', DEV),
        Body: '{"not":"gzip"}',
      }),
    );
    const read = await artifacts.readPartial('run-x', DEV);
    expect(read).toMatchObject({ status: 'invalid', error: { scope: 'account', code: 'InventoryInvalid' } });
    expect(await artifacts.readPartial('run-x', PROD)).toMatchObject({
      status: 'missing',
      error: { scope: 'account', code: 'NotScanned' },
    });
  });

  it('yields the partials in the plan order with several reads in flight', async () => {
    const artifacts = new RunArtifacts({ client: s3, bucket: BUCKET, readAhead: 3 });
    const ids = Array.from({ length: 7 }, (_, index) => `10000000010${index}`);
    for (const accountId of [...ids].reverse()) {
      await artifacts.writePartial(
        'run-y',
        { accountId, oidcProviders: [], roles: [], clusters: [], errors: [] },
        '2026-12-06T03:00:00Z',
      );
    }
    const order: string[] = [];
    for await (const read of artifacts.readPartials(
      'run-y',
      ids.map((accountId) => ({ accountId })),
    )) {
      expect(read.status).toBe('read');
      order.push(read.accountId);
    }
    expect(order).toEqual(ids);
  });
});
