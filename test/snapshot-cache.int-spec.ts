import { ErrorCode } from '../libs/domain/src';
import { actors, refusal, startEngine, type EngineContext } from './support/engine-context';

/**
 * Two engine processes on one database, as two API instances behind a load balancer: each keeps
 * the procedures it wrote last in its SnapshotCache, so each is routinely deciding on a state the
 * other has moved past. Nothing may come of that but a retry.
 */
describe('commands decided on a remembered snapshot that another process moved past', () => {
  let a: EngineContext;
  let b: EngineContext;
  beforeAll(async () => {
    [a, b] = await Promise.all([startEngine(), startEngine()]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  const submit = {
    type: 'SUBMIT' as const,
    materials: ['eia_report', 'public_participation', 'expert_opinion'],
  };

  it('a write on a stale snapshot is retried on the fresh one: the stream stays 1..n', async () => {
    const { procedureId, org } = await a.register();
    const applicant = actors.applicant(org);
    const ecology = actors.officer('ecology');
    await a.run(procedureId, 'eia', submit, applicant); // a remembers v2
    await b.run(procedureId, 'eia', { type: 'ACCEPT' }, ecology); // b moves it on
    const r = await a.run(
      procedureId,
      'eia',
      { type: 'START_SPECIAL_PROCEDURE', kind: 'expert_review', reason: '专家评审' },
      ecology,
    );
    expect(r.procedure.items.find((i) => i.key === 'eia')!.status).toBe('paused');
    const events = await a.store.events(procedureId);
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual([
      'ProjectRegistered',
      'StepSubmitted',
      'StepAccepted',
      'SpecialProcedureStarted',
    ]);
  });

  it('a command the stale snapshot would refuse is decided again on the fresh one and accepted', async () => {
    const { procedureId, org } = await a.register();
    const applicant = actors.applicant(org);
    const ecology = actors.officer('ecology');
    await a.run(procedureId, 'energy_review', { type: 'SUBMIT', materials: ['energy_report'] }, applicant);
    // a remembers eia as ready; b submits it, so ACCEPT fits the record but not a's memory.
    await b.run(procedureId, 'eia', submit, applicant);
    const r = await a.run(procedureId, 'eia', { type: 'ACCEPT' }, ecology);
    expect(r.procedure.items.find((i) => i.key === 'eia')!.status).toBe('in_review');
    expect(r.procedure.version).toBe(4);
  });

  it('a command the fresh record refuses is still refused, naming the fresh status', async () => {
    const { procedureId, org } = await a.register();
    const applicant = actors.applicant(org);
    const ecology = actors.officer('ecology');
    await a.run(procedureId, 'eia', submit, applicant); // a remembers eia submitted
    await b.run(procedureId, 'eia', { type: 'ACCEPT' }, ecology);
    const err = await refusal(a.run(procedureId, 'eia', { type: 'ACCEPT' }, ecology));
    expect(err.code).toBe(ErrorCode.INVALID_TRANSITION);
    expect(err.details).toMatchObject({ itemStatus: 'in_review' });
    expect((await a.store.events(procedureId)).length).toBe(3);
  });

  it('If-Match is checked against the record, not the memory', async () => {
    const { procedureId, org } = await a.register();
    const applicant = actors.applicant(org);
    const ecology = actors.officer('ecology');
    await a.run(procedureId, 'eia', submit, applicant); // a remembers v2
    await b.run(procedureId, 'eia', { type: 'ACCEPT' }, ecology); // now v3
    const r = await a.run(
      procedureId,
      'eia',
      { type: 'RETURN_FOR_CORRECTION', reason: '补正', missing: ['expert_opinion'] },
      ecology,
      { ifMatch: 3 },
    );
    expect(r.procedure.version).toBe(4);
    const stale = await refusal(
      a.run(procedureId, 'eia', { type: 'RESUBMIT', materials: [] }, applicant, { ifMatch: 3 }),
    );
    expect(stale.code).toBe(ErrorCode.PRECONDITION_FAILED);
  });
});
