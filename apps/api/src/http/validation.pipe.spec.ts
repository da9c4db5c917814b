import type { ArgumentMetadata } from '@nestjs/common';
import { ErrorCode, ValidationError } from '@qianqi/domain';
import { RegisterProjectCommand } from '@qianqi/engine';
import { SetRouteDto } from '../controllers/admin.dto';
import { AccessLogQueryDto } from '../controllers/audit.dto';
import { EscalationListQueryDto, NoteDto } from '../controllers/escalations.dto';
import { ItemListQueryDto } from '../controllers/items.controller';
import { MAX_PAGE } from '../controllers/paging.query';
import { ProjectListQueryDto } from '../controllers/project-list.query';
import { createValidationPipe } from './validation.pipe';

const pipe = createValidationPipe();
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });
const query = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype });

/** The field problems the global pipe refuses a value with (fails the test if it passes). */
async function refusal(value: unknown, meta: ArgumentMetadata): Promise<{ field: string; rule: string }[]> {
  try {
    await pipe.transform(value, meta);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe(ErrorCode.VALIDATION_FAILED);
    return (err as ValidationError).errors.map(({ field, rule }) => ({ field, rule }));
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

const project = (over: Record<string, unknown> = {}) => ({
  code: '2026-330800-48-01-100232',
  name: '测试二号工程',
  approvalMode: 'approval',
  region: '330800',
  ownerOrg: 'org-a',
  plannedStartDate: '2027-06-01',
  ...over,
});

describe('the global validation pipe', () => {
  describe('POST /projects body', () => {
    it('accepts a well-formed registration', async () => {
      await expect(pipe.transform(project(), body(RegisterProjectCommand))).resolves.toBeInstanceOf(
        RegisterProjectCommand,
      );
    });

    // class-transformer drops keys naming inherited members before whitelist looks at the object.
    it.each(['constructor', 'toString', 'valueOf', 'extra'])('names an unknown field %s', async (key) => {
      expect(await refusal(project({ [key]: 'x' }), body(RegisterProjectCommand))).toEqual([
        { field: key, rule: 'whitelistValidation' },
      ]);
    });

    it('names an own __proto__ key', async () => {
      const withProto = JSON.parse(`{"__proto__":{"admin":true},${JSON.stringify(project()).slice(1)}`);
      expect(await refusal(withProto, body(RegisterProjectCommand))).toEqual([
        { field: '__proto__', rule: 'whitelistValidation' },
      ]);
    });

    it.each([
      '2027-02-29',
      '2027-02-30',
      '2027-04-31',
      '2026-13-01',
      '2026-00-10',
      '1999-12-31',
      '2101-01-01',
      '0001-01-01',
      '9999-12-31',
      '2027-6-1',
      20270601,
    ])('refuses plannedStartDate %s', async (plannedStartDate) => {
      const [problem] = await refusal(project({ plannedStartDate }), body(RegisterProjectCommand));
      expect(problem.field).toBe('plannedStartDate');
    });

    it.each(['2028-02-29', '2000-01-01', '2100-12-31'])(
      'accepts plannedStartDate %s',
      async (plannedStartDate) => {
        await expect(
          pipe.transform(project({ plannedStartDate }), body(RegisterProjectCommand)),
        ).resolves.toMatchObject({
          plannedStartDate,
        });
      },
    );

    it.each(['name', 'region', 'ownerOrg', 'leader', 'definition'])('refuses a blank %s', async (field) => {
      expect(await refusal(project({ [field]: ' \u3000 ' }), body(RegisterProjectCommand))).toEqual([
        { field, rule: 'isNotBlank' },
      ]);
    });

    it('reports a missing field as required, once', async () => {
      const { name: _name, ...rest } = project();
      expect(await refusal(rest, body(RegisterProjectCommand))).toEqual([
        { field: 'name', rule: 'isDefined' },
      ]);
    });

    it('refuses a body that is not an object', async () => {
      expect(await refusal([project()], body(RegisterProjectCommand))).toEqual([
        { field: 'body', rule: 'isObject' },
      ]);
    });
  });

  describe('other bodies', () => {
    it('refuses blank notes and route regions', async () => {
      expect(await refusal({ text: '  ' }, body(NoteDto))).toEqual([{ field: 'text', rule: 'isNotBlank' }]);
      expect(
        await refusal({ department: 'ndrc', taskForce: 'land', region: ' ' }, body(SetRouteDto)),
      ).toEqual([{ field: 'region', rule: 'isNotBlank' }]);
      expect(await refusal({ constructor: 'x', text: 'ok' }, body(NoteDto))).toEqual([
        { field: 'constructor', rule: 'whitelistValidation' },
      ]);
    });
  });

  describe('list queries', () => {
    // Past MAX_PAGE the OFFSET overflowed PostgreSQL's bigint: a 500.
    it.each([ProjectListQueryDto, ItemListQueryDto, EscalationListQueryDto])(
      '%p: a huge page is refused',
      async (cls) => {
        expect(await refusal({ page: '99999999999999999999' }, query(cls))).toEqual([
          { field: 'page', rule: 'max' },
        ]);
        expect(await refusal({ page: String(MAX_PAGE + 1) }, query(cls))).toEqual([
          { field: 'page', rule: 'max' },
        ]);
        expect(await refusal({ pageSize: '1e30' }, query(cls))).toEqual([{ field: 'pageSize', rule: 'max' }]);
        await expect(pipe.transform({ page: String(MAX_PAGE) }, query(cls))).resolves.toMatchObject({
          page: MAX_PAGE,
        });
      },
    );

    it('names unknown query keys, constructor included', async () => {
      expect(await refusal({ constructor: '1' }, query(ProjectListQueryDto))).toEqual([
        { field: 'constructor', rule: 'whitelistValidation' },
      ]);
      expect(await refusal({ actorId: ' ' }, query(AccessLogQueryDto))).toEqual([
        { field: 'actorId', rule: 'isNotBlank' },
      ]);
    });
  });
});
