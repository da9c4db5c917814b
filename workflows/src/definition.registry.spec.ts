import { DEFAULT_CATALOGUE } from './catalogues/default.catalogue';
import { contentHash, pinnedDefinition } from './definition.registry';
import type { ProcedureDefinition } from './definition.types';

/** A version the code no longer ships, rebuilt from what the database pinned, or refused. */
describe('pinnedDefinition', () => {
  const retired: ProcedureDefinition = { ...DEFAULT_CATALOGUE, version: 7, name: '已退役版本' };
  const ref = `${DEFAULT_CATALOGUE.id}@7`;

  it('rebuilds a version whose content hashes to its pinned hash', () => {
    const d = pinnedDefinition(ref, { hash: contentHash(retired), content: retired });
    expect(d?.ref).toBe(ref);
    expect(d?.hash).toBe(contentHash(retired));
    expect(d?.definition.name).toBe('已退役版本');
    expect(
      d?.logic.start({ procedureId: 'p', projectId: 'q', approvalMode: 'approval' }).value,
    ).toBeDefined();
  });

  it('refuses content that does not hash to the pinned hash, another version, or content that no longer validates', () => {
    expect(pinnedDefinition(ref, { hash: contentHash(DEFAULT_CATALOGUE), content: retired })).toBeNull();
    expect(
      pinnedDefinition(`${DEFAULT_CATALOGUE.id}@8`, { hash: contentHash(retired), content: retired }),
    ).toBeNull();
    // Hashes right, but names a department the code no longer has.
    const invalid = {
      ...retired,
      items: retired.items.map((i, n) => (n === 0 ? { ...i, department: 'no_such_department' } : i)),
    } as ProcedureDefinition;
    expect(pinnedDefinition(ref, { hash: contentHash(invalid), content: invalid })).toBeNull();
    expect(pinnedDefinition(ref, { hash: contentHash(null as never), content: null })).toBeNull();
  });
});
