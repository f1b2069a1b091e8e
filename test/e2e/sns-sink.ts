/**
 * An SNS HTTP subscriber on loopback: moto delivers each message published to the topic to it (as
 * SNS does to an HTTP endpoint: a JSON envelope with `Type`, `Subject`, `Message`), and the suite
 * reads the notifications back from here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MOTO_HOST } from './moto-server';

export interface SnsDelivery {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  /** For a `MessageStructure: json` publish, the value of the `http` key, else of `default`. */
  Message: string;
}

export interface SnsSink {
  endpoint: string;
  /** Every delivery so far, oldest first. */
  readonly deliveries: SnsDelivery[];
  close(): Promise<void>;
}

export async function startSnsSink(): Promise<SnsSink> {
  const deliveries: SnsDelivery[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      try {
        deliveries.push(JSON.parse(text) as SnsDelivery);
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, MOTO_HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${MOTO_HOST}:${port}/sns`,
    deliveries,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
