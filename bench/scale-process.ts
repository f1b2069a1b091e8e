/**
 * What bench/scale.ts and its child processes (bench/scale-child.ts) share: timing, the quiet logger and
 * metrics, the Lambda-like settings, and the protocol of a child (one JSON document on stdin, one JSON
 * line on stdout). A step whose memory is measured runs in a child of its own, as a Lambda would: the
 * simulated organization, s3rver and dynalite stay in the parent (docs/performance.md "Scale").
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { PlannedRun } from '../lambda/distributed/runtime';

export const LAMBDA_TIMEOUT_MS = 15 * 60_000;
/** AWS calls in flight per child (the collectors' global limit inside one Lambda). */
export const CHILD_CONCURRENCY = 32;
export const ACCOUNT_CONCURRENCY = 4;
/** A child's V8 heap limit: above the 10 GB of the largest Lambda, so it is never what stops a step. */
export const CHILD_HEAP_MB = 10_240;

export interface Timed<T> {
  value: T;
  wallMs: number;
  cpuMs: number;
  /** Waiting scaled back to real time, CPU as measured. */
  modelledMs: number;
}

export async function timed<T>(compression: number, work: () => Promise<T>): Promise<Timed<T>> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = Math.min(wallMs, (used.user + used.system) / 1000);
  return { value, wallMs, cpuMs, modelledMs: (wallMs - cpuMs) * compression + cpuMs };
}

export function quietDeps() {
  const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, appendKeys: () => {} };
  const metrics = { addMetric: () => {}, publishStoredMetrics: () => {} };
  return { logger: silent as never, metrics: metrics as never };
}

/** Where a child finds the parent's loopback servers. */
export interface Endpoints {
  s3: string;
  bucket: string;
  dynamo: string;
  table: string;
}

export interface EvaluateInput {
  mode: 'evaluate';
  endpoints: Endpoints;
  planned: PlannedRun;
  env: Record<string, string>;
}

export interface SingleInput {
  mode: 'single';
  endpoints: Endpoints;
  accounts: number;
  compression: number;
}

export type ChildInput = EvaluateInput | SingleInput;

/** The process's own high-water mark of resident memory, in MB. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Runs bench/scale-child.ts in a fresh Node process and returns the JSON line it prints. */
export function runChild<T>(input: ChildInput): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        `--max-old-space-size=${CHILD_HEAP_MB}`,
        '--import',
        'tsx',
        join(__dirname, 'scale-child.ts'),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`the ${input.mode} child exited with ${code}`));
        return;
      }
      try {
        resolve(JSON.parse(output.trim().split('\n').at(-1) ?? '') as T);
      } catch (error) {
        reject(new Error(`the ${input.mode} child printed no result: ${String(error)}`));
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}
