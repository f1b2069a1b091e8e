import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { type AuditDeps, PipelineError, runAudit } from '../../lambda/app/pipeline';
import type { AuditLogger, AuditMetrics, ResultsStore, RunExporter } from '../../lambda/app/ports';
import type { ExportOutcome } from '../../lambda/app/run-record';
import { startRunRecord } from '../../lambda/app/run-record';
import { RunLockedError } from '../../lambda/app/store-errors';
import type { Finding } from '../../lambda/core/findings';
import type { Inventory } from '../../lambda/core/model';
import { SnsPublisher } from '../../lambda/notify/sns-publisher';
import { listRuns, queryFindings } from '../../lambda/store/queries';
import {
  account,
  accountError,
  cluster,
  DEV,
  dependencies,
  finding,
  inventory,
  PROD,
  scanResult,
} from '../drift/fixtures';
import { startDynalite, type TestDynamo } from '../helpers/dynalite';

const TOPIC = 'arn:aws:sns:us-east-1:999988887777:irsa-audit';
const sns = mockClient(SNSClient);

/** A tiny stand-in for the engine: one finding per unrestricted role, per unannotated SA, per account error. */
function evaluate(inv: Inventory) {
  const findings: Finding[] = [];
  for (const each of inv.accounts) {
    for (const error of each.errors) {
      findings.push(
        finding(
          'scan.account-unreachable',
          { accountId: each.accountId },
          { severity: 'medium', message: error.message },
        ),
      );
    }
    for (const role of each.roles) {
      if (role.trustPolicy.kind === 'parsed' && role.trustPolicy.document.unrestricted) {
        findings.push(
          finding(
            'trust.sub-unrestricted',
            { accountId: each.accountId, roleArn: role.arn },
            { severity: 'critical' },
          ),
        );
      }
    }
    for (const c of each.clusters) {
      if (c.kubernetes.status !== 'ok') continue;
      for (const sa of c.serviceAccounts) {
        findings.push(
          finding('sa.role-untrusted', {
            accountId: each.accountId,
            region: c.region,
            cluster: c.name,
            namespace: sa.namespace,
            serviceAccount: sa.name,
          }),
        );
      }
    }
  }
  return scanResult(findings, inv);
}

const healthyOrg = (): Inventory =>
  inventory(
    account(PROD, {
      roles: [
        {
          arn: `arn:aws:iam::${PROD}:role/web`,
          trustPolicy: { kind: 'parsed', document: { unrestricted: true } },
        },
      ],
      clusters: [cluster('prod', 'us-west-2')],
    }),
    account(DEV, {
      roles: [
        {
          arn: `arn:aws:iam::${DEV}:role/api`,
          trustPolicy: { kind: 'parsed', document: { unrestricted: true } },
        },
      ],
      clusters: [cluster('dev', 'eu-west-1')],
    }),
  );

const prodUnreachable = (): Inventory =>
  inventory(account(PROD, { roles: [], errors: [accountError()] }), healthyOrg().accounts[1]);

let dynamo: TestDynamo;
let clockTime: number;
let runs: number;
beforeEach(async () => {
  dynamo = await startDynalite();
  clockTime = Date.parse('2026-11-29T03:00:00.000Z');
  runs = 0;
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});
afterEach(async () => {
  await dynamo.stop();
});

function deps(inv: () => Inventory, overrides: Partial<AuditDeps> = {}): AuditDeps {
  return {
    store: dynamo.store(),
    collect: async () => inv(),
    evaluate,
    dependencies,
    publisher: new SnsPublisher(new SNSClient({ region: 'us-east-1' }), TOPIC, { sleep: async () => {} }),
    clock: () => {
      clockTime += 1000;
      return new Date(clockTime);
    },
    newRunId: () => `run-${++runs}`,
    trigger: 'test',
    ...overrides,
  };
}

const nextNight = () => {
  clockTime += 86_400_000;
};

describe('runAudit end to end (dynalite + mocked SNS)', () => {
  it('stores, records and notifies the first run, then stays silent on a run without drift', async () => {
    const first = await runAudit(deps(healthyOrg));
    expect(first.drift.new).toHaveLength(4);
    expect(first.record).toMatchObject({
      runId: 'run-1',
      status: 'succeeded',
      trigger: 'test',
      audited: { accounts: 2, accountsFailed: 0, clusters: 2, roles: 2, serviceAccounts: 2 },
      findingsBySeverity: { critical: 2, high: 2 },
      drift: { new: 4, resolved: 0, open: 4 },
      notification: { mode: 'changes', status: 'published', messageId: 'msg-1', attempts: 1 },
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);

    nextNight();
    const second = await runAudit(deps(healthyOrg));
    expect(second.drift.new).toEqual([]);
    expect(second.drift.resolved).toEqual([]);
    expect(second.notification).toBeUndefined();
    expect(second.record.notification).toMatchObject({
      status: 'skipped',
      detail: expect.stringMatching(/no drift/),
    });
    expect(second.record.writes).toMatchObject({ itemsWritten: 0 });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);

    const history = await listRuns(dynamo.store(), {}, new Date(clockTime));
    expect(history.runs.map((run) => [run.runId, run.status, run.notification?.status])).toEqual([
      ['run-2', 'succeeded', 'skipped'],
      ['run-1', 'succeeded', 'published'],
    ]);
    expect(await dynamo.store().readLock()).toBeUndefined();
  });

  it('resolves none of the findings of an account that becomes unreachable, and says so', async () => {
    await runAudit(deps(healthyOrg));
    nextNight();
    const down = await runAudit(deps(prodUnreachable));

    expect(down.drift.resolved).toEqual([]);
    expect(down.drift.new.map((each) => each.checkId)).toEqual(['scan.account-unreachable']);
    expect(down.drift.unverified).toHaveLength(2);
    expect(down.record).toMatchObject({
      status: 'partial',
      audited: { accountsFailed: 1 },
      coverageErrorCount: 1,
      coverageErrors: [{ accountId: PROD, scope: 'account', code: 'AccessDenied' }],
      drift: { new: 1, resolved: 0, open: 5, unverified: 2 },
    });
    const prodOpen = await queryFindings(dynamo.store(), { accountId: PROD }, {}, new Date(clockTime));
    expect(prodOpen.findings.map((each) => each.checkId).sort()).toEqual([
      'sa.role-untrusted',
      'scan.account-unreachable',
      'trust.sub-unrestricted',
    ]);
    const email = down.notification?.email ?? '';
    expect(email).toContain('Coverage: 1 account(s) not scanned');
    expect(email).toContain('2 open finding(s) could not be re-checked');

    // Back the next night: the scan finding resolves, nothing else changes.
    nextNight();
    const back = await runAudit(deps(healthyOrg));
    expect(back.drift.new).toEqual([]);
    expect(back.drift.resolved.map((each) => each.checkId)).toEqual(['scan.account-unreachable']);
  });

  it('lets a second concurrent run exit with the holder named, without collecting', async () => {
    const store = dynamo.store();
    await store.acquireLock('run-elsewhere', new Date(clockTime), 900);
    const collect = jest.fn(async () => healthyOrg());

    await expect(runAudit(deps(healthyOrg, { collect }))).rejects.toMatchObject({
      name: 'RunLockedError',
      holder: 'run-elsewhere',
    });
    await expect(runAudit(deps(healthyOrg, { collect }))).rejects.toBeInstanceOf(RunLockedError);
    expect(collect).not.toHaveBeenCalled();
    expect((await store.readLock())?.holder).toBe('run-elsewhere');
  });

  it('never loses stored results when the publish fails, and records the failure', async () => {
    sns.reset();
    sns.on(PublishCommand).rejects(
      Object.assign(new Error('Service unavailable'), {
        name: 'InternalErrorException',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    const summary = await runAudit(deps(healthyOrg));

    expect(summary.notificationOutcome).toMatchObject({
      status: 'failed',
      attempts: 3,
      detail: 'InternalErrorException: Service unavailable',
    });
    const open = await queryFindings(dynamo.store(), {}, {}, new Date(clockTime));
    expect(open.findings).toHaveLength(4);
    const [record] = (await listRuns(dynamo.store(), {}, new Date(clockTime))).runs;
    expect(record.notification).toMatchObject({ status: 'failed', attempts: 3 });
    expect(await dynamo.store().readLock()).toBeUndefined();
  });

  it('fails a run whose collection throws: typed error, failed record, lock released', async () => {
    const collect = async (): Promise<Inventory> => {
      throw new Error('Organizations ListAccounts: AccessDenied');
    };
    const failure = runAudit(deps(healthyOrg, { collect }));
    await expect(failure).rejects.toBeInstanceOf(PipelineError);
    await expect(runAudit(deps(healthyOrg, { collect }))).rejects.toMatchObject({
      code: 'CollectFailed',
      stage: 'collect',
    });
    const { runs: records } = await listRuns(dynamo.store(), {}, new Date(clockTime));
    expect(records[0]).toMatchObject({
      status: 'failed',
      error: { stage: 'collect', code: 'CollectFailed', message: expect.stringContaining('AccessDenied') },
    });
    expect(await dynamo.store().readLock()).toBeUndefined();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('builds the message without a topic (demo), and feeds logger and metrics sinks', async () => {
    const logged: string[] = [];
    const metrics: Record<string, number> = {};
    const logger: AuditLogger = {
      info: (message) => logged.push(message),
      warn: (message) => logged.push(message),
      error: (message) => logged.push(message),
    };
    const sink: AuditMetrics = {
      addMetric: (name, _unit, value) => {
        metrics[name] = value;
      },
    };
    const summary = await runAudit(deps(healthyOrg, { publisher: undefined, logger, metrics: sink }));

    expect(summary.notification?.chatbot.content.title).toContain('4 new');
    expect(summary.notificationOutcome).toMatchObject({ status: 'disabled', detail: 'no topic configured' });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(logged).toEqual(['audit run started', 'audit run finished']);
    expect(metrics).toMatchObject({
      FindingsCritical: 2,
      FindingsHigh: 2,
      NewFindings: 4,
      ResolvedFindings: 0,
      AccountsAudited: 2,
      AccountsFailed: 0,
      NotificationFailed: 0,
    });
    expect(metrics.RunDuration).toBeGreaterThan(0);
  });

  it('accepts Powertools Logger and Metrics as sinks', () => {
    const logger: AuditLogger = new Logger({ serviceName: 'irsa-audit' });
    const metrics: AuditMetrics = new Metrics({ namespace: 'IrsaAudit', serviceName: 'irsa-audit' });
    expect(typeof logger.info).toBe('function');
    expect(typeof metrics.addMetric).toBe('function');
  });
});

const unavailable = () =>
  Object.assign(new Error('Service unavailable'), {
    name: 'InternalErrorException',
    $metadata: { httpStatusCode: 500 },
  });

/** The run each Publish reports (every message carries its run id as an attribute). */
const publishedRuns = () =>
  sns.commandCalls(PublishCommand).map((call) => call.args[0].input.MessageAttributes?.runId?.StringValue);

function metricSink(): { sink: AuditMetrics; values: Record<string, number> } {
  const values: Record<string, number> = {};
  return {
    values,
    sink: {
      addMetric: (name, _unit, value) => {
        values[name] = value;
      },
    },
  };
}

/**
 * The store, with `putRun` of the completed record never returning: the Lambda is killed there, after
 * the states were written. `killed` resolves when the run got there.
 */
function killedAfterStates(store: ResultsStore): { store: ResultsStore; killed: Promise<void> } {
  let puts = 0;
  let reached: () => void = () => {};
  const killed = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'putRun') {
        return (record: Parameters<ResultsStore['putRun']>[0]) => {
          if (++puts === 1) return target.putRun(record);
          reached();
          return new Promise<void>(() => {});
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: proxy, killed };
}

describe('notification outbox: at-least-once delivery', () => {
  it("publish fails 3 times: the next run delivers that run's message, marked with its run id", async () => {
    sns.reset();
    sns.on(PublishCommand).rejects(unavailable());
    const night1 = metricSink();
    const first = await runAudit(deps(healthyOrg, { metrics: night1.sink }));
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
    expect(first.notificationOutcome).toMatchObject({ status: 'failed', attempts: 3 });
    expect(night1.values).toMatchObject({ NotificationFailed: 1, NotificationsPending: 1 });

    // Run 2 has no drift of its own: before, nothing would ever have been sent.
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-late' });
    nextNight();
    const night2 = metricSink();
    const second = await runAudit(deps(healthyOrg, { metrics: night2.sink }));

    expect(second.drift.new).toEqual([]);
    expect(publishedRuns()).toEqual(['run-1']);
    const delivered = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(JSON.parse(delivered.Message ?? '{}').email).toContain('Run run-1');
    expect(delivered.Message).toBe(first.notification?.message);
    expect(second.notificationOutcome.status).toBe('skipped');
    expect(night2.values).toMatchObject({ NotificationFailed: 0, NotificationsPending: 0 });
    const history = await listRuns(dynamo.store(), {}, new Date(clockTime));
    expect(history.runs.map((run) => [run.runId, run.notification])).toEqual([
      ['run-2', expect.objectContaining({ status: 'skipped' })],
      [
        'run-1',
        expect.objectContaining({
          status: 'published',
          messageId: 'msg-late',
          attempts: 4,
          deliveredBy: 'run-2',
        }),
      ],
    ]);
    // Sent once: the third run sends nothing.
    nextNight();
    await runAudit(deps(healthyOrg));
    expect(publishedRuns()).toEqual(['run-1']);
  });

  it('a Lambda killed after the states were written: the next run sends its drift and marks it abandoned', async () => {
    const dying = killedAfterStates(dynamo.store());
    void runAudit(deps(healthyOrg, { store: dying.store }));
    await dying.killed;
    expect((await queryFindings(dynamo.store(), {}, {}, new Date(clockTime))).findings).toHaveLength(4);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);

    nextNight();
    const next = await runAudit(deps(healthyOrg));

    expect(next.drift.new).toEqual([]);
    expect(publishedRuns()).toEqual(['run-1']);
    const runs = (await listRuns(dynamo.store(), {}, new Date(clockTime))).runs;
    expect(runs.map((run) => [run.runId, run.status])).toEqual([
      ['run-2', 'succeeded'],
      ['run-1', 'abandoned'],
    ]);
    expect(runs[1]).toMatchObject({
      abandonedBy: 'run-2',
      error: { code: 'RunAbandoned' },
      notification: { status: 'published', deliveredBy: 'run-2' },
    });
  });

  it("delivers what is pending oldest first, this run's own message last", async () => {
    sns.reset();
    sns.on(PublishCommand).rejects(unavailable());
    await runAudit(deps(healthyOrg));
    nextNight();
    // Run 2 (PROD unreachable) has drift of its own: one new coverage finding. The topic is still down:
    // run 1's message is tried first (at the start and again after storing), and each delivery stops
    // there, so run 2's is not even tried.
    const second = await runAudit(deps(prodUnreachable));
    expect(second.drift.new).toHaveLength(1);
    expect(publishedRuns()).toEqual(Array(9).fill('run-1'));
    expect(second.notificationOutcome).toMatchObject({
      status: 'pending',
      detail: expect.stringContaining('earlier notification'),
    });
    expect(await dynamo.store().countPendingNotifications()).toBe(2);

    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-ok' });
    nextNight();
    const third = await runAudit(deps(healthyOrg));
    expect(third.drift.resolved).toHaveLength(1);
    expect(publishedRuns()).toEqual(['run-1', 'run-2', 'run-3']);
    expect(third.notificationOutcome).toMatchObject({ status: 'published', attempts: 1 });
    expect(await dynamo.store().countPendingNotifications()).toBe(0);
  });

  it('a message the topic rejects stays pending without blocking the next ones', async () => {
    sns.reset();
    sns.on(PublishCommand).rejects(unavailable());
    const first = await runAudit(deps(healthyOrg));
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-ok' });
    sns.on(PublishCommand, { Message: first.notification?.message }).rejects(
      Object.assign(new Error('Invalid parameter'), {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    nextNight();
    const second = await runAudit(deps(prodUnreachable));
    // Run 1's message is tried at the start and after storing, rejected at once each time.
    expect(publishedRuns()).toEqual(['run-1', 'run-1', 'run-2']);
    expect(second.notificationOutcome.status).toBe('published');
    expect((await dynamo.store().pendingNotifications(10)).map((each) => each.runId)).toEqual(['run-1']);
  });
});

/** An exporter that answers with the given outcome, or throws. */
function exporter(name: string, outcome: Omit<ExportOutcome, 'name'> | Error): RunExporter {
  return {
    name,
    export: async () => {
      if (outcome instanceof Error) throw outcome;
      return { name, ...outcome };
    },
  };
}

describe('export metrics: a refused or failed export is counted, so an alarm can watch it', () => {
  it('counts the exporters whose outcome is partial or failed (a throwing one is failed)', async () => {
    const { sink, values } = metricSink();
    const summary = await runAudit(
      deps(healthyOrg, {
        metrics: sink,
        exporters: [
          exporter('securityHub', { status: 'partial', detail: '2 refused', refused: 2 }),
          exporter('reportBucket', new Error('AccessDenied')),
          exporter('another', { status: 'ok', detail: 'sent' }),
        ],
      }),
    );
    expect(summary.record.exports?.map((each) => each.status)).toEqual(['partial', 'failed', 'ok']);
    expect(values).toMatchObject({ ExportsFailed: 2, ExportFindingsRefused: 2 });
  });

  it('emits 1 for one partial exporter and 0 when every exporter is ok', async () => {
    const partial = metricSink();
    await runAudit(
      deps(healthyOrg, {
        metrics: partial.sink,
        exporters: [exporter('securityHub', { status: 'partial', detail: '1 refused', refused: 1 })],
      }),
    );
    expect(partial.values).toMatchObject({ ExportsFailed: 1, ExportFindingsRefused: 1 });

    nextNight();
    const ok = metricSink();
    await runAudit(
      deps(healthyOrg, {
        metrics: ok.sink,
        exporters: [
          exporter('securityHub', { status: 'ok', detail: 'all imported', refused: 0 }),
          exporter('reportBucket', { status: 'ok', detail: 'written' }),
        ],
      }),
    );
    expect(ok.values).toMatchObject({ ExportsFailed: 0, ExportFindingsRefused: 0 });
  });

  it('emits neither metric without exporters, nor the refused count when no exporter counts refusals', async () => {
    const none = metricSink();
    await runAudit(deps(healthyOrg, { metrics: none.sink }));
    expect(none.values.NotificationFailed).toBe(0);
    expect(none.values).not.toHaveProperty('ExportsFailed');
    expect(none.values).not.toHaveProperty('ExportFindingsRefused');

    nextNight();
    const report = metricSink();
    await runAudit(
      deps(healthyOrg, {
        metrics: report.sink,
        exporters: [exporter('reportBucket', { status: 'failed', detail: 'AccessDenied' })],
      }),
    );
    expect(report.values.ExportsFailed).toBe(1);
    expect(report.values).not.toHaveProperty('ExportFindingsRefused');
  });
});

describe('runs that end badly end cleanly', () => {
  it('a run still working at its stop time records itself failed and releases the lock', async () => {
    const stuck = new Promise<Inventory>(() => {});
    const failure = runAudit(
      deps(healthyOrg, {
        collect: () => stuck,
        clock: () => new Date(clockTime),
        stopAt: new Date(clockTime + 200),
      }),
    );
    await expect(failure).rejects.toMatchObject({ code: 'RunTimedOut', stage: 'collect' });
    const [record] = (await listRuns(dynamo.store(), {}, new Date(clockTime))).runs;
    expect(record).toMatchObject({ runId: 'run-1', status: 'failed', error: { code: 'RunTimedOut' } });
    expect(await dynamo.store().readLock()).toBeUndefined();

    // So the retry does the work.
    const retry = await runAudit(deps(healthyOrg));
    expect(retry.record.status).toBe('succeeded');
  });

  it('leases the lock until shortly after the stop time, not a fixed 16 minutes', async () => {
    const store = dynamo.store();
    let lease: number | undefined;
    const collect = async () => {
      lease = (await store.readLock())?.expiresAt;
      return healthyOrg();
    };
    const stopAt = new Date(clockTime + 300_000);
    await runAudit(deps(healthyOrg, { collect, stopAt, invocation: 'request:req-1' }));
    expect(lease).toBeGreaterThanOrEqual(Math.floor(stopAt.getTime() / 1000) + 59);
    expect(lease).toBeLessThanOrEqual(Math.floor(stopAt.getTime() / 1000) + 62);
  });

  it('a retry of the same invocation takes over the lock its killed attempt left; another one is refused', async () => {
    const store = dynamo.store();
    await store.acquireLock('killed-run', new Date(clockTime), 900, { invocation: 'request:req-1' });
    await store.putRun(startRunRecord('killed-run', new Date(clockTime - 1000)));

    await expect(runAudit(deps(healthyOrg, { invocation: 'request:req-2' }))).rejects.toBeInstanceOf(
      RunLockedError,
    );
    const retry = await runAudit(deps(healthyOrg, { invocation: 'request:req-1' }));
    expect(retry.record.status).toBe('succeeded');
    const runs = (await listRuns(store, {}, new Date(clockTime))).runs;
    expect(runs.find((run) => run.runId === 'killed-run')).toMatchObject({
      status: 'abandoned',
      abandonedBy: retry.runId,
    });
    expect(await store.readLock()).toBeUndefined();
  });
});
