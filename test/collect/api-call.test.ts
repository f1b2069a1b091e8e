import { serviceError } from '../../bench/collect-sim';
import { ApiCaller } from '../../lambda/collect/api-call';
import { classifyAwsError } from '../../lambda/collect/aws-errors';
import { Semaphore } from '../../lambda/collect/pool';

function caller(options: { stormRetries?: number; global?: number } = {}) {
  const sleeps: number[] = [];
  const clock = {
    now: () => 0,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
  const api = new ApiCaller(
    new Semaphore(options.global ?? 8),
    { stormRetries: options.stormRetries ?? 3, stormBackoffMs: 1000 },
    clock,
    undefined,
    () => 0.5,
  );
  return { api, sleeps };
}

/** A send that fails with the given errors in turn, then answers. */
function flaky(errors: Error[], answer = 'ok') {
  let calls = 0;
  const send = async () => {
    const error = errors[calls++];
    if (error) throw error;
    return answer;
  };
  return { send, calls: () => calls };
}

describe('ApiCaller', () => {
  it('backs off and retries a throttling storm the SDK gave up on, then succeeds', async () => {
    const { api, sleeps } = caller();
    const send = flaky([
      serviceError('ThrottlingException', 'Rate exceeded'),
      serviceError('Throttling', 'Rate exceeded'),
    ]);

    await expect(api.call('eks:ListClusters', send.send)).resolves.toBe('ok');

    expect(send.calls()).toBe(3);
    expect(sleeps).toEqual([750, 1500]); // half to all of 1 s, 2 s (jitter fixed at 0.5)
    expect(api.stats).toMatchObject({ apiCalls: 3, throttled: 2, retries: 2 });
    expect(api.stats.byApi.get('eks:ListClusters')).toBe(3);
  });

  it('gives up after the storm rounds and rethrows the service error', async () => {
    const { api } = caller({ stormRetries: 2 });
    const send = flaky(
      Array.from({ length: 10 }, () => serviceError('TooManyRequestsException', 'slow down')),
    );

    await expect(api.call('organizations:ListAccounts', send.send)).rejects.toMatchObject({
      name: 'TooManyRequestsException',
    });
    expect(send.calls()).toBe(3);
  });

  it('retries 5xx and timeouts the same way', async () => {
    const { api } = caller();
    const send = flaky([
      serviceError('InternalFailure', 'oops', 500),
      Object.assign(new Error('socket'), { name: 'TimeoutError' }),
    ]);

    await expect(api.call('iam:ListOpenIDConnectProviders', send.send)).resolves.toBe('ok');
    expect(send.calls()).toBe(3);
  });

  it('does not retry AccessDenied', async () => {
    const { api, sleeps } = caller();
    const send = flaky([serviceError('AccessDeniedException', 'no', 403)]);

    await expect(api.call('eks:DescribeCluster', send.send)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(send.calls()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('refreshes expired credentials once, then reports a second expiry', async () => {
    const { api } = caller();
    const refresh = jest.fn();
    const expired = () =>
      serviceError('ExpiredTokenException', 'The security token included in the request is expired');

    const once = flaky([expired()]);
    await expect(api.call('iam:GetAccountAuthorizationDetails', once.send, { refresh })).resolves.toBe('ok');
    expect(refresh).toHaveBeenCalledTimes(1);

    const twice = flaky([expired(), expired()]);
    await expect(
      api.call('iam:GetAccountAuthorizationDetails', twice.send, { refresh }),
    ).rejects.toMatchObject({
      name: 'ExpiredTokenException',
    });
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('bounds calls per account and globally, and holds no slot while backing off', async () => {
    let releaseSleep: () => void = () => {};
    const sleeping = new Promise<void>((resolve) => {
      releaseSleep = resolve;
    });
    const global = new Semaphore(3);
    const api = new ApiCaller(
      global,
      { stormRetries: 1, stormBackoffMs: 10 },
      { now: () => 0, sleep: () => sleeping },
    );
    const accountA = new Semaphore(2);
    const accountB = new Semaphore(2);
    let inFlight = 0;
    let peak = 0;
    const perAccount = new Map<Semaphore, number>();
    let peakPerAccount = 0;
    const work = (gate: Semaphore) => async () => {
      inFlight++;
      perAccount.set(gate, (perAccount.get(gate) ?? 0) + 1);
      peak = Math.max(peak, inFlight);
      peakPerAccount = Math.max(peakPerAccount, perAccount.get(gate)!);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      perAccount.set(gate, perAccount.get(gate)! - 1);
      return 'ok';
    };
    const throttledOnce = flaky([serviceError('Throttling', 'Rate exceeded')]);

    const stormy = api.call('iam:X', throttledOnce.send, { gate: accountA });
    await new Promise((resolve) => setImmediate(resolve));
    // While the throttled call sleeps, its slots are free for everyone else.
    expect(global.inFlight).toBe(0);
    expect(accountA.inFlight).toBe(0);
    await Promise.all([
      ...Array.from({ length: 6 }, () => api.call('eks:A', work(accountA), { gate: accountA })),
      ...Array.from({ length: 6 }, () => api.call('eks:B', work(accountB), { gate: accountB })),
    ]);
    releaseSleep();
    await expect(stormy).resolves.toBe('ok');

    expect(peak).toBe(3);
    expect(peakPerAccount).toBe(2);
  });
});

describe('classifyAwsError', () => {
  it.each([
    ['ThrottlingException', 400, 'throttled', 'Throttled'],
    ['Throttling', 400, 'throttled', 'Throttled'],
    ['TooManyRequestsException', 400, 'throttled', 'Throttled'],
    ['ExpiredTokenException', 400, 'expired', 'ExpiredToken'],
    ['AccessDenied', 403, 'denied', 'AccessDenied'],
    ['AccessDeniedException', 403, 'denied', 'AccessDenied'],
    ['UnrecognizedClientException', 400, 'denied', 'CredentialsRejected'],
    ['NoSuchEntityException', 404, 'not-found', 'NotFound'],
    ['ServiceUnavailable', 503, 'transient', 'ServiceError'],
    ['InvalidParameterException', 400, 'fatal', 'Unknown'],
  ])('%s (%i) is %s with code %s', (name, status, kind, code) => {
    expect(classifyAwsError(serviceError(name, 'message', status))).toMatchObject({ kind, code });
  });

  it('keeps messages to one bounded line', () => {
    const failure = classifyAwsError(
      serviceError('AccessDenied', `line one\nline two ${'x'.repeat(1000)}`, 403),
    );

    expect(failure.message).not.toContain('\n');
    expect(failure.message.length).toBeLessThanOrEqual(300);
  });

  it('gives a JavaScript exception the code InternalError, never its name', () => {
    const failure = classifyAwsError(new TypeError("Cannot read properties of undefined (reading 'Roles')"));

    expect(failure).toMatchObject({ kind: 'fatal', code: 'InternalError' });
    expect(failure.message).toContain('TypeError');
  });

  it('gives an unrecognised service error the fixed code Unknown and keeps its name in the message', () => {
    const failure = classifyAwsError(serviceError('SomeNewServiceException', 'the details', 400));

    expect(failure).toEqual({
      kind: 'fatal',
      code: 'Unknown',
      message: 'SomeNewServiceException: the details',
    });
  });

  it('recognises network failures by their system code', () => {
    expect(classifyAwsError(Object.assign(new Error('connect'), { code: 'ECONNRESET' }))).toMatchObject({
      kind: 'transient',
      code: 'NetworkError',
    });
  });
});
