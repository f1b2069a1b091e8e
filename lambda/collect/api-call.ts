import { classifyAwsError } from './aws-errors';
import type { Clock } from './clock';
import type { Semaphore } from './pool';

/** Counters of one run; the progress reporter and the benchmark read them. */
export interface CallStats {
  /** Every request sent, retries included. */
  apiCalls: number;
  /** Requests that came back throttled after the SDK's own retries. */
  throttled: number;
  /** Extra rounds started by this layer (storm back-off or credential refresh). */
  retries: number;
  byApi: Map<string, number>;
}

function newCallStats(): CallStats {
  return { apiCalls: 0, throttled: 0, retries: 0, byApi: new Map() };
}

/** Where a request belongs. */
export interface CallOptions {
  /** The account's own gate (per-account concurrency); absent for the caller's run-level calls. */
  gate?: Semaphore;
  /** Renews the credentials after the service said they expired; absent: nothing to renew. */
  refresh?: () => void;
  /** Global-gate priority, lower first: the account's start order (run-level calls: -1). */
  priority?: number;
}

export interface RetryPolicy {
  /** Rounds after the SDK gave up on throttling or a transient fault. */
  stormRetries: number;
  /** First back-off; doubles each round, full jitter between half and all of it. */
  stormBackoffMs: number;
}

/**
 * Every AWS request goes through here: it takes a slot of the account's gate, then one of the global
 * gate (in that order, so a request waiting on its account holds no global slot), counts the call,
 * and decides what to do when the SDK's adaptive retries were not enough:
 * - throttling / 5xx / timeouts (a storm that outlasted the SDK's budget): back off, a few more rounds;
 * - expired credentials: refresh them once (the caller's `refresh`) and retry;
 * - anything else: rethrow, and the collector records it as coverage.
 * Slots are released while backing off, so a throttled account does not block the others.
 */
export class ApiCaller {
  constructor(
    private readonly global: Semaphore,
    private readonly policy: RetryPolicy,
    private readonly clock: Clock,
    readonly stats: CallStats = newCallStats(),
    private readonly random: () => number = Math.random,
  ) {}

  async call<T>(api: string, send: () => Promise<T>, options: CallOptions = {}): Promise<T> {
    const { gate, refresh, priority = 0 } = options;
    let stormRound = 0;
    let refreshed = false;
    for (;;) {
      try {
        return await this.once(gate, api, send, priority);
      } catch (error) {
        const failure = classifyAwsError(error);
        if (failure.kind === 'throttled') this.stats.throttled++;
        if (failure.kind === 'expired' && refresh && !refreshed) {
          refreshed = true;
          this.stats.retries++;
          refresh();
          continue;
        }
        if (
          (failure.kind === 'throttled' || failure.kind === 'transient') &&
          stormRound < this.policy.stormRetries
        ) {
          const ceiling = this.policy.stormBackoffMs * 2 ** stormRound++;
          this.stats.retries++;
          await this.clock.sleep(Math.round(ceiling / 2 + (this.random() * ceiling) / 2));
          continue;
        }
        throw error;
      }
    }
  }

  private async once<T>(
    gate: Semaphore | undefined,
    api: string,
    send: () => Promise<T>,
    priority: number,
  ): Promise<T> {
    if (gate) await gate.acquire();
    try {
      await this.global.acquire(priority);
      try {
        this.stats.apiCalls++;
        this.stats.byApi.set(api, (this.stats.byApi.get(api) ?? 0) + 1);
        return await send();
      } finally {
        this.global.release();
      }
    } finally {
      gate?.release();
    }
  }
}
