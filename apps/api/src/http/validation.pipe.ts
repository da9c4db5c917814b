import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { ValidationError } from '@qianqi/domain';
import { fieldProblems, oncePerField, screenInput } from '@qianqi/engine';

/**
 * Nest's pipe with whitelist and forbidNonWhitelisted, plus a check of the raw own keys first:
 * class-transformer drops keys that name an inherited member (`constructor`, `toString`,
 * `__proto__`…) before whitelist looks, so those would pass unseen.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const cls = metadata.metatype;
    if (
      (metadata.type !== 'body' && metadata.type !== 'query') ||
      typeof cls !== 'function' ||
      !this.toValidate(metadata) ||
      value === undefined ||
      value === null
    ) {
      return super.transform(value, metadata);
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new ValidationError([
        { field: metadata.type, rule: 'isObject', message: `${metadata.type} must be a JSON object` },
      ]);
    }
    const { problems, rest } = screenInput(value, cls as new () => object);
    if (!problems.length) return super.transform(value, metadata);
    // Name the rest too: validate what is left, and answer with every problem at once.
    try {
      await super.transform(rest, metadata);
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(oncePerField(problems, err.errors));
      throw err;
    }
    throw new ValidationError(problems);
  }
}

/** The global pipe: whitelist, refuse unknown fields, name every offending field (one rule each). */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationError(fieldProblems(errors)),
  });
}
