import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  Optional,
} from '@nestjs/common';
import { bearerToken, verifyToken } from '@qianqi/auth';
import { AppConfig } from '@qianqi/config';
import { DomainError, ErrorCode, type Actor } from '@qianqi/domain';
import { AccessLog, ACCESS_ACTIONS } from '@qianqi/engine';
import { BODY_LIMIT, HttpProblem, HTTP_CODES, PROBLEM_CONTENT_TYPE, problemDocument } from './http-problem';
import { isAuditorForbiddenWrite, refusedCommand } from './refused-command';

export const STATUS_OF: Record<ErrorCode, number> = {
  [ErrorCode.VALIDATION_FAILED]: 400,
  [ErrorCode.UNKNOWN_MATERIAL]: 400,
  [ErrorCode.UNKNOWN_DEFINITION]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.PROJECT_CODE_TAKEN]: 409,
  [ErrorCode.INVALID_TRANSITION]: 409,
  [ErrorCode.MATERIALS_INCOMPLETE]: 409,
  [ErrorCode.TOLERANCE_NOT_ALLOWED]: 409,
  [ErrorCode.NOT_WAIVABLE]: 409,
  [ErrorCode.NOTHING_TO_SUPPLY]: 409,
  [ErrorCode.CONCURRENCY_CONFLICT]: 409,
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: 409,
  [ErrorCode.CLOCK_NOT_MANUAL]: 409,
  [ErrorCode.CLOCK_BACKWARDS]: 409,
  [ErrorCode.INVALID_TICKET_STATE]: 409,
  [ErrorCode.TICKET_ALREADY_OPEN]: 409,
  [ErrorCode.INVALID_CALENDAR]: 400,
  [ErrorCode.CERTIFICATE_WITHHELD]: 409,
  [ErrorCode.PREREQUISITES_NOT_MET]: 409,
  [ErrorCode.DEFINITION_RETIRED]: 409,
  [ErrorCode.PRECONDITION_FAILED]: 412,
};

/** Every error leaves as application/problem+json (RFC 9457) with a stable `code`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  constructor(
    @Optional() private readonly accessLog?: AccessLog,
    @Optional() private readonly config?: AppConfig,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse();
    const req = ctx.getRequest();
    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let body: Record<string, unknown>;
    if (exception instanceof DomainError) {
      status = STATUS_OF[exception.code] ?? 400;
      body = { ...exception.details, code: exception.code, detail: exception.message };
      if (exception.errors.length) body.errors = exception.errors;
    } else if (exception instanceof HttpProblem) {
      status = exception.status;
      body = exception.body();
    } else if (exception instanceof HttpException) {
      // Nest's own (route not found, a built-in pipe) and Fastify's, which Nest hands on as
      // HttpException(message, statusCode) with Fastify's code lost: mapped by status.
      status = exception.getStatus();
      const res = exception.getResponse();
      const detail =
        typeof res === 'string' ? res : ((res as { message?: unknown }).message ?? exception.message);
      const text = Array.isArray(detail) ? detail.join('; ') : String(detail);
      body = { code: HTTP_CODES[status] ?? `HTTP_${status}`, detail: text };
      if (status === 400 && /JSON|body/i.test(text)) {
        body = {
          code: 'MALFORMED_BODY',
          detail: text,
          errors: [{ field: 'body', rule: 'json', message: text }],
        };
      } else if (status === 413) {
        body.errors = [
          { field: 'body', rule: 'maxSize', message: `body must be at most ${BODY_LIMIT} bytes` },
        ];
      } else if (status === 415) {
        const type = String(req?.headers?.['content-type'] ?? '').split(';')[0] || 'none';
        body.detail = `Content-Type ${type} is not supported: send the body as application/json`;
      }
    } else if (isFastifyClientError(exception)) {
      status = exception.statusCode;
      body = {
        code: status === 400 ? 'MALFORMED_BODY' : (HTTP_CODES[status] ?? `HTTP_${status}`),
        detail: exception.message,
      };
      if (status === 400) body.errors = [{ field: 'body', rule: 'json', message: exception.message }];
    } else {
      // The request id in the line itself: above info there is no per-request logger to carry it.
      this.logger.error(
        `request ${req.id}: ${exception instanceof Error ? exception.stack : String(exception)}`,
      );
      body = { code: HTTP_CODES[500], detail: 'internal error; the request id names it in the logs' };
    }
    // A body the HTTP layer refused before any guard ran (not JSON, another Content-Type, too
    // large): an auditor writing where auditors may not is refused as on every other command.
    const bodyRefused =
      status === 413 || status === 415 || (status === 400 && body.code === 'MALFORMED_BODY');
    if (bodyRefused && !req?.actor && isAuditorForbiddenWrite(req ?? {})) {
      const auditor = this.auditorBehind(req);
      if (auditor) {
        req.actor = auditor;
        status = 403;
        body = {
          code: ErrorCode.FORBIDDEN,
          detail: 'role auditor may not do this: auditors read and verify only',
        };
      }
    }
    const send = () =>
      reply
        .status(status)
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send(problemDocument(status, body, req));
    // An auditor's refused command is recorded (in the access log, never the events) before the answer.
    const refused = status === 403 && this.accessLog ? refusedCommand(req) : null;
    if (!refused) return void send();
    this.accessLog!.record(req.actor, ACCESS_ACTIONS.commandRefused(refused.type), refused.procedureId, {
      method: req.method,
      route: req.routeOptions?.url ?? req.url,
      reason: body.detail,
    })
      .catch((err: Error) => this.logger.error(`cannot record a refused command: ${err.message}`))
      .finally(send);
  }

  private auditorBehind(req: Parameters<typeof auditorOf>[0]): Actor | null {
    return this.config ? auditorOf(req, this.config.jwtSecret) : null;
  }
}

/** The auditor whose valid bearer token a request carries, if any. */
function auditorOf(
  req: { headers?: Record<string, string | string[] | undefined> } | undefined,
  secret: string,
): Actor | null {
  const token = bearerToken(req?.headers?.authorization);
  if (!token) return null;
  try {
    const actor = verifyToken(token, secret);
    return actor.role === 'auditor' ? actor : null;
  } catch {
    return null;
  }
}

function isFastifyClientError(e: unknown): e is { statusCode: number; message: string } {
  const s = (e as { statusCode?: unknown })?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 500;
}
