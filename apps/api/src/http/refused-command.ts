import { COMMAND_TYPES } from '@qianqi/workflows';

interface RefusedRequest {
  method?: string;
  url?: string;
  body?: unknown;
  params?: Record<string, string | undefined>;
  routeOptions?: { url?: string };
  actor?: { role?: string };
}

const READS = ['GET', 'HEAD', 'OPTIONS'];

/**
 * The writes an auditor may make, as `METHOD /route`: auditors read, and may ask for a
 * verification. (A spec holds this equal to the controllers' @Roles.)
 */
export const AUDITOR_WRITES: ReadonlySet<string> = new Set(['POST /audit/verify']);

const routeOf = (req: RefusedRequest) => req.routeOptions?.url ?? String(req.url ?? '').split('?')[0];

/** A write to a route no auditor may write to (the HTTP layer may refuse its body before any guard runs). */
export function isAuditorForbiddenWrite(req: RefusedRequest): boolean {
  const method = String(req.method).toUpperCase();
  return !READS.includes(method) && !AUDITOR_WRITES.has(`${method} ${routeOf(req)}`);
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A command an auditor was refused (403), as the access log names it: the item command's type
 * (`COMMAND_REFUSED:APPROVE`), REGISTER_PROJECT, or the route for any other write. Null for reads
 * and for other roles.
 */
export function refusedCommand(
  req: RefusedRequest | undefined,
): { type: string; procedureId: string | null } | null {
  if (!req || req.actor?.role !== 'auditor' || READS.includes(String(req.method).toUpperCase())) return null;
  const route = routeOf(req);
  const bodyType = (req.body as { type?: unknown } | null | undefined)?.type;
  let type: string;
  if (route.endsWith('/commands')) {
    type =
      typeof bodyType === 'string' && (COMMAND_TYPES as readonly string[]).includes(bodyType)
        ? bodyType
        : 'UNKNOWN';
  } else if (route === '/projects') {
    type = 'REGISTER_PROJECT';
  } else {
    type = `${String(req.method).toUpperCase()} ${route}`;
  }
  const id = req.params?.id;
  const procedureId = route.startsWith('/procedures/') && id && UUID.test(id) ? id.toLowerCase() : null;
  return { type, procedureId };
}
