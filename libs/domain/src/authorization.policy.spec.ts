import { COMMAND_TYPES, DEFAULT_CATALOGUE, type CommandType, type ItemDefinition } from '@qianqi/workflows';
import type { Actor } from './actor';
import {
  APPLICANT_COMMANDS,
  assertCanCommand,
  assertCanRead,
  assertCanRegister,
  canRead,
  DEPARTMENT_COMMANDS,
} from './authorization.policy';
import { DomainError, ErrorCode } from './domain.errors';

const item = (key: string): ItemDefinition => DEFAULT_CATALOGUE.items.find((i) => i.key === key)!;
const project = { ownerOrg: 'org-quzhou', leader: 'leader-1' };

const applicant = (org = 'org-quzhou'): Actor => ({ id: 'a1', name: '项目单位', role: 'applicant', org });
const officer = (department: Actor['department']): Actor => ({
  id: 'd1',
  name: '科员',
  role: 'department',
  department,
});
const admin: Actor = { id: 'x', name: '管理员', role: 'admin' };

/** The error code of a refused command, or 'allowed'. */
function outcome(actor: Actor, itemKey: string, type: CommandType): string {
  try {
    assertCanCommand(actor, project, item(itemKey), type);
    return 'allowed';
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
}

describe('authorization policy', () => {
  describe('applicant', () => {
    it('may SUBMIT, RESUBMIT, SUPPLY_MATERIALS and WITHDRAW on its own org’s project, nothing else', () => {
      const allowed = COMMAND_TYPES.filter((t) => outcome(applicant(), 'eia', t) === 'allowed');
      expect(allowed.sort()).toEqual(['RESUBMIT', 'SUBMIT', 'SUPPLY_MATERIALS', 'WITHDRAW']);
      expect([...APPLICANT_COMMANDS].sort()).toEqual(allowed);
    });

    it('is refused on a project of another org, even for its own commands', () => {
      for (const t of APPLICANT_COMMANDS)
        expect(outcome(applicant('org-other'), 'eia', t)).toBe(ErrorCode.FORBIDDEN);
      expect(() => assertCanCommand(applicant('org-other'), project, item('eia'), 'SUBMIT')).toThrow(
        'applicant of org-other may not act on a project of org-quzhou',
      );
    });

    it('is refused ACCEPT with the allowed commands named', () => {
      try {
        assertCanCommand(applicant(), project, item('eia'), 'ACCEPT');
        throw new Error('allowed');
      } catch (err) {
        expect((err as DomainError).code).toBe(ErrorCode.FORBIDDEN);
        expect((err as DomainError).details.allowed).toEqual(APPLICANT_COMMANDS);
      }
    });
  });

  describe('department', () => {
    it('may run the review commands on items of its own department', () => {
      for (const t of DEPARTMENT_COMMANDS) expect(outcome(officer('ecology'), 'eia', t)).toBe('allowed');
      expect(outcome(officer('natural-resources'), 'land_pre_review', 'ACCEPT')).toBe('allowed');
      expect(outcome(officer('housing'), 'construction_permit', 'APPROVE')).toBe('allowed');
    });

    it('is refused on an item of another department, naming the owner', () => {
      expect(outcome(officer('ecology'), 'land_pre_review', 'ACCEPT')).toBe(ErrorCode.FORBIDDEN);
      try {
        assertCanCommand(officer('water'), project, item('eia'), 'APPROVE');
        throw new Error('allowed');
      } catch (err) {
        expect((err as DomainError).details).toEqual({ itemDepartment: 'ecology' });
        expect((err as Error).message).toBe('department water may not act on eia, owned by ecology');
      }
    });

    it('is refused the applicant’s commands, even on its own items', () => {
      for (const t of APPLICANT_COMMANDS)
        expect(outcome(officer('ecology'), 'eia', t)).toBe(ErrorCode.FORBIDDEN);
    });

    it('is refused without a department claim', () => {
      expect(outcome({ id: 'd', name: 'd', role: 'department' }, 'eia', 'ACCEPT')).toBe(ErrorCode.FORBIDDEN);
    });
  });

  describe('admin', () => {
    it('may WAIVE and nothing else', () => {
      const allowed = COMMAND_TYPES.filter((t) => outcome(admin, 'energy_review', t) === 'allowed');
      expect(allowed).toEqual(['WAIVE']);
    });

    it('may register projects for any org', () => {
      expect(() => assertCanRegister(admin, 'any-org')).not.toThrow();
    });
  });

  describe.each(['auditor', 'taskforce', 'leader'] as const)('%s', (role) => {
    const actor: Actor = {
      id: `${role}-1`,
      name: role,
      role,
      taskForce: role === 'taskforce' ? 'land' : undefined,
    };

    it('is refused every command', () => {
      for (const t of COMMAND_TYPES) expect(outcome(actor, 'land_pre_review', t)).toBe(ErrorCode.FORBIDDEN);
    });

    it('may read any project but not register one', () => {
      expect(canRead(actor, project)).toBe(true);
      expect(() => assertCanRegister(actor, project.ownerOrg)).toThrow(DomainError);
    });
  });

  describe('reading and registering', () => {
    it('lets an applicant read only its own org’s projects', () => {
      expect(canRead(applicant(), project)).toBe(true);
      expect(canRead(applicant('org-other'), project)).toBe(false);
      expect(() => assertCanRead(applicant('org-other'), project)).toThrow(
        expect.objectContaining({ code: ErrorCode.FORBIDDEN }),
      );
    });

    it('lets an applicant register only for its own org, naming the field', () => {
      expect(() => assertCanRegister(applicant(), 'org-quzhou')).not.toThrow();
      try {
        assertCanRegister(applicant(), 'org-other');
        throw new Error('allowed');
      } catch (err) {
        expect((err as DomainError).code).toBe(ErrorCode.FORBIDDEN);
        expect((err as DomainError).details).toEqual({ field: 'ownerOrg' });
      }
    });

    it('refuses registration to a department officer', () => {
      expect(() => assertCanRegister(officer('ndrc'), 'org-quzhou')).toThrow(
        'role department may not register projects',
      );
    });
  });
});
