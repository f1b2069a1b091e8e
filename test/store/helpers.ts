/** Drives the store the way the pipeline does: load open → drift → apply. */

import type { ResultsStore } from '../../lambda/app/ports';
import { coverageOf } from '../../lambda/core/coverage';
import { computeDrift } from '../../lambda/core/drift';
import type { Finding } from '../../lambda/core/findings';
import type { Inventory } from '../../lambda/core/model';
import { dependencies } from '../drift/fixtures';

export async function storeRun(
  store: ResultsStore,
  current: Finding[],
  inventory: Inventory,
  runId: string,
  now: Date,
) {
  const previousOpen = await store.loadOpenFindings(now);
  const drift = computeDrift({ previousOpen, current, coverage: coverageOf(inventory), dependencies });
  const writes = await store.applyDrift({ drift, previousOpen, runId, now });
  return { drift, writes };
}

export const at = (iso: string): Date => new Date(iso);
export const days = (date: Date, count: number): Date => new Date(date.getTime() + count * 86_400_000);
