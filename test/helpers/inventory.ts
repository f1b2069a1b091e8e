/**
 * Test inventories. Fixtures are loaded through the real parser (`parseInventory`), so every fixture
 * is an inventory file a user could hand to `irsa-audit scan`; omitted optional arrays are filled by
 * the parser exactly as for users.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding, FindingResource } from '../../lambda/core/findings';
import { parseInventory } from '../../lambda/core/inventory/parse';
import type { Inventory, Severity } from '../../lambda/core/model';

export const FIXTURES_ROOT = path.join(__dirname, '..', 'fixtures');
export const CHECK_FIXTURES_ROOT = path.join(FIXTURES_ROOT, 'checks');
export const REAL_TOOL_FIXTURES_ROOT = path.join(FIXTURES_ROOT, 'real-tools');

/** Parses an inventory document; the parser may mutate its input, so it gets a private copy. */
export function loadInventory(document: unknown, source: string): Inventory {
  return parseInventory(structuredClone(document), source).inventory;
}

/** The parser's warnings for a document (a valid fixture has none, unless it is about bad input). */
export function inventoryWarnings(document: unknown, source: string): string[] {
  return parseInventory(structuredClone(document), source).warnings;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** One expected finding of a check fixture; every field given must match. */
export interface ExpectedFinding {
  checkId: string;
  severity?: Severity;
  resource?: Partial<FindingResource>;
  messageIncludes?: string[];
}

/** A check the engine must report as skipped (not passed, not failed) for a cluster. */
export interface ExpectedSkip {
  checkId: string;
  cluster: string;
}

export interface CheckFixture {
  description: string;
  inventory: unknown;
  /** Exactly the findings of the fixture's check (order-independent); `[]`: the check must not fire. */
  expect: ExpectedFinding[];
  skipped?: ExpectedSkip[];
}

export interface LoadedCheckFixture {
  /** The folder name: the check the fixture is about. */
  checkId: string;
  caseName: string;
  file: string;
  fixture: CheckFixture;
}

export function checkFixtureFolders(): string[] {
  return readdirSync(CHECK_FIXTURES_ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export function loadCheckFixtures(): LoadedCheckFixture[] {
  return checkFixtureFolders().flatMap((checkId) =>
    readdirSync(path.join(CHECK_FIXTURES_ROOT, checkId))
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => {
        const file = path.join(CHECK_FIXTURES_ROOT, checkId, name);
        return {
          checkId,
          caseName: name.slice(0, -'.json'.length),
          file,
          fixture: readJson<CheckFixture>(file),
        };
      }),
  );
}

export function matchesExpectation(finding: Finding, expected: ExpectedFinding): boolean {
  if (finding.checkId !== expected.checkId) return false;
  if (expected.severity !== undefined && finding.severity !== expected.severity) return false;
  for (const [key, value] of Object.entries(expected.resource ?? {})) {
    if (finding.resource[key as keyof FindingResource] !== value) return false;
  }
  return (expected.messageIncludes ?? []).every((text) => finding.message.includes(text));
}

export interface MatchReport {
  /** Expectations no finding satisfied. */
  missing: ExpectedFinding[];
  /** Findings no expectation claimed: checkId, severity, resource and message, for the failure output. */
  unexpected: Pick<Finding, 'checkId' | 'severity' | 'resource' | 'message'>[];
}

/**
 * Pairs findings with expectations one to one (a small backtracking search, so a loose expectation
 * never steals the finding a stricter one needs). Both lists empty means an exact match.
 */
export function matchFindings(findings: Finding[], expected: ExpectedFinding[]): MatchReport {
  const assignment = new Array<number>(expected.length).fill(-1);
  const used = new Set<number>();
  const assign = (index: number): boolean => {
    if (index === expected.length) return true;
    for (let candidate = 0; candidate < findings.length; candidate++) {
      if (used.has(candidate) || !matchesExpectation(findings[candidate], expected[index])) continue;
      used.add(candidate);
      assignment[index] = candidate;
      if (assign(index + 1)) return true;
      used.delete(candidate);
      assignment[index] = -1;
    }
    return false;
  };
  if (!assign(0)) {
    // No complete pairing: report, greedily, which expectations cannot be met.
    used.clear();
    assignment.fill(-1);
    expected.forEach((expectation, index) => {
      const candidate = findings.findIndex((f, i) => !used.has(i) && matchesExpectation(f, expectation));
      if (candidate >= 0) {
        used.add(candidate);
        assignment[index] = candidate;
      }
    });
  }
  return {
    missing: expected.filter((_, index) => assignment[index] < 0),
    unexpected: findings
      .filter((_, index) => !used.has(index))
      .map(({ checkId, severity, resource, message }) => ({ checkId, severity, resource, message })),
  };
}
