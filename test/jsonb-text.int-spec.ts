import './support/test-env';
import { Client } from 'pg';
import { eventBody, isJsonbTextOf, jsonbText } from '../libs/domain/src';
import { TEST_DATABASE_URL } from './support/test-env';
import { prng } from './support/prng';

/**
 * The event hash is taken over the text PostgreSQL prints for jsonb, written by jsonbText in the
 * engine and read back from the database by the verifier. If the two ever differed, every event
 * with such a value would be reported altered: so they are compared here on the server itself,
 * over random values of every shape events carry (and some they never do).
 */
const PIECES = [
  'a',
  'Z',
  'itemKey',
  'é',
  '张三',
  '环评批复',
  '😀',
  ' ',
  '"',
  '\\',
  '/',
  '\n',
  '\t',
  '\r',
  '\b',
  '\f',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u2028',
  '\u00a0',
  'x'.repeat(40),
  '',
];

function randomValue(rnd: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const str = () => Array.from({ length: Math.floor(rnd() * 5) }, () => pick(PIECES)).join('');
  const kind = depth > 3 ? Math.floor(rnd() * 4) : Math.floor(rnd() * 6);
  switch (kind) {
    case 0:
      return str();
    case 1:
      return pick([
        0,
        -0,
        1,
        -1,
        7,
        100,
        2 ** 31,
        2 ** 53 - 1,
        -(2 ** 40),
        0.1,
        0.5,
        -2.25,
        123.456,
        1e21,
        1.5e-7,
        1e-7,
        0.30000000000000004,
        6.02e23,
        -9.87e-12,
        Math.floor(rnd() * 1e9) / 1e3,
      ]);
    case 2:
      return pick([true, false, null]);
    case 3:
      return `${Math.floor(rnd() * 1e6)}`;
    case 4:
      return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
    default: {
      const obj: Record<string, unknown> = {};
      const n = Math.floor(rnd() * 6);
      for (let i = 0; i < n; i++)
        obj[str() || pick(['k', 'kk', 'k2', 'aa', 'b'])] = randomValue(rnd, depth + 1);
      return obj;
    }
  }
}

describe('jsonbText against PostgreSQL', () => {
  let c: Client;
  beforeAll(async () => {
    c = new Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
  });
  afterAll(() => c.end());

  it('prints 3,000 random values exactly as ::jsonb::text does', async () => {
    const rnd = prng(20261201);
    const values = Array.from({ length: 3000 }, () => randomValue(rnd));
    const { rows } = await c.query<{ t: string }>(
      `SELECT x::jsonb::text AS t FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i`,
      [values.map((v) => JSON.stringify(v))],
    );
    const mismatches = values
      .map((v, i) => ({ value: JSON.stringify(v), ours: jsonbText(v), postgres: rows[i].t }))
      .filter((m) => m.ours !== m.postgres);
    expect(mismatches.slice(0, 5)).toEqual([]);
    // And the verifier's comparison of a state with its stored bytes agrees, byte for byte.
    const unmatched = values.filter((v, i) => !isJsonbTextOf(Buffer.from(rows[i].t), v));
    expect(unmatched.slice(0, 5)).toEqual([]);
    expect(rows).toHaveLength(3000);
  });

  it("builds an event's body as jsonb_build_object prints it", async () => {
    const rnd = prng(7);
    for (let i = 0; i < 50; i++) {
      const data = { itemKey: 'eia', n: i, extra: randomValue(rnd) };
      const metadata = {
        actor: { id: `u${i}`, name: '张三' },
        occurredAt: '2026-03-02T03:00:00.000Z',
        x: randomValue(rnd),
      };
      const streamId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const type = i % 2 ? 'StepSubmitted' : 'Step"Odd\\Type\u0001';
      const { rows } = await c.query<{ t: string }>(
        `SELECT jsonb_build_object('streamId', $1::uuid, 'version', $2::int, 'type', $3::text,
                                   'data', $4::jsonb, 'metadata', $5::jsonb)::text AS t`,
        [streamId, i + 1, type, JSON.stringify(data), JSON.stringify(metadata)],
      );
      expect(eventBody(streamId, i + 1, type, jsonbText(data), jsonbText(metadata))).toBe(rows[0].t);
    }
  });
});
