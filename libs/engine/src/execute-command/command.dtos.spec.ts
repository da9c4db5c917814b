import { ErrorCode, ValidationError } from '@qianqi/domain';
import { parseCommandBody } from './command.dtos';

/** The problems parseCommandBody refuses a body with (fails the test if it accepts it). */
function refusal(body: unknown): { field: string; rule: string }[] {
  try {
    parseCommandBody(body);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe(ErrorCode.VALIDATION_FAILED);
    return (err as ValidationError).errors.map(({ field, rule }) => ({ field, rule }));
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('parseCommandBody', () => {
  describe('type', () => {
    // A plain lookup by type used to find Object.prototype's members: a 500 or a 400 with no field.
    it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
      'refuses %s as an unknown command type, like any other',
      (type) => {
        expect(refusal({ type })).toEqual([{ field: 'type', rule: 'isIn' }]);
      },
    );

    it('refuses a missing type as required', () => {
      expect(refusal({ reason: 'x' })).toEqual([{ field: 'type', rule: 'isDefined' }]);
      expect(refusal({ type: null })).toEqual([{ field: 'type', rule: 'isDefined' }]);
    });
  });

  describe('unknown fields', () => {
    // class-transformer skips keys naming inherited members, so whitelist never saw them.
    it.each(['constructor', 'toString', 'hasOwnProperty', 'fastTrack'])('names %s', (key) => {
      expect(refusal({ type: 'ACCEPT', [key]: 'x' })).toEqual([{ field: key, rule: 'whitelistValidation' }]);
    });

    it('names an own __proto__ key, as JSON.parse makes it', () => {
      const body = JSON.parse('{"type":"SUBMIT","materials":["a"],"__proto__":{"evil":1}}');
      expect(refusal(body)).toEqual([{ field: '__proto__', rule: 'whitelistValidation' }]);
    });

    it('names the other offending fields beside an unknown one, in one answer', () => {
      expect(refusal({ type: 'APPROVE', documentNo: '\u3000', extra: 1 })).toEqual([
        { field: 'extra', rule: 'whitelistValidation' },
        { field: 'documentNo', rule: 'isNotBlank' },
      ]);
      expect(refusal({ type: 'SUBMIT', constructor: 'x' })).toEqual([
        { field: 'constructor', rule: 'whitelistValidation' },
        { field: 'materials', rule: 'isDefined' },
      ]);
    });

    it('names a constructor object on a command with fields', () => {
      expect(refusal({ type: 'ACCEPT_WITH_TOLERANCE', constructor: { evil: 1 } })).toEqual([
        { field: 'constructor', rule: 'whitelistValidation' },
      ]);
    });
  });

  describe('one rule per field, the one that failed first in kind', () => {
    it('a missing array is required, not "no more than 100 elements"', () => {
      expect(refusal({ type: 'SUBMIT' })).toEqual([{ field: 'materials', rule: 'isDefined' }]);
    });

    it('a missing string is required, not "shorter than 200 characters"', () => {
      expect(refusal({ type: 'APPROVE' })).toEqual([{ field: 'documentNo', rule: 'isDefined' }]);
      const both = refusal({ type: 'START_SPECIAL_PROCEDURE' });
      expect(both.sort((a, b) => a.field.localeCompare(b.field))).toEqual([
        { field: 'kind', rule: 'isDefined' },
        { field: 'reason', rule: 'isDefined' },
      ]);
    });

    it('a value of the wrong type is reported by its type rule', () => {
      expect(refusal({ type: 'SUBMIT', materials: 'application' })).toEqual([
        { field: 'materials', rule: 'isArray' },
      ]);
      expect(refusal({ type: 'SUBMIT', materials: ['a', 3] })).toEqual([
        { field: 'materials', rule: 'isString' },
      ]);
      expect(refusal({ type: 'DENY', reason: 7 })).toEqual([{ field: 'reason', rule: 'isString' }]);
      expect(refusal({ type: 'ACCEPT_WITH_TOLERANCE', dueInWorkingDays: 0 })).toEqual([
        { field: 'dueInWorkingDays', rule: 'min' },
      ]);
    });
  });

  describe('blank text', () => {
    it.each([
      [{ type: 'REFUSE', reason: '   ' }, 'reason'],
      [{ type: 'REFUSE', reason: '\u3000\t' }, 'reason'],
      [{ type: 'APPROVE', documentNo: '  ' }, 'documentNo'],
      [{ type: 'WITHDRAW', reason: '' }, 'reason'],
      [{ type: 'SUBMIT', materials: ['application', ' '] }, 'materials'],
      [{ type: 'RETURN_FOR_CORRECTION', reason: '补正', missing: [''] }, 'missing'],
      [{ type: 'WAIVE', basis: 'regional_assessment', reason: '\n' }, 'reason'],
    ])('refuses %j naming %s', (body, field) => {
      expect(refusal(body)).toEqual([{ field, rule: 'isNotBlank' }]);
    });

    it('keeps text as sent, surrounding spaces included', () => {
      expect(parseCommandBody({ type: 'DENY', reason: ' 不符合规划 ' })).toMatchObject({
        reason: ' 不符合规划 ',
      });
    });
  });

  describe('Chinese names of special procedures and waiver bases', () => {
    it.each([
      ['专家评审', 'expert_review'],
      ['听证', 'hearing'],
      ['公示', 'public_notice'],
      ['现场勘验', 'site_inspection'],
      ['招投标', 'bidding'],
      ['hearing', 'hearing'],
    ])('START_SPECIAL_PROCEDURE kind %s is stored as %s', (kind, code) => {
      expect(parseCommandBody({ type: 'START_SPECIAL_PROCEDURE', kind, reason: '需要' })).toMatchObject({
        kind: code,
      });
    });

    it.each([
      ['区域评估', 'regional_assessment'],
      ['告知承诺', 'notice_commitment'],
    ])('WAIVE basis %s is stored as %s', (basis, code) => {
      expect(parseCommandBody({ type: 'WAIVE', basis, reason: '已覆盖' })).toMatchObject({ basis: code });
    });

    it('refuses a name that is no kind', () => {
      expect(refusal({ type: 'START_SPECIAL_PROCEDURE', kind: '会商', reason: 'x' })).toEqual([
        { field: 'kind', rule: 'isIn' },
      ]);
      expect(refusal({ type: 'WAIVE', basis: 'toString', reason: 'x' })).toEqual([
        { field: 'basis', rule: 'isIn' },
      ]);
    });
  });

  it('accepts a well-formed command', () => {
    expect(parseCommandBody({ type: 'SUBMIT', materials: ['application'] })).toMatchObject({
      type: 'SUBMIT',
      materials: ['application'],
    });
  });
});
