/**
 * Recognises "AWS cannot be reached at all" — no network, a DNS name that does not resolve, an
 * endpoint that refuses or times out, no region — so a live command stops with exit 2 and what to
 * check, instead of reporting an internal error (docs/output.md "Exit codes").
 */
import { classifyAwsError } from '../collect/aws-errors';
import { CliError, type CliIO } from './io';

const MAX_DEPTH = 5;

/** The message for an error that means AWS was not reachable, else undefined. */
export function unreachableAws(error: unknown, env: NodeJS.ProcessEnv): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && current; depth++) {
    const message = describe(current, env);
    if (message) return message;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describe(error: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const shape = error as { name?: string; code?: string; message?: string; hostname?: string };
  const detail = (shape.message ?? '').split('\n')[0];
  const endpoint = [env.AWS_ENDPOINT_URL, env.AWS_ENDPOINT_URL_STS].filter(Boolean).join(', ');
  const endpointHint = endpoint
    ? ` The endpoint is overridden (${endpoint}): check that it is up.`
    : ' Check the network connection, a proxy (HTTPS_PROXY), and the region.';
  if (shape.code === 'ENOTFOUND' || shape.code === 'EAI_AGAIN') {
    return `Cannot reach AWS: the name ${shape.hostname ?? 'of the endpoint'} does not resolve (${detail}). Are you offline?${endpointHint}`;
  }
  if (/^Region is missing|region.*not.*(set|configured)/i.test(detail)) {
    return `Cannot reach AWS: no region is configured (${detail}). Set AWS_REGION or a region in the profile.`;
  }
  const failure = classifyAwsError(error);
  if (failure.code === 'NetworkError' || failure.code === 'Timeout') {
    return `Cannot reach AWS (${failure.message}).${endpointHint}`;
  }
  return undefined;
}

/** Names that mean "this host name does not resolve": the machine is offline or the name is wrong. */
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/**
 * Before a live command's first AWS call, resolves the name of the caller's STS endpoint once: offline,
 * that fails in milliseconds, where the first call would spend its whole retry budget (seconds of
 * back-off) on the same answer. Skipped where the local resolver is not the one that matters: a
 * custom endpoint, a proxy, FIPS or dual-stack endpoints, or no resolver given (tests).
 */
export async function checkAwsReachable(homeRegion: string, io: CliIO): Promise<void> {
  if (!io.resolveHost) return;
  const env = io.env;
  const skip = [
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_STS',
    'HTTPS_PROXY',
    'https_proxy',
    'HTTP_PROXY',
    'http_proxy',
    'AWS_USE_FIPS_ENDPOINT',
    'AWS_USE_DUALSTACK_ENDPOINT',
  ];
  if (skip.some((name) => env[name])) return;
  const host = `sts.${homeRegion}.amazonaws.com${homeRegion.startsWith('cn-') ? '.cn' : ''}`;
  try {
    await io.resolveHost(host);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code && UNRESOLVED.has(code)) {
      const message = unreachableAws(Object.assign(error as object, { hostname: host }), env);
      throw new CliError(message ?? `Cannot reach AWS: ${host} does not resolve`, 2, { cause: error });
    }
    // Anything else (a resolver timeout, say) is left to the SDK and its retries.
  }
}
