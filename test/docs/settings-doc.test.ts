import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../infra/config';
import { resolveCollectOptions } from '../../lambda/collect/options';
import { loadHandlerConfig } from '../../lambda/config';
import { renderSettingsDoc, withSettingsDoc } from '../../lambda/settings/doc';
import { CONTEXT_KEYS, ENV, SETTINGS } from '../../lambda/settings/settings';

const DEPLOYMENT_MD = join(__dirname, '..', '..', 'docs', 'deployment.md');

describe('the settings tables of docs/deployment.md', () => {
  it('are generated from the settings table (run `npm run docs:settings` when this fails)', () => {
    const committed = readFileSync(DEPLOYMENT_MD, 'utf8');

    expect(committed).toContain(renderSettingsDoc());
    expect(withSettingsDoc(committed)).toBe(committed);
  });

  it('name every CDK context key and every variable of the function', () => {
    const generated = renderSettingsDoc();

    for (const key of CONTEXT_KEYS) expect(generated).toContain(`| \`${key}\``);
    for (const name of Object.values(ENV)) expect(generated).toContain(`\`${name}\``);
  });
});

describe('the defaults of the settings table', () => {
  it('are the ones the CDK app, the Lambda and the collection options apply', () => {
    const cdk = parseConfig({});
    const lambda = loadHandlerConfig({ [ENV.table]: 'results' });
    const collect = resolveCollectOptions({});

    expect(cdk).toMatchObject({
      schedule: SETTINGS.schedule.default,
      memberRoleName: SETTINGS.memberRoleName.default,
      notifyMode: SETTINGS.notifyMode.default,
      historyRetentionDays: SETTINGS.historyRetentionDays.default,
      deadlineMarginSeconds: SETTINGS.deadlineMarginSeconds.default,
      metricsNamespace: SETTINGS.metricsNamespace.default,
    });
    expect(lambda).toMatchObject({
      memberRoleName: SETTINGS.memberRoleName.default,
      notifyMode: SETTINGS.notifyMode.default,
      historyRetentionDays: SETTINGS.historyRetentionDays.default,
      deadlineMarginSeconds: SETTINGS.deadlineMarginSeconds.default,
    });
    expect(collect).toMatchObject({
      roleName: SETTINGS.memberRoleName.default,
      concurrency: SETTINGS.concurrency.default,
      accountConcurrency: SETTINGS.accountConcurrency.default,
    });
  });
});
