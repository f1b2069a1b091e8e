/**
 * Engine benchmark (docs/performance.md): the audit of a synthetic organization must take at most 2× the time
 * `JSON.parse` takes to read the inventory, stay under 2 GB at 200k roles / 100k service accounts /
 * 300k pods, and grow linearly (10× input ≤ 11× time).
 *
 * `npm run bench:engine` bundles this file with esbuild and runs the bundle (node --expose-gc): the
 * engine is measured as it ships — the Lambda runs an esbuild bundle — rather than through tsx, whose
 * on-the-fly transform keeps function names and adds a per-closure cost to hot loops. For each size it writes the inventory file once
 * (bench/generate-org.ts, streamed), then per repetition reads the text (untimed), times `JSON.parse`
 * (parse_ms) and the scan (scan_ms = parseInventory + runChecks), and prints one JSON line per size;
 * the last line is the 10× scaling figure. Medians over BENCH_REPS repetitions (default 5) at 1/10
 * size and BENCH_FULL_REPS (default 3) at full size, after one discarded warm-up repetition at 1/10
 * size (BENCH_WARMUP=0 skips it). BENCH_SCALE (default 1) shrinks every size, for
 * a quick look. peak_rss_mb is the process's RSS high-water mark (getrusage maxrss) after the size
 * ran; sizes run smallest first, so it is the peak of the largest size run so far.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS } from '../lambda/core/checks/index';
import { runChecks } from '../lambda/core/engine';
import { parseInventory } from '../lambda/core/inventory/parse';
import { type OrgOptions, writeOrgFile } from './generate-org';

interface Sample {
  parseMs: number;
  scanMs: number;
  findings: number;
}

const scale = Number(process.env.BENCH_SCALE ?? '1');
const warmup = process.env.BENCH_WARMUP !== '0';
const FULL: OrgOptions = { roles: 200_000, serviceAccounts: 100_000, pods: 300_000 };
const SIZES: { options: OrgOptions; reps: number }[] = [
  {
    options: { roles: FULL.roles / 10, serviceAccounts: FULL.serviceAccounts / 10, pods: FULL.pods / 10 },
    reps: Number(process.env.BENCH_REPS ?? '5'),
  },
  { options: FULL, reps: Number(process.env.BENCH_FULL_REPS ?? '3') },
].map(({ options, reps }) => ({
  options: {
    roles: Math.round(options.roles * scale),
    serviceAccounts: Math.round(options.serviceAccounts * scale),
    pods: Math.round(options.pods * scale),
  },
  reps: Math.max(1, reps),
}));

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) {
    collect();
    collect();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

function runOnce(path: string): Sample {
  let text: string | undefined = readFileSync(path, 'utf8');
  gc();
  const parseStart = performance.now();
  const document: unknown = JSON.parse(text);
  const parseMs = performance.now() - parseStart;
  text = undefined;
  const scanStart = performance.now();
  const { inventory, warnings } = parseInventory(document, path);
  if (warnings.length > 0)
    process.stderr.write(`warning: ${warnings.length} loader warning(s), first: ${warnings[0]}\n`);
  const result = runChecks(inventory, CHECKS);
  const scanMs = performance.now() - scanStart;
  if (result.checkErrors.length > 0) {
    process.stderr.write(
      `warning: ${result.checkErrors.length} check error(s), first: ${JSON.stringify(result.checkErrors[0])}\n`,
    );
  }
  return { parseMs, scanMs, findings: result.findings.length };
}

async function main(): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc) {
    process.stderr.write('note: run with node --expose-gc (npm run bench:engine) for gc between sizes\n');
  }
  const lines: { options: OrgOptions; parseMs: number; scanMs: number }[] = [];
  for (const { options, reps } of SIZES) {
    const path = join(tmpdir(), `irsa-bench-${process.pid}-${options.roles}.json`);
    const stats = writeOrgFile(path, options);
    process.stderr.write(
      `generated ${stats.accounts} accounts, ${stats.clusters} clusters, ${(stats.bytes / 1048576).toFixed(0)} MB\n`,
    );
    gc();
    const samples: Sample[] = [];
    try {
      // One discarded repetition first, so the median compares steady-state (JIT-compiled) code at both
      // sizes rather than the first size paying for compilation.
      if (lines.length === 0 && warmup) {
        runOnce(path);
        gc();
      }
      for (let rep = 0; rep < reps; rep++) {
        samples.push(runOnce(path));
        gc();
      }
    } finally {
      rmSync(path, { force: true });
    }
    const parseMs = median(samples.map((sample) => sample.parseMs));
    const scanMs = median(samples.map((sample) => sample.scanMs));
    lines.push({ options, parseMs, scanMs });
    process.stdout.write(
      `${JSON.stringify({
        roles: options.roles,
        serviceAccounts: options.serviceAccounts,
        pods: options.pods,
        parse_ms: round(parseMs),
        scan_ms: round(scanMs),
        ratio: round(scanMs / parseMs, 2),
        peak_rss_mb: Math.round(peakRssMb()),
        findings: samples[0].findings,
      })}\n`,
    );
    gc();
  }
  const [small, full] = lines;
  const inputRatio = full.options.roles / small.options.roles;
  process.stdout.write(
    `${JSON.stringify({
      scaling: `${round(inputRatio, 1)}x input`,
      scan_time_ratio: round(full.scanMs / small.scanMs, 2),
      parse_time_ratio: round(full.parseMs / small.parseMs, 2),
      total_time_ratio: round((full.parseMs + full.scanMs) / (small.parseMs + small.scanMs), 2),
      target_max: round(inputRatio * 1.1, 1),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
