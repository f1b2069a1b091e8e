/**
 * Suppressions through the whole pipeline, on dynalite: a suppressed finding is stored with status
 * `suppressed` and its history, is neither new nor open in alerts and is not notified; an expired
 * entry re-opens it and the notification says so (docs/suppressions.md).
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { type AuditDeps, runAudit } from '../../lambda/app/pipeline';
import type { Finding } from '../../lambda/core/findings';
import type { Inventory } from '../../lambda/core/model';
import { parseSuppressions, type Suppression } from '../../lambda/core/suppressions';
import { SnsPublisher } from '../../lambda/notify/sns-publisher';
import { findingHistory, queryFindings } from '../../lambda/store/queries';
import {
  account,
  cluster,
  dependencies,
  finding,
  inventory,
  PROD,
  roleArn,
  scanResult,
} from '../drift/fixtures';
import { startDynalite, type TestDynamo } from '../helpers/dynalite';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:999988887777:irsa-audit';

const accepted = finding(
  'trust.sub-unrestricted',
  { accountId: PROD, roleArn: roleArn(PROD, 'web') },
  { severity: 'critical' },
);
const other = finding('sa.role-untrusted', {
  accountId: PROD,
  region: 'us-west-2',
  cluster: 'prod',
  namespace: 'default',
  serviceAccount: 'api',
});

const org = (): Inventory =>
  inventory(account(PROD, { roles: [], clusters: [cluster('prod', 'us-west-2')] }));

function entries(expires: string, extra: Record<string, unknown>[] = []): Suppression[] {
  return parseSuppressions(
    {
      version: 1,
      suppressions: [
        {
          fingerprint: accepted.fingerprint,
          reason: 'break-glass role, reviewed',
          owner: 'security@example.com',
          expires,
        },
        ...extra,
      ],
    },
    new Date('2026-11-28T00:00:00Z'),
  );
}

let dynamo: TestDynamo;
let clockTime: number;
let runs: number;
let current: Finding[];
beforeEach(async () => {
  dynamo = await startDynalite();
  clockTime = Date.parse('2026-11-29T03:00:00.000Z');
  runs = 0;
  current = [accepted, other];
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});
afterEach(async () => {
  await dynamo.stop();
});

function deps(suppressions: Suppression[] | undefined): AuditDeps {
  return {
    store: dynamo.store(),
    collect: async () => org(),
    evaluate: (inv) => scanResult(current, inv),
    dependencies,
    publisher: new SnsPublisher(new SNSClient({ region: 'us-east-1' }), TOPIC, { sleep: async () => {} }),
    clock: () => {
      clockTime += 1000;
      return new Date(clockTime);
    },
    newRunId: () => `run-${++runs}`,
    ...(suppressions
      ? { suppressions: { entries: suppressions, source: 'irsa-audit.suppressions.yaml' } }
      : {}),
  };
}

const nextNight = () => {
  clockTime += 86_400_000;
};
const now = () => new Date(clockTime);
const published = () => sns.commandCalls(PublishCommand);

describe('suppressions in the pipeline', () => {
  it('stores a suppressed finding as suppressed with its history, and neither alerts nor counts it as open', async () => {
    const stale = {
      check: 'trust.aud-missing',
      account: '*',
      reason: 'r',
      owner: 'o',
      expires: '2027-01-31',
    };
    const first = await runAudit(deps(entries('2026-11-29', [stale])));

    expect(first.drift.new).toEqual([other]);
    expect(first.suppression.newlySuppressed).toEqual([accepted]);
    expect(first.scan.findings).toEqual([other]);
    expect(first.scan.suppressions).toMatchObject({ suppressed: 1, source: 'irsa-audit.suppressions.yaml' });
    expect(first.record).toMatchObject({
      drift: { new: 1, open: 1 },
      findingsBySeverity: { critical: 0, high: 1 },
      suppressions: {
        entries: 2,
        suppressed: 1,
        newlySuppressed: 1,
        reopened: 0,
        staleEntries: 1,
        expiredEntries: 0,
      },
      writes: { opened: 2, suppressed: 1 },
    });
    const email = first.notification?.email ?? '';
    expect(email).not.toContain(accepted.fingerprint);
    expect(email).toContain(
      'Suppressions: 1 suppressed, not alerted (1 since this run); 1 stale entry (match nothing)',
    );
    expect(first.notification?.attributes.newCount.StringValue).toBe('1');
    expect(first.notification?.attributes.suppressedCount.StringValue).toBe('1');

    const store = dynamo.store();
    const open = await queryFindings(store, { status: 'open' }, {}, now());
    expect(open.findings.map((f) => f.fingerprint)).toEqual([other.fingerprint]);
    const suppressed = await queryFindings(store, { status: 'suppressed', accountId: PROD }, {}, now());
    expect(suppressed.findings).toEqual([
      expect.objectContaining({
        fingerprint: accepted.fingerprint,
        status: 'suppressed',
        suppression: {
          entry: 0,
          reason: 'break-glass role, reviewed',
          owner: 'security@example.com',
          expires: '2026-11-29',
        },
      }),
    ]);
    const history = await findingHistory(store, accepted.fingerprint, now());
    expect(history.events.map((e) => e.event)).toEqual(['opened', 'suppressed']);
    expect(history.events[1].suppression?.owner).toBe('security@example.com');
  });

  it('is idempotent: the same file the next day writes nothing and publishes nothing', async () => {
    await runAudit(deps(entries('2026-12-31')));
    nextNight();
    const second = await runAudit(deps(entries('2026-12-31')));
    expect(second.drift.new).toEqual([]);
    expect(second.notification).toBeUndefined();
    expect(second.record.writes).toMatchObject({ itemsWritten: 0, suppressed: 0, unsuppressed: 0 });
    expect(published()).toHaveLength(1);
  });

  it('re-opens the finding when its entry expires, announces it and keeps its history', async () => {
    const first = await runAudit(deps(entries('2026-11-29')));
    const firstSeen = (await findingHistory(dynamo.store(), accepted.fingerprint, now())).state?.firstSeen;
    expect(first.drift.new).toEqual([other]);

    nextNight();
    const second = await runAudit(deps(entries('2026-11-29')));

    expect(second.drift.new).toEqual([expect.objectContaining({ fingerprint: accepted.fingerprint })]);
    expect(second.suppression.reopened).toEqual([expect.objectContaining({ cause: 'expired' })]);
    expect(second.record).toMatchObject({
      drift: { new: 1, open: 2 },
      suppressions: { suppressed: 0, reopened: 1, expiredEntries: 1 },
      writes: { unsuppressed: 1 },
    });
    expect(published()).toHaveLength(2);
    const email = second.notification?.email ?? '';
    expect(email).toContain('Suppressions: 1 re-opened (suppression expired)');
    expect(email).toContain(
      'Re-opened: its suppression expired on 2026-11-29 (suppressions[0], owner security@example.com; was accepted because: break-glass role, reviewed)',
    );
    expect(second.notification?.chatbot.content.description).toContain('re-opened');
    expect(second.notification?.attributes.reopenedCount.StringValue).toBe('1');

    const history = await findingHistory(dynamo.store(), accepted.fingerprint, now());
    expect(history.state).toMatchObject({ status: 'open', firstSeen });
    expect(history.state?.suppression).toBeUndefined();
    expect(history.events.map((e) => [e.event, e.detail])).toEqual([
      ['opened', undefined],
      ['suppressed', undefined],
      ['unsuppressed', 'suppression expired on 2026-11-29 (suppressions[0], owner security@example.com)'],
    ]);
  });

  it('alerts on a new finding whose only entry has already expired, and says the entry expired', async () => {
    const first = await runAudit(deps(entries('2026-11-28')));
    expect(first.drift.new.map((f) => f.fingerprint).sort()).toEqual(
      [accepted.fingerprint, other.fingerprint].sort(),
    );
    expect(first.suppression.reopened).toEqual([]);
    expect(first.record.suppressions).toMatchObject({ suppressed: 0, expiredEntries: 1 });
    expect(first.notification?.email).toContain(
      'Suppression expired on 2026-11-28 (suppressions[0], owner security@example.com)',
    );
    expect(first.notification?.email).toContain('1 entry expired');
  });

  it('re-opens suppressed findings when the file no longer has their entry', async () => {
    await runAudit(deps(entries('2026-12-31')));
    nextNight();
    const second = await runAudit(deps(undefined));
    expect(second.drift.new.map((f) => f.fingerprint)).toEqual([accepted.fingerprint]);
    expect(second.suppression.reopened).toEqual([expect.objectContaining({ cause: 'removed' })]);
    expect(second.notification?.email).toContain(
      'Re-opened: no entry of the suppressions file matches it any more',
    );
  });

  it('suppresses a finding that was open, and resolves a suppressed finding without alerting', async () => {
    await runAudit(deps(undefined));
    nextNight();
    const second = await runAudit(deps(entries('2026-12-31')));
    expect(second.drift.new).toEqual([]);
    expect(second.drift.stillOpen).toEqual([other]);
    expect(second.suppression.newlySuppressed).toEqual([accepted]);
    expect(second.notification).toBeUndefined();

    nextNight();
    current = [other];
    const third = await runAudit(deps(entries('2026-12-31')));
    expect(third.drift.resolved).toEqual([]);
    expect(third.notification).toBeUndefined();
    expect(third.record.writes).toMatchObject({ resolved: 1 });
    const history = await findingHistory(dynamo.store(), accepted.fingerprint, now());
    expect(history.state?.status).toBe('resolved');
    // Every event of the episode, the suppression event included, expires with the resolution.
    expect(history.events.map((e) => [e.event, typeof e.expiresAt])).toEqual([
      ['opened', 'number'],
      ['suppressed', 'number'],
      ['resolved', 'number'],
    ]);
  });
});
