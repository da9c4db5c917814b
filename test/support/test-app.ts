import './test-env';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApi } from '../../apps/api/src/bootstrap';

export interface TestApi {
  app: NestFastifyApplication;
  request(
    method: string,
    url: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    body: any;
    headers: Record<string, unknown>;
  }>;
  close(): Promise<void>;
}

/** The real API on the real servers, driven in-process through Fastify's inject (no port). */
export async function startTestApi(): Promise<TestApi> {
  const app = await createApi({ logs: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    async request(method, url, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let payload: string | undefined;
      if (opts.body !== undefined) {
        headers['content-type'] = headers['content-type'] ?? 'application/json';
        payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      }
      const res = await app.inject({ method: method as never, url, headers, payload });
      let body: unknown = res.body;
      try {
        body = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.statusCode, body, headers: res.headers as Record<string, unknown> };
    },
    close: () => app.close(),
  };
}
