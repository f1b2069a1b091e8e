/**
 * `moto_server` (Python moto, an emulator of the AWS APIs) started on a free loopback port for one
 * test file, and stopped with it. It is installed on the development and CI machines, not on every
 * user's: `findMotoServer` says whether it is there so the suite can skip with a visible notice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export const MOTO_HOST = '127.0.0.1';

/** The `moto_server` executable on PATH, or undefined. */
export function findMotoServer(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'moto_server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A port nobody listens on right now: bind port 0 on loopback, read it, release it. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, MOTO_HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

export interface MotoServer {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts `moto_server -H 127.0.0.1 -p PORT` in its own process group and waits until its management
 * API answers. Proxy variables are cleared so moto's own outgoing requests (SNS HTTP deliveries to a
 * loopback subscriber) stay on loopback.
 */
export async function startMotoServer(
  executable: string,
  options: { timeoutMs?: number } = {},
): Promise<MotoServer> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let lastError: unknown;
  // A free port can be taken between probing it and moto binding it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    const child = spawn(executable, ['-H', MOTO_HOST, '-p', String(port)], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: motoEnvironment(),
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4_000);
    });
    const endpoint = `http://${MOTO_HOST}:${port}`;
    // If the test process dies without its afterAll, the server does not outlive it.
    const pid = child.pid;
    const onExit = () => {
      if (pid !== undefined) signal(-pid, 'SIGKILL');
    };
    process.once('exit', onExit);
    const stop = async () => {
      process.removeListener('exit', onExit);
      await stopProcessGroup(child);
    };
    try {
      await waitUntilAnswering(endpoint, child, timeoutMs, () => stderr);
      return { endpoint, port, stop };
    } catch (error) {
      lastError = error;
      await stop();
    }
  }
  throw lastError;
}

function motoEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '*', no_proxy: '*' };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'])
    delete env[name];
  return env;
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
  stderr: () => string,
): Promise<void> {
  const started = Date.now();
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  child.once('error', () => {
    exited = true;
  });
  while (Date.now() - started < timeoutMs) {
    if (exited) throw new Error(`moto_server exited while starting: ${stderr().trim()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/reset`, {
        method: 'POST',
        signal: AbortSignal.timeout(2_000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms: ${stderr().trim()}`);
}

/** SIGTERM to the process group this helper started (pyenv shims exec into Python), SIGKILL after 5 s. */
function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal(-pid, 'SIGKILL');
      resolve();
    }, 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signal(-pid, 'SIGTERM');
  });
}

/** Signals the process group `-target` of a child this helper spawned; never 0 (this process's own group). */
function signal(target: number, name: NodeJS.Signals): void {
  if (!Number.isInteger(target) || target >= -1) return;
  try {
    process.kill(target, name);
  } catch {
    // already gone
  }
}
