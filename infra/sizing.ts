/**
 * Whether the chosen mode fits the organization (docs/performance.md "Scale"), from `bench:scale`'s
 * measurements: per 1,000 accounts of 17 regions, 2 clusters, 200 roles, 100 service accounts and 300
 * pods each. Synth warns when an expected account count (`-c expectedAccounts=N`) will not fit the
 * memory or the time of the Lambda that holds the whole organization (the audit function in the
 * single mode, the evaluate step in the distributed mode).
 */

/**
 * Measured per 1,000 accounts, 2026-12-06: single — the run's own peak RSS (the process's less its
 * simulated AWS) and its modelled wall time, at 1,000 accounts on one core (the default memoryMb, 1,769,
 * is one vCPU); evaluate — the step's peak RSS less its process at start and its duration, at 10,000
 * accounts (3,182 MB peak, 198 MB at start, 94 s).
 */
export const MEASURED_PER_1000_ACCOUNTS = {
  single: { memoryMb: 303, seconds: 181 },
  evaluate: { memoryMb: 300, seconds: 9.4 },
} as const;

/** Node.js, the SDK and the bundle before any inventory. */
const BASE_MEMORY_MB = 256;
const LAMBDA_MAX_MEMORY_MB = 10_240;

export interface SizingInput {
  scale: 'single' | 'distributed';
  expectedAccounts?: number;
  /** The audit function's memory (single mode; the collect children in the distributed mode). */
  memoryMb: number;
  timeoutMinutes: number;
  /** The evaluate step's memory (distributed mode). */
  evaluateMemoryMb: number;
}

export function sizingWarnings(input: SizingInput): string[] {
  const accounts = input.expectedAccounts;
  if (accounts === undefined) return [];
  const thousands = accounts / 1000;
  const warnings: string[] = [];
  if (input.scale === 'single') {
    const needMb = Math.ceil(BASE_MEMORY_MB + thousands * MEASURED_PER_1000_ACCOUNTS.single.memoryMb);
    const seconds = Math.round(thousands * MEASURED_PER_1000_ACCOUNTS.single.seconds);
    if (needMb > LAMBDA_MAX_MEMORY_MB || seconds > input.timeoutMinutes * 60) {
      warnings.push(
        `expectedAccounts=${accounts}: one Lambda run needs about ${needMb} MB and ${seconds} s (docs/performance.md), beyond what one Lambda has (10,240 MB, timeoutMinutes=${input.timeoutMinutes}); deploy with -c scale=distributed`,
      );
    } else if (needMb > input.memoryMb) {
      warnings.push(
        `expectedAccounts=${accounts}: one Lambda run needs about ${needMb} MB (docs/performance.md); raise memoryMb from ${input.memoryMb} to at least ${needMb}`,
      );
    }
  } else {
    const memoryMb = input.evaluateMemoryMb;
    const needMb = Math.ceil(BASE_MEMORY_MB + thousands * MEASURED_PER_1000_ACCOUNTS.evaluate.memoryMb);
    const seconds = Math.round(thousands * MEASURED_PER_1000_ACCOUNTS.evaluate.seconds);
    if (needMb > memoryMb || seconds > 15 * 60) {
      warnings.push(
        `expectedAccounts=${accounts}: the evaluate step needs about ${needMb} MB and ${seconds} s (docs/performance.md) and has ${memoryMb} MB and 900 s${needMb > LAMBDA_MAX_MEMORY_MB || seconds > 900 ? ': this organization is beyond what the evaluate step can hold today' : `; raise evaluateMemoryMb to at least ${needMb}`}`,
      );
    }
  }
  return warnings;
}
