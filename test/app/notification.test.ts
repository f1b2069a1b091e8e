import {
  buildNotification,
  type ChatbotNotification,
  publishBytes,
  publishDecision,
  SNS_MAX_BYTES,
  sanitizeSubject,
} from '../../lambda/app/notification';
import type { Finding } from '../../lambda/core/findings';
import { finding, PROD, roleArn } from '../drift/fixtures';
import { critical, drift, high, manyFindings, resolvedLow, runRecord } from '../notify/fixtures';

const parse = (message: string) => {
  const structure = JSON.parse(message) as Record<string, string>;
  return {
    keys: Object.keys(structure).sort(),
    chatbot: JSON.parse(structure.default) as ChatbotNotification,
    email: structure.email,
  };
};

describe('modes', () => {
  const empty = drift();
  const onlyResolved = drift({ resolved: [resolvedLow] });
  const withNew = drift({ new: [critical] });

  it.each([
    ['changes', empty, false],
    ['changes', onlyResolved, true],
    ['changes', withNew, true],
    ['new-only', onlyResolved, false],
    ['new-only', withNew, true],
    ['always', empty, true],
  ] as const)('%s mode publishes: %#', (mode, input, publishes) => {
    expect(publishDecision(input, mode).publish).toBe(publishes);
    expect(buildNotification(input, runRecord(), { mode }) !== undefined).toBe(publishes);
  });

  it('defaults to changes: a night without drift sends nothing', () => {
    expect(buildNotification(drift(), runRecord())).toBeUndefined();
    expect(publishDecision(drift(), 'changes').reason).toMatch(/no drift/);
  });

  it('always mode says there were no changes', () => {
    const message = buildNotification(drift(), runRecord(), { mode: 'always' });
    expect(message?.subject).toBe('IRSA audit: no changes, 15 open');
    expect(message?.attributes.newCount).toEqual({ DataType: 'Number', StringValue: '0' });
  });

  it('new-only lists new findings and only counts the resolved ones', () => {
    const message = buildNotification(drift({ new: [high], resolved: [resolvedLow] }), runRecord(), {
      mode: 'new-only',
    });
    expect(message?.email).toContain('sa.role-untrusted');
    expect(message?.email).not.toContain('trust.aud-missing:');
    expect(message?.email).toContain('1 resolved finding(s) not listed (notification mode new-only)');
  });
});

describe('message structure', () => {
  const run = runRecord({
    drift: { new: 2, resolved: 1, open: 16, unverified: 0, outOfScope: 0 },
    openBySeverity: { critical: 1, high: 6, medium: 2, low: 7, info: 0 },
  });
  const message = buildNotification(drift({ new: [high, critical], resolved: [resolvedLow] }), run);
  if (!message) throw new Error('expected a message');
  const { keys, chatbot, email } = parse(message.message);

  it('is an SNS json structure with exactly a default (Chatbot) and an email entry', () => {
    expect(message.messageStructure).toBe('json');
    expect(keys).toEqual(['default', 'email']);
    expect(chatbot).toEqual(message.chatbot);
    expect(email).toBe(message.email);
  });

  it('both parts say which run they report (a late delivery or a duplicate is recognizable)', () => {
    expect(chatbot.content.description.split('\n')[1]).toBe(`_Run ${run.runId}, started ${run.startedAt}_`);
    expect(email).toContain(`Run ${run.runId}, started ${run.startedAt}`);
    expect(message.attributes.runId).toEqual({ DataType: 'String', StringValue: run.runId });
  });

  it('default is an AWS Chatbot custom notification', () => {
    expect(chatbot).toEqual({
      version: '1.0',
      source: 'custom',
      id: run.runId,
      content: {
        textType: 'client-markdown',
        title: ':rotating_light: IRSA audit: 2 new (worst: critical), 1 resolved',
        description: expect.stringContaining('*2 new* (critical 1, high 1) · *1 resolved* (low 1) · 16 open'),
        nextSteps: [
          '`irsa-audit findings --status open --severity critical`',
          '`irsa-audit findings --status open`',
          '`irsa-audit findings --status resolved`',
        ],
        keywords: ['IRSA', 'critical', 'trust.sub-unrestricted', 'sa.role-untrusted', 'trust.aud-missing'],
      },
      metadata: {
        threadId: 'irsa-audit',
        summary: 'IRSA audit: 2 new (worst: critical), 1 resolved',
        eventType: 'IrsaAuditDrift',
        additionalContext: {
          runId: run.runId,
          newCount: '2',
          resolvedCount: '1',
          openCount: '16',
          maxSeverity: 'critical',
        },
      },
    });
    // Worst first.
    const description = chatbot.content.description;
    expect(description.indexOf('trust.sub-unrestricted')).toBeLessThan(
      description.indexOf('sa.role-untrusted'),
    );
  });

  it('email is readable plain text with counts, each finding, and the commands to see more', () => {
    expect(email).toContain('New findings:      2 (critical 1, high 1)');
    expect(email).toContain('Resolved findings: 1 (low 1)');
    expect(email).toContain('Open after this run: 16 (critical 1, high 6, medium 2, low 7)');
    expect(email).toContain(`[CRITICAL] trust.sub-unrestricted: trust.sub-unrestricted title`);
    expect(email).toContain(`Fingerprint: ${critical.fingerprint}`);
    expect(email).toContain('account 111122223333 · cluster prod (us-west-2) · sa apps/web');
    expect(email).toContain('irsa-audit findings --status open --severity critical');
    expect(email).toContain('irsa-audit history <fingerprint>');
    expect(email).not.toMatch(/[*`]{2}/);
  });

  it('carries filterable attributes: max severity of the new findings and the counts', () => {
    expect(message.attributes).toEqual({
      maxSeverity: { DataType: 'String', StringValue: 'critical' },
      maxSeverityRank: { DataType: 'Number', StringValue: '4' },
      maxResolvedSeverity: { DataType: 'String', StringValue: 'low' },
      newCount: { DataType: 'Number', StringValue: '2' },
      resolvedCount: { DataType: 'Number', StringValue: '1' },
      openCount: { DataType: 'Number', StringValue: '16' },
      runId: { DataType: 'String', StringValue: run.runId },
    });
  });

  it('says what it could not see', () => {
    const partial = runRecord({
      audited: { ...runRecord().audited!, accountsFailed: 1, clustersUnreachable: 2 },
    });
    const withGaps = buildNotification(drift({ new: [high] }), partial);
    expect(withGaps?.email).toContain('Coverage: 1 account(s) not scanned, 2 cluster API(s) not readable');
    expect(withGaps?.chatbot.content.description).toContain(':warning: Coverage');
  });

  it('points each coverage gap to the command that lists it, with the table', () => {
    const partial = runRecord({
      audited: { ...runRecord().audited!, accountsFailed: 1, regionsFailed: 2, clustersUnreachable: 3 },
    });
    const message = buildNotification(drift({ new: [high] }), partial, {
      commandSuffix: ' --table audit-results',
    });
    const coverageLines = (message?.email ?? '')
      .split('\n')
      .filter((line) => line.startsWith('  irsa-audit'));

    expect(coverageLines.slice(0, 4)).toEqual([
      '  irsa-audit findings --check scan.account-unreachable --table audit-results',
      '  irsa-audit findings --check scan.region-failed --table audit-results',
      '  irsa-audit findings --check scan.cluster-unreachable --table audit-results',
      '  irsa-audit access --table audit-results',
    ]);
    expect(message?.chatbot.content.description).toContain(
      '`irsa-audit findings --check scan.cluster-unreachable --table audit-results` · `irsa-audit access --table audit-results`',
    );

    const onlyClusters = buildNotification(
      drift({ new: [high] }),
      runRecord({ audited: { ...runRecord().audited!, clustersUnreachable: 1 } }),
      { commandSuffix: ' --table audit-results' },
    );
    expect(onlyClusters?.email).not.toContain('scan.account-unreachable');
    expect(onlyClusters?.email).toContain(
      'irsa-audit findings --check scan.cluster-unreachable --table audit-results',
    );
  });
});

describe('untrusted text', () => {
  const PHISH = '<!here> <https://evil.example/sso|Re-login>';
  const hostile = finding(
    'sa.role-untrusted',
    {
      accountId: PROD,
      region: 'us-west-2',
      cluster: 'prod`*bold*`',
      namespace: 'apps`',
      serviceAccount: '`web',
      roleArn: roleArn(PROD, 'web\u202Etxt.exe'),
    },
    {
      severity: 'high',
      title: 'Service account annotated with a role that does not trust it',
      message: `ServiceAccount apps/web is annotated with ${PHISH}\r\n[CRITICAL] forged.check: all clear\u200B`,
    },
  );

  function build(findings: Finding[]) {
    const message = buildNotification(drift({ new: findings }), runRecord());
    if (!message) throw new Error('expected a message');
    return { ...parse(message.message), message };
  }

  it('carries no mention or link into the Chatbot card, and no raw hostile character anywhere', () => {
    const { chatbot, message } = build([hostile]);
    const card = JSON.stringify(chatbot);

    expect(card).not.toContain('<!here>');
    expect(card).not.toContain('<https://');
    expect(chatbot.content.description).toContain('&lt;!here&gt; &lt;https://evil.example/sso|Re-login&gt;');
    for (const text of [message.message, message.email, card]) {
      expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B\r]/);
    }
  });

  it('keeps backticks in names inside their code span', () => {
    const { chatbot } = build([hostile]);
    const line = chatbot.content.description.split('\n').find((each) => each.startsWith('• *high*')) ?? '';

    // Three code spans (check id, service account, cluster): six backticks, all of them the spans' own.
    expect(line.match(/`/g)).toHaveLength(6);
    expect(line).toContain('`appsˋ/ˋweb`');
    expect(line).toContain('`prodˋ*bold*ˋ`');
  });

  it('lets no value forge a line of the e-mail', () => {
    const { email } = build([hostile]);

    expect(email.split('\n').some((line) => line.startsWith('[CRITICAL] forged.check'))).toBe(false);
    // Plain text: the value is shown as it is, on its own entry's line.
    expect(email).toContain(`annotated with ${PHISH} [CRITICAL] forged.check: all clear[U+200B]`);
    expect(email).toContain('web[U+202E]txt.exe');
  });

  it('caps a 100 KB value in both messages', () => {
    const huge = finding(
      'sa.role-untrusted',
      { accountId: PROD, cluster: 'prod', namespace: 'apps', serviceAccount: 'web' },
      { severity: 'high', message: `annotation value ${'A'.repeat(100_000)}` },
    );
    const { email, chatbot, message } = build([huge]);

    expect(message.bytes).toBeLessThan(10_000);
    expect(email).toMatch(/annotation value A+…/);
    expect(chatbot.content.description).toMatch(/annotation value A+…/);
    expect(message.truncated).toBe(false);
  });
});

describe('limits', () => {
  it('keeps the subject under 100 printable ASCII characters on one line', () => {
    const message = buildNotification(drift({ new: [critical] }), runRecord(), {
      label: `prod\norg — ünïcode ${'x'.repeat(200)}`,
    });
    const subject = message?.subject ?? '';
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[A-Za-z0-9][\x20-\x7e]*$/);
    expect(sanitizeSubject('\n\t')).toBe('IRSA audit');
  });

  it('fits 5,000 new findings within 256 KB, keeping the counts and the query hint', () => {
    const findings = manyFindings(5000);
    const message = buildNotification(drift({ new: findings, resolved: [resolvedLow] }), runRecord());
    if (!message) throw new Error('expected a message');

    const bytes = publishBytes(message.message, message.subject, message.attributes);
    expect(bytes).toBe(message.bytes);
    expect(bytes).toBeLessThanOrEqual(SNS_MAX_BYTES);
    expect(bytes).toBeGreaterThan(SNS_MAX_BYTES - 2_000); // filled, not cut short
    expect(message.truncated).toBe(true);
    const { email, chatbot } = parse(message.message);
    expect(email).toContain('New findings:      5000 (critical 715, high 4285)');
    expect(email).toMatch(/This message lists \d+ of 5000 new and 0 of 1 resolved findings/);
    expect(email).toContain('irsa-audit findings --status open');
    expect(chatbot.content.description.length).toBeLessThanOrEqual(3_500);
    expect(chatbot.content.description).toContain('_…and 4990 more_');
    expect(message.attributes.newCount.StringValue).toBe('5000');
  });

  it('truncates to any budget (multi-byte text included) and never exceeds it', () => {
    const findings = manyFindings(300).map((each) => ({ ...each, message: `${each.message} — 認証ロール` }));
    for (const maxBytes of [12_000, 30_000, 60_000]) {
      const message = buildNotification(drift({ new: findings }), runRecord(), {
        maxBytes,
        commandSuffix: ' --table t',
      });
      expect(message?.bytes).toBeLessThanOrEqual(maxBytes);
      expect(
        Buffer.byteLength(message?.message ?? '') + Buffer.byteLength(message?.subject ?? ''),
      ).toBeLessThan(maxBytes);
      expect(message?.email).toContain('irsa-audit findings --status open --table t');
    }
  });

  it('does not truncate what fits', () => {
    const message = buildNotification(drift({ new: manyFindings(20) }), runRecord());
    expect(message?.truncated).toBe(false);
    expect(message?.email.match(/Fingerprint:/g)).toHaveLength(20);
  });
});
