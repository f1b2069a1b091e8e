import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INVENTORY_FIELDS, parseInventory } from '../../lambda/core/inventory/parse';
import { ACCOUNT, fixture, inventoryError, validDocument } from './helpers';
import { keywordsOf, refsOf, SchemaValidator, SUPPORTED_KEYWORDS } from './json-schema-lite';

// biome-ignore lint/suspicious/noExplicitAny: schema documents are untyped JSON
type Json = any;

const schemaText = readFileSync(join(__dirname, '..', '..', 'schema', 'inventory.schema.json'), 'utf8');
const schema: Json = JSON.parse(schemaText);
const validator = new SchemaValidator(schema);

/** Where each level of our shape lives in the schema, and how to reach it in a document. */
const LEVELS = {
  inventory: { def: schema, at: (doc: Json) => doc, path: '$' },
  account: { def: schema.$defs.account, at: (doc: Json) => doc.accounts[0], path: '$.accounts[0]' },
  role: {
    def: schema.$defs.role,
    at: (doc: Json) => doc.accounts[0].roles[0],
    path: '$.accounts[0].roles[0]',
  },
  cluster: {
    def: schema.$defs.cluster,
    at: (doc: Json) => doc.accounts[0].clusters[0],
    path: '$.accounts[0].clusters[0]',
  },
} as const;
type Level = keyof typeof LEVELS;
const levels = Object.keys(LEVELS) as Level[];

/** A document holding only the required fields of every level. */
function minimalDocument(): Json {
  return {
    schemaVersion: 1,
    accounts: [
      {
        accountId: ACCOUNT,
        roles: [
          { arn: `arn:aws:iam::${ACCOUNT}:role/r`, trustPolicy: { Version: '2012-10-17', Statement: [] } },
        ],
        clusters: [{ name: 'prod', region: 'us-west-2' }],
      },
    ],
  };
}

describe('schema/inventory.schema.json', () => {
  it('is a draft 2020-12 schema whose $refs all resolve', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const refs = refsOf(schema);

    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(() => validator.resolve(ref)).not.toThrow();
  });

  it('uses only keywords the test validator understands', () => {
    const unknown = [...keywordsOf(schema)].filter((k) => !SUPPORTED_KEYWORDS.has(k));

    expect(unknown).toEqual([]);
  });

  it('describes every definition', () => {
    const undocumented = Object.entries(schema.$defs as Record<string, Json>)
      .filter(
        ([, def]) => def.description === undefined && def.type !== 'string' && def.properties !== undefined,
      )
      .map(([name]) => name);

    expect(undocumented).toEqual([]);
  });

  it.each(levels)('%s: required and properties match the fields the parser reads', (level) => {
    const def = LEVELS[level].def;
    const fields = INVENTORY_FIELDS[level];

    expect([...def.required].sort()).toEqual([...fields.required].sort());
    expect(Object.keys(def.properties).sort()).toEqual([...fields.required, ...fields.optional].sort());
  });

  it.each(levels)('%s: removing any required field is rejected by the parser, at that path', (level) => {
    for (const field of LEVELS[level].def.required as string[]) {
      const document = minimalDocument();
      delete LEVELS[level].at(document)[field];

      const error = inventoryError(() => parseInventory(document, 'min.json'));

      expect(error.problems.map((p) => p.path)).toContain(`${LEVELS[level].path}.${field}`);
      expect(validator.validate(document).length).toBeGreaterThan(0);
    }
  });

  it.each(levels)('%s: removing any optional field still parses and validates', (level) => {
    const fields = Object.keys(LEVELS[level].def.properties).filter(
      (f) => !LEVELS[level].def.required.includes(f),
    );
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) {
      const document = validDocument();
      delete LEVELS[level].at(document)[field];

      expect(validator.validate(document)).toEqual([]);
      expect(() => parseInventory(document, 'full.json')).not.toThrow();
    }
  });

  it.each(levels)('%s: every declared property is read by the parser (a wrong type is reported)', (level) => {
    for (const field of Object.keys(LEVELS[level].def.properties)) {
      const document = validDocument();
      LEVELS[level].at(document)[field] = true;
      const where = `${LEVELS[level].path}.${field}`;

      expect(validator.validate(document).length).toBeGreaterThan(0);
      let reported: string[];
      try {
        reported = parseInventory(document, 'typed.json').warnings;
      } catch (error) {
        reported = inventoryError(() => {
          throw error;
        }).problems.map((p) => `${p.path}: ${p.message}`);
      }
      expect(reported.some((text) => text.includes(`${where}: `) || text.startsWith(`${where}`))).toBe(true);
    }
  });

  it('accepts a valid document in our shape', () => {
    expect(validator.validate(validDocument())).toEqual([]);
  });

  it('accepts the raw AWS CLI and kubectl shapes', () => {
    const document = {
      schemaVersion: 1,
      accounts: [
        {
          accountId: ACCOUNT,
          roles: fixture('gaad-roles.json'),
          oidcProviders: [fixture('get-open-id-connect-provider.json')],
          clusters: [
            {
              ...fixture<Json>('describe-cluster.json'),
              podIdentityAssociations: [fixture('describe-pod-identity-association.json')],
              serviceAccounts: fixture('kubectl-sa-pods.json'),
            },
            {
              name: 'other',
              region: 'eu-west-1',
              podIdentityAssociations: fixture('list-pod-identity-associations.json'),
              pods: fixture('kubectl-sa-pods.json'),
            },
          ],
        },
        { accountId: '444455556666', roles: { Roles: fixture<Json>('gaad-roles.json').RoleDetailList } },
      ],
    };

    expect(validator.validate(document)).toEqual([]);
    expect(() => parseInventory(document, 'raw.json')).not.toThrow();
  });

  it.each([
    ['accountId as a number', (doc: Json) => (doc.accounts[0].accountId = 111122223333)],
    ['schemaVersion 2', (doc: Json) => (doc.schemaVersion = 2)],
    ['role without trust policy', (doc: Json) => delete doc.accounts[0].roles[0].trustPolicy],
    [
      'unreachable without reason',
      (doc: Json) => (doc.accounts[0].clusters[0].kubernetes = { status: 'unreachable' }),
    ],
    ['pod without containers', (doc: Json) => delete doc.accounts[0].clusters[0].pods[0].containers],
    ['cluster coverage error without cluster', (doc: Json) => (doc.accounts[0].errors[0].scope = 'cluster')],
    [
      'annotation that is not a string',
      (doc: Json) => (doc.accounts[0].clusters[0].serviceAccounts[0].annotations.a = 1),
    ],
  ])('rejects what the parser rejects: %s', (_label, mutate) => {
    const document = validDocument();
    mutate(document);

    expect(validator.validate(document).length).toBeGreaterThan(0);
    expect(inventoryError(() => parseInventory(document, 'bad.json')).code).toBe('InventoryInvalid');
  });
});
