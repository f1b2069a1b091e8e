/** Metrics of the distributed mode only (the pipeline's are in lambda/app/metrics.ts). */
export const DISTRIBUTED_METRICS = {
  /** Accounts whose collect child wrote no readable partial (failed or timed out); an alarm watches it. */
  partialsMissing: 'PartialsMissing',
} as const;
