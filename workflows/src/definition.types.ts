/**
 * The definition format a locality writes its catalogue in. Pure data: no functions, so a
 * definition can be hashed, versioned, stored with a procedure and compared on boot.
 */
export const DEPARTMENTS = {
  ndrc: '发展改革',
  'natural-resources': '自然资源和规划',
  ecology: '生态环境',
  housing: '住房城乡建设',
  water: '水利',
  heritage: '文物',
} as const;
export type DepartmentCode = keyof typeof DEPARTMENTS;

export const TASK_FORCES = {
  land: '用地专班',
  planning: '规划专班',
  ecology: '环保专班',
  construction: '住建专班',
  supervision: '督导服务专班',
} as const;
export type TaskForceCode = keyof typeof TASK_FORCES;

export const APPROVAL_MODES = ['approval', 'verification', 'filing'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export const STAGES = {
  1: '立项用地规划许可',
  2: '工程建设许可',
  3: '施工许可',
  4: '竣工验收',
  0: '并行推进',
} as const;
export type Stage = 0 | 1 | 2 | 3 | 4;

export type LimitUnit = 'WD' | 'ND';
export interface Limit {
  n: number;
  unit: LimitUnit;
}

export interface MaterialDefinition {
  key: string;
  name: string;
  /** Only tolerable materials may be missing at 容缺受理. */
  tolerable: boolean;
}

export interface PrerequisiteDefinition {
  item: string;
  /** 容缺后置: a provisionally approved prerequisite already unlocks this item. */
  allowProvisional?: boolean;
  /** The edge only applies to projects of these approval modes (all when absent). */
  approvalModes?: ApprovalMode[];
}

/** What a broken 容缺 commitment does to its item. */
export type BreachPolicy = 'withhold' | 'provisional' | 'revoke';

export interface LightThresholds {
  /** Share of the committed limit used at which the light turns blue / yellow. */
  blue: number;
  yellow: number;
  /** Yellow also when this many working days or fewer are left. */
  yellowDaysLeft: number;
}

export interface ItemDefinition {
  key: string;
  name: string;
  department: DepartmentCode;
  stage: Stage;
  limits: { statutory: Limit; committed: Limit };
  materials: MaterialDefinition[];
  prerequisites: PrerequisiteDefinition[];
  waivable: boolean;
  /** Absent: the item applies to every approval mode. */
  approvalModes?: ApprovalMode[];
  taskForce: TaskForceCode;
  /** Default due date of a 容缺 commitment, in working days after acceptance. */
  commitmentDays?: number;
  breachPolicy?: BreachPolicy;
}

export interface ProcedureDefinition {
  id: string;
  version: number;
  name: string;
  description?: string;
  lights?: Partial<LightThresholds>;
  items: ItemDefinition[];
}

export const DEFAULT_LIGHTS: LightThresholds = { blue: 0.5, yellow: 0.8, yellowDaysLeft: 2 };
export const DEFAULT_COMMITMENT_DAYS = 5;
/** The breach policy of an item whose definition names none. */
export const DEFAULT_BREACH_POLICY: BreachPolicy = 'withhold';

export function definitionRef(def: Pick<ProcedureDefinition, 'id' | 'version'>): string {
  return `${def.id}@${def.version}`;
}
