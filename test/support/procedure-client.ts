import { projectBody, tokens, uniqueOrg } from './fixtures';
import type { TestApi } from './test-app';

export interface DefinitionItemDto {
  key: string;
  name: string;
  department: string;
  materials: { key: string; name: string; tolerable: boolean }[];
  prerequisites: string[];
  waivable: boolean;
}

export interface ItemViewDto {
  key: string;
  status: string;
  missingMaterials: string[];
  commitments: { material: string; status: string; dueAt: string | null }[];
  clock: { paused: boolean; pausedSpans: { kind: string; from: string; to: string | null }[] };
  [field: string]: unknown;
}

export interface EventDto {
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: { actor: Record<string, unknown>; [field: string]: unknown };
  prevHash: string;
  hash: string;
}

type Response = Awaited<ReturnType<TestApi['request']>>;

/**
 * Drives procedures over HTTP the way a client would: item keys, departments and materials come
 * from GET /definitions/:id, tokens are signed per role, every answer is checked for its status.
 */
export class ProcedureClient {
  private readonly departmentTokens = new Map<string, string>();
  readonly auditor = tokens.auditor();
  readonly admin = tokens.admin();

  private constructor(
    readonly api: TestApi,
    readonly items: Map<string, DefinitionItemDto>,
  ) {}

  static async forDefinition(api: TestApi, id = 'default'): Promise<ProcedureClient> {
    const res = await api.request('GET', `/definitions/${id}`, { token: tokens.auditor() });
    expect(res.status).toBe(200);
    return new ProcedureClient(api, new Map((res.body.items as DefinitionItemDto[]).map((i) => [i.key, i])));
  }

  item(key: string): DefinitionItemDto {
    const found = this.items.get(key);
    if (!found) throw new Error(`no item ${key} in the definition`);
    return found;
  }

  materials(key: string, which: 'all' | 'essential' | 'tolerable' = 'all'): string[] {
    return this.item(key)
      .materials.filter((m) => which === 'all' || (which === 'essential' ? !m.tolerable : m.tolerable))
      .map((m) => m.key);
  }

  /** A token of the department that owns the item (one officer per department). */
  officerOf(key: string): string {
    const dept = this.item(key).department;
    if (!this.departmentTokens.has(dept)) this.departmentTokens.set(dept, tokens.department(dept));
    return this.departmentTokens.get(dept)!;
  }

  /** Registers a project of a fresh org (unless given) and returns its ids and applicant token. */
  async register(overrides: Record<string, unknown> = {}, org = uniqueOrg()) {
    const applicant = tokens.applicant(org);
    const body = projectBody(org, overrides);
    const res = await this.api.request('POST', '/projects', { token: applicant, body });
    expect(res.status).toBe(201);
    return {
      projectId: res.body.id as string,
      procedureId: res.body.procedureId as string,
      code: body.code as string,
      org,
      applicant,
    };
  }

  send(
    procedureId: string,
    itemKey: string,
    body: unknown,
    token: string | undefined,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.api.request('POST', `/procedures/${procedureId}/items/${itemKey}/commands`, {
      token,
      body,
      headers,
    });
  }

  /** Sends a command that must be accepted; returns the item's view after it. */
  async ok(
    procedureId: string,
    itemKey: string,
    body: Record<string, unknown>,
    token: string,
  ): Promise<{ item: ItemViewDto; res: Response }> {
    const res = await this.send(procedureId, itemKey, body, token);
    if (res.status !== 200)
      throw new Error(`${itemKey}.${String(body.type)} → ${res.status} ${JSON.stringify(res.body)}`);
    const item = (res.body.procedure.items as ItemViewDto[]).find((i) => i.key === itemKey)!;
    return { item, res };
  }

  async procedure(procedureId: string) {
    const res = await this.api.request('GET', `/procedures/${procedureId}`, { token: this.auditor });
    expect(res.status).toBe(200);
    return res.body as { version: number; readyToStart: boolean; items: ItemViewDto[] };
  }

  async statuses(procedureId: string): Promise<Record<string, string>> {
    const p = await this.procedure(procedureId);
    return Object.fromEntries(p.items.map((i) => [i.key, i.status]));
  }

  async events(procedureId: string): Promise<EventDto[]> {
    const res = await this.api.request('GET', `/procedures/${procedureId}/events`, { token: this.auditor });
    expect(res.status).toBe(200);
    return res.body;
  }
}

/** An RFC 9457 problem with the status and stable code expected. */
export function expectProblem(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(status);
}
