/** Where a run stands; every progress event carries a fresh copy. */
export interface ProgressSnapshot {
  accountsTotal: number;
  accountsDone: number;
  /** Accounts with at least one coverage error (including not scanned). */
  accountsWithErrors: number;
  apiCalls: number;
  throttled: number;
  /** Coverage errors recorded so far. */
  errors: number;
  clusters: number;
  kubernetesRequests: number;
}

export type ProgressPhase =
  | 'run-started'
  | 'account-started'
  | 'account-finished'
  | 'region-finished'
  | 'done';

export interface ProgressEvent {
  phase: ProgressPhase;
  accountId?: string;
  region?: string;
  snapshot: ProgressSnapshot;
}

export type ProgressListener = (event: ProgressEvent) => void;

export interface ProgressReporterIO {
  stderr(text: string): void;
  /** Progress is drawn only on a terminal; pipes and CI logs get nothing. */
  isTTY: boolean;
  now?: () => number;
}

/**
 * One self-overwriting stderr line (`accounts 12/40 · API calls 1,234 · errors 3`), redrawn at most
 * every `intervalMs` and once more, with a newline, when the run is done.
 */
export function createProgressReporter(io: ProgressReporterIO, intervalMs = 200): ProgressListener {
  if (!io.isTTY) return () => {};
  const now = io.now ?? Date.now;
  let lastDraw = Number.NEGATIVE_INFINITY;
  return (event) => {
    const final = event.phase === 'done';
    const at = now();
    if (!final && at - lastDraw < intervalMs) return;
    lastDraw = at;
    io.stderr(`\r\x1b[K${formatProgress(event.snapshot)}${final ? '\n' : ''}`);
  };
}

export function formatProgress(snapshot: ProgressSnapshot): string {
  const parts = [
    `accounts ${snapshot.accountsDone}/${snapshot.accountsTotal}`,
    `clusters ${count(snapshot.clusters)}`,
    `API calls ${count(snapshot.apiCalls)}`,
  ];
  if (snapshot.throttled > 0) parts.push(`throttled ${count(snapshot.throttled)}`);
  parts.push(`errors ${count(snapshot.errors)}`);
  return parts.join(' · ');
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}
