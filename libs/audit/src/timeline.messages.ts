import type { Role } from '@qianqi/domain';
import type {
  ApprovalMode,
  DepartmentCode,
  Light,
  LimitUnit,
  SpecialProcedureKind,
  TaskForceCode,
  WaiverBasis,
} from '@qianqi/workflows';
import { TASK_FORCES } from '@qianqi/workflows';

/**
 * Every Chinese word of the timeline, in one place. Item and material names come from the
 * definition the procedure ran on; everything else the timeline says comes from here.
 */
export const AGENCY: Record<DepartmentCode, string> = {
  ndrc: '发展改革委',
  'natural-resources': '自然资源和规划局',
  ecology: '生态环境局',
  housing: '住房城乡建设局',
  water: '水利局',
  heritage: '文物局',
};

export const ROLE_NAMES: Record<Role, string> = {
  applicant: '项目单位',
  department: '审批部门',
  taskforce: '专班',
  leader: '包抓领导',
  auditor: '审计',
  admin: '系统管理员',
};

export const SYSTEM_ACTOR = '系统';

export const SPECIAL_PROCEDURES: Record<SpecialProcedureKind, string> = {
  expert_review: '专家评审',
  hearing: '听证',
  public_notice: '公示',
  site_inspection: '现场勘验',
  bidding: '招投标',
};

export const WAIVER_BASES: Record<WaiverBasis, string> = {
  regional_assessment: '区域评估',
  notice_commitment: '告知承诺',
};

export const LIGHTS: Record<Light, string> = { green: '绿灯', blue: '蓝灯', yellow: '黄灯', red: '红灯' };

export const APPROVAL_MODES: Record<ApprovalMode, string> = {
  approval: '审批',
  verification: '核准',
  filing: '备案',
};

export const UNITS: Record<LimitUnit, string> = { WD: '个工作日', ND: '个自然日' };

/** Joins lists of names and sentences. */
export const LIST_SEPARATOR = '、';
export const CLAUSE_SEPARATOR = ', ';
export const EFFECT_SEPARATOR = '; ';

export const ESCALATION_REASONS: Record<string, string> = {
  OVERDUE: '办理超期',
  COMMITMENT_BREACHED: '容缺承诺逾期未补齐',
};

/** 督办 levels: 1 the routed 专班, 2 督导服务专班, 3 the project's 包抓领导, 4 挂牌督办. */
export const ESCALATION_LEVELS: Record<number, string> = {
  1: '专班督办',
  2: '督导服务专班督办',
  3: '包抓领导督办',
  4: '挂牌督办',
};

/** Why a project's light is what it is (reasons of ProjectLightChanged; items by their name). */
export const PROJECT_LIGHT_REASONS: Record<string, string> = {
  NOT_STARTED_ON_PLAN: '应开工未开工',
  NOT_REGISTERED_ON_PLAN: '应入库未入库',
  COMMITMENT_BREACHED: '容缺承诺逾期未补齐',
};

const limit = (n: number, unit: LimitUnit) => `${n} ${UNITS[unit]}`;
const reason = (r: unknown) => (r ? `, 理由: ${String(r)}` : '');

/** What happened: one line per event type. `item` is the item's Chinese name. */
export const WHAT = {
  ProjectRegistered: (p: {
    name: string;
    code: string;
    mode: ApprovalMode;
    definition: string;
    ref: string;
  }) =>
    `登记项目 ${p.name}（${p.code}，${APPROVAL_MODES[p.mode]}类）, 按 ${p.definition}（${p.ref}）启动前期手续`,
  StepSubmitted: (p: { item: string; materials: string[]; attempt: number }) =>
    `提交 ${p.item} 申请${p.attempt > 1 ? `（第 ${p.attempt} 次）` : ''}, 材料: ${p.materials.join(LIST_SEPARATOR) || '无'}`,
  StepAccepted: (p: { item: string }) => `受理 ${p.item}`,
  StepAcceptedWithTolerance: (p: { item: string; missing: string[]; days: number; due: string | null }) =>
    `容缺受理 ${p.item}, 缺 ${p.missing.join(LIST_SEPARATOR)}, 承诺 ${p.days} 个工作日内补齐${p.due ? `（${p.due} 前）` : ''}`,
  StepReturnedForCorrection: (p: { item: string; reason: unknown; missing: string[] }) =>
    `退回补正 ${p.item}${reason(p.reason)}${p.missing.length ? `, 需补正: ${p.missing.join(LIST_SEPARATOR)}` : ''}`,
  StepResubmitted: (p: { item: string; materials: string[] }) =>
    `补正后重新提交 ${p.item}${p.materials.length ? `, 补充材料: ${p.materials.join(LIST_SEPARATOR)}` : ''}`,
  StepRefused: (p: { item: string; reason: unknown }) => `不予受理 ${p.item}${reason(p.reason)}`,
  SpecialProcedureStarted: (p: { item: string; kind: SpecialProcedureKind; reason: unknown }) =>
    `启动特别程序（${SPECIAL_PROCEDURES[p.kind] ?? p.kind}） ${p.item}${reason(p.reason)}`,
  SpecialProcedureEnded: (p: { item: string; kind: SpecialProcedureKind | null }) =>
    `结束特别程序${p.kind ? `（${SPECIAL_PROCEDURES[p.kind] ?? p.kind}）` : ''} ${p.item}`,
  StepApproved: (p: { item: string; documentNo: unknown }) =>
    `批准 ${p.item}${p.documentNo ? `, 文号 ${String(p.documentNo)}` : ''}`,
  StepProvisionallyApproved: (p: { item: string; documentNo: unknown; open: string[] }) =>
    `容缺批准 ${p.item}${p.documentNo ? `, 文号 ${String(p.documentNo)}` : ''}, 待补齐: ${p.open.join(LIST_SEPARATOR)}`,
  StepDenied: (p: { item: string; reason: unknown }) => `不予许可 ${p.item}${reason(p.reason)}`,
  MaterialsSupplied: (p: { item: string; materials: string[] }) =>
    `补齐 ${p.item} 容缺材料: ${p.materials.join(LIST_SEPARATOR)}`,
  StepWithdrawn: (p: { item: string; reason: unknown }) => `撤回 ${p.item} 申请${reason(p.reason)}`,
  StepWaived: (p: { item: string; basis: WaiverBasis; reason: unknown }) =>
    `免于办理 ${p.item}（${WAIVER_BASES[p.basis] ?? p.basis}）${reason(p.reason)}`,
  CommitmentBreached: (p: { item: string; materials: string[] }) =>
    `${p.item} 容缺承诺逾期未补齐: ${p.materials.join(LIST_SEPARATOR)}`,
  ItemLightChanged: (p: { item: string; from: Light; to: Light }) =>
    `${p.item} 预警灯 ${lightChange(p.from, p.to)}`,
  EscalationOpened: (p: {
    item: string;
    reason: string;
    taskForce: TaskForceCode | string;
    due: string | null;
  }) =>
    `${p.item} ${ESCALATION_REASONS[p.reason] ?? p.reason}, 生成督办件交 ${TASK_FORCES[p.taskForce as TaskForceCode] ?? p.taskForce}（${ESCALATION_LEVELS[1]}）${p.due ? `, ${p.due} 前响应` : ''}`,
  EscalationClimbed: (p: { item: string; level: number; due: string | null }) =>
    `${p.item} 督办件未销号, 升级为第 ${p.level} 级（${ESCALATION_LEVELS[p.level] ?? ''}）${p.due ? `, ${p.due} 前响应` : ''}`,
  EscalationAcknowledged: (p: { item: string }) => `签收 ${p.item} 督办件`,
  EscalationNoteAdded: (p: { item: string; text: unknown }) =>
    `记录 ${p.item} 督办协调情况: ${String(p.text ?? '')}`,
  EscalationClosed: (p: { item: string; resolution: unknown }) =>
    `销号 ${p.item} 督办件, 办理结果: ${String(p.resolution ?? '')}`,
  EscalationReopened: (p: { item: string; reason: unknown }) =>
    `重新打开 ${p.item} 督办件${reason(p.reason)}`,
  ProjectLightChanged: (p: { from: Light; to: Light; reasons: string[] }) =>
    `项目预警灯 ${lightChange(p.from, p.to)}${p.reasons.length ? `（${p.reasons.join(LIST_SEPARATOR)}）` : ''}`,
  other: (p: { type: string; item: string | null }) => `记录事件 ${p.type}${p.item ? `（${p.item}）` : ''}`,
};

/** A light that changed (红灯 → 黄灯), or one that stayed while its reasons changed (仍为 红灯). */
function lightChange(from: Light, to: Light): string {
  const name = (l: Light) => LIGHTS[l] ?? l;
  return from === to ? `仍为 ${name(to)}` : `${name(from)} → ${name(to)}`;
}

/** What it did to the clock, the light and the procedure. */
export const EFFECT = {
  clockStarted: (p: {
    committed: { n: number; unit: LimitUnit };
    statutory: { n: number; unit: LimitUnit };
    due: string | null;
  }) =>
    `开始计时, 承诺时限 ${limit(p.committed.n, p.committed.unit)}${p.due ? `（${p.due} 前办结）` : ''}, 法定时限 ${limit(p.statutory.n, p.statutory.unit)}`,
  clockPausedCorrection: '计时暂停（补正期间不计时）',
  clockNotStartedCorrection: '尚未受理, 不计时',
  clockPausedSpecial: '计时暂停（特别程序所需时间不计入时限）',
  clockResumed: (p: { left: number | null }) =>
    `恢复计时${p.left !== null ? `, 剩余 ${p.left} 个工作日` : ''}`,
  awaitingAcceptance: '等待受理',
  clockStopped: (p: { used: number | null; overCommitted: boolean }) =>
    `停止计时${p.used !== null ? `, 用时 ${p.used} 个工作日` : ''}${p.overCommitted ? ', 超出承诺时限' : ''}`,
  commitmentsOpen: (open: string[]) => `仍缺: ${open.join(LIST_SEPARATOR)}`,
  commitmentsFulfilled: '容缺承诺全部履行',
  commitmentsCancelled: (materials: string[]) => `容缺承诺随之取消: ${materials.join(LIST_SEPARATOR)}`,
  provisionalBecameFinal: '转为正式批准',
  provisionalRevoked: '撤销容缺批准, 退回审查',
  certificateWithheld: '证照暂不发放',
  statutoryBreach: '已超过法定时限',
  unlocked: (items: string[]) => `${items.join(LIST_SEPARATOR)} 可以办理`,
  readyToStart: '项目具备开工条件',
  noLongerReady: '项目不再具备开工条件',
};
