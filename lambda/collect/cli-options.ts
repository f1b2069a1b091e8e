import { CollectOptionsError } from './errors';
import { type CollectOptions, type CollectOptionsInput, resolveCollectOptions } from './options';

/**
 * The collection flags shared by `snapshot`, `run` and `explain --live`, in `node:util` `parseArgs`
 * form so the CLI can spread them into its own option table.
 */
export const COLLECT_FLAGS = {
  accounts: { type: 'string' },
  'exclude-accounts': { type: 'string' },
  ous: { type: 'string' },
  'exclude-ous': { type: 'string' },
  regions: { type: 'string' },
  'role-name': { type: 'string' },
  'external-id': { type: 'string' },
  concurrency: { type: 'string' },
  profile: { type: 'string' },
  'skip-kubernetes': { type: 'boolean' },
} as const;

export const COLLECT_FLAGS_HELP = `Collection (live AWS):
  --accounts ID,ID          only these accounts (default: every ACTIVE account of the organization)
  --exclude-accounts ID,ID  skip these accounts
  --ous OU,OU               only accounts under these OUs or roots, recursively (union with --accounts)
  --exclude-ous OU,OU       skip accounts under these OUs
  --regions R,R             only these regions (default: every region enabled in each account)
  --role-name NAME          member role to assume in each account (default IrsaAuditorMemberRole)
  --external-id ID          external id the member role's trust policy requires
  --concurrency N           AWS calls in flight across the run (default 32; 4 per account)
  --profile NAME            AWS profile for the caller's credentials
  --skip-kubernetes         do not read ServiceAccounts and Pods through the cluster APIs`;

export type FlagValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/**
 * Flags → validated collection options. Lists are comma- or space-separated and may be repeated.
 * Every problem is a `CollectOptionsError` naming the flag (the CLI prints it and exits 2).
 */
export function collectOptionsFromFlags(
  values: FlagValues,
  context: { env?: NodeJS.ProcessEnv; now?: () => number; runId?: string } = {},
): CollectOptions {
  const input: CollectOptionsInput = {
    runId: context.runId ?? newRunId((context.now ?? Date.now)()),
  };
  const accounts = list(values, 'accounts');
  if (accounts) input.accounts = accounts;
  const excludeAccounts = list(values, 'exclude-accounts');
  if (excludeAccounts) input.excludeAccounts = excludeAccounts;
  const ous = list(values, 'ous');
  if (ous) input.ous = ous;
  const excludeOus = list(values, 'exclude-ous');
  if (excludeOus) input.excludeOus = excludeOus;
  const regions = list(values, 'regions');
  if (regions) input.regions = regions;
  const roleName = single(values, 'role-name');
  if (roleName !== undefined) input.roleName = roleName;
  const externalId = single(values, 'external-id');
  if (externalId !== undefined) input.externalId = externalId;
  const profile = single(values, 'profile');
  if (profile !== undefined) {
    if (profile.trim() === '') throw new CollectOptionsError('--profile needs a profile name');
    input.profile = profile;
  }
  const concurrency = single(values, 'concurrency');
  if (concurrency !== undefined) {
    if (!/^\d+$/.test(concurrency.trim()))
      throw new CollectOptionsError(`--concurrency must be a whole number, got "${concurrency}"`);
    input.concurrency = Number(concurrency.trim());
    input.accountConcurrency = Math.min(4, input.concurrency);
  }
  if (values['skip-kubernetes'] === true) input.kubernetes = { enabled: false };
  try {
    return resolveCollectOptions(input, context.env ?? process.env);
  } catch (error) {
    if (error instanceof CollectOptionsError) throw new CollectOptionsError(flagged(error.message));
    throw error;
  }
}

/** `20261129T030000Z`: sortable, and valid in an STS session name. */
export function newRunId(now: number): string {
  return new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

function list(values: FlagValues, flag: string): string[] | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((value) => {
    if (typeof value !== 'string') throw new CollectOptionsError(`--${flag} needs a value`);
    return value.split(/[\s,]+/);
  });
  const cleaned = parts.filter((part) => part.length > 0);
  if (cleaned.length === 0) throw new CollectOptionsError(`--${flag} needs at least one value`);
  return cleaned;
}

function single(values: FlagValues, flag: string): string | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (typeof value !== 'string') throw new CollectOptionsError(`--${flag} needs a value`);
  return value;
}

/** Option names in messages become the flag the user typed. */
function flagged(message: string): string {
  return message
    .replace(/^account "/, '--accounts: "')
    .replace(/^excluded account "/, '--exclude-accounts: "')
    .replace(/^OU "/, '--ous: "')
    .replace(/^excluded OU "/, '--exclude-ous: "')
    .replace(/^region "/, '--regions: "')
    .replace(/^role name "/, '--role-name: "')
    .replace(/^external id /, '--external-id: ')
    .replace(/^concurrency /, '--concurrency ');
}
