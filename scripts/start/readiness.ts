import { createServer } from 'node:net';

/** Fails fast, with the port named, when something else already listens where the API will. */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `port ${port} is already in use; stop what listens there or set PORT`
            : `cannot listen on port ${port}: ${err.message}`,
        ),
      ),
    );
    probe.listen({ port, host: '0.0.0.0', exclusive: true }, () => probe.close(() => resolve()));
  });
}

export interface HealthWait {
  timeoutMs: number;
  /** Stops waiting (a child died meanwhile). */
  cancelled: () => boolean;
}

/** Polls GET /health until it answers 200; on timeout the error carries its last answer. */
export async function waitForHealth(url: string, opts: HealthWait): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (opts.cancelled()) throw new Error('stopped while waiting for the API');
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`GET ${url} did not answer 200 within ${opts.timeoutMs / 1000} s (last: ${last})`);
}
