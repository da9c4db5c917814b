import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DEPARTMENTS, TASK_FORCES } from '@qianqi/workflows';
import { isStorableText, ROLES, type Actor, type Role } from '@qianqi/domain';

export interface TokenClaims {
  sub: string;
  name: string;
  role: Role;
  department?: string;
  taskForce?: string;
  org?: string;
}

export class TokenError extends Error {}

/**
 * The HS256 key as a KeyObject, made once per secret. Given a string, jsonwebtoken first tries to
 * parse it as a PEM public key (an exception per call) and only then makes the same secret key:
 * about a tenth of the API's CPU per command. Same key, same verification, no parsing.
 */
let cachedKey: { secret: string; key: KeyObject } | null = null;
function hmacKey(secret: string): KeyObject | string {
  if (!secret) return secret; // jsonwebtoken's own error for a missing secret
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return cachedKey.key;
}

export function signToken(
  claims: TokenClaims,
  secret: string,
  expiresIn: jwt.SignOptions['expiresIn'] = '12h',
): string {
  return jwt.sign({ ...claims }, hmacKey(secret), { algorithm: 'HS256', expiresIn });
}

/**
 * Tokens already verified, by their exact text: the same bytes under the same secret verify the
 * same way, so only the time-dependent checks (exp, nbf) are repeated — jsonwebtoken's own rules;
 * a token that fails them goes through the full verification, which names the error. Bounded:
 * emptied when full.
 */
const verified = new Map<string, { secret: string; actor: Actor; exp?: number; nbf?: number }>();
const VERIFIED_MAX = 10_000;

/** Verifies an HS256 token and turns its claims into an Actor; any flaw is a TokenError. */
/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: unknown): string | null {
  const match = typeof header === 'string' ? header.match(/^Bearer\s+(\S+)$/i) : null;
  return match ? match[1] : null;
}

export function verifyToken(token: string, secret: string): Actor {
  const hit = verified.get(token);
  if (hit && hit.secret === secret) {
    const now = Math.floor(Date.now() / 1000);
    const live = (hit.exp === undefined || now < hit.exp) && (hit.nbf === undefined || now >= hit.nbf);
    if (live) return { ...hit.actor };
  }
  const { actor, exp, nbf } = verifyFully(token, secret);
  if (verified.size >= VERIFIED_MAX) verified.clear();
  verified.set(token, { secret, actor, exp, nbf });
  return { ...actor };
}

function verifyFully(token: string, secret: string): { actor: Actor; exp?: number; nbf?: number } {
  let payload: jwt.JwtPayload;
  try {
    const decoded = jwt.verify(token, hmacKey(secret), { algorithms: ['HS256'] });
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
  if (role === 'applicant' && !(typeof org === 'string' && org))
    throw new TokenError('claim org is required for applicants');
  // The claims are written into the record: text PostgreSQL cannot store is no identity.
  for (const [claim, v] of Object.entries({ sub, name, org })) {
    if (typeof v === 'string' && !isStorableText(v))
      throw new TokenError(`claim ${claim} holds a NUL or an unpaired surrogate`);
  }
  const actor: Actor = {
    id: sub,
    name: typeof name === 'string' && name ? name : sub,
    role: role as Role,
    department: role === 'department' ? (department as Actor['department']) : undefined,
    taskForce: role === 'taskforce' ? (taskForce as Actor['taskForce']) : undefined,
    org: typeof org === 'string' ? org : undefined,
  };
  return { actor, exp: payload.exp, nbf: payload.nbf };
}
