import { COMMAND_BODIES, declaredProperties } from '../libs/engine/src';
import { COMMAND_TYPES } from '../workflows/src';
import { projectBody, tokens, uniqueOrg } from './support/fixtures';
import { ProcedureClient } from './support/procedure-client';
import { startTestApi, type TestApi } from './support/test-app';

/**
 * /docs-json describes the contract as the code runs it: every command body with its fields,
 * the answers of POST /projects and of the command route, and problem+json for refusals. Each
 * shape is checked against a real answer, so the document cannot drift from the code unseen.
 */
type Schema = {
  properties?: Record<string, { enum?: string[] }>;
  required?: string[];
  additionalProperties?: boolean;
};

describe('the OpenAPI document', () => {
  let api: TestApi;
  let c: ProcedureClient;
  let doc: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document walked by path
    paths: Record<string, Record<string, any>>;
    components: { schemas: Record<string, Schema> };
  };
  const ref = (name: string) => `#/components/schemas/${name}`;
  const schema = (r: string) => doc.components.schemas[r.replace('#/components/schemas/', '')];
  const propertiesOf = (r: string) => Object.keys(schema(r).properties ?? {}).sort();

  beforeAll(async () => {
    api = await startTestApi();
    c = await ProcedureClient.forDefinition(api, 'default');
    const res = await api.request('GET', '/docs-json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => api.close());

  const commandRoute = () => doc.paths['/procedures/{id}/items/{itemKey}/commands'].post;

  describe('command bodies', () => {
    it('one schema per command type, told apart by type', () => {
      const body = commandRoute().requestBody.content['application/json'].schema;
      expect(body.oneOf).toHaveLength(COMMAND_TYPES.length);
      expect(body.discriminator.propertyName).toBe('type');
      expect(Object.keys(body.discriminator.mapping).sort()).toEqual([...COMMAND_TYPES].sort());
      for (const type of COMMAND_TYPES) {
        const s = schema(body.discriminator.mapping[type]);
        expect(s.properties!.type.enum).toEqual([type]);
        expect(s.required).toContain('type');
        expect(s.additionalProperties).toBe(false);
      }
    });

    it('each lists exactly the fields its class declares, required ones as required', () => {
      for (const [type, cls] of Object.entries(COMMAND_BODIES)) {
        expect({ type, fields: propertiesOf(ref(cls.name)) }).toEqual({
          type,
          fields: [...declaredProperties(cls)].sort(),
        });
      }
      expect(schema(ref('ApproveBody')).required).toEqual(expect.arrayContaining(['documentNo']));
      expect(schema(ref('AcceptWithToleranceBody')).required).toEqual(['type']);
      expect(schema(ref('StartSpecialProcedureBody')).properties!.kind.enum).toEqual([
        'expert_review',
        'hearing',
        'public_notice',
        'site_inspection',
        'bidding',
      ]);
    });
  });

  describe('answers', () => {
    it('POST /projects: 201 with the shape registration really returns', async () => {
      const created = doc.paths['/projects'].post.responses['201'].content['application/json'].schema.$ref;
      const org = uniqueOrg();
      const res = await api.request('POST', '/projects', {
        token: tokens.applicant(org),
        body: projectBody(org),
      });
      expect(res.status).toBe(201);
      expect(propertiesOf(created)).toEqual(Object.keys(res.body).sort());
    });

    it('the command route: 200 { procedure, events } with the fields a real answer has', async () => {
      const ok = commandRoute().responses['200'].content['application/json'].schema.$ref;
      const p = await c.register();
      const { res } = await c.ok(
        p.procedureId,
        'eia',
        { type: 'SUBMIT', materials: c.materials('eia') },
        p.applicant,
      );
      expect(propertiesOf(ok)).toEqual(Object.keys(res.body).sort());
      expect(propertiesOf(ref('ProcedureViewDto'))).toEqual(Object.keys(res.body.procedure).sort());
      const item = res.body.procedure.items.find((i: { key: string }) => i.key === 'eia');
      expect(propertiesOf(ref('ItemViewDto'))).toEqual(Object.keys(item).sort());
      expect(propertiesOf(ref('EventDto'))).toEqual(Object.keys(res.body.events[0]).sort());
    });

    it('refusals are problem+json with the members a real refusal has', async () => {
      for (const status of ['400', '401', '403', '404', '409', '412', '415']) {
        const content = commandRoute().responses[status].content;
        expect(Object.keys(content)).toEqual(['application/problem+json']);
        expect(content['application/problem+json'].schema.$ref).toBe(ref('ProblemDto'));
      }
      const p = await c.register();
      const res = await c.send(p.procedureId, 'eia', { type: 'SUBMIT' }, p.applicant);
      expect(res.status).toBe(400);
      expect(propertiesOf(ref('ProblemDto'))).toEqual(Object.keys(res.body).sort());
    });

    it('the audit routes: the answers they document have the fields real answers have', async () => {
      const okRef = (path: string, method: 'get' | 'post') => {
        const s = doc.paths[path][method].responses['200'].content['application/json'].schema;
        return (s.$ref ?? s.items.$ref) as string;
      };
      const p = await c.register();
      await c.ok(p.procedureId, 'eia', { type: 'SUBMIT', materials: c.materials('eia') }, p.applicant);
      const auditor = tokens.auditor();
      const replay = await api.request('GET', `/procedures/${p.procedureId}/replay`, { token: auditor });
      expect(propertiesOf(okRef('/procedures/{id}/replay', 'get'))).toEqual(Object.keys(replay.body).sort());
      const timeline = await api.request('GET', `/procedures/${p.procedureId}/timeline`, { token: auditor });
      expect(propertiesOf(okRef('/procedures/{id}/timeline', 'get'))).toEqual(
        Object.keys(timeline.body[0]).sort(),
      );
      expect(propertiesOf(ref('TimelineActorDto'))).toEqual(Object.keys(timeline.body[0].actor).sort());
      const verify = await api.request('POST', '/audit/verify', {
        token: auditor,
        body: { procedureId: p.procedureId },
      });
      expect(propertiesOf(okRef('/audit/verify', 'post'))).toEqual(
        [...Object.keys(verify.body), 'failuresNotListed'].sort(),
      );
      const log = await api.request('GET', '/audit/access-log?limit=1', { token: tokens.admin() });
      expect(propertiesOf(okRef('/audit/access-log', 'get'))).toEqual(Object.keys(log.body[0]).sort());
      for (const path of [
        '/procedures/{id}/replay',
        '/procedures/{id}/timeline',
        '/procedures/{id}/export',
      ]) {
        expect(doc.paths[path].get.responses['404'].content['application/problem+json'].schema.$ref).toBe(
          ref('ProblemDto'),
        );
      }
    });

    it('every authenticated route may answer 4XX as problem+json', () => {
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (!op.security?.length) continue;
          expect({ path, method, content: Object.keys(op.responses['4XX']?.content ?? {}) }).toEqual({
            path,
            method,
            content: ['application/problem+json'],
          });
        }
      }
    });
  });
});
