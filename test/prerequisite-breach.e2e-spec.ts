import './support/own-database';
import { onOwnDatabase } from './support/own-clock-api';
import { DataSource } from '../libs/persistence/src';
import { ClockApi, sh, type Project } from './support/clock-api';
import type { TestApi } from './support/test-app';

process.env.CLOCK_MODE = 'manual';

/**
 * Over HTTP, as the scenarios word it: a 容缺后置 dependent and a provisional approval whose
 * commitment breaks (建设用地规划许可 → 建设工程规划许可, withhold), and the commitments of an
 * application that is withdrawn or denied. Manual clock seeded Mon 2026-03-02 09:00; commitments
 * of 1 WD fall due at the end of Tue 3/3 and are broken when the clock passes that.
 */
describe('容缺后置 and a broken commitment; commitments of a closed application (CLOCK_MODE=manual)', () => {
  let api: TestApi;
  let clock: ClockApi;
  const p: Record<string, Project> = {};
  const engineering = { type: 'SUBMIT', materials: ['application', 'design_scheme', 'engineering_drawings'] };
  const item = async (project: Project, key: string) => clock.item(project, key);

  onOwnDatabase({ manualClockAt: sh('2026-03-02 09:00') }, (a, c) => {
    api = a;
    clock = c;
  });

  it('Mon 3/2: a provisional 建设用地规划许可 unlocks 建设工程规划许可', async () => {
    for (const key of ['ready', 'reviewing', 'denied']) {
      p[key] = await clock.register();
      await clock.approve(p[key], 'land_pre_review');
      await clock.accept(p[key], 'land_use_permit', { tolerance: true, dueInWorkingDays: 1 });
      const approved = await clock.command(p[key], 'land_use_permit', {
        type: 'APPROVE',
        documentNo: '用规1',
      });
      expect(approved.events.map((e: { type: string }) => e.type)).toContain('StepProvisionallyApproved');
      expect(await item(p[key], 'engineering_permit')).toMatchObject({
        status: 'ready',
        commands: ['SUBMIT'],
      });
    }
    for (const key of ['reviewing', 'denied']) {
      await clock.command(p[key], 'engineering_permit', engineering);
      await clock.command(p[key], 'engineering_permit', { type: 'ACCEPT' });
    }
  });

  it('Wed 3/4: the commitment is broken; the ready dependent is locked again, SUBMIT refused naming what it waits for', async () => {
    await clock.moveTo(sh('2026-03-04 09:00'));
    expect(await item(p.ready, 'land_use_permit')).toMatchObject({
      status: 'provisionally_approved',
      commitments: [expect.objectContaining({ material: 'cadastral_map', status: 'breached' })],
    });
    expect(await item(p.ready, 'engineering_permit')).toMatchObject({ status: 'locked', commands: [] });
    const refused = await clock.command(p.ready, 'engineering_permit', engineering, 409);
    expect(refused).toMatchObject({
      code: 'INVALID_TRANSITION',
      itemStatus: 'locked',
      prerequisites: ['land_use_permit'],
    });
    expect(refused.detail).toContain('waiting for: land_use_permit');
  });

  it('the dependent in review keeps its review, but APPROVE is refused with PREREQUISITES_NOT_MET', async () => {
    expect(await item(p.reviewing, 'engineering_permit')).toMatchObject({ status: 'in_review' });
    const before = (await clock.events(p.reviewing)).length;
    const refused = await clock.command(
      p.reviewing,
      'engineering_permit',
      { type: 'APPROVE', documentNo: '工规1' },
      409,
    );
    expect(refused).toMatchObject({
      status: 409,
      code: 'PREREQUISITES_NOT_MET',
      itemKey: 'engineering_permit',
      prerequisites: ['land_use_permit'],
      unmetPrerequisites: [
        { item: 'land_use_permit', status: 'provisionally_approved', breached: ['cadastral_map'] },
      ],
    });
    expect(refused.detail).toContain('certificate withheld');
    expect((await clock.events(p.reviewing)).length).toBe(before);
    expect(await item(p.reviewing, 'drawing_review')).toMatchObject({ status: 'locked' });
  });

  it('denied meanwhile, a new application waits too', async () => {
    await clock.command(p.denied, 'engineering_permit', { type: 'DENY', reason: '方案不符' });
    const refused = await clock.command(p.denied, 'engineering_permit', engineering, 409);
    expect(refused).toMatchObject({ code: 'PREREQUISITES_NOT_MET', prerequisites: ['land_use_permit'] });
  });

  it('once the materials are supplied: unlocked again, approved, and a new application taken', async () => {
    await clock.moveTo(sh('2026-03-04 10:00'));
    for (const key of ['ready', 'reviewing', 'denied']) {
      await clock.command(p[key], 'land_use_permit', {
        type: 'SUPPLY_MATERIALS',
        materials: ['cadastral_map'],
      });
      expect(await item(p[key], 'land_use_permit')).toMatchObject({ status: 'approved' });
    }
    expect(await item(p.ready, 'engineering_permit')).toMatchObject({
      status: 'ready',
      commands: ['SUBMIT'],
    });
    await clock.command(p.reviewing, 'engineering_permit', { type: 'APPROVE', documentNo: '工规1' });
    expect(await item(p.reviewing, 'drawing_review')).toMatchObject({ status: 'ready' });
    await clock.command(p.denied, 'engineering_permit', engineering);
  });

  it.each(['WITHDRAW', 'DENY'])(
    '%s cancels the open commitments: nothing missing, nothing to break, no ticket, no timer left',
    async (type) => {
      const project = await clock.register();
      await clock.accept(project, 'soil_water', { tolerance: true, dueInWorkingDays: 1 });
      const body = type === 'WITHDRAW' ? { type, reason: '撤回' } : { type, reason: '不予许可' };
      await clock.command(project, 'soil_water', body);
      const view = await item(project, 'soil_water');
      expect(view).toMatchObject({
        status: type === 'WITHDRAW' ? 'withdrawn' : 'denied',
        missingMaterials: [],
        commitments: [
          expect.objectContaining({
            material: 'swc_commitment',
            status: 'cancelled',
            cancelledAt: expect.any(String),
          }),
        ],
      });
      await clock.command(
        project,
        'soil_water',
        { type: 'SUPPLY_MATERIALS', materials: ['swc_commitment'] },
        409,
      );
      const moved = await clock.moveTo(
        new Date(Date.parse(await clock.now()) + 3 * 86_400_000).toISOString(),
      );
      expect(moved.timersFired).toBeLessThan(50);
      const after = (await item(project, 'soil_water')) as unknown as { commitments: { status: string }[] };
      expect(after.commitments[0].status).toBe('cancelled');
      const ds: DataSource = api.app.get(DataSource);
      const timers = await ds.query(
        `SELECT status FROM timers WHERE procedure_id = $1 AND kind = 'COMMITMENT_DUE' AND target = 'item:soil_water'`,
        [project.procedureId],
      );
      expect(timers.filter((t: { status: string }) => t.status === 'armed')).toEqual([]);
      expect((await clock.tickets(`projectId=${project.projectId}`)).total).toBe(0);
      expect((await clock.events(project)).some((e) => e.type === 'CommitmentBreached')).toBe(false);
    },
  );
});
