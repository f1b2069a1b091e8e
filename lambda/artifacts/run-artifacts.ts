/**
 * The run-artifact bucket of the distributed mode (docs/architecture.md "Distributed mode"): the plan's
 * account list, which the Distributed Map reads with its `ItemReader`, and one gzip-compressed partial
 * inventory per account, each an inventory file of one account (docs/inventory.md). The evaluate step
 * reads the partials back one at a time (a few in flight, in the plan's order) and parses each with the
 * core parser, so no step ever holds the organization as one string.
 */
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gzip } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseInventory } from '../core/inventory/parse';
import { inventoryToJson } from '../core/inventory/trust-policy';
import { type Account, type CoverageError, INVENTORY_SCHEMA_VERSION } from '../core/model';

const gzipAsync = promisify(gzip);

/** An account the plan listed (the shape of an item of the account list). */
export interface PlannedAccount {
  accountId: string;
  name?: string;
}

export interface RunArtifactsOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix of every artifact (default `irsa-audit/runs/`). */
  prefix?: string;
  /** Partials fetched at once while reading (default 8); they are still yielded in the plan's order. */
  readAhead?: number;
}

/** A partial as the evaluate step gets it: the account, or why there is none. */
export type PartialRead =
  | { accountId: string; status: 'read'; account: Account; warnings: string[] }
  | { accountId: string; status: 'missing' | 'invalid'; error: CoverageError };

/** Where an artifact is (what the state machine's ItemReader and the steps pass around). */
export interface ArtifactLocation {
  bucket: string;
  key: string;
}

const DEFAULT_PREFIX = 'irsa-audit/runs/';
/** A partial larger than this is not read (a defective or hostile object must not exhaust memory). */
const MAX_PARTIAL_BYTES = 512 * 2 ** 20;

export class RunArtifacts {
  private readonly client: S3Client;
  readonly bucket: string;
  private readonly prefix: string;
  private readonly readAhead: number;

  constructor(options: RunArtifactsOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.readAhead = Math.max(1, options.readAhead ?? 8);
  }

  accountListKey(runId: string): string {
    return `${this.prefix}${runId}/accounts.json`;
  }

  partialKey(runId: string, accountId: string): string {
    return `${this.prefix}${runId}/partials/${accountId}.json.gz`;
  }

  /** The account list: a JSON array of `{accountId, name?}`, the Distributed Map's items. */
  async writeAccountList(runId: string, accounts: readonly PlannedAccount[]): Promise<ArtifactLocation> {
    const key = this.accountListKey(runId);
    const items = accounts.map((account) =>
      account.name === undefined
        ? { accountId: account.accountId }
        : { accountId: account.accountId, name: account.name },
    );
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(items),
        ContentType: 'application/json',
      }),
    );
    return { bucket: this.bucket, key };
  }

  async readAccountList(runId: string): Promise<PlannedAccount[]> {
    const text = (await this.readObject(this.accountListKey(runId), false)).toString('utf8');
    const items: unknown = JSON.parse(text);
    if (!Array.isArray(items)) throw new Error(`the account list of run ${runId} is not a JSON array`);
    return items.map((item, index) => {
      const accountId = (item as { accountId?: unknown })?.accountId;
      const name = (item as { name?: unknown })?.name;
      if (typeof accountId !== 'string') {
        throw new Error(`the account list of run ${runId} has no accountId at index ${index}`);
      }
      return typeof name === 'string' ? { accountId, name } : { accountId };
    });
  }

  /** One account's partial inventory, gzip-compressed (an inventory file of one account). */
  async writePartial(runId: string, account: Account, generatedAt: string): Promise<ArtifactLocation> {
    const key = this.partialKey(runId, account.accountId);
    const text = inventoryToJson({
      schemaVersion: INVENTORY_SCHEMA_VERSION,
      generatedAt,
      accounts: [account],
    });
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: await gzipAsync(Buffer.from(text, 'utf8')),
        ContentType: 'application/gzip',
      }),
    );
    return { bucket: this.bucket, key };
  }

  /**
   * The partials of `accounts`, in that order, each parsed on its own. A missing partial (its child
   * failed or timed out) or one that does not parse is reported as such, for the caller to record as
   * a coverage error of that account; other S3 errors throw.
   */
  async *readPartials(runId: string, accounts: readonly PlannedAccount[]): AsyncGenerator<PartialRead> {
    const inFlight: Promise<PartialRead>[] = [];
    let next = 0;
    const fill = () => {
      while (next < accounts.length && inFlight.length < this.readAhead) {
        const read = this.readPartial(runId, accounts[next++].accountId);
        // Rejections surface when awaited below, in order; this only prevents an "unhandled" warning.
        read.catch(() => {});
        inFlight.push(read);
      }
    };
    fill();
    while (inFlight.length > 0) {
      const read = await inFlight.shift()!;
      fill();
      yield read;
    }
  }

  async readPartial(runId: string, accountId: string): Promise<PartialRead> {
    const key = this.partialKey(runId, accountId);
    let body: Buffer;
    try {
      body = await this.readObject(key, true);
    } catch (error) {
      if (isUnreadable(error)) return invalid(accountId, error.message);
      if (isMissing(error)) {
        return {
          accountId,
          status: 'missing',
          error: {
            scope: 'account',
            code: 'NotScanned',
            message:
              'Not scanned: the collect step for this account wrote no result (its batch failed or timed out).',
          },
        };
      }
      throw error;
    }
    const source = `s3://${this.bucket}/${key}`;
    try {
      const { inventory, warnings } = parseInventory(JSON.parse(body.toString('utf8')), source);
      const account = inventory.accounts.length === 1 ? inventory.accounts[0] : undefined;
      if (!account || account.accountId !== accountId) {
        throw new Error(`expected exactly account ${accountId}`);
      }
      return { accountId, status: 'read', account, warnings };
    } catch (error) {
      return invalid(accountId, error instanceof Error ? error.message : String(error));
    }
  }

  /** The object's bytes, gunzipped while streaming when `gzipped`, capped at MAX_PARTIAL_BYTES. */
  private async readObject(key: string, gzipped: boolean): Promise<Buffer> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const body = response.Body;
    if (!(body instanceof Readable)) throw new Error(`s3://${this.bucket}/${key}: no body stream`);
    const stream = gzipped ? body.pipe(createGunzip()) : body;
    if (gzipped) body.on('error', (error) => stream.destroy(error));
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of stream) {
        size += (chunk as Buffer).length;
        if (size > MAX_PARTIAL_BYTES) {
          throw unreadable(`it is larger than ${MAX_PARTIAL_BYTES} bytes uncompressed`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      stream.destroy();
      body.destroy();
      // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR…): the object is not gzip, or is cut short.
      const zlibCode = (error as { code?: string })?.code;
      if (typeof zlibCode === 'string' && zlibCode.startsWith('Z_')) {
        throw unreadable(`it is not a complete gzip stream (${zlibCode})`);
      }
      throw error;
    }
    return Buffer.concat(chunks, size);
  }
}

/** An object that exists but cannot be a partial (too large, not gzip): reported, not thrown on. */
function unreadable(reason: string): Error {
  return Object.assign(new Error(reason), { partialUnreadable: true });
}

function isUnreadable(error: unknown): error is Error {
  return (error as { partialUnreadable?: unknown })?.partialUnreadable === true;
}

function invalid(accountId: string, detail: string): PartialRead {
  return {
    accountId,
    status: 'invalid',
    error: {
      scope: 'account',
      code: 'InventoryInvalid',
      message: `Not scanned: the collect step's result for this account could not be read: ${detail.slice(0, 500)}`,
    },
  };
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}
