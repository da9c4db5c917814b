import jwt from 'jsonwebtoken';
import { DEPARTMENTS, TASK_FORCES } from '@qianqi/workflows';
import { ROLES, type Actor, type Role } from '@qianqi/domain';

export interface TokenClaims {
  sub: string;
  name: string;
  role: Role;
  department?: string;
  taskForce?: string;
  org?: string;
}

export class TokenError extends Error {}

export function signToken(claims: TokenClaims, secret: string, expiresIn: jwt.SignOptions['expiresIn'] = '12h'): string {
  return jwt.sign({ ...claims }, secret, { algorithm: 'HS256', expiresIn });
}

/** Verifies an HS256 token and turns its claims into an Actor; any flaw is a TokenError. */
export function verifyToken(token: string, secret: string): Actor {
  let payload: jwt.JwtPayload;
  try {
    const decoded = jwt.verify(token, secret, { algorithms: ['HS256'] });
    if (typeof decoded === 'string') throw new TokenError('token payload is not an object');
    payload = decoded;
  } catch (err) {
    if (err instanceof TokenError) throw err;
    throw new TokenError((err as Error).message);
  }
  const { sub, name, role, department, taskForce, org } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || !sub) throw new TokenError('claim sub is required');
  if (!ROLES.includes(role as Role)) throw new TokenError(`claim role must be one of ${ROLES.join(', ')}`);
  if (role === 'department' && !(typeof department === 'string' && department in DEPARTMENTS)) {
    throw new TokenError(`claim department must be one of ${Object.keys(DEPARTMENTS).join(', ')}`);
  }
  if (role === 'taskforce' && !(typeof taskForce === 'string' && taskForce in TASK_FORCES)) {
    throw new TokenError(`claim taskForce must be one of ${Object.keys(TASK_FORCES).join(', ')}`);
  }
  if (role === 'applicant' && !(typeof org === 'string' && org)) throw new TokenError('claim org is required for applicants');
  return {
    id: sub,
    name: typeof name === 'string' && name ? name : sub,
    role: role as Role,
    department: role === 'department' ? (department as Actor['department']) : undefined,
    taskForce: role === 'taskforce' ? (taskForce as Actor['taskForce']) : undefined,
    org: typeof org === 'string' ? org : undefined,
  };
}
