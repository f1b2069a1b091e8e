import {
  ACCOUNT_ID_RE as ACCOUNT_RE,
  EXTERNAL_ID_RE,
  OU_OR_ROOT_RE as OU_RE,
  REGION_RE,
  ROLE_NAME_WITH_PATH_RE as ROLE_NAME_RE,
} from '../core/aws-ids';
import { CollectOptionsError } from './errors';

/** Role the member-account StackSet creates (SPEC §7); `--role-name` overrides it. */
export const DEFAULT_MEMBER_ROLE_NAME = 'IrsaAuditorMemberRole';

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
  /** Member role assumed in each account (`arn:<partition>:iam::<account>:role/<roleName>`); may carry a path. */
  roleName: string;
  externalId?: string;
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

/** Fills defaults and validates; every problem is a `CollectOptionsError` naming the setting. */
export function resolveCollectOptions(
  input: CollectOptionsInput,
  env: NodeJS.ProcessEnv = {},
): CollectOptions {
  const concurrency = positiveInt('concurrency', input.concurrency ?? 32, 1024);
  const accountConcurrency = positiveInt('accountConcurrency', input.accountConcurrency ?? 4, 64);
  const options: CollectOptions = {
    runId: input.runId ?? 'run',
    roleName: input.roleName ?? DEFAULT_MEMBER_ROLE_NAME,
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
    throw new CollectOptionsError(`runId "${options.runId}" must be 1-50 characters of [A-Za-z0-9_+=,.@-]`);
  }
  if (!ROLE_NAME_RE.test(options.roleName)) {
    throw new CollectOptionsError(
      `role name "${options.roleName}" is not an IAM role name (optionally with a path, e.g. audit/IrsaAuditor)`,
    );
  }
  if (input.externalId !== undefined) {
    if (!EXTERNAL_ID_RE.test(input.externalId)) {
      throw new CollectOptionsError('external id must be 2-1224 characters of [A-Za-z0-9_+=,.@:/-]');
    }
    options.externalId = input.externalId;
  }
  if (!REGION_RE.test(options.homeRegion))
    throw new CollectOptionsError(`"${options.homeRegion}" is not a region`);
  if (input.accounts)
    options.accounts = validList('account', input.accounts, ACCOUNT_RE, 'a 12-digit account id');
  if (input.excludeAccounts) {
    options.excludeAccounts = validList(
      'excluded account',
      input.excludeAccounts,
      ACCOUNT_RE,
      'a 12-digit account id',
    );
  }
  if (input.ous)
    options.ous = validList('OU', input.ous, OU_RE, 'an OU id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)');
  if (input.excludeOus) {
    options.excludeOus = validList(
      'excluded OU',
      input.excludeOus,
      OU_RE,
      'an OU id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)',
    );
  }
  if (input.regions)
    options.regions = validList('region', input.regions, REGION_RE, 'a region name (e.g. eu-west-1)');
  if (input.profile !== undefined) options.profile = input.profile;
  if (input.deadline !== undefined) {
    if (!Number.isFinite(input.deadline))
      throw new CollectOptionsError('deadline must be a time in epoch ms');
    options.deadline = input.deadline;
  }
  return options;
}

function validList(label: string, values: readonly string[], pattern: RegExp, expected: string): string[] {
  const cleaned = [...new Set(values.map((value) => value.trim()).filter((value) => value.length > 0))];
  for (const value of cleaned) {
    if (!pattern.test(value)) throw new CollectOptionsError(`${label} "${value}" is not ${expected}`);
  }
  if (cleaned.length === 0) throw new CollectOptionsError(`the ${label} list is empty`);
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
    throw new CollectOptionsError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
