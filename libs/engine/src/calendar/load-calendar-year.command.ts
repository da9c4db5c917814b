import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { Required } from '../execute-command/field.rules';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class LoadCalendarYearCommand {
  @ApiProperty({ type: [String], example: ['2027-01-01'], description: 'statutory days off (YYYY-MM-DD)' })
  @Required()
  @IsArray()
  @ArrayMaxSize(366)
  @Matches(DATE, { each: true, message: 'daysOff must contain dates YYYY-MM-DD' })
  daysOff: string[];

  @ApiProperty({
    type: [String],
    example: ['2027-02-07'],
    description: '调休 make-up working days (YYYY-MM-DD)',
  })
  @Required()
  @IsArray()
  @ArrayMaxSize(366)
  @Matches(DATE, { each: true, message: 'workdays must contain dates YYYY-MM-DD' })
  workdays: string[];
}
