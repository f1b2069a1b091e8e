/**
 * The audit Lambda's configuration, from environment variables (set by infra/), validated up front
 * with one clear message per problem. The variables, defaults and rules are those of the settings
 * table (lambda/settings/settings.ts). Pure: takes the environment as a parameter.
 */

import type { NotifyMode } from './app/notify-mode';
import { SettingsReader } from './settings/read';
import { SETTINGS, type Setting } from './settings/settings';

export { ConfigError } from './settings/read';

export interface HandlerConfig {
  tableName: string;
  topicArn?: string;
  /** The member role's name, after its IAM path if it has one. */
  memberRoleName: string;
  externalId?: string;
  regions?: string[];
  accounts?: string[];
  excludeAccounts?: string[];
  ous?: string[];
  concurrency?: number;
  accountConcurrency?: number;
  /** Seconds kept free before the Lambda timeout to store and notify after the deadline. */
  deadlineMarginSeconds: number;
  notifyMode: NotifyMode;
  historyRetentionDays: number;
  /** The suppressions file bundled with the function, relative to the function's directory. */
  suppressionsFile?: string;
  /** Import findings into Security Hub (docs/deployment.md §14). */
  securityHub: boolean;
  /** The bucket each run's HTML report goes to; absent: no report. */
  reportBucket?: string;
  reportPrefix: string;
  checksDocUrl?: string;
}

export function loadHandlerConfig(env: NodeJS.ProcessEnv): HandlerConfig {
  const read = new SettingsReader('environment', (setting: Setting) =>
    setting.env === undefined ? undefined : env[setting.env],
  );
  const regionsText = env[SETTINGS.regions.env]?.trim();
  const config: HandlerConfig = {
    tableName: read.string(SETTINGS.resultsTable, { required: true }) ?? '',
    topicArn: read.string(SETTINGS.topicArn),
    memberRoleName: read.string(SETTINGS.memberRoleName) ?? SETTINGS.memberRoleName.default,
    externalId: read.string(SETTINGS.externalId),
    // `all`: every enabled region, as when unset.
    regions: regionsText === 'all' ? undefined : read.list(SETTINGS.regions),
    accounts: read.list(SETTINGS.accounts),
    excludeAccounts: read.list(SETTINGS.excludeAccounts),
    ous: read.list(SETTINGS.ous),
    // Unset: the collection options' defaults (the same table) apply.
    concurrency: read.integer(SETTINGS.concurrency),
    accountConcurrency: read.integer(SETTINGS.accountConcurrency),
    deadlineMarginSeconds:
      read.integer(SETTINGS.deadlineMarginSeconds) ?? SETTINGS.deadlineMarginSeconds.default,
    notifyMode: read.oneOf(SETTINGS.notifyMode) ?? SETTINGS.notifyMode.default,
    historyRetentionDays:
      read.integer(SETTINGS.historyRetentionDays) ?? SETTINGS.historyRetentionDays.default,
    suppressionsFile: read.string(SETTINGS.suppressionsFile),
    securityHub: read.boolean(SETTINGS.securityHub) ?? SETTINGS.securityHub.default,
    reportBucket: read.string(SETTINGS.reportBucket),
    reportPrefix: read.string(SETTINGS.reportPrefix) ?? SETTINGS.reportPrefix.default,
    checksDocUrl: read.string(SETTINGS.checksDocUrl),
  };
  if (config.reportBucket === 'create') {
    read.problem(
      `${SETTINGS.reportBucket.env}: expected a bucket name (\`create\` is for the CDK context only)`,
    );
  }
  read.finish();
  return config;
}
