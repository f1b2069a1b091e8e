import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventoryFile } from '../../lambda/cli/inventory-file';
import { parseInventory } from '../../lambda/core/inventory/parse';
import { parseInventoryText } from '../../lambda/core/inventory/parse-text';
import { ACCOUNT, FIXTURES, fixture, ISSUER, inventoryError, PROVIDER_ARN } from './helpers';
import { SchemaValidator } from './json-schema-lite';

// biome-ignore lint/suspicious/noExplicitAny: documents are untyped JSON
type Json = any;

const ROOT = join(__dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'inventory.md'), 'utf8');
const validator = new SchemaValidator(
  JSON.parse(readFileSync(join(ROOT, 'schema', 'inventory.schema.json'), 'utf8')),
);

function fencedBlocks(info: string): string[] {
  const blocks: string[] = [];
  const re = new RegExp(`^\`\`\`${info}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  for (let match = re.exec(doc); match; match = re.exec(doc)) blocks.push(match[1]);
  return blocks;
}

describe('docs/inventory.md', () => {
  const examples = fencedBlocks('json example');

  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((text, i) => [i + 1, text]))(
    'example %i parses without warnings and matches the schema',
    (_n, text) => {
      const { inventory, warnings } = parseInventoryText(text as string, `docs example`);

      expect(warnings).toEqual([]);
      expect(inventory.accounts.length).toBeGreaterThan(0);
      expect(validator.validate(JSON.parse(text as string))).toEqual([]);
    },
  );

  it('shows the error message the parser really prints', () => {
    const [shown] = fencedBlocks('text');
    const trust = { Version: '2012-10-17', Statement: [] };
    const roles = Array.from({ length: 5 }, (_, i) => ({
      arn: `arn:aws:iam::${ACCOUNT}:role/r${i}`,
      trustPolicy: trust,
    }));
    roles[4].arn = 'payments-api';
    const items = Array.from({ length: 8 }, (_, i) => ({
      kind: 'ServiceAccount',
      metadata: { name: `sa${i}`, namespace: 'ns' },
    }));
    delete (items[7].metadata as Json).namespace;
    const document = {
      schemaVersion: 1,
      accounts: [
        {
          accountId: 111122223333,
          roles,
          clusters: [{ name: 'c', region: 'us-west-2', serviceAccounts: { kind: 'List', items } }],
        },
      ],
    };

    const error = inventoryError(() => parseInventory(document, 'inventory.json'));

    expect(`${error.message}\n`).toBe(shown);
  });

  it('shows the not-JSON message the loader really prints', () => {
    const shown = /`(inventory\.json is not valid JSON: line 14, column 5: [^`]+)`/.exec(doc)?.[1];
    const text = `{\n${'  "a": 1,\n'.repeat(12)}    }\n`;

    const error = inventoryError(() => parseInventoryText(text, 'inventory.json'));

    expect(error.message).toBe(shown);
  });
});

describe('the assemble-inventory.sh recipe in docs/inventory.md', () => {
  const PROD_ISSUER = `https://${ISSUER}`;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'irsa-recipe-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function recipe(): string {
    const marker = doc.indexOf('<!-- recipe: assemble-inventory.sh');
    expect(marker).toBeGreaterThan(0);
    const match = /```bash\n([\s\S]*?)^```$/m.exec(doc.slice(marker));
    return match![1];
  }

  /** Stub `aws` and `kubectl`: print the recorded outputs from test/fixtures/inventory. */
  function writeStubs(bin: string): void {
    const describe = fixture<Json>('describe-cluster.json').cluster;
    writeFileSync(join(bin, 'cluster-prod.json'), JSON.stringify(describe, null, 2));
    writeFileSync(
      join(bin, 'cluster-private.json'),
      JSON.stringify({ ...describe, name: 'private', arn: describe.arn.replace('/prod', '/private') }),
    );
    const aws = `#!/usr/bin/env bash
echo "aws $*" >> "${bin}/calls.log"
args="$*"; region=''; name=''; kubeconfig=''
while [ $# -gt 0 ]; do
  case "$1" in
    --region) region=$2; shift ;;
    --name|--cluster-name) name=$2; shift ;;
    --kubeconfig) kubeconfig=$2; shift ;;
  esac
  shift
done
case "$args" in
  "sts get-caller-identity"*) echo ${ACCOUNT} ;;
  "iam list-open-id-connect-providers"*) printf '%s\\n' "${PROVIDER_ARN}" ;;
  "iam get-account-authorization-details"*) cat "${FIXTURES}/gaad-roles.json" ;;
  "iam get-open-id-connect-provider"*) cat "${FIXTURES}/get-open-id-connect-provider.json" ;;
  "eks list-clusters"*)
    case "$region" in
      us-west-2) printf 'prod\\tprivate\\n' ;;
      eu-west-1) printf '\\n' ;;
      *) echo "An error occurred (UnrecognizedClientException) when calling the ListClusters operation: The security token included in the request is invalid" >&2; exit 254 ;;
    esac ;;
  "eks describe-cluster"*) cat "${bin}/cluster-$name.json" ;;
  "eks list-pod-identity-associations"*) if [ "$name" = prod ]; then printf 'a-0123456789abcdefg\\n'; else printf '\\n'; fi ;;
  "eks describe-pod-identity-association"*) cat "${FIXTURES}/describe-pod-identity-association.json" ;;
  "eks update-kubeconfig"*) echo "$name" > "$kubeconfig"; echo "Updated context in $kubeconfig" ;;
  *) echo "stub aws: unexpected call: $args" >&2; exit 2 ;;
esac
`;
    const kubectl = `#!/usr/bin/env bash
echo "kubectl $*" >> "${bin}/calls.log"
[ "$1" = --kubeconfig ] || { echo "stub kubectl: expected --kubeconfig" >&2; exit 2; }
case "$(cat "$2")" in
  prod) cat "${FIXTURES}/kubectl-sa-pods.json" ;;
  *) echo 'Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout' >&2; exit 1 ;;
esac
`;
    writeFileSync(join(bin, 'aws'), aws);
    writeFileSync(join(bin, 'kubectl'), kubectl);
    chmodSync(join(bin, 'aws'), 0o755);
    chmodSync(join(bin, 'kubectl'), 0o755);
  }

  it('builds an inventory the loader reads, recording what it could not see', async () => {
    const script = join(dir, 'assemble-inventory.sh');
    writeFileSync(script, recipe());
    writeStubs(dir);
    const out = join(dir, 'inventory.json');

    execFileSync('bash', [script, out, 'us-west-2', 'eu-west-1', 'ap-south-2'], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      stdio: 'pipe',
    });
    const { inventory, warnings } = await loadInventoryFile(out);

    const [account] = inventory.accounts;
    expect(account.accountId).toBe(ACCOUNT);
    expect(account.roles.map((r) => r.arn)).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/orders-api`,
      `arn:aws:iam::${ACCOUNT}:role/platform/external-dns`,
      `arn:aws:iam::${ACCOUNT}:role/broken-trust`,
    ]);
    expect(account.oidcProviders).toEqual([
      { arn: PROVIDER_ARN, url: ISSUER, clientIds: ['sts.amazonaws.com'] },
    ]);
    expect(account.clusters.map((c) => [c.name, c.region, c.oidcIssuer, c.kubernetes.status])).toEqual([
      ['prod', 'us-west-2', PROD_ISSUER, 'ok'],
      ['private', 'us-west-2', PROD_ISSUER, 'unreachable'],
    ]);
    const [prod, unreachable] = account.clusters;
    expect(prod.podIdentityAssociations).toMatchObject([
      { namespace: 'billing', roleArn: expect.stringContaining('billing-worker') },
    ]);
    expect(prod.serviceAccounts).toHaveLength(3);
    expect(prod.pods).toHaveLength(3);
    expect(unreachable.kubernetes).toEqual({
      status: 'unreachable',
      reason: 'Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout',
    });
    expect(account.errors).toEqual([
      {
        scope: 'region',
        region: 'ap-south-2',
        code: 'ListClustersFailed',
        message: expect.stringContaining(
          '(UnrecognizedClientException) when calling the ListClusters operation',
        ),
      },
    ]);
    expect(warnings).toEqual([expect.stringContaining('role/broken-trust could not be parsed')]);
    const calls = readFileSync(join(dir, 'calls.log'), 'utf8');
    expect(calls).not.toMatch(/get-role /);
  });
});
