/**
 * Bounded concurrency. A counting semaphore bounds in-flight calls (globally and per account);
 * `runPool` feeds items to a fixed number of workers and lets the caller stop starting new ones
 * (the deadline) while letting the started ones finish.
 */

interface Waiter {
  priority: number;
  order: number;
  resolve: () => void;
}

/**
 * A counting semaphore whose waiters are served by priority (lower first), then in arrival order.
 * The global gate gives earlier-started accounts precedence, so accounts finish one after another
 * (what a deadline cut needs) while later ones soak up the slots the earlier ones cannot use.
 */
export class Semaphore {
  private active = 0;
  private arrivals = 0;
  /** Binary min-heap on (priority, order). */
  private readonly heap: Waiter[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`semaphore limit must be ≥ 1, got ${limit}`);
  }

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.heap.length;
  }

  acquire(priority = 0): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.push({ priority, order: this.arrivals++, resolve }));
  }

  release(): void {
    const next = this.pop();
    if (next)
      next.resolve(); // the slot passes straight to the next waiter: `active` is unchanged
    else this.active--;
  }

  async run<T>(task: () => Promise<T>, priority = 0): Promise<T> {
    await this.acquire(priority);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private push(waiter: Waiter): void {
    const heap = this.heap;
    heap.push(waiter);
    let at = heap.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(heap[at], heap[parent])) break;
      [heap[at], heap[parent]] = [heap[parent], heap[at]];
      at = parent;
    }
  }

  private pop(): Waiter | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        const right = left + 1;
        let best = at;
        if (left < heap.length && before(heap[left], heap[best])) best = left;
        if (right < heap.length && before(heap[right], heap[best])) best = right;
        if (best === at) break;
        [heap[at], heap[best]] = [heap[best], heap[at]];
        at = best;
      }
    }
    return top;
  }
}

function before(a: Waiter, b: Waiter): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.order < b.order);
}

/**
 * Runs `worker` over the items of `source` (an array, or an async stream such as the pages of
 * Organizations ListAccounts) with at most `limit` in flight, in order. Before each start `mayStart`
 * is asked; once it says no, the remaining items go to `skipped` instead. A worker that throws is
 * reported through `onError` and the pool goes on. If the source itself fails, no further item is
 * started, the started ones finish, and the source's error is thrown.
 */
export async function runPool<T>(
  source: Iterable<T> | AsyncIterable<T>,
  limit: number,
  worker: (item: T, index: number) => Promise<void>,
  hooks: {
    mayStart?: () => boolean;
    skipped?: (item: T, index: number) => void;
    onError?: (item: T, error: unknown, index: number) => void;
  } = {},
): Promise<void> {
  const iterator: AsyncIterator<T> | Iterator<T> =
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  let next = 0;
  let exhausted = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    for (;;) {
      if (exhausted || failure) return;
      let step: IteratorResult<T>;
      try {
        step = await iterator.next(); // async generators queue concurrent next() calls in order
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (step.done) {
        exhausted = true;
        return;
      }
      const index = next++;
      if (stopped || (hooks.mayStart && !hooks.mayStart())) {
        stopped = true;
        hooks.skipped?.(step.value, index);
        continue;
      }
      try {
        await worker(step.value, index);
      } catch (error) {
        hooks.onError?.(step.value, error, index);
      }
    }
  };
  const lanes: Promise<void>[] = [];
  for (let i = 0; i < Math.max(1, limit); i++) lanes.push(lane());
  await Promise.all(lanes);
  if (failure) throw failure.error;
}

/**
 * Drains `source` in the background as fast as it produces (e.g. Organizations pages), and hands
 * items out on demand. Listing then never waits for a free worker, and `onItem` sees the growing total.
 */
export function prefetch<T>(source: AsyncIterable<T>, onItem?: (item: T) => void): AsyncIterable<T> {
  const buffer: T[] = [];
  let head = 0;
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const drain = async () => {
    try {
      for await (const item of source) {
        buffer.push(item);
        onItem?.(item);
        wake?.();
      }
    } catch (error) {
      failure = { error };
    } finally {
      done = true;
      wake?.();
    }
  };
  void drain();
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (head < buffer.length) {
          yield buffer[head++];
          continue;
        }
        if (failure) throw failure.error;
        if (done) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
}
