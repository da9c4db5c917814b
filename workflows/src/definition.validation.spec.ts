import { DEFAULT_CATALOGUE } from './catalogues/default.catalogue';
import { INDUSTRIAL_PARK_CATALOGUE } from './catalogues/industrial-park.catalogue';
import { BUILT_IN_DEFINITIONS, contentHash, DefinitionRegistry } from './definition.registry';
import type { ItemDefinition, ProcedureDefinition } from './definition.types';
import { assertValidDefinition, DefinitionError, definitionProblems } from './definition.validation';

const item = (key: string, overrides: Partial<ItemDefinition> = {}): ItemDefinition => ({
  key,
  name: `事项 ${key}`,
  department: 'natural-resources',
  stage: 1,
  limits: { statutory: { n: 20, unit: 'WD' }, committed: { n: 10, unit: 'WD' } },
  materials: [{ key: 'application', name: '申请表', tolerable: false }],
  prerequisites: [],
  waivable: false,
  taskForce: 'land',
  ...overrides,
});

const definition = (
  items: ItemDefinition[],
  overrides: Partial<ProcedureDefinition> = {},
): ProcedureDefinition => ({
  id: 'broken-city',
  version: 3,
  name: '测试目录',
  items,
  ...overrides,
});

/** The error a registry (what the boot constructs) throws for these definitions. */
function bootError(...defs: ProcedureDefinition[]): DefinitionError {
  try {
    new DefinitionRegistry(defs);
  } catch (err) {
    if (err instanceof DefinitionError) return err;
    throw err;
  }
  throw new Error('the registry accepted a broken definition');
}

describe('definition validation', () => {
  it('accepts both shipped catalogues', () => {
    expect(definitionProblems(DEFAULT_CATALOGUE)).toEqual([]);
    expect(definitionProblems(INDUSTRIAL_PARK_CATALOGUE)).toEqual([]);
    const registry = new DefinitionRegistry(BUILT_IN_DEFINITIONS);
    expect(
      registry
        .all()
        .map((d) => d.ref)
        .sort(),
    ).toEqual(['default@1', 'industrial-park@1']);
  });

  it('ships the 10 default items with Chinese names', () => {
    expect(DEFAULT_CATALOGUE.items).toHaveLength(10);
    for (const i of DEFAULT_CATALOGUE.items) expect(i.name).toMatch(/[\u4e00-\u9fff]/);
  });

  it('names an unknown prerequisite and the item that wants it', () => {
    const def = definition([item('a'), item('b', { prerequisites: [{ item: 'nowhere' }] })]);
    const err = bootError(def);
    expect(err.definition).toBe('broken-city@3');
    expect(err.problems).toEqual(['item "b": unknown prerequisite "nowhere"']);
    expect(err.message).toContain('broken-city@3');
    expect(err.message).toContain('unknown prerequisite "nowhere"');
  });

  it('names a cycle with its path', () => {
    const def = definition([
      item('a', { prerequisites: [{ item: 'c' }] }),
      item('b', { prerequisites: [{ item: 'a' }] }),
      item('c', { prerequisites: [{ item: 'b' }] }),
      item('d'),
    ]);
    const err = bootError(def);
    expect(err.problems).toHaveLength(1);
    const [problem] = err.problems;
    expect(problem).toMatch(/^prerequisite cycle /);
    const path = problem.replace('prerequisite cycle ', '').split(' → ');
    expect(path[0]).toBe(path[path.length - 1]);
    expect(new Set(path)).toEqual(new Set(['a', 'b', 'c']));
    expect(path).toHaveLength(4);
    expect(err.message).toContain(problem);
  });

  it('names an item that requires itself', () => {
    const err = bootError(definition([item('a', { prerequisites: [{ item: 'a' }] })]));
    expect(err.message).toContain('item "a": cannot be its own prerequisite');
  });

  it('names a duplicate key', () => {
    const err = bootError(definition([item('permit'), item('other'), item('permit')]));
    expect(err.problems).toEqual(['item "permit": duplicate key']);
    expect(err.message).toContain('item "permit": duplicate key');
  });

  it('names an unknown department', () => {
    const def = definition([item('a', { department: 'tax-bureau' as never })]);
    const err = bootError(def);
    expect(err.problems).toEqual(['item "a": unknown department "tax-bureau"']);
    expect(err.message).toContain('unknown department "tax-bureau"');
  });

  it('names every problem at once', () => {
    const def = definition([
      item('a', { department: 'nope' as never, prerequisites: [{ item: 'ghost' }] }),
      item('a'),
      item('b', {
        taskForce: 'nobody' as never,
        limits: { statutory: { n: 0, unit: 'WD' }, committed: { n: 5, unit: 'XD' as never } },
      }),
    ]);
    const problems = definitionProblems(def);
    expect(problems).toEqual(
      expect.arrayContaining([
        'item "a": unknown department "nope"',
        'item "a": duplicate key',
        'item "a": unknown prerequisite "ghost"',
        'item "b": unknown task force "nobody"',
        "item \"b\": limits.statutory must be { n: positive integer, unit: 'WD' | 'ND' }",
        "item \"b\": limits.committed must be { n: positive integer, unit: 'WD' | 'ND' }",
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('names a committed limit longer than the statutory one, in the same unit', () => {
    const def = definition([
      item('eia', { limits: { statutory: { n: 60, unit: 'WD' }, committed: { n: 999, unit: 'WD' } } }),
      item('equal', { limits: { statutory: { n: 20, unit: 'WD' }, committed: { n: 20, unit: 'WD' } } }),
      // Working and natural days do not compare without a calendar: left to the author.
      item('mixed', { limits: { statutory: { n: 7, unit: 'WD' }, committed: { n: 9, unit: 'ND' } } }),
    ]);
    expect(definitionProblems(def)).toEqual([
      'item "eia": limits.committed (999 WD) is longer than limits.statutory (60 WD)',
    ]);
  });

  it('refuses materials twice, empty items and bad approval modes', () => {
    const dupMaterial = definition([
      item('a', {
        materials: [
          { key: 'plan', name: '方案', tolerable: false },
          { key: 'plan', name: '方案', tolerable: true },
        ],
        approvalModes: ['approval', 'lottery' as never],
      }),
    ]);
    expect(definitionProblems(dupMaterial)).toEqual([
      'item "a": unknown approval mode "lottery"',
      'item "a": duplicate material "plan"',
    ]);
    expect(definitionProblems(definition([]))).toEqual(['items must not be empty']);
  });

  it('refuses the same id@version twice in one registry', () => {
    const err = bootError(DEFAULT_CATALOGUE, { ...DEFAULT_CATALOGUE });
    expect(err.message).toContain('default@1');
    expect(err.problems).toEqual(['the same id@version is defined twice']);
  });

  it('assertValidDefinition passes a valid definition and throws a DefinitionError otherwise', () => {
    expect(() =>
      assertValidDefinition(definition([item('a'), item('b', { prerequisites: [{ item: 'a' }] })])),
    ).not.toThrow();
    expect(() => assertValidDefinition(definition([item('a', { prerequisites: [{ item: 'z' }] })]))).toThrow(
      DefinitionError,
    );
  });

  it('hashes content: a changed definition gets a different hash, the same content the same', () => {
    const changed = { ...DEFAULT_CATALOGUE, items: DEFAULT_CATALOGUE.items.map((i) => ({ ...i })) };
    expect(contentHash(changed)).toBe(contentHash(DEFAULT_CATALOGUE));
    changed.items[0] = { ...changed.items[0], waivable: true };
    expect(contentHash(changed)).not.toBe(contentHash(DEFAULT_CATALOGUE));
  });

  it('resolves id alone to the newest version', () => {
    const v2 = { ...INDUSTRIAL_PARK_CATALOGUE, version: 2, name: '产业园区 v2' };
    const registry = new DefinitionRegistry([INDUSTRIAL_PARK_CATALOGUE, v2]);
    expect(registry.resolve('industrial-park')?.ref).toBe('industrial-park@2');
    expect(registry.resolve('industrial-park@1')?.ref).toBe('industrial-park@1');
    expect(registry.resolve('industrial-park@9')).toBeUndefined();
  });
});
