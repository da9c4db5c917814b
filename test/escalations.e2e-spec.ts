import './support/own-database';
import { onOwnDatabase } from './support/own-clock-api';
import { randomUUID } from 'node:crypto';
import { ClockApi, endOf, pastEndOf, sh, type Project } from './support/clock-api';
import { tokens } from './support/fixtures';
import type { TestApi } from './support/test-app';

process.env.CLOCK_MODE = 'manual';

/**
 * 督办件 over HTTP: opened when an item goes overdue, routed to the definition's 专班 or an admin
 * route, climbing 1 → 2 → 3 → 4 with 3, 3 and 5 working days to respond, handled by whoever holds
 * the current level. One story on the manual clock of this file's own database, seeded at Mon
 * 2026-03-02 08:00 Shanghai (no holiday until 清明 4/4–6): the tests run in order.
 *
 * 用地预审与选址意见书 (land_pre_review, 用地专班), committed 10 WD, accepted Mon 3/2 10:00:
 * 3/3–6 1–4, 3/9–13 5–9, 3/16 10 → due 3/16; red from 3/16 23:59:59.001 (= 3/17 00:00).
 */
describe('escalation tickets (督办件) and their ladder (CLOCK_MODE=manual)', () => {
  let api: TestApi;
  let clock: ClockApi;
  const p: Record<string, Project> = {};
  const t: Record<string, string> = {};
  const leader = `leader-${randomUUID().slice(0, 8)}`;

  const as = {
    land: tokens.taskforce('land'),
    planning: tokens.taskforce('planning'),
    ecology: tokens.taskforce('ecology'),
    supervision: tokens.taskforce('supervision'),
    leader: tokens.leader(leader),
    otherLeader: tokens.leader('leader-someone-else'),
    officer: tokens.department('natural-resources'),
    auditor: tokens.auditor(),
  };

  const ticket = async (id: string, tok = clock.admin) =>
    (await api.request('GET', `/escalations/${id}`, { token: tok })).body;
  const act = (id: string, action: string, tok: string, body?: unknown) =>
    api.request('POST', `/escalations/${id}/${action}`, { token: tok, body });

  /** Every handler action a non-holder tries is refused with 403, and the ticket is unchanged. */
  async function expectRefused(id: string, tok: string) {
    const before = await ticket(id);
    for (const [action, body] of [
      ['acknowledge', undefined],
      ['notes', { text: '越权留痕' }],
      ['close', { resolution: '越权销号' }],
    ] as const) {
      const res = await act(id, action, tok, body);
      expect({ action, status: res.status, code: res.body.code }).toEqual({
        action,
        status: 403,
        code: 'FORBIDDEN',
      });
    }
    expect(await ticket(id)).toEqual(before);
  }

  onOwnDatabase({ manualClockAt: sh('2026-03-02 08:00') }, (a, c) => {
    api = a;
    clock = c;
  });

  it('an admin routes 自然资源 items of region 330881 to 规划专班; nobody else may', async () => {
    const def = await api.request('GET', '/definitions/default', { token: clock.admin });
    expect(def.body.items.find((i: { key: string }) => i.key === 'land_pre_review')).toMatchObject({
      department: 'natural-resources',
      taskForce: 'land',
      limits: { committed: { n: 10, unit: 'WD' }, statutory: { n: 20, unit: 'WD' } },
    });
    const route = { department: 'natural-resources', region: '330881', taskForce: 'planning' };
    expect((await api.request('PUT', '/admin/routes', { token: as.land, body: route })).status).toBe(403);
    const res = await api.request('PUT', '/admin/routes', { token: clock.admin, body: route });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([route]);
  });

  it('Mon 3/2: three projects accept 用地预审, two in 330800 and one in 330881', async () => {
    p.main = await clock.register({ region: '330800', leader });
    p.third = await clock.register({ region: '330800', leader: 'leader-someone-else' });
    p.routed = await clock.register({ region: '330881', leader });
    await clock.moveTo(sh('2026-03-02 10:00'));
    for (const project of [p.main, p.third, p.routed]) await clock.accept(project, 'land_pre_review');
    expect(await clock.item(p.main, 'land_pre_review')).toMatchObject({
      committedDueAt: endOf('2026-03-16'),
    });
  });

  it('Tue 3/17: overdue items open a 督办件 at level 1 with 3 WD to respond, routed', async () => {
    await clock.moveTo(sh('2026-03-16 23:00'));
    expect((await clock.tickets('')).total).toBe(0);
    await clock.moveTo(sh('2026-03-17 09:00'));
    const { items, total } = await clock.tickets('');
    expect(total).toBe(3);
    const of = (project: Project) => items.find((x) => x.projectId === project.projectId)!;
    // Opened at the instant the item went red, 3/16 23:59:59.001 — still 3/16 in Shanghai, its day 0 —
    // so the 3 WD to respond are the whole of 3/17, 3/18 and 3/19.
    expect(of(p.main)).toMatchObject({
      projectId: p.main.projectId,
      procedureId: p.main.procedureId,
      itemKey: 'land_pre_review',
      reason: 'OVERDUE',
      taskForce: 'land',
      level: 1,
      status: 'open',
      openedAt: pastEndOf('2026-03-16'),
      dueAt: endOf('2026-03-19'),
      notes: [],
    });
    expect(of(p.third)).toMatchObject({ taskForce: 'land', level: 1 });
    expect(of(p.routed)).toMatchObject({ taskForce: 'planning', level: 1, dueAt: endOf('2026-03-19') });
    t.main = of(p.main).id;
    t.third = of(p.third).id;
    t.routed = of(p.routed).id;

    const opened = (await clock.events(p.main)).filter((e) => e.type === 'EscalationOpened');
    expect(
      opened.map((e) => [e.data.ticketId, e.data.reason, e.data.taskForce, e.metadata.occurredAt]),
    ).toEqual([[t.main, 'OVERDUE', 'land', pastEndOf('2026-03-16')]]);
  });

  it('level 1: the routed 专班 and admin handle it; other 专班, officers, applicants, auditors and leaders get 403', async () => {
    for (const tok of [
      as.ecology,
      as.supervision,
      as.planning,
      as.officer,
      tokens.applicant(p.main.org),
      as.auditor,
      as.leader,
    ]) {
      await expectRefused(t.main, tok);
    }
    await expectRefused(t.routed, as.land);

    const ack = await act(t.main, 'acknowledge', as.land);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({
      status: 'acknowledged',
      acknowledgedAt: new Date(sh('2026-03-17 09:00')).toISOString(),
    });
    expect((await act(t.main, 'acknowledge', as.land)).body.code).toBe('INVALID_TICKET_STATE');
    const note = await act(t.main, 'notes', as.land, { text: '已约自然资源局周三现场协调' });
    expect(note.status).toBe(200);
    expect(note.body.notes).toEqual([
      expect.objectContaining({
        text: '已约自然资源局周三现场协调',
        at: new Date(sh('2026-03-17 09:00')).toISOString(),
      }),
    ]);
    expect((await act(t.routed, 'acknowledge', as.planning)).status).toBe(200);
    expect((await act(t.third, 'notes', clock.admin, { text: '管理员留痕' })).status).toBe(200);
  });

  it('Fri 3/20: unclosed tickets climb to level 2, 督导服务专班, 3 WD, who must acknowledge afresh', async () => {
    await clock.moveTo(sh('2026-03-19 23:00'));
    expect((await ticket(t.main)).level).toBe(1);
    await clock.moveTo(sh('2026-03-20 09:00'));
    // Climbed as level 1 ran out (3/19 23:59:59.001, day 0 of level 2): 3/20, 3/23, 3/24.
    // 用地专班 acknowledged level 1; the new holder has not: the ticket is open again.
    expect(await ticket(t.main)).toMatchObject({
      level: 2,
      status: 'open',
      acknowledgedAt: null,
      dueAt: endOf('2026-03-24'),
      holder: 'supervision',
    });
    expect((await ticket(t.routed)).level).toBe(2);
    const climbed = (await clock.events(p.main)).filter((e) => e.type === 'EscalationClimbed');
    expect(climbed.map((e) => [e.data.level, e.metadata.occurredAt])).toEqual([[2, pastEndOf('2026-03-19')]]);

    await expectRefused(t.main, as.land);
    await expectRefused(t.routed, as.planning);
    await expectRefused(t.main, as.leader);
    const ack = await act(t.main, 'acknowledge', as.supervision);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({
      level: 2,
      status: 'acknowledged',
      acknowledgedAt: new Date(sh('2026-03-20 09:00')).toISOString(),
    });
    expect((await act(t.main, 'notes', as.supervision, { text: '督导服务专班已介入' })).status).toBe(200);
  });

  it('Wed 3/25: level 3, the project leader (token sub = project.leader), 5 WD', async () => {
    await clock.moveTo(sh('2026-03-24 23:00'));
    expect((await ticket(t.main)).level).toBe(2);
    await clock.moveTo(sh('2026-03-25 09:00'));
    // 5 WD after 3/24: 3/25, 3/26, 3/27, 3/30, 3/31.
    expect(await ticket(t.main)).toMatchObject({ level: 3, status: 'open', dueAt: endOf('2026-03-31') });
    await expectRefused(t.main, as.supervision);
    await expectRefused(t.main, as.otherLeader);
    // The ticket climbed to the leader, who acknowledges it.
    expect((await act(t.main, 'acknowledge', as.leader)).body).toMatchObject({
      level: 3,
      status: 'acknowledged',
      holder: 'leader',
    });
    expect((await act(t.main, 'notes', as.leader, { text: '包抓领导召开专题会' })).status).toBe(200);
    // The other project's leader holds its ticket, not this one.
    expect((await act(t.third, 'notes', as.otherLeader, { text: '已阅' })).status).toBe(200);

    // Leaders see the tickets of the projects they lead, and only those.
    const mine = await clock.tickets('', as.leader);
    expect(mine.items.map((x) => x.id).sort()).toEqual([t.main, t.routed].sort());
    expect(mine.total).toBe(2);
    expect((await api.request('GET', `/escalations/${t.third}`, { token: as.leader })).status).toBe(403);
  });

  it('Wed 4/1: level 4, 挂牌督办, the top: it climbs no further; the leader closes it (销号)', async () => {
    await clock.moveTo(sh('2026-03-31 23:00'));
    expect((await ticket(t.main)).level).toBe(3);
    await clock.moveTo(sh('2026-04-01 09:00'));
    expect(await ticket(t.main)).toMatchObject({ level: 4, dueAt: null });
    await clock.moveTo(sh('2026-04-30 09:00'));
    const top = await ticket(t.main);
    expect(top.level).toBe(4);
    expect(
      top.history
        .filter((h: { action: string }) => h.action === 'climbed')
        .map((h: { level: number; at: string }) => [h.level, h.at]),
    ).toEqual([
      [2, pastEndOf('2026-03-19')],
      [3, pastEndOf('2026-03-24')],
      [4, pastEndOf('2026-03-31')],
    ]);
    await expectRefused(t.main, as.land);
    expect((await ticket(t.routed)).status).toBe('open');
    expect((await act(t.routed, 'acknowledge', as.leader)).status).toBe(200);

    const closed = await act(t.main, 'close', as.leader, { resolution: '用地预审已办结，销号' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({
      status: 'closed',
      resolution: '用地预审已办结，销号',
      closedAt: new Date(sh('2026-04-30 09:00')).toISOString(),
    });
    expect((await act(t.main, 'close', as.leader, { resolution: '再次销号' })).body.code).toBe(
      'INVALID_TICKET_STATE',
    );
  });

  it('a closed ticket is reopened by its holder or admin, and closed again', async () => {
    expect((await act(t.main, 'reopen', as.land, { reason: '复查未通过' })).status).toBe(403);
    expect((await act(t.main, 'reopen', as.auditor, { reason: '复查未通过' })).status).toBe(403);
    const reopened = await act(t.main, 'reopen', as.leader, { reason: '复查发现问题未解决' });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'open', closedAt: null, resolution: null, level: 4 });
    const closed = await act(t.main, 'close', clock.admin, { resolution: '问题已解决，重新销号' });
    expect(closed.body.status).toBe('closed');

    const types = (await clock.events(p.main)).map((e) => e.type).filter((x) => x.startsWith('Escalation'));
    expect(types).toEqual([
      'EscalationOpened',
      'EscalationAcknowledged',
      'EscalationNoteAdded',
      'EscalationClimbed',
      'EscalationAcknowledged',
      'EscalationNoteAdded',
      'EscalationClimbed',
      'EscalationAcknowledged',
      'EscalationNoteAdded',
      'EscalationClimbed',
      'EscalationClosed',
      'EscalationReopened',
      'EscalationClosed',
    ]);
  });

  it('GET /escalations filters by task force, level, status and project, paginated { items, total }', async () => {
    const ids = async (q: string) => (await clock.tickets(q)).items.map((x) => x.id).sort();
    expect(await ids('taskForce=land')).toEqual([t.main, t.third].sort());
    expect(await ids('taskForce=planning')).toEqual([t.routed]);
    expect(await ids('taskForce=ecology')).toEqual([]);
    expect(await ids('level=4')).toEqual([t.main, t.third, t.routed].sort());
    expect(await ids('status=closed')).toEqual([t.main]);
    expect(await ids('status=open')).toEqual([t.third]);
    expect(await ids('status=acknowledged')).toEqual([t.routed]);
    expect(await ids(`projectId=${p.routed.projectId}`)).toEqual([t.routed]);
    expect(await ids(`taskForce=land&status=open`)).toEqual([t.third]);

    const page1 = await clock.tickets('taskForce=land&pageSize=1&page=1');
    const page2 = await clock.tickets('taskForce=land&pageSize=1&page=2');
    expect([page1.items.length, page1.total, page2.items.length, page2.total]).toEqual([1, 2, 1, 2]);
    expect(page1.items[0].id).not.toBe(page2.items[0].id);
    expect((await api.request('GET', '/escalations?level=5', { token: clock.admin })).status).toBe(400);
  });

  it('GET /stats/escalations: 销号率 = closed / opened per task force in the period', async () => {
    const stats = await api.request(
      'GET',
      `/stats/escalations?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z`,
      { token: clock.admin },
    );
    expect(stats.status).toBe(200);
    expect(
      stats.body.map((r: Record<string, unknown>) => [r.taskForce, r.opened, r.closed, r.closeRate]),
    ).toEqual([
      ['land', 2, 1, 0.5],
      ['planning', 1, 0, 0],
    ]);
    // [from, to): a period ending on the last millisecond before they opened has none.
    const before = await api.request(
      'GET',
      `/stats/escalations?from=2026-01-01T00:00:00Z&to=${endOf('2026-03-16')}`,
      {
        token: clock.admin,
      },
    );
    expect(before.body).toEqual([]);
  });
});
