/**
 * Table and JSON renderings of `findings`, `runs` and `history`. The JSON shapes are stable
 * (documented in docs/results-table.md): `schemaVersion` changes if a field changes meaning.
 */

import type { RunRecord } from '../app/run-record';
import { type FindingHistory, type StoredFinding, withoutLifecycle } from '../app/stored-finding';
import type { FindingsResult, RunsResult } from '../store/queries';
import { compactResourceLabel, shortResourceLabel, whereOf } from './labels';
import { compactLines, fixLines } from './scan-report';
import { clip, PLAIN, type Terminal } from './terminal';
import { columns } from './text';

const day = (iso: string | undefined): string => (iso ? iso.slice(0, 10) : '-');

function footer(result: FindingsResult): string {
  const more = result.cursor ? `More results: repeat with --cursor ${result.cursor}\n` : '';
  return `${result.findings.length} finding(s). Details: --details, or irsa-audit history <fingerprint>\n${more}`;
}

/** The default: one line per finding (severity, check, resource, fingerprint, title) fitted to the terminal. */
export function renderFindingsCompact(result: FindingsResult, terminal: Terminal = PLAIN): string {
  if (result.findings.length === 0) return `No ${result.filter.status} findings match.\n`;
  const lines = compactLines(
    result.findings.map((finding) => ({
      severity: finding.severity,
      checkId: finding.checkId,
      resource: compactResourceLabel(finding.resource),
      id: finding.fingerprint,
      text: finding.unverifiedSince ? `(unverified) ${finding.title}` : finding.title,
    })),
    terminal,
  );
  return `${lines.join('\n')}\n${footer(result)}`;
}

/** `--details`: every column, one row per finding (wider than most terminals). */
export function renderFindingsTable(result: FindingsResult): string {
  if (result.findings.length === 0) return `No ${result.filter.status} findings match.\n`;
  const resolved = result.filter.status === 'resolved';
  const rows = result.findings.map((finding) => [
    finding.severity.toUpperCase(),
    finding.checkId,
    finding.resource.accountId,
    whereOf(finding.resource),
    clip(shortResourceLabel(finding.resource), 48),
    day(resolved ? finding.resolvedAt : finding.firstSeen) + (finding.unverifiedSince ? ' (unverified)' : ''),
    finding.fingerprint,
    clip(finding.message, 100),
  ]);
  const table = columns(
    [
      'SEVERITY',
      'CHECK',
      'ACCOUNT',
      'WHERE',
      'RESOURCE',
      resolved ? 'RESOLVED' : 'SINCE',
      'FINGERPRINT',
      'MESSAGE',
    ],
    rows,
  );
  const more = result.cursor ? `More results: repeat with --cursor ${result.cursor}\n` : '';
  return `${table}${result.findings.length} finding(s).${
    result.findings.length ? ' Details: irsa-audit history <fingerprint>' : ''
  }\n${more}`;
}

function findingJson(finding: StoredFinding): Record<string, unknown> {
  const { fingerprint, ...content } = withoutLifecycle(finding);
  return {
    fingerprint,
    status: finding.status,
    ...content,
    firstSeen: finding.firstSeen,
    lastSeen: finding.lastSeen,
    ...(finding.resolvedAt === undefined ? {} : { resolvedAt: finding.resolvedAt }),
    ...(finding.unverifiedSince === undefined
      ? {}
      : { unverifiedSince: finding.unverifiedSince, unverifiedReason: finding.unverifiedReason }),
    ...(finding.suppression === undefined ? {} : { suppression: finding.suppression }),
  };
}

export function renderFindingsJson(result: FindingsResult): string {
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      filter: result.filter,
      count: result.findings.length,
      findings: result.findings.map(findingJson),
      ...(result.cursor === undefined ? {} : { cursor: result.cursor }),
    },
    null,
    2,
  )}\n`;
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1000) return `${ms}ms`;
  const seconds = Math.round(ms / 1000);
  return seconds < 120
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

export function renderRunsTable(result: RunsResult): string {
  if (result.runs.length === 0) return 'No runs recorded yet.\n';
  const rows = result.runs.map((run: RunRecord) => [
    run.startedAt.replace('T', ' ').slice(0, 19),
    run.runId,
    run.status,
    duration(run.durationMs),
    run.audited ? `${run.audited.accounts - run.audited.accountsFailed}/${run.audited.accounts}` : '-',
    String(run.drift?.new ?? '-'),
    String(run.drift?.resolved ?? '-'),
    String(run.drift?.open ?? '-'),
    String(run.coverageErrorCount ?? '-'),
    run.notification ? `${run.notification.status}` : '-',
  ]);
  const more = result.cursor ? `Older runs: repeat with --cursor ${result.cursor}\n` : '';
  return (
    columns(
      ['STARTED (UTC)', 'RUN', 'STATUS', 'DURATION', 'ACCOUNTS', 'NEW', 'RESOLVED', 'OPEN', 'GAPS', 'NOTIFY'],
      rows,
    ) + more
  );
}

export function renderRunsJson(result: RunsResult): string {
  return `${JSON.stringify({ schemaVersion: 1, runs: result.runs, ...(result.cursor ? { cursor: result.cursor } : {}) }, null, 2)}\n`;
}

export function renderHistoryTable(history: FindingHistory): string {
  const lines: string[] = [];
  const state = history.state;
  if (!state && history.events.length === 0) {
    return `No history for ${history.fingerprint} (never stored, or resolved and expired).\n`;
  }
  if (state) {
    lines.push(`${state.severity.toUpperCase()}  ${state.checkId}  ${state.status}`);
    lines.push(`  ${state.title}`);
    lines.push(`  ${state.message}`);
    lines.push(
      `  account ${state.resource.accountId}  ${whereOf(state.resource)}  ${shortResourceLabel(state.resource)}`,
    );
    if (state.resource.roleArn) lines.push(`  role ${state.resource.roleArn}`);
    lines.push(...fixLines(state, 80, '  '));
    if (state.unverifiedSince) {
      lines.push(
        `  unverified since ${state.unverifiedSince}: ${state.unverifiedReason ?? 'scope not collected'}`,
      );
    }
    if (state.suppression) {
      const s = state.suppression;
      lines.push(`  suppressed by suppressions[${s.entry}] until ${s.expires} (${s.owner}): ${s.reason}`);
    }
    lines.push('');
  }
  lines.push(
    columns(
      ['WHEN (UTC)', 'EVENT', 'SEVERITY', 'RUN', 'DETAIL'],
      history.events.map((event) => [
        event.at.replace('T', ' ').slice(0, 19),
        event.event,
        event.severity,
        event.runId,
        eventDetail(event),
      ]),
    ).trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

/** What a suppression event adds: the entry, or why the finding is open again. */
function eventDetail(event: FindingHistory['events'][number]): string {
  if (event.event === 'suppressed' && event.suppression) {
    return `suppressions[${event.suppression.entry}] until ${event.suppression.expires} (${event.suppression.owner})`;
  }
  return event.detail ?? '';
}

export function renderHistoryJson(history: FindingHistory): string {
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      fingerprint: history.fingerprint,
      ...(history.state ? { finding: findingJson(history.state) } : {}),
      events: history.events.map((event) => ({
        event: event.event,
        at: event.at,
        runId: event.runId,
        severity: event.severity,
        message: event.message,
        ...(event.suppression === undefined ? {} : { suppression: event.suppression }),
        ...(event.detail === undefined ? {} : { detail: event.detail }),
      })),
    },
    null,
    2,
  )}\n`;
}
