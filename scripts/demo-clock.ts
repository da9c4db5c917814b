/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are read as plain JSON */
import { parseArgs } from 'node:util';
import { signToken } from '@qianqi/auth';
import { loadConfig } from '@qianqi/config';
import { TASK_FORCES } from '@qianqi/workflows';

/**
 * npm run demo:clock — against a system started with CLOCK_MODE=manual, moves the shared clock
 * through one item's deadline and prints what each move did: the light turning blue, yellow and
 * red, the 督办件 opening and climbing to 挂牌督办. Talks to the API only, as a person would.
 */
const { values } = parseArgs({ options: { url: { type: 'string' } } });
const config = loadConfig();
const base = values.url ?? `http://localhost:${config.PORT}`;
const admin = signToken({ sub: 'demo-admin', name: '演示管理员', role: 'admin' }, config.jwtSecret);
const LIGHT = { green: '🟢 绿', blue: '🔵 蓝', yellow: '🟡 黄', red: '🔴 红' } as Record<string, string>;

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.code ?? ''} ${json.detail ?? ''}`);
  return json;
}

const HOLDER: Record<number, string> = { 2: TASK_FORCES.supervision, 3: '包抓领导', 4: '挂牌督办' };
const plusMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

async function main() {
  const clock = await api('GET', '/admin/clock');
  if (clock.mode !== 'manual')
    throw new Error('start the system with CLOCK_MODE=manual (e.g. CLOCK_MODE=manual npm start)');
  const projects = await api('GET', '/projects?pageSize=200');
  let target: { procedureId: string; project: string; item: any } | null = null;
  for (const p of projects.items) {
    const proc = await api('GET', `/procedures/${p.procedureId}`);
    for (const item of proc.items) {
      if (
        item.status === 'in_review' &&
        item.committedDueAt &&
        (!target || item.committedDueAt < target.item.committedDueAt)
      ) {
        target = { procedureId: p.procedureId, project: p.name, item };
      }
    }
  }
  if (!target) throw new Error('no item is in review: load the demo first (npm run seed:demo)');
  console.log(
    `时钟 ${clock.now}；跟踪 ${target.project} · ${target.item.name}（承诺时限至 ${target.item.committedDueAt}）`,
  );

  const show = async (label: string) => {
    const proc = await api('GET', `/procedures/${target!.procedureId}`);
    const item = proc.items.find((i: any) => i.key === target!.item.key);
    const tickets = await api('GET', `/escalations?projectId=${proc.projectId}`);
    const t = tickets.items.find((x: any) => x.itemKey === item.key && x.status !== 'closed');
    console.log(
      `${label.padEnd(26)} ${LIGHT[item.light] ?? item.light}  已用 ${item.workingDaysUsed} 个工作日，剩 ${item.workingDaysLeft}` +
        (t
          ? `  督办件 第${t.level}级 ${HOLDER[t.level] ?? t.taskForceName}${t.dueAt ? `（${t.dueAt} 前响应）` : ''}`
          : ''),
    );
    return { item, ticket: t };
  };

  let now = (await api('GET', '/admin/clock')).now as string;
  await show(now);
  // Walk day by day until the item is red, then follow the ticket's response limits.
  for (let day = 0; day < 60; day++) {
    now = plusMs(now, 86_400_000);
    const moved = await api('POST', '/admin/clock', { now });
    const { item, ticket } = await show(`${moved.now}`);
    if (item.light === 'red' && ticket) break;
  }
  let { ticket } = await show('');
  for (let step = 0; step < 4 && ticket?.dueAt; step++) {
    now = plusMs(ticket.dueAt, 1000);
    await api('POST', '/admin/clock', { now });
    ({ ticket } = await show(now));
  }
}

main().catch((err) => {
  console.error(`demo:clock: ${(err as Error).message}`);
  process.exit(1);
});
