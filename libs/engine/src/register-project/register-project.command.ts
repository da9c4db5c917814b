import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { APPROVAL_MODES, type ApprovalMode } from '@qianqi/workflows';
import { CALENDAR_YEARS, IsCalendarDate, IsNotBlank, Required } from '../execute-command/field.rules';

export const PROJECT_CODE = /^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$/;

/** The body of POST /projects. Text fields must not be blank; they are stored as sent. */
export class RegisterProjectCommand {
  @ApiProperty({
    example: '2022-330800-48-01-100231',
    description: '投资项目统一代码',
    pattern: PROJECT_CODE.source,
  })
  @Required()
  @IsString()
  @Matches(PROJECT_CODE, {
    message: 'code must match ^\\d{4}-\\d{6}-\\d{2}-\\d{2}-\\d{6}$ (投资项目统一代码)',
  })
  code: string;

  @ApiProperty({ example: '常山江航电枢纽工程', maxLength: 200 })
  @Required()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: APPROVAL_MODES })
  @Required()
  @IsIn(APPROVAL_MODES)
  approvalMode: ApprovalMode;

  @ApiProperty({ example: '330800', description: 'region (行政区划代码 or name)', maxLength: 64 })
  @Required()
  @IsString()
  @IsNotBlank()
  @MaxLength(64)
  region: string;

  @ApiProperty({ example: 'org-quzhou-port', maxLength: 128 })
  @Required()
  @IsString()
  @IsNotBlank()
  @MaxLength(128)
  ownerOrg: string;

  @ApiProperty({
    example: '2027-03-01',
    format: 'date',
    description: `a real date YYYY-MM-DD, years ${CALENDAR_YEARS.min}–${CALENDAR_YEARS.max}`,
  })
  @Required()
  @IsString()
  @IsCalendarDate()
  plannedStartDate: string;

  @ApiPropertyOptional({ description: 'the sub of the project’s 包抓领导', maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  leader?: string;

  @ApiPropertyOptional({
    example: 'default@1',
    description: 'id@version (or id for its latest version)',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  definition?: string;
}
