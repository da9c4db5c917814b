import { contentHash, DEFAULT_CATALOGUE } from '@qianqi/workflows';
import { auditScenario, buildStream, hour, streamActors } from '../../../test/support/audit-stream';
import { canonicalJson } from '@qianqi/domain';
import { exportHeader, headerHashOf, toCsv, toJsonl, type ExportHeader } from './export.format';
import { verifyExport } from './export.verification';

function exported(steps = auditScenario()) {
  const s = buildStream(DEFAULT_CATALOGUE, steps);
  const header = exportHeader(
    {
      procedureId: s.procedureId,
      projectId: s.projectId,
      project: { code: '2026-330800-48-01-100231', name: '常山江航电枢纽', ownerOrg: 'org-quzhou' },
      definition: { ref: 'default@1', hash: contentHash(DEFAULT_CATALOGUE), content: DEFAULT_CATALOGUE },
      exportedAt: hour(500),
      exportedBy: { id: 'aud-1', name: '审计员', role: 'auditor' },
    },
    s.stored.events,
  );
  return { stream: s, header, text: toJsonl(header, s.stored.events) };
}

const relines = (text: string, change: (lines: string[]) => void) => {
  const lines = text.trimEnd().split('\n');
  change(lines);
  return `${lines.join('\n')}\n`;
};

describe('export (jsonl)', () => {
  it('is a header and one canonical line per event, in the shape of GET /events', () => {
    const { stream, header, text } = exported();
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(stream.events.length + 1);
    expect(JSON.parse(lines[0])).toEqual(header);
    expect(header.events).toBe(stream.events.length);
    expect(header.headHash).toBe(stream.events[stream.events.length - 1].hash);
    expect(lines.slice(1).map((l) => JSON.parse(l))).toEqual(stream.stored.events);
    for (const l of lines) expect(canonicalJson(JSON.parse(l))).toBe(l);
  });

  it('verifies offline', () => {
    const { stream, text } = exported();
    expect(verifyExport(Buffer.from(text))).toEqual({
      ok: true,
      procedureId: stream.procedureId,
      definition: 'default@1',
      events: stream.events.length,
      headHash: stream.events[stream.events.length - 1].hash,
      problems: [],
      failures: [],
    });
  });

  it('refuses the file with any one byte changed', () => {
    const bytes = Buffer.from(exported().text);
    const positions = new Set<number>([0, bytes.length - 1]);
    for (let i = 0; i < bytes.length; i += 13) positions.add(i);
    let refused = 0;
    for (const i of positions) {
      const copy = Buffer.from(bytes);
      copy[i] ^= 0x04;
      const result = verifyExport(copy);
      expect({ byte: i, ok: result.ok }).toEqual({ byte: i, ok: false });
      refused += 1;
    }
    expect(refused).toBe(positions.size);
    expect(refused).toBeGreaterThan(500);
  });

  it('refuses a copy without its last event, or with one in the middle removed', () => {
    const { stream, text } = exported();
    const last = verifyExport(relines(text, (l) => l.pop()));
    expect(last.failures.map((f) => [f.version, f.kind])).toEqual([[stream.events.length, 'MISSING_EVENT']]);
    const middle = verifyExport(relines(text, (l) => l.splice(4, 1)));
    expect(middle.failures.map((f) => [f.version, f.kind])).toEqual([
      [4, 'MISSING_EVENT'],
      [5, 'CHAIN_BROKEN'],
      [stream.events.length, 'MISSING_EVENT'],
    ]);
  });

  it('refuses an event whose data was changed and re-serialized canonically', () => {
    const { text } = exported();
    const edited = relines(text, (l) => {
      const e = JSON.parse(l[3]);
      e.data.dueInWorkingDays = 30;
      l[3] = canonicalJson(e);
    });
    expect(verifyExport(edited).failures.map((f) => [f.version, f.kind])).toEqual([[3, 'HASH_MISMATCH']]);
  });

  it('refuses an edited header, and a definition swapped under a re-hashed header', () => {
    const { text } = exported();
    const byWhom = relines(text, (l) => {
      const h = JSON.parse(l[0]);
      h.exportedBy.name = '别人';
      l[0] = canonicalJson(h);
    });
    expect(verifyExport(byWhom).problems[0]).toMatch(/header was altered/);
    const swapped = relines(text, (l) => {
      const { headerHash: _, ...h } = JSON.parse(l[0]) as ExportHeader;
      h.definition.content = { ...h.definition.content, name: '换过的目录' };
      l[0] = canonicalJson({ ...h, headerHash: headerHashOf(h) });
    });
    expect(verifyExport(swapped).problems[0]).toMatch(/definition in the header does not hash/);
  });

  it('refuses what is not an export', () => {
    expect(verifyExport('').ok).toBe(false);
    expect(verifyExport('{"a":1}\n').problems[0]).toMatch(/header/);
    expect(verifyExport(Buffer.from([0xff, 0xfe, 0x0a])).problems[0]).toMatch(/UTF-8/);
    expect(verifyExport(exported().text.replace(/\n$/, '')).problems[0]).toMatch(/line break/);
  });
});

describe('export (csv)', () => {
  it('has a header row and one row per event, quoting what needs quoting', () => {
    const steps = auditScenario();
    steps[3] = { ...steps[3], cmd: { ...steps[3].cmd, reason: '缺"评审意见",\n请补正' } };
    const s = buildStream(DEFAULT_CATALOGUE, steps);
    const csv = toCsv(s.procedureId, { ref: 'default@1', hash: 'h' }, s.stored.events);
    expect(csv.endsWith('\r\n')).toBe(true);
    const header = csv.split('\r\n')[0];
    expect(header).toBe(
      'procedureId,version,type,itemKey,occurredAt,actorId,actorName,actorRole,actorDepartment,definition,definitionHash,data,metadata,prevHash,hash',
    );
    expect(csv).toContain(
      '"{""itemKey"":""energy_review"",""missing"":[""energy_opinion""],""reason"":""缺\\""评审意见\\"",\\n请补正""}"',
    );
    const rows = csv.trimEnd().split(/\r\n(?=[0-9a-f]{8}-)/);
    expect(rows).toHaveLength(s.events.length + 1);
    expect(rows[2]).toContain(
      `,2,StepSubmitted,eia,${hour(1)},app-1,${streamActors.applicant.name},applicant,,default@1,h,`,
    );
  });
});
