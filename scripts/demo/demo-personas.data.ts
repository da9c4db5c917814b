import type { TokenClaims } from '@qianqi/auth';
import { DEPARTMENTS, TASK_FORCES, type DepartmentCode, type TaskForceCode } from '@qianqi/workflows';

/**
 * The people of the demo. The seeder acts as them (so the record names who did what) and
 * `npm start` prints a dev token for each, so what you see in the history is who you can be.
 */

export interface DemoOrg {
  code: string;
  name: string;
}

export const DEMO_ORGS: DemoOrg[] = [
  { code: 'org-quzhou-transport', name: '衢州市交通投资集团有限公司' },
  { code: 'org-quzhou-water', name: '衢州市水利投资发展有限公司' },
  { code: 'org-quzhou-newenergy', name: '衢州智造新城新能源产业发展有限公司' },
  { code: 'org-jiayuguan-suotong', name: '嘉峪关索通新能源科技有限公司' },
  { code: 'org-jiayuguan-cityinvest', name: '嘉峪关市城市建设投资有限公司' },
];

export interface DemoLeader {
  sub: string;
  name: string;
}

export const DEMO_LEADERS: DemoLeader[] = [
  { sub: 'leader-quzhou-01', name: '衢州市包抓领导（副市长）' },
  { sub: 'leader-jiayuguan-01', name: '嘉峪关市包抓领导（副市长）' },
];

export function applicantClaims(org: DemoOrg): TokenClaims {
  return {
    sub: `applicant-${org.code.replace(/^org-/, '')}`,
    name: `${org.name}经办人`,
    role: 'applicant',
    org: org.code,
  };
}

export function officerClaims(department: DepartmentCode): TokenClaims {
  return {
    sub: `officer-${department}`,
    name: `${DEPARTMENTS[department]}审批科员`,
    role: 'department',
    department,
  };
}

export function taskForceClaims(taskForce: TaskForceCode): TokenClaims {
  return {
    sub: `taskforce-${taskForce}`,
    name: `${TASK_FORCES[taskForce]}成员`,
    role: 'taskforce',
    taskForce,
  };
}

export function leaderClaims(leader: DemoLeader): TokenClaims {
  return { sub: leader.sub, name: leader.name, role: 'leader' };
}

export const AUDITOR_CLAIMS: TokenClaims = { sub: 'auditor-01', name: '审计监察员', role: 'auditor' };
export const ADMIN_CLAIMS: TokenClaims = { sub: 'admin-01', name: '系统管理员', role: 'admin' };

export interface DemoPersona {
  /** Shell variable the start banner exports the token as. */
  variable: string;
  label: string;
  claims: TokenClaims;
}

const variableOf = (...parts: string[]) =>
  `QQ_${parts
    .join('_')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase()}`;

/** Every persona, one per role and scope: applicants per org, officers per department, … */
export function demoPersonas(): DemoPersona[] {
  return [
    ...DEMO_ORGS.map((org) => ({
      variable: variableOf('applicant', org.code.replace(/^org-/, '')),
      label: `applicant · ${org.name} (${org.code})`,
      claims: applicantClaims(org),
    })),
    ...(Object.keys(DEPARTMENTS) as DepartmentCode[]).map((d) => ({
      variable: variableOf('department', d),
      label: `department · ${DEPARTMENTS[d]} (${d})`,
      claims: officerClaims(d),
    })),
    ...(Object.keys(TASK_FORCES) as TaskForceCode[]).map((t) => ({
      variable: variableOf('taskforce', t),
      label: `taskforce · ${TASK_FORCES[t]} (${t})`,
      claims: taskForceClaims(t),
    })),
    ...DEMO_LEADERS.map((l) => ({
      variable: variableOf('leader', l.sub.replace(/^leader-/, '')),
      label: `leader · ${l.name} (${l.sub})`,
      claims: leaderClaims(l),
    })),
    { variable: 'QQ_AUDITOR', label: `auditor · ${AUDITOR_CLAIMS.name}`, claims: AUDITOR_CLAIMS },
    { variable: 'QQ_ADMIN', label: `admin · ${ADMIN_CLAIMS.name}`, claims: ADMIN_CLAIMS },
  ];
}
