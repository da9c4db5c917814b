import './support/own-database';
import { onOwnDatabase } from './support/own-clock-api';
import { ClockApi, endOf, pastEndOf, sh, type Project, type TicketView } from './support/clock-api';
import { tokens } from './support/fixtures';
import type { TestApi } from './support/test-app';

process.env.CLOCK_MODE = 'manual';

/**
 * A 督办件 climbs only while what opened it still holds ("acts only if the item is still
 * stalled"): once the commitment is made good or the item decided, a level running out stops the
 * climb — the ticket stays open at its level for 销号 — and the cause coming back resumes it.
 * A climb hands the ticket to a new holder, who must acknowledge it afresh; every action answers
 * with the same ticket view as GET /escalations/:id. One story on a fresh database whose manual
 * clock is first set over HTTP to Mon 2026-03-02 (no holiday until 清明 4/4–6):
 *
 * - P1 水土保持 (soil_water, policy withhold), 容缺 accepted 3/2 with 1 WD to supply: broken past
 *   3/3, ticket to 环保专班 due 3/6; supplied and approved 3/4.
 * - P2 立项 (project_approval, 5 WD), accepted 3/2: red past 3/9, ticket to 督导服务专班 due 3/12;
 *   denied 3/10; applied for and accepted again 3/13 (due 3/20), red again past 3/20.
 */
describe('a ticket climbs only while its cause holds; a climb needs a fresh acknowledgement', () => {
  let api: TestApi;
  let clock: ClockApi;
  const p: Record<string, Project> = {};
  const t: Record<string, string> = {};
  const leader = 'leader-cause';
  const as = {
    ecology: tokens.taskforce('ecology'),
    supervision: tokens.taskforce('supervision'),
    leader: tokens.leader(leader),
  };

  const view = async (id: string) =>
    (await api.request('GET', `/escalations/${id}`, { token: clock.admin })).body;
  /** A handler action; its answer must be the ticket exactly as GET /escalations/:id shows it after. */
  async function act(id: string, action: string, token: string, body?: unknown): Promise<TicketView> {
    const res = await api.request('POST', `/escalations/${id}/${action}`, { token, body });
    expect({ action, status: res.status }).toEqual({ action, status: 200 });
    expect(res.body).toEqual(await view(id));
    return res.body;
  }
  const ticketEvents = async (project: Project) =>
    (await clock.events(project))
      .filter((e) => e.type.startsWith('Escalation'))
      .map((e) => [e.type, e.data.level, e.metadata.occurredAt]);

  onOwnDatabase({}, (a, c) => {
    api = a;
    clock = c;
  });

  it('Mon 3/2: 水保 accepted with tolerance (1 WD to supply), 立项 accepted', async () => {
    await clock.moveTo(sh('2026-03-02 09:00'));
    p.one = await clock.register({ leader });
    p.two = await clock.register({ leader });
    await clock.accept(p.one, 'soil_water', { tolerance: true, dueInWorkingDays: 1 });
    await clock.accept(p.two, 'project_approval');
    expect(await clock.item(p.two, 'project_approval')).toMatchObject({
      committedDueAt: endOf('2026-03-09'),
    });
  });

  it('Wed 3/4: the broken commitment opens a ticket; every action answers with the ticket view', async () => {
    await clock.moveTo(sh('2026-03-04 09:00'));
    const [ticket] = (await clock.tickets(`projectId=${p.one.projectId}`)).items;
    expect(ticket).toMatchObject({
      itemKey: 'soil_water',
      reason: 'COMMITMENT_BREACHED',
      taskForce: 'ecology',
      level: 1,
      openedAt: pastEndOf('2026-03-03'),
      dueAt: endOf('2026-03-06'),
      climbStoppedAt: null,
    });
    t.one = ticket.id;
    expect(await act(t.one, 'acknowledge', as.ecology)).toMatchObject({
      status: 'acknowledged',
      holder: 'ecology',
      taskForceName: '环保专班',
    });
    expect((await act(t.one, 'notes', as.ecology, { text: '已督促补交缴费凭证' })).notes).toHaveLength(1);
    // Made good the same day: supplied, then approved (withhold lets it through once supplied).
    await clock.command(p.one, 'soil_water', { type: 'SUPPLY_MATERIALS', materials: ['swc_commitment'] });
    await clock.command(p.one, 'soil_water', { type: 'APPROVE', documentNo: '水保-001' });
    expect(await clock.item(p.one, 'soil_water')).toMatchObject({ status: 'approved', light: 'green' });
  });

  it('Mon 3/9: level 1 ran out after the commitment was made good: no climb, the ticket stays open for 销号', async () => {
    await clock.moveTo(sh('2026-03-09 09:00'));
    expect(await view(t.one)).toMatchObject({
      level: 1,
      status: 'acknowledged',
      dueAt: null,
      climbStoppedAt: pastEndOf('2026-03-06'),
      closedAt: null,
    });
    const events = await clock.events(p.one);
    const stopped = events.find((e) => e.type === 'EscalationClimbStopped')!;
    expect(stopped).toMatchObject({
      data: {
        ticketId: t.one,
        itemKey: 'soil_water',
        reason: 'COMMITMENT_BREACHED',
        level: 1,
        itemStatus: 'approved',
      },
      metadata: { occurredAt: pastEndOf('2026-03-06') },
    });
    // The timeline shows it too, at that instant.
    const timeline = await api.request('GET', `/procedures/${p.one.procedureId}/timeline`, {
      token: tokens.auditor(),
    });
    expect(timeline.body.find((x: { version: number }) => x.version === stopped.version)).toMatchObject({
      at: pastEndOf('2026-03-06'),
      type: 'EscalationClimbStopped',
    });
  });

  it('Tue 3/10: 立项 went red past 3/9; its ticket is acknowledged, then the item is denied', async () => {
    await clock.moveTo(sh('2026-03-10 09:00'));
    const [ticket] = (await clock.tickets(`projectId=${p.two.projectId}`)).items;
    expect(ticket).toMatchObject({
      itemKey: 'project_approval',
      reason: 'OVERDUE',
      taskForce: 'supervision',
      level: 1,
      openedAt: pastEndOf('2026-03-09'),
      dueAt: endOf('2026-03-12'),
    });
    t.two = ticket.id;
    await act(t.two, 'acknowledge', as.supervision);
    await clock.command(p.two, 'project_approval', { type: 'DENY', reason: '不符合产业政策' });
  });

  it('Fri 3/13: its level ran out with the item denied: no climb; a new application is accepted', async () => {
    await clock.moveTo(sh('2026-03-13 09:00'));
    expect(await view(t.two)).toMatchObject({
      level: 1,
      dueAt: null,
      climbStoppedAt: pastEndOf('2026-03-12'),
    });
    await clock.accept(p.two, 'project_approval');
    // 3/16 1 … 3/20 5.
    expect(await clock.item(p.two, 'project_approval')).toMatchObject({
      committedDueAt: endOf('2026-03-20'),
    });
  });

  it('Mon 3/23: red again past 3/20 — the cause is back, the same ticket climbs again (no second ticket)', async () => {
    await clock.moveTo(sh('2026-03-23 09:00'));
    const { items } = await clock.tickets(`projectId=${p.two.projectId}`);
    expect(items.map((x) => x.id)).toEqual([t.two]);
    // Level 1's 3 WD run again from the instant it went red: 3/23, 3/24, 3/25.
    expect(await view(t.two)).toMatchObject({
      level: 1,
      status: 'acknowledged',
      dueAt: endOf('2026-03-25'),
      climbStoppedAt: null,
    });
    expect(await ticketEvents(p.two)).toEqual([
      ['EscalationOpened', 1, pastEndOf('2026-03-09')],
      ['EscalationAcknowledged', 1, new Date(sh('2026-03-10 09:00')).toISOString()],
      ['EscalationClimbStopped', 1, pastEndOf('2026-03-12')],
      ['EscalationClimbResumed', 1, pastEndOf('2026-03-20')],
    ]);
  });

  it('Thu 3/26: it climbs to level 2, open again: the new holder acknowledges it', async () => {
    await clock.moveTo(sh('2026-03-26 09:00'));
    // 3 WD after 3/25: 3/26, 3/27, 3/30.
    expect(await view(t.two)).toMatchObject({
      level: 2,
      status: 'open',
      acknowledgedAt: null,
      dueAt: endOf('2026-03-30'),
      holder: 'supervision',
    });
    expect(await act(t.two, 'acknowledge', as.supervision)).toMatchObject({
      level: 2,
      status: 'acknowledged',
      acknowledgedAt: new Date(sh('2026-03-26 09:00')).toISOString(),
    });
  });

  it('Fri 3/27: the stopped ticket is still at level 1; closed, reopened, it is checked again when due', async () => {
    await clock.moveTo(sh('2026-03-27 09:00'));
    expect(await view(t.one)).toMatchObject({ level: 1, dueAt: null });
    const closed = await act(t.one, 'close', as.ecology, { resolution: '已补齐，销号' });
    expect(closed).toMatchObject({ status: 'closed', resolution: '已补齐，销号' });
    const reopened = await act(t.one, 'reopen', as.ecology, { reason: '复查' });
    // Reopened, its level's 3 WD run again: 3/30, 3/31, 4/1.
    expect(reopened).toMatchObject({
      status: 'open',
      level: 1,
      dueAt: endOf('2026-04-01'),
      climbStoppedAt: null,
    });
  });

  it('Thu 4/2: the reopened ticket stops again; the one whose item is still overdue climbs to the leader', async () => {
    await clock.moveTo(sh('2026-04-02 09:00'));
    expect(await view(t.one)).toMatchObject({
      level: 1,
      status: 'open',
      dueAt: null,
      climbStoppedAt: pastEndOf('2026-04-01'),
    });
    expect((await ticketEvents(p.one)).map(([type]) => type)).toEqual([
      'EscalationOpened',
      'EscalationAcknowledged',
      'EscalationNoteAdded',
      'EscalationClimbStopped',
      'EscalationClosed',
      'EscalationReopened',
      'EscalationClimbStopped',
    ]);
    // 5 WD after 3/30: 3/31, 4/1, 4/2, 4/3, 4/7 (清明 4/4–6).
    expect(await view(t.two)).toMatchObject({
      level: 3,
      status: 'open',
      dueAt: endOf('2026-04-07'),
      holder: 'leader',
    });
    expect(await act(t.two, 'acknowledge', as.leader)).toMatchObject({ level: 3, status: 'acknowledged' });
    const closed = await act(t.one, 'close', as.ecology, { resolution: '复查无误，销号' });
    expect(closed.status).toBe('closed');
  });
});
