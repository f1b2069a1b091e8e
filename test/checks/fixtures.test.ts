/**
 * Per-check fixtures (test/fixtures/checks/<check-id>/<case>.json): each runs ALL checks over its
 * inventory, so cross-check interactions surface, then compares the findings of its own check with
 * `expect` exactly. The meta-tests fail unless every registered check has a case that fires and a
 * case that must not, and every finding carries a stable fingerprint.
 */
import { CHECKS } from '../../lambda/core/checks';
import { runChecks } from '../../lambda/core/engine';
import type { Finding } from '../../lambda/core/findings';
import type { Inventory } from '../../lambda/core/model';
import { SEVERITIES } from '../../lambda/core/model';
import {
  checkFixtureFolders,
  inventoryWarnings,
  type LoadedCheckFixture,
  loadCheckFixtures,
  loadInventory,
  matchFindings,
} from '../helpers/inventory';

const fixtures = loadCheckFixtures();
const checkIds = CHECKS.map((check) => check.id);

const EKS_ISSUER_URL =
  /^https:\/\/oidc\.eks\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?\/id\/[0-9A-F]{32}$/;

function scan(fixture: LoadedCheckFixture, generatedAt?: string) {
  const inventory: Inventory = loadInventory(fixture.fixture.inventory, fixture.file);
  if (generatedAt !== undefined) inventory.generatedAt = generatedAt;
  return runChecks(inventory, CHECKS);
}

describe('check fixtures', () => {
  test.each(fixtures.map((fixture) => [`${fixture.checkId}/${fixture.caseName}`, fixture] as const))(
    '%s',
    (_label, fixture) => {
      // Arrange
      const { checkId } = fixture;
      const expectedSkips = fixture.fixture.skipped ?? [];

      // Act
      const result = scan(fixture);

      // Assert
      expect(result.checkErrors).toEqual([]);
      const own = result.findings.filter((finding) => finding.checkId === checkId);
      expect(matchFindings(own, fixture.fixture.expect)).toEqual({ missing: [], unexpected: [] });
      for (const skip of expectedSkips) {
        expect(result.skipped).toEqual(
          expect.arrayContaining([expect.objectContaining({ checkId: skip.checkId, cluster: skip.cluster })]),
        );
      }
      if (expectedSkips.length === 0) {
        expect(result.skipped.filter((skip) => skip.checkId === checkId)).toEqual([]);
      }
    },
  );
});

describe('check fixture catalogue', () => {
  test('every registered check has a fixture that fires and one that must not', () => {
    // Arrange
    const byCheck = new Map<string, { firing: number; silent: number }>();
    for (const fixture of fixtures) {
      const counts = byCheck.get(fixture.checkId) ?? { firing: 0, silent: 0 };
      if (fixture.fixture.expect.length > 0) counts.firing++;
      else counts.silent++;
      byCheck.set(fixture.checkId, counts);
    }

    // Act
    const incomplete = checkIds.filter((id) => {
      const counts = byCheck.get(id);
      return !counts || counts.firing === 0 || counts.silent === 0;
    });

    // Assert
    expect(incomplete).toEqual([]);
  });

  test('every fixture folder names a registered check', () => {
    expect(checkFixtureFolders().filter((folder) => !checkIds.includes(folder))).toEqual([]);
  });

  test('every fixture is well-formed: a description, expectations only for its own check', () => {
    const problems = fixtures.flatMap((fixture) => {
      const label = `${fixture.checkId}/${fixture.caseName}`;
      const found: string[] = [];
      const { description, expect: expected, skipped } = fixture.fixture;
      if (typeof description !== 'string' || description.trim().length < 10)
        found.push(`${label}: description`);
      if (!Array.isArray(expected)) found.push(`${label}: expect is not an array`);
      else if (expected.some((entry) => entry.checkId !== fixture.checkId))
        found.push(`${label}: expects findings of another check`);
      if (skipped?.some((entry) => entry.checkId !== fixture.checkId))
        found.push(`${label}: expects another check to be skipped`);
      return found;
    });
    expect(problems).toEqual([]);
  });

  test('fixtures are clean inventories: the parser only warns about a trust policy meant to be unparsable', () => {
    const warnings = fixtures.flatMap((fixture) =>
      inventoryWarnings(fixture.fixture.inventory, fixture.file).filter(
        (warning) => !warning.includes('could not be parsed'),
      ),
    );
    expect(warnings).toEqual([]);
  });

  test('fixtures use realistic identifiers (12-digit accounts, real EKS issuer URLs)', () => {
    const problems = fixtures.flatMap((fixture) => {
      const inventory = loadInventory(fixture.fixture.inventory, fixture.file);
      return inventory.accounts.flatMap((account) => [
        ...(/^\d{12}$/.test(account.accountId) ? [] : [`${fixture.caseName}: account ${account.accountId}`]),
        ...account.clusters
          .filter((cluster) => cluster.oidcIssuer !== undefined && !EKS_ISSUER_URL.test(cluster.oidcIssuer))
          .map((cluster) => `${fixture.caseName}: issuer ${cluster.oidcIssuer}`),
      ]);
    });
    expect(problems).toEqual([]);
  });
});

describe('unreadable clusters', () => {
  const kubernetesChecks = CHECKS.filter(
    (check) => check.reads.includes('service-accounts') || check.reads.includes('pods'),
  ).map((check) => check.id);
  const unreadable = fixtures.flatMap((fixture) => {
    const inventory = loadInventory(fixture.fixture.inventory, fixture.file);
    const clusters = inventory.accounts.flatMap((account) =>
      account.clusters
        .filter((cluster) => cluster.kubernetes.status !== 'ok')
        .map((cluster) => ({ accountId: account.accountId, region: cluster.region, name: cluster.name })),
    );
    return clusters.length > 0 ? [{ fixture, clusters, result: runChecks(inventory, CHECKS) }] : [];
  });

  test('some fixtures have a cluster whose Kubernetes API could not be read', () => {
    expect(unreadable.length).toBeGreaterThanOrEqual(5);
  });

  test('every check that needs Kubernetes data is reported skipped for them, never passed or failed', () => {
    const problems = unreadable.flatMap(({ fixture, clusters, result }) =>
      clusters.flatMap((cluster) => [
        ...kubernetesChecks
          .filter(
            (id) =>
              !result.skipped.some(
                (skip) =>
                  skip.checkId === id &&
                  skip.accountId === cluster.accountId &&
                  skip.cluster === cluster.name,
              ),
          )
          .map((id) => `${fixture.caseName}: ${id} not skipped for ${cluster.name}`),
        ...result.findings
          .filter(
            (finding) =>
              kubernetesChecks.includes(finding.checkId) &&
              finding.resource.accountId === cluster.accountId &&
              finding.resource.cluster === cluster.name,
          )
          .map((finding) => `${fixture.caseName}: ${finding.checkId} reported for ${cluster.name}`),
      ]),
    );
    expect(problems).toEqual([]);
  });
});

describe('findings of every fixture', () => {
  const runs = fixtures.map((fixture) => ({ fixture, findings: scan(fixture).findings }));
  const all: Finding[] = runs.flatMap((run) => run.findings);

  test('the fixtures produce findings of every check (sanity)', () => {
    expect(checkIds.filter((id) => !all.some((finding) => finding.checkId === id))).toEqual([]);
  });

  test('carry a 16-hex fingerprint, a known severity, a title, a message and a remediation', () => {
    const malformed = all.filter(
      (finding) =>
        !/^[0-9a-f]{16}$/.test(finding.fingerprint) ||
        !SEVERITIES.includes(finding.severity) ||
        finding.title.trim() === '' ||
        finding.message.trim() === '' ||
        finding.remediation.trim() === '' ||
        !/^\d{12}$/.test(finding.resource.accountId),
    );
    expect(malformed).toEqual([]);
  });

  test('fingerprints are unique within a run', () => {
    const duplicated = runs.filter(
      (run) => new Set(run.findings.map((finding) => finding.fingerprint)).size !== run.findings.length,
    );
    expect(duplicated.map((run) => run.fixture.file)).toEqual([]);
  });

  test('fingerprints are identical across runs and do not depend on generatedAt', () => {
    // Arrange
    const fingerprints = (findings: Finding[]) => findings.map((finding) => finding.fingerprint).sort();

    // Act
    const changed = runs.filter((run) => {
      const again = scan(run.fixture).findings;
      const later = scan(run.fixture, '2027-03-01T03:00:00Z').findings;
      return (
        JSON.stringify(fingerprints(again)) !== JSON.stringify(fingerprints(run.findings)) ||
        JSON.stringify(fingerprints(later)) !== JSON.stringify(fingerprints(run.findings))
      );
    });

    // Assert
    expect(all.length).toBeGreaterThan(0);
    expect(changed.map((run) => run.fixture.file)).toEqual([]);
  });
});
