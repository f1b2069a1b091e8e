/**
 * Recognises "AWS cannot be reached at all" — no network, a DNS name that does not resolve, an
 * endpoint that refuses or times out, no region — so a live command stops with exit 2 and what to
 * check, instead of reporting an internal error (docs/output.md "Exit codes").
 */
import { classifyAwsError } from '../collect/aws-errors';

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
