import { randomInt, randomUUID } from 'node:crypto';
import { signToken, type TokenClaims } from '../../libs/auth/src';
import { TEST_JWT_SECRET } from './test-env';

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/** A fresh 投资项目统一代码, so tests never collide on a shared database. */
export function uniqueProjectCode(): string {
  return `20${digits(2)}-${digits(6)}-${digits(2)}-${digits(2)}-${digits(6)}`;
}

export function uniqueOrg(): string {
  return `org-${randomUUID().slice(0, 8)}`;
}

export function token(
  claims: Partial<TokenClaims> & Pick<TokenClaims, 'role'>,
  secret = TEST_JWT_SECRET,
): string {
  return signToken(
    { sub: claims.sub ?? `u-${randomUUID().slice(0, 8)}`, name: claims.name ?? '测试用户', ...claims },
    secret,
  );
}

export const tokens = {
  applicant: (org: string) => token({ role: 'applicant', org, name: '项目单位经办人' }),
  department: (department: string, name = '审批科员') => token({ role: 'department', department, name }),
  taskforce: (taskForce: string) => token({ role: 'taskforce', taskForce, name: '专班成员' }),
  leader: (sub: string) => token({ role: 'leader', sub, name: '包抓领导' }),
  auditor: () => token({ role: 'auditor', name: '审计员' }),
  admin: () => token({ role: 'admin', name: '系统管理员' }),
};

export function projectBody(ownerOrg: string, overrides: Record<string, unknown> = {}) {
  return {
    code: uniqueProjectCode(),
    name: '测试项目',
    approvalMode: 'approval',
    region: '330800',
    ownerOrg,
    plannedStartDate: '2027-06-30',
    ...overrides,
  };
}
