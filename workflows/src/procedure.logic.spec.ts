import { DEFAULT_CATALOGUE } from './catalogues/default.catalogue';
import { ProcedureLogic, sameState, type PersistedProcedure } from './procedure.logic';

const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
const start = () => logic.start({ procedureId: 'p', projectId: 'j', approvalMode: 'approval' });
/** The state with one item's context changed by `patch`. */
const withItem = (s: PersistedProcedure, key: string, patch: object): PersistedProcedure => ({
  ...s,
  context: { ...s.context, items: { ...s.context.items, [key]: { ...s.context.items[key], ...patch } } },
});

describe('sameState', () => {
  const key = DEFAULT_CATALOGUE.items[0].key;

  it('holds states equal as JSON equal, whatever objects and member order they are made of', () => {
    const a = start();
    const b = JSON.parse(JSON.stringify(a)) as PersistedProcedure;
    expect(sameState(a, b)).toBe(true);
    const item = a.context.items[key] as unknown as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(item).reverse());
    expect(sameState(a, withItem(a, key, reordered))).toBe(true);
    // An undefined member is no member, as in the stored JSON.
    expect(sameState(a, withItem(a, key, { extra: undefined }))).toBe(true);
  });

  it('tells states apart by any value, member or element, however deep', () => {
    const a = start();
    expect(sameState(a, withItem(a, key, { light: 'red' }))).toBe(false);
    expect(sameState(a, withItem(a, key, { materials: ['x'] }))).toBe(false);
    expect(sameState(withItem(a, key, { materials: ['x'] }), withItem(a, key, { materials: ['y'] }))).toBe(
      false,
    );
    expect(sameState(a, withItem(a, key, { extra: null }))).toBe(false);
    expect(sameState(a, withItem(a, key, { stops: {} }))).toBe(false);
    expect(sameState(a, { ...a, value: { ...a.value, [key]: 'approved' } })).toBe(false);
  });

  it('makes apply refuse a transition that changes nothing', () => {
    const s = start();
    const light = s.context.items[key].light;
    const r = logic.apply(s, { type: `${key}.SET_LIGHT`, at: '2026-03-02T00:00:00.000Z', light } as never);
    expect(r.changed).toBe(false);
    expect(r.state).toBe(s);
  });
});
