/**
 * What the three steps of the distributed mode share (docs/architecture.md "Distributed mode"): the
 * configuration (the audit Lambda's, plus the artifact bucket and the run lock lease), the adapters
 * they are built from, and the state passed between the steps.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { ResultsStore, RunLock } from '../app/ports';
import { RunArtifacts } from '../artifacts/run-artifacts';
import type { CollectDeps } from '../collect/collect';
import { type HandlerConfig, loadHandlerConfig } from '../config';
import { type RunOutputDeps, resultsStore } from '../lambda-runtime';

// The entry helpers both modes share (lambda/lambda-runtime.ts), for the steps' imports.
export {
  bundledSuppressions,
  collectOptions,
  createLogger,
  createMetrics,
  type InvocationContext,
  metricsSink,
} from '../lambda-runtime';

import { SettingsReader } from '../settings/read';
import { SETTINGS, type Setting } from '../settings/settings';

export interface DistributedConfig extends HandlerConfig {
  artifactBucket: string;
  /** The plan's lock lease: long enough for the whole execution (the state machine's timeout). */
  runLockTtlSeconds: number;
}

/** What every step needs from outside; everything has a production default (tests inject). */
export interface StepDeps extends RunOutputDeps {
  env?: NodeJS.ProcessEnv;
  store?: ResultsStore;
  artifacts?: RunArtifacts;
  sns?: SNSClient;
  collectDeps?: CollectDeps;
  logger?: Logger;
  metrics?: Metrics;
  clock?: () => Date;
}

/** The plan's output: the state every later step receives (small: the account list stays in S3). */
export interface PlannedRun {
  status: 'planned';
  runId: string;
  startedAt: string;
  lock: RunLock;
  /** Where the account list is (the Distributed Map's ItemReader reads it). */
  bucket: string;
  accountListKey: string;
  accounts: number;
}

export function loadDistributedConfig(env: NodeJS.ProcessEnv): DistributedConfig {
  const base = loadHandlerConfig(env);
  const read = new SettingsReader('environment', (setting: Setting) =>
    setting.env === undefined ? undefined : env[setting.env],
  );
  const config: DistributedConfig = {
    ...base,
    artifactBucket: read.string(SETTINGS.artifactBucket, { required: true }) ?? '',
    runLockTtlSeconds: read.integer(SETTINGS.runLockTtlSeconds) ?? SETTINGS.runLockTtlSeconds.default,
  };
  read.finish();
  return config;
}

export function storeOf(config: DistributedConfig, deps: StepDeps): ResultsStore {
  return resultsStore(config, deps.store);
}

export function artifactsOf(config: DistributedConfig, deps: StepDeps): RunArtifacts {
  return deps.artifacts ?? new RunArtifacts({ client: new S3Client({}), bucket: config.artifactBucket });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^[A-Z][A-Za-z]+$/.test(code) ? code : 'InternalError';
}
