import type { PipeTransform } from '@nestjs/common';
import { NotFoundError } from '@qianqi/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a record, so it is a 404, never a database error. */
export class IdPipe implements PipeTransform<string, string> {
  constructor(private readonly what = 'procedure') {}

  transform(value: string): string {
    if (!UUID.test(value)) throw new NotFoundError(this.what, value);
    return value.toLowerCase();
  }
}

export const procedureId = new IdPipe('procedure');
export const projectId = new IdPipe('project');
