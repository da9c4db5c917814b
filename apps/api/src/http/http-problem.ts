import type { FieldProblem } from '@qianqi/domain';

/** RFC 9457 problem documents: the one error format of the HTTP layer. */

/** The largest request body, in bytes. */
export const BODY_LIMIT = 1_048_576;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Codes of refusals the HTTP layer makes itself, before any use case runs. */
export const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
  500: 'INTERNAL',
};

/**
 * A refusal of the HTTP layer (malformed body, media type, URL) that has no domain meaning, with
 * the status and stable code it leaves with.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'HttpProblem';
  }

  body(): Record<string, unknown> {
    return { code: this.code, detail: this.message, ...(this.errors.length ? { errors: this.errors } : {}) };
  }
}

/**
 * The document sent: the error's own members, then the RFC 9457 members, which an error's
 * details never override.
 */
export function problemDocument(
  status: number,
  body: Record<string, unknown>,
  req?: { url?: string; id?: unknown },
): Record<string, unknown> {
  const problem = { type: 'about:blank', title: TITLES[status] ?? 'Error', status };
  return { ...problem, ...body, ...problem, instance: req?.url, requestId: req?.id };
}
