import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ROLES_KEY } from '@qianqi/auth';
import { ApiModule } from '../api.module';
import { AUDITOR_WRITES, isAuditorForbiddenWrite } from './refused-command';

/** `METHOD /route` of every write an auditor's role may make, as the controllers declare them. */
function auditorWritesDeclared(): Set<string> {
  const out = new Set<string>();
  const controllers: (new (...args: never[]) => object)[] = Reflect.getMetadata('controllers', ApiModule);
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '').replace(/^\/|\/$/g, '');
    const classRoles: string[] | undefined = Reflect.getMetadata(ROLES_KEY, controller);
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const method: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, handler);
      const path: string | undefined = Reflect.getMetadata(PATH_METADATA, handler);
      if (method === undefined || path === undefined) continue;
      const verb = RequestMethod[method];
      if (['GET', 'HEAD', 'OPTIONS'].includes(verb)) continue;
      const roles: string[] | undefined = Reflect.getMetadata(ROLES_KEY, handler) ?? classRoles;
      // A route without @Roles is open to every authenticated role, auditors included.
      if (roles && !roles.includes('auditor')) continue;
      const route = `/${[base, path.replace(/^\/|\/$/g, '')].filter(Boolean).join('/')}`;
      out.add(`${verb} ${route}`);
    }
  }
  return out;
}

describe('the writes auditors may make', () => {
  it('are exactly those the controllers let auditors make', () => {
    expect(auditorWritesDeclared()).toEqual(new Set(AUDITOR_WRITES));
  });

  it('tell a command or any other write from a verification and from reads', () => {
    const req = (method: string, url: string) => ({ method, routeOptions: { url } });
    expect(isAuditorForbiddenWrite(req('POST', '/procedures/:id/items/:itemKey/commands'))).toBe(true);
    expect(isAuditorForbiddenWrite(req('POST', '/projects'))).toBe(true);
    expect(isAuditorForbiddenWrite(req('PUT', '/admin/calendar/:year'))).toBe(true);
    expect(isAuditorForbiddenWrite(req('POST', '/audit/verify'))).toBe(false);
    expect(isAuditorForbiddenWrite(req('GET', '/procedures/:id'))).toBe(false);
  });
});
