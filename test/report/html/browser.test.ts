/**
 * The demo's HTML report in a real browser: headless Chromium (Debian's `chromium` package) driven
 * by playwright-core. Skipped, with a notice, where no Chromium is installed; `.ci/run` installs it
 * and sets REQUIRE_CHROMIUM=1, so there the absence fails instead. The screenshots are saved under
 * test-output/.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { demo, demoHtml, ROOT } from './demo-report';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
const executable = CANDIDATES.find((path): path is string => Boolean(path) && existsSync(path!));
const OUT = join(ROOT, 'test-output');

if (!executable) {
  const message =
    'Browser test of the HTML report skipped: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH).';
  if (process.env.REQUIRE_CHROMIUM === '1')
    throw new Error(`${message} REQUIRE_CHROMIUM=1 makes this a failure.`);
  console.warn(message);
}

const suite = executable ? describe : describe.skip;

suite('HTML report in headless Chromium', () => {
  let browser: Browser;
  const file = join(OUT, 'demo-report.html');

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(file, demoHtml());
    browser = await chromium.launch({
      executablePath: executable,
      // As root in a sandboxless container, and nothing that would reach for the network.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(javaScriptEnabled: boolean) {
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1300, height: 1000 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file://')) problems.push(`request: ${request.url()}`);
    });
    await page.goto(`file://${file}`);
    return { context, page, problems };
  }

  it('opens with no console error and no request, filters, sorts and picks a cluster', async () => {
    const { context, page, problems } = await open(true);
    const { scan, inventory } = demo();
    await page.screenshot({ path: join(OUT, 'demo-report.png'), fullPage: false });

    const rows = page.locator('#findings tbody tr');
    expect(await rows.count()).toBe(scan.findings.length);
    await page.selectOption('#f-severity', { label: 'critical' });
    const critical = scan.findings.filter((f) => f.severity === 'critical').length;
    expect(await page.locator('#findings tbody tr:not([hidden])').count()).toBe(critical);
    expect(await page.textContent('#f-shown')).toBe(`${critical} of ${scan.findings.length} shown`);
    await page.selectOption('#f-severity', { label: 'any' });
    await page.fill('#f-text', 'sub-unrestricted');
    expect(await page.locator('#findings tbody tr:not([hidden])').count()).toBe(
      scan.findings.filter((f) => f.checkId === 'trust.sub-unrestricted').length,
    );
    await page.fill('#f-text', '');

    await page.click('#findings thead th:nth-child(2) button');
    const checks = await page.$$eval('#findings tbody tr', (trs) =>
      trs.map((tr) => tr.getAttribute('data-check')!),
    );
    expect(checks).toEqual([...checks].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));

    const clusters = inventory.accounts.flatMap((a) =>
      a.clusters.map((c) => `cluster:${a.accountId}/${c.region}/${c.name}`),
    );
    expect(await page.locator('.graph[data-cluster]').count()).toBe(clusters.length);
    for (const id of clusters) {
      await page.selectOption('#g-cluster', id);
      const visible = await page.$$eval('.graph[data-cluster]', (gs) =>
        gs
          .filter((g) => !(g as unknown as { hidden: boolean }).hidden)
          .map((g) => g.getAttribute('data-cluster')),
      );
      expect(visible).toEqual([id]);
      expect(await page.locator(`.graph[data-cluster="${id}"] svg path.edge`).count()).toBeGreaterThan(0);
    }
    await page.locator('#graph').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUT, 'demo-report-graph.png') });

    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('stays readable with scripts off: every finding and every cluster graph shown', async () => {
    const { context, page, problems } = await open(false);
    const { scan } = demo();
    expect(await page.locator('#findings tbody tr:visible').count()).toBe(scan.findings.length);
    expect(await page.locator('#filters').isVisible()).toBe(false);
    const graphs = page.locator('.graph[data-cluster]');
    for (let i = 0; i < (await graphs.count()); i++) expect(await graphs.nth(i).isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
