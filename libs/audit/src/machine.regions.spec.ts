import { setup } from 'xstate';
import { DEFAULT_CATALOGUE, ProcedureLogic } from '@qianqi/workflows';
import { regionMap } from './machine.regions';

describe('regionMap', () => {
  const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
  const map = regionMap(logic.machine)!;
  const start = logic.start({ procedureId: 'p', projectId: 'j', approvalMode: 'approval' }).value as Record<
    string,
    string
  >;

  it('has one region per item', () => {
    expect(map.regions).toEqual(DEFAULT_CATALOGUE.items.map((i) => i.key));
  });

  it("an item's event touches its own region, and the locked items with what they wait for", () => {
    const locked = Object.keys(start).filter((k) => start[k] === 'locked');
    expect(locked).toEqual([
      'land_pre_review',
      'land_use_permit',
      'engineering_permit',
      'drawing_review',
      'construction_permit',
    ]);
    expect(map.relevant('eia.SUBMIT', start)).toEqual(['eia', ...locked, 'project_approval'].sort());
    const allOpen = Object.fromEntries(Object.keys(start).map((k) => [k, 'approved']));
    expect(map.relevant('eia.SUBMIT', allOpen)).toEqual(['eia']);
    expect(map.relevant('eia.SET_LIGHT', allOpen)).toEqual(['eia']);
  });

  it('reads what a ready item behind a 容缺后置 edge waits for: it locks again if that is lost', () => {
    // engineering_permit ← land_use_permit and drawing_review ← engineering_permit allow 容缺后置.
    const allReady = Object.fromEntries(Object.keys(start).map((k) => [k, 'ready']));
    expect(map.relevant('eia.SUBMIT', allReady)).toEqual(
      ['drawing_review', 'eia', 'engineering_permit', 'land_use_permit'].sort(),
    );
    const provisional = { ...allReady, land_use_permit: 'provisionally_approved' };
    // land_pre_review: what land_use_permit itself waits for while locked (the map is per region).
    expect(map.relevant('land_use_permit.BREACH_COMMITMENTS', provisional)).toEqual(
      ['drawing_review', 'engineering_permit', 'land_pre_review', 'land_use_permit'].sort(),
    );
  });

  it('is null for a machine it cannot reason about', () => {
    const flat = setup({}).createMachine({ initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } });
    expect(regionMap(flat)).toBeNull();
    const crossing = setup({}).createMachine({
      id: 'm',
      type: 'parallel',
      states: {
        x: { initial: 'a', states: { a: { on: { go: '#m.y.d' } }, b: {} } },
        y: { initial: 'c', states: { c: {}, d: {} } },
      },
    });
    expect(regionMap(crossing)).toBeNull();
  });
});
