import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { serviceError } from '../../bench/collect-sim';
import { ApiCaller } from '../../lambda/collect/api-call';
import { createSdkClientFactory } from '../../lambda/collect/clients';
import { AssumeRoleError, CredentialBroker, sessionNameFor } from '../../lambda/collect/credentials';
import { Semaphore } from '../../lambda/collect/pool';

const sts = mockClient(STSClient);
afterEach(() => sts.reset());
afterAll(() => sts.restore());

const HOUR = 3600_000;

function broker(
  options: {
    now?: () => number;
    partition?: string;
    externalId?: string;
    assumeRoleInOwnAccount?: boolean;
  } = {},
) {
  const now = options.now ?? (() => Date.parse('2026-11-29T03:00:00Z'));
  const clock = { now, sleep: async () => {} };
  const callerCredentials = jest.fn(async () => ({ accessKeyId: 'AKIACALLER', secretAccessKey: 'x' }));
  const instance = new CredentialBroker(
    {
      accountId: '999999999999',
      arn: 'arn:aws:sts::999999999999:assumed-role/Audit/me',
      partition: options.partition ?? 'aws',
    },
    callerCredentials,
    {
      runId: '20261129T030000Z',
      roleName: 'IrsaAuditorMemberRole',
      homeRegion: 'eu-west-1',
      sessionDurationSeconds: 3600,
      credentialRefreshMarginMs: 5 * 60_000,
      ...(options.externalId ? { externalId: options.externalId } : {}),
      ...(options.assumeRoleInOwnAccount ? { assumeRoleInOwnAccount: true } : {}),
    },
    createSdkClientFactory({ maxAttempts: 1, requestTimeoutMs: 1000, connectionTimeoutMs: 1000 }),
    new ApiCaller(new Semaphore(4), { stormRetries: 0, stormBackoffMs: 0 }, clock),
    clock,
  );
  return { broker: instance, callerCredentials };
}

function assumed(expiresAt: number, key = 'ASIA1') {
  return {
    Credentials: {
      AccessKeyId: key,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(expiresAt),
    },
  };
}

describe('CredentialBroker', () => {
  it('assumes the member role once per account and shares it between concurrent callers', async () => {
    const start = Date.parse('2026-11-29T03:00:00Z');
    sts.on(AssumeRoleCommand).resolves(assumed(start + HOUR));
    const { broker: credentials } = broker({ externalId: 'ext-1' });

    const [a, b] = await Promise.all([credentials.get('111122223333'), credentials.get('111122223333')]);
    const again = await credentials.provider('111122223333')();

    expect(a).toEqual({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration: new Date(start + HOUR),
    });
    expect(b).toBe(a);
    expect(again).toBe(a);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::111122223333:role/IrsaAuditorMemberRole',
      RoleSessionName: 'irsa-auditor-20261129T030000Z',
      DurationSeconds: 3600,
      ExternalId: 'ext-1',
    });
  });

  it('renews the credentials before they expire (role chaining caps them at an hour)', async () => {
    let now = Date.parse('2026-11-29T03:00:00Z');
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(assumed(now + HOUR, 'ASIA-FIRST'))
      .resolvesOnce(assumed(now + 2 * HOUR, 'ASIA-SECOND'));
    const { broker: credentials } = broker({ now: () => now });

    expect((await credentials.get('111122223333')).accessKeyId).toBe('ASIA-FIRST');
    now += 50 * 60_000; // 10 minutes left: still outside the 5-minute margin
    expect((await credentials.get('111122223333')).accessKeyId).toBe('ASIA-FIRST');
    now += 6 * 60_000; // 4 minutes left: renew
    expect((await credentials.get('111122223333')).accessKeyId).toBe('ASIA-SECOND');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it("uses the caller's own credentials for the caller's account, without AssumeRole", async () => {
    const { broker: credentials, callerCredentials } = broker();

    await expect(credentials.get('999999999999')).resolves.toEqual({
      accessKeyId: 'AKIACALLER',
      secretAccessKey: 'x',
    });
    expect(credentials.provider('999999999999')).toBe(callerCredentials);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it("with assumeRoleInOwnAccount, assumes the member role in the caller's own account too (the Lambda)", async () => {
    sts.on(AssumeRoleCommand).resolves(assumed(Date.parse('2026-11-29T04:00:00Z'), 'ASIA-OWN'));
    const { broker: credentials } = broker({ assumeRoleInOwnAccount: true });

    const own = await credentials.get('999999999999');
    const viaProvider = await credentials.provider('999999999999')();

    expect(own.accessKeyId).toBe('ASIA-OWN');
    expect(viaProvider).toBe(own);
    expect(credentials.usesCallerCredentials('999999999999')).toBe(false);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::999999999999:role/IrsaAuditorMemberRole',
    });
  });

  it('builds the role ARN in the caller partition', async () => {
    sts.on(AssumeRoleCommand).resolves(assumed(Date.now() + HOUR));
    const { broker: credentials } = broker({ partition: 'aws-cn' });

    await credentials.get('111122223333');

    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws-cn:iam::111122223333:role/IrsaAuditorMemberRole',
    });
  });

  it('turns a refusal into AssumeRoleError naming the role, and tries again on the next request', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(serviceError('AccessDenied', 'not authorized to perform: sts:AssumeRole', 403))
      .resolves(assumed(Date.now() + HOUR));
    const { broker: credentials } = broker();

    const failure = await credentials.get('111122223333').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AssumeRoleError);
    expect(failure).toMatchObject({
      code: 'AssumeRoleFailed',
      roleArn: 'arn:aws:iam::111122223333:role/IrsaAuditorMemberRole',
      message: expect.stringContaining('AccessDenied: not authorized'),
    });
    await expect(credentials.get('111122223333')).resolves.toMatchObject({ accessKeyId: 'ASIA1' });
  });

  it('keeps session names within the 64 characters STS allows', () => {
    expect(sessionNameFor('x'.repeat(80))).toHaveLength(64);
    expect(sessionNameFor('20261129T030000Z')).toBe('irsa-auditor-20261129T030000Z');
  });
});
