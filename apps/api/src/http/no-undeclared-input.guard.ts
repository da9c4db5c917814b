import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ValidationError, type FieldProblem } from '@qianqi/domain';

/** Marks a route that takes whatever query it is sent (a probe's cache-buster on /health). */
export const ANY_QUERY = 'qianqi:anyQuery';
export const AnyQuery = (): MethodDecorator => SetMetadata(ANY_QUERY, true);

/**
 * A route that declares no query (or no body) takes none: `GET /procedures/:id?x=1` or
 * `POST /escalations/:id/acknowledge {"x":1}` is 400 naming `x` (`whitelistValidation`), as an
 * unknown field is wherever a query or body class is declared (the validation pipe checks
 * those). A guard registered after the authentication guard, so a caller without the right is
 * still told 401/403 first; a guard rather than an interceptor, so no request pays for an
 * observable pipeline.
 */
@Injectable()
export class NoUndeclaredInputGuard implements CanActivate {
  private readonly declared = new WeakMap<object, { query: boolean; body: boolean }>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const { query, body } = this.declaredOf(context);
    const req = context.switchToHttp().getRequest<{ query?: unknown; body?: unknown }>();
    const problems: FieldProblem[] = [];
    if (!query) problems.push(...undeclared(req.query, 'query'));
    if (!body) problems.push(...undeclared(req.body, 'body'));
    if (problems.length) throw new ValidationError(problems);
    return true;
  }

  private declaredOf(context: ExecutionContext): { query: boolean; body: boolean } {
    const handler = context.getHandler();
    let known = this.declared.get(handler);
    if (!known) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ??
        {}) as Record<string, unknown>;
      const types = Object.keys(args).map((k) => Number(k.split(':')[0]));
      known = {
        query: types.includes(RouteParamtypes.QUERY) || Reflect.getMetadata(ANY_QUERY, handler) === true,
        body: types.includes(RouteParamtypes.BODY),
      };
      this.declared.set(handler, known);
    }
    return known;
  }
}

function undeclared(value: unknown, where: 'query' | 'body'): FieldProblem[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) {
    return [{ field: where, rule: 'whitelistValidation', message: `this route takes no ${where}` }];
  }
  return Object.keys(value).map((k) => ({
    field: k,
    rule: 'whitelistValidation',
    message: `property ${k} should not exist`,
  }));
}
