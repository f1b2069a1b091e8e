import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { type AuditDeps, PipelineError, runAudit } from '../../lambda/app/pipeline';
import type { AuditLogger, AuditMetrics } from '../../lambda/app/ports';
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
