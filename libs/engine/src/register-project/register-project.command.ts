import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { APPROVAL_MODES, type ApprovalMode } from '@qianqi/workflows';

export const PROJECT_CODE = /^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$/;

export class RegisterProjectCommand {
  @ApiProperty({ example: '2022-330800-48-01-100231', description: '投资项目统一代码' })
  @IsString()
  @Matches(PROJECT_CODE, {
    message: 'code must match ^\\d{4}-\\d{6}-\\d{2}-\\d{2}-\\d{6}$ (投资项目统一代码)',
  })
  code: string;

  @ApiProperty({ example: '常山江航电枢纽工程' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: APPROVAL_MODES })
  @IsIn(APPROVAL_MODES)
  approvalMode: ApprovalMode;

  @ApiProperty({ example: '330800', description: 'region (行政区划代码 or name)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  region: string;

  @ApiProperty({ example: 'org-quzhou-port' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  ownerOrg: string;

  @ApiProperty({ example: '2027-03-01' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, {
    message: 'plannedStartDate must be a date YYYY-MM-DD',
  })
  plannedStartDate: string;

  @ApiPropertyOptional({ description: 'the sub of the project’s 包抓领导' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  leader?: string;

  @ApiPropertyOptional({ example: 'default@1', description: 'id@version (or id for its latest version)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  definition?: string;
}
