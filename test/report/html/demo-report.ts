/** The demo organization's HTML report, as `scan --format html` renders it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../../../lambda/core/checks/index';
import { runChecks } from '../../../lambda/core/engine';
import type { Inventory } from '../../../lambda/core/model';
import type { ScanResult } from '../../../lambda/core/scan-result';
import { exportInputOfScan } from '../../../lambda/report/export/export-input';
import { identityGraph } from '../../../lambda/report/html/graph';
import { renderHtml } from '../../../lambda/report/html/html-report';
import { loadInventory } from '../../helpers/inventory';

export const ROOT = join(__dirname, '..', '..', '..');

export function demo(): { inventory: Inventory; scan: ScanResult } {
  const file = join(ROOT, 'examples', 'demo-org.json');
  const inventory = loadInventory(JSON.parse(readFileSync(file, 'utf8')), file);
  return { inventory, scan: runChecks(inventory, CHECKS) };
}

export function demoHtml(): string {
  const { inventory, scan } = demo();
  return renderHtml({
    findings: exportInputOfScan(scan, { generatedAt: '2026-12-06T02:00:00.000Z', toolVersion: '0.2.0' }),
    summary: scan.summary,
    graph: identityGraph(inventory, scan),
    label: 'demo',
  });
}
