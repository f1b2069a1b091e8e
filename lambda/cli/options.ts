/** Option groups that several commands share, in the form of `program.ts`: one place each. */
import { COLLECT_FLAGS, COLLECT_FLAGS_HELP } from '../collect/cli-options';
import { CHECKS } from '../core/checks/index';
import { SEVERITIES } from '../core/model';
import { SETTINGS, type Setting } from '../settings/settings';
import type { OptionSpec } from './program';

const SETTING_BY_FLAG: Readonly<Record<string, Setting>> = Object.fromEntries(
  Object.values(SETTINGS as Record<string, Setting>)
    .filter((setting) => setting.flag !== undefined)
    .map((setting) => [setting.flag, setting]),
);

/** The collection module's own help lines (`  --flag ARG   description`), so its wording has one home. */
const COLLECT_HELP: Readonly<Record<string, { arg?: string; description: string }>> = Object.fromEntries(
  COLLECT_FLAGS_HELP.split('\n').flatMap((line) => {
    const match = /^ {2}--([a-z-]+)(?: (\S+))?\s{2,}(.*)$/.exec(line);
    return match ? [[match[1], { arg: match[2], description: match[3] }]] : [];
  }),
);

/** `snapshot`, `run` and `explain --live`: where and how to collect. */
export const COLLECT_OPTIONS: readonly OptionSpec[] = Object.entries(COLLECT_FLAGS).map(([flag, kind]) => {
  const setting = SETTING_BY_FLAG[flag];
  const help = COLLECT_HELP[flag];
  const arg = (help?.arg ?? 'value').toLowerCase().replace(/,.*$/, '');
  return {
    flags: kind.type === 'boolean' ? `--${flag}` : `--${flag} <${arg}>`,
    description: help?.description ?? flag,
    ...(setting?.type === 'list' ? { list: true } : {}),
    ...(setting?.cliEnv ? { env: setting.cliEnv } : flag === 'profile' ? { env: 'AWS_PROFILE' } : {}),
  };
});

const CHECK_IDS = CHECKS.map((check) => check.id);

/**
 * The finding filters of `scan`, `run` and `demo`. One severity means it and worse; a list means
 * exactly those (docs/output.md "Filters").
 */
export const FILTER_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '--severity <severity>',
    description: 'only findings at or above SEVERITY, or exactly the severities of a list (critical,low)',
    list: true,
    choices: SEVERITIES,
  },
  {
    flags: '--check <id>',
    description: 'only findings of these checks (repeatable, or comma-separated)',
    list: true,
    choices: CHECK_IDS,
  },
  {
    flags: '--skip-check <id>',
    description: 'leave out findings of these checks (repeatable, or comma-separated)',
    list: true,
    choices: CHECK_IDS,
  },
];

export const FAIL_ON: OptionSpec = {
  flags: '--fail-on <severity>',
  description: 'exit 1 when a shown finding is at or above SEVERITY (or of a listed severity)',
  list: true,
  choices: SEVERITIES,
};

export const DETAILS: OptionSpec = {
  flags: '--details',
  description: 'each finding in full (message, fix, fingerprint) instead of one line',
};

export function formatOption(formats: readonly string[], fallback: string): OptionSpec {
  return {
    flags: '-f, --format <format>',
    description: `${formats.join(', ')} (default ${fallback})`,
    choices: formats,
  };
}
