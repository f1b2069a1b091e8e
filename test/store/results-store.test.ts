import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startRunRecord } from '../../lambda/app/run-record';
import type { StoredFinding } from '../../lambda/app/stored-finding';
import { epochSeconds, MAX_ITEM_BYTES } from '../../lambda/store/items';
import { findingHistory, listRuns, queryFindings } from '../../lambda/store/queries';
import {
  account,
  accountError,
  cluster,
  DEV,
  finding,
  inventory,
  PROD,
  roleArn,
  SHARED,
} from '../drift/fixtures';
import { startDynalite, type TestDynamo } from '../helpers/dynalite';
import { at, days, storeRun } from './helpers';

const NIGHT1 = at('2026-11-29T03:00:00.000Z');
const NIGHT2 = at('2026-11-30T03:00:00.000Z');

const webRole = roleArn(PROD, 'team/web');
const critical = finding(
  'trust.sub-unrestricted',
  { accountId: PROD, roleArn: webRole, statement: 0 },
  { severity: 'critical' },
);
const saUntrusted = finding('sa.role-untrusted', {
  accountId: PROD,
  region: 'us-west-2',
  cluster: 'prod',
  namespace: 'apps',
  serviceAccount: 'web',
  roleArn: webRole,
});
const noProvider = finding(
  'cluster.no-oidc-provider',
  { accountId: DEV, region: 'eu-west-1', cluster: 'dev' },
  { severity: 'low' },
);
const devAud = finding(
  'trust.aud-missing',
  { accountId: DEV, roleArn: roleArn(DEV, 'api') },
  { severity: 'low' },
);
const crossAccount = finding('trust.principal-other-account', {
  accountId: SHARED,
  roleArn: roleArn(SHARED, 'web'),
});
const ALL = [critical, saUntrusted, noProvider, devAud, crossAccount];

const org = () =>
  inventory(
    account(PROD, { clusters: [cluster('prod', 'us-west-2')] }),
    account(DEV, { clusters: [cluster('dev', 'eu-west-1')] }),
    account(SHARED),
  );

const fps = (findings: readonly { fingerprint: string }[]) => findings.map((each) => each.fingerprint).sort();

let dynamo: TestDynamo;
beforeEach(async () => {
  dynamo = await startDynalite();
});
afterEach(async () => {
  await dynamo.stop();
});

describe('DynamoResultsStore writes', () => {
  it('stores new findings as open with an opened event, and reads them back', async () => {
    const store = dynamo.store();
    const { drift, writes } = await storeRun(store, ALL, org(), 'run-1', NIGHT1);

    expect(drift.new).toHaveLength(5);
    expect(writes).toMatchObject({ opened: 5, resolved: 0, itemsWritten: 10 });
    const open = await store.loadOpenFindings(NIGHT1);
    expect(fps(open)).toEqual(fps(ALL));
    const stored = open.find((each) => each.fingerprint === critical.fingerprint) as StoredFinding;
    expect(stored).toMatchObject({
      status: 'open',
      severity: 'critical',
      firstSeen: NIGHT1.toISOString(),
      openedRunId: 'run-1',
      resource: critical.resource,
    });
    expect(stored.expiresAt).toBeUndefined();
    const history = await findingHistory(store, critical.fingerprint, NIGHT1);
    expect(history.events.map((event) => [event.event, event.runId])).toEqual([['opened', 'run-1']]);
  });

  it('writes nothing when the same findings come back the next night', async () => {
    const store = dynamo.store();
    await storeRun(store, ALL, org(), 'run-1', NIGHT1);
    const { drift, writes } = await storeRun(store, ALL, org(), 'run-2', NIGHT2);

    expect(drift.new).toEqual([]);
    expect(drift.resolved).toEqual([]);
    expect(writes).toMatchObject({ unchanged: 5, itemsWritten: 0, requests: 0 });
  });

  it('rewrites only a finding whose content changed, keeping when it was first seen', async () => {
    const store = dynamo.store();
    await storeRun(store, ALL, org(), 'run-1', NIGHT1);
    const escalated = { ...devAud, severity: 'high' as const, message: 'the trust now covers prod too' };
    const { writes } = await storeRun(
      store,
      [critical, saUntrusted, noProvider, escalated, crossAccount],
      org(),
      'run-2',
      NIGHT2,
    );

    expect(writes).toMatchObject({ updated: 1, unchanged: 4, itemsWritten: 1 });
    const [stored] = (await queryFindings(store, { severity: 'high', accountId: DEV }, {}, NIGHT2)).findings;
    expect(stored).toMatchObject({
      message: 'the trust now covers prod too',
      firstSeen: NIGHT1.toISOString(),
    });
    // The severity index moved with it.
    expect(
      (await queryFindings(store, { severity: 'low', accountId: DEV }, {}, NIGHT2)).findings,
    ).toHaveLength(1);
  });

  it("keeps a finding's fix commands, and a changed command is a content change", async () => {
    const store = dynamo.store();
    const command =
      'aws iam update-assume-role-policy --role-name api --policy-document file://api.trust.json';
    const withCommand = { ...devAud, commands: [command] };
    await storeRun(store, [withCommand], org(), 'run-1', NIGHT1);
    const [stored] = (await queryFindings(store, { accountId: DEV }, {}, NIGHT1)).findings;
    expect(stored.commands).toEqual([command]);

    const changed = { ...devAud, commands: [`${command} --debug`] };
    const { writes } = await storeRun(store, [changed], org(), 'run-2', NIGHT2);
    expect(writes).toMatchObject({ updated: 1 });
    const history = await findingHistory(store, devAud.fingerprint, NIGHT2);
    expect(history.state?.commands).toEqual([`${command} --debug`]);
  });

  it('refreshes lastSeen only once it is older than the refresh interval', async () => {
    const store = dynamo.store({ writePolicy: { lastSeenRefreshDays: 7 } });
    await storeRun(store, ALL, org(), 'run-1', NIGHT1);
    expect((await storeRun(store, ALL, org(), 'run-2', days(NIGHT1, 6))).writes.refreshed).toBe(0);
    const { writes } = await storeRun(store, ALL, org(), 'run-3', days(NIGHT1, 8));
    expect(writes).toMatchObject({ refreshed: 5, itemsWritten: 5 });
    const open = await store.loadOpenFindings(days(NIGHT1, 8));
    expect(new Set(open.map((each) => each.lastSeenRunId))).toEqual(new Set(['run-3']));
  });

  it('resolves with a TTL on the state and the whole episode, and hides it once expired', async () => {
    const store = dynamo.store({ writePolicy: { historyRetentionDays: 30 } });
    await storeRun(store, ALL, org(), 'run-1', NIGHT1);
    const { drift, writes } = await storeRun(
      store,
      [saUntrusted, noProvider, devAud, crossAccount],
      org(),
      'run-2',
      NIGHT2,
    );

    expect(fps(drift.resolved)).toEqual([critical.fingerprint]);
    expect(writes).toMatchObject({ resolved: 1 });
    const expiresAt = epochSeconds(NIGHT2) + 30 * 86_400;
    const resolved = await queryFindings(store, { status: 'resolved' }, {}, NIGHT2);
    expect(resolved.findings).toHaveLength(1);
    expect(resolved.findings[0]).toMatchObject({ status: 'resolved', resolvedRunId: 'run-2', expiresAt });
    expect((await queryFindings(store, { severity: 'critical' }, {}, NIGHT2)).findings).toEqual([]);

    const history = await findingHistory(store, critical.fingerprint, NIGHT2);
    expect(history.events.map((event) => [event.event, event.expiresAt])).toEqual([
      ['opened', expiresAt],
      ['resolved', expiresAt],
    ]);

    // DynamoDB deletes expired items lazily (dynalite never does): reads must not show them.
    const later = days(NIGHT2, 31);
    expect((await queryFindings(store, { status: 'resolved' }, {}, later)).findings).toEqual([]);
    expect(await findingHistory(store, critical.fingerprint, later)).toEqual({
      fingerprint: critical.fingerprint,
      events: [],
    });
  });

  it('reopens a resolved finding as a new episode whose history does not expire', async () => {
    const store = dynamo.store();
    await storeRun(store, [critical], org(), 'run-1', NIGHT1);
    await storeRun(store, [], org(), 'run-2', NIGHT2);
    const night3 = days(NIGHT2, 1);
    const { drift } = await storeRun(store, [critical], org(), 'run-3', night3);

    expect(fps(drift.new)).toEqual([critical.fingerprint]);
    const history = await findingHistory(store, critical.fingerprint, night3);
    expect(history.state).toMatchObject({ status: 'open', firstSeen: night3.toISOString() });
    expect(history.state?.expiresAt).toBeUndefined();
    expect(history.events.map((event) => [event.event, event.runId, event.expiresAt === undefined])).toEqual([
      ['opened', 'run-1', false],
      ['resolved', 'run-2', false],
      ['opened', 'run-3', true],
    ]);
  });

  it('keeps an unreachable account open: marks its findings unverified once, then clears the mark', async () => {
    const store = dynamo.store();
    await storeRun(store, ALL, org(), 'run-1', NIGHT1);
    const prodDown = inventory(
      account(PROD, { roles: [], errors: [accountError()] }),
      account(DEV, { clusters: [cluster('dev', 'eu-west-1')] }),
      account(SHARED),
    );
    const stillVisible = [noProvider, devAud, crossAccount];

    const down1 = await storeRun(store, stillVisible, prodDown, 'run-2', NIGHT2);
    expect(down1.drift.resolved).toEqual([]);
    expect(down1.writes).toMatchObject({ markedUnverified: 2, itemsWritten: 2 });
    const prod = await queryFindings(store, { accountId: PROD }, {}, NIGHT2);
    expect(prod.findings.map((each) => each.unverifiedSince)).toEqual([
      NIGHT2.toISOString(),
      NIGHT2.toISOString(),
    ]);
    expect(prod.findings[0].unverifiedReason).toContain('AccessDenied');

    const down2 = await storeRun(store, stillVisible, prodDown, 'run-3', days(NIGHT2, 1));
    expect(down2.writes).toMatchObject({ markedUnverified: 0, itemsWritten: 0 });

    const back = await storeRun(store, ALL, org(), 'run-4', days(NIGHT2, 2));
    expect(back.drift.new).toEqual([]);
    expect(back.writes).toMatchObject({ refreshed: 2 });
    const cleared = await queryFindings(store, { accountId: PROD }, {}, days(NIGHT2, 2));
    expect(cleared.findings.map((each) => each.unverifiedSince)).toEqual([undefined, undefined]);
  });

  it('keeps every item under 400 KB however large the finding', async () => {
    const store = dynamo.store();
    const huge = finding(
      'trust.indeterminate',
      { accountId: PROD, roleArn: roleArn(PROD, 'x'.repeat(64)) },
      {
        message: 'm'.repeat(500_000),
        remediation: 'r'.repeat(500_000),
        evidence: { statement: 'e'.repeat(600_000), nested: [{ deep: 'é'.repeat(100_000) }] },
      },
    );
    await storeRun(store, [huge], org(), 'run-1', NIGHT1);
    const [stored] = await store.loadOpenFindings(NIGHT1);
    expect(stored.message.length).toBeLessThanOrEqual(4000);
    expect(stored.evidence).toMatchObject({ truncated: true });
    expect(JSON.stringify(stored).length).toBeLessThan(MAX_ITEM_BYTES / 10);
  });
});

describe('DynamoResultsStore queries (docs/results-table.md), all served by Query', () => {
  let sent: string[];
  beforeEach(async () => {
    const store = dynamo.store();
    await storeRun(store, ALL, org(), 'run-1', NIGHT1);
    sent = [];
    const send = dynamo.documentClient.send.bind(dynamo.documentClient);
    jest.spyOn(dynamo.documentClient, 'send').mockImplementation(((command: {
      constructor: { name: string };
    }) => {
      sent.push(command.constructor.name);
      return send(command as never);
    }) as never);
  });

  const cases: [string, Parameters<typeof queryFindings>[1], string, readonly { fingerprint: string }[]][] = [
    ['open findings org-wide', {}, 'gsi1', ALL],
    ['open findings by severity', { severity: 'critical' }, 'gsi1', [critical]],
    ['by account', { accountId: DEV }, 'gsi2', [noProvider, devAud]],
    ['by account and severity', { accountId: PROD, severity: 'high' }, 'gsi2', [saUntrusted]],
    ['by account and check', { accountId: DEV, checkId: 'trust.aud-missing' }, 'gsi2', [devAud]],
    ['by cluster name', { cluster: 'prod' }, 'gsi3', [saUntrusted]],
    ['by cluster ARN', { cluster: `arn:aws:eks:eu-west-1:${DEV}:cluster/dev` }, 'gsi3', [noProvider]],
    ['by role ARN', { role: webRole }, 'gsi4', [critical, saUntrusted]],
    ['by role ARN and severity', { role: webRole, severity: 'critical' }, 'gsi4', [critical]],
    ['by role name in every account', { role: 'WEB' }, 'gsi4', [critical, saUntrusted, crossAccount]],
    ['by check id', { checkId: 'sa.role-untrusted' }, 'gsi5', [saUntrusted]],
    ['by check id and severity', { checkId: 'trust.aud-missing', severity: 'high' }, 'gsi5', []],
  ];

  it.each(cases)('%s', async (_name, filter, index, expected) => {
    const result = await queryFindings(dynamo.store(), filter, {}, NIGHT1);
    expect(result.plan.indexName).toBe(index);
    expect(fps(result.findings)).toEqual(fps(expected));
    expect(new Set(sent)).toEqual(new Set([QueryCommand.name]));
  });

  it('lists open findings worst first', async () => {
    const result = await queryFindings(dynamo.store(), {}, {}, NIGHT1);
    expect(result.findings.map((each) => each.severity)).toEqual(['critical', 'high', 'high', 'low', 'low']);
  });

  it('pages with a cursor without losing or repeating findings', async () => {
    const store = dynamo.store();
    const many = Array.from({ length: 37 }, (_, i) =>
      finding(
        'trust.aud-missing',
        { accountId: DEV, roleArn: roleArn(DEV, `role-${i}`) },
        { severity: i % 3 ? 'low' : 'medium' },
      ),
    );
    await storeRun(store, [...ALL, ...many], org(), 'run-2', NIGHT2);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await queryFindings(store, { accountId: DEV }, { limit: 7, cursor }, NIGHT2);
      expect(page.findings.length).toBeLessThanOrEqual(7);
      seen.push(...page.findings.map((each) => each.fingerprint));
      cursor = page.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(6);
    expect(seen.sort()).toEqual(fps([noProvider, devAud, ...many]));
    expect((await queryFindings(store, {}, { limit: 10, all: true }, NIGHT2)).findings).toHaveLength(42);
  });

  it('rejects bad filters and cursors with clear errors', async () => {
    const store = dynamo.store();
    await expect(queryFindings(store, { accountId: '123' }, {}, NIGHT1)).rejects.toMatchObject({
      code: 'BadFilter',
      message: expect.stringContaining('12-digit'),
    });
    await expect(queryFindings(store, { severity: 'urgent' as never }, {}, NIGHT1)).rejects.toMatchObject({
      code: 'BadFilter',
    });
    await expect(queryFindings(store, {}, { cursor: 'not-a-cursor' }, NIGHT1)).rejects.toMatchObject({
      code: 'BadCursor',
    });
    await expect(findingHistory(store, 'zz', NIGHT1)).rejects.toMatchObject({ code: 'BadFilter' });
  });
});

describe('run records', () => {
  it('lists runs newest first, with paging', async () => {
    const store = dynamo.store();
    for (let i = 0; i < 5; i++) {
      const started = days(NIGHT1, i);
      await store.putRun({ ...startRunRecord(`run-${i}`, started, 'schedule'), status: 'succeeded' });
    }
    const first = await listRuns(store, { limit: 3 }, days(NIGHT1, 5));
    expect(first.runs.map((run) => run.runId)).toEqual(['run-4', 'run-3', 'run-2']);
    const second = await listRuns(store, { limit: 3, cursor: first.cursor }, days(NIGHT1, 5));
    expect(second.runs.map((run) => run.runId)).toEqual(['run-1', 'run-0']);
    expect(second.cursor).toBeUndefined();
    expect(first.runs[0]).toMatchObject({ schemaVersion: 1, status: 'succeeded', trigger: 'schedule' });
  });

  it('replaces a run record when it is written again (start, then completion)', async () => {
    const store = dynamo.store();
    const started = startRunRecord('run-1', NIGHT1);
    await store.putRun(started);
    await store.putRun({ ...started, status: 'partial', durationMs: 1234 });
    const { runs } = await listRuns(store, {}, NIGHT1);
    expect(runs).toEqual([expect.objectContaining({ runId: 'run-1', status: 'partial', durationMs: 1234 })]);
  });
});
