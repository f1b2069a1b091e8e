import { SettingsReader } from '../settings/read';
import { SETTINGS, type Setting } from '../settings/settings';
import { type CollectOptions, type CollectOptionsInput, resolveCollectOptions } from './options';

/** The settings of the settings table (lambda/settings) that the collection flags carry, in help order. */
const FLAG_SETTINGS = [
  SETTINGS.accounts,
  SETTINGS.excludeAccounts,
  SETTINGS.ous,
  SETTINGS.excludeOus,
  SETTINGS.regions,
  SETTINGS.memberRoleName,
  SETTINGS.externalId,
  SETTINGS.concurrency,
  SETTINGS.profile,
] as const;

/**
 * The collection flags shared by `snapshot`, `run` and `explain --live`, in `node:util` `parseArgs`
 * form so the CLI can spread them into its own option table.
 */
export const COLLECT_FLAGS: Readonly<Record<string, { type: 'string' } | { type: 'boolean' }>> = {
  ...Object.fromEntries(FLAG_SETTINGS.map((setting) => [setting.flag, { type: 'string' } as const])),
  'skip-kubernetes': { type: 'boolean' },
  [SETTINGS.assumeRoleInOwnAccount.flag]: { type: 'boolean' },
};

export const COLLECT_FLAGS_HELP = `Collection (live AWS):
  --accounts ID,ID          only these accounts (default: every ACTIVE account of the organization)
  --exclude-accounts ID,ID  skip these accounts
  --ous OU,OU               only accounts under these OUs or roots, recursively (union with --accounts)
  --exclude-ous OU,OU       skip accounts under these OUs
  --regions R,R             only these regions (default: every region enabled in each account)
  --role-name NAME          member role to assume in each account, after its path if it has one (default ${SETTINGS.memberRoleName.default})
  --external-id ID          external id the member role's trust policy requires
  --assume-in-own-account   assume the member role in the caller's own account too, as the audit Lambda
                            does (default: read that account with the caller's credentials)
  --concurrency N           AWS calls in flight across the run (default ${SETTINGS.concurrency.default}; ${SETTINGS.accountConcurrency.default} per account)
  --profile NAME            AWS profile for the caller's credentials
  --skip-kubernetes         do not read ServiceAccounts and Pods through the cluster APIs`;

export type FlagValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/**
 * Flags → validated collection options. Lists are comma- or space-separated and may be repeated.
 * Values follow the settings table's rules; every problem is listed in one ConfigError naming the
 * flag (the CLI prints it and exits 2).
 */
export function collectOptionsFromFlags(
  values: FlagValues,
  context: { env?: NodeJS.ProcessEnv; now?: () => number; runId?: string } = {},
): CollectOptions {
  const read = new SettingsReader('flags', (setting: Setting) => {
    if (setting.flag === undefined) return undefined;
    const value = values[setting.flag];
    // A repeated list flag adds to the list.
    return Array.isArray(value) && setting.type === 'list' ? value.join(',') : value;
  });
  const input: CollectOptionsInput = {
    runId: context.runId ?? newRunId((context.now ?? Date.now)()),
  };
  const accounts = read.list(SETTINGS.accounts);
  if (accounts) input.accounts = accounts;
  const excludeAccounts = read.list(SETTINGS.excludeAccounts);
  if (excludeAccounts) input.excludeAccounts = excludeAccounts;
  const ous = read.list(SETTINGS.ous);
  if (ous) input.ous = ous;
  const excludeOus = read.list(SETTINGS.excludeOus);
  if (excludeOus) input.excludeOus = excludeOus;
  const regions = read.list(SETTINGS.regions);
  if (regions) input.regions = regions;
  const roleName = read.string(SETTINGS.memberRoleName);
  if (roleName !== undefined) input.roleName = roleName;
  const externalId = read.string(SETTINGS.externalId);
  if (externalId !== undefined) input.externalId = externalId;
  const profile = read.string(SETTINGS.profile);
  if (profile !== undefined) input.profile = profile;
  const concurrency = read.integer(SETTINGS.concurrency);
  if (concurrency !== undefined) {
    input.concurrency = concurrency;
    input.accountConcurrency = Math.min(SETTINGS.accountConcurrency.default, concurrency);
  }
  if (values['skip-kubernetes'] === true) input.kubernetes = { enabled: false };
  if (values[SETTINGS.assumeRoleInOwnAccount.flag] === true) input.assumeRoleInOwnAccount = true;
  read.finish();
  return resolveCollectOptions(input, context.env ?? process.env);
}

/** `20261129T030000Z`: sortable, and valid in an STS session name. */
export function newRunId(now: number): string {
  return new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}
