/**
 * The HTML report (docs/output.md "html"): one self-contained file that can be attached, archived
 * and opened anywhere. Nothing is loaded from the network: style and script are inline and allowed
 * by hash in the page's Content-Security-Policy. It holds a summary (counts by severity, coverage
 * gaps, drift when there is a previous run), the findings table with fixes (filterable and sortable
 * with the script; complete without it), and the identity graph of each cluster (graph.ts), drawn
 * as inline SVG laid out here, so it reads without the script too. Every quoted value is escaped.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../../core/findings';
import { SEVERITIES, severityRank } from '../../core/model';
import type { ScanSummary } from '../../core/scan-result';
import type { ExportFinding, ExportInput } from '../export/export-input';
import { resourceLabel } from '../labels';
import { SCRIPT, STYLE } from './assets';
import { EDGE_VERDICTS, type GraphEdge, type GraphNode, type IdentityGraph } from './graph';

export interface HtmlDrift {
  new: readonly Finding[];
  resolved: readonly Finding[];
  /** Open findings after the run. */
  open: number;
}

export interface HtmlReportInput {
  findings: ExportInput;
  /** What was audited (absent for stored findings). */
  summary?: ScanSummary;
  /** The identity graph (needs the inventory: `scan` and `run`). */
  graph?: IdentityGraph;
  drift?: HtmlDrift;
  /** Shown in the title, e.g. the organization. */
  label?: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text and attribute values: every character HTML gives a meaning to. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function severityBadge(severity: string): string {
  return `<span class="sev sev-${escapeHtml(severity)}">${escapeHtml(severity)}</span>`;
}

function summarySection(input: HtmlReportInput): string {
  const findings = input.findings.findings;
  const out: string[] = ['<section id="summary"><h2>Summary</h2>'];
  const s = input.summary;
  if (s) {
    out.push(
      `<p>Audited ${plural(s.accounts, 'account')}, ${plural(s.clusters, 'cluster')}, ${plural(s.roles, 'role')}, ${plural(s.serviceAccounts, 'service account')}, ${plural(s.pods, 'pod')}.</p>`,
    );
  }
  out.push('<table class="counts"><thead><tr><th>severity</th><th>findings</th></tr></thead><tbody>');
  for (const severity of SEVERITIES) {
    const count = findings.filter((f) => f.severity === severity && f.status !== 'resolved').length;
    out.push(`<tr><td>${severityBadge(severity)}</td><td>${count}</td></tr>`);
  }
  out.push('</tbody></table>');
  const gaps = findings.filter((f) => f.checkId.startsWith('scan.') && f.status !== 'resolved');
  const notes: string[] = [];
  if (input.findings.coverageErrors > 0 || gaps.length > 0) {
    notes.push(
      `Not everything was seen: ${plural(input.findings.coverageErrors, 'coverage error')}; the parts not read are the <code>scan.*</code> findings below.`,
    );
    for (const gap of gaps.slice(0, 20)) {
      notes.push(`<code>${escapeHtml(gap.checkId)}</code> ${escapeHtml(gap.message)}`);
    }
  }
  for (const error of input.findings.checkErrors.slice(0, 20)) {
    notes.push(
      `Check <code>${escapeHtml(error.checkId)}</code> failed on ${escapeHtml(error.resource)}: ${escapeHtml(error.message)} (results for it are incomplete)`,
    );
  }
  if (notes.length)
    out.push('<h3>Coverage</h3><ul class="notes">', ...notes.map((n) => `<li>${n}</li>`), '</ul>');
  if (input.drift) {
    const d = input.drift;
    out.push(
      `<h3>Since the previous run</h3><p>${d.new.length} new, ${d.resolved.length} resolved, ${d.open} open.</p>`,
    );
    const list = (title: string, items: readonly Finding[]) =>
      items.length === 0
        ? ''
        : `<p>${title}:</p><ul class="notes">${items
            .slice(0, 50)
            .map(
              (f) =>
                `<li>${severityBadge(f.severity)} <code>${escapeHtml(f.checkId)}</code> ${escapeHtml(resourceLabel(f.resource))}</li>`,
            )
            .join('')}${items.length > 50 ? `<li>… and ${items.length - 50} more</li>` : ''}</ul>`;
    out.push(list('New', d.new), list('Resolved', d.resolved));
  }
  out.push('</section>');
  return out.join('\n');
}

function fixCell(finding: ExportFinding): string {
  const commands = (finding.commands ?? []).map((c) => `<pre><code>${escapeHtml(c)}</code></pre>`).join('');
  return `<td class="fix">${escapeHtml(finding.remediation).replace(/\n/g, '<br>')}${commands}</td>`;
}

function findingsSection(input: HtmlReportInput): string {
  const findings = input.findings.findings;
  const checks = [...new Set(findings.map((f) => f.checkId))].sort();
  const out: string[] = [
    `<section id="findings-section"><h2>Findings (${findings.length})</h2>`,
    '<div class="filters" id="filters" hidden>',
    '<label>Search <input id="f-text" type="search" placeholder="text, ARN, namespace…"></label>',
    '<label>Severity at or above <select id="f-severity"><option value="0">any</option>',
    ...SEVERITIES.map((s) => `<option value="${severityRank(s)}">${s}</option>`),
    '</select></label>',
    '<label>Check <select id="f-check"><option value="">any</option>',
    ...checks.map((c) => `<option>${escapeHtml(c)}</option>`),
    '</select></label><span id="f-shown" class="muted"></span></div>',
  ];
  if (findings.length === 0) {
    out.push('<p>No findings.</p></section>');
    return out.join('\n');
  }
  const status = findings.some((f) => f.status !== 'open');
  out.push(
    '<table id="findings"><thead><tr>',
    '<th aria-sort="descending"><button type="button">Severity</button></th>',
    '<th><button type="button">Check</button></th>',
    '<th><button type="button">Resource</button></th>',
    status ? '<th><button type="button">Status</button></th>' : '',
    '<th>Finding</th><th>Fix</th><th><button type="button">Fingerprint</button></th>',
    '</tr></thead><tbody>',
  );
  for (const finding of findings) {
    out.push(
      `<tr data-rank="${severityRank(finding.severity)}" data-check="${escapeHtml(finding.checkId)}">` +
        `<td data-sort="${severityRank(finding.severity)}">${severityBadge(finding.severity)}</td>` +
        `<td><code>${escapeHtml(finding.checkId)}</code><br><span class="muted">${escapeHtml(finding.title)}</span></td>` +
        `<td>${escapeHtml(resourceLabel(finding.resource))}</td>` +
        (status ? `<td>${escapeHtml(finding.status)}</td>` : '') +
        `<td>${escapeHtml(finding.message)}</td>` +
        fixCell(finding) +
        `<td class="fp">${escapeHtml(finding.fingerprint)}</td></tr>`,
    );
  }
  out.push('</tbody></table></section>');
  return out.join('\n');
}

const ROW = 20;
const TOP = 24;
const LEFT_X = 12;
const LEFT_W = 330;
const RIGHT_X = 720;
const WIDTH = 1100;
const LABEL_CHARS = 48;

function short(label: string): string {
  return label.length <= LABEL_CHARS ? label : `${label.slice(0, LABEL_CHARS - 1)}…`;
}

/**
 * What every cluster's drawing looks up, built once: its edges (in the graph's order) and where each
 * role sits in `graph.roles`. Filtering every edge and role per cluster was quadratic in the
 * organization's size (docs/performance.md "Scale").
 */
interface GraphLayoutIndex {
  edgesByCluster: Map<string, GraphEdge[]>;
  /** Role id → its account's position in `graph.roles` and its own within the account. */
  rolePlace: Map<string, { account: number; at: number }>;
  accounts: { accountId: string; roles: GraphNode[] }[];
}

function layoutIndex(graph: IdentityGraph): GraphLayoutIndex {
  const clusterOf = new Map<string, string>();
  for (const cluster of graph.clusters) clusterOf.set(cluster.id, cluster.id);
  for (const [id, sas] of graph.serviceAccounts) for (const sa of sas) clusterOf.set(sa.id, id);
  const edgesByCluster = new Map<string, GraphEdge[]>();
  for (const edge of graph.edges) {
    const from = clusterOf.get(edge.from);
    const to = clusterOf.get(edge.to);
    for (const id of from === to ? [from] : [from, to]) {
      if (id === undefined) continue;
      const list = edgesByCluster.get(id);
      if (list) list.push(edge);
      else edgesByCluster.set(id, [edge]);
    }
  }
  const rolePlace = new Map<string, { account: number; at: number }>();
  const accounts = [...graph.roles].map(([accountId, roles]) => ({ accountId, roles }));
  accounts.forEach(({ roles }, account) => {
    roles.forEach((role, at) => {
      if (!rolePlace.has(role.id)) rolePlace.set(role.id, { account, at });
    });
  });
  return { edgesByCluster, rolePlace, accounts };
}

/** One cluster's graph: its service accounts on the left, the roles they reach on the right. */
function clusterGraph(graph: IdentityGraph, cluster: GraphNode, index: GraphLayoutIndex): string {
  const sas = graph.serviceAccounts.get(cluster.id) ?? [];
  const edges = index.edgesByCluster.get(cluster.id) ?? [];
  const roleIds = new Set(edges.flatMap((e) => [e.from, e.to]).filter((id) => id.startsWith('role:')));
  const y = new Map<string, number>();
  const left: string[] = [];
  let row = 0;
  const place = (node: GraphNode, x: number, anchor: 'start' | 'end', cls = '') => {
    const top = TOP + row * ROW;
    y.set(node.id, top);
    row += 1;
    return `<text x="${x}" y="${top + 4}" text-anchor="${anchor}"${cls ? ` class="${cls}"` : ''}><title>${escapeHtml(node.title)}</title>${escapeHtml(short(node.label))}</text>`;
  };
  left.push(place(cluster, LEFT_X, 'start', 'group'));
  for (const sa of sas) left.push(place(sa, LEFT_X + LEFT_W - 6, 'end'));
  const leftRows = row;
  row = 0;
  const right: string[] = [];
  // The cluster's roles by account, in `graph.roles` order (accounts, then roles within each).
  const byAccount = new Map<number, { at: number; role: GraphNode }[]>();
  for (const id of roleIds) {
    const place = index.rolePlace.get(id);
    if (!place) continue;
    const entry = { at: place.at, role: index.accounts[place.account].roles[place.at] };
    const list = byAccount.get(place.account);
    if (list) list.push(entry);
    else byAccount.set(place.account, [entry]);
  }
  for (const account of [...byAccount.keys()].sort((a, b) => a - b)) {
    const accountId = index.accounts[account].accountId;
    const shown = byAccount
      .get(account)!
      .sort((a, b) => a.at - b.at)
      .map((entry) => entry.role);
    right.push(
      `<text x="${RIGHT_X}" y="${TOP + row * ROW + 4}" class="group">account ${escapeHtml(accountId)}</text>`,
    );
    row += 1;
    for (const role of shown) right.push(place(role, RIGHT_X + 14, 'start'));
  }
  const height = TOP + Math.max(leftRows, row, 1) * ROW + 8;
  const paths = edges.map((edge) => edgePath(edge, y)).filter(Boolean);
  const title = `${cluster.title}: ${plural(sas.length, 'service account')} with IAM, ${plural(roleIds.size, 'role')}`;
  return [
    `<div class="graph" data-cluster="${escapeHtml(cluster.id)}"><h3>${escapeHtml(title)}</h3>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
    ...paths,
    ...left,
    ...right,
    '</svg></div>',
  ].join('\n');
}

function edgePath(edge: GraphEdge, y: ReadonlyMap<string, number>): string {
  const fromRole = edge.from.startsWith('role:');
  const saSide = fromRole ? edge.to : edge.from;
  const roleSide = fromRole ? edge.from : edge.to;
  // Trust edges run 3px below the annotation between the same pair, so both stay visible.
  const shift = edge.kind === 'trusts' ? 3 : 0;
  const saY = y.get(saSide);
  const roleY = y.get(roleSide);
  if (saY === undefined || roleY === undefined) return '';
  const y1 = saY + shift;
  const y2 = roleY + shift;
  const x1 = LEFT_X + LEFT_W;
  const x2 = RIGHT_X + 8;
  const bend = (x2 - x1) / 2;
  const label = `${edge.kind === 'trusts' ? 'trusts' : edge.kind === 'annotated' ? 'annotated with' : 'associated with'} (${edge.verdict}): ${edge.why}`;
  return `<path class="edge k-${edge.kind} v-${edge.verdict}" d="M${x1} ${y1} C${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}"><title>${escapeHtml(label)}</title></path>`;
}

function graphSection(graph: IdentityGraph | undefined): string {
  const out = ['<section id="graph"><h2>Identity graph</h2>'];
  if (!graph) {
    out.push(
      '<p class="muted">The graph needs the inventory: it is drawn by <code>scan</code> and <code>run</code>, not from stored findings.</p></section>',
    );
    return out.join('\n');
  }
  out.push(
    '<p class="muted">Left: each cluster\'s service accounts that use IAM (annotated, associated, or trusted by name). Right: the roles, by account. Hover an edge for why.</p>',
    `<div class="legend">${EDGE_VERDICTS.map((v) => `<span class="${v}">${v}</span>`).join('')}<span class="muted">solid: annotated · long dashes: Pod Identity association · dots: trusts</span></div>`,
    '<label>Cluster <select id="g-cluster" hidden><option value="">all clusters</option>',
    ...graph.clusters.map((c) => `<option value="${escapeHtml(c.id)}">${escapeHtml(c.title)}</option>`),
    '</select></label>',
  );
  const index = layoutIndex(graph);
  for (const cluster of graph.clusters) out.push(clusterGraph(graph, cluster, index));
  if (graph.clusters.length === 0) out.push('<p>No clusters.</p>');
  out.push('</section>');
  return out.join('\n');
}

export function renderHtml(input: HtmlReportInput): string {
  const title = `IRSA audit${input.label ? ` — ${input.label}` : ''}`;
  const csp = `default-src 'none'; style-src 'sha256-${sha256(STYLE)}'; script-src 'sha256-${sha256(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const open = input.findings.findings.filter((f) => f.status !== 'resolved').length;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<header><h1>${escapeHtml(title)}</h1><p class="muted">${plural(open, 'finding')} · generated ${escapeHtml(input.findings.generatedAt)} by irsa-auditor ${escapeHtml(input.findings.toolVersion)}</p></header>`,
    '<main>',
    summarySection(input),
    findingsSection(input),
    graphSection(input.graph),
    '</main>',
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
