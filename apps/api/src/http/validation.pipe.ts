import { ValidationPipe } from '@nestjs/common';
import { ValidationError } from '@qianqi/domain';
import { fieldProblems } from '@qianqi/engine';

/** The global pipe: whitelist, refuse unknown fields, name every offending field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationError(fieldProblems(errors)),
  });
}
