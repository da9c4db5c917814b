import { projectBody, tokens, uniqueOrg } from './fixtures';
import type { TestApi } from './test-app';

/**
 * Driving the API on the manual clock (CLOCK_MODE=manual) in the words of the scenarios:
 * move the clock, register a project, take an item through its commands, read its clock.
 * Instants are written as Shanghai wall-clock times; expectations as Shanghai days.
 */

/** sh('2026-02-09 10:00') → '2026-02-09T10:00:00+08:00'. */
export const sh = (local: string): string => `${local.replace(' ', 'T')}:00+08:00`;
/** 23:59:59 Shanghai that day, the last second of a limit ending then, as the API returns it. */
export const endOf = (date: string): string => new Date(`${date}T23:59:59.000+08:00`).toISOString();
/** One millisecond later: when an item past that limit turns red (the timer's instant). */
export const pastEndOf = (date: string): string => new Date(Date.parse(endOf(date)) + 1).toISOString();
/** 00:00 Shanghai that day: when a light that changes "on" that working day changes. */
export const startOf = (date: string): string => new Date(`${date}T00:00:00.000+08:00`).toISOString();

export interface Project {
  projectId: string;
  procedureId: string;
  org: string;
  leader: string | null;
  /** The catalogue it runs: 'default' unless registered with another. */
  definition: string;
}

interface ItemDef {
  department: string;
  materials: { key: string; tolerable: boolean }[];
}

export interface ItemClock {
  status: string;
  light: string;
  overdue: boolean;
  statutoryBreach: boolean;
  acceptedAt: string | null;
  committedDueAt: string | null;
  statutoryDueAt: string | null;
  workingDaysUsed: number | null;
  workingDaysLeft: number | null;
  provisional: boolean;
  [field: string]: unknown;
}

export interface StreamEvent {
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: { occurredAt: string; [field: string]: unknown };
}

export interface TicketView {
  id: string;
  projectId: string;
  procedureId: string;
  itemKey: string;
  reason: string;
  taskForce: string;
  level: number;
  status: string;
  openedAt: string;
  dueAt: string | null;
  [field: string]: unknown;
}

export class ClockApi {
  readonly admin = tokens.admin();
  private readonly definitions = new Map<string, Map<string, ItemDef>>();

  constructor(readonly api: TestApi) {}

  async now(): Promise<string> {
    const res = await this.api.request('GET', '/admin/clock', { token: this.admin });
    expect(res.body.mode).toBe('manual');
    return res.body.now;
  }

  /** Moves the clock forward to `at`; the timers that fell due run before this returns. */
  async moveTo(at: string): Promise<{ now: string; previous: string; timersFired: number }> {
    const res = await this.api.request('POST', '/admin/clock', { token: this.admin, body: { now: at } });
    if (res.status !== 200) throw new Error(`clock to ${at}: ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.body.now).toBe(new Date(at).toISOString());
    return res.body;
  }

  async register(overrides: Record<string, unknown> = {}): Promise<Project> {
    const org = uniqueOrg();
    const body = projectBody(org, { approvalMode: 'verification', ...overrides });
    const res = await this.api.request('POST', '/projects', { token: tokens.applicant(org), body });
    if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
    return {
      projectId: res.body.id,
      procedureId: res.body.procedureId,
      org,
      leader: ((body as Record<string, unknown>).leader as string) ?? null,
      definition: (overrides.definition as string) ?? 'default',
    };
  }

  /** An item as GET /definitions/:id describes it (its department, its materials). */
  private async itemDef(p: Project, item: string): Promise<ItemDef> {
    if (!this.definitions.has(p.definition)) {
      const res = await this.api.request('GET', `/definitions/${p.definition}`, { token: this.admin });
      this.definitions.set(
        p.definition,
        new Map(res.body.items.map((i: ItemDef & { key: string }) => [i.key, i])),
      );
    }
    return this.definitions.get(p.definition)!.get(item)!;
  }

  /** Sends a command as the right actor (applicant commands as the owner, others as the item's department). */
  async command(p: Project, item: string, body: Record<string, unknown>, expectStatus = 200) {
    const applicantCommands = ['SUBMIT', 'RESUBMIT', 'SUPPLY_MATERIALS', 'WITHDRAW'];
    const token = applicantCommands.includes(body.type as string)
      ? tokens.applicant(p.org)
      : tokens.department((await this.itemDef(p, item)).department);
    const res = await this.api.request('POST', `/procedures/${p.procedureId}/items/${item}/commands`, {
      token,
      body,
    });
    if (res.status !== expectStatus) {
      throw new Error(
        `${item} ${body.type}: expected ${expectStatus}, got ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
    return res.body;
  }

  /** Submits an item's materials (all, or only the essential ones for 容缺) and accepts it now. */
  async accept(p: Project, item: string, opts: { tolerance?: boolean; dueInWorkingDays?: number } = {}) {
    const materials = (await this.itemDef(p, item)).materials
      .filter((m) => !opts.tolerance || !m.tolerable)
      .map((m) => m.key);
    await this.command(p, item, { type: 'SUBMIT', materials });
    const accept = opts.tolerance
      ? {
          type: 'ACCEPT_WITH_TOLERANCE',
          ...(opts.dueInWorkingDays ? { dueInWorkingDays: opts.dueInWorkingDays } : {}),
        }
      : { type: 'ACCEPT' };
    return this.command(p, item, accept);
  }

  async approve(p: Project, item: string) {
    await this.accept(p, item);
    return this.command(p, item, { type: 'APPROVE', documentNo: `文号-${item}` });
  }

  async procedure(p: Project, token = this.admin) {
    const res = await this.api.request('GET', `/procedures/${p.procedureId}`, { token });
    expect(res.status).toBe(200);
    return res.body;
  }

  async item(p: Project, key: string, token = this.admin): Promise<ItemClock> {
    const view = await this.procedure(p, token);
    return view.items.find((i: { key: string }) => i.key === key);
  }

  async project(p: Project) {
    const res = await this.api.request('GET', `/projects/${p.projectId}`, { token: this.admin });
    expect(res.status).toBe(200);
    return res.body;
  }

  async events(p: Project): Promise<StreamEvent[]> {
    const res = await this.api.request('GET', `/procedures/${p.procedureId}/events`, {
      token: tokens.auditor(),
    });
    expect(res.status).toBe(200);
    return res.body;
  }

  /** The light changes of one item: [light, from, the instant it turned]. */
  async lightChanges(p: Project, item: string): Promise<unknown[][]> {
    return (await this.events(p))
      .filter((e) => e.type === 'ItemLightChanged' && e.data.itemKey === item)
      .map((e) => [e.data.light, e.data.from, e.metadata.occurredAt]);
  }

  /** Ids of the projects GET /projects?light= lists. */
  async projectsWithLight(light: string): Promise<string[]> {
    const res = await this.api.request('GET', `/projects?light=${light}&pageSize=200`, { token: this.admin });
    expect(res.status).toBe(200);
    return res.body.items.map((p: { id: string }) => p.id);
  }

  async tickets(query: string, token = this.admin): Promise<{ items: TicketView[]; total: number }> {
    const res = await this.api.request('GET', `/escalations?${query}`, { token });
    expect(res.status).toBe(200);
    return res.body;
  }
}
