/**
 * The notification outbox on dynalite: the pending notification is written before any finding state
 * (the commit), delivered oldest first, marked sent; run records left `running` are marked abandoned.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../../lambda/app/ports';
import { startRunRecord } from '../../lambda/app/run-record';
import { coverageOf } from '../../lambda/core/coverage';
import { computeDrift } from '../../lambda/core/drift';
import { listRuns } from '../../lambda/store/queries';
import { account, finding, inventory, needsKubernetes, PROD, roleArn } from '../drift/fixtures';
import { startDynalite, type TestDynamo } from '../helpers/dynalite';
import { at, days } from './helpers';

const NIGHT1 = at('2026-11-29T03:00:00.000Z');

const critical = finding(
  'trust.sub-unrestricted',
  { accountId: PROD, roleArn: roleArn(PROD, 'web') },
  { severity: 'critical' },
);

function entry(runId: string, runStartedAt: Date, attempts = 0): OutboxEntry {
  return {
    runId,
    runStartedAt: runStartedAt.toISOString(),
    message: {
      subject: `IRSA audit: 1 new (${runId})`,
      message: JSON.stringify({ default: `{"id":"${runId}"}`, email: `Run ${runId}` }),
      messageStructure: 'json',
      attributes: { runId: { DataType: 'String', StringValue: runId } },
    },
    outcome: { mode: 'changes', status: 'pending', truncated: false, bytes: 100 },
    attempts,
  };
}

/** A document client that records every command, and fails the ones `fail` picks. */
function recordingClient(
  real: DynamoDBDocumentClient,
  fail: (command: unknown) => boolean = () => false,
): { client: DynamoDBDocumentClient; sent: unknown[] } {
  const sent: unknown[] = [];
  const client = Object.create(real) as DynamoDBDocumentClient;
  client.send = (async (command: unknown) => {
    sent.push(command);
    if (fail(command)) throw Object.assign(new Error('Lambda killed'), { name: 'Killed' });
    return (real.send as (c: unknown) => Promise<unknown>)(command);
  }) as DynamoDBDocumentClient['send'];
  return { client, sent };
}

const writesStates = (command: unknown): boolean =>
  command instanceof BatchWriteCommand &&
  Object.values(command.input.RequestItems ?? {}).some((requests) =>
    requests.some((request) => request.PutRequest?.Item?.sk === 'STATE'),
  );

let dynamo: TestDynamo;
beforeEach(async () => {
  dynamo = await startDynalite();
});
afterEach(async () => {
  await dynamo.stop();
});

async function driftOf(store: ReturnType<TestDynamo['store']>) {
  const previousOpen = await store.loadOpenFindings(NIGHT1);
  const drift = computeDrift({
    previousOpen,
    current: [critical],
    coverage: coverageOf(inventory(account(PROD))),
    needsKubernetes,
  });
  return { drift, previousOpen };
}

describe('the notification outbox', () => {
  it('writes the pending notification before any finding state (the states are the commit)', async () => {
    const { client, sent } = recordingClient(dynamo.documentClient);
    const store = dynamo.store({ client });
    const writes = await store.applyDrift({
      ...(await driftOf(store)),
      runId: 'run-1',
      now: NIGHT1,
      notification: entry('run-1', NIGHT1),
    });

    const outbox = sent.findIndex(
      (command) => command instanceof PutCommand && command.input.Item?.pk === 'OUTBOX',
    );
    const firstState = sent.findIndex(writesStates);
    expect(outbox).toBeGreaterThanOrEqual(0);
    expect(firstState).toBeGreaterThan(outbox);
    expect(writes).toMatchObject({ opened: 1, itemsWritten: 3 });
    expect(await store.pendingNotifications(10)).toEqual([entry('run-1', NIGHT1)]);
  });

  it('keeps the notification pending when the run dies before its states are written', async () => {
    const { client } = recordingClient(dynamo.documentClient, writesStates);
    const dying = dynamo.store({ client });
    await expect(
      dying.applyDrift({
        ...(await driftOf(dying)),
        runId: 'run-1',
        now: NIGHT1,
        notification: entry('run-1', NIGHT1),
      }),
    ).rejects.toThrow();

    const store = dynamo.store();
    // Nothing committed: the next run computes the same drift again (and its own notification).
    expect(await store.loadOpenFindings(NIGHT1)).toEqual([]);
    expect((await store.pendingNotifications(10)).map((each) => each.runId)).toEqual(['run-1']);
  });

  it('writes nothing once the run passed its stop time', async () => {
    const { client, sent } = recordingClient(dynamo.documentClient);
    const store = dynamo.store({ client });
    const { drift, previousOpen } = await driftOf(store);
    const controller = new AbortController();
    controller.abort();
    const before = sent.length;

    await expect(
      store.applyDrift({
        drift,
        previousOpen,
        runId: 'run-1',
        now: NIGHT1,
        notification: entry('run-1', NIGHT1),
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: 'WriteFailed', message: expect.stringContaining('stop time') });
    expect(sent.length).toBe(before);
  });

  it('lists pending notifications oldest first, within the limit, and counts them', async () => {
    const store = dynamo.store();
    // Written out of order: the sort key (run start, run id) orders them.
    for (const night of [2, 0, 1]) {
      await store.applyDrift({
        drift: { new: [], resolved: [], stillOpen: [], unverified: [], outOfScope: [] },
        previousOpen: [],
        runId: `run-${night}`,
        now: days(NIGHT1, night),
        notification: entry(`run-${night}`, days(NIGHT1, night)),
      });
    }
    expect((await store.pendingNotifications(10)).map((each) => each.runId)).toEqual([
      'run-0',
      'run-1',
      'run-2',
    ]);
    expect((await store.pendingNotifications(2)).map((each) => each.runId)).toEqual(['run-0', 'run-1']);
    expect(await store.countPendingNotifications()).toBe(3);
  });

  it('marks a notification sent (no longer pending, expires later) and records it on its run', async () => {
    const store = dynamo.store();
    const pending = entry('run-1', NIGHT1);
    await store.putRun({ ...startRunRecord('run-1', NIGHT1), status: 'succeeded' });
    await store.applyDrift({
      drift: { new: [], resolved: [], stillOpen: [], unverified: [], outOfScope: [] },
      previousOpen: [],
      runId: 'run-1',
      now: NIGHT1,
      notification: pending,
    });

    await store.markNotificationFailed(
      pending,
      { mode: 'changes', status: 'failed', attempts: 3, detail: 'InternalErrorException: down' },
      NIGHT1,
    );
    expect(await store.pendingNotifications(10)).toEqual([
      { ...pending, attempts: 3, lastError: 'InternalErrorException: down' },
    ]);
    expect((await listRuns(store, {}, NIGHT1)).runs[0].notification).toMatchObject({
      status: 'failed',
      attempts: 3,
    });

    const next = days(NIGHT1, 1);
    await store.markNotificationSent(
      { ...pending, attempts: 3 },
      { mode: 'changes', status: 'published', messageId: 'm-1', attempts: 4, deliveredBy: 'run-2' },
      next,
    );
    expect(await store.pendingNotifications(10)).toEqual([]);
    expect(await store.countPendingNotifications()).toBe(0);
    expect((await listRuns(store, {}, next)).runs[0]).toMatchObject({
      runId: 'run-1',
      status: 'succeeded',
      notification: { status: 'published', messageId: 'm-1', attempts: 4, deliveredBy: 'run-2' },
    });
  });

  it('holds a notification at the SNS size limit within one item', async () => {
    const store = dynamo.store();
    const big = entry('run-1', NIGHT1);
    big.message.message = JSON.stringify({ default: 'x'.repeat(130_000), email: 'y'.repeat(131_000) });
    await store.applyDrift({
      drift: { new: [], resolved: [], stillOpen: [], unverified: [], outOfScope: [] },
      previousOpen: [],
      runId: 'run-1',
      now: NIGHT1,
      notification: big,
    });
    expect((await store.pendingNotifications(1))[0].message.message).toBe(big.message.message);
  });
});

describe('abandoned runs', () => {
  it('marks the records still running as abandoned, except the current run and finished ones', async () => {
    const store = dynamo.store();
    await store.putRun(startRunRecord('killed', NIGHT1));
    await store.putRun({ ...startRunRecord('done', days(NIGHT1, 1)), status: 'succeeded' });
    await store.putRun(startRunRecord('current', days(NIGHT1, 2)));

    expect(await store.markAbandonedRuns('current', days(NIGHT1, 2))).toEqual(['killed']);
    const runs = (await listRuns(store, {}, days(NIGHT1, 2))).runs;
    expect(runs.map((run) => [run.runId, run.status])).toEqual([
      ['current', 'running'],
      ['done', 'succeeded'],
      ['killed', 'abandoned'],
    ]);
    expect(runs[2]).toMatchObject({
      abandonedBy: 'current',
      error: { code: 'RunAbandoned', message: expect.stringContaining('Lambda timeout') },
    });
    // Idempotent.
    expect(await store.markAbandonedRuns('current', days(NIGHT1, 2))).toEqual([]);
  });
});
