import {
  DEFAULT_CATALOGUE,
  INDUSTRIAL_PARK_CATALOGUE,
  ProcedureLogic,
  type PersistedProcedure,
} from '@qianqi/workflows';
import { decideCommand, type CommandRequest, type DecideContext } from './decide-command';
import { DomainError, ErrorCode } from './domain.errors';
import { PROVISIONAL_APPROVAL_EVENT } from './procedure-event';

const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
const ctx = (n = 1): DecideContext => ({
  at: new Date(Date.UTC(2026, 2, 2, n)).toISOString(),
  commitmentDueAt: (at, days) => `${at.slice(0, 10)}+${days}WD`,
});

/** Given commands decided in order (each must be accepted), the state they reach. */
function given(...commands: [string, CommandRequest][]): PersistedProcedure {
  let state = logic.start({ procedureId: 'p', projectId: 'q', approvalMode: 'approval' });
  commands.forEach(([item, cmd], i) => {
    state = decideCommand(logic, state, item, cmd, ctx(i + 1)).state;
  });
  return state;
}

/** The refusal decide throws for this command in this state. */
function refusalOf(state: PersistedProcedure, item: string, cmd: CommandRequest): DomainError {
  try {
    decideCommand(logic, state, item, cmd, ctx(99));
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error(`${item}.${cmd.type} was accepted`);
}

const submit = (materials: string[]): CommandRequest => ({ type: 'SUBMIT', materials });

describe('decideCommand', () => {
  describe('accepted commands become past-tense events', () => {
    it('SUBMIT → StepSubmitted, material names mapped to keys and repeats dropped', () => {
      const state = given();
      const d = decideCommand(
        logic,
        state,
        'eia',
        submit(['环境影响报告书', 'eia_report', 'public_participation']),
        ctx(),
      );
      expect(d.events).toEqual([
        {
          type: 'StepSubmitted',
          data: { itemKey: 'eia', materials: ['eia_report', 'public_participation'] },
        },
      ]);
      expect(logic.status(d.state, 'eia')).toBe('submitted');
      expect(logic.status(state, 'eia')).toBe('ready');
    });

    it('ACCEPT_WITH_TOLERANCE records what is missing and the commitment due date it computed', () => {
      const state = given(['eia', submit(['eia_report'])]);
      const d = decideCommand(logic, state, 'eia', { type: 'ACCEPT_WITH_TOLERANCE' }, ctx(7));
      expect(d.events).toEqual([
        {
          type: 'StepAcceptedWithTolerance',
          data: {
            itemKey: 'eia',
            dueInWorkingDays: 5,
            commitmentDueAt: '2026-03-02+5WD',
            missing: ['public_participation', 'expert_opinion'],
          },
        },
      ]);
      expect(d.state.context.items.eia.commitments.map((c) => c.dueAt)).toEqual([
        '2026-03-02+5WD',
        '2026-03-02+5WD',
      ]);
    });

    it('RESUBMIT after 补正 with a committed material makes the commitment good too', () => {
      const state = given(
        ['eia', submit(['eia_report'])],
        ['eia', { type: 'ACCEPT_WITH_TOLERANCE' }],
        ['eia', { type: 'RETURN_FOR_CORRECTION', reason: '补正', missing: ['eia_report'] }],
      );
      const d = decideCommand(
        logic,
        state,
        'eia',
        { type: 'RESUBMIT', materials: ['eia_report', 'public_participation'] },
        ctx(9),
      );
      expect(d.events.map((e) => [e.type, e.data.materials])).toEqual([
        ['StepResubmitted', ['eia_report', 'public_participation']],
        ['MaterialsSupplied', ['public_participation']],
      ]);
      expect(logic.status(d.state, 'eia')).toBe('in_review');
      expect(d.state.context.items.eia.commitments.map((c) => [c.material, c.status, c.fulfilledAt])).toEqual(
        [
          ['public_participation', 'fulfilled', ctx(9).at],
          ['expert_opinion', 'open', null],
        ],
      );
      // Without a committed material, RESUBMIT is the one event it always was.
      const plain = decideCommand(
        logic,
        state,
        'eia',
        { type: 'RESUBMIT', materials: ['eia_report'] },
        ctx(9),
      );
      expect(plain.events.map((e) => e.type)).toEqual(['StepResubmitted']);
    });

    it('ACCEPT_WITH_TOLERANCE takes the days asked for, or the definition default', () => {
      const state = given(['eia', submit(['eia_report'])]);
      const d = decideCommand(
        logic,
        state,
        'eia',
        { type: 'ACCEPT_WITH_TOLERANCE', dueInWorkingDays: 12 },
        ctx(),
      );
      expect(d.events[0].data).toMatchObject({ dueInWorkingDays: 12, commitmentDueAt: '2026-03-02+12WD' });

      const park = new ProcedureLogic(INDUSTRIAL_PARK_CATALOGUE);
      let s = park.start({ procedureId: 'p', projectId: 'q', approvalMode: 'approval' });
      s = decideCommand(
        park,
        s,
        'standard_land',
        submit(['land_contract', 'investment_agreement']),
        ctx(),
      ).state;
      const parkDecision = decideCommand(park, s, 'standard_land', { type: 'ACCEPT_WITH_TOLERANCE' }, ctx());
      expect(parkDecision.events[0].data.dueInWorkingDays).toBe(
        INDUSTRIAL_PARK_CATALOGUE.items.find((i) => i.key === 'standard_land')!.commitmentDays,
      );
    });

    it('APPROVE with a commitment open → StepProvisionallyApproved; without → StepApproved', () => {
      const tolerance = given(['eia', submit(['eia_report'])], ['eia', { type: 'ACCEPT_WITH_TOLERANCE' }]);
      const provisional = decideCommand(
        logic,
        tolerance,
        'eia',
        { type: 'APPROVE', documentNo: '环审〔2026〕1号' },
        ctx(),
      );
      expect(provisional.events).toEqual([
        { type: PROVISIONAL_APPROVAL_EVENT, data: { itemKey: 'eia', documentNo: '环审〔2026〕1号' } },
      ]);
      const complete = given(
        ['eia', submit(['eia_report', 'public_participation', 'expert_opinion'])],
        ['eia', { type: 'ACCEPT' }],
      );
      expect(
        decideCommand(logic, complete, 'eia', { type: 'APPROVE', documentNo: 'x' }, ctx()).events[0].type,
      ).toBe('StepApproved');
    });

    it('SUPPLY_MATERIALS → MaterialsSupplied, closing the commitment', () => {
      const state = given(
        ['soil_water', submit(['swc_plan'])],
        ['soil_water', { type: 'ACCEPT_WITH_TOLERANCE' }],
        ['soil_water', { type: 'APPROVE', documentNo: '水保〔2026〕3号' }],
      );
      const d = decideCommand(
        logic,
        state,
        'soil_water',
        { type: 'SUPPLY_MATERIALS', materials: ['水土保持补偿费缴纳凭证'] },
        ctx(),
      );
      expect(d.events).toEqual([
        { type: 'MaterialsSupplied', data: { itemKey: 'soil_water', materials: ['swc_commitment'] } },
      ]);
      expect(logic.status(d.state, 'soil_water')).toBe('approved');
    });
  });

  describe('refusals carry a stable code', () => {
    it('MATERIALS_INCOMPLETE: ACCEPT with anything missing, naming what is missing', () => {
      const err = refusalOf(given(['eia', submit(['eia_report'])]), 'eia', { type: 'ACCEPT' });
      expect(err.code).toBe(ErrorCode.MATERIALS_INCOMPLETE);
      expect(err.details).toEqual({ itemKey: 'eia', missing: ['public_participation', 'expert_opinion'] });
      expect(err.message).toContain('public_participation');
      expect(err.message).toContain('公众参与说明');
    });

    it('TOLERANCE_NOT_ALLOWED names the essential material missing (and only that one)', () => {
      const err = refusalOf(given(['eia', submit(['public_participation'])]), 'eia', {
        type: 'ACCEPT_WITH_TOLERANCE',
      });
      expect(err.code).toBe(ErrorCode.TOLERANCE_NOT_ALLOWED);
      expect(err.details).toEqual({ itemKey: 'eia', essentialMissing: ['eia_report'] });
      expect(err.message).toContain('eia_report (环境影响报告书)');
      expect(err.message).not.toContain('expert_opinion');
    });

    it('INVALID_TRANSITION names the status and the commands the item accepts', () => {
      const err = refusalOf(given(), 'eia', { type: 'APPROVE', documentNo: 'x' });
      expect(err.code).toBe(ErrorCode.INVALID_TRANSITION);
      expect(err.details).toEqual({
        itemKey: 'eia',
        itemStatus: 'ready',
        command: 'APPROVE',
        accepted: ['SUBMIT'],
      });
      expect(err.message).toContain('is ready');
      expect(err.message).toContain('accepted: SUBMIT');

      const reviewing = given(
        ['eia', submit(['eia_report', 'public_participation', 'expert_opinion'])],
        ['eia', { type: 'ACCEPT' }],
      );
      const again = refusalOf(reviewing, 'eia', { type: 'ACCEPT' });
      expect(again.details.itemStatus).toBe('in_review');
      expect([...(again.details.accepted as string[])].sort()).toEqual(
        [
          'APPROVE',
          'DENY',
          'RETURN_FOR_CORRECTION',
          'START_SPECIAL_PROCEDURE',
          'SUPPLY_MATERIALS',
          'WITHDRAW',
        ].sort(),
      );
    });

    it('INVALID_TRANSITION for a locked item offers nothing it cannot take', () => {
      const err = refusalOf(given(), 'land_pre_review', submit(['application', 'site_plan']));
      expect(err.code).toBe(ErrorCode.INVALID_TRANSITION);
      expect(err.details).toMatchObject({ itemStatus: 'locked', accepted: [] });
    });

    it('UNKNOWN_MATERIAL names the unknown material and the known ones', () => {
      const err = refusalOf(given(), 'eia', submit(['eia_report', 'bribe']));
      expect(err.code).toBe(ErrorCode.UNKNOWN_MATERIAL);
      expect(err.errors).toEqual([
        {
          field: 'materials',
          rule: 'knownMaterial',
          message:
            'unknown material(s) bribe for eia; known: eia_report, public_participation, expert_opinion',
        },
      ]);
      const missing = refusalOf(given(['eia', submit(['eia_report'])]), 'eia', {
        type: 'RETURN_FOR_CORRECTION',
        reason: '补正',
        missing: ['ghost'],
      });
      expect(missing.code).toBe(ErrorCode.UNKNOWN_MATERIAL);
      expect(missing.errors[0].field).toBe('missing');
    });

    it('NOT_WAIVABLE for an item the definition does not let be waived, in any state', () => {
      expect(
        refusalOf(given(), 'project_approval', { type: 'WAIVE', basis: 'regional_assessment', reason: 'x' })
          .code,
      ).toBe(ErrorCode.NOT_WAIVABLE);
      expect(
        refusalOf(given(), 'land_pre_review', { type: 'WAIVE', basis: 'regional_assessment', reason: 'x' })
          .code,
      ).toBe(ErrorCode.NOT_WAIVABLE);
    });

    it('a waivable item already submitted is an INVALID_TRANSITION, not NOT_WAIVABLE', () => {
      const err = refusalOf(given(['energy_review', submit(['energy_report'])]), 'energy_review', {
        type: 'WAIVE',
        basis: 'regional_assessment',
        reason: 'x',
      });
      expect(err.code).toBe(ErrorCode.INVALID_TRANSITION);
      expect(err.details.itemStatus).toBe('submitted');
    });

    it('NOTHING_TO_SUPPLY when no open commitment is closed', () => {
      const state = given(['eia', submit(['eia_report'])], ['eia', { type: 'ACCEPT_WITH_TOLERANCE' }]);
      const err = refusalOf(state, 'eia', { type: 'SUPPLY_MATERIALS', materials: ['eia_report'] });
      expect(err.code).toBe(ErrorCode.NOTHING_TO_SUPPLY);
      expect(err.details.openCommitments).toEqual(['public_participation', 'expert_opinion']);
    });

    it('NOT_FOUND for an unknown item and for an item the approval mode does not need', () => {
      expect(refusalOf(given(), 'moon_landing', submit([])).code).toBe(ErrorCode.NOT_FOUND);
      const park = new ProcedureLogic(INDUSTRIAL_PARK_CATALOGUE);
      const state = park.start({ procedureId: 'p', projectId: 'q', approvalMode: 'approval' });
      expect(() => decideCommand(park, state, 'filing', submit(['filing_form']), ctx())).toThrow(
        expect.objectContaining({ code: ErrorCode.NOT_FOUND }),
      );
    });

    it('leaves the state it was given untouched', () => {
      const state = given(['eia', submit(['eia_report'])]);
      const copy = structuredClone(state);
      refusalOf(state, 'eia', { type: 'ACCEPT' });
      decideCommand(logic, state, 'eia', { type: 'ACCEPT_WITH_TOLERANCE' }, ctx());
      expect(state).toEqual(copy);
    });
  });
});
