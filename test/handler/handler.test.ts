/**
 * The audit Lambda end to end: a simulated organization (injected as the collectors' SDK clients and
 * Kubernetes reader), the results table on dynalite, SNS through aws-sdk-client-mock.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { type SimOrganization, type SimSettings, SimulatedAws } from '../../bench/collect-sim';
import { startRunRecord } from '../../lambda/app/run-record';
import type { StoredFinding } from '../../lambda/app/stored-finding';
import type { ProgressListener } from '../../lambda/collect/progress';
import type { CollectDeps } from '../../lambda/collect/run-context';
import { ConfigError } from '../../lambda/config';
import {
  type HandlerDeps,
  type HandlerResult,
  handler,
  type InvocationContext,
  runScheduledAudit,
  STOP_MARGIN_MS,
} from '../../lambda/handler';
import { ENV } from '../../lambda/settings/settings';
import { findingHistory, listRuns, queryFindings } from '../../lambda/store/queries';
import { CALLER } from '../collect/org-fixture';
import { mockAwsWithSimulation } from '../collect/sim-mocks';
import { startDynalite, type TestDynamo } from '../helpers/dynalite';
import { serveClusters } from './kube';
import { DEV, PROD, REGION, roleArn, testOrganization } from './org';

const TOPIC = 'arn:aws:sns:us-east-1:999999999999:irsa-audit';
const FIFTEEN_MINUTES = 15 * 60_000;
const sns = mockClient(SNSClient);

// What the organization of ./org.ts yields, as `checkId account role`.
const BATCH_UNRESTRICTED = `trust.sub-unrestricted ${PROD} ${roleArn(PROD, 'batch')}`;
const DEV_FINDINGS = [
  `pod.irsa-not-injected ${DEV} ${roleArn(DEV, 'api')}`,
  `sa.role-untrusted ${DEV} ${roleArn(DEV, 'api')}`,
  `trust.sub-target-missing ${DEV} ${roleArn(DEV, 'api')}`,
];
const FIRST_RUN_FINDINGS = [...DEV_FINDINGS, BATCH_UNRESTRICTED].sort();
const DEV_UNREACHABLE = `scan.account-unreachable ${DEV} -`;

const label = (finding: { checkId: string; resource: { accountId: string; roleArn?: string } }) =>
  `${finding.checkId} ${finding.resource.accountId} ${finding.resource.roleArn ?? '-'}`;

let dynamo: TestDynamo;
/** Each run starts a minute after the previous one (run ids are sortable by start time). */
let nextStart: number;

beforeEach(async () => {
  dynamo = await startDynalite();
  nextStart = Date.now();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'sns-message-1' });
});
afterEach(async () => {
  await dynamo.stop();
});
afterAll(() => sns.restore());

function lambdaContext(remainingMs = FIFTEEN_MINUTES): InvocationContext {
  return { getRemainingTimeInMillis: () => remainingMs, awsRequestId: 'req-1' };
}

function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { [ENV.table]: dynamo.tableName, [ENV.topic]: TOPIC, [ENV.regions]: REGION, ...extra };
}

interface AuditRun {
  org?: SimOrganization;
  settings?: SimSettings;
  env?: NodeJS.ProcessEnv;
  remainingMs?: number;
  /** The collectors' clock (default: real time); the handler's clock starts at the same instant. */
  collectNow?: () => number;
  progress?: ProgressListener;
  deps?: Partial<HandlerDeps>;
}

/** One scheduled invocation against a fresh simulation of `org`. */
async function audit(run: AuditRun = {}): Promise<{ result: HandlerResult; sim: SimulatedAws }> {
  const sim = new SimulatedAws(run.org ?? testOrganization(), run.settings);
  const startedAt = new Date(nextStart);
  nextStart += 60_000;
  let now = startedAt.getTime();
  const collectDeps: CollectDeps = {
    clients: sim.clientFactory(),
    credentials: sim.callerCredentials,
    kubernetes: sim.kubernetesReader(),
    clock: { now: run.collectNow ?? Date.now, sleep: async () => {} },
    ...(run.progress ? { progress: run.progress } : {}),
  };
  const result = await runScheduledAudit(lambdaContext(run.remainingMs), {
    env: baseEnv(run.env),
    store: dynamo.store(),
    sns: new SNSClient({ region: 'us-east-1' }),
    collectDeps,
    logger: new Logger({ serviceName: 'irsa-auditor-test' }),
    metrics: quietMetrics(),
    clock: () => new Date(now++),
    ...run.deps,
  });
  return { result, sim };
}

async function openFindings(): Promise<StoredFinding[]> {
  return (await queryFindings(dynamo.store(), { status: 'open' }, { all: true }, new Date(nextStart)))
    .findings;
}

async function resolvedFindings(): Promise<StoredFinding[]> {
  return (await queryFindings(dynamo.store(), { status: 'resolved' }, { all: true }, new Date(nextStart)))
    .findings;
}

async function runs() {
  return (await listRuns(dynamo.store(), { limit: 50 }, new Date(nextStart))).runs;
}

function publishes(): PublishCommandInput[] {
  return sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
}

interface SnsMessage {
  default: string;
  email: string;
}

interface Chatbot {
  version: string;
  source: string;
  content: { title: string; description: string; nextSteps: string[] };
}

function parseMessage(input: PublishCommandInput): { email: string; chatbot: Chatbot; keys: string[] } {
  const message = JSON.parse(input.Message ?? '') as SnsMessage;
  return {
    email: message.email,
    chatbot: JSON.parse(message.default) as Chatbot,
    keys: Object.keys(message),
  };
}

/** Captures what Powertools writes to stdout (structured logs, EMF) while `work` runs. */
async function captureStdout<T>(work: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    const value = await work();
    return { value, lines: chunks.join('').split('\n').filter(Boolean) };
  } finally {
    spy.mockRestore();
  }
}

const quiet = { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Disabled by test/env.js, and without the "no metrics to publish" warning of a skipped run. */
function quietMetrics(): Metrics {
  return new Metrics({ namespace: 'IrsaAuditorTest', serviceName: 'irsa-auditor', logger: quiet });
}

/** Powertools reads POWERTOOLS_METRICS_DISABLED (set by test/env.js) when a Metrics is built. */
function enabledMetrics(): Metrics {
  const saved = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    return new Metrics({ namespace: 'IrsaAuditorTest', serviceName: 'irsa-auditor' });
  } finally {
    process.env.POWERTOOLS_METRICS_DISABLED = saved;
  }
}

describe('runScheduledAudit', () => {
  it('first run: stores every finding and a run record, publishes them all once, logs and emits metrics', async () => {
    const metrics = enabledMetrics();
    const logger = new Logger({ serviceName: 'irsa-auditor', logLevel: 'INFO' });

    const { value: run, lines } = await captureStdout(() => audit({ deps: { metrics, logger } }));
    const { result } = run;

    expect(result).toEqual<HandlerResult>({
      status: 'completed',
      runId: expect.stringMatching(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/),
      accounts: { audited: 3, failed: 0 },
      findings: 4,
      drift: { new: 4, resolved: 0, open: 4 },
      notification: 'published',
    });

    const open = await openFindings();
    expect(open.map(label).sort()).toEqual(FIRST_RUN_FINDINGS);
    for (const finding of open) {
      expect(finding).toMatchObject({
        status: 'open',
        openedRunId: result.runId,
        lastSeenRunId: result.runId,
      });
      expect(finding.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    }
    const byCheck = await queryFindings(
      dynamo.store(),
      { checkId: 'trust.sub-unrestricted' },
      {},
      new Date(nextStart),
    );
    expect(byCheck.findings.map(label)).toEqual([BATCH_UNRESTRICTED]);
    expect(byCheck.findings[0].severity).toBe('critical');

    const [record] = await runs();
    expect(record).toMatchObject({
      runId: result.runId,
      status: 'succeeded',
      trigger: 'schedule',
      audited: { accounts: 3, accountsFailed: 0, clusters: 2, clustersUnreachable: 0, roles: 3 },
      drift: { new: 4, resolved: 0, open: 4 },
      findingsBySeverity: { critical: 1, high: 2, medium: 1, low: 0, info: 0 },
      coverageErrorCount: 0,
      notification: { mode: 'changes', status: 'published', messageId: 'sns-message-1', attempts: 1 },
    });

    const [input, ...more] = publishes();
    expect(more).toEqual([]);
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe('json');
    expect(input.Subject).toBe('IRSA audit: 4 new (worst: critical), 0 resolved, 4 open');
    expect(input.Subject!.length).toBeLessThan(100);
    const { email, chatbot, keys } = parseMessage(input);
    expect(keys.sort()).toEqual(['default', 'email']);
    expect(chatbot).toMatchObject({ version: '1.0', source: 'custom' });
    expect(chatbot.content.title).toBe(':rotating_light: IRSA audit: 4 new (worst: critical), 0 resolved');
    expect(chatbot.content.description).toContain('*4 new*');
    expect(chatbot.content.nextSteps[0]).toBe(
      `\`irsa-audit findings --status open --severity critical --table ${dynamo.tableName}\``,
    );
    expect(email).toContain('NEW (4)');
    for (const finding of open) {
      expect(email).toContain(`Fingerprint: ${finding.fingerprint}`);
      expect(chatbot.content.description).toContain(`\`${finding.checkId}\``);
    }
    expect(input.MessageAttributes).toMatchObject({
      maxSeverity: { DataType: 'String', StringValue: 'critical' },
      newCount: { DataType: 'Number', StringValue: '4' },
      resolvedCount: { DataType: 'Number', StringValue: '0' },
      openCount: { DataType: 'Number', StringValue: '4' },
    });

    // Structured logs: one JSON object per line, keyed by the run, no trust policy documents.
    const logs = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const completed = logs.find((entry) => entry.message === 'audit run completed');
    expect(completed).toMatchObject({ level: 'INFO', runId: result.runId, status: 'completed', findings: 4 });
    const text = lines.join('\n');
    expect(text).not.toContain('AssumeRolePolicyDocument');
    expect(text).not.toContain('sts:AssumeRoleWithWebIdentity');
    expect(text).not.toContain('member-secret');

    // EMF: one document, every metric once with one value.
    const emf = logs.filter((entry) => '_aws' in entry);
    expect(emf).toHaveLength(1);
    const [document] = emf as {
      _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
    }[];
    const [directive] = document._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe('IrsaAuditorTest');
    const names = directive.Metrics.map((metric) => metric.Name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names)
      expect(typeof (document as unknown as Record<string, unknown>)[name]).toBe('number');
    expect(document).toMatchObject({
      RunsSucceeded: 1,
      NewFindings: 4,
      ResolvedFindings: 0,
      FindingsCritical: 1,
      FindingsHigh: 2,
      AccountsAudited: 3,
      AccountsFailed: 0,
      NotificationFailed: 0,
    });
  });

  it('second run of the same organization: no drift, nothing published, the run record says why', async () => {
    const first = await audit();
    const openAfterFirst = await openFindings();

    const { result } = await audit();

    expect(result).toMatchObject({
      status: 'completed',
      findings: 4,
      drift: { new: 0, resolved: 0, open: 4 },
      notification: 'skipped',
    });
    expect(result.runId).not.toBe(first.result.runId);
    expect(publishes()).toHaveLength(1); // the first run's
    const open = await openFindings();
    expect(open.map(label).sort()).toEqual(FIRST_RUN_FINDINGS);
    for (const finding of open) {
      const before = openAfterFirst.find((candidate) => candidate.fingerprint === finding.fingerprint);
      expect(finding.firstSeen).toBe(before?.firstSeen);
      expect(finding.openedRunId).toBe(first.result.runId);
    }
    const [latest, earlier] = await runs();
    expect(earlier.runId).toBe(first.result.runId);
    expect(latest).toMatchObject({
      runId: result.runId,
      status: 'succeeded',
      drift: { new: 0, resolved: 0, open: 4 },
      notification: { mode: 'changes', status: 'skipped', detail: 'no drift (no new or resolved findings)' },
    });
  });

  it('an account unreachable while a trust is fixed elsewhere: only that finding resolves', async () => {
    await audit();
    await audit();
    sns.resetHistory();

    const { result } = await audit({
      org: testOrganization({ fixedBatchTrust: true }),
      settings: { assumeRoleFails: (id) => id === DEV },
    });

    expect(result).toMatchObject({
      status: 'completed',
      accounts: { audited: 2, failed: 1 },
      drift: { new: 1, resolved: 1, open: 4 },
      notification: 'published',
    });
    // The unreachable account's findings stay open, marked as not re-checked; its coverage finding is new.
    const open = await openFindings();
    expect(open.map(label).sort()).toEqual([...DEV_FINDINGS, DEV_UNREACHABLE].sort());
    for (const finding of open.filter((candidate) => candidate.checkId !== 'scan.account-unreachable')) {
      expect(finding.unverifiedSince).toEqual(expect.any(String));
    }
    const unreachable = open.find((finding) => finding.checkId === 'scan.account-unreachable');
    expect(unreachable?.message).toContain('AccessDenied');
    const resolved = await resolvedFindings();
    expect(resolved.map(label)).toEqual([BATCH_UNRESTRICTED]);
    expect(resolved[0]).toMatchObject({ status: 'resolved', resolvedRunId: result.runId });
    const history = await findingHistory(dynamo.store(), resolved[0].fingerprint, new Date(nextStart));
    expect(history.events.map((event) => event.event)).toEqual(['opened', 'resolved']);

    const [record] = await runs();
    expect(record).toMatchObject({
      runId: result.runId,
      status: 'partial',
      audited: { accounts: 3, accountsFailed: 1 },
      drift: { new: 1, resolved: 1, open: 4, unverified: 3 },
      coverageErrors: [
        expect.objectContaining({ accountId: DEV, scope: 'account', code: 'AssumeRoleFailed' }),
      ],
    });

    const [input, ...more] = publishes();
    expect(more).toEqual([]);
    expect(input.Subject).toBe('IRSA audit: 1 new (worst: medium), 1 resolved, 4 open');
    expect(input.MessageAttributes).toMatchObject({
      maxSeverity: { DataType: 'String', StringValue: 'medium' },
      maxResolvedSeverity: { DataType: 'String', StringValue: 'critical' },
      newCount: { DataType: 'Number', StringValue: '1' },
      resolvedCount: { DataType: 'Number', StringValue: '1' },
    });
    const { email } = parseMessage(input);
    expect(email).toContain('NEW (1)');
    expect(email).toContain('RESOLVED (1)');
    expect(email).toContain('1 account(s) not scanned');
    expect(email).toContain('3 open finding(s) could not be re-checked');
  });

  it('audits its own account through the member role, like every other account', async () => {
    const { sim } = await audit();

    // Three accounts, three AssumeRoles: the audit account's own included.
    expect(sim.callsByApi.get('sts:AssumeRole')).toBe(3);
    const [healthy] = await runs();
    expect(healthy.coverageErrors ?? []).toEqual([]);

    // Without the member role in the audit account, that account is unreachable like any other.
    await audit({ settings: { assumeRoleFails: (id) => id === CALLER } });

    const [record] = await runs();
    expect(record.coverageErrors).toEqual([
      expect.objectContaining({ accountId: CALLER, scope: 'account', code: 'AssumeRoleFailed' }),
    ]);
  });

  it('when the account is reachable again, its coverage finding resolves and its findings are re-verified', async () => {
    const first = await audit();
    await audit({ settings: { assumeRoleFails: (id) => id === DEV } });
    sns.resetHistory();

    const { result } = await audit();

    expect(result).toMatchObject({ drift: { new: 0, resolved: 1, open: 4 }, notification: 'published' });
    expect((await resolvedFindings()).map(label)).toEqual([DEV_UNREACHABLE]);
    const open = await openFindings();
    expect(open.map(label).sort()).toEqual(FIRST_RUN_FINDINGS);
    for (const finding of open) {
      expect(finding.unverifiedSince).toBeUndefined();
      expect(finding.openedRunId).toBe(first.result.runId); // the same episode, not re-opened
    }
    expect(publishes()[0].Subject).toBe('IRSA audit: 0 new, 1 resolved, 4 open');
  });

  it('in mode new-only, a run that only resolves findings publishes nothing', async () => {
    const env = { [ENV.notifyMode]: 'new-only' };
    await audit({ env });
    sns.resetHistory();

    const { result } = await audit({ env, org: testOrganization({ fixedBatchTrust: true }) });

    expect(result).toMatchObject({ drift: { new: 0, resolved: 1 }, notification: 'skipped' });
    expect(publishes()).toEqual([]);
    const [record] = await runs();
    expect(record.notification).toMatchObject({ mode: 'new-only', status: 'skipped' });
  });

  it('exits cleanly, naming the holder, while another run holds the lock; nothing is collected or written', async () => {
    const holder = '20261129T030000Z-manual01';
    const start = new Date(nextStart);
    await dynamo.store().acquireLock(holder, start, 960);

    const { result, sim } = await audit();

    expect(result).toEqual({ status: 'skipped', reason: expect.stringContaining(holder) });
    expect(sim.calls).toBe(0);
    expect(await runs()).toEqual([]);
    expect(await openFindings()).toEqual([]);
    expect(publishes()).toEqual([]);
    expect((await dynamo.store().readLock())?.holder).toBe(holder);
  });

  it('takes over a lock whose holder died without releasing it', async () => {
    const stale = new Date(nextStart - 3_600_000);
    await dynamo.store().acquireLock('20261128T030000Z-crashed1', stale, 960);

    const { result } = await audit();

    expect(result).toMatchObject({ status: 'completed', findings: 4 });
    expect(await dynamo.store().readLock()).toBeUndefined();
  });

  describe('runs that end badly', () => {
    it('a retry after a timeout does the work instead of returning skipped, and marks the killed attempt abandoned', async () => {
      // What the attempt Lambda killed at the timeout left: its lock (taken by this request id, still
      // within its lease) and its run record, still `running`.
      const killedAt = new Date(nextStart - 60_000);
      const store = dynamo.store();
      await store.acquireLock('20261129T030000Z-killed01', killedAt, 960, { invocation: 'request:req-1' });
      await store.putRun(startRunRecord('20261129T030000Z-killed01', killedAt, 'schedule'));

      // Lambda's retry of the same invocation keeps the request id (lambdaContext: req-1).
      const { result } = await audit();

      expect(result).toMatchObject({ status: 'completed', findings: 4, notification: 'published' });
      const records = await runs();
      expect(records.map((run) => run.status)).toEqual(['succeeded', 'abandoned']);
      expect(records[1]).toMatchObject({ abandonedBy: result.runId, error: { code: 'RunAbandoned' } });
      expect(await dynamo.store().readLock()).toBeUndefined();
    });

    it('takes the lock over by the schedule execution id the event carries', async () => {
      await dynamo.store().acquireLock('killed', new Date(nextStart - 60_000), 960, {
        invocation: 'schedule:exec-42',
      });
      const other = await audit();
      expect(other.result.status).toBe('skipped');

      // Lambda's retry of the scheduled event: another request id here, the same execution id.
      const sim = new SimulatedAws(testOrganization());
      const result = await runScheduledAudit(
        { getRemainingTimeInMillis: () => FIFTEEN_MINUTES, awsRequestId: 'req-other' },
        {
          env: baseEnv(),
          store: dynamo.store(),
          sns: new SNSClient({ region: 'us-east-1' }),
          collectDeps: {
            clients: sim.clientFactory(),
            credentials: sim.callerCredentials,
            kubernetes: sim.kubernetesReader(),
            clock: { now: Date.now, sleep: async () => {} },
          },
          logger: new Logger({ serviceName: 'irsa-auditor-test' }),
          metrics: quietMetrics(),
        },
        { source: 'irsa-auditor.schedule', executionId: 'exec-42' },
      );
      expect(result.status).toBe('completed');
    });

    it('a run still working at the stop time records itself failed and releases the lock; the retry works', async () => {
      const stuck = new Proxy(dynamo.store(), {
        get(target, property, receiver) {
          if (property === 'loadOpenFindings') return () => new Promise(() => {});
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });

      await expect(
        audit({ remainingMs: STOP_MARGIN_MS + 300, deps: { store: stuck } }),
      ).rejects.toMatchObject({ code: 'RunTimedOut', stage: 'load' });
      const [record] = await runs();
      expect(record).toMatchObject({ status: 'failed', error: { code: 'RunTimedOut', stage: 'load' } });
      expect(await dynamo.store().readLock()).toBeUndefined();

      const { result } = await audit();
      expect(result).toMatchObject({ status: 'completed', findings: 4 });
    });
  });

  describe('the deadline', () => {
    it('with less time left than the margin, records every account not scanned and resolves nothing', async () => {
      await audit();
      sns.resetHistory();

      const { result } = await audit({
        org: testOrganization({ fixedBatchTrust: true }),
        remainingMs: 60_000, // below the default 120 s margin
      });

      expect(result).toMatchObject({
        status: 'completed',
        accounts: { audited: 0, failed: 3 },
        drift: { new: 3, resolved: 0, open: 7 },
      });
      const open = await openFindings();
      expect(open.map(label).sort()).toEqual(
        [
          ...FIRST_RUN_FINDINGS,
          `scan.account-unreachable ${CALLER} -`,
          `scan.account-unreachable ${PROD} -`,
          DEV_UNREACHABLE,
        ].sort(),
      );
      for (const finding of open.filter((candidate) => candidate.checkId === 'scan.account-unreachable')) {
        expect(finding.message).toContain('not scanned: the run reached its deadline first');
      }
      expect(await resolvedFindings()).toEqual([]);
      const [record] = await runs();
      expect(record).toMatchObject({
        status: 'partial',
        audited: { accounts: 3, accountsFailed: 3 },
        drift: { new: 3, resolved: 0, unverified: 4 },
      });
      expect(record.coverageErrors?.map((error) => error.code)).toEqual([
        'NotScanned',
        'NotScanned',
        'NotScanned',
      ]);
      expect(publishes()).toHaveLength(1);
    });

    it('stops starting accounts when the deadline passes mid-run; only scanned accounts resolve', async () => {
      await audit();
      let now = nextStart;
      // One account at a time; PROD "takes" a minute, which crosses the deadline 30 s after the start.
      const { result } = await audit({
        org: testOrganization({ fixedBatchTrust: true }),
        env: { [ENV.concurrency]: '1', [ENV.deadlineMarginSeconds]: '120' },
        remainingMs: 150_000,
        collectNow: () => now,
        progress: (event) => {
          if (event.phase === 'account-finished' && event.accountId === PROD) now += 60_000;
        },
      });

      expect(result).toMatchObject({
        status: 'completed',
        accounts: { audited: 2, failed: 1 },
        drift: { new: 1, resolved: 1, open: 4 },
      });
      expect((await resolvedFindings()).map(label)).toEqual([BATCH_UNRESTRICTED]);
      const open = await openFindings();
      expect(open.map(label).sort()).toEqual([...DEV_FINDINGS, DEV_UNREACHABLE].sort());
      expect(open.find((finding) => finding.checkId === 'scan.account-unreachable')?.evidence).toMatchObject({
        code: 'NotScanned',
      });
    });
  });

  it('keeps the results when every publish attempt fails, reports it, and the next run delivers it', async () => {
    sns.on(PublishCommand).rejects(
      Object.assign(new Error('Internal error while publishing'), {
        name: 'InternalErrorException',
        $metadata: { httpStatusCode: 500 },
      }),
    );

    const { result } = await audit();

    expect(result).toMatchObject({ status: 'completed', findings: 4, notification: 'failed' });
    expect(publishes()).toHaveLength(3); // the publisher's bounded retries
    expect((await openFindings()).map(label).sort()).toEqual(FIRST_RUN_FINDINGS);
    const [record] = await runs();
    expect(record).toMatchObject({
      status: 'succeeded',
      drift: { new: 4 },
      notification: {
        status: 'failed',
        attempts: 3,
        detail: 'InternalErrorException: Internal error while publishing',
      },
    });
    expect(await dynamo.store().readLock()).toBeUndefined();

    // The next night has no drift of its own, and delivers the first run's message, which names it.
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'sns-message-late' });
    const next = await audit();
    expect(next.result).toMatchObject({ status: 'completed', drift: { new: 0, resolved: 0 } });
    expect(publishes().map((input) => input.MessageAttributes?.runId?.StringValue)).toEqual([result.runId]);
    expect(parseMessage(publishes()[0]).email).toContain(`Run ${result.runId}`);
    const [, first] = await runs();
    expect(first.notification).toMatchObject({
      status: 'published',
      messageId: 'sns-message-late',
      deliveredBy: next.result.runId,
    });
  });

  it('stores the results and records the drift without a topic (notification disabled)', async () => {
    const { result } = await audit({ env: { [ENV.topic]: '' } });

    expect(result).toMatchObject({ status: 'completed', notification: 'disabled' });
    expect(publishes()).toEqual([]);
    expect(await openFindings()).toHaveLength(4);
  });

  it('publishes every night in mode always, even without drift', async () => {
    await audit({ env: { [ENV.notifyMode]: 'always' } });
    const { result } = await audit({ env: { [ENV.notifyMode]: 'always' } });

    expect(result).toMatchObject({ drift: { new: 0, resolved: 0 }, notification: 'published' });
    const inputs = publishes();
    expect(inputs).toHaveLength(2);
    expect(inputs[1].Subject).toBe('IRSA audit: no changes, 4 open');
  });

  describe('bad configuration', () => {
    it('fails with a ConfigError naming every problem before touching anything', async () => {
      const attempt = audit({
        env: {
          [ENV.table]: undefined,
          [ENV.topic]: 'arn:aws:sqs:us-east-1:123456789012:q',
          [ENV.notifyMode]: 'loud',
        },
      });

      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(attempt).rejects.toMatchObject({
        code: 'InvalidConfiguration',
        problems: [
          'RESULTS_TABLE is not set (a DynamoDB table name)',
          'TOPIC_ARN="arn:aws:sqs:us-east-1:123456789012:q" is not an SNS topic ARN',
          'NOTIFY_MODE="loud" must be one of changes, new-only, always',
        ],
      });
      expect(await runs()).toEqual([]);
      expect(await dynamo.store().readLock()).toBeUndefined();
      expect(publishes()).toEqual([]);
    });

    it('rejects an external id STS would refuse before the run takes the lock', async () => {
      await expect(audit({ env: { [ENV.externalId]: 'has spaces' } })).rejects.toThrow(ConfigError);
      expect(await runs()).toEqual([]);
    });

    it('the Lambda entry point reads process.env and fails the same way', async () => {
      expect(process.env[ENV.table]).toBeUndefined();
      await expect(handler({}, lambdaContext())).rejects.toThrow(
        'invalid irsa-auditor configuration: RESULTS_TABLE is not set',
      );
    });
  });
});

describe('handler (production wiring)', () => {
  const saved: NodeJS.ProcessEnv = {};
  const setEnv = (values: NodeJS.ProcessEnv) => {
    for (const [name, value] of Object.entries(values)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
      delete saved[name];
    }
  });

  it('builds its own SDK clients, store and publisher from the environment and audits the organization', async () => {
    const org = testOrganization();
    const clusters = await serveClusters(org);
    const mocks = mockAwsWithSimulation(new SimulatedAws(clusters.apply(org)));
    setEnv({
      ...baseEnv(),
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIACALLER', // the simulation's caller
    });
    try {
      const result = await handler({}, lambdaContext());

      expect(result).toMatchObject({
        status: 'completed',
        accounts: { audited: 3, failed: 0 },
        drift: { new: 4, resolved: 0, open: 4 },
        notification: 'published',
      });
      expect((await openFindings()).map(label).sort()).toEqual(FIRST_RUN_FINDINGS);
      expect(publishes().map((input) => input.TopicArn)).toEqual([TOPIC]);
      // Both clusters were read through their (loopback) API servers with an EKS token.
      for (const server of clusters.servers.values()) {
        expect(server.requests.length).toBeGreaterThanOrEqual(2);
        expect(server.requests[0].authorization).toMatch(/^Bearer k8s-aws-v1\./);
      }
    } finally {
      mocks.restore();
      await clusters.close();
    }
  });
});
