import {
  approvedSteps,
  at,
  hour,
  materialsOf,
  ProcedureScenario,
  step,
  type Step,
} from '../../test/support/procedure-scenario';
import { DEFAULT_CATALOGUE } from './catalogues/default.catalogue';
import { INDUSTRIAL_PARK_CATALOGUE } from './catalogues/industrial-park.catalogue';
import type { ProcedureDefinition } from './definition.types';

const D = DEFAULT_CATALOGUE;
const all = (item: string) => materialsOf(D, item);
const essential = (item: string) => materialsOf(D, item, 'essential');
const tolerable = (item: string) => materialsOf(D, item, 'tolerable');
const approval = new ProcedureScenario(D, 'approval');

/** SUBMIT with only the essential materials, then 容缺受理. */
const toleranceAccepted = (item: string, dueAt: string | null = null): Step[] => [
  step.submit(item, essential(item)),
  step.acceptWithTolerance(item, dueAt),
];

describe('procedure lifecycle (default catalogue)', () => {
  describe('start', () => {
    it('opens items without prerequisites and locks the rest (审批 project)', () => {
      approval.given().then((o) => {
        expect(o.statuses()).toEqual({
          project_approval: 'ready',
          land_pre_review: 'locked',
          eia: 'ready',
          energy_review: 'ready',
          soil_water: 'ready',
          heritage_survey: 'ready',
          land_use_permit: 'locked',
          engineering_permit: 'locked',
          drawing_review: 'locked',
          construction_permit: 'locked',
        });
        expect(o.readyToStart).toBe(false);
      });
    });

    it.each(['verification', 'filing'] as const)(
      'lets 用地预审 run in parallel with 立项 for a %s project (the edge applies to 审批 only)',
      (mode) => {
        new ProcedureScenario(D, mode).given().then((o) => {
          expect(o.status('project_approval')).toBe('ready');
          expect(o.status('land_pre_review')).toBe('ready');
          expect(o.status('land_use_permit')).toBe('locked');
        });
      },
    );

    it('keeps 用地预审 locked for an 审批 project until 立项 is approved', () => {
      approval
        .given(step.submit('project_approval', all('project_approval')), step.accept('project_approval'))
        .when(step.approve('project_approval'))
        .then((o) => {
          expect(o.before.value.land_pre_review).toBe('locked');
          expect(o.status('project_approval')).toBe('approved');
          expect(o.status('land_pre_review')).toBe('ready');
        });
    });
  });

  describe('parallel items', () => {
    it('moves only the item an event names', () => {
      approval
        .given(step.submit('eia', all('eia')), step.submit('soil_water', all('soil_water')))
        .when(step.accept('eia'))
        .then((o) => {
          expect(o.statuses()).toEqual({ ...o.before.value, eia: 'in_review' });
          expect(o.status('eia')).toBe('in_review');
          expect(o.item('eia').acceptedAt).toBe(o.at);
          expect(o.status('soil_water')).toBe('submitted');
          expect(o.item('soil_water').acceptedAt).toBeNull();
          const { eia: _changed, ...others } = o.state.context.items;
          const { eia: _before, ...othersBefore } = o.before.context.items;
          expect(others).toEqual(othersBefore);
        });
    });

    it('runs every alongside item at once, each region at its own stage', () => {
      approval
        .given(
          step.submit('eia', all('eia')),
          step.accept('eia'),
          step.submit('energy_review', all('energy_review')),
          step.submit('heritage_survey', all('heritage_survey')),
          step.accept('heritage_survey'),
          step.approve('heritage_survey'),
          step.submit('project_approval', all('project_approval')),
        )
        .when(step.returnForCorrection('energy_review', '节能报告缺少计算书'))
        .then((o) => {
          expect(o.status('eia')).toBe('in_review');
          expect(o.status('energy_review')).toBe('correcting');
          expect(o.status('heritage_survey')).toBe('approved');
          expect(o.status('project_approval')).toBe('submitted');
          expect(o.status('soil_water')).toBe('ready');
        });
    });

    it('ignores an event for an item in a state without that transition', () => {
      approval
        .given(step.submit('eia', all('eia')))
        .when(step.approve('eia'))
        .thenRefused();
    });
  });

  describe('容缺受理 (accept with tolerance) and supply', () => {
    it('opens one commitment per missing tolerable material, due when the event says', () => {
      const due = '2026-03-09T15:59:59.999Z';
      approval
        .given(step.submit('eia', essential('eia')))
        .when(step.acceptWithTolerance('eia', due, 5))
        .then((o) => {
          expect(o.status('eia')).toBe('in_review');
          expect(o.item('eia').acceptedAt).toBe(o.at);
          expect(o.item('eia').commitments).toEqual(
            tolerable('eia').map((material) => ({
              material,
              openedAt: o.at,
              dueAt: due,
              dueInWorkingDays: 5,
              status: 'open',
              fulfilledAt: null,
              breachedAt: null,
            })),
          );
        });
    });

    it('refuses 容缺 when an essential material is missing', () => {
      approval
        .given(step.submit('eia', tolerable('eia')))
        .when(step.acceptWithTolerance('eia'))
        .thenRefused();
    });

    it('refuses a plain ACCEPT while a tolerable material is missing', () => {
      approval
        .given(step.submit('eia', essential('eia')))
        .when(step.accept('eia'))
        .thenRefused();
    });

    it('accepts 容缺 with nothing missing, opening no commitment', () => {
      approval
        .given(step.submit('eia', all('eia')))
        .when(step.acceptWithTolerance('eia'))
        .then((o) => {
          expect(o.status('eia')).toBe('in_review');
          expect(o.item('eia').commitments).toEqual([]);
        });
    });

    it('approves provisionally while a commitment is open', () => {
      approval
        .given(...toleranceAccepted('eia'))
        .when(step.approve('eia', '衢环建〔2026〕12号'))
        .then((o) => {
          expect(o.status('eia')).toBe('provisionally_approved');
          expect(o.item('eia').documentNo).toBe('衢环建〔2026〕12号');
          expect(o.item('eia').decidedAt).toBe(o.at);
          expect(o.readyToStart).toBe(false);
        });
    });

    it('stays provisionally approved until the last committed material is supplied', () => {
      const [first, second] = tolerable('eia');
      const given = approval.given(...toleranceAccepted('eia'), step.approve('eia'));
      given.when(step.supply('eia', [first])).then((o) => {
        expect(o.status('eia')).toBe('provisionally_approved');
        expect(o.item('eia').commitments.map((c) => [c.material, c.status])).toEqual([
          [first, 'fulfilled'],
          [second, 'open'],
        ]);
        expect(o.item('eia').commitments[0].fulfilledAt).toBe(o.at);
      });
      approval
        .given(...toleranceAccepted('eia'), step.approve('eia'), step.supply('eia', [first]))
        .when(step.supply('eia', [second]))
        .then((o) => {
          expect(o.status('eia')).toBe('approved');
          expect(o.item('eia').commitments.every((c) => c.status === 'fulfilled')).toBe(true);
          expect(o.item('eia').materials).toEqual(expect.arrayContaining(all('eia')));
        });
    });

    it('goes straight to approved when everything is supplied at once', () => {
      approval
        .given(...toleranceAccepted('eia'), step.approve('eia'))
        .when(step.supply('eia', tolerable('eia')))
        .then((o) => expect(o.status('eia')).toBe('approved'));
    });

    it('approves fully when the commitments were closed during review', () => {
      approval
        .given(...toleranceAccepted('eia'), step.supply('eia', tolerable('eia')))
        .when(step.approve('eia'))
        .then((o) => expect(o.status('eia')).toBe('approved'));
    });

    it('refuses a supply that closes no open commitment', () => {
      approval
        .given(...toleranceAccepted('soil_water'), step.approve('soil_water'))
        .when(step.supply('soil_water', essential('soil_water')))
        .thenRefused();
      approval
        .given(step.submit('eia', all('eia')), step.accept('eia'))
        .when(step.supply('eia', tolerable('eia')))
        .thenRefused();
    });

    it('revokes a provisional approval on breach where the definition says revoke', () => {
      approval
        .given(...toleranceAccepted('eia'), step.approve('eia'))
        .when(step.breach('eia', [tolerable('eia')[0]]))
        .then((o) => {
          expect(D.items.find((i) => i.key === 'eia')!.breachPolicy).toBe('revoke');
          expect(o.status('eia')).toBe('in_review');
          expect(o.item('eia').documentNo).toBeNull();
          expect(o.item('eia').commitments[0].status).toBe('breached');
        });
    });

    it('keeps a withheld item provisionally approved on breach', () => {
      const withheld = new ProcedureScenario(D, 'verification');
      withheld
        .given(...toleranceAccepted('land_pre_review'), step.approve('land_pre_review'))
        .when(step.breach('land_pre_review', tolerable('land_pre_review')))
        .then((o) => {
          expect(o.status('land_pre_review')).toBe('provisionally_approved');
          expect(o.item('land_pre_review').commitments[0].status).toBe('breached');
        });
    });
  });

  describe('补正 (return for correction)', () => {
    it('stops the clock when returned and restarts it on resubmission, before acceptance', () => {
      approval
        .given(
          at(step.submit('eia', essential('eia')), hour(1)),
          at(step.returnForCorrection('eia', '公众参与说明缺失', ['public_participation']), hour(2)),
        )
        .then((o) => {
          expect(o.status('eia')).toBe('correcting');
          expect(o.item('eia').correction).toEqual({
            reason: '公众参与说明缺失',
            missing: ['public_participation'],
          });
          expect(o.item('eia').stops).toEqual([
            { kind: 'correction', reason: '公众参与说明缺失', from: hour(2), to: null },
          ]);
        });
      approval
        .given(
          at(step.submit('eia', essential('eia')), hour(1)),
          at(step.returnForCorrection('eia', '公众参与说明缺失', ['public_participation']), hour(2)),
        )
        .when(at(step.resubmit('eia', ['public_participation']), hour(30)))
        .then((o) => {
          expect(o.status('eia')).toBe('submitted');
          expect(o.item('eia').correction).toBeNull();
          expect(o.item('eia').stops).toEqual([
            { kind: 'correction', reason: '公众参与说明缺失', from: hour(2), to: hour(30) },
          ]);
          expect(o.item('eia').materials.sort()).toEqual(
            [...essential('eia'), 'public_participation'].sort(),
          );
        });
    });

    it('returns to review (not to acceptance) when corrected during review', () => {
      approval
        .given(
          step.submit('eia', all('eia')),
          step.accept('eia'),
          step.returnForCorrection('eia', '报告书数据需更正', ['eia_report']),
        )
        .when(step.resubmit('eia', ['eia_report']))
        .then((o) => {
          expect(o.status('eia')).toBe('in_review');
          expect(o.item('eia').acceptedAt).toBe(hour(2));
          expect(o.item('eia').stops).toHaveLength(1);
          expect(o.item('eia').stops[0].to).toBe(o.at);
        });
    });

    it('accepts nothing but RESUBMIT or WITHDRAW while correcting', () => {
      const correcting = [step.submit('eia', all('eia')), step.returnForCorrection('eia', '补正')];
      approval
        .given(...correcting)
        .when(step.accept('eia'))
        .thenRefused();
      approval
        .given(...correcting)
        .when(step.approve('eia'))
        .thenRefused();
      approval
        .given(...correcting)
        .when(step.withdraw('eia', '项目调整'))
        .then((o) => {
          expect(o.status('eia')).toBe('withdrawn');
          expect(o.item('eia').stops[0].to).toBe(o.at);
        });
    });

    it('sends an application back to ready on REFUSE (不予受理)', () => {
      approval
        .given(step.submit('eia', all('eia')))
        .when(step.refuse('eia', '不属于本部门职权'))
        .then((o) => {
          expect(o.status('eia')).toBe('ready');
          expect(o.item('eia').reason).toBe('不属于本部门职权');
          expect(o.item('eia').materials).toEqual([]);
        });
    });
  });

  describe('特别程序 (special procedure)', () => {
    const inReview = [at(step.submit('eia', all('eia')), hour(1)), at(step.accept('eia'), hour(2))];

    it('pauses the item and records an open stop', () => {
      approval
        .given(...inReview)
        .when(at(step.startSpecial('eia', 'expert_review', '组织专家评审'), hour(5)))
        .then((o) => {
          expect(o.status('eia')).toBe('paused');
          expect(o.item('eia').stops).toEqual([
            { kind: 'expert_review', reason: '组织专家评审', from: hour(5), to: null },
          ]);
        });
    });

    it('resumes review and closes the stop at the end', () => {
      approval
        .given(...inReview, at(step.startSpecial('eia', 'hearing', '听证'), hour(5)))
        .when(at(step.endSpecial('eia'), hour(50)))
        .then((o) => {
          expect(o.status('eia')).toBe('in_review');
          expect(o.item('eia').stops).toEqual([
            { kind: 'hearing', reason: '听证', from: hour(5), to: hour(50) },
          ]);
        });
    });

    it('keeps every stop: two special procedures and a correction', () => {
      approval
        .given(
          ...inReview,
          at(step.startSpecial('eia', 'public_notice', '公示'), hour(3)),
          at(step.endSpecial('eia'), hour(4)),
          at(step.returnForCorrection('eia', '补正'), hour(5)),
          at(step.resubmit('eia', ['eia_report']), hour(6)),
          at(step.startSpecial('eia', 'site_inspection', '现场勘验'), hour(7)),
        )
        .when(at(step.endSpecial('eia'), hour(8)))
        .then((o) => {
          expect(o.item('eia').stops.map((s) => [s.kind, s.from, s.to])).toEqual([
            ['public_notice', hour(3), hour(4)],
            ['correction', hour(5), hour(6)],
            ['site_inspection', hour(7), hour(8)],
          ]);
        });
    });

    it('cannot approve, deny or start another special procedure while paused', () => {
      const paused = [...inReview, step.startSpecial('eia', 'bidding', '招投标')];
      approval
        .given(...paused)
        .when(step.approve('eia'))
        .thenRefused();
      approval
        .given(...paused)
        .when(step.deny('eia', '否'))
        .thenRefused();
      approval
        .given(...paused)
        .when(step.startSpecial('eia', 'hearing', '听证'))
        .thenRefused();
    });

    it('still takes committed materials while paused', () => {
      approval
        .given(...toleranceAccepted('eia'), step.startSpecial('eia', 'expert_review', '评审'))
        .when(step.supply('eia', tolerable('eia')))
        .then((o) => {
          expect(o.status('eia')).toBe('paused');
          expect(o.item('eia').commitments.every((c) => c.status === 'fulfilled')).toBe(true);
        });
    });
  });

  describe('deny, then a new application', () => {
    it('denies with the reason recorded', () => {
      approval
        .given(step.submit('soil_water', all('soil_water')), step.accept('soil_water'))
        .when(step.deny('soil_water', '方案不符合水土保持要求'))
        .then((o) => {
          expect(o.status('soil_water')).toBe('denied');
          expect(o.item('soil_water').reason).toBe('方案不符合水土保持要求');
          expect(o.item('soil_water').decidedAt).toBe(o.at);
        });
    });

    it('accepts a new SUBMIT after a denial, as a fresh attempt', () => {
      approval
        .given(
          step.submit('soil_water', all('soil_water')),
          step.accept('soil_water'),
          step.deny('soil_water', '否'),
        )
        .when(step.submit('soil_water', essential('soil_water')))
        .then((o) => {
          expect(o.status('soil_water')).toBe('submitted');
          expect(o.item('soil_water').attempt).toBe(o.before.context.items.soil_water.attempt + 1);
          expect(o.item('soil_water').materials).toEqual(essential('soil_water'));
          expect(o.item('soil_water').acceptedAt).toBeNull();
          expect(o.item('soil_water').decidedAt).toBeNull();
          expect(o.item('soil_water').submittedAt).toBe(o.at);
        });
    });

    it('runs the second application through to approval', () => {
      approval
        .given(
          step.submit('soil_water', all('soil_water')),
          step.accept('soil_water'),
          step.deny('soil_water', '否'),
          step.submit('soil_water', all('soil_water')),
          step.accept('soil_water'),
        )
        .when(step.approve('soil_water'))
        .then((o) => expect(o.status('soil_water')).toBe('approved'));
    });

    it('does not re-open an approved item', () => {
      approval
        .given(...approvedSteps(D, 'soil_water'))
        .when(step.submit('soil_water', all('soil_water')))
        .thenRefused();
    });
  });

  describe('withdraw', () => {
    it('withdraws an open item and lets it be submitted again', () => {
      approval
        .given(step.submit('eia', all('eia')), step.accept('eia'), step.withdraw('eia', '项目调整'))
        .when(step.submit('eia', all('eia')))
        .then((o) => {
          expect(o.before.value.eia).toBe('withdrawn');
          expect(o.status('eia')).toBe('submitted');
        });
    });
  });

  describe('waiver (区域评估 / 告知承诺)', () => {
    it('waives a waivable item that is ready, recording the basis', () => {
      approval
        .given()
        .when(step.waive('energy_review', 'notice_commitment', '告知承诺制'))
        .then((o) => {
          expect(o.status('energy_review')).toBe('waived');
          expect(o.item('energy_review').waiver).toEqual({
            basis: 'notice_commitment',
            reason: '告知承诺制',
          });
          expect(o.item('energy_review').decidedAt).toBe(o.at);
        });
    });

    it('refuses to waive an item the definition marks not waivable', () => {
      expect(D.items.find((i) => i.key === 'project_approval')!.waivable).toBe(false);
      approval.given().when(step.waive('project_approval')).thenRefused();
      approval.given().when(step.waive('land_pre_review')).thenRefused();
    });

    it('refuses to waive an item already submitted', () => {
      approval
        .given(step.submit('heritage_survey', all('heritage_survey')))
        .when(step.waive('heritage_survey'))
        .thenRefused();
    });

    it('unlocks dependants of a waived prerequisite', () => {
      const def = miniDefinition([
        { key: 'survey', waivable: true },
        { key: 'permit', prerequisites: [{ item: 'survey' }] },
      ]);
      const s = new ProcedureScenario(def);
      s.given().then((o) => expect(o.status('permit')).toBe('locked'));
      s.given()
        .when(step.waive('survey'))
        .then((o) => expect(o.status('permit')).toBe('ready'));
    });

    it('waives a waivable item that is still locked', () => {
      const def = miniDefinition([
        { key: 'first' },
        { key: 'survey', waivable: true, prerequisites: [{ item: 'first' }] },
      ]);
      new ProcedureScenario(def)
        .given()
        .when(step.waive('survey'))
        .then((o) => {
          expect(o.before.value.survey).toBe('locked');
          expect(o.status('survey')).toBe('waived');
        });
    });
  });

  describe('容缺后置 (a provisionally approved prerequisite unlocks where the edge allows it)', () => {
    const landProvisional: Step[] = [
      ...approvedSteps(D, 'project_approval'),
      ...approvedSteps(D, 'land_pre_review'),
      ...toleranceAccepted('land_use_permit'),
    ];

    it('unlocks 建设工程规划许可 on a provisional 建设用地规划许可 (allowProvisional edge)', () => {
      expect(D.items.find((i) => i.key === 'engineering_permit')!.prerequisites).toEqual([
        { item: 'land_use_permit', allowProvisional: true },
      ]);
      approval
        .given(...landProvisional)
        .when(step.approve('land_use_permit'))
        .then((o) => {
          expect(o.before.value.engineering_permit).toBe('locked');
          expect(o.status('land_use_permit')).toBe('provisionally_approved');
          expect(o.status('engineering_permit')).toBe('ready');
          expect(o.status('construction_permit')).toBe('locked');
        });
    });

    it('does not unlock over a normal edge: 用地预审 waits for 立项 to be fully approved', () => {
      approval
        .given(...toleranceAccepted('project_approval'))
        .when(step.approve('project_approval'))
        .then((o) => {
          expect(o.status('project_approval')).toBe('provisionally_approved');
          expect(o.status('land_pre_review')).toBe('locked');
        });
      approval
        .given(...toleranceAccepted('project_approval'), step.approve('project_approval'))
        .when(step.supply('project_approval', tolerable('project_approval')))
        .then((o) => {
          expect(o.status('project_approval')).toBe('approved');
          expect(o.status('land_pre_review')).toBe('ready');
        });
    });

    it('does not unlock 施工许可 while 建设用地规划许可 is only provisional', () => {
      approval
        .given(
          ...landProvisional,
          step.approve('land_use_permit'),
          ...approvedSteps(D, 'engineering_permit'),
          ...approvedSteps(D, 'drawing_review'),
        )
        .then((o) => {
          expect(o.status('drawing_review')).toBe('approved');
          expect(o.status('construction_permit')).toBe('locked');
        });
      approval
        .given(
          ...landProvisional,
          step.approve('land_use_permit'),
          ...approvedSteps(D, 'engineering_permit'),
          ...approvedSteps(D, 'drawing_review'),
        )
        .when(step.supply('land_use_permit', tolerable('land_use_permit')))
        .then((o) => expect(o.status('construction_permit')).toBe('ready'));
    });

    it('does not unlock on a prerequisite that is merely in review', () => {
      approval
        .given(
          ...approvedSteps(D, 'project_approval'),
          ...approvedSteps(D, 'land_pre_review'),
          ...toleranceAccepted('land_use_permit'),
        )
        .then((o) => expect(o.status('engineering_permit')).toBe('locked'));
    });
  });

  describe('容缺后置 when the provisional prerequisite breaks its commitment', () => {
    // 建设用地规划许可 (withhold) provisionally approved → 建设工程规划许可 unlocked over its 容缺后置 edge.
    const landMissing = tolerable('land_use_permit');
    const unlockedByProvisional: Step[] = [
      ...approvedSteps(D, 'project_approval'),
      ...approvedSteps(D, 'land_pre_review'),
      ...toleranceAccepted('land_use_permit'),
      step.approve('land_use_permit'),
    ];
    const breached: Step[] = [...unlockedByProvisional, step.breach('land_use_permit', landMissing)];
    const engineeringSubmitted = step.submit('engineering_permit', all('engineering_permit'));
    const landName = D.items.find((i) => i.key === 'land_use_permit')!.name;
    /** 建设工程规划许可 submitted while the edge was met; then the commitment broke. */
    const submittedThenBreached: Step[] = [
      ...unlockedByProvisional,
      engineeringSubmitted,
      step.breach('land_use_permit', landMissing),
    ];

    it('locks a dependent that is still ready when the commitment breaks (withhold)', () => {
      expect(D.items.find((i) => i.key === 'land_use_permit')!.breachPolicy ?? 'withhold').toBe('withhold');
      approval
        .given(...unlockedByProvisional)
        .when(step.breach('land_use_permit', landMissing))
        .then((o) => {
          expect(o.before.value.engineering_permit).toBe('ready');
          expect(o.status('land_use_permit')).toBe('provisionally_approved');
          expect(o.status('engineering_permit')).toBe('locked');
          expect(o.logic.commandsAccepted(o.status('engineering_permit'), 'engineering_permit')).toEqual([]);
          expect(o.logic.unmetPrerequisites(o.state, 'engineering_permit')).toEqual([
            {
              item: 'land_use_permit',
              name: landName,
              status: 'provisionally_approved',
              breached: landMissing,
            },
          ]);
        });
    });

    it('unlocks it again once the committed materials are supplied', () => {
      approval
        .given(...breached)
        .when(step.supply('land_use_permit', landMissing))
        .then((o) => {
          expect(o.before.value.engineering_permit).toBe('locked');
          expect(o.status('land_use_permit')).toBe('approved');
          expect(o.status('engineering_permit')).toBe('ready');
          expect(o.logic.unmetPrerequisites(o.state, 'engineering_permit')).toEqual([]);
        });
    });

    it('refuses to submit the locked dependent', () => {
      approval
        .given(...breached)
        .when(engineeringSubmitted)
        .thenRefused();
    });

    it('keeps a submitted or reviewed dependent where it is, but its APPROVE waits', () => {
      approval
        .given(...unlockedByProvisional, engineeringSubmitted)
        .when(step.breach('land_use_permit', landMissing))
        .then((o) => expect(o.status('engineering_permit')).toBe('submitted'));
      // Review goes on: accept, a special procedure, 补正 — only the certificate waits.
      approval
        .given(...submittedThenBreached)
        .when(step.accept('engineering_permit'))
        .then((o) => expect(o.status('engineering_permit')).toBe('in_review'));
      approval
        .given(...submittedThenBreached, step.accept('engineering_permit'))
        .when(step.approve('engineering_permit'))
        .thenRefused();
      approval
        .given(...submittedThenBreached, step.accept('engineering_permit'))
        .when(step.startSpecial('engineering_permit', 'expert_review', '专家评审'))
        .then((o) => expect(o.status('engineering_permit')).toBe('paused'));
      approval
        .given(...unlockedByProvisional, engineeringSubmitted, step.accept('engineering_permit'))
        .when(step.breach('land_use_permit', landMissing))
        .then((o) => expect(o.status('engineering_permit')).toBe('in_review'));
    });

    it('lets the dependent be denied or withdrawn meanwhile, and approved once supplied', () => {
      const reviewing = [...submittedThenBreached, step.accept('engineering_permit')];
      approval
        .given(...reviewing)
        .when(step.deny('engineering_permit', '方案不符'))
        .then((o) => expect(o.status('engineering_permit')).toBe('denied'));
      approval
        .given(...reviewing, step.supply('land_use_permit', landMissing))
        .when(step.approve('engineering_permit'))
        .then((o) => {
          expect(o.status('engineering_permit')).toBe('approved');
          expect(o.status('drawing_review')).toBe('ready');
        });
    });

    it('refuses a new application after a denial until the prerequisite is made good', () => {
      const denied = [
        ...submittedThenBreached,
        step.accept('engineering_permit'),
        step.deny('engineering_permit', '方案不符'),
      ];
      approval
        .given(...denied)
        .when(engineeringSubmitted)
        .thenRefused();
      approval
        .given(...denied, step.supply('land_use_permit', landMissing))
        .when(engineeringSubmitted)
        .then((o) => expect(o.status('engineering_permit')).toBe('submitted'));
    });

    it('leaves a dependent approved before the breach approved (its certificate was issued)', () => {
      approval
        .given(...unlockedByProvisional, ...approvedSteps(D, 'engineering_permit'))
        .when(step.breach('land_use_permit', landMissing))
        .then((o) => {
          expect(o.status('engineering_permit')).toBe('approved');
          expect(o.status('drawing_review')).toBe('ready');
        });
    });

    it('under revoke, locks the dependent while the prerequisite is back in review', () => {
      const R = withPolicy(D, 'land_use_permit', 'revoke');
      const revoke = new ProcedureScenario(R, 'approval');
      revoke
        .given(...unlockedByProvisional)
        .when(step.breach('land_use_permit', landMissing))
        .then((o) => {
          expect(o.status('land_use_permit')).toBe('in_review');
          expect(o.status('engineering_permit')).toBe('locked');
          expect(o.logic.unmetPrerequisites(o.state, 'engineering_permit')).toEqual([
            { item: 'land_use_permit', name: landName, status: 'in_review', breached: landMissing },
          ]);
        });
      const revoked = [
        ...unlockedByProvisional,
        engineeringSubmitted,
        step.accept('engineering_permit'),
        step.breach('land_use_permit', landMissing),
      ];
      revoke
        .given(...revoked)
        .when(step.approve('engineering_permit'))
        .thenRefused();
      revoke
        .given(...revoked, step.supply('land_use_permit', landMissing))
        .when(step.approve('land_use_permit'))
        .then((o) => {
          expect(o.status('land_use_permit')).toBe('approved');
          expect(o.status('engineering_permit')).toBe('in_review');
        });
      revoke
        .given(...unlockedByProvisional, step.breach('land_use_permit', landMissing))
        .when(step.supply('land_use_permit', landMissing))
        .then((o) => expect(o.status('engineering_permit')).toBe('locked'));
    });

    it('under provisional, the approval stands and the dependent stays unlocked (industrial park)', () => {
      const P = INDUSTRIAL_PARK_CATALOGUE;
      const park = new ProcedureScenario(P, 'filing');
      const missing = materialsOf(P, 'standard_land', 'tolerable');
      park
        .given(
          ...approvedSteps(P, 'filing'),
          step.submit('standard_land', materialsOf(P, 'standard_land', 'essential')),
          step.acceptWithTolerance('standard_land'),
          step.approve('standard_land'),
        )
        .when(step.breach('standard_land', missing))
        .then((o) => {
          expect(o.status('standard_land')).toBe('provisionally_approved');
          expect(o.status('planning_permit')).toBe('ready');
        });
    });

    it('agrees with unmetPrerequisites: an applicable item is locked exactly while one is unmet', () => {
      const states = [
        approval.given(...unlockedByProvisional),
        approval.given(...breached),
        approval.given(...breached, step.supply('land_use_permit', landMissing)),
      ];
      for (const g of states) {
        g.then((o) => {
          for (const item of D.items) {
            const status = o.status(item.key);
            if (status !== 'locked' && status !== 'ready') continue;
            expect({ item: item.key, locked: status === 'locked' }).toEqual({
              item: item.key,
              locked: o.logic.unmetPrerequisites(o.state, item.key).length > 0,
            });
          }
        });
      }
    });
  });

  describe('a denied or withdrawn application voids its commitments', () => {
    const missing = tolerable('eia');

    it.each([
      ['WITHDRAW', step.withdraw('eia', '项目调整'), 'withdrawn'],
      ['DENY', step.deny('eia', '不予许可'), 'denied'],
    ] as const)('%s cancels the open commitments, with the moment', (_label, decision, status) => {
      approval
        .given(...toleranceAccepted('eia'))
        .when(decision)
        .then((o) => {
          expect(o.status('eia')).toBe(status);
          expect(o.item('eia').commitments.map((c) => [c.material, c.status, c.cancelledAt])).toEqual(
            missing.map((m) => [m, 'cancelled', o.at]),
          );
          expect(o.readyToStart).toBe(false);
        });
    });

    it('cancels a broken commitment too (keeping when it broke), and leaves a supplied one supplied', () => {
      const two = withMaterials(D, 'soil_water', ['swc_plan'], ['swc_commitment', 'swc_fee']);
      const s = new ProcedureScenario(two, 'approval');
      s.given(
        at(step.submit('soil_water', ['swc_plan']), hour(1)),
        at(step.acceptWithTolerance('soil_water'), hour(2)),
        at(step.supply('soil_water', ['swc_fee']), hour(3)),
        at(step.breach('soil_water', ['swc_commitment']), hour(4)),
      )
        .when(at(step.deny('soil_water', '不予许可'), hour(5)))
        .then((o) => {
          expect(o.item('soil_water').commitments).toEqual([
            expect.objectContaining({
              material: 'swc_commitment',
              status: 'cancelled',
              breachedAt: hour(4),
              cancelledAt: hour(5),
            }),
            expect.objectContaining({ material: 'swc_fee', status: 'fulfilled', fulfilledAt: hour(3) }),
          ]);
          expect(o.item('soil_water').commitments[1]).not.toHaveProperty('cancelledAt');
        });
    });

    it('withdrawing during 补正 cancels them as well', () => {
      approval
        .given(...toleranceAccepted('eia'), step.returnForCorrection('eia', '补正'))
        .when(step.withdraw('eia', '撤回'))
        .then((o) => expect(o.item('eia').commitments.every((c) => c.status === 'cancelled')).toBe(true));
    });

    it('takes no supply and no breach on a cancelled commitment; a new application starts clean', () => {
      const withdrawn = [...toleranceAccepted('eia'), step.withdraw('eia', '撤回')];
      approval
        .given(...withdrawn)
        .when(step.supply('eia', missing))
        .thenRefused();
      approval
        .given(...withdrawn)
        .when(step.breach('eia', missing))
        .thenRefused();
      approval
        .given(...withdrawn)
        .when(step.submit('eia', all('eia')))
        .then((o) => expect(o.item('eia').commitments).toEqual([]));
    });

    it('a commitment due during 补正 breaks there (it runs regardless of the item clock)', () => {
      approval
        .given(...toleranceAccepted('eia'), step.returnForCorrection('eia', '补正'))
        .when(step.breach('eia', missing))
        .then((o) => {
          expect(o.status('eia')).toBe('correcting');
          expect(o.item('eia').commitments.every((c) => c.status === 'breached')).toBe(true);
        });
    });
  });

  describe('readyToStart (具备开工条件)', () => {
    const alongside = ['eia', 'energy_review', 'soil_water', 'heritage_survey'];
    const chain = [
      'project_approval',
      'land_pre_review',
      'land_use_permit',
      'engineering_permit',
      'drawing_review',
    ];
    const allButConstruction: Step[] = [
      ...chain.flatMap((k) => approvedSteps(D, k)),
      ...alongside.flatMap((k) => approvedSteps(D, k)),
    ];

    it('is false while one applicable item is still open', () => {
      approval
        .given(
          ...allButConstruction,
          step.submit('construction_permit', all('construction_permit')),
          step.accept('construction_permit'),
        )
        .then((o) => {
          expect(o.status('construction_permit')).toBe('in_review');
          expect(o.readyToStart).toBe(false);
        });
    });

    it('is true once every applicable item is approved', () => {
      approval
        .given(
          ...allButConstruction,
          step.submit('construction_permit', all('construction_permit')),
          step.accept('construction_permit'),
        )
        .when(step.approve('construction_permit'))
        .then((o) => {
          expect(o.readyToStart).toBe(true);
          expect(Object.values(o.statuses()).every((s) => s === 'approved')).toBe(true);
        });
    });

    it('counts waived items as done', () => {
      approval
        .given(
          ...chain.flatMap((k) => approvedSteps(D, k)),
          ...approvedSteps(D, 'eia'),
          step.waive('energy_review'),
          step.waive('soil_water', 'notice_commitment', '告知承诺'),
          step.waive('heritage_survey'),
          ...approvedSteps(D, 'construction_permit'),
        )
        .then((o) => expect(o.readyToStart).toBe(true));
    });

    it('is false while a commitment is open, true once it is supplied', () => {
      const provisional = [
        ...allButConstruction,
        ...toleranceAccepted('construction_permit'),
        step.approve('construction_permit'),
      ];
      approval.given(...provisional).then((o) => {
        expect(o.status('construction_permit')).toBe('provisionally_approved');
        expect(o.readyToStart).toBe(false);
      });
      approval
        .given(...provisional)
        .when(step.supply('construction_permit', tolerable('construction_permit')))
        .then((o) => expect(o.readyToStart).toBe(true));
    });

    it('is false for an approved item that still carries an unfulfilled commitment', () => {
      approval.given(...allButConstruction, ...approvedSteps(D, 'construction_permit')).then((o) => {
        expect(o.readyToStart).toBe(true);
        const items = o.state.context.items;
        const open = {
          material: 'safety_measures',
          openedAt: hour(1),
          dueAt: null,
          dueInWorkingDays: 5,
          status: 'breached' as const,
          fulfilledAt: null,
          breachedAt: hour(2),
        };
        const tampered = {
          ...o.state,
          context: {
            ...o.state.context,
            items: { ...items, construction_permit: { ...items.construction_permit, commitments: [open] } },
          },
        };
        expect(o.logic.readyToStart(tampered)).toBe(false);
      });
    });

    it('is false when one item was denied, even if all others are approved', () => {
      approval
        .given(
          ...allButConstruction,
          step.submit('construction_permit', all('construction_permit')),
          step.accept('construction_permit'),
        )
        .when(step.deny('construction_permit', '否'))
        .then((o) => expect(o.readyToStart).toBe(false));
    });

    it('ignores items the approval mode does not need (industrial park, 审批 project)', () => {
      const P = INDUSTRIAL_PARK_CATALOGUE;
      const park = new ProcedureScenario(P, 'approval');
      park.given().then((o) => {
        expect(o.status('filing')).toBe('not_applicable');
        expect(o.status('standard_land')).toBe('ready');
        expect(o.logic.applicableItems(o.state).map((i) => i.key)).not.toContain('filing');
      });
      park
        .given(
          ...approvedSteps(P, 'standard_land'),
          step.waive('eia_filing'),
          ...approvedSteps(P, 'planning_permit'),
          step.submit('construction_permit', materialsOf(P, 'construction_permit')),
          step.accept('construction_permit'),
        )
        .when(step.approve('construction_permit'))
        .then((o) => {
          expect(o.status('filing')).toBe('not_applicable');
          expect(o.readyToStart).toBe(true);
        });
    });
  });

  describe('commands an item accepts', () => {
    it.each([
      ['ready', 'eia', [], ['SUBMIT']],
      [
        'submitted',
        'eia',
        [step.submit('eia', ['eia_report'])],
        ['ACCEPT', 'ACCEPT_WITH_TOLERANCE', 'RETURN_FOR_CORRECTION', 'REFUSE', 'WITHDRAW'],
      ],
      [
        'paused',
        'eia',
        [
          step.submit('eia', ['eia_report']),
          step.acceptWithTolerance('eia'),
          step.startSpecial('eia', 'hearing', 'x'),
        ],
        ['END_SPECIAL_PROCEDURE', 'SUPPLY_MATERIALS', 'WITHDRAW'],
      ],
      ['approved', 'heritage_survey', approvedSteps(D, 'heritage_survey'), []],
      ['ready (waivable)', 'energy_review', [], ['SUBMIT', 'WAIVE']],
    ] as const)('%s: %s', (_label, item, given, expected) => {
      approval.given(...(given as Step[])).then((o) => {
        expect([...o.logic.commandsAccepted(o.status(item), item)].sort()).toEqual([...expected].sort());
      });
    });
  });
});

/** A small definition for edges the shipped catalogues do not have. */
function miniDefinition(
  items: {
    key: string;
    waivable?: boolean;
    prerequisites?: ProcedureDefinition['items'][number]['prerequisites'];
  }[],
): ProcedureDefinition {
  return {
    id: 'mini',
    version: 1,
    name: '测试目录',
    items: items.map((i) => ({
      key: i.key,
      name: i.key,
      department: 'ndrc',
      stage: 1,
      limits: { statutory: { n: 10, unit: 'WD' }, committed: { n: 5, unit: 'WD' } },
      materials: [{ key: 'application', name: '申请表', tolerable: false }],
      prerequisites: i.prerequisites ?? [],
      waivable: i.waivable ?? false,
      taskForce: 'supervision',
    })),
  };
}

/** The catalogue with one item's breach policy changed. */
function withPolicy(
  def: ProcedureDefinition,
  key: string,
  breachPolicy: NonNullable<ProcedureDefinition['items'][number]['breachPolicy']>,
): ProcedureDefinition {
  return { ...def, items: def.items.map((i) => (i.key === key ? { ...i, breachPolicy } : i)) };
}

/** The catalogue with one item's materials replaced: `essential` ones and `tolerable` ones. */
function withMaterials(
  def: ProcedureDefinition,
  key: string,
  essential: string[],
  tolerable: string[],
): ProcedureDefinition {
  const materials = [
    ...essential.map((m) => ({ key: m, name: m, tolerable: false })),
    ...tolerable.map((m) => ({ key: m, name: m, tolerable: true })),
  ];
  return { ...def, items: def.items.map((i) => (i.key === key ? { ...i, materials } : i)) };
}
