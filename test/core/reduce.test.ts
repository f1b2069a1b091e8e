/**
 * The reduced account (lambda/core/reduce.ts) is the same account: same JSON, same findings — message,
 * evidence, commands and fingerprint — on every check fixture, the demo organization, a generated
 * organization and random inventories; and the repeated parts really are one object.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { generateOrgText } from '../../bench/generate-org';
import { CHECKS } from '../../lambda/core/checks/index';
import { runChecks } from '../../lambda/core/engine';
import { parseInventory } from '../../lambda/core/inventory/parse';
import { inventoryToJson } from '../../lambda/core/inventory/trust-policy';
import type { Inventory } from '../../lambda/core/model';
import { reduceAccount } from '../../lambda/core/reduce';
import { inventory as arbitraryInventory } from '../fuzz/arbitraries';

const ROOT = join(__dirname, '..', '..');

function load(text: string, source: string): Inventory {
  return parseInventory(JSON.parse(text), source).inventory;
}

function reduced(inventory: Inventory): Inventory {
  const copy = structuredClone(inventory);
  for (const account of copy.accounts) reduceAccount(account);
  return copy;
}

function expectSameAudit(inventory: Inventory): void {
  const before = inventoryToJson(inventory);
  const expected = runChecks(inventory, CHECKS);
  const after = reduced(inventory);
  expect(inventoryToJson(after)).toBe(before);
  const actual = runChecks(after, CHECKS);
  expect(actual.findings).toEqual(expected.findings);
  expect(actual.checkErrors).toEqual(expected.checkErrors);
}

function checkFixtures(): [string, string][] {
  const directory = join(ROOT, 'test', 'fixtures', 'checks');
  return readdirSync(directory).flatMap((check) =>
    readdirSync(join(directory, check))
      .filter((file) => file.endsWith('.json'))
      .map((file): [string, string] => [`${check}/${file}`, join(directory, check, file)]),
  );
}

describe('reduceAccount', () => {
  it.each(checkFixtures())('keeps the findings of the check fixture %s', (_name, path) => {
    const fixture = JSON.parse(readFileSync(path, 'utf8')) as { inventory: unknown };
    expectSameAudit(parseInventory(fixture.inventory, path).inventory);
  });

  it.each(['demo-org.json', 'demo-org-changed.json'])('keeps the findings of examples/%s', (file) => {
    const path = join(ROOT, 'examples', file);
    expectSameAudit(load(readFileSync(path, 'utf8'), path));
  });

  it('keeps the findings of a generated organization of every trust shape and defect', () => {
    const inventory = load(generateOrgText({ roles: 3000, serviceAccounts: 1500, pods: 4500 }), 'generated');
    expect(runChecks(inventory, CHECKS).findings.length).toBeGreaterThan(100);
    expectSameAudit(inventory);
  });

  it('keeps the findings of random inventories', () => {
    fc.assert(
      fc.property(arbitraryInventory, (inventory) => {
        expectSameAudit(inventory);
      }),
      { numRuns: 150, seed: 20261206 },
    );
  });

  it('shares what repeats and keeps what differs', () => {
    const inventory = load(generateOrgText({ roles: 600, serviceAccounts: 300, pods: 900 }), 'generated');
    const account = reduced(inventory).accounts.find((candidate) =>
      candidate.clusters.some((cluster) => cluster.pods.length > 0),
    );
    if (!account) throw new Error('the generated organization has no pods');
    const pods = account.clusters.flatMap((cluster) => cluster.pods);
    const owners = new Set(pods.map((pod) => pod.owner));
    const ownerNames = new Set(pods.map((pod) => pod.owner && `${pod.owner.kind}/${pod.owner.name}`));
    // One owner object per workload, where every pod had its own.
    expect(owners.size).toBe(ownerNames.size);
    expect(owners.size).toBeLessThan(pods.length);
    const containerLists = new Set(pods.map((pod) => pod.containers));
    const containerTexts = new Set(pods.map((pod) => JSON.stringify(pod.containers)));
    expect(containerLists.size).toBe(containerTexts.size);
    // Pod names are each pod's own.
    expect(new Set(pods.map((pod) => pod.name)).size).toBe(pods.length);

    const documents = new Set(account.roles.map((role) => role.trustPolicy));
    const documentTexts = new Set(account.roles.map((role) => JSON.stringify(role.trustPolicy)));
    expect(documents.size).toBe(documentTexts.size);
    expect(documents.size).toBeLessThan(account.roles.length);
  });

  it('leaves an unparsable trust policy and an account without clusters as they are', () => {
    const inventory: Inventory = {
      schemaVersion: 1,
      accounts: [
        {
          accountId: '111122223333',
          oidcProviders: [],
          roles: [
            { arn: 'arn:aws:iam::111122223333:role/a', trustPolicy: { kind: 'unparsable', reason: 'x' } },
            { arn: 'arn:aws:iam::111122223333:role/b', trustPolicy: { kind: 'unparsable', reason: 'x' } },
          ],
          clusters: [],
          errors: [],
        },
      ],
    };
    const after = reduced(inventory);
    expect(after).toEqual(inventory);
    expectSameAudit(inventory);
  });
});
