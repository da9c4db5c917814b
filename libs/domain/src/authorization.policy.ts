import type { CommandType, ItemDefinition } from '@qianqi/workflows';
import type { Actor } from './actor';
import { ForbiddenError } from './domain.errors';

export const APPLICANT_COMMANDS: readonly CommandType[] = [
  'SUBMIT',
  'RESUBMIT',
  'SUPPLY_MATERIALS',
  'WITHDRAW',
];
export const DEPARTMENT_COMMANDS: readonly CommandType[] = [
  'ACCEPT',
  'ACCEPT_WITH_TOLERANCE',
  'RETURN_FOR_CORRECTION',
  'REFUSE',
  'START_SPECIAL_PROCEDURE',
  'END_SPECIAL_PROCEDURE',
  'APPROVE',
  'DENY',
  'WAIVE',
];
export const ADMIN_COMMANDS: readonly CommandType[] = ['WAIVE'];

export interface ProjectScope {
  ownerOrg: string;
  leader: string | null;
}

/** Who may read a project: everyone but applicants of another org. */
export function canRead(actor: Actor, project: ProjectScope): boolean {
  return actor.role !== 'applicant' || actor.org === project.ownerOrg;
}

export function assertCanRead(actor: Actor, project: ProjectScope): void {
  if (!canRead(actor, project)) {
    throw new ForbiddenError(
      `applicant of ${actor.org ?? 'no org'} may not read a project of ${project.ownerOrg}`,
    );
  }
}

export function assertCanRegister(actor: Actor, ownerOrg: string): void {
  if (actor.role === 'admin') return;
  if (actor.role !== 'applicant') throw new ForbiddenError(`role ${actor.role} may not register projects`);
  if (actor.org !== ownerOrg) {
    throw new ForbiddenError(
      `applicant of ${actor.org ?? 'no org'} may not register a project for ${ownerOrg}`,
      {
        field: 'ownerOrg',
      },
    );
  }
}

/** The right to send one command to one item; refusals name the rule that refused. */
export function assertCanCommand(
  actor: Actor,
  project: ProjectScope,
  item: ItemDefinition,
  type: CommandType,
): void {
  switch (actor.role) {
    case 'applicant':
      if (actor.org !== project.ownerOrg) {
        throw new ForbiddenError(
          `applicant of ${actor.org ?? 'no org'} may not act on a project of ${project.ownerOrg}`,
        );
      }
      if (!APPLICANT_COMMANDS.includes(type)) {
        throw new ForbiddenError(`applicants may not ${type}`, { allowed: APPLICANT_COMMANDS });
      }
      return;
    case 'department':
      if (actor.department !== item.department) {
        throw new ForbiddenError(
          `department ${actor.department ?? 'none'} may not act on ${item.key}, owned by ${item.department}`,
          { itemDepartment: item.department },
        );
      }
      if (!DEPARTMENT_COMMANDS.includes(type)) {
        throw new ForbiddenError(`departments may not ${type}`, { allowed: DEPARTMENT_COMMANDS });
      }
      return;
    case 'admin':
      if (!ADMIN_COMMANDS.includes(type))
        throw new ForbiddenError(`admin may not ${type}`, { allowed: ADMIN_COMMANDS });
      return;
    default:
      throw new ForbiddenError(`role ${actor.role} may not send commands`);
  }
}
