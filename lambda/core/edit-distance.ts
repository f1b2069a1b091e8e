import type { EditRows } from './context';

/**
 * Levenshtein distance: exact when it is ≤ `max`, otherwise some value above `max`. The common prefix
 * and suffix are skipped (ARNs and subjects share long ones) and only the diagonal band of width
 * 2·max+1 is computed, with an exit as soon as a whole row exceeds `max`: `nearest` calls this for
 * every candidate of an account or cluster, so it must cost O(max · length), not O(length²).
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY, rows?: EditRows): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let start = 0;
  let endA = a.length;
  let endB = b.length;
  while (start < endA && start < endB && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  if (n === 0 || m === 0) return n + m;
  const band = Math.min(Math.floor(max), Math.max(n, m));
  const over = band + 1;
  // Callers in hot loops lend two rows (RunCache.editRows, or nearest's own); a lone call allocates.
  const fits = rows !== undefined && rows.previous.length > m;
  let previous = fits ? rows.previous : new Int32Array(m + 1);
  let current = fits ? rows.current : new Int32Array(m + 1);
  for (let j = 0; j <= m; j++) previous[j] = j <= band ? j : over;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(i - band, 1);
    const hi = Math.min(i + band, m);
    current[lo - 1] = lo === 1 && i <= band ? i : over;
    let rowMin = current[lo - 1];
    const code = a.charCodeAt(start + i - 1);
    for (let j = lo; j <= hi; j++) {
      let value = previous[j - 1] + (code === b.charCodeAt(start + j - 1) ? 0 : 1);
      if (previous[j] + 1 < value) value = previous[j] + 1;
      if (current[j - 1] + 1 < value) value = current[j - 1] + 1;
      if (value > over) value = over;
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (hi < m) current[hi + 1] = over;
    if (rowMin > band) return max + 1;
    const swap = previous;
    previous = current;
    current = swap;
  }
  return previous[m] > band ? max + 1 : previous[m];
}
