import './support/own-database';
import { onOwnDatabase } from './support/own-clock-api';
import { ClockApi, endOf, pastEndOf, sh, type Project } from './support/clock-api';
import type { TestApi } from './support/test-app';

process.env.CLOCK_MODE = 'manual';

/**
 * A broken 容缺 commitment under each breach policy, over HTTP on the manual clock of this file's
 * own database, seeded at Mon 2026-03-02 08:00 Shanghai. The tests run in order on that clock.
 *
 * Commitments accepted on Mon 3/2 with 3 WD fall due at the end of Thu 3/5 (3/3, 3/4, 3/5) and are
 * broken from 3/5 23:59:59.001. The 标准地 one takes the definition's 10 WD: 3/3–6, 3/9–13, 3/16.
 */
describe('broken 容缺 commitments: revoke, withhold, provisional (CLOCK_MODE=manual)', () => {
  let api: TestApi;
  let clock: ClockApi;
  const p: Record<string, Project> = {};

  onOwnDatabase({ manualClockAt: sh('2026-03-02 08:00') }, (a, c) => {
    api = a;
    clock = c;
  });

  const breachEvents = async (project: Project) =>
    (await clock.events(project))
      .filter((e) => e.type === 'CommitmentBreached')
      .map((e) => ({ ...e.data, at: e.metadata.occurredAt }));

  it('the definitions state the policies and the default commitment days', async () => {
    const policies = async (id: string) =>
      Object.fromEntries(
        (await api.request('GET', `/definitions/${id}`, { token: clock.admin })).body.items.map(
          (i: { key: string; breachPolicy: string; commitmentDays: number }) => [
            i.key,
            [i.breachPolicy, i.commitmentDays],
          ],
        ),
      );
    expect(await policies('default')).toMatchObject({
      eia: ['revoke', 5],
      construction_permit: ['withhold', 5],
    });
    expect(await policies('industrial-park')).toMatchObject({ standard_land: ['provisional', 10] });
  });

  it('Mon 3/2: three items accepted with tolerance', async () => {
    p.eia = await clock.register();
    p.permit = await clock.register();
    p.park = await clock.register({ definition: 'industrial-park', approvalMode: 'filing' });
    await clock.moveTo(sh('2026-03-02 09:00'));
    for (const k of ['land_pre_review', 'land_use_permit', 'engineering_permit', 'drawing_review'])
      await clock.approve(p.permit, k);
    await clock.approve(p.park, 'filing');

    await clock.moveTo(sh('2026-03-02 10:00'));
    await clock.accept(p.eia, 'eia', { tolerance: true, dueInWorkingDays: 3 });
    await clock.accept(p.permit, 'construction_permit', { tolerance: true, dueInWorkingDays: 3 });
    await clock.accept(p.park, 'standard_land', { tolerance: true });

    expect((await clock.item(p.eia, 'eia')).commitments).toEqual([
      expect.objectContaining({
        material: 'public_participation',
        status: 'open',
        dueAt: endOf('2026-03-05'),
        dueInWorkingDays: 3,
      }),
      expect.objectContaining({
        material: 'expert_opinion',
        status: 'open',
        dueAt: endOf('2026-03-05'),
        dueInWorkingDays: 3,
      }),
    ]);
    expect((await clock.item(p.park, 'standard_land')).commitments).toEqual([
      expect.objectContaining({
        material: 'cadastral_map',
        dueAt: endOf('2026-03-16'),
        dueInWorkingDays: 10,
      }),
    ]);
  });

  it('Tue 3/3: 环评 approved provisionally; 施工许可 paused — a commitment runs on regardless of the item clock', async () => {
    await clock.moveTo(sh('2026-03-03 10:00'));
    const approved = await clock.command(p.eia, 'eia', { type: 'APPROVE', documentNo: '衢环建〔2026〕12号' });
    expect(approved.events.map((e: { type: string }) => e.type)).toEqual(['StepProvisionallyApproved']);
    expect((await clock.item(p.eia, 'eia')).status).toBe('provisionally_approved');
    await clock.command(p.permit, 'construction_permit', {
      type: 'START_SPECIAL_PROCEDURE',
      kind: 'site_inspection',
      reason: '现场踏勘',
    });
    expect((await clock.item(p.permit, 'construction_permit')).status).toBe('paused');
  });

  it('up to the last second of 3/5 nothing is broken', async () => {
    await clock.moveTo(sh('2026-03-05 23:59'));
    expect(await breachEvents(p.eia)).toEqual([]);
    expect(await breachEvents(p.permit)).toEqual([]);
    expect((await clock.tickets('')).total).toBe(0);
  });

  it('revoke (环评): after 3/5 the provisional approval is revoked — back to in_review — and 环保专班 gets a 督办件', async () => {
    await clock.moveTo(sh('2026-03-06 09:00'));
    expect(await breachEvents(p.eia)).toEqual([
      {
        itemKey: 'eia',
        materials: ['public_participation', 'expert_opinion'],
        policy: 'revoke',
        status: 'in_review',
        at: pastEndOf('2026-03-05'),
      },
    ]);
    const eia = await clock.item(p.eia, 'eia');
    expect(eia).toMatchObject({ status: 'in_review', documentNo: null, light: 'red', overdue: false });
    expect(eia.commitments).toEqual([
      expect.objectContaining({ status: 'breached', breachedAt: pastEndOf('2026-03-05') }),
      expect.objectContaining({ status: 'breached', breachedAt: pastEndOf('2026-03-05') }),
    ]);
    expect((await clock.project(p.eia)).lightReasons).toEqual(
      expect.arrayContaining(['COMMITMENT_BREACHED']),
    );
    const { items } = await clock.tickets(`projectId=${p.eia.projectId}`);
    expect(items.map((t) => [t.itemKey, t.reason, t.taskForce, t.level, t.openedAt])).toEqual([
      ['eia', 'COMMITMENT_BREACHED', 'ecology', 1, pastEndOf('2026-03-05')],
    ]);
  });

  it('withhold (施工许可): broken while paused, the item keeps its state and APPROVE is refused until supplied', async () => {
    expect(await breachEvents(p.permit)).toEqual([
      {
        itemKey: 'construction_permit',
        materials: ['safety_measures'],
        policy: 'withhold',
        status: 'paused',
        at: pastEndOf('2026-03-05'),
      },
    ]);
    const { items } = await clock.tickets(`projectId=${p.permit.projectId}`);
    expect(items.map((t) => [t.reason, t.taskForce])).toEqual([['COMMITMENT_BREACHED', 'construction']]);

    await clock.command(p.permit, 'construction_permit', { type: 'END_SPECIAL_PROCEDURE' });
    const refused = await clock.command(
      p.permit,
      'construction_permit',
      { type: 'APPROVE', documentNo: '施许〔2026〕8号' },
      409,
    );
    expect(refused).toMatchObject({
      code: 'CERTIFICATE_WITHHELD',
      itemKey: 'construction_permit',
      breached: ['safety_measures'],
    });
    expect((await clock.item(p.permit, 'construction_permit')).status).toBe('in_review');

    await clock.command(p.permit, 'construction_permit', {
      type: 'SUPPLY_MATERIALS',
      materials: ['safety_measures'],
    });
    const approved = await clock.command(p.permit, 'construction_permit', {
      type: 'APPROVE',
      documentNo: '施许〔2026〕8号',
    });
    expect(approved.events[0].type).toBe('StepApproved');
    expect(await clock.item(p.permit, 'construction_permit')).toMatchObject({
      status: 'approved',
      documentNo: '施许〔2026〕8号',
    });
  });

  it('provisional (标准地): after 3/16 a 初审意见 may still be issued, unlocking 规划许可; supplying converts it', async () => {
    await clock.moveTo(sh('2026-03-16 23:59'));
    expect(await breachEvents(p.park)).toEqual([]);
    await clock.moveTo(sh('2026-03-17 09:00'));
    expect(await breachEvents(p.park)).toEqual([
      {
        itemKey: 'standard_land',
        materials: ['cadastral_map'],
        policy: 'provisional',
        status: 'in_review',
        at: pastEndOf('2026-03-16'),
      },
    ]);
    // Its own 5 WD clock ran out on 3/9, so it already has an OVERDUE ticket: one per item and reason.
    const { items } = await clock.tickets(`projectId=${p.park.projectId}`);
    expect(items.map((t) => [t.itemKey, t.reason, t.taskForce, t.openedAt])).toEqual([
      ['standard_land', 'COMMITMENT_BREACHED', 'land', pastEndOf('2026-03-16')],
      ['standard_land', 'OVERDUE', 'land', pastEndOf('2026-03-09')],
    ]);

    const approved = await clock.command(p.park, 'standard_land', {
      type: 'APPROVE',
      documentNo: '衢标地〔2026〕5号',
    });
    expect(approved.events[0].type).toBe('StepProvisionallyApproved');
    const view = await clock.procedure(p.park);
    const status = Object.fromEntries(
      view.items.map((i: { key: string; status: string }) => [i.key, i.status]),
    );
    expect(status).toMatchObject({ standard_land: 'provisionally_approved', planning_permit: 'ready' });
    expect(view.readyToStart).toBe(false);

    await clock.command(p.park, 'standard_land', { type: 'SUPPLY_MATERIALS', materials: ['cadastral_map'] });
    expect((await clock.item(p.park, 'standard_land')).status).toBe('approved');
  });
});
