import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ValidationError } from '@qianqi/domain';

export interface RequestMeta {
  requestId: string | null;
  idempotencyKey: string | null;
  ifMatch: number | null;
}

/** Request id, Idempotency-Key and If-Match (a version, or `*` for any), read once and validated. */
export const RequestContext = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMeta => {
  const req = ctx.switchToHttp().getRequest();
  const h = req.headers ?? {};
  const key = h['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || key.length < 1 || key.length > 200)) {
    throw new ValidationError([
      { field: 'Idempotency-Key', rule: 'length', message: 'Idempotency-Key must be 1–200 characters' },
    ]);
  }
  let ifMatch: number | null = null;
  // `*` matches any current version (RFC 9110 §13.1.1): the procedure only has to exist.
  if (h['if-match'] !== undefined && String(h['if-match']).trim() !== '*') {
    const raw = String(h['if-match']).replace(/^W\//, '').replace(/"/g, '').trim();
    if (!/^\d+$/.test(raw)) {
      throw new ValidationError([
        { field: 'If-Match', rule: 'isInt', message: 'If-Match must be the procedure version, e.g. "7"' },
      ]);
    }
    ifMatch = Number(raw);
  }
  return { requestId: req.id ?? null, idempotencyKey: key ?? null, ifMatch };
});
