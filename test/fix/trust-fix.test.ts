/**
 * Trust fixes on the demo organization: each one, applied to its role in the inventory, resolves its
 * finding and breaks nothing else; the document keeps every other statement in its order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../../lambda/core/checks/index';
import { runChecks } from '../../lambda/core/engine';
import type { Finding } from '../../lambda/core/findings';
import { planTrustFix, TRUST_FIX_CHECKS, type TrustFixPlan } from '../../lambda/core/fix/trust-fix';
import type { Inventory, JsonObject } from '../../lambda/core/model';
import { loadCheckFixtures, loadInventory } from '../helpers/inventory';

const DEMO = join(__dirname, '..', '..', 'examples', 'demo-org.json');
const inventory = loadInventory(JSON.parse(readFileSync(DEMO, 'utf8')), DEMO);
const before = runChecks(inventory, CHECKS);
const trustFixFindings = before.findings.filter((finding) =>
  (finding.commands ?? []).some((command) => command.startsWith('aws iam update-assume-role-policy')),
);

/** The inventory with the plan applied: the role's new trust policy and the providers it needs. */
function applied(plan: TrustFixPlan, base: Inventory = inventory): Inventory {
  const next = structuredClone(base);
  for (const account of next.accounts) {
    for (const role of account.roles)
      if (role.arn === plan.roleArn) role.trustPolicy = { kind: 'parsed', document: plan.document };
  }
  for (const provider of plan.providers) {
    const account = next.accounts.find((candidate) => candidate.accountId === provider.accountId);
    account?.oidcProviders.push({
      arn: `arn:aws:iam::${provider.accountId}:oidc-provider/${provider.issuer}`,
      url: provider.issuer,
      clientIds: provider.clientIds,
    });
  }
  return next;
}

function statementsOf(document: JsonObject): unknown[] {
  const statement = document.Statement;
  return Array.isArray(statement) ? statement : [statement];
}

function originalTrust(roleArn: string): JsonObject {
  for (const account of inventory.accounts) {
    for (const role of account.roles) {
      if (role.arn === roleArn && role.trustPolicy.kind === 'parsed') return role.trustPolicy.document;
    }
  }
  throw new Error(`no parsed trust for ${roleArn}`);
}

describe('trust fixes on the demo organization', () => {
  it('the demo has trust fixes of every kind the issue names', () => {
    const checks = new Set(trustFixFindings.map((finding) => finding.checkId));
    for (const id of ['sa.role-untrusted', 'trust.sub-unrestricted', 'trust.provider-missing'])
      expect(checks).toContain(id);
    expect(trustFixFindings.length).toBeGreaterThanOrEqual(20);
    for (const finding of trustFixFindings) expect(TRUST_FIX_CHECKS).toContain(finding.checkId);
  });

  it.each(trustFixFindings.map((finding) => [finding.checkId, finding.fingerprint, finding] as const))(
    '%s %s: the fix resolves the finding and breaks no other workload of the role',
    (_check, fingerprint, finding: Finding) => {
      const plan = planTrustFix(finding, inventory);
      expect(plan.fileName).toBe(`${plan.roleArn.slice(plan.roleArn.lastIndexOf('/') + 1)}.trust.json`);
      // The command the finding shows reads exactly the file `irsa-audit fix` writes.
      expect(finding.commands).toContainEqual(
        expect.stringMatching(new RegExp(`--policy-document file://${plan.fileName.replace(/\./g, '\\.')}$`)),
      );

      const after = runChecks(applied(plan), CHECKS);
      const afterPrints = new Set(after.findings.map((f) => f.fingerprint));
      expect(afterPrints.has(fingerprint)).toBe(false);
      // Nothing new anywhere: no other service account of the role (or anything else) broken.
      const beforePrints = new Set(before.findings.map((f) => f.fingerprint));
      const added = after.findings.filter((f) => !beforePrints.has(f.fingerprint));
      expect(added.map((f) => `${f.checkId} ${f.message}`)).toEqual([]);
    },
  );

  it.each(trustFixFindings.map((finding) => [finding.checkId, finding.fingerprint, finding] as const))(
    '%s %s: every statement is kept, in order, and at most the named one is changed',
    (_check, _fingerprint, finding: Finding) => {
      const plan = planTrustFix(finding, inventory);
      const old = statementsOf(originalTrust(plan.roleArn));
      const next = statementsOf(plan.document);
      expect(next.length === old.length || next.length === old.length + 1).toBe(true);
      const changed = old.filter(
        (statement, index) => JSON.stringify(statement) !== JSON.stringify(next[index]),
      );
      expect(changed.length).toBeLessThanOrEqual(1);
      if (next.length > old.length) expect(changed).toEqual([]);
      expect(plan.changes.length).toBeGreaterThan(0);
      // Everything outside Statement is untouched (Version, Id).
      const { Statement: _a, ...restOld } = originalTrust(plan.roleArn);
      const { Statement: _b, ...restNew } = plan.document;
      expect(restNew).toEqual(restOld);
    },
  );

  it('replaces the wrong subject instead of adding the right one beside it', () => {
    const velero = trustFixFindings.find(
      (finding) => finding.checkId === 'sa.role-untrusted' && finding.resource.serviceAccount === 'velero',
    );
    expect(velero).toBeDefined();
    const plan = planTrustFix(velero!, inventory);
    const text = JSON.stringify(plan.document);
    const wrong = JSON.stringify(originalTrust(plan.roleArn)).match(/system:serviceaccount:[^"]*/g) ?? [];
    expect(wrong.length).toBeGreaterThan(0);
    for (const subject of wrong) expect(text).not.toContain(`"${subject}"`);
    expect(text).toContain('"system:serviceaccount:velero:velero"');
  });

  it('restricts an unrestricted statement to the service accounts that use the role', () => {
    const open = trustFixFindings.find((finding) => finding.checkId === 'trust.sub-unrestricted');
    const plan = planTrustFix(open!, inventory);
    const statement = statementsOf(plan.document)[open!.resource.statement!] as JsonObject;
    const condition = statement.Condition as Record<string, Record<string, unknown>>;
    const subKey = Object.keys(condition.StringEquals).find((key) => key.endsWith(':sub'));
    expect(subKey).toBeDefined();
    expect(JSON.stringify(condition.StringEquals[subKey!])).not.toContain('*');
  });

  it('refuses findings that are not trust fixes, and roles it cannot see', () => {
    const restart = before.findings.find((finding) => finding.checkId === 'pod.irsa-not-injected');
    expect(() => planTrustFix(restart!, inventory)).toThrow(/not fixed by a new trust policy/);
    const ghost: Finding = {
      ...trustFixFindings[0],
      resource: { ...trustFixFindings[0].resource, roleArn: 'arn:aws:iam::111122223333:role/none' },
    };
    expect(() => planTrustFix(ghost, inventory)).toThrow(/not in the inventory/);
  });
});

describe('trust fixes on the check fixtures', () => {
  const cases = loadCheckFixtures().flatMap((loaded) => {
    const fixtureInventory = loadInventory(loaded.fixture.inventory, loaded.file);
    return runChecks(fixtureInventory, CHECKS)
      .findings.filter((finding) =>
        (finding.commands ?? []).some((command) => command.startsWith('aws iam update-assume-role-policy')),
      )
      .map(
        (finding) =>
          [`${loaded.checkId}/${loaded.caseName}`, finding.checkId, finding, fixtureInventory] as const,
      );
  });

  it('cover explicit Deny, negated subjects, ANDed patterns and claimless keys', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases)('%s %s: resolved, nothing new', (_case, _check, finding: Finding, base: Inventory) => {
    const before = runChecks(base, CHECKS).findings;
    const after = runChecks(applied(planTrustFix(finding, base), base), CHECKS).findings;
    expect(after.map((f) => f.fingerprint)).not.toContain(finding.fingerprint);
    const known = new Set(before.map((f) => f.fingerprint));
    expect(after.filter((f) => !known.has(f.fingerprint)).map((f) => `${f.checkId} ${f.message}`)).toEqual(
      [],
    );
  });

  it('an explicit Deny is left to a person: prose, no trust file', () => {
    const fixture = loadCheckFixtures().find(
      (loaded) => loaded.checkId === 'sa.role-untrusted' && loaded.caseName === 'explicit-deny',
    );
    const base = loadInventory(fixture!.fixture.inventory, fixture!.file);
    const untrusted = runChecks(base, CHECKS).findings.find((f) => f.checkId === 'sa.role-untrusted');
    expect(untrusted?.commands).toBeUndefined();
    expect(untrusted?.remediation).toMatch(/a Deny, excludes this service account/);
    expect(() => planTrustFix(untrusted!, base)).toThrow(/a Deny, excludes/);
  });
});
