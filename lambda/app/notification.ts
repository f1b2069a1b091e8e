/**
 * The drift notification (docs/notifications.md), built purely from the drift and the run record.
 * One SNS message per run with `MessageStructure: json`: `default` is an AWS Chatbot (Amazon Q
 * Developer in chat applications) custom notification, `email` is plain text. The publisher
 * (notify/sns-publisher.ts) only sends.
 *
 * Limits honoured: Subject < 100 characters, printable ASCII, no line breaks; the whole publish
 * (Message JSON + Subject + attributes) ≤ 256 KB (262,144 bytes). When the findings do not fit, the
 * lists are cut and the message keeps the counts and says how to see everything with the CLI.
 *
 * Every value that comes from the audited accounts (names, ARNs, annotation values, the messages that
 * quote them) goes through ./escape.ts for its target: `codeSpan` / `mrkdwnText` in the Chatbot card,
 * `plainText` in the e-mail (docs/notifications.md "Untrusted text").
 */
import type { Drift } from '../core/drift';
import type { Finding } from '../core/findings';
import type { Severity } from '../core/model';
import { SEVERITIES, severityRank } from '../core/model';
import type { ReopenedFinding, SuppressedFinding } from '../core/suppressions';
import { codeSpan, mrkdwnText, plainText, snsSubject } from './escape';
import type { NotifyMode } from './notify-mode';
import type { RunRecord, SeverityCounts } from './run-record';

export const SNS_MAX_BYTES = 262_144;
/** Kept well under what Slack shows in one Chatbot card. */
const CHATBOT_DESCRIPTION_MAX_CHARS = 3_500;

export interface NotifyOptions {
  mode?: NotifyMode;
  /** Byte budget of the whole publish (default 262,144). Lower only in tests. */
  maxBytes?: number;
  /** Findings listed per section in the Chatbot card (default 10). */
  chatbotMaxItems?: number;
  /** Appended to every suggested command, e.g. ` --table irsa-audit-results`. */
  commandSuffix?: string;
  /** Shown in the title, e.g. the organization or environment name. */
  label?: string;
  /** The run's HTML report (the report bucket's object page, docs/deployment.md). */
  reportUrl?: string;
}

export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps: string[];
    keywords: string[];
  };
  metadata: {
    threadId: string;
    summary: string;
    eventType: string;
    additionalContext: Record<string, string>;
  };
}

export interface SnsAttribute {
  DataType: 'String' | 'Number';
  StringValue: string;
}

export interface NotificationMessage {
  subject: string;
  /** The SNS `Message`: `{"default": <Chatbot JSON>, "email": <text>}`. */
  message: string;
  messageStructure: 'json';
  attributes: Record<string, SnsAttribute>;
  chatbot: ChatbotNotification;
  email: string;
  /** Some findings were left out to fit the size limit (the counts are always complete). */
  truncated: boolean;
  /** Bytes counted against the SNS limit (Message + Subject + attributes). */
  bytes: number;
}

export type NotificationDrift = Pick<Drift, 'new' | 'resolved' | 'unverified'> & {
  /** Findings stored as suppressed that are open again (also in `new`): the message says why. */
  reopened?: readonly ReopenedFinding[];
  /** New findings matched only by expired suppression entries. */
  expired?: readonly SuppressedFinding[];
};

/**
 * One sentence on what the suppressions file did: re-opened findings first (they are in the new list
 * and say why), then what stays suppressed and the entries that need attention.
 */
function suppressionSentence(run: RunRecord, drift: NotificationDrift): string | undefined {
  const s = run.suppressions;
  const reopened = drift.reopened?.length ?? 0;
  if (!s && reopened === 0) return undefined;
  const parts: string[] = [];
  if (reopened > 0) {
    const expired = drift.reopened?.filter((r) => r.cause === 'expired').length ?? 0;
    parts.push(
      `${reopened} re-opened${expired === reopened ? ' (suppression expired)' : expired > 0 ? ` (${expired} with an expired suppression)` : ' (suppression removed)'}`,
    );
  }
  if (s) {
    parts.push(
      `${s.suppressed} suppressed, not alerted${s.newlySuppressed ? ` (${s.newlySuppressed} since this run)` : ''}`,
    );
    if (s.expiredEntries)
      parts.push(`${s.expiredEntries} entr${s.expiredEntries === 1 ? 'y' : 'ies'} expired`);
    if (s.staleEntries)
      parts.push(`${s.staleEntries} stale entr${s.staleEntries === 1 ? 'y' : 'ies'} (match nothing)`);
  }
  return parts.join('; ');
}

/** Why a listed finding is alerting although a suppression entry named it (docs/suppressions.md). */
function suppressionNotes(drift: NotificationDrift): Map<string, string> {
  const notes = new Map<string, string>();
  for (const entry of drift.expired ?? []) {
    notes.set(
      entry.finding.fingerprint,
      `Suppression expired on ${entry.suppression.expires} (suppressions[${entry.suppression.index}], owner ${entry.suppression.owner})`,
    );
  }
  for (const reopened of drift.reopened ?? []) {
    notes.set(
      reopened.finding.fingerprint,
      reopened.cause === 'expired' && reopened.suppression
        ? `Re-opened: its suppression expired on ${reopened.suppression.expires} (suppressions[${reopened.suppression.index}], owner ${reopened.suppression.owner}; was accepted because: ${plainText(reopened.suppression.reason, 200)})`
        : 'Re-opened: no entry of the suppressions file matches it any more',
    );
  }
  return notes;
}

/** Whether a run with this drift publishes, and why not. */
export function publishDecision(
  drift: NotificationDrift,
  mode: NotifyMode,
): { publish: boolean; reason: string } {
  if (mode === 'always') return { publish: true, reason: 'mode always' };
  if (mode === 'new-only') {
    return drift.new.length > 0
      ? { publish: true, reason: 'new findings' }
      : { publish: false, reason: 'no new findings (mode new-only)' };
  }
  return drift.new.length > 0 || drift.resolved.length > 0
    ? { publish: true, reason: 'drift' }
    : { publish: false, reason: 'no drift (no new or resolved findings)' };
}

/** Builds the notification, or returns undefined when the mode says this run does not publish. */
export function buildNotification(
  drift: NotificationDrift,
  run: RunRecord,
  options: NotifyOptions = {},
): NotificationMessage | undefined {
  const mode = options.mode ?? 'changes';
  if (!publishDecision(drift, mode).publish) return undefined;
  return buildMessage(drift, run, { ...options, mode });
}

function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.checkId.localeCompare(b.checkId) ||
      a.resource.accountId.localeCompare(b.resource.accountId) ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
}

function maxSeverity(findings: readonly Finding[]): Severity | undefined {
  let worst: Severity | undefined;
  for (const finding of findings) {
    if (worst === undefined || severityRank(finding.severity) > severityRank(worst)) worst = finding.severity;
  }
  return worst;
}

function counts(findings: readonly Finding[]): SeverityCounts {
  const result = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as SeverityCounts;
  for (const finding of findings) result[finding.severity]++;
  return result;
}

function formatCounts(byseverity: SeverityCounts): string {
  const parts = SEVERITIES.filter((severity) => byseverity[severity] > 0).map(
    (severity) => `${severity} ${byseverity[severity]}`,
  );
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** SNS subject: printable ASCII, no line breaks, < 100 characters (./escape.ts). */
export function sanitizeSubject(text: string): string {
  return snsSubject(text);
}

/** Where a finding is, as one line of plain text (every part escaped). */
function where(finding: Finding): string {
  const r = finding.resource;
  const text = (value: string | undefined, max = 260) => plainText(value, max);
  const parts = [`account ${text(r.accountId, 20)}`];
  if (r.cluster) parts.push(`cluster ${text(r.cluster)} (${text(r.region ?? '?', 30)})`);
  else if (r.region) parts.push(`region ${text(r.region, 30)}`);
  if (r.namespace && r.serviceAccount) parts.push(`sa ${text(r.namespace)}/${text(r.serviceAccount)}`);
  else if (r.namespace && r.workload) parts.push(`workload ${text(r.namespace)}/${text(r.workload)}`);
  else if (r.namespace) parts.push(`namespace ${text(r.namespace)}`);
  if (r.roleArn) parts.push(`role ${text(r.roleArn, 200)}`);
  if (r.providerArn && !r.roleArn) parts.push(`provider ${text(r.providerArn, 200)}`);
  return parts.join(' · ');
}

function emailEntry(finding: Finding, resolved: boolean, note?: string): string {
  const lines = [
    `[${finding.severity.toUpperCase()}] ${plainText(finding.checkId, 80)}: ${plainText(finding.title, 200)}`,
    `  ${plainText(finding.message, 800)}`,
    `  ${where(finding)}`,
  ];
  if (note) lines.push(`  ${plainText(note, 300)}`);
  if (!resolved) lines.push(`  Fix: ${plainText(finding.remediation.split('\n')[0] ?? '', 300)}`);
  lines.push(`  Fingerprint: ${plainText(finding.fingerprint, 100)}`);
  return `${lines.join('\n')}\n`;
}

function chatEntry(finding: Finding, note?: string): string {
  const r = finding.resource;
  const subject = r.serviceAccount
    ? codeSpan(`${r.namespace}/${r.serviceAccount}`, 200)
    : r.workload
      ? codeSpan(`${r.namespace}/${r.workload}`, 200)
      : r.roleArn
        ? codeSpan(r.roleArn.slice(r.roleArn.lastIndexOf('/') + 1), 200)
        : r.cluster
          ? codeSpan(r.cluster, 200)
          : codeSpan(r.accountId, 20);
  const account = mrkdwnText(r.accountId, 20);
  const place = r.cluster ? ` in ${codeSpan(r.cluster, 100)} (${account})` : ` (${account})`;
  return `• *${finding.severity}* ${codeSpan(finding.checkId, 80)} ${subject}${place}: ${mrkdwnText(finding.message, 180)}${
    note ? ` _(${mrkdwnText(note, 160)})_` : ''
  }`;
}

interface Built {
  message: NotificationMessage;
  fits: boolean;
}

function buildMessage(
  drift: NotificationDrift,
  run: RunRecord,
  options: NotifyOptions & { mode: NotifyMode },
): NotificationMessage {
  const maxBytes = options.maxBytes ?? SNS_MAX_BYTES;
  const newFindings = sortFindings(drift.new);
  const resolvedFindings = options.mode === 'new-only' ? [] : sortFindings(drift.resolved);
  const total = newFindings.length + resolvedFindings.length;
  const build = (listed: number): Built =>
    assemble(drift, run, options, newFindings, resolvedFindings, listed, maxBytes);

  // No listed finding takes fewer than ~60 bytes, so more than maxBytes / 50 can never fit.
  const ceiling = Math.min(total, Math.ceil(maxBytes / 50));
  let built = build(ceiling);
  if (built.fits) return built.message;
  // Largest number of listed findings (new first, then resolved) that fits.
  let low = 0;
  let high = ceiling - 1;
  let best = build(0);
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    built = build(middle);
    if (built.fits) {
      best = built;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best.message;
}

function assemble(
  drift: NotificationDrift,
  run: RunRecord,
  options: NotifyOptions & { mode: NotifyMode },
  newFindings: readonly Finding[],
  resolvedFindings: readonly Finding[],
  listed: number,
  maxBytes: number,
): Built {
  const suffix = options.commandSuffix ?? '';
  const label = options.label ? ` ${options.label}` : '';
  const newCount = drift.new.length;
  const resolvedCount = drift.resolved.length;
  const openCount = run.drift?.open;
  const worstNew = maxSeverity(drift.new);
  const worstResolved = maxSeverity(drift.resolved);
  const worst = maxSeverity([...drift.new, ...drift.resolved]);
  const newBySeverity = counts(drift.new);
  const resolvedBySeverity = counts(drift.resolved);
  const coverage = coverageNote(run, suffix);
  const hints = queryHints(worstNew, suffix);
  const notes = suppressionNotes(drift);

  const headline =
    newCount === 0 && resolvedCount === 0
      ? 'no changes'
      : `${newCount} new${worstNew ? ` (worst: ${worstNew})` : ''}, ${resolvedCount} resolved`;
  const subject = sanitizeSubject(
    `IRSA audit${label}: ${headline}${openCount === undefined ? '' : `, ${openCount} open`}`,
  );

  const listedNew = newFindings.slice(0, Math.min(listed, newFindings.length));
  const listedResolved = resolvedFindings.slice(0, Math.max(0, listed - listedNew.length));
  const truncated = listedNew.length < newFindings.length || listedResolved.length < resolvedFindings.length;

  // ── email (plain text) ──
  const email: string[] = [];
  email.push(`IRSA audit${label}: ${headline}`);
  email.push(
    `Run ${run.runId}, started ${run.startedAt}${run.durationMs === undefined ? '' : `, took ${Math.round(run.durationMs / 1000)}s`}`,
  );
  email.push('');
  email.push(`New findings:      ${newCount}${formatCounts(newBySeverity)}`);
  email.push(`Resolved findings: ${resolvedCount}${formatCounts(resolvedBySeverity)}`);
  if (openCount !== undefined)
    email.push(`Open after this run: ${openCount}${formatCounts(run.openBySeverity ?? counts([]))}`);
  if (run.audited) {
    const a = run.audited;
    email.push(
      `Audited: ${a.accounts} account(s), ${a.clusters} cluster(s), ${a.roles} role(s), ${a.serviceAccounts} service account(s)`,
    );
  }
  if (coverage) {
    email.push(`Coverage: ${coverage.sentence}`);
    for (const command of coverage.commands) email.push(`  ${command}`);
  }
  const suppressed = suppressionSentence(run, drift);
  if (suppressed) email.push(`Suppressions: ${plainText(suppressed, 1_000)}`);
  if (drift.unverified.length > 0) {
    email.push(
      `${drift.unverified.length} open finding(s) could not be re-checked and stay open until their scope is scanned again.`,
    );
  }
  email.push('');
  if (listedNew.length > 0) {
    email.push(`NEW (${listedNew.length}${listedNew.length < newCount ? ` of ${newCount}` : ''})`);
    email.push('');
    for (const finding of listedNew) email.push(emailEntry(finding, false, notes.get(finding.fingerprint)));
  }
  if (listedResolved.length > 0) {
    email.push(
      `RESOLVED (${listedResolved.length}${listedResolved.length < resolvedCount ? ` of ${resolvedCount}` : ''})`,
    );
    email.push('');
    for (const finding of listedResolved) email.push(emailEntry(finding, true));
  }
  if (options.mode === 'new-only' && resolvedCount > 0) {
    email.push(`${resolvedCount} resolved finding(s) not listed (notification mode new-only).`);
    email.push('');
  }
  if (truncated) {
    email.push(
      `This message lists ${listedNew.length} of ${newCount} new and ${listedResolved.length} of ${resolvedCount} resolved findings to stay within the SNS size limit.`,
    );
    email.push('');
  }
  email.push('See the details:');
  if (options.reportUrl) email.push(`  Report: ${plainText(options.reportUrl, 1_000)}`);
  for (const hint of hints) email.push(`  ${hint}`);
  const emailText = `${email.join('\n')}\n`;

  // ── Chatbot card (markdown) ──
  const chatMax = options.chatbotMaxItems ?? 10;
  const description: string[] = [];
  description.push(
    `*${newCount} new*${formatCounts(newBySeverity)} · *${resolvedCount} resolved*${formatCounts(resolvedBySeverity)}${
      openCount === undefined ? '' : ` · ${openCount} open`
    }`,
  );
  // A late delivery or a duplicate (docs/notifications.md) says which run it reports.
  description.push(`_Run ${run.runId}, started ${run.startedAt}_`);
  // Our own URL (bucket and run id from the deployment), as a link: no untrusted text in it.
  if (options.reportUrl) description.push(`<${options.reportUrl}|HTML report of this run>`);
  if (coverage) {
    description.push(
      `:warning: Coverage: ${coverage.sentence} ${coverage.commands.map((command) => `\`${command}\``).join(' · ')}`,
    );
  }
  if (suppressed) description.push(`:hourglass: Suppressions: ${mrkdwnText(suppressed, 1_000)}`);
  const chatSection = (heading: string, findings: readonly Finding[], totalCount: number): void => {
    if (totalCount === 0 || findings.length === 0) return;
    description.push('', `*${heading}*`);
    const shown = findings.slice(0, chatMax);
    for (const finding of shown) description.push(chatEntry(finding, notes.get(finding.fingerprint)));
    if (shown.length < totalCount) description.push(`_…and ${totalCount - shown.length} more_`);
  };
  chatSection('New', newFindings, newCount);
  if (options.mode !== 'new-only') chatSection('Resolved', resolvedFindings, resolvedCount);
  let chatDescription = description.join('\n');
  if (chatDescription.length > CHATBOT_DESCRIPTION_MAX_CHARS) {
    chatDescription = `${chatDescription.slice(0, CHATBOT_DESCRIPTION_MAX_CHARS - 40).replace(/\n[^\n]*$/, '')}\n_…cut; see the CLI for all findings_`;
  }
  const chatbot: ChatbotNotification = {
    version: '1.0',
    source: 'custom',
    id: run.runId,
    content: {
      textType: 'client-markdown',
      title: mrkdwnText(
        `${worstNew === 'critical' || worstNew === 'high' ? ':rotating_light: ' : ''}IRSA audit${label}: ${headline}`,
        250,
      ),
      description: chatDescription,
      nextSteps: hints.slice(0, 3).map((hint) => `\`${hint}\``),
      keywords: ['IRSA', ...(worst ? [worst] : []), ...topChecks(newFindings, resolvedFindings)].slice(0, 6),
    },
    metadata: {
      threadId: `irsa-audit${options.label ? `-${options.label.replace(/[^A-Za-z0-9-]/g, '-')}` : ''}`,
      summary: plainText(`IRSA audit: ${headline}`, 200),
      eventType: 'IrsaAuditDrift',
      additionalContext: {
        runId: run.runId,
        newCount: String(newCount),
        resolvedCount: String(resolvedCount),
        ...(openCount === undefined ? {} : { openCount: String(openCount) }),
        maxSeverity: worst ?? 'none',
      },
    },
  };

  const attributes: Record<string, SnsAttribute> = {
    maxSeverity: { DataType: 'String', StringValue: worstNew ?? 'none' },
    maxSeverityRank: { DataType: 'Number', StringValue: String(worstNew ? severityRank(worstNew) : -1) },
    maxResolvedSeverity: { DataType: 'String', StringValue: worstResolved ?? 'none' },
    newCount: { DataType: 'Number', StringValue: String(newCount) },
    resolvedCount: { DataType: 'Number', StringValue: String(resolvedCount) },
    openCount: { DataType: 'Number', StringValue: String(openCount ?? newCount) },
    runId: { DataType: 'String', StringValue: run.runId },
    ...(run.suppressions || drift.reopened?.length
      ? {
          suppressedCount: { DataType: 'Number', StringValue: String(run.suppressions?.suppressed ?? 0) },
          reopenedCount: { DataType: 'Number', StringValue: String(drift.reopened?.length ?? 0) },
        }
      : {}),
  };

  const message = JSON.stringify({ default: JSON.stringify(chatbot), email: emailText });
  const bytes = publishBytes(message, subject, attributes);
  return {
    fits: bytes <= maxBytes,
    message: {
      subject,
      message,
      messageStructure: 'json',
      attributes,
      chatbot,
      email: emailText,
      truncated,
      bytes,
    },
  };
}

/** What counts against the SNS publish size: the Message, the Subject and every attribute. */
export function publishBytes(
  message: string,
  subject: string,
  attributes: Record<string, SnsAttribute>,
): number {
  let bytes = Buffer.byteLength(message, 'utf8') + Buffer.byteLength(subject, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    bytes +=
      Buffer.byteLength(name) + Buffer.byteLength(value.DataType) + Buffer.byteLength(value.StringValue);
  }
  return bytes;
}

/**
 * The coverage gaps of the run, each with the command that lists it: the coverage finding of the part
 * that failed (an account, a region's cluster list, a cluster's Kubernetes API; docs/notifications.md).
 */
function coverageNote(run: RunRecord, suffix: string): { sentence: string; commands: string[] } | undefined {
  const audited = run.audited;
  const parts: string[] = [];
  const commands: string[] = [];
  const check = (checkId: string) => `irsa-audit findings --check ${checkId}${suffix}`;
  if (audited?.accountsFailed) {
    parts.push(`${audited.accountsFailed} account(s) not scanned`);
    commands.push(check('scan.account-unreachable'));
  }
  if (audited?.regionsFailed) {
    parts.push(`${audited.regionsFailed} region(s) not listed`);
    commands.push(check('scan.region-failed'));
  }
  if (audited?.clustersUnreachable) {
    parts.push(`${audited.clustersUnreachable} cluster API(s) not readable`);
    // The access-entry commands for exactly those clusters (docs/deployment.md §6).
    commands.push(check('scan.cluster-unreachable'), `irsa-audit access${suffix}`);
  }
  if (parts.length === 0 && run.coverageErrorCount) {
    parts.push(`${run.coverageErrorCount} collection error(s)`);
    commands.push(`irsa-audit runs${suffix}`);
  }
  if (parts.length === 0) return undefined;
  return {
    sentence: `${parts.join(', ')}; findings there stay open until scanned again. See:`,
    commands,
  };
}

function queryHints(worstNew: Severity | undefined, suffix: string): string[] {
  const hints: string[] = [];
  if (worstNew) hints.push(`irsa-audit findings --status open --severity ${worstNew}${suffix}`);
  hints.push(`irsa-audit findings --status open${suffix}`);
  hints.push(`irsa-audit findings --status resolved${suffix}`);
  hints.push(`irsa-audit runs${suffix}`);
  hints.push(`irsa-audit history <fingerprint>${suffix}`);
  return hints;
}

function topChecks(...lists: (readonly Finding[])[]): string[] {
  const seen: string[] = [];
  for (const list of lists) {
    for (const finding of list) {
      if (!seen.includes(finding.checkId)) seen.push(finding.checkId);
      if (seen.length >= 4) return seen;
    }
  }
  return seen;
}
