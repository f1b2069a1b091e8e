import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoResultsStore } from '../../lambda/store/dynamo-store';
import { startEmbeddedDynamo } from '../../lambda/store/embedded';
import { account, finding, inventory, PROD, roleArn } from '../drift/fixtures';
import { storeRun } from './helpers';

describe('embedded table (irsa-audit demo)', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'irsa-audit-embedded-'));
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('keeps results in a local folder, so a second run sees no drift', async () => {
    const trust = finding('trust.sub-unrestricted', { accountId: PROD, roleArn: roleArn(PROD, 'web') });
    const org = inventory(account(PROD));
    const night = new Date('2026-11-29T03:00:00.000Z');

    const first = await startEmbeddedDynamo({ path: folder });
    try {
      expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const firstStore = new DynamoResultsStore({ tableName: first.tableName, client: first.documentClient });
      expect((await storeRun(firstStore, [trust], org, 'run-1', night)).drift.new).toHaveLength(1);
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedDynamo({ path: folder });
    const secondStore = new DynamoResultsStore({
      tableName: second.tableName,
      client: second.documentClient,
    });
    const { drift } = await storeRun(secondStore, [trust], org, 'run-2', night).finally(() => second.stop());
    expect(drift.new).toEqual([]);
    expect(drift.stillOpen).toHaveLength(1);
  });
});
