import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '@qianqi/config';
import { DomainError, ErrorCode, ForbiddenError, type Actor, type Role } from '@qianqi/domain';
import { bearerToken, TokenError, verifyToken } from './token';

const PUBLIC = 'qianqi:public';
/** The metadata key @Roles sets. */
export const ROLES_KEY = 'qianqi:roles';

/** Marks a route that needs no token (health, docs). */
export const Public = () => SetMetadata(PUBLIC, true);
/** Limits a route to some roles; others get 403. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest().actor;
});

@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest();
    const token = bearerToken(req.headers?.authorization);
    if (!token) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Authorization: Bearer <JWT> is required');
    try {
      req.actor = verifyToken(token, this.config.jwtSecret);
    } catch (err) {
      if (err instanceof TokenError)
        throw new DomainError(ErrorCode.UNAUTHENTICATED, `invalid token: ${err.message}`);
      throw err;
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(req.actor.role)) {
      throw new ForbiddenError(`role ${req.actor.role} may not do this (allowed: ${roles.join(', ')})`);
    }
    return true;
  }
}
