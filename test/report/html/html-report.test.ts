import { createHash } from 'node:crypto';
import { exportInputOfScan } from '../../../lambda/report/export/export-input';
import { SCRIPT, STYLE } from '../../../lambda/report/html/assets';
import { escapeHtml, renderHtml } from '../../../lambda/report/html/html-report';
import { demo, demoHtml } from './demo-report';

const sha = (text: string) => createHash('sha256').update(text).digest('base64');

describe('HTML report', () => {
  const html = demoHtml();

  it('is self-contained: nothing loaded from anywhere, style and script allowed by hash only', () => {
    expect(html).not.toMatch(/<(script|img|link|iframe)[^>]*\s(src|href)=/i);
    expect(html).not.toMatch(/url\(/);
    expect(html).not.toMatch(/@import/);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${sha(SCRIPT)}'`);
    expect(csp).toContain(`style-src 'sha256-${sha(STYLE)}'`);
    expect(html).toContain(`<script>${SCRIPT}</script>`);
    expect(html).toContain(`<style>${STYLE}</style>`);
  });

  it('lists every finding with its fingerprint, and draws a graph per cluster', () => {
    const { scan, inventory } = demo();
    for (const finding of scan.findings) expect(html).toContain(`<td class="fp">${finding.fingerprint}</td>`);
    for (const account of inventory.accounts) {
      for (const cluster of account.clusters) {
        expect(html).toContain(
          `data-cluster="cluster:${account.accountId}/${cluster.region}/${cluster.name}"`,
        );
      }
    }
    expect(html).toContain('Audited 5 accounts, 4 clusters');
  });

  it('escapes hostile text wherever it is quoted', () => {
    const { scan } = demo();
    const hostile = '<img src=x onerror=alert(1)>"\'&<script>alert(2)</script>';
    const first = scan.findings[0]!;
    const out = renderHtml({
      findings: exportInputOfScan(
        {
          ...scan,
          findings: [
            {
              ...first,
              message: hostile,
              remediation: hostile,
              checkId: first.checkId,
              resource: { ...first.resource, namespace: hostile, serviceAccount: hostile },
            },
          ],
        },
        { generatedAt: '2026-12-06T02:00:00.000Z', toolVersion: '0.2.0' },
      ),
      label: hostile,
    });
    expect(out).not.toContain('<img src=x');
    expect(out).not.toContain('<script>alert(2)');
    expect(out).toContain(escapeHtml(hostile));
    expect(escapeHtml(`<a href="x">'&`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
  });

  it('shows drift when there is a previous run, and says the graph needs an inventory when there is none', () => {
    const { scan } = demo();
    const out = renderHtml({
      findings: exportInputOfScan(scan, { generatedAt: '2026-12-06T02:00:00.000Z', toolVersion: '0.2.0' }),
      drift: { new: scan.findings.slice(0, 2), resolved: scan.findings.slice(2, 3), open: 55 },
    });
    expect(out).toContain('2 new, 1 resolved, 55 open.');
    expect(out).toContain('The graph needs the inventory');
  });
});
