/** The demo organization's scan, the input every export test renders. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../../../lambda/core/checks/index';
import { runChecks } from '../../../lambda/core/engine';
import type { ScanResult } from '../../../lambda/core/scan-result';
import type { ExportInput } from '../../../lambda/report/export/export-input';
import { exportInputOfScan } from '../../../lambda/report/export/export-input';
import { loadInventory } from '../../helpers/inventory';

export const ROOT = join(__dirname, '..', '..', '..');

export function demoScan(): ScanResult {
  const file = join(ROOT, 'examples', 'demo-org.json');
  return runChecks(loadInventory(JSON.parse(readFileSync(file, 'utf8')), file), CHECKS);
}

export function demoExport(): ExportInput {
  return exportInputOfScan(demoScan(), { generatedAt: '2026-12-06T02:00:00.000Z', toolVersion: '0.2.0' });
}
