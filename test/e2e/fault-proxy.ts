/**
 * A loopback HTTP proxy in front of moto_server that answers chosen AWS calls with an AWS error in
 * the protocol of the service, and passes everything else through unchanged. It gives the suite the
 * faults moto cannot produce by itself: moto lets any role be assumed, so "the member role cannot be
 * assumed" is an AccessDenied answered here.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MOTO_HOST } from './moto-server';

/** One AWS call as the proxy sees it. */
export interface AwsCall {
  /** The SigV4 signing name: `sts`, `iam`, `eks`, `organizations`, `dynamodb`, `sns`, ... */
  service: string;
  /** The operation: `AssumeRole`, `DescribeCluster`, `ListAccounts`, ... */
  operation: string;
  /** The request body (query parameters for the query protocol, JSON for the others). */
  body: string;
  method: string;
  path: string;
}

export interface AwsFault {
  status: number;
  code: string;
  message: string;
}

export type FaultRule = (call: AwsCall) => AwsFault | undefined;

export interface FaultProxy {
  endpoint: string;
  /** Replaces the rules; an empty list passes every call through. */
  setRules(rules: FaultRule[]): void;
  /** Calls answered with a fault since the last `setRules`. */
  readonly faulted: AwsCall[];
  close(): Promise<void>;
}

const QUERY_PROTOCOL = new Set(['sts', 'iam', 'sns', 'sqs']);

export function accessDenied(message: string): AwsFault {
  return { status: 403, code: 'AccessDenied', message };
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rules: FaultRule[] = [];
  const faulted: AwsCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const call = describeCall(req, body.toString('utf8'));
      const fault = rules.map((rule) => rule(call)).find((answer) => answer !== undefined);
      if (fault) {
        faulted.push(call);
        sendFault(res, call, fault);
        return;
      }
      forward(req, body, res, upstream);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, MOTO_HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${MOTO_HOST}:${port}`,
    setRules(next) {
      rules = next;
      faulted.length = 0;
    },
    faulted,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function describeCall(req: IncomingMessage, body: string): AwsCall {
  const authorization = req.headers.authorization ?? '';
  // Credential=AKID/20261206/us-east-1/sts/aws4_request
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] ?? '';
  const target = req.headers['x-amz-target'];
  let operation = '';
  if (typeof target === 'string') operation = target.slice(target.lastIndexOf('.') + 1);
  else if (QUERY_PROTOCOL.has(service)) operation = new URLSearchParams(body).get('Action') ?? '';
  else operation = restOperation(service, req.method ?? 'GET', req.url ?? '/');
  return { service, operation, body, method: req.method ?? 'GET', path: req.url ?? '/' };
}

/** The EKS REST operations the collector calls; other services here speak JSON or query. */
function restOperation(service: string, method: string, url: string): string {
  if (service !== 'eks') return `${method} ${url}`;
  const path = url.split('?')[0];
  if (method === 'GET' && path === '/clusters') return 'ListClusters';
  if (method === 'GET' && /^\/clusters\/[^/]+$/.test(path)) return 'DescribeCluster';
  if (method === 'GET' && /^\/clusters\/[^/]+\/pod-identity-associations$/.test(path))
    return 'ListPodIdentityAssociations';
  if (method === 'GET' && /^\/clusters\/[^/]+\/pod-identity-associations\/[^/]+$/.test(path))
    return 'DescribePodIdentityAssociation';
  return `${method} ${path}`;
}

function sendFault(res: ServerResponse, call: AwsCall, fault: AwsFault): void {
  const requestId = `fault-${Date.now()}`;
  if (QUERY_PROTOCOL.has(call.service)) {
    res.writeHead(fault.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(
      `<ErrorResponse><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>${escapeXml(fault.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
    return;
  }
  res.writeHead(fault.status, {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': fault.code,
  });
  res.end(JSON.stringify({ __type: fault.code, message: fault.message }));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function forward(req: IncomingMessage, body: Buffer, res: ServerResponse, upstream: URL): void {
  const outgoing = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  outgoing.on('error', (error) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`proxy: ${error.message}`);
  });
  outgoing.end(body);
}
