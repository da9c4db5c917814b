import { ProcedureDefinition } from '../definition.types';

/**
 * 产业园区“标准地”目录: a park with a regional assessment (区域评估) and notice-and-commitment
 * (告知承诺), so fewer items, most of them waivable, and 容缺后置 between land and planning.
 */
export const INDUSTRIAL_PARK_CATALOGUE: ProcedureDefinition = {
  id: 'industrial-park',
  version: 1,
  name: '产业园区标准地项目前期手续',
  description: '区域评估覆盖的园区项目：备案/核准立项，标准地出让，拿地即开工',
  items: [
    {
      key: 'filing',
      name: '企业投资项目备案',
      department: 'ndrc',
      stage: 1,
      limits: { statutory: { n: 3, unit: 'WD' }, committed: { n: 1, unit: 'WD' } },
      materials: [{ key: 'filing_form', name: '项目备案信息表', tolerable: false }],
      prerequisites: [],
      waivable: false,
      approvalModes: ['filing', 'verification'],
      taskForce: 'supervision',
    },
    {
      key: 'standard_land',
      name: '标准地出让及建设用地规划许可',
      department: 'natural-resources',
      stage: 1,
      limits: { statutory: { n: 20, unit: 'WD' }, committed: { n: 5, unit: 'WD' } },
      materials: [
        { key: 'land_contract', name: '标准地出让合同', tolerable: false },
        { key: 'investment_agreement', name: '投资建设协议', tolerable: false },
        { key: 'cadastral_map', name: '宗地图', tolerable: true },
      ],
      prerequisites: [{ item: 'filing' }],
      waivable: false,
      taskForce: 'land',
      commitmentDays: 10,
      breachPolicy: 'provisional',
    },
    {
      key: 'eia_filing',
      name: '环评告知承诺审批',
      department: 'ecology',
      stage: 0,
      limits: { statutory: { n: 10, unit: 'WD' }, committed: { n: 2, unit: 'WD' } },
      materials: [
        { key: 'eia_form', name: '环境影响报告表', tolerable: false },
        { key: 'commitment_letter', name: '告知承诺书', tolerable: true },
      ],
      prerequisites: [],
      waivable: true,
      taskForce: 'ecology',
      breachPolicy: 'revoke',
    },
    {
      key: 'planning_permit',
      name: '建设工程规划许可证',
      department: 'natural-resources',
      stage: 2,
      limits: { statutory: { n: 20, unit: 'WD' }, committed: { n: 3, unit: 'WD' } },
      materials: [
        { key: 'design_scheme', name: '建筑设计方案', tolerable: false },
        { key: 'drawings', name: '工程设计图纸', tolerable: true },
      ],
      prerequisites: [{ item: 'standard_land', allowProvisional: true }],
      waivable: false,
      taskForce: 'planning',
    },
    {
      key: 'construction_permit',
      name: '施工许可证',
      department: 'housing',
      stage: 3,
      limits: { statutory: { n: 7, unit: 'WD' }, committed: { n: 1, unit: 'WD' } },
      materials: [
        { key: 'application', name: '施工许可申请表', tolerable: false },
        { key: 'contract', name: '施工合同', tolerable: false },
        { key: 'safety_measures', name: '质量安全措施资料', tolerable: true },
      ],
      prerequisites: [{ item: 'planning_permit' }],
      waivable: false,
      taskForce: 'construction',
      breachPolicy: 'withhold',
    },
  ],
};
