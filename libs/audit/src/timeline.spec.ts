import { computeDeadline, endOfShanghaiDay, shanghaiDate, WorkingDayCalendar } from '@qianqi/calendar';
import { type DeadlineCalculator } from '@qianqi/domain';
import { DEFAULT_CATALOGUE, ProcedureLogic } from '@qianqi/workflows';
import { auditScenario, buildStream, hour, streamActors } from '../../../test/support/audit-stream';
import { timeline } from './timeline';
import { AGENCY, WHAT } from './timeline.messages';

const calendar = WorkingDayCalendar.bundled();
const deadlines: DeadlineCalculator = {
  deadline: (input) => computeDeadline(calendar, input),
  workingDaysAfter: (at, days) => {
    const { date, provisional } = calendar.addWorkingDays(shanghaiDate(at), days);
    return { dueAt: endOfShanghaiDay(date), provisional };
  },
};
const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
const stream = buildStream(DEFAULT_CATALOGUE, auditScenario(), {
  commitmentDueAt: (a, d) => deadlines.workingDaysAfter(a, d).dueAt,
});
const entries = timeline(logic, stream.events, { deadlines });
const text = (type: string, n = 0) => entries.filter((e) => e.type === type)[n].text;

describe('timeline', () => {
  it('has one entry per event, with who did it', () => {
    expect(entries.map((e) => e.version)).toEqual(stream.events.map((e) => e.version));
    expect(entries.map((e) => e.at)).toEqual(stream.events.map((e) => e.metadata.occurredAt));
    expect(entries[2].actor).toEqual({
      id: 'eco-1',
      name: '张三',
      role: 'department',
      department: 'ecology',
    });
    expect(entries[1].actor).toEqual({ id: 'app-1', name: '李四', role: 'applicant', department: null });
  });

  it('says when, who, what, on which item, in Chinese', () => {
    expect(text('ProjectRegistered')).toBe(
      '2026-03-02 09:00 项目单位 李四 登记项目 常山江航电枢纽（2026-330800-48-01-100231，核准类）, 按 政府投资项目前期手续（默认目录）（default@1）启动前期手续',
    );
    expect(text('StepSubmitted')).toBe(
      '2026-03-02 10:00 项目单位 李四 提交 环评批复 申请, 材料: 环境影响报告书、技术评估意见',
    );
  });

  it('names the missing material and the commitment of a 容缺受理, and that the clock starts', () => {
    const t = text('StepAcceptedWithTolerance');
    expect(t).toContain(
      '2026-03-02 11:00 生态环境局 张三 容缺受理 环评批复, 缺 公众参与说明, 承诺 5 个工作日内补齐（2026-03-09 前）',
    );
    expect(t).toContain('开始计时, 承诺时限 20 个工作日（2026-03-30 前办结）, 法定时限 60 个工作日');
  });

  it('says what 补正 and a special procedure do to the clock', () => {
    expect(text('StepReturnedForCorrection')).toBe(
      '2026-03-02 13:00 发展改革委 王五 退回补正 节能审查, 理由: 缺评审意见, 需补正: 节能评审意见; 尚未受理, 不计时',
    );
    expect(text('StepResubmitted')).toContain('补正后重新提交 节能审查, 补充材料: 节能评审意见; 等待受理');
    expect(text('SpecialProcedureStarted')).toBe(
      '2026-03-04 10:00 生态环境局 张三 启动特别程序（专家评审） 环评批复, 理由: 组织专家评审; 计时暂停（特别程序所需时间不计入时限）',
    );
    expect(text('SpecialProcedureEnded')).toMatch(
      /结束特别程序（专家评审） 环评批复; 恢复计时, 剩余 \d+ 个工作日/,
    );
  });

  it('says when a commitment is made good and when the clock stops', () => {
    expect(text('MaterialsSupplied')).toBe(
      '2026-03-09 11:00 项目单位 李四 补齐 环评批复 容缺材料: 公众参与说明; 容缺承诺全部履行',
    );
    expect(text('StepApproved')).toMatch(
      /^2026-03-10 10:00 生态环境局 张三 批准 环评批复, 文号 衢环建〔2026〕7号; 停止计时, 用时 \d+ 个工作日$/,
    );
  });

  it('names unlocked items and readiness as effects on the procedure', () => {
    const s = buildStream(DEFAULT_CATALOGUE, [
      {
        item: 'land_pre_review',
        cmd: { type: 'SUBMIT', materials: ['application', 'site_plan', 'land_survey'] },
        actor: streamActors.applicant,
        at: hour(1),
      },
      {
        item: 'land_pre_review',
        cmd: { type: 'ACCEPT' },
        actor: { id: 'nr', name: '周七', role: 'department', department: 'natural-resources' },
        at: hour(2),
      },
      {
        item: 'land_pre_review',
        cmd: { type: 'APPROVE', documentNo: '衢自然资〔2026〕3号' },
        actor: { id: 'nr', name: '周七', role: 'department', department: 'natural-resources' },
        at: hour(3),
      },
    ]);
    const last = timeline(logic, s.events).pop()!;
    expect(last.text).toContain(`${AGENCY['natural-resources']} 周七 批准 用地预审与选址意见书`);
    expect(last.text).toContain('建设用地规划许可证（建设用地批准书） 可以办理');
  });

  it('describes system events and events it does not know without failing', () => {
    const s = buildStream(DEFAULT_CATALOGUE, []);
    const base = s.events[0];
    const system = { id: 'system', name: '系统', role: 'system' as never };
    const events = [
      base,
      {
        ...base,
        version: 2,
        type: 'ItemLightChanged',
        data: { itemKey: 'eia', light: 'red', statutoryBreach: true, overdue: true },
        metadata: { ...base.metadata, actor: system },
      },
      {
        ...base,
        version: 3,
        type: 'EscalationOpened',
        data: { itemKey: 'eia', reason: 'OVERDUE', taskForce: 'ecology', level: 1, dueAt: hour(72) },
        metadata: { ...base.metadata, actor: system },
      },
      {
        ...base,
        version: 4,
        type: 'ProjectLightChanged',
        data: { light: 'red', from: 'green', reasons: ['ITEM:eia'] },
        metadata: { ...base.metadata, actor: system },
      },
      {
        ...base,
        version: 5,
        type: 'ProjectLightChanged',
        data: { light: 'red', from: 'red', reasons: ['ITEM:eia', 'ITEM:soil_water'] },
        metadata: { ...base.metadata, actor: system },
      },
      { ...base, version: 6, type: 'SomethingNew', data: {}, metadata: base.metadata },
    ];
    const t = timeline(logic, events).map((e) => e.text.slice(17));
    expect(t.slice(1)).toEqual([
      `系统 ${WHAT.ItemLightChanged({ item: '环评批复', from: 'green', to: 'red' })}; 已超过法定时限`,
      '系统 环评批复 办理超期, 生成督办件交 环保专班（专班督办）, 2026-03-05 前响应',
      '系统 项目预警灯 绿灯 → 红灯（环评批复）',
      // Only the reasons changed: the light is named once.
      '系统 项目预警灯 仍为 红灯（环评批复、水土保持方案）',
      '项目单位 李四 记录事件 SomethingNew',
    ]);
  });

  it('says which 容缺 commitments a denial cancels', () => {
    const { applicant, ecology } = streamActors;
    const denied = buildStream(
      DEFAULT_CATALOGUE,
      [
        {
          item: 'eia',
          cmd: { type: 'SUBMIT', materials: ['eia_report', 'expert_opinion'] },
          actor: applicant,
          at: hour(1),
        },
        {
          item: 'eia',
          cmd: { type: 'ACCEPT_WITH_TOLERANCE', dueInWorkingDays: 5 },
          actor: ecology,
          at: hour(2),
        },
        { item: 'eia', cmd: { type: 'DENY', reason: '选址不符合生态保护红线' }, actor: ecology, at: hour(3) },
      ],
      { seed: 'denied-with-commitments' },
    );
    const line = timeline(logic, denied.events).find((e) => e.type === 'StepDenied')!.text;
    expect(line).toContain('不予许可 环评批复, 理由: 选址不符合生态保护红线');
    expect(line).toContain('容缺承诺随之取消: 公众参与说明');
    // A denial with nothing owed says nothing of commitments.
    const plain = buildStream(
      DEFAULT_CATALOGUE,
      [
        {
          item: 'eia',
          cmd: { type: 'SUBMIT', materials: ['eia_report', 'expert_opinion', 'public_participation'] },
          actor: applicant,
          at: hour(1),
        },
        { item: 'eia', cmd: { type: 'ACCEPT' }, actor: ecology, at: hour(2) },
        { item: 'eia', cmd: { type: 'DENY', reason: '选址不符合生态保护红线' }, actor: ecology, at: hour(3) },
      ],
      { seed: 'denied-plain' },
    );
    const plainLine = timeline(logic, plain.events).find((e) => e.type === 'StepDenied')!.text;
    expect(plainLine).toContain('不予许可 环评批复');
    expect(plainLine).not.toContain('容缺承诺');
  });
});
