import fc from 'fast-check';
import { InventoryError } from '../../lambda/core/inventory/errors';
import { parseInventory } from '../../lambda/core/inventory/parse';
import { parseInventoryText } from '../../lambda/core/inventory/parse-text';
import { fixture, validDocument } from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: fuzzed documents are untyped
type Json = any;

/** Runs the parser; anything it throws must be an InventoryError. */
function outcome(run: () => unknown): 'ok' | 'invalid' {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof InventoryError)) throw error;
    expect(error.message.length).toBeLessThan(20_000);
    return 'invalid';
  }
}

/** Every (path, container) pair of a JSON value, walked iteratively. */
function slots(root: Json): { parent: Json; key: string | number }[] {
  const out: { parent: Json; key: string | number }[] = [];
  const stack: Json[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      out.push({ parent: node, key });
      stack.push(node[key]);
    }
  }
  return out;
}

function richDocument(): Json {
  const document = validDocument();
  const account = document.accounts[0];
  account.roles.push(...fixture<Json>('gaad-roles.json').RoleDetailList);
  account.oidcProviders.push(fixture('get-open-id-connect-provider.json'));
  account.clusters.push({
    ...fixture<Json>('describe-cluster.json'),
    serviceAccounts: fixture('kubectl-sa-pods.json'),
  });
  return document;
}

describe('parseInventory never crashes', () => {
  it('on random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        outcome(() => parseInventory(value, 'fuzz.json'));
        outcome(() => parseInventory({ schemaVersion: 1, accounts: [value] }, 'fuzz.json'));
        outcome(() =>
          parseInventory(
            { schemaVersion: 1, accounts: [{ accountId: '111122223333', clusters: [value] }] },
            'f',
          ),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('on valid documents with one value replaced by random JSON', () => {
    const size = slots(richDocument()).length;
    fc.assert(
      fc.property(fc.nat(size - 1), fc.jsonValue({ maxDepth: 3 }), (index, replacement) => {
        const document = richDocument();
        const slot = slots(document)[index];
        slot.parent[slot.key] = replacement;

        outcome(() => parseInventory(document, 'mutated.json'));
      }),
      { numRuns: 2000 },
    );
  });

  it('on valid documents with one field deleted', () => {
    const size = slots(richDocument()).length;
    for (let index = 0; index < size; index++) {
      const document = richDocument();
      const slot = slots(document)[index];
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key];

      outcome(() => parseInventory(document, 'deleted.json'));
    }
  });

  it('on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(outcome(() => parseInventoryText(text, 'text.json'))).toBe('invalid');
      }),
      { numRuns: 1000 },
    );
  });

  it('on data nested deeper than any recursion limit, where unknown fields and policies may hold it', () => {
    const depth = 100_000;
    const deepText = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const deep = JSON.parse(deepText);
    const document = validDocument();
    document.extra = deep;
    document.accounts[0].roles[0].trustPolicy.Statement[0].Condition.Deep = deep;
    document.accounts[0].roles.push({ arn: 'arn:aws:iam::111122223333:role/deep', trustPolicy: deepText });

    const { warnings } = parseInventory(document, 'deep.json');

    expect(warnings).toEqual([
      expect.stringContaining('role/deep could not be parsed (the trust policy is an array'),
    ]);
    expect(outcome(() => parseInventory({ schemaVersion: 1, accounts: deep }, 'deep.json'))).toBe('invalid');
  });

  it('on huge strings and odd Unicode in names, with short escaped messages', () => {
    const document = validDocument();
    const [serviceAccount] = document.accounts[0].clusters[0].serviceAccounts;
    serviceAccount.name = `\ud800${'x'.repeat(1_000_000)}`;
    serviceAccount.namespace = 'ns\u0000\u202e';

    const error = (() => {
      try {
        parseInventory(document, 'odd.json');
      } catch (caught) {
        return caught as InventoryError;
      }
      throw new Error('expected an error');
    })();

    expect(error.problems).toHaveLength(2);
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).toContain('"\\ud800xxx');
    expect(error.message).toContain('"ns\\u0000\\u202e"');
  });

  it('accepts odd but legal Unicode where Kubernetes and AWS allow any string', () => {
    const document = validDocument();
    document.accounts[0].name = 'Prod 🚀 \u0000 \ud83d';
    document.accounts[0].clusters[0].serviceAccounts[0].annotations['note/\u202e'] = '\u2028 ✓';

    expect(outcome(() => parseInventory(document, 'unicode.json'))).toBe('ok');
  });

  it('handles a __proto__ key as plain data', () => {
    const document = JSON.parse(
      '{"schemaVersion":1,"accounts":[{"accountId":"111122223333","__proto__":{"roles":"x"},' +
        '"clusters":[{"name":"c","region":"us-east-1","serviceAccounts":[{"namespace":"a","name":"b",' +
        '"annotations":{"__proto__":"x","eks.amazonaws.com/role-arn":"y"}}]}]}]}',
    );

    const { inventory } = parseInventory(document, 'proto.json');

    expect(inventory.accounts[0].roles).toEqual([]);
    expect(
      Object.getOwnPropertyDescriptor(
        inventory.accounts[0].clusters[0].serviceAccounts[0].annotations,
        '__proto__',
      )?.value,
    ).toBe(''); // a key the checks do not read: kept without its value
    expect(
      inventory.accounts[0].clusters[0].serviceAccounts[0].annotations['eks.amazonaws.com/role-arn'],
    ).toBe('y');
    expect(({} as Json).roles).toBeUndefined();
  });
});
