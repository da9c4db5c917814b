import { parseArgs } from 'node:util';
import { signToken, verifyToken, type TokenClaims } from '@qianqi/auth';
import { loadConfig } from '@qianqi/config';

/** npm run token -- --role department --department natural-resources [--sub u1] [--name 张三] */
const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    sub: { type: 'string' },
    name: { type: 'string' },
    department: { type: 'string' },
    taskForce: { type: 'string' },
    'task-force': { type: 'string' },
    org: { type: 'string' },
    expires: { type: 'string', default: '12h' },
  },
});

try {
  const role = values.role as TokenClaims['role'];
  if (!role)
    throw new Error('--role is required (applicant | department | taskforce | leader | auditor | admin)');
  const taskForce = values.taskForce ?? values['task-force'];
  const claims: TokenClaims = {
    sub:
      values.sub ??
      `dev-${role}${values.department ? `-${values.department}` : ''}${taskForce ? `-${taskForce}` : ''}`,
    name: values.name ?? `开发用户（${role}）`,
    role,
    ...(values.department ? { department: values.department } : {}),
    ...(taskForce ? { taskForce } : {}),
    ...(values.org ? { org: values.org } : role === 'applicant' ? { org: 'demo-org' } : {}),
  };
  const config = loadConfig();
  const signed = signToken(claims, config.jwtSecret, values.expires as never);
  // The API's own check: a token it would refuse (unknown role, department or task force) is
  // never printed.
  try {
    verifyToken(signed, config.jwtSecret);
  } catch (err) {
    throw new Error(`the API would refuse this token: ${(err as Error).message}`);
  }
  console.log(signed);
} catch (err) {
  console.error(`token: ${(err as Error).message}`);
  process.exit(1);
}
