import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListClustersCommand } from '@aws-sdk/client-eks';
import { HttpRequest, HttpResponse } from '@smithy/core/protocols';
import { createSdkClientFactory, dnsSuffixOf, globalRegionOf } from '../../lambda/collect/clients';

const settings = { maxAttempts: 4, requestTimeoutMs: 400, connectionTimeoutMs: 300 };
const credentials = async () => ({ accessKeyId: 'AKIATEST', secretAccessKey: 'secret' });

// biome-ignore lint/suspicious/noExplicitAny: reaching the resolved client configuration
type AnyClient = any;

describe('SDK client factory', () => {
  it('builds one client per (account, service, region) and reuses it', () => {
    const factory = createSdkClientFactory(settings);

    const a = factory.get('eks', '111122223333', 'eu-west-1', credentials);

    expect(factory.get('eks', '111122223333', 'eu-west-1', credentials)).toBe(a);
    expect(factory.get('eks', '111122223333', 'us-east-1', credentials)).not.toBe(a);
    expect(factory.get('eks', '444455556666', 'eu-west-1', credentials)).not.toBe(a);
    factory.evict('111122223333');
    expect(factory.get('eks', '111122223333', 'eu-west-1', credentials)).not.toBe(a);
    factory.destroy();
  });

  it('configures adaptive retries with the configured attempts', async () => {
    const factory = createSdkClientFactory(settings);
    const client = factory.get('iam', '111122223333', 'us-east-1', credentials) as AnyClient;

    expect(client.config.retryMode).toBe('adaptive');
    expect(await client.config.maxAttempts()).toBe(4);
    expect((await client.config.retryStrategy()).mode).toBe('adaptive');
    factory.destroy();
  });

  it('retries a throttled request inside the SDK (adaptive mode), before the collector sees it', async () => {
    const factory = createSdkClientFactory({ ...settings, maxAttempts: 3 });
    const client = factory.get('eks', '111122223333', 'eu-west-1', credentials) as AnyClient;
    const hosts: string[] = [];
    let attempts = 0;
    // Replaces the transport only: serialization, signing and the retry strategy are the real ones.
    client.config.requestHandler = {
      handle: async (request: HttpRequest) => {
        hosts.push(request.hostname);
        attempts++;
        const throttled = attempts < 3;
        return {
          response: new HttpResponse({
            statusCode: throttled ? 429 : 200,
            headers: {
              'content-type': 'application/json',
              ...(throttled ? { 'x-amzn-errortype': 'ThrottlingException' } : {}),
            },
            body: Buffer.from(
              JSON.stringify(throttled ? { message: 'Rate exceeded' } : { clusters: ['prod'] }),
            ),
          }),
        };
      },
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
    };

    const listed = await client.send(new ListClustersCommand({ maxResults: 100 }));

    expect(listed.clusters).toEqual(['prod']);
    expect(attempts).toBe(3);
    expect(listed.$metadata.attempts).toBe(3);
    expect(hosts[0]).toBe('eks.eu-west-1.amazonaws.com'); // resolved, never contacted
    factory.destroy();
  }, 20_000);

  describe('per-request timeouts (loopback server that never answers)', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer(() => {
        /* never answers */
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('cuts a request that gets no answer at requestTimeout', async () => {
      const factory = createSdkClientFactory(settings);
      const client = factory.get('eks', '111122223333', 'eu-west-1', credentials) as AnyClient;
      const started = Date.now();

      const failure = await client.config.requestHandler
        .handle(new HttpRequest({ protocol: 'http:', hostname: '127.0.0.1', port, method: 'GET', path: '/' }))
        .catch((error: Error) => error);

      expect(failure).toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(client.config.requestHandler.httpHandlerConfigs()).toMatchObject({
        requestTimeout: 400,
        connectionTimeout: 300,
      });
      factory.destroy();
    });
  });
});

describe('partition helpers', () => {
  it.each([
    ['aws', 'us-east-1', 'amazonaws.com'],
    ['aws-cn', 'cn-north-1', 'amazonaws.com.cn'],
    ['aws-us-gov', 'us-gov-west-1', 'amazonaws.com'],
  ])('%s: global APIs in %s, endpoints under %s', (partition, region, suffix) => {
    expect(globalRegionOf(partition)).toBe(region);
    expect(dnsSuffixOf(partition)).toBe(suffix);
  });
});
