import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { ValidationError } from '@qianqi/domain';
import { HttpProblem, HTTP_CODES, PROBLEM_CONTENT_TYPE, problemDocument, TITLES } from './http-problem';

/**
 * What Fastify answers by itself, before Nest (and so the problem filter) sees the request: a
 * path parameter past `maxParamLength`, a URL that does not decode, a broken connection. Each
 * leaves as problem+json with a stable code, like every other error.
 */
const FRAMEWORK: Record<string, { status: number; code: string; field: string; rule: string }> = {
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: HTTP_CODES[414], field: 'path', rule: 'maxLength' },
  FST_ERR_BAD_URL: { status: 400, code: 'MALFORMED_URL', field: 'path', rule: 'uri' },
};

export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (error, req, reply) => {
  const known = FRAMEWORK[error.code];
  const status = known?.status ?? 500;
  const body = known
    ? {
        code: known.code,
        detail: error.message,
        errors: [{ field: known.field, rule: known.rule, message: error.message }],
      }
    : { code: HTTP_CODES[500], detail: 'internal error; the request id names it in the logs' };
  // Typed loosely: the option's generics describe route schemas, and there is no route here.
  const raw = reply as unknown as {
    code(n: number): { header(k: string, v: string): { send(b: unknown): unknown } };
  };
  void raw
    .code(status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(problemDocument(status, body, req));
};

/** Errors of the connection itself (a request Node cannot parse, headers too large, a timeout). */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify(
    problemDocument(status, {
      code: status === 400 ? 'MALFORMED_REQUEST' : HTTP_CODES[status],
      detail: status === 400 ? 'the request is not valid HTTP' : TITLES[status],
    }),
  );
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${TITLES[status]}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/**
 * A key `__proto__` anywhere in a body: refused, never handed on, since a later merge of such an
 * object would change a prototype. JSON.parse itself makes it a plain own key, so this is safe.
 */
function refuseProtoKey(key: string, value: unknown): unknown {
  if (key === '__proto__') {
    throw new ValidationError([
      { field: '__proto__', rule: 'whitelistValidation', message: 'property __proto__ should not exist' },
    ]);
  }
  return value;
}

/**
 * Bodies are JSON, and only JSON: the one parser left, for application/json (any parameters).
 * Anything else with a body, form-encoded and text/plain included, is 415 from Fastify. An empty
 * body is no body (so `POST …/acknowledge` with the header and nothing else is fine).
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const raw = String(text);
    if (!raw.trim()) return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw, refuseProtoKey);
    } catch (err) {
      if (err instanceof ValidationError) return done(err, undefined);
      const message = `body is not valid JSON: ${(err as Error).message}`;
      return done(
        new HttpProblem(400, 'MALFORMED_BODY', message, [{ field: 'body', rule: 'json', message }]),
        undefined,
      );
    }
    done(null, parsed);
  });
}
