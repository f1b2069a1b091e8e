import { LockLostError, RunLockedError } from '../../lambda/app/store-errors';
import { epochSeconds } from '../../lambda/store/items';
import { startDynalite, type TestDynamo } from '../helpers/dynalite';

const NOW = new Date('2026-11-29T03:00:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

let dynamo: TestDynamo;
beforeEach(async () => {
  dynamo = await startDynalite();
});
afterEach(async () => {
  await dynamo.stop();
});

describe('run lock', () => {
  it('lets a second run fail cleanly, naming the holder and when the lock lapses', async () => {
    const store = dynamo.store();
    const lock = await store.acquireLock('run-A', NOW, 900);
    expect(lock).toEqual({
      holder: 'run-A',
      acquiredAt: NOW.toISOString(),
      expiresAt: epochSeconds(NOW) + 900,
    });

    const second = store.acquireLock('run-B', later(60), 900);
    await expect(second).rejects.toBeInstanceOf(RunLockedError);
    await expect(store.acquireLock('run-B', later(60), 900)).rejects.toMatchObject({
      code: 'RunLocked',
      holder: 'run-A',
      expiresAt: epochSeconds(NOW) + 900,
      message: expect.stringContaining('run-A'),
    });
  });

  it('lets exactly one of two simultaneous runs in', async () => {
    const store = dynamo.store();
    const results = await Promise.allSettled([
      store.acquireLock('run-A', NOW, 900),
      store.acquireLock('run-B', NOW, 900),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(RunLockedError);
  });

  it('takes over a stale lock (TTL is checked in the condition: DynamoDB deletes lazily, dynalite never)', async () => {
    const store = dynamo.store();
    await store.acquireLock('crashed-run', NOW, 900);
    const lock = await store.acquireLock('run-B', later(901), 900);
    expect(lock.holder).toBe('run-B');
    // The crashed run can no longer renew or release the lock it lost.
    await expect(
      store.renewLock(
        { holder: 'crashed-run', acquiredAt: NOW.toISOString(), expiresAt: 0 },
        later(902),
        900,
      ),
    ).rejects.toBeInstanceOf(LockLostError);
    expect(await store.releaseLock({ holder: 'crashed-run', acquiredAt: '', expiresAt: 0 })).toBe(false);
    expect((await store.readLock())?.holder).toBe('run-B');
  });

  it('renews for the holder and releases on completion', async () => {
    const store = dynamo.store();
    const lock = await store.acquireLock('run-A', NOW, 900);
    const renewed = await store.renewLock(lock, later(600), 900);
    expect(renewed.expiresAt).toBe(epochSeconds(later(600)) + 900);
    // Not stale at the original expiry any more.
    await expect(store.acquireLock('run-B', later(901), 900)).rejects.toBeInstanceOf(RunLockedError);

    expect(await store.releaseLock(renewed)).toBe(true);
    expect(await store.readLock()).toBeUndefined();
    expect((await store.acquireLock('run-B', later(902), 900)).holder).toBe('run-B');
  });
});

describe('run lock and retries of the same invocation', () => {
  it('lets a retry of the same invocation take over the lock its killed attempt left', async () => {
    const store = dynamo.store();
    await store.acquireLock('run-A', NOW, 900, { invocation: 'request:req-1' });

    // Another invocation is still refused while the lease runs…
    await expect(
      store.acquireLock('run-B', later(60), 900, { invocation: 'request:req-2' }),
    ).rejects.toBeInstanceOf(RunLockedError);
    await expect(store.acquireLock('run-B', later(60), 900)).rejects.toBeInstanceOf(RunLockedError);
    // …but Lambda's retry of req-1 (its first attempt timed out) takes it at once.
    const lock = await store.acquireLock('run-C', later(60), 900, { invocation: 'request:req-1' });
    expect(lock).toMatchObject({ holder: 'run-C', invocation: 'request:req-1' });
    expect(await store.readLock()).toEqual(lock);
    // The killed attempt can no longer renew it.
    await expect(
      store.renewLock({ holder: 'run-A', acquiredAt: NOW.toISOString(), expiresAt: 0 }, later(61), 900),
    ).rejects.toBeInstanceOf(LockLostError);
  });
});
