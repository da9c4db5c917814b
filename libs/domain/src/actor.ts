import type { DepartmentCode, TaskForceCode } from '@qianqi/workflows';

export const ROLES = ['applicant', 'department', 'taskforce', 'leader', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who acts, as the verified token says. */
export interface Actor {
  id: string;
  name: string;
  role: Role;
  department?: DepartmentCode;
  taskForce?: TaskForceCode;
  org?: string;
}
