import { prefetch, runPool, Semaphore } from '../../lambda/collect/pool';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('never lets more than its limit run at once', async () => {
    const gate = new Semaphore(3);
    let running = 0;
    let peak = 0;

    await Promise.all(
      Array.from({ length: 20 }, () =>
        gate.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await tick();
          running--;
        }),
      ),
    );

    expect(peak).toBe(3);
    expect(gate.inFlight).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('serves waiters by priority, then in arrival order', async () => {
    const gate = new Semaphore(1);
    await gate.acquire();
    const order: string[] = [];
    const waits = [
      gate.acquire(5).then(() => order.push('p5-first')),
      gate.acquire(1).then(() => order.push('p1')),
      gate.acquire(5).then(() => order.push('p5-second')),
      gate.acquire(-1).then(() => order.push('run-level')),
    ];

    for (let i = 0; i < 4; i++) {
      gate.release();
      await tick();
    }
    await Promise.all(waits);

    expect(order).toEqual(['run-level', 'p1', 'p5-first', 'p5-second']);
  });

  it('rejects a limit below one', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe('runPool', () => {
  it('runs items in order with bounded concurrency and records what it may no longer start', async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const skipped: number[] = [];

    await runPool(
      [1, 2, 3, 4, 5, 6],
      2,
      async (item) => {
        started.push(item);
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
      },
      { mayStart: () => started.length < 3, skipped: (item) => skipped.push(item) },
    );

    expect(peak).toBe(2);
    expect(started).toEqual([1, 2, 3]);
    expect(skipped).toEqual([4, 5, 6]);
  });

  it('isolates a worker that throws', async () => {
    const failed: number[] = [];
    const done: number[] = [];

    await runPool(
      [1, 2, 3],
      1,
      async (item) => {
        if (item === 2) throw new Error('boom');
        done.push(item);
      },
      { onError: (item) => failed.push(item) },
    );

    expect(done).toEqual([1, 3]);
    expect(failed).toEqual([2]);
  });

  it('lets started items finish, then throws when the source fails', async () => {
    const finished: number[] = [];
    async function* source() {
      yield 1;
      yield 2;
      throw new Error('listing failed');
    }

    await expect(
      runPool(source(), 2, async (item) => {
        await tick();
        finished.push(item);
      }),
    ).rejects.toThrow('listing failed');
    expect(finished.sort()).toEqual([1, 2]);
  });
});

describe('prefetch', () => {
  it('drains the source ahead of the consumer and reports each item', async () => {
    const seen: number[] = [];
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 5; i++) {
        produced++;
        yield i;
      }
    }

    const buffered = prefetch(source(), (item) => seen.push(item));
    for (let i = 0; i < 5; i++) await tick();

    expect(produced).toBe(5); // listed before anyone asked
    const consumed: number[] = [];
    for await (const item of buffered) consumed.push(item);
    expect(consumed).toEqual([0, 1, 2, 3, 4]);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });
});
