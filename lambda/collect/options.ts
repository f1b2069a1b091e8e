import { REGION_RE } from '../core/aws-ids';
import { ConfigError, show } from '../settings/read';
import { DEFAULT_MEMBER_ROLE_NAME, type ListSetting, SETTINGS } from '../settings/settings';

export { DEFAULT_MEMBER_ROLE_NAME };

export interface KubernetesOptions {
  /** Read ServiceAccounts and Pods through each cluster's API. */
  enabled: boolean;
  /** `limit` of each list page. */
  pageSize: number;
  /** Whole-cluster budget (both lists, every page, restarts): past it the cluster is unreachable. */
  clusterTimeoutMs: number;
  /** One HTTP request. */
  requestTimeoutMs: number;
  /** Restarts of a list after `410 Gone` (expired continue token) before giving up. */
  maxListRestarts: number;
  /** Clusters read at once across the run. */
  concurrency: number;
}

export interface CollectOptions {
  /** Names the run in STS session names (`irsa-auditor-<runId>`), so CloudTrail shows who called. */
  runId: string;
  /** Only these accounts (12-digit ids); combined with `ous` as a union. */
  accounts?: string[];
  excludeAccounts?: string[];
  /** Only accounts under these OUs or roots, recursively. */
  ous?: string[];
  excludeOus?: string[];
  /** Regions to scan; default: every region enabled for each account. */
  regions?: string[];
  /** Member role assumed in each account (`arn:<partition>:iam::<account>:role/<roleName>`), after its path if it has one. */
  roleName: string;
  externalId?: string;
  /**
   * Assume the member role in the caller's own account too. Off: that account is read with the
   * caller's credentials (the CLI's default); the Lambda turns it on, because its function role may
   * only assume the member role (docs/deployment.md).
   */
  assumeRoleInOwnAccount: boolean;
  /** Named profile for the caller's credentials (CLI). */
  profile?: string;
  /** Region of the caller's STS endpoint; default AWS_REGION, else us-east-1. */
  homeRegion: string;
  /** AWS calls in flight across the run. */
  concurrency: number;
  /** AWS calls in flight per account (the per-account API rate limits are the tight ones). */
  accountConcurrency: number;
  /** Accounts started at once; enough to keep `concurrency` busy while accounts wait on their chains. */
  accountsInFlight: number;
  /** SDK attempts per call (adaptive retry mode). */
  maxAttempts: number;
  /** Extra rounds after the SDK gave up on throttling or a transient fault (a throttling storm). */
  stormRetries: number;
  /** First back-off of those rounds; doubles each round, with jitter. */
  stormBackoffMs: number;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  /** Epoch ms after which no account is started; the rest are recorded `NotScanned`. */
  deadline?: number;
  /** AssumeRole session length; role chaining caps it at one hour. */
  sessionDurationSeconds: number;
  /** Assumed credentials are renewed this long before they expire. */
  credentialRefreshMarginMs: number;
  kubernetes: KubernetesOptions;
}

export type CollectOptionsInput = Partial<Omit<CollectOptions, 'kubernetes'>> & {
  kubernetes?: Partial<KubernetesOptions>;
};

const RUN_ID_RE = /^[\w+=,.@-]{1,50}$/;

/**
 * Fills defaults and validates. The options that are settings (lambda/settings) follow the settings
 * table's defaults and rules; a problem is a ConfigError naming the option.
 */
export function resolveCollectOptions(
  input: CollectOptionsInput,
  env: NodeJS.ProcessEnv = {},
): CollectOptions {
  const concurrency = positiveInt(
    'concurrency',
    input.concurrency ?? SETTINGS.concurrency.default,
    SETTINGS.concurrency.max,
  );
  const accountConcurrency = positiveInt(
    'accountConcurrency',
    input.accountConcurrency ?? SETTINGS.accountConcurrency.default,
    SETTINGS.accountConcurrency.max,
  );
  const options: CollectOptions = {
    runId: input.runId ?? 'run',
    roleName: input.roleName ?? DEFAULT_MEMBER_ROLE_NAME,
    assumeRoleInOwnAccount: input.assumeRoleInOwnAccount ?? SETTINGS.assumeRoleInOwnAccount.default,
    homeRegion: input.homeRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    concurrency,
    accountConcurrency,
    // Twice the accounts needed to fill the global pool: accounts spend part of their time on
    // sequential chains (AssumeRole → ListClusters → DescribeCluster) with fewer calls ready.
    accountsInFlight: positiveInt(
      'accountsInFlight',
      input.accountsInFlight ?? Math.max(1, Math.ceil((2 * concurrency) / accountConcurrency)),
      4096,
    ),
    maxAttempts: positiveInt('maxAttempts', input.maxAttempts ?? 6, 20),
    stormRetries: nonNegativeInt('stormRetries', input.stormRetries ?? 3, 10),
    stormBackoffMs: nonNegativeInt('stormBackoffMs', input.stormBackoffMs ?? 2000, 600_000),
    requestTimeoutMs: positiveInt('requestTimeoutMs', input.requestTimeoutMs ?? 30_000, 600_000),
    connectionTimeoutMs: positiveInt('connectionTimeoutMs', input.connectionTimeoutMs ?? 5_000, 600_000),
    sessionDurationSeconds: positiveInt(
      'sessionDurationSeconds',
      input.sessionDurationSeconds ?? 3600,
      43_200,
    ),
    credentialRefreshMarginMs: nonNegativeInt(
      'credentialRefreshMarginMs',
      input.credentialRefreshMarginMs ?? 5 * 60_000,
      30 * 60_000,
    ),
    kubernetes: {
      enabled: input.kubernetes?.enabled ?? true,
      pageSize: positiveInt('kubernetes.pageSize', input.kubernetes?.pageSize ?? 500, 10_000),
      clusterTimeoutMs: positiveInt(
        'kubernetes.clusterTimeoutMs',
        input.kubernetes?.clusterTimeoutMs ?? 120_000,
        840_000,
      ),
      requestTimeoutMs: positiveInt(
        'kubernetes.requestTimeoutMs',
        input.kubernetes?.requestTimeoutMs ?? 20_000,
        600_000,
      ),
      maxListRestarts: nonNegativeInt(
        'kubernetes.maxListRestarts',
        input.kubernetes?.maxListRestarts ?? 3,
        20,
      ),
      concurrency: positiveInt('kubernetes.concurrency', input.kubernetes?.concurrency ?? 8, 256),
    },
  };
  if (!RUN_ID_RE.test(options.runId)) {
    throw invalid(`runId ${show(options.runId)} must be 1-50 characters of [A-Za-z0-9_+=,.@-]`);
  }
  const roleNameExpected = SETTINGS.memberRoleName.validate(options.roleName);
  if (roleNameExpected) throw invalid(`roleName ${show(options.roleName)} is not ${roleNameExpected}`);
  if (input.externalId !== undefined) {
    // Not echoed: the external id is a shared secret of the member role's trust policy.
    const expected = SETTINGS.externalId.validate(input.externalId);
    if (expected) throw invalid(`externalId is not ${expected}`);
    options.externalId = input.externalId;
  }
  if (!REGION_RE.test(options.homeRegion))
    throw invalid(
      `the caller's region ${show(options.homeRegion)} (homeRegion, else AWS_REGION or AWS_DEFAULT_REGION) is not an AWS region code`,
    );
  if (input.accounts) options.accounts = validList('accounts', input.accounts, SETTINGS.accounts);
  if (input.excludeAccounts)
    options.excludeAccounts = validList('excludeAccounts', input.excludeAccounts, SETTINGS.excludeAccounts);
  if (input.ous) options.ous = validList('ous', input.ous, SETTINGS.ous);
  if (input.excludeOus) options.excludeOus = validList('excludeOus', input.excludeOus, SETTINGS.excludeOus);
  if (input.regions) options.regions = validList('regions', input.regions, SETTINGS.regions);
  if (input.profile !== undefined) options.profile = input.profile;
  if (input.deadline !== undefined) {
    if (!Number.isFinite(input.deadline)) throw invalid('deadline must be a time in epoch ms');
    options.deadline = input.deadline;
  }
  return options;
}

function invalid(problem: string): ConfigError {
  return new ConfigError([problem], 'options');
}

function validList(name: string, values: readonly string[], setting: ListSetting): string[] {
  const cleaned = [...new Set(values.map((value) => value.trim()).filter((value) => value.length > 0))];
  for (const value of cleaned) {
    const expected = setting.validateItem(value);
    if (expected) throw invalid(`${name}: ${show(value)} is not ${expected}`);
  }
  if (cleaned.length === 0) throw invalid(`${name}: the list is empty`);
  return cleaned;
}

function positiveInt(name: string, value: number, max: number): number {
  return intInRange(name, value, 1, max);
}

function nonNegativeInt(name: string, value: number, max: number): number {
  return intInRange(name, value, 0, max);
}

function intInRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
