/**
 * The settings tables of docs/deployment.md §2, generated from the settings table (`npm run
 * docs:settings`); test/docs/settings-doc.test.ts fails when the committed document differs.
 */
import { defaultText, SETTING_NAMES, SETTINGS, type Setting, type SettingGroup } from './settings';

const SETTINGS_DOC_BEGIN =
  '<!-- settings: generated from lambda/settings/settings.ts by `npm run docs:settings`; a test fails when this part is stale -->';
const SETTINGS_DOC_END = '<!-- settings: end -->';

const GROUPS: readonly SettingGroup[] = [
  'Schedule and scope',
  'Notifications and results',
  'Member role',
  'Function',
];

const code = (text: string | undefined) => (text === undefined ? '' : `\`${text}\``);

function meaning(setting: Setting): string {
  if (setting.type === 'integer' && !setting.allowed) return `${setting.doc} (${setting.min}–${setting.max})`;
  return setting.doc;
}

function defaultCell(setting: Setting): string {
  if (setting.defaultDoc !== undefined) return setting.defaultDoc;
  const text = defaultText(setting);
  return text === undefined ? 'none' : code(text);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** The generated part: one table per group of context keys, then the variables the stack sets itself. */
export function renderSettingsDoc(): string {
  const settings: Setting[] = SETTING_NAMES.map((name) => SETTINGS[name]);
  const parts = GROUPS.map((group) => {
    const rows = settings
      .filter((setting) => setting.group === group && setting.context)
      .map((setting) => [
        code(setting.context),
        defaultCell(setting),
        code(setting.env),
        setting.flag ? code(`--${setting.flag}`) : '',
        meaning(setting),
      ]);
    return `**${group}**\n\n${table(['key', 'default', 'Lambda variable', 'CLI flag', 'meaning'], rows)}`;
  });
  const stackSet = settings
    .filter((setting) => setting.env && !setting.context)
    .map((setting) => [code(setting.env), setting.flag ? code(`--${setting.flag}`) : '', setting.doc]);
  parts.push(
    `**Set by the stack from its own resources**\n\n${table(['Lambda variable', 'CLI flag', 'meaning'], stackSet)}`,
  );
  return `${SETTINGS_DOC_BEGIN}\n\n${parts.join('\n\n')}\n\n${SETTINGS_DOC_END}`;
}

/** The document with its generated part replaced by the current one. */
export function withSettingsDoc(document: string): string {
  const begin = document.indexOf(SETTINGS_DOC_BEGIN);
  const end = document.indexOf(SETTINGS_DOC_END);
  if (begin < 0 || end < begin) throw new Error('docs/deployment.md has no generated settings part');
  return document.slice(0, begin) + renderSettingsDoc() + document.slice(end + SETTINGS_DOC_END.length);
}
