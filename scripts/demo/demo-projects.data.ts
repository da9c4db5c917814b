import type { RegisterProjectCommand } from '@qianqi/engine';
import type { CommandType, ItemStatus, Limit } from '@qianqi/workflows';

/**
 * The demo: projects of the seeds' cities (衢州 330800, 嘉峪关 620200) at different stages, each
 * brought there by the commands its applicant and departments would really send. Pure data; the
 * seeder (demo-seeder.service.ts) sends every step through the engine's use cases.
 */

/** One command, as the HTTP body `{ type, …fields }` plus the item it is sent to. */
export type DemoCommandStep = {
  item: string;
  type: CommandType;
  /**
   * Who sends it when it is not the obvious one. By default the project's applicant sends the
   * applicant's commands and an officer of the item's department the others.
   */
  by?: 'admin';
} & Record<string, unknown>;

/**
 * Time passing between two steps. Needs a clock the seeder can move (CLOCK_MODE=manual): the
 * timed demo of the deadlines work plugs in there. With the system clock the seeder skips it.
 */
export interface DemoWaitStep {
  wait: Limit;
}

export type DemoStep = DemoCommandStep | DemoWaitStep;

/** A project as POST /projects registers it, with the steps that bring it to its stage. */
export interface DemoProject extends Required<RegisterProjectCommand> {
  city: string;
  /** What the demo shows with this project, for the start banner. */
  scenario: string;
  steps: DemoStep[];
  /** Where the steps must leave it; the seeder checks, so a changed catalogue cannot go unnoticed. */
  expect: { readyToStart: boolean; items: Record<string, ItemStatus> };
}

export const DEMO_PROJECTS: DemoProject[] = [
  {
    code: '2025-330800-55-01-158764',
    name: '常山江航电枢纽工程',
    approvalMode: 'approval',
    region: '330800',
    city: '衢州',
    ownerOrg: 'org-quzhou-transport',
    plannedStartDate: '2027-03-31',
    leader: 'leader-quzhou-01',
    definition: 'default',
    scenario: '立项、用地预审已批；环评专家评审中（特别程序，时钟暂停）；用地规划许可审查中',
    steps: [
      {
        item: 'project_approval',
        type: 'SUBMIT',
        materials: ['application', 'feasibility_study', 'funding_plan'],
      },
      { item: 'project_approval', type: 'ACCEPT' },
      { item: 'project_approval', type: 'APPROVE', documentNo: '衢发改审批〔2026〕41号' },
      { item: 'land_pre_review', type: 'SUBMIT', materials: ['application', 'site_plan', 'land_survey'] },
      { item: 'land_pre_review', type: 'ACCEPT' },
      { item: 'land_pre_review', type: 'APPROVE', documentNo: '用字第330800202600058号' },
      { item: 'soil_water', type: 'SUBMIT', materials: ['swc_plan', 'swc_commitment'] },
      { item: 'soil_water', type: 'ACCEPT' },
      { item: 'soil_water', type: 'APPROVE', documentNo: '衢水许〔2026〕17号' },
      { item: 'eia', type: 'SUBMIT', materials: ['eia_report', 'public_participation', 'expert_opinion'] },
      { item: 'eia', type: 'ACCEPT' },
      {
        item: 'eia',
        type: 'START_SPECIAL_PROCEDURE',
        kind: 'expert_review',
        reason: '枢纽坝址涉及鱼类洄游通道，组织专家评审过鱼设施方案',
      },
      { item: 'heritage_survey', type: 'SUBMIT', materials: ['application', 'site_plan'] },
      { item: 'heritage_survey', type: 'ACCEPT' },
      {
        item: 'land_use_permit',
        type: 'SUBMIT',
        materials: ['application', 'land_contract', 'cadastral_map'],
      },
      { item: 'land_use_permit', type: 'ACCEPT' },
    ],
    expect: {
      readyToStart: false,
      items: {
        project_approval: 'approved',
        land_pre_review: 'approved',
        soil_water: 'approved',
        eia: 'paused',
        heritage_survey: 'in_review',
        land_use_permit: 'in_review',
        energy_review: 'ready',
        engineering_permit: 'locked',
        drawing_review: 'locked',
        construction_permit: 'locked',
      },
    },
  },
  {
    code: '2025-330800-76-01-306512',
    name: '乌溪江西干渠灌区引调水工程',
    approvalMode: 'approval',
    region: '330800',
    city: '衢州',
    ownerOrg: 'org-quzhou-water',
    plannedStartDate: '2027-06-30',
    leader: 'leader-quzhou-01',
    definition: 'default',
    scenario: '立项已批；用地预审退回补正（缺选址红线图，时钟停止）；环评审查中',
    steps: [
      {
        item: 'project_approval',
        type: 'SUBMIT',
        materials: ['application', 'feasibility_study', 'funding_plan'],
      },
      { item: 'project_approval', type: 'ACCEPT' },
      { item: 'project_approval', type: 'APPROVE', documentNo: '衢发改审批〔2026〕63号' },
      { item: 'heritage_survey', type: 'SUBMIT', materials: ['application', 'site_plan'] },
      { item: 'heritage_survey', type: 'ACCEPT' },
      { item: 'heritage_survey', type: 'APPROVE', documentNo: '衢文物勘〔2026〕9号' },
      { item: 'eia', type: 'SUBMIT', materials: ['eia_report', 'public_participation', 'expert_opinion'] },
      { item: 'eia', type: 'ACCEPT' },
      { item: 'land_pre_review', type: 'SUBMIT', materials: ['application', 'land_survey'] },
      {
        item: 'land_pre_review',
        type: 'RETURN_FOR_CORRECTION',
        reason: '缺少建设项目选址红线图；干渠线位与生态保护红线的关系需核对后补正',
        missing: ['site_plan'],
      },
    ],
    expect: {
      readyToStart: false,
      items: {
        project_approval: 'approved',
        heritage_survey: 'approved',
        eia: 'in_review',
        land_pre_review: 'correcting',
        energy_review: 'ready',
        soil_water: 'ready',
        land_use_permit: 'locked',
        engineering_permit: 'locked',
        drawing_review: 'locked',
        construction_permit: 'locked',
      },
    },
  },
  {
    code: '2026-620200-44-03-042318',
    name: '索通770MW光伏发电项目',
    approvalMode: 'filing',
    region: '620200',
    city: '嘉峪关',
    ownerOrg: 'org-jiayuguan-suotong',
    plannedStartDate: '2027-04-15',
    leader: 'leader-jiayuguan-01',
    definition: 'default',
    scenario: '备案、环评已批；文物勘探（区域评估）与节能审查（告知承诺）豁免；用地预审审查中',
    steps: [
      {
        item: 'project_approval',
        type: 'SUBMIT',
        materials: ['application', 'feasibility_study', 'funding_plan'],
      },
      { item: 'project_approval', type: 'ACCEPT' },
      { item: 'project_approval', type: 'APPROVE', documentNo: '嘉发改备〔2026〕23号' },
      {
        item: 'heritage_survey',
        type: 'WAIVE',
        basis: 'regional_assessment',
        reason: '项目位于嘉峪关光伏产业园，园区已完成区域文物考古调查勘探评估',
      },
      {
        item: 'energy_review',
        type: 'WAIVE',
        basis: 'notice_commitment',
        reason: '光伏发电项目不单独进行节能审查，项目单位已签署告知承诺书',
      },
      { item: 'eia', type: 'SUBMIT', materials: ['eia_report', 'public_participation', 'expert_opinion'] },
      { item: 'eia', type: 'ACCEPT' },
      { item: 'eia', type: 'APPROVE', documentNo: '嘉环审〔2026〕31号' },
      { item: 'land_pre_review', type: 'SUBMIT', materials: ['application', 'site_plan', 'land_survey'] },
      { item: 'land_pre_review', type: 'ACCEPT' },
    ],
    expect: {
      readyToStart: false,
      items: {
        project_approval: 'approved',
        heritage_survey: 'waived',
        energy_review: 'waived',
        eia: 'approved',
        land_pre_review: 'in_review',
        soil_water: 'ready',
        land_use_permit: 'locked',
        engineering_permit: 'locked',
        drawing_review: 'locked',
        construction_permit: 'locked',
      },
    },
  },
  {
    code: '2026-330800-38-03-517209',
    name: '衢州智造新城新能源电池及材料产业园项目',
    approvalMode: 'filing',
    region: '330800',
    city: '衢州',
    ownerOrg: 'org-quzhou-newenergy',
    plannedStartDate: '2027-01-31',
    leader: 'leader-quzhou-01',
    definition: 'industrial-park',
    scenario:
      '产业园区目录：标准地容缺受理后先行批准（宗地图承诺补齐中）；环评区域评估豁免；规划许可容缺后置已开始审查',
    steps: [
      { item: 'filing', type: 'SUBMIT', materials: ['filing_form'] },
      { item: 'filing', type: 'ACCEPT' },
      { item: 'filing', type: 'APPROVE', documentNo: '衢智造备〔2026〕105号' },
      {
        item: 'eia_filing',
        type: 'WAIVE',
        basis: 'regional_assessment',
        reason: '园区规划环评（区域评估）已覆盖本项目类别',
      },
      { item: 'standard_land', type: 'SUBMIT', materials: ['land_contract', 'investment_agreement'] },
      { item: 'standard_land', type: 'ACCEPT_WITH_TOLERANCE' },
      { item: 'standard_land', type: 'APPROVE', documentNo: '地字第330800202600112号' },
      { item: 'planning_permit', type: 'SUBMIT', materials: ['design_scheme', 'drawings'] },
      { item: 'planning_permit', type: 'ACCEPT' },
    ],
    expect: {
      readyToStart: false,
      items: {
        filing: 'approved',
        eia_filing: 'waived',
        standard_land: 'provisionally_approved',
        planning_permit: 'in_review',
        construction_permit: 'locked',
      },
    },
  },
  {
    code: '2025-620200-76-01-011458',
    name: '讨赖河城区段防洪治理工程',
    approvalMode: 'approval',
    region: '620200',
    city: '嘉峪关',
    ownerOrg: 'org-jiayuguan-cityinvest',
    plannedStartDate: '2026-12-15',
    leader: 'leader-jiayuguan-01',
    definition: 'default',
    scenario: '具备开工条件：全部事项办结（含容缺补齐、补正、公示、驳回后重新申请、节能告知承诺豁免）',
    steps: [
      { item: 'project_approval', type: 'SUBMIT', materials: ['application', 'feasibility_study'] },
      { item: 'project_approval', type: 'ACCEPT_WITH_TOLERANCE', dueInWorkingDays: 5 },
      { item: 'project_approval', type: 'SUPPLY_MATERIALS', materials: ['funding_plan'] },
      { item: 'project_approval', type: 'APPROVE', documentNo: '嘉发改审批〔2026〕12号' },
      {
        item: 'energy_review',
        type: 'WAIVE',
        basis: 'notice_commitment',
        reason: '年综合能源消费量不满1000吨标准煤，不单独进行节能审查',
      },
      { item: 'eia', type: 'SUBMIT', materials: ['eia_report', 'expert_opinion'] },
      {
        item: 'eia',
        type: 'RETURN_FOR_CORRECTION',
        reason: '公众参与说明未附网络公示截图',
        missing: ['public_participation'],
      },
      { item: 'eia', type: 'RESUBMIT', materials: ['eia_report', 'public_participation', 'expert_opinion'] },
      { item: 'eia', type: 'ACCEPT' },
      { item: 'eia', type: 'START_SPECIAL_PROCEDURE', kind: 'public_notice', reason: '拟批准环评文件公示' },
      { item: 'eia', type: 'END_SPECIAL_PROCEDURE' },
      { item: 'eia', type: 'APPROVE', documentNo: '嘉环审〔2026〕8号' },
      { item: 'soil_water', type: 'SUBMIT', materials: ['swc_plan', 'swc_commitment'] },
      { item: 'soil_water', type: 'ACCEPT' },
      { item: 'soil_water', type: 'APPROVE', documentNo: '嘉水保〔2026〕5号' },
      { item: 'heritage_survey', type: 'SUBMIT', materials: ['application', 'site_plan'] },
      { item: 'heritage_survey', type: 'ACCEPT' },
      { item: 'heritage_survey', type: 'APPROVE', documentNo: '嘉文物勘〔2026〕3号' },
      { item: 'land_pre_review', type: 'SUBMIT', materials: ['application', 'site_plan', 'land_survey'] },
      { item: 'land_pre_review', type: 'ACCEPT' },
      { item: 'land_pre_review', type: 'APPROVE', documentNo: '用字第620200202600021号' },
      {
        item: 'land_use_permit',
        type: 'SUBMIT',
        materials: ['application', 'land_contract', 'cadastral_map'],
      },
      { item: 'land_use_permit', type: 'ACCEPT' },
      { item: 'land_use_permit', type: 'APPROVE', documentNo: '地字第620200202600034号' },
      {
        item: 'engineering_permit',
        type: 'SUBMIT',
        materials: ['application', 'design_scheme', 'engineering_drawings'],
      },
      { item: 'engineering_permit', type: 'ACCEPT' },
      { item: 'engineering_permit', type: 'APPROVE', documentNo: '建字第620200202600047号' },
      {
        item: 'drawing_review',
        type: 'SUBMIT',
        materials: ['construction_drawings', 'survey_report', 'energy_calc'],
      },
      { item: 'drawing_review', type: 'ACCEPT' },
      { item: 'drawing_review', type: 'DENY', reason: '堤防结构计算未满足50年一遇防洪标准，不予通过' },
      {
        item: 'drawing_review',
        type: 'SUBMIT',
        materials: ['construction_drawings', 'survey_report', 'energy_calc'],
      },
      { item: 'drawing_review', type: 'ACCEPT' },
      { item: 'drawing_review', type: 'APPROVE', documentNo: '嘉施审〔2026〕19号' },
      {
        item: 'construction_permit',
        type: 'SUBMIT',
        materials: ['application', 'contract', 'safety_measures'],
      },
      { item: 'construction_permit', type: 'ACCEPT' },
      { item: 'construction_permit', type: 'APPROVE', documentNo: '620200202611180101' },
    ],
    expect: {
      readyToStart: true,
      items: {
        project_approval: 'approved',
        energy_review: 'waived',
        eia: 'approved',
        soil_water: 'approved',
        heritage_survey: 'approved',
        land_pre_review: 'approved',
        land_use_permit: 'approved',
        engineering_permit: 'approved',
        drawing_review: 'approved',
        construction_permit: 'approved',
      },
    },
  },
  {
    code: '2026-620200-44-01-027731',
    name: '嘉峪关市新城区集中供热管网改造工程',
    approvalMode: 'approval',
    region: '620200',
    city: '嘉峪关',
    ownerOrg: 'org-jiayuguan-cityinvest',
    plannedStartDate: '2027-08-31',
    leader: 'leader-jiayuguan-01',
    definition: 'default',
    scenario: '刚入库：立项申请已提交，待发改受理',
    steps: [
      {
        item: 'project_approval',
        type: 'SUBMIT',
        materials: ['application', 'feasibility_study', 'funding_plan'],
      },
    ],
    expect: {
      readyToStart: false,
      items: {
        project_approval: 'submitted',
        land_pre_review: 'locked',
        eia: 'ready',
        energy_review: 'ready',
        soil_water: 'ready',
        heritage_survey: 'ready',
        land_use_permit: 'locked',
        engineering_permit: 'locked',
        drawing_review: 'locked',
        construction_permit: 'locked',
      },
    },
  },
];
